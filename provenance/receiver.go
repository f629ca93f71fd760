package provenance

// Receivers' records: what mail servers wrote down when the message arrived
// (Authentication-Results, and the ARC-Authentication-Results of each ARC
// set). Anyone can write such a field, so a recorded pass never vouches for
// a message; but a recorded pass for a signature that fails now means
// either a change after receipt or a forged record, and both are tampering
// (rule 1). The records of sealers the policy trusts are weighed by rule 3
// (sealer.go) instead.

import (
	"github.com/leakproof/leakproof/dkim"

	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// A record is one receiver's DKIM result, matched to the message's
// signatures.
type record struct {
	aar      bool                  // an ARC-Authentication-Results record (else Authentication-Results)
	who      string                // the authserv-id, or "A receiver"; for an AAR, its sealer
	instance int                   // the ARC set of an AAR
	result   mailsyntax.AuthResult // the dkim result as written
	sig      int                   // index into facts.sigs of the signature it speaks of, -1 when none
	how      string                // how it was matched (matchAuthResult)
	pos      int                   // the field's position in the header, top to bottom
}

// readRecords lists every dkim result of every Authentication-Results
// field, then every dkim=pass of every ARC-Authentication-Results field,
// top to bottom.
func readRecords(f *facts) []record {
	var out []record
	sigs := f.ver.Signatures
	for pos, fld := range f.hdr.fields {
		if fld.Name != "authentication-results" {
			continue
		}
		ar, _ := mailsyntax.ParseAuthResults(fld.Value) // a malformed field still yields what it could read
		who := ar.AuthServID
		if who == "" {
			who = "A receiver"
		}
		for _, r := range ar.Results {
			if r.Method != "dkim" {
				continue
			}
			i, how := matchAuthResult(r, sigs)
			out = append(out, record{who: who, result: r, sig: i, how: how, pos: pos})
		}
	}
	for _, v := range f.hdr.values("arc-authentication-results") {
		ar, _ := mailsyntax.ParseAuthResults(v)
		for _, r := range ar.Results {
			if r.Method != "dkim" || r.Result != "pass" {
				continue
			}
			i, how := matchAuthResult(r, sigs)
			out = append(out, record{aar: true, who: f.sealerOf(ar.Instance), instance: ar.Instance, result: r, sig: i, how: how})
		}
	}
	return out
}

// recordedChanges returns rule 1's evidence from receivers' records: a
// recorded dkim=pass for a signature that fails now in a way that shows a
// change. ARC-Authentication-Results count only when the chain's sealers
// are not all trusted (rule 3 weighs those).
func recordedChanges(f *facts, p *policy) []change {
	trusted := sealerTrusted(f, p)
	sealedAt := topSeal(f)
	var out []change
	for k, r := range f.records {
		// A record written before a trusted sealer sealed the message (it
		// sits below the latest ARC-Seal) speaks of the message as it
		// arrived at that hop: what the sealer then changed (a list's
		// footer) is what rule 3 weighs, and vouches for.
		if trusted && !r.aar && r.pos > sealedAt {
			continue
		}
		// Only the From domain's own signature: a record of a pass for a
		// signature of another domain, which anyone can make fail, proves
		// nothing, and costs nothing to plant beside it.
		if r.aar && trusted || r.sig < 0 || r.result.Result != "pass" || !f.sigs[r.sig].Aligned || !recordedProvesChange(f, p, &f.sigs[r.sig]) {
			continue
		}
		code := "authres.pass_now_fails"
		if r.aar {
			code = "arc.aar_pass_now_fails"
		}
		out = append(out, change{code: code, sig: r.sig, record: k})
	}
	return out
}

// recordedProvesChange reports whether a receiver's record that sig passed
// on arrival, with sig failing now, shows a change after receipt. With a
// key, as provesChange. Without one, only a body hash mismatch can be
// computed, and it counts (the receiver verified the signature, bh=
// included, with the key it had) unless an aligned signature with a key
// passes over the whole body now: the body is then proven to be as the
// sender's own domain signed it, and the record, which anyone can write,
// is what does not fit (a planted record naming a junk signature would
// otherwise discredit a genuine message). Either way the signature must be
// tied to this message: a signature copied from another message comes with
// that message's record just as easily.
func recordedProvesChange(f *facts, p *policy, s *SignatureResult) bool {
	sig := &s.Signature
	if hasKey(sig) {
		// An Ed25519 header failure over a matching body may be a key
		// rotated under the same selector since the receiver checked it:
		// that is rule 4's medium case, not a proven change after receipt.
		return provesChange(sig) && !edKeyAmbiguous(sig) && tied(f, p, s)
	}
	if sig.BodyHash != dkim.BodyMismatch || sig.KeyMismatch || !tied(f, p, s) {
		return false
	}
	return !bodyProven(f, p)
}

// recordEvidence words the receivers' records that are not evidence of a
// change (those are worded with rule 1's changes): what was recorded for
// which signature, or a recorded pass for a signature the message does not
// carry.
func recordEvidence(f *facts, p *policy, d *decision) []Evidence {
	var out []Evidence
	trusted := sealerTrusted(f, p)
	for k, r := range f.records {
		if isChange(d.changes, k) || r.aar && trusted {
			continue
		}
		if r.aar {
			// An ARC set's record is worded only when it speaks of a
			// signature that fails now and is not tied to this message.
			if r.sig >= 0 && failsNow(&f.sigs[r.sig].Signature) && (!tied(f, p, &f.sigs[r.sig]) || !f.sigs[r.sig].Aligned) {
				out = append(out, evidence("authres.pass_not_tied",
					"The ARC set %d sealed by %s recorded dkim=pass for the signature by %s (matched by %s), which fails now; nothing ties that signature to this message, and a copied signature comes with its record just as easily, so this proves no change.",
					r.instance, r.who, f.sigs[r.sig].Domain, r.how))
			}
			continue
		}
		switch {
		case r.sig >= 0 && r.result.Result == "pass" && failsNow(&f.sigs[r.sig].Signature) && !f.sigs[r.sig].Aligned:
			out = append(out, evidence("authres.pass_not_tied",
				"%s recorded dkim=pass for the signature by %s (matched by %s), which fails now; it is not the From domain's signature, and anyone can make a signature of their own domain fail and plant such a record beside it, so this proves no change.",
				r.who, orUnknown(f.sigs[r.sig].Domain), r.how))
		case r.sig >= 0 && r.result.Result == "pass" && failsNow(&f.sigs[r.sig].Signature) && !tied(f, p, &f.sigs[r.sig]):
			out = append(out, evidence("authres.pass_not_tied",
				"%s recorded dkim=pass for the signature by %s (matched by %s), which fails now; nothing ties that signature to this message, and a copied signature comes with its record just as easily, so this proves no change.",
				r.who, f.sigs[r.sig].Domain, r.how))
		case r.sig >= 0:
			out = append(out, evidence("authres.recorded", "%s recorded dkim=%s for the signature by %s (matched by %s).", r.who, r.result.Result, f.sigs[r.sig].Domain, r.how))
		case r.result.Result == "pass" && r.how != matchAmbiguous:
			d := r.result.Prop("header.d")
			if d == "" {
				d = mailsyntax.Domain(r.result.Prop("header.i"))
			}
			out = append(out, evidence("authres.unmatched_pass",
				"%s recorded dkim=pass for a signature by %s that this message does not carry.", r.who, orUnknown(d)))
		default:
			out = append(out, evidence("authres.recorded", "%s recorded dkim=%s, which matches no single signature here.", r.who, r.result.Result))
		}
	}
	return out
}

// topSeal returns the position of the topmost ARC-Seal field (the latest
// set's, as sealers prepend their fields), or -1.
func topSeal(f *facts) int {
	for i, fld := range f.hdr.fields {
		if fld.Name == "arc-seal" {
			return i
		}
	}
	return -1
}

// failsNow reports whether sig fails in a way a receiver's record of a pass
// would contradict: its arithmetic fails with a key (not a key mismatch),
// or, without a key, its body hash does not match.
func failsNow(sig *dkim.Signature) bool {
	if hasKey(sig) {
		return provesChange(sig)
	}
	return sig.BodyHash == dkim.BodyMismatch && !sig.KeyMismatch
}

// isChange reports whether record k is the ground of one of changes.
func isChange(changes []change, k int) bool {
	for _, c := range changes {
		if c.record == k {
			return true
		}
	}
	return false
}
