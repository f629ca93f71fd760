package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		width   int
		fromEnd bool
		want    string
	}{
		{"short", "abc", 5, false, "abc"},
		{"exact", "abcde", 5, false, "abcde"},
		{"cut", "abcdef", 5, false, "abcd…"},
		{"cut from end", "leak/inbox.mbox#12", 8, true, "…mbox#12"},
		{"runes not bytes", "Grüße aus Köln", 6, false, "Grüße…"},
		{"escape sequence", "a\x1b[2Jb", 10, false, "a\uFFFD[2Jb"},
		{"newline and tab", "a\nb\tc", 10, false, "a b c"},
		{"bidi override", "abc\u202Eexe.pdf", 20, false, "abc\uFFFDexe.pdf"},
		{"invalid utf-8", "a\xffb", 10, false, "a\uFFFDb"},
		{"C1 control", "a\u009bb", 10, false, "a\uFFFDb"},
		{"zero width", "abc", 0, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fit(tt.in, tt.width, tt.fromEnd), "fit(%q, %d, %v)", tt.in, tt.width, tt.fromEnd)
		})
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"empty", "", 10, nil},
		{"one line", "a b c", 10, []string{"a b c"}},
		{"two lines", "aaa bbb ccc", 7, []string{"aaa bbb", "ccc"}},
		{"long word", "a bbbbbbbbbbbb c", 5, []string{"a", "bbbbbbbbbbbb", "c"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wrap(tt.in, tt.width), "wrap(%q, %d)", tt.in, tt.width)
		})
	}
}

// FuzzFit checks, for any text, that fit and pad keep to the width, that
// nothing unprintable survives, and that cleaning is idempotent.
func FuzzFit(f *testing.F) {
	for _, s := range []string{"", "Quarterly figures", "a\x1b[2Jb", "abc\u202Eexe", "\xff\xfe", "Grüße aus Köln", "\u200b\u2028"} {
		f.Add(s, 10, false)
		f.Add(s, 1, true)
	}
	f.Fuzz(func(t *testing.T, s string, width int, fromEnd bool) {
		width = width % 200
		got := fit(s, width, fromEnd)
		if width <= 0 {
			if got != "" {
				t.Fatalf("fit(%q, %d) = %q, want empty", s, width, got)
			}
			return
		}
		if n := utf8.RuneCountInString(got); n > width {
			t.Fatalf("fit(%q, %d) = %q: %d runes, more than the width", s, width, got, n)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("fit(%q, %d) = %q: invalid UTF-8", s, width, got)
		}
		for _, r := range got {
			if r != utf8.RuneError && !printable(r) {
				t.Fatalf("fit(%q, %d) = %q: unprintable rune %U survived", s, width, got, r)
			}
		}
		if c := clean(s); clean(c) != c {
			t.Fatalf("clean is not idempotent on %q", s)
		}
		if p := pad(s, width, fromEnd); utf8.RuneCountInString(p) != width || !strings.HasPrefix(p, got) {
			t.Fatalf("pad(%q, %d) = %q: want %q padded to %d runes", s, width, p, got, width)
		}
	})
}
