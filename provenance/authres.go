package provenance

import (
	"strings"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// minHeaderB is the shortest header.b prefix matchAuthResult accepts
// (RFC 6008 §4: at least 8 characters).
const minHeaderB = 8

// How matchAuthResult matched.
const (
	matchByHeaderB = "header.b"
	matchByDomainS = "d= and s="
	matchByDomain  = "d="
	matchAmbiguous = "ambiguous"
	matchNoneFound = ""
)

// matchAuthResult finds the signature a recorded dkim result speaks of and
// returns its index in sigs and how it matched ("header.b", "d= and s=",
// "d="), or -1 and "" when none does, or -1 and "ambiguous" when several do.
//
// A header.b of at least 8 characters (RFC 6008) decides alone: the
// signature whose b= (whitespace removed) starts with it; when no signature
// does, the result speaks of a signature the message no longer carries and
// nothing matches. Otherwise the signing domain must match d=
// (case-insensitive, trailing dot ignored): header.d equal to it, else the
// domain of header.i equal to it or a subdomain of it; and header.s, when
// present, must equal s=. Only dkim results match.
func matchAuthResult(r mailsyntax.AuthResult, sigs []dkim.Signature) (int, string) {
	if r.Method != "dkim" {
		return -1, matchNoneFound
	}
	if b := strings.Join(strings.Fields(r.Prop("header.b")), ""); len(b) >= minHeaderB {
		found := -1
		for i, s := range sigs {
			if s.B != "" && strings.HasPrefix(s.B, b) {
				if found >= 0 {
					return -1, matchAmbiguous
				}
				found = i
			}
		}
		if found < 0 {
			return -1, matchNoneFound
		}
		return found, matchByHeaderB
	}
	d, fromI := r.Prop("header.d"), false
	if d == "" {
		d, fromI = mailsyntax.Domain(r.Prop("header.i")), true
	}
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if d == "" {
		return -1, matchNoneFound
	}
	sel := r.Prop("header.s")
	found := -1
	for i, s := range sigs {
		sd := strings.ToLower(strings.TrimSuffix(s.Domain, "."))
		// i= is d= or a subdomain of it (RFC 6376 §3.5), so header.i
		// "@mail.example.com" may speak of d=example.com.
		if sd == "" || (sd != d && !(fromI && strings.HasSuffix(d, "."+sd))) {
			continue
		}
		if sel != "" && !strings.EqualFold(s.Selector, sel) {
			continue
		}
		if found >= 0 {
			return -1, matchAmbiguous
		}
		found = i
	}
	if found < 0 {
		return -1, matchNoneFound
	}
	if sel != "" {
		return found, matchByDomainS
	}
	return found, matchByDomain
}
