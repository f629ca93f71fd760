package dkimcore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Example.COM", "example.com"},
		{" a.example. . ", "a.example"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.example", "xn--bcher-kva.example"},
		// Refused by the A-label conversion (upper case is not a valid
		// U-label): kept as written, not lower-cased into "ԙ", which
		// would convert to "xn--w7a" on a second normalisation.
		{"Ԙ", "Ԙ"},
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
		// Upper case outside ASCII is not a U-label (IDNA2008 disallows
		// it): kept as written, so that no signature finds it.
		{"BÜCHER.example", "bÜcher.example"},
		{"\u03a3.example", "\u03a3.example"},
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
	for _, s := range []string{"Example.COM.", "bücher.example", "Ԙ", "\u212Aey", "a..b", " x\u00a0", "\xff.example", "xn--w7a", "İ.example"} {
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
		if _, ok := ASCIIDomain(n); !ok && !containsFoldASCII(s, n) {
			// Kept as written: a part of the input, with only the case
			// of ASCII letters changed.
			t.Fatalf("NormalName(%q) = %q changed more than ASCII case", s, n)
		}
	})
}

// containsFoldASCII reports whether s contains sub with ASCII letters
// compared without case and every other byte exactly.
func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		ok := true
		for j := range len(sub) {
			a, b := s[i+j], sub[j]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if a != b {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
