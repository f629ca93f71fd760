package provenance

// Internationalized From domains (RFC 6532, RFC 8616).
//
// mailsyntax.ParseFrom turns a From domain written in Unicode (U-labels) into the
// A-label form DNS and signatures use ("bücher.example" becomes
// "xn--bcher-kva.example"), so that alignment compares like with like. A
// mail client may show either form, and letters from different scripts
// can look alike ("exаmple.com" with a Cyrillic "а" is not example.com), so
// every internationalized From domain gets idnEvidence: a caution that
// gives both forms and names the scripts a label mixes, or says that a
// label reads as an ASCII one (all-Cyrillic "аррӏе", whose every letter
// has a Latin look-alike: a whole-script confusable). Either caps an
// authentic verdict at medium.

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/leakproof/leakproof/internal/uts39"
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

// An idnName is how an internationalized From domain reads: its Unicode
// form and the first label that mixes scripts. ace is "" for a domain with
// no xn-- label.
type idnName struct {
	ace        string   // the A-label form, as in DNS
	shown      string   // the Unicode form a mail client may show
	decodes    bool     // ace decodes to a valid Unicode name other than itself
	mixedLabel string   // the first Unicode label that mixes scripts, "" when none
	scripts    []string // the scripts mixedLabel mixes
	asciiLabel string   // when no label mixes scripts, the first that reads as an ASCII label
}

// readIDN reads domain (an A-label domain) as an internationalized name.
func readIDN(domain string) idnName {
	for l := range strings.SplitSeq(domain, ".") {
		if strings.HasPrefix(l, "xn--") {
			n := idnName{ace: domain}
			shown, err := idna.Registration.ToUnicode(domain)
			if err != nil || shown == domain {
				return n
			}
			n.shown, n.decodes = shown, true
			for l := range strings.SplitSeq(shown, ".") {
				if scripts := labelScripts(l); len(scripts) > 1 {
					n.mixedLabel, n.scripts = l, scripts
					return n
				}
			}
			for l := range strings.SplitSeq(shown, ".") {
				if _, ok := uts39.ASCIILookalike(l); ok {
					n.asciiLabel, n.scripts = l, labelScripts(l)
					break
				}
			}
			return n
		}
	}
	return idnName{}
}

// capsConfidence reports whether the name caps an authentic verdict at
// medium: a label mixes scripts or reads as an ASCII label, or the name
// does not decode at all.
func (n idnName) capsConfidence() bool {
	return n.ace != "" && (!n.decodes || n.mixedLabel != "" || n.asciiLabel != "")
}

// idnEvidence returns the caution for an internationalized From domain,
// or nil for a domain with no xn-- label.
func idnEvidence(n idnName) []Evidence {
	if n.ace == "" {
		return nil
	}
	if !n.decodes {
		return []Evidence{evidence(codeIDNFromDomain,
			"The From domain %s is written in the form DNS uses for internationalized names, but it does not decode to a valid Unicode name; check it letter by letter. An authentic verdict is at most medium confidence.", n.ace)}
	}
	msg := fmt.Sprintf("The From domain is internationalized: it is %s in DNS and in signatures, and a mail client may show it as %q. Check it letter by letter: letters of other scripts can imitate a familiar domain.", n.ace, n.shown)
	if n.mixedLabel != "" {
		msg += fmt.Sprintf(" The label %q mixes %s letters, a common way to imitate another name; an authentic verdict is at most medium confidence.", n.mixedLabel, joinAnd(n.scripts))
	}
	if n.asciiLabel != "" {
		letters := "letters"
		if len(n.scripts) == 1 {
			letters = n.scripts[0] + " letters"
		}
		msg += fmt.Sprintf(" The label %q is written in %s that each look like a Latin letter or digit, so it can pass for a plain ASCII name; an authentic verdict is at most medium confidence.", n.asciiLabel, letters)
	}
	return []Evidence{evidence(codeIDNFromDomain, "%s", msg)}
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
