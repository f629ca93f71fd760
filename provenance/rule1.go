package provenance

// Rule 1: altered on direct evidence of a change after signing. Each piece
// of evidence is a change; the first one found decides the summary.

import (
	"slices"
	"strings"

	"github.com/leakproof/leakproof/dkim"
)

// A change is one piece of direct evidence that the message was changed
// after it was signed (or sealed, or received).
type change struct {
	code   string // the evidence code
	sig    int    // index into facts.sigs of the signature it rests on, -1 when none
	field  string // the header name of the duplicated field
	count  int    // how many instances the field has
	signed int    // how many of them the signature (or the AMS) covers
	record int    // index into facts.records, for a receiver's record; -1 otherwise
	sealed bool   // the duplicate was added after a trusted sealer's ARC-Message-Signature
}

// rule1 returns the direct evidence of a change after signing, in the
// order the evidence lists it: unsigned duplicates of fields a passing
// signature covers and text past an aligned signature's l=, then duplicates
// added after a trusted seal, then receivers' records of a pass for a
// signature that fails now.
func rule1(f *facts, p *policy) []change {
	var out []change
	seen := map[string]bool{} // one item per field, however many signatures see it
	for i := range f.sigs {
		sig := &f.sigs[i]
		if sig.Result != dkim.ResultPass {
			continue
		}
		for _, fc := range sig.Coverage {
			if slices.Contains(mimeFields, fc.Name) && fc.Count > len(fc.Signed) && !seen[fc.Name] && !provenAll(f, p, fc.Name) {
				seen[fc.Name] = true
				out = append(out, change{code: "header.unsigned_duplicate_mime", sig: i, field: mimeHeader(fc.Name), count: fc.Count, signed: len(fc.Signed), record: -1})
				continue
			}
			key := shownKey(fc.Name)
			if key == "" || fc.Count <= len(fc.Signed) || seen[key] || provenAll(f, p, fc.Name) {
				continue
			}
			seen[key] = true
			out = append(out, change{code: "header.unsigned_duplicate_" + key, sig: i, field: displayedHeader(key), count: fc.Count, signed: len(fc.Signed), record: -1})
		}
		if sig.Aligned && sig.UnsignedBodyBytes > 0 && !p.allowPartial && !bodyProven(f, p) {
			out = append(out, change{code: "dkim.text_past_body_length", sig: i, record: -1})
		}
	}
	out = append(out, sealedDuplicates(f, p, seen)...)
	return append(out, recordedChanges(f, p)...)
}

// sealedDuplicates returns rule 1's evidence for the latest
// ARC-Message-Signature of an intact chain sealed only by trusted sealers
// (the chain rule 3 would rely on): a displayed field with more instances
// than that signature lists in h= has an instance added after sealing (it
// picks instances bottom up, as DKIM does). Fields already in seen are
// skipped.
func sealedDuplicates(f *facts, p *policy, seen map[string]bool) []change {
	ams := f.latestAMS()
	if !sealerTrusted(f, p) || ams == nil {
		return nil
	}
	listed := map[string]int{}
	for _, h := range ams.SignedHeaders {
		listed[strings.ToLower(h)]++
	}
	var out []change
	for _, df := range DisplayedFields {
		name := lowerHeader(df.Header)
		k, n := listed[name], f.hdr.count(name)
		if k == 0 || n <= k || seen[df.Key] {
			continue
		}
		seen[df.Key] = true
		out = append(out, change{code: "header.unsigned_duplicate_" + df.Key, sig: -1, field: df.Header, count: n, signed: k, record: -1, sealed: true})
	}
	return out
}

// firstSignature returns the signature the first change that rests on one
// rests on, or -1.
func firstSignature(changes []change) int {
	for _, c := range changes {
		if c.sig >= 0 {
			return c.sig
		}
	}
	return -1
}
