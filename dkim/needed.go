package dkim

import (
	"time"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// A KeyNeed names the key record one signature of a message needs:
// Selector._domainkey.Domain.
type KeyNeed struct {
	// Type is "dkim" for a DKIM-Signature field, "domainkeys" for a
	// DomainKey-Signature field (RFC 4870). Both look their key up under
	// the same name.
	Type string
	// Domain and Selector are d= and s=, internationalized labels in
	// A-label form, as [Signature] reports them.
	Domain, Selector string
	// Timestamp is t=, the signer's own clock (DKIM only); zero when
	// absent or unreadable.
	Timestamp time.Time
}

// KeysNeeded lists the key records the signatures of a message need, top
// to bottom: one KeyNeed per DKIM-Signature and DomainKey-Signature field
// whose d= and s= are valid (a signature without them names no record and
// is left out). It reads the signatures' tags only: nothing is hashed, no
// key is looked up and nothing is verified, so it costs a small fraction
// of [VerifyHeader]. Use it to find which keys an archive needs before
// looking for them. A header past the caps gives the needs of the fields
// read before them.
func KeysNeeded(ph *Header) []KeyNeed {
	var out []KeyNeed
	for i := range ph.raw.Fields {
		f := &ph.raw.Fields[i]
		switch {
		case f.NameEqualFold("DKIM-Signature"):
			p, _ := parseSignature(string(f.Value()))
			if p.domain != "" && p.selector != "" {
				out = append(out, KeyNeed{Type: "dkim", Domain: p.domain, Selector: p.selector, Timestamp: p.timestamp})
			}
		case f.NameEqualFold("DomainKey-Signature"):
			tags, err := dkimcore.ParseTagList(string(f.Value()))
			if err != nil {
				continue
			}
			d, _ := dkimcore.TagValue(tags, "d")
			s, _ := dkimcore.TagValue(tags, "s")
			domain, ok1 := dkimcore.ASCIIDomain(dkimcore.TrimFWS(d))
			selector, ok2 := dkimcore.ASCIIDomain(dkimcore.TrimFWS(s))
			if ok1 && ok2 {
				out = append(out, KeyNeed{Type: "domainkeys", Domain: domain, Selector: selector})
			}
		}
	}
	return out
}
