package mailsyntax

// The canonical form of an address: its local part and domain checked and
// written as signatures and DNS use them (A-labels, lower case).

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/leakproof/leakproof/internal/idn"
)

// canonicalAddr validates local and domain and returns the lower-cased
// address, quoting the local part only when it is not a dot-atom.
func canonicalAddr(local, domain string) (string, string) {
	if !utf8.ValidString(local) || !utf8.ValidString(domain) {
		return "", "the From address is not valid UTF-8"
	}
	for _, r := range local {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "", "the From address has control characters in it"
		}
	}
	if encodedWordRe.MatchString(local) || encodedWordRe.MatchString(domain) ||
		(strings.Contains(local, "=?") && strings.Contains(local, "?=")) {
		return "", "the From address contains an encoded word (=?...?=), which some mail clients decode and show as a different address"
	}
	d, r := canonicalDomain(domain)
	if r != "" {
		return "", r
	}
	local = strings.ToLower(local)
	if !isDotAtom(local) {
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(local); i++ {
			if local[i] == '"' || local[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(local[i])
		}
		b.WriteByte('"')
		local = b.String()
	}
	return local + "@" + d, ""
}

// isDotAtom reports whether s is dot-atom-text.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// canonicalDomain checks that d is a fully qualified host name and returns
// it lower-cased, with internationalized labels as A-labels.
func canonicalDomain(d string) (string, string) {
	// An internationalized domain (RFC 6532) is compared, and shown, in
	// the A-label form DNS and signatures use, converted under rules that
	// map no look-alikes (internal/idn).
	a, ok := idn.ToASCII(d)
	if !ok {
		return "", fmt.Sprintf("the From address domain %.80q is not a valid internationalized domain name", d)
	}
	d = strings.ToLower(a)
	if !IsHostName(d) {
		return "", fmt.Sprintf("the From address domain %.80q is not a valid domain name", d)
	}
	if !strings.Contains(d, ".") {
		return "", fmt.Sprintf("the From address domain %.80q is not a fully qualified domain name", d)
	}
	return d, ""
}

// IsHostName reports whether d (lower-case, no trailing dot) is a host name:
// labels of 1 to 63 letters, digits and hyphens, not starting or ending with
// a hyphen, at most 253 octets in all, and a last label that is not all
// digits (an IP address is not a domain).
func IsHostName(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// foldLookalikes maps characters that render like the ASCII of an address
// to it: the full-width forms (U+FF01 to U+FF5E: "ｃｅｏ＠ｂａｎｋ．ｃｏｍ"),
// the small commercial at (U+FE6B) and the ideographic and one-dot-leader
// full stops.
