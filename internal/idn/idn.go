// Package idn converts internationalized domain names to the ASCII form
// that DNS, DKIM key lookups and alignment compare (RFC 5890 A-labels), for
// the dkim and provenance packages.
package idn

import "golang.org/x/net/idna"

// ToASCII returns name with its U-labels converted to A-labels
// ("bücher.example" becomes "xn--bcher-kva.example") under the strict
// IDNA2008 registration rules, which map no look-alikes: full-width
// letters, ideographic full stops, the Kelvin sign and upper-case
// non-ASCII letters make the name invalid (ok is false). Only ASCII letters
// are lower-cased first; strings.ToLower would fold the Kelvin sign
// (U+212A) into "k" and a dotted capital I into "i". An ASCII name is
// returned as it is. The result is not otherwise checked: callers apply
// their own host-name rules.
func ToASCII(name string) (string, bool) {
	ascii := true
	for i := range len(name) {
		if name[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return name, true
	}
	a, err := idna.Registration.ToASCII(LowerASCII(name))
	if err != nil {
		return "", false
	}
	return a, true
}

// LowerASCII lower-cases the ASCII letters of s and leaves every other
// byte as it is: unlike strings.ToLower, it folds no look-alike (the Kelvin
// sign stays what it is).
func LowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
