package mailsyntax

import (
	"encoding/base64"
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/encoding/japanese"
)

func TestDecodeWords(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Hello", "Hello"},
		{"utf-8 q", "=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "Jürgen <j@example.de>"},
		{"latin-1 b", "=?iso-8859-1?b?SvxyZ2Vu?=", "Jürgen"},
		{"adjacent words joined", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
		{"ISO-2022-JP", "=?ISO-2022-JP?B?GyRCNSFMKSROSnM5cBsoQg==?=", "機密の報告"},
		{"KOI8-R", "=?koi8-r?B?88XL0sXUztnKIM/U3qPU?=", "Секретный отчёт"},
		{"windows-1251 q", "Re: =?windows-1251?Q?=CF=EB=E0=F2=B8=E6?= 12", "Re: Платёж 12"},
		{"GB2312", "=?GB2312?B?u+HS6bzN0qo=?=", "会议纪要"},
		{"UTF-7", "=?utf-7?q?Hi_+ZeVnLIqe-?=", "Hi 日本語"},
		{"RFC 2231 language suffix", "=?koi8-r*ru?B?88XL0sXUztnKIM/U3qPU?=", "Секретный отчёт"},
		{"unknown charset left encoded", "=?x-unknown?q?abc?=", "=?x-unknown?q?abc?="},
		{"a charset read as replacement left encoded", "=?iso-2022-kr?q?abc?=", "=?iso-2022-kr?q?abc?="},
		{"unknown charset keeps the value whole", "=?utf-8?q?J=C3=BCrgen?= =?x-unknown?q?abc?=", "=?utf-8?q?J=C3=BCrgen?= =?x-unknown?q?abc?="},
		{"malformed left as is", "=?utf-8?q?abc", "=?utf-8?q?abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DecodeWords(tt.in), "DecodeWords(%q)", tt.in)
		})
	}
}

func TestMessageID(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"brackets", "<abc@example.com>", "abc@example.com"},
		{"spaces and comment", "  < abc@example.com > (x)", "abc@example.com"},
		{"first of two", "<a@x> <b@y>", "a@x"},
		{"no brackets", " abc@example.com ", "abc@example.com"},
		{"unclosed", "<abc@example.com", "<abc@example.com"},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MessageID(tt.in), "MessageID(%q)", tt.in)
		})
	}
}

func TestMessageIDs(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{}},
		{"one", "<a@x>", []string{"a@x"}},
		{"thread", "<a@x> <b@y>\t<c@z>", []string{"a@x", "b@y", "c@z"}},
		{"no spaces between", "<a@x><b@y>", []string{"a@x", "b@y"}},
		{"comments and phrases skipped", `(first) <a@x> "Re: it" <b@y> (end)`, []string{"a@x", "b@y"}},
		{"spaces inside trimmed", "< a@x >", []string{"a@x"}},
		{"empty pair skipped", "<> <a@x>", []string{"a@x"}},
		{"unclosed pair skipped", "<a@x <b@y>", []string{"b@y"}},
		{"unclosed at the end", "<a@x> <b@y", []string{"a@x"}},
		{"one bare word", " a@x ", []string{"a@x"}},
		{"bare text", "see the last message", []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MessageIDs(tt.in), "MessageIDs(%q)", tt.in)
		})
	}
	long := strings.Repeat("<a@x>", 2*maxMessageIDs)
	assert.Len(t, MessageIDs(long), maxMessageIDs, "MessageIDs caps what it returns")
}

// FuzzMessageIDs holds MessageIDs' invariants: never nil, never more than
// the cap, no identifier empty or holding a bracket or surrounding space,
// each one found in the input.
func FuzzMessageIDs(f *testing.F) {
	for _, s := range []string{"", "<a@x>", "<a@x> <b@y>", "<a <b>", "<>", "a@x", "(c) <a@x> \"p\" <b@y", "<<a>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ids := MessageIDs(v)
		if ids == nil {
			t.Fatalf("MessageIDs(%q) = nil", v)
		}
		if len(ids) > maxMessageIDs {
			t.Fatalf("MessageIDs(%q): %d identifiers, over the cap", v, len(ids))
		}
		for _, id := range ids {
			if id == "" || id != strings.TrimSpace(id) || strings.ContainsAny(id, "<>") {
				t.Fatalf("MessageIDs(%q): bad identifier %q", v, id)
			}
			if !strings.Contains(v, id) {
				t.Fatalf("MessageIDs(%q): %q is not in the input", v, id)
			}
		}
	})
}

// FuzzDecodeWords decodes any value in any charset label without failing:
// a value with no encoded word is given back as it is, and text encoded
// as one UTF-8 or one ISO-2022-JP word (when it has that form) decodes to
// itself.
func FuzzDecodeWords(f *testing.F) {
	f.Add("=?ISO-2022-JP?B?GyRCNSFMKSROSnM5cBsoQg==?=", "機密の報告")
	f.Add("=?koi8-r*ru?B?88XL0sXUztnKIM/U3qPU?= x", "Секретный отчёт")
	f.Add("=?utf-7?q?Hi_+ZeVnLIqe-?=", "")
	f.Fuzz(func(t *testing.T, value, text string) {
		got := DecodeWords(value)
		if !strings.Contains(value, "=?") && got != value {
			t.Fatalf("DecodeWords(%q) = %q, with no encoded word", value, got)
		}
		if !utf8.ValidString(text) {
			return
		}
		if w := mime.BEncoding.Encode("utf-8", text); DecodeWords(w) != text {
			t.Fatalf("DecodeWords(%q) = %q, want %q", w, DecodeWords(w), text)
		}
		if j, err := japanese.ISO2022JP.NewEncoder().String(text); err == nil && text != "" {
			w := "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(j)) + "?="
			if back, err := japanese.ISO2022JP.NewDecoder().String(j); err == nil && back == text && DecodeWords(w) != text {
				t.Fatalf("DecodeWords(%q) = %q, want %q", w, DecodeWords(w), text)
			}
		}
	})
}
