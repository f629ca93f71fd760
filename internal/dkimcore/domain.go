package dkimcore

import (
	"strings"

	"github.com/leakproof/leakproof/internal/idn"
)

// ASCIIDomain returns d= or s= in the ASCII form the key lookup uses, and
// whether it is a valid name (ValidDomain). RFC 8616 §4 lets a message with
// internationalized header fields write them as U-labels ("bücher.example");
// such a name is converted to A-labels ("xn--bcher-kva.example") by
// internal/idn, under strict rules that map no look-alikes.
func ASCIIDomain(s string) (string, bool) {
	a, ok := idn.ToASCII(s)
	if !ok || !ValidDomain(a) {
		return "", false
	}
	return a, true
}

// ValidDomain reports whether s is dot-separated labels of letters, digits
// and hyphens (RFC 6376 §3.5 "domain-name" and "selector" are sub-domains:
// Let-dig [Ldh-str]), each of 1 to 63 bytes, 253 bytes in all. A NUL, a
// quote, a parenthesis or a backslash is an attack on the key lookup.
func ValidDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			if c := label[i]; !isAlpha(c) && !isDigit(c) && c != '-' {
				return false
			}
		}
	}
	return true
}
