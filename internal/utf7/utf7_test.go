package utf7

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		// The examples of RFC 2152 §2 ("Hi Mom -☺-!", "日本語", A≢Α.).
		{"rfc 2152 A not identical to Alpha", "A+ImIDkQ.", "A\u2262\u0391."},
		{"rfc 2152 smiley", "Hi Mom -+Jjo--!", "Hi Mom -\u263a-!"},
		{"rfc 2152 japanese", "+ZeVnLIqe-", "日本語"},
		{"plus sign", "1 +- 1", "1 + 1"},
		{"plain ascii", "ceo@bank.example", "ceo@bank.example"},
		{"address in base64", "+AGMAZQBvAEAAYgBhAG4AawAuAGUAeABhAG0AcABsAGU-", "ceo@bank.example"},
		{"run ended by a non-base64 byte", "+AEA.x", "@.x"},
		{"surrogate pair", "+2D3eAA-", "\U0001f600"},
		{"unpaired surrogate", "+2D0-", "\ufffd"},
		{"empty run", "+-x", "+x"},
		{"trailing plus", "a+", "a"},
		{"eight-bit byte", "a\xffb", "a\ufffdb"},
		{"left-over bits dropped", "+AGM", "c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Decode([]byte(tt.in)), "Decode(%q)", tt.in)
		})
	}
}

// encode writes s in UTF-7, every non-ASCII rune and '@' in base64, as the
// oracle for the round trip.
func encode(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		var buf []byte
		for _, u := range utf16.Encode(run) {
			buf = append(buf, byte(u>>8), byte(u))
		}
		b.WriteByte('+')
		b.WriteString(base64.RawStdEncoding.EncodeToString(buf))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		if r >= utf8.RuneSelf || r == '@' || r == '+' {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// FuzzDecode checks that Decode never panics, always returns valid UTF-8,
// never grows its input more than UTF-8 can (three bytes per input byte at
// most), and inverts encode on valid UTF-8 text.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"Hi Mom -+Jjo--!", "+ZeVnLIqe-", "+AGMAZQBvAEAAYgBhAG4AawAuAGUAeABhAG0AcABsAGU-", "+2D0-", "a+", "+-"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Decode(in)
		require.True(t, utf8.ValidString(out), "Decode(%q) = %q: valid UTF-8", in, out)
		require.LessOrEqual(t, len(out), 3*len(in), "Decode(%q) = %q: at most three bytes out per byte in", in, out)
		if utf8.Valid(in) && !strings.ContainsRune(string(in), utf8.RuneError) {
			s := strings.ReplaceAll(string(in), "\x00", "")
			require.Equal(t, s, Decode([]byte(encode(s))), "Decode(encode(%q))", s)
		}
	})
}

// TestDecodeWellFormed holds DecodeWellFormed to what Python's utf-7 codec reads of
// well-formed text, and to refusing what it reads only with replacement
// characters.
func TestDecodeWellFormed(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"plain words", "plain words", true},
		{"a+AKM b", "a£ b", true},
		{"+AKM-100", "£100", true},
		{"1 +- 1", "1 + 1", true},
		{"+2D3cAQ-", "🐁", true},
		{"a+ b", "", false},        // a "+" with no run
		{"+AKMA-", "", false},      // bits left over
		{"+2D0-", "", false},       // an unpaired surrogate
		{"caf\xc3\xa9", "", false}, // an 8-bit byte
	} {
		got, ok := DecodeWellFormed([]byte(tc.in))
		assert.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			assert.Equal(t, tc.want, string(got), "%q", tc.in)
		}
	}
}

// FuzzDecodeWellFormed checks that DecodeWellFormed never panics, returns
// valid UTF-8 when it accepts, returns text without "+" as it is, agrees
// with the lenient Decode on what it accepts (within Decode's 64 KiB), and
// accepts and inverts encode on valid UTF-8 text.
func FuzzDecodeWellFormed(f *testing.F) {
	for _, s := range []string{"a+AKM b", "+AKM-100", "1 +- 1", "+2D3cAQ-", "a+ b", "+AKMA-", "+2D0-", "caf\xc3\xa9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if utf8.Valid(in) && !strings.ContainsRune(string(in), utf8.RuneError) {
			s := strings.ReplaceAll(string(in), "\x00", "")
			back, ok := DecodeWellFormed([]byte(encode(s)))
			require.True(t, ok, "encode(%q) is well-formed", s)
			require.Equal(t, s, string(back), "DecodeWellFormed(encode(%q))", s)
		}
		out, ok := DecodeWellFormed(in)
		if !ok {
			return
		}
		require.True(t, utf8.Valid(out), "DecodeWellFormed(%q) = %q: valid UTF-8", in, out)
		if !strings.Contains(string(in), "+") {
			require.Equal(t, string(in), string(out), "text without a shift is kept")
		}
		if len(in) <= maxLen {
			require.Equal(t, Decode(in), string(out), "DecodeWellFormed(%q) reads as Decode", in)
		}
	})
}
