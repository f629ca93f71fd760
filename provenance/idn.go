package provenance

// Internationalized From domains (RFC 6532, RFC 8616).
//
// mailsyntax.ParseFrom turns a From domain written in Unicode (U-labels) into the
// A-label form DNS and signatures use ("bücher.example" becomes
// "xn--bcher-kva.example"), so that alignment compares like with like. A
// mail client may show either form, and letters from different scripts
// can look alike ("exаmple.com" with a Cyrillic "а" is not example.com), so
// every internationalized From domain gets idnEvidence: a caution that
// gives both forms and names the scripts a label mixes.

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

const codeIDNFromDomain = "identity.idn_from_domain"

// scriptTables are the scripts idnEvidence names when a label mixes them:
// those whose letters imitate Latin ones in common fonts.
var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Cherokee", unicode.Cherokee}, {"Coptic", unicode.Coptic},
}

// idnEvidence returns the caution for an internationalized From domain
// (one with an xn-- label), or nil, and whether a label mixes scripts or
// does not decode at all (either caps an authentic verdict at medium).
func idnEvidence(domain string) (ev []Evidence, mixed bool) {
	idn := false
	for l := range strings.SplitSeq(domain, ".") {
		if strings.HasPrefix(l, "xn--") {
			idn = true
		}
	}
	if !idn {
		return nil, false
	}
	shown, err := idna.Registration.ToUnicode(domain)
	if err != nil || shown == domain {
		return []Evidence{evidence(codeIDNFromDomain,
			"The From domain %s is written in the form DNS uses for internationalized names, but it does not decode to a valid Unicode name; check it letter by letter. An authentic verdict is at most medium confidence.", domain)}, true
	}
	msg := fmt.Sprintf("The From domain is internationalized: it is %s in DNS and in signatures, and a mail client may show it as %q. Check it letter by letter: letters of other scripts can imitate a familiar domain.", domain, shown)
	for l := range strings.SplitSeq(shown, ".") {
		if scripts := labelScripts(l); len(scripts) > 1 {
			msg += fmt.Sprintf(" The label %q mixes %s letters, a common way to imitate another name; an authentic verdict is at most medium confidence.", l, joinAnd(scripts))
			mixed = true
			break
		}
	}
	return []Evidence{evidence(codeIDNFromDomain, "%s", msg)}, mixed
}

// labelScripts lists the scripts of scriptTables whose letters label holds,
// in table order.
func labelScripts(label string) []string {
	var out []string
	for _, st := range scriptTables {
		for _, r := range label {
			if unicode.Is(st.table, r) {
				out = append(out, st.name)
				break
			}
		}
	}
	return out
}
