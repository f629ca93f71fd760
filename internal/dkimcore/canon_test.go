package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendCanonicalHeader(t *testing.T) {
	for _, tt := range []struct {
		name            string
		in              string
		simple, relaxed string
	}{
		// RFC 6376 §3.4.5, the example.
		{"rfc example A", "A: X\r\n", "A: X\r\n", "a:X\r\n"},
		{"rfc example B", "B : Y\t\r\n\tZ  \r\n", "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n"},
		{"bare lf", "Subject: a\n b\n", "Subject: a\r\n b\r\n", "subject:a b\r\n"},
		{"no line ending", "To: x", "To: x\r\n", "to:x\r\n"},
		{"folded name", "From\r\n : x\r\n", "From\r\n : x\r\n", "from:x\r\n"},
		{"empty value", "X-Empty:\r\n", "X-Empty:\r\n", "x-empty:\r\n"},
		{"only whitespace value", "X:  \t \r\n", "X:  \t \r\n", "x:\r\n"},
		{"lone cr kept", "X: a\rb\r\n", "X: a\rb\r\n", "x:a\rb\r\n"},
		{"no colon", "Garbage Line\r\n", "Garbage Line\r\n", "garbage line:\r\n"},
		{"8-bit", "Subject: \xc3\xa9t\xc3\xa9\r\n", "Subject: \xc3\xa9t\xc3\xa9\r\n", "subject:\xc3\xa9t\xc3\xa9\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendCanonicalHeader(nil, []byte(tt.in), Simple)
			assert.Equal(t, tt.simple, string(got), "simple(%q)", tt.in)
			got = AppendCanonicalHeader([]byte("prefix"), []byte(tt.in), Relaxed)
			assert.Equal(t, "prefix"+tt.relaxed, string(got), "relaxed(%q) appends", tt.in)
		})
	}
}

// recHash is a hash.Hash that records what it is given, to see the
// canonical body itself.
type recHash struct{ bytes.Buffer }

func (r *recHash) Sum(b []byte) []byte { return append(b, r.Bytes()...) }
func (r *recHash) BlockSize() int      { return 64 }
func (r *recHash) Size() int           { return 0 }

// canonicalBody runs the streaming canonicalizer over in, written in
// chunks of size chunk (0: one write), and returns its output. The bulk
// path checks blocks of chunk/2+1 bytes, so that small inputs exercise
// block boundaries too.
func canonicalBody(in string, c Canonicalization, limit int64, chunk int) (string, int64) {
	b := &bodyHasher{h: &recHash{}, relaxed: c == Relaxed, limit: limit, bulk: chunk/2 + 1}
	p := []byte(in)
	if chunk <= 0 {
		chunk = len(p) + 1
	}
	for len(p) > 0 {
		n := min(chunk, len(p))
		b.Write(p[:n])
		p = p[n:]
	}
	out, unsigned := b.Sum()
	return string(out), unsigned
}

// naiveBody is an obviously-correct, slow canonicalizer: the reference the
// streaming one is checked against (RFC 6376 §3.4.3, §3.4.4; bare LF is a
// line break, a lone CR is content).
func naiveBody(in string, c Canonicalization) string {
	pieces := strings.Split(in, "\n")
	var lines []string
	for i, p := range pieces {
		if i < len(pieces)-1 {
			p = strings.TrimSuffix(p, "\r")
		} else if p == "" {
			break // the body ended with a line break
		}
		if c == Relaxed {
			var b strings.Builder
			space := false
			for j := 0; j < len(p); j++ {
				if p[j] == ' ' || p[j] == '\t' {
					space = true
					continue
				}
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteByte(p[j])
			}
			p = b.String()
		}
		lines = append(lines, p)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		if c == Simple {
			return "\r\n"
		}
		return ""
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

func TestBodyCanonicalization(t *testing.T) {
	for _, tt := range []struct {
		name            string
		in              string
		simple, relaxed string
	}{
		// RFC 6376 §3.4.5, the example.
		{"rfc example", " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n"},
		{"empty", "", "\r\n", ""},
		{"only empty lines", "\r\n\r\n", "\r\n", ""},
		{"only whitespace lines", "  \r\n\t\r\n", "  \r\n\t\r\n", ""},
		{"no final line break", "abc", "abc\r\n", "abc\r\n"},
		{"bare lf", "a\nb \n\n", "a\r\nb \r\n", "a\r\nb\r\n"},
		{"lone cr is content", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
		{"final lone cr", "a\r", "a\r\r\n", "a\r\r\n"},
		{"inner empty lines kept", "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n"},
		{"leading whitespace", "\t  x  y\t\r\n", "\t  x  y\t\r\n", " x y\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range []int{0, 1, 2, 3, 7} {
				got, _ := canonicalBody(tt.in, Simple, -1, chunk)
				assert.Equal(t, tt.simple, got, "simple(%q) in chunks of %d", tt.in, chunk)
				got, _ = canonicalBody(tt.in, Relaxed, -1, chunk)
				assert.Equal(t, tt.relaxed, got, "relaxed(%q) in chunks of %d", tt.in, chunk)
			}
			assert.Equal(t, tt.simple, naiveBody(tt.in, Simple), "naive simple(%q)", tt.in)
			assert.Equal(t, tt.relaxed, naiveBody(tt.in, Relaxed), "naive relaxed(%q)", tt.in)
		})
	}
}

func TestBodyHasherLimit(t *testing.T) {
	body := "Hello\r\nWorld\r\n\r\n"
	for _, tt := range []struct {
		name     string
		limit    int64
		hashed   string
		unsigned int64
	}{
		{"no limit", -1, "Hello\r\nWorld\r\n", 0},
		{"zero", 0, "", 14},
		{"first line", 7, "Hello\r\n", 7},
		{"exact", 14, "Hello\r\nWorld\r\n", 0},
		{"beyond the body", 100, "Hello\r\nWorld\r\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, unsigned := canonicalBody(body, Simple, tt.limit, 3)
			assert.Equal(t, tt.hashed, got, "hashed bytes with l=%d", tt.limit)
			assert.Equal(t, tt.unsigned, unsigned, "unsigned bytes with l=%d", tt.limit)
		})
	}
	// The real hasher returns the SHA-256 of the limited canonical body.
	h := NewBodyHasher(crypto.SHA256, Relaxed, 7)
	_, err := h.Write([]byte("Hello  \r\nWorld\r\n"))
	require.NoError(t, err, "Write")
	sum, unsigned := h.Sum()
	want := sha256.Sum256([]byte("Hello\r\n"))
	assert.Equal(t, want[:], sum, "sha256 of the first 7 canonical bytes")
	assert.Equal(t, int64(7), unsigned, "7 canonical bytes past l=7")
	again, _ := h.Sum()
	assert.Equal(t, sum, again, "Sum is stable")
}

func TestParseCanonicalization(t *testing.T) {
	for _, tt := range []struct {
		in     string
		h, b   Canonicalization
		hasErr bool
	}{
		{"", Simple, Simple, false},
		{"relaxed", Relaxed, Simple, false},
		{"relaxed/relaxed", Relaxed, Relaxed, false},
		{"Simple/Relaxed", Simple, Relaxed, false},
		{"foobar", 0, 0, true},
		{"relaxed/nowsp", 0, 0, true},
	} {
		h, b, err := ParseCanonicalization(tt.in)
		if tt.hasErr {
			assert.ErrorIs(t, err, ErrUnsupportedCanonicalization, "ParseCanonicalization(%q)", tt.in)
			continue
		}
		require.NoError(t, err, "ParseCanonicalization(%q)", tt.in)
		assert.Equal(t, tt.h, h, "header canonicalization of %q", tt.in)
		assert.Equal(t, tt.b, b, "body canonicalization of %q", tt.in)
	}
}

func FuzzBodyCanonicalization(f *testing.F) {
	for _, s := range []string{" C \r\nD \t E\r\n\r\n\r\n", "a\rb\n\n", "\r", "x\t\r\n \r\n y", ""} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, chunk uint8) {
		for _, c := range []Canonicalization{Simple, Relaxed} {
			got, _ := canonicalBody(in, c, -1, int(chunk))
			require.Equal(t, naiveBody(in, c), got, "%v(%q) in chunks of %d matches the reference", c, in, chunk)
			require.LessOrEqual(t, len(got), 2*len(in)+2, "%v output at most 2n+2 bytes", c)
			limit := int64(chunk) * 3
			part, unsigned := canonicalBody(in, c, limit, int(chunk)+1)
			require.Equal(t, got[:min(int64(len(got)), limit)], part, "%v with l=%d hashes a prefix", c, limit)
			require.Equal(t, max(int64(len(got))-limit, 0), unsigned, "%v with l=%d: bytes past l=", c, limit)
			if c == Relaxed {
				again, _ := canonicalBody(got, c, -1, 0)
				require.Equal(t, got, again, "relaxed is idempotent on %q", in)
			}
		}
	})
}

func FuzzCanonicalHeader(f *testing.F) {
	for _, s := range []string{"B : Y\t\r\n\tZ  \r\n", "From\r\n : x", "X: a\rb\r\n", "garbage", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := AppendCanonicalHeader(nil, []byte(in), Simple)
		require.LessOrEqual(t, len(s), 2*len(in)+2, "simple output at most 2n+2 bytes")
		require.True(t, bytes.HasSuffix(s, []byte("\r\n")), "simple ends in CRLF")
		r := AppendCanonicalHeader(nil, []byte(in), Relaxed)
		require.LessOrEqual(t, len(r), len(in)+3, "relaxed output at most n+3 bytes")
		require.True(t, bytes.HasSuffix(r, []byte("\r\n")), "relaxed ends in CRLF")
		again := AppendCanonicalHeader(nil, r, Relaxed)
		require.Equal(t, string(r), string(again), "relaxed is idempotent on %q", in)
	})
}

// naivePrefix is canonicalPrefix's reference: the longest run of whole
// lines from the start of blk that the pair scan accepts, byte by byte.
func naivePrefix(blk []byte, relaxed bool) int {
	good := 0
	for i := range blk {
		c := blk[i]
		switch {
		case c == '\n' && (i == 0 || blk[i-1] != '\r'):
			return good
		case relaxed && c == '\t':
			return good
		case relaxed && c == ' ' && i+1 < len(blk) && blk[i+1] < 0x21:
			return good
		case c == '\n':
			good = i + 1
		}
	}
	return good
}

func TestCanonicalPrefix(t *testing.T) {
	long := strings.Repeat("The figures for the quarter are attached.\r\n", 4)
	for _, tt := range []struct {
		name            string
		in              string
		simple, relaxed int
	}{
		{"empty", "", 0, 0},
		{"clean", long, len(long), len(long)},
		{"bare lf first", "\nabc\r\n", 0, 0},
		{"bare lf late", long + "x\n" + long, len(long), len(long)},
		{"double space late", long + "a  b\r\n" + long, len(long)*2 + 6, len(long)},
		{"space before crlf", long + "a \r\n", len(long) + 4, len(long)},
		{"tab late", long + "a\tb\r\n" + long, len(long)*2 + 5, len(long)},
		{"tab after a violation", "a  b\r\n\t\r\n", 9, 0},
		{"space before lf in the 8th byte", "abcdefg \r\n" + long, len(long) + 10, 0},
		{"empty lines", "\r\n\r\n" + long + "\r\n", len(long) + 6, len(long) + 6},
		{"lone cr is content", "a\rb\r\n", 5, 5},
		{"space before control", long + "a \x01\r\n", len(long) + 5, len(long)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.simple, canonicalPrefix([]byte(tt.in), false), "simple prefix of %q", tt.in)
			assert.Equal(t, tt.relaxed, canonicalPrefix([]byte(tt.in), true), "relaxed prefix of %q", tt.in)
			assert.Equal(t, tt.simple, naivePrefix([]byte(tt.in), false), "reference simple prefix of %q", tt.in)
			assert.Equal(t, tt.relaxed, naivePrefix([]byte(tt.in), true), "reference relaxed prefix of %q", tt.in)
		})
	}
}

// TestBodyCanonicalizationLong checks long bodies, where the word-at-a-time
// scan runs, against the reference, written whole and in odd chunks.
func TestBodyCanonicalizationLong(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	pieces := []string{"word", " ", "  ", "\t", "\r\n", "\n", "\r", "\r\n\r\n", " \r\n", "\x01", "é"}
	for _, tt := range []struct {
		name  string
		sizes []int
	}{{"sparse events", []int{200, 1000, 5000}}, {"dense events", []int{40, 300}}} {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range tt.sizes {
				for range 50 {
					var sb strings.Builder
					for sb.Len() < size {
						if tt.name == "sparse events" && r.IntN(8) > 0 {
							sb.WriteString("The figures for the quarter are attached.\r\n")
							continue
						}
						sb.WriteString(pieces[r.IntN(len(pieces))])
					}
					in := sb.String()
					for _, c := range []Canonicalization{Simple, Relaxed} {
						want := naiveBody(in, c)
						for _, chunk := range []int{0, 17, 100, 4097} {
							got, _ := canonicalBody(in, c, -1, chunk)
							require.Equal(t, want, got, "%v(%q) in chunks of %d", c, in, chunk)
						}
					}
				}
			}
		})
	}
}

func FuzzCanonicalPrefix(f *testing.F) {
	for _, s := range []string{"abcdefgh  ijklmnop\r\nqrstuvwxyz\r\n", "abcdefghijklmnopq\nr\r\n", "x\r\n\r\n\t\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		in = in[:strings.LastIndexByte(in, '\n')+1] // whole lines, as Write passes
		for _, relaxed := range []bool{false, true} {
			got := canonicalPrefix([]byte(in), relaxed)
			require.Equal(t, naivePrefix([]byte(in), relaxed), got, "prefix of %q (relaxed %v) matches the reference", in, relaxed)
			require.True(t, got == 0 || in[got-1] == '\n', "prefix of %q ends after an LF", in)
		}
	})
}

// naiveViolation is firstViolation's reference, byte by byte.
func naiveViolation(blk []byte, relaxed bool) int {
	for i, c := range blk {
		if relaxed && c == '\t' || i+1 < len(blk) && pairViolation(c, blk[i+1], relaxed) {
			return i
		}
	}
	return -1
}

// TestFirstViolation puts each byte pair that needs rewriting, and some
// that do not, at every position of blocks of every length up to 160
// bytes, so that each step of the vector scan (64 and 32 bytes), the
// word-at-a-time scan and their tails each meet it, alone and after an
// earlier one.
func TestFirstViolation(t *testing.T) {
	pairs := []string{"x\n", "\n\n", " \n", " \r", "  ", " \t", "\tx", " \x01", "\r\n", "x ", " x", "\rx", "\x00\n"}
	for n := 0; n <= 160; n++ {
		base := []byte(strings.Repeat("abcdefghi\r\n", n/11+1)[:n])
		check := func(blk []byte) {
			t.Helper()
			for _, relaxed := range []bool{false, true} {
				want := naiveViolation(blk, relaxed)
				if got := firstViolation(blk, relaxed); got != want {
					t.Fatalf("firstViolation(%q, relaxed %v) = %d, want %d", blk, relaxed, got, want)
				}
				if got := firstViolationSWAR(blk, relaxed); got != want {
					t.Fatalf("firstViolationSWAR(%q, relaxed %v) = %d, want %d", blk, relaxed, got, want)
				}
			}
		}
		check(base)
		for pos := 0; pos+2 <= n; pos++ {
			for _, p := range pairs {
				blk := bytes.Clone(base)
				copy(blk[pos:], p)
				check(blk)
				if later := pos + 37; later+2 <= n {
					copy(blk[later:], "\t ")
					check(blk)
				}
			}
		}
	}
}

// TestFirstViolationRandom compares the scans with the reference on
// random blocks dense in the bytes they look for, at every offset of a
// larger buffer (the vector loads are unaligned).
func TestFirstViolationRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte("ab \t\r\n\x01\xff")
	buf := make([]byte, 4096)
	for range 3000 {
		for i := range buf {
			if r.IntN(40) == 0 {
				buf[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				buf[i] = 'a' + byte(r.IntN(26))
			}
		}
		off, n := r.IntN(64), r.IntN(1500)
		blk := buf[off : off+n]
		for _, relaxed := range []bool{false, true} {
			want := naiveViolation(blk, relaxed)
			require.Equal(t, want, firstViolation(blk, relaxed), "firstViolation(%q, relaxed %v)", blk, relaxed)
			require.Equal(t, want, firstViolationSWAR(blk, relaxed), "firstViolationSWAR(%q, relaxed %v)", blk, relaxed)
		}
	}
}
