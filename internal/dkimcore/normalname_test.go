package dkimcore

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestNormalName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Example.COM", "example.com"},
		{" a.example. . ", "a.example"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.example", "xn--bcher-kva.example"},
		// A capital outside ASCII is folded before the A-label
		// conversion (upper case is no valid U-label), so that "Ԙ" and
		// its lower case "ԙ" are one name, and a normal name is its own.
		{"Ԙ", "xn--w7a"},
		{"ԙ", "xn--w7a"},
		// The Kelvin sign is not folded onto the ASCII letter k.
		{"\u212Aey.example", "\u212Aey.example"},
		{"S1\u212A", "s1\u212A"},
		// Nor is any other look-alike of an ASCII letter or dot: the
		// dotted capital I, the long s, full-width letters and stops, the
		// ideographic full stop, a zero-width space.
		{"\u0130nfo.Example", "\u0130nfo.example"},
		{"\u017F.example", "\u017F.example"},
		{"\uff4bey.example", "\uff4bey.example"},
		{"key\uff0eexample", "key\uff0eexample"},
		{"key\u3002Example", "key\u3002example"},
		{"key.example\u200b", "key.example\u200b"},
		// Upper case outside ASCII is folded as RFC 5895 folds it, so
		// that a key file's "BÜCHER.example" answers d=bücher.example.
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"\u03a3.example", "xn--4xa.example"},
		// Cherokee capitals are the valid letters (IDNA2008 refuses
		// the small ones, case folding maps those onto the capitals): a
		// name in them keeps its A-label, as d= converts it.
		{"\u13a0\u13f5.example", "xn--58d4o.example"},
		{"x\u13a0.example", "xn--x-28h.example"},
		// Look-alike signs whose lower case is an ASCII letter or another
		// letter's: not folded (the Ohm sign, the Ångström sign).
		{"\u2126.example", "\u2126.example"},
		{"\u212b.example", "\u212b.example"},
		// Unicode white space around the name, however mixed with final
		// dots, is dropped.
		{"\u0085\u00a0Key.example.\u3000.\u2029", "key.example"},
		// Invalid UTF-8 is kept byte for byte.
		{"\xffA.example", "\xffa.example"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, NormalName(tc.in), "NormalName(%q)", tc.in)
		assert.Equal(t, tc.want, NormalName(tc.want), "NormalName(%q) is its own normal name", tc.want)
	}
}

// FuzzNormalName checks that a normal name is its own normal name, and
// that a name the A-label conversion refuses changes only in the case of
// its ASCII letters: no non-ASCII character is folded onto ASCII.
func FuzzNormalName(f *testing.F) {
	for _, s := range []string{"Example.COM.", "bücher.example", "Ԙ", "\u212Aey", "a..b", " x\u00a0", "\xff.example", "xn--w7a", "İ.example", "Ꭰ.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalName(s)
		if n2 := NormalName(n); n2 != n {
			t.Fatalf("NormalName(%q) = %q, but NormalName(%q) = %q", s, n, n, n2)
		}
		if n != "" && KeyName(s, s) != n+"._domainkey."+n {
			t.Fatalf("KeyName(%q, %q) does not use the normal names", s, s)
		}
		// Folding only brings a name to a valid one: a name d= would
		// already convert keeps its A-label.
		if a, ok := ASCIIDomain(strings.TrimRightFunc(strings.TrimSpace(s), func(r rune) bool { return r == '.' || unicode.IsSpace(r) })); ok && strings.ToLower(a) != n {
			t.Fatalf("NormalName(%q) = %q, but the name converts to %q", s, n, a)
		}
		if _, ok := ASCIIDomain(n); !ok && !foldedFrom(s, n) {
			t.Fatalf("NormalName(%q) = %q changed more than the case of capitals", s, n)
		}
	})
}

// foldedFrom reports whether n is a run of s's characters, each as written
// or folded from a capital to its lower case, and none of them folded
// from outside ASCII onto ASCII.
func foldedFrom(s, n string) bool {
	for i := range len(s) + 1 {
		if foldedPrefix(s[i:], n) {
			return true
		}
	}
	return false
}

func foldedPrefix(s, n string) bool {
	for len(n) > 0 {
		a, sa := utf8.DecodeRuneInString(s)
		b, sb := utf8.DecodeRuneInString(n)
		if sa == 0 {
			return false
		}
		switch {
		case s[:sa] == n[:sb]: // as written, invalid bytes too
		case 'A' <= a && a <= 'Z' && b == a+'a'-'A':
		case a >= utf8.RuneSelf && a != utf8.RuneError && b >= utf8.RuneSelf &&
			unicode.ToLower(a) == b && unicode.ToUpper(b) == a:
		default:
			return false
		}
		s, n = s[sa:], n[sb:]
	}
	return true
}
