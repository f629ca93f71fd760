package provenance

// Rule 3: authentic on a trusted sealer's word. When the policy lists ARC
// sealers it trusts (Options.TrustedSealers), an intact chain sealed only
// by them can vouch for a message whose own signature no longer verifies
// (a mailing list's footer broke it). The sealer vouches for what arrived;
// only the latest ARC-Message-Signature (AMS) protects what came after, so
// the rule also demands that:
//
//   - From is exactly one mailbox and the latest AMS signs it;
//   - the latest AMS covers the whole body (no l= with text past it);
//   - every signature checked with a key that fails now (aligned or not:
//     an ESP's signature shows a change as well) failed on what the AMS
//     protects: a field it signed that the AMS leaves out, present or
//     deleted since, may have been changed after sealing;
//   - the record names an aligned dkim=pass, is not contradicted in the
//     same set (dkim=none/fail for the From domain, or dmarc=fail, beside
//     the pass: a record a sealer's parser was tricked into writing), and
//     the message still carries that DKIM-Signature, which the latest AMS
//     signs (a junk signature added after sealing must not stand in for
//     it).

import (
	"slices"
	"strings"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// A sealedRecord is the trusted sealer's record rule 3 rests on.
type sealedRecord struct {
	instance int    // the ARC set
	sealer   string // its sealer
	signer   string // the aligned d= it records a pass for, normalized
}

// sealerTrusted reports whether the ARC chain is intact and every seal is
// by a sealer the policy trusts: rule 3 then weighs its records.
func sealerTrusted(f *facts, p *policy) bool {
	if len(p.trusted) == 0 || f.arcResult.Chain != arc.ChainPass || len(f.arcResult.Instances) == 0 {
		return false
	}
	for _, in := range f.arcResult.Instances {
		if !p.trusted[normalizeDomain(in.Sealer)] {
			return false
		}
	}
	return true
}

// sealerRecord returns the trusted sealer's record that makes the message
// authentic by rule 3, or nil. The latest set is read first: it is the
// last receiver's record.
func sealerRecord(f *facts, p *policy) *sealedRecord {
	ams := f.latestAMS()
	if !f.from.ok || !sealerTrusted(f, p) || ams == nil || !slices.Contains(ams.SignedHeaders, "from") {
		return nil
	}
	if ams.UnsignedBodyBytes > 0 {
		return nil
	}
	for i := range f.sigs {
		if sig := &f.sigs[i]; provesChange(&sig.Signature) && !amsProtects(ams, sig.SignedHeaders) {
			return nil
		}
	}
	ins := f.arcResult.Instances
	for k := len(ins) - 1; k >= 0; k-- {
		ar, _ := mailsyntax.ParseAuthResults(ins[k].AuthenticationResults)
		for _, r := range ar.Results {
			if r.Method != "dkim" || r.Result != "pass" {
				continue
			}
			d := r.Prop("header.d")
			if d == "" {
				d = mailsyntax.Domain(r.Prop("header.i"))
			}
			if !aligned(d, f.from.domain) {
				continue
			}
			if contradicted(ar.Results, f.from.domain) || !sealedSignature(f, r, ams) {
				continue
			}
			// The recorded signature's key, as checked now, must be one the
			// policy accepts: a weak, testing, published or revoked key
			// proves nothing, whoever recorded the pass.
			if i, _ := matchAuthResult(r, f.ver.Signatures); !acceptableKey(p, &f.sigs[i]) {
				continue
			}
			return &sealedRecord{instance: ins[k].Instance, sealer: ins[k].Sealer, signer: normalizeDomain(d)}
		}
	}
	return nil
}

// contradicted reports whether a set of results also records a DKIM
// result other than pass for a domain aligned with from, or a DMARC failure
// for it: a record that says both cannot be taken at its word.
func contradicted(results []mailsyntax.AuthResult, from string) bool {
	for _, r := range results {
		switch r.Method {
		case "dkim":
			d := r.Prop("header.d")
			if d == "" {
				d = mailsyntax.Domain(r.Prop("header.i"))
			}
			if r.Result != "pass" && (d == "" || aligned(d, from)) {
				return true
			}
		case "dmarc":
			if r.Result == "fail" {
				return true
			}
		}
	}
	return false
}

// sealedSignature reports whether the message still carries the signature
// a sealer's record r speaks of (matched by header.b, else by d= and s=,
// without ambiguity), and the latest ARC-Message-Signature covers that
// DKIM-Signature field. The AMS picks DKIM-Signature fields bottom up, one
// per "dkim-signature" in its h=.
func sealedSignature(f *facts, r mailsyntax.AuthResult, ams *arc.Check) bool {
	i, _ := matchAuthResult(r, f.ver.Signatures)
	if i < 0 {
		return false
	}
	n := 0
	for _, h := range ams.SignedHeaders {
		if h == "dkim-signature" {
			n++
		}
	}
	return f.ver.Signatures[i].Index >= len(f.ver.Signatures)-n
}

// amsProtects reports whether an ARC-Message-Signature covers every field
// of a signature's h=: any of them (Sender, In-Reply-To, MIME-Version as
// much as From) may be what changed after sealing.
func amsProtects(ams *arc.Check, signed []string) bool {
	for _, name := range signed {
		if !slices.Contains(ams.SignedHeaders, strings.ToLower(name)) {
			return false
		}
	}
	return true
}

// sealerEvidence names the record a rule-3 verdict rests on.
func sealerEvidence(d *decision) []Evidence {
	if d.sealed == nil {
		return nil
	}
	return []Evidence{evidence("arc.trusted_sealer",
		"The verdict rests on %s's ARC record (set %d) that the signature by %s passed on arrival, not on the signature as it stands now.",
		d.sealed.sealer, d.sealed.instance, d.sealed.signer)}
}
