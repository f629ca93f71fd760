package provenance

// The message's own signatures: rule 2 (authentic when the aligned passing
// signatures with acceptable keys cover From and the whole body), its
// refinement (a wider signature that genuinely fails shows a change), and
// rule 4 (altered when a signature checked with a key fails). The evidence
// that describes every signature's outcome is worded here too.

import (
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
)

// domainKeys reports whether sig is a DomainKey-Signature (RFC 4870): one
// rsa-sha1 signature over the signed header fields and the body together,
// checked in HeaderSignature, with no body hash of its own.
func domainKeys(sig *dkim.Signature) bool { return sig.Type == dkim.SignatureDomainKeys }

// bodyVerified reports whether sig's arithmetic proves the body it signs:
// a matching body hash under a valid header signature (the header
// signature covers bh=), or a valid DomainKeys signature.
func bodyVerified(sig *dkim.Signature) bool {
	return sig.HeaderSignature == dkim.HeaderValid && (sig.BodyHash == dkim.BodyMatch || domainKeys(sig))
}

// hasKey reports whether a signature's outcome was computed with a key.
func hasKey(sig *dkim.Signature) bool {
	switch sig.Result {
	case dkim.ResultPass, dkim.ResultFail, dkim.ResultWeakKey, dkim.ResultTestingKey, dkim.ResultPublishedKey, dkim.ResultRecoveredKey:
		return true
	}
	return false
}

func arithmeticFails(s *dkim.Signature) bool {
	return s.HeaderSignature == dkim.HeaderInvalid || s.BodyHash == dkim.BodyMismatch
}

// provesChange reports whether a signature's failure is evidence that
// signed content changed: its arithmetic fails when checked with a key,
// and not because the key on file cannot have made its b= (a key mismatch
// leaves bh= unauthenticated too, so its body hash proves nothing either).
// Without a key (no_key, revoked, temperror) only the body hash was
// computed, against a bh= nothing authenticates: anyone can write a
// signature whose bh= does not match. A receiver's record that such a
// signature passed on arrival is another matter: see recordedProvesChange.
func provesChange(s *dkim.Signature) bool {
	return hasKey(s) && arithmeticFails(s) && !s.KeyMismatch
}

// tied reports whether the failing signature sig was made for this
// message, so that its failure is evidence about this message and not about
// another one it was copied from (any public signed email will do): its
// header signature is valid (it was made for these headers: the body
// changed), or its body hash matches (it was made for this body: a signed
// header changed), or an aligned passing signature with an accepted
// algorithm, or the latest ARC-Message-Signature of a chain the policy
// trusts, covers its DKIM-Signature field. A signature of any other domain
// does not tie it: whoever pasted a signature on can sign the result with
// a domain of their own. A signature that is not tied is caution evidence,
// never alteration.
func tied(f *facts, p *policy, sig *SignatureResult) bool {
	if sig.HeaderSignature == dkim.HeaderValid || sig.BodyHash == dkim.BodyMatch {
		return true
	}
	if domainKeys(&sig.Signature) {
		// One hash over the header and the body together: a failure cannot
		// say it was made for either, and no DKIM coverage is counted for
		// DomainKey-Signature fields.
		return false
	}
	for pass := range provenPassers(f, p) {
		if domainKeys(&pass.Signature) || pass.Index == sig.Index {
			continue
		}
		// Positions among the DKIM-Signature fields, the passing
		// signature's own field left out (it cannot sign itself).
		pos := sig.Index + 1
		if sig.Index > pass.Index {
			pos--
		}
		for _, fc := range pass.Coverage {
			if fc.Name == "dkim-signature" && slices.Contains(fc.Signed, pos) {
				return true
			}
		}
	}
	if ams := f.latestAMS(); ams != nil && sealerTrusted(f, p) {
		n := 0
		for _, h := range ams.SignedHeaders {
			if h == "dkim-signature" {
				n++
			}
		}
		if sig.Index >= len(f.ver.Signatures)-n {
			return true
		}
	}
	return false
}

// provesChangeHere reports whether sig's failure is evidence that this
// message changed after signing: it proves a change (provesChange) and it
// is tied to this message.
func provesChangeHere(f *facts, p *policy, sig *SignatureResult) bool {
	return provesChange(&sig.Signature) && tied(f, p, sig)
}

// genuineFailure reports whether sig's failure shows that a real key
// signed other content: an invalid header signature that is not a key
// mismatch, or a body hash mismatch under a valid header signature.
func genuineFailure(sig *dkim.Signature) bool {
	return sig.HeaderSignature == dkim.HeaderInvalid && !sig.KeyMismatch ||
		sig.BodyHash == dkim.BodyMismatch && sig.HeaderSignature == dkim.HeaderValid
}

// edKeyAmbiguous reports whether sig is an Ed25519 signature whose header
// signature fails over a matching body: a changed signed field, or a key
// on file that is not the one that signed, which Ed25519 cannot tell apart.
func edKeyAmbiguous(sig *dkim.Signature) bool {
	return strings.HasPrefix(sig.Algorithm, "ed25519") && sig.HeaderSignature == dkim.HeaderInvalid && sig.BodyHash == dkim.BodyMatch
}

// acceptableKey reports whether sig's key, as checked now, is one the
// policy lets vouch for a message: not weak, testing, published, revoked
// or only recovered from the archive's own signatures (which proves one
// key signed them, not whose it is), and its algorithm accepted.
func acceptableKey(p *policy, sig *SignatureResult) bool {
	switch sig.Result {
	case dkim.ResultWeakKey, dkim.ResultTestingKey, dkim.ResultPublishedKey, dkim.ResultRevoked, dkim.ResultRecoveredKey:
		return false
	}
	return !(p.noSHA1 && sig.Algorithm == "rsa-sha1")
}

// signsField reports whether sig lists name in h=.
func signsField(sig *dkim.Signature, name string) bool {
	for _, h := range sig.SignedHeaders {
		if h == name {
			return true
		}
	}
	return false
}

// ownSignature returns the index of the aligned passing signature that
// makes the message authentic by rule 2, with its confidence, or -1.
func ownSignature(f *facts, p *policy, blocked bool) (int, Confidence) {
	if !f.from.ok || blocked {
		return -1, ConfidenceNone
	}
	best, bestConf := -1, ConfidenceNone
	for i := range f.sigs {
		sig := &f.sigs[i]
		if !sig.Aligned || !p.accepted(sig) || !signsField(&sig.Signature, "from") {
			continue
		}
		if sig.UnsignedBodyBytes > 0 && !p.allowPartial {
			continue
		}
		// The most confident; among equals, the one that signs the most
		// displayed fields, so that the coverage reported does not depend
		// on the order of the signatures.
		conf := authenticConfidence(sig)
		if conf > bestConf || conf == bestConf && displayedSigned(sig) > displayedSigned(&f.sigs[best]) {
			best, bestConf = i, conf
		}
	}
	return best, bestConf
}

// displayedSigned counts the displayed fields sig signs.
func displayedSigned(sig *SignatureResult) int {
	n := 0
	for _, f := range DisplayedFields {
		if signsField(&sig.Signature, lowerHeader(f.Header)) {
			n++
		}
	}
	return n
}

// authenticConfidence grades an authentic verdict resting on sig (see
// decide.go).
func authenticConfidence(sig *SignatureResult) Confidence {
	rsa := strings.HasPrefix(sig.Algorithm, "rsa-")
	switch {
	case sig.UnsignedBodyBytes > 0:
		return ConfidenceLow
	case rsa && sig.KeyBits < 1024:
		return ConfidenceLow
	case sig.Algorithm == "rsa-sha1", rsa && sig.KeyBits < 2048, sig.BodyLength >= 0, sig.Draft, domainKeys(&sig.Signature):
		// DomainKeys is rsa-sha1 by definition, and a scheme retired in
		// 2007: medium at most, whatever the key.
		return ConfidenceMedium
	}
	return ConfidenceHigh
}

// failingSignature returns the index of a signature tied to this message
// whose arithmetic fails with a key (a key mismatch is no such failure),
// preferring an aligned one, or -1 (rule 4). An unaligned one decides at
// medium confidence only (alteredConfidence): anyone with a domain of
// their own can sign a message so that the signature fails.
func failingSignature(f *facts, p *policy) int {
	best := -1
	for i := range f.sigs {
		sig := &f.sigs[i]
		if !provesChangeHere(f, p, sig) {
			continue
		}
		if best < 0 || sig.Aligned && !f.sigs[best].Aligned {
			best = i
		}
	}
	return best
}

// alteredConfidence grades an altered verdict resting on the failing
// signature sig: high when it is aligned and was checked with a key the
// policy accepts, medium otherwise.
//
// An Ed25519 header failure over a matching body is medium at most: unlike
// RSA, Ed25519 cannot tell a changed field from a key rotated under the
// same selector (dkim never sets KeyMismatch for it).
func alteredConfidence(sig *SignatureResult) Confidence {
	if edKeyAmbiguous(&sig.Signature) {
		return ConfidenceMedium
	}
	if sig.Result == dkim.ResultFail && sig.Aligned {
		return ConfidenceHigh
	}
	return ConfidenceMedium
}

// widerFailure looks, for the passing signature d that rule 2 chose, for
// another signature of the From domain that genuinely fails and covers
// something d does not (a failing signature of another domain is weighed by
// widerDoubt):
// a displayed or MIME field listed in its h= but not in d's, or body text
// past d's l=. It returns that signature's index and what it covers beyond
// d (header names, or "the body text past l="), or -1.
func widerFailure(f *facts, p *policy, d int) (int, []string) {
	return wider(f, p, d, true)
}

// widerDoubt is widerFailure for the failing signatures of other domains:
// such a signature shows that a field the From domain's signature leaves
// out may have changed, but anyone can make one fail with a domain of their
// own, so it makes the message unverifiable, never altered.
func widerDoubt(f *facts, p *policy, d int) (int, []string) {
	return wider(f, p, d, false)
}

// wider finds, beside the passing signature d, a failing signature whose
// alignment is aligned that covers something d does not.
func wider(f *facts, p *policy, d int, aligned bool) (int, []string) {
	dec := &f.sigs[d]
	// What the passing signatures prove together: the verdict must not
	// depend on which of two passing signatures rule 2 picked, or on their
	// order.
	maxBody, fullBody := dec.BodyLength, dec.UnsignedBodyBytes == 0
	for s := range provenPassers(f, p) {
		fullBody = fullBody || s.UnsignedBodyBytes == 0
		maxBody = max(maxBody, s.BodyLength)
	}
	for j := range f.sigs {
		sig := &f.sigs[j]
		// Only a key the policy accepts (result fail): anyone can make a
		// signature with a published, testing or weak key.
		// Nor a DomainKeys signature: its one hash cannot say whether a
		// field it signs or the body changed, and its simple
		// canonicalization breaks on whitespace a relaxed DKIM signature
		// forgives.
		if j == d || sig.Result != dkim.ResultFail || !genuineFailure(&sig.Signature) || domainKeys(&sig.Signature) || aligned != sig.Aligned || !tied(f, p, sig) {
			continue
		}
		var beyond []string
		if sig.HeaderSignature == dkim.HeaderInvalid {
			for _, name := range sig.SignedHeaders {
				name = strings.ToLower(name)
				h := ""
				if key := displayedKey(name); key != "" {
					h = displayedHeader(key)
				} else if slices.Contains(mimeFields, name) {
					h = mimeHeader(name)
				}
				// Only fields the message has: an absent field a signer
				// listed in h= (oversigning) is nothing a reader sees.
				if h != "" && f.hdr.has(name) && !signsField(&dec.Signature, name) && !provenField(f, p, name) && !slices.Contains(beyond, h) {
					beyond = append(beyond, h)
				}
			}
		}
		if sig.BodyHash == dkim.BodyMismatch && !fullBody && (sig.BodyLength < 0 || sig.BodyLength > maxBody) {
			beyond = append(beyond, "the body text past l=")
		}
		if len(beyond) > 0 {
			return j, beyond
		}
	}
	return -1, nil
}

// signatureEvidence describes every signature's outcome under the
// decision.
func signatureEvidence(f *facts, p *policy, d *decision) []Evidence {
	var out []Evidence
	if len(f.sigs) == 0 && !f.tooLarge {
		out = append(out, evidence("dkim.none", "The message carries no DKIM signature, so nothing in it vouches for it."))
	}
	authentic := d.verdict == VerdictAuthentic
	skipped := 0
	for i := range f.sigs {
		sig := &f.sigs[i]
		who := signatureName(sig)
		switch sig.Result {
		case dkim.ResultPass:
			if domainKeys(&sig.Signature) {
				out = append(out, evidence("domainkeys.pass",
					"The DomainKeys signature by %s (RFC 4870, DKIM's predecessor) verifies with %s: the header fields it signs and the body are as sent.", signatureName(sig), keyPhrase(sig)))
			} else {
				out = append(out, evidence("dkim.pass", "The signature by %s verifies with %s.", who, keyPhrase(sig)))
			}
			if !sig.Aligned && f.from.ok {
				out = append(out, evidence("dkim.unaligned",
					"The signing domain %s is not the From domain %s nor part of its organization, so it does not vouch for the sender shown.",
					sig.Domain, f.from.domain))
			}
		case dkim.ResultNoKey:
			out = append(out, evidence("dkim.no_key",
				"The key for selector %s of %s is not in your key archive; it may be in a public DKIM key archive.", sig.Selector, sig.Domain))
		case dkim.ResultRevoked:
			out = append(out, evidence("dkim.key_revoked",
				"The key record for selector %s of %s is empty (revoked), so the signature cannot be checked.", sig.Selector, sig.Domain))
		case dkim.ResultWeakKey:
			out = append(out, evidence("dkim.key_weak",
				"The signature by %s was checked with a %d-bit RSA key, below the policy minimum: such keys can be broken.", who, sig.KeyBits))
		case dkim.ResultTestingKey:
			out = append(out, evidence("dkim.key_testing",
				"The key for selector %s of %s is marked as a test key (t=y), so its signatures vouch for nothing.", sig.Selector, sig.Domain))
		case dkim.ResultPublishedKey:
			out = append(out, evidence("dkim.key_published",
				"The private half of the key for selector %s of %s was made public, so anyone could have made this signature.", sig.Selector, sig.Domain))
		case dkim.ResultRecoveredKey:
			if bodyVerified(&sig.Signature) {
				out = append(out, evidence("dkim.key_recovered",
					"The signature by %s verifies only with a key recovered from this archive's own signatures: the message was signed with the same key as %d %s of this archive, but no independent record (a key archive, DNS) says whose key that is.",
					who, recoveredOthers(f, sig), plural(recoveredOthers(f, sig), "other message", "other messages")))
			} else {
				out = append(out, evidence("dkim.key_recovered",
					"The signature by %s was checked with a key recovered from this archive's own signatures, which no independent record holds, and does not verify.", who))
			}
		case dkim.ResultPermError:
			out = append(out, evidence("dkim.permerror", "The signature by %s cannot be checked: %s.", who, reason(sig.Err)))
		case dkim.ResultTempError:
			out = append(out, evidence("dkim.temperror",
				"The key lookup for selector %s of %s failed temporarily, so the signature could not be checked.", sig.Selector, sig.Domain))
		case dkim.ResultSkipped:
			skipped++
		}
		switch {
		case sig.KeyMismatch && sig.HeaderSignature == dkim.HeaderInvalid:
			out = append(out, evidence("dkim.key_mismatch",
				"The key on file for selector %s of %s is not the one that made this signature; the selector was probably reused for a newer key: look for the older key in a DKIM key archive.",
				orUnknown(sig.Selector), orUnknown(sig.Domain)))
		case provesChange(&sig.Signature) && !tied(f, p, sig) && domainKeys(&sig.Signature):
			out = append(out, evidence("dkim.untied_signature_fails",
				"The DomainKeys signature by %s does not verify, and nothing ties it to this message: DomainKeys hashes the header and the body together, so a signature copied from another message fails the same way; it proves nothing either way.", who))
		case provesChange(&sig.Signature) && !tied(f, p, sig):
			out = append(out, evidence("dkim.untied_signature_fails",
				"The signature by %s matches neither this message's signed header fields nor its body, and no other signature covers it: it may have been copied from another message, so its failure proves nothing about this one.", who))
		case provesChange(&sig.Signature):
			what := failureWhat(sig)
			switch {
			case authentic && d.rule == ruleSealer:
				out = append(out, evidence("dkim.other_signature_fails",
					"The signature by %s fails now (%s); the verdict rests on the trusted sealer's record that it passed on arrival, so this changed between arrival and sealing (a mailing list's footer or subject tag, say).", who, what))
			case authentic:
				out = append(out, evidence("dkim.other_signature_fails",
					"The signature by %s fails (%s), while another aligned signature verifies the message.", who, what))
			case !sig.Aligned && !(d.rule == ruleFailing && d.decider == i && d.wider == nil):
				out = append(out, evidence("dkim.unaligned_signature_fails",
					"The signature by %s fails (%s), but %s is not the From domain: anyone can sign a message with a domain of their own so that it fails, so this proves no change.", who, what, orUnknown(sig.Domain)))
			case domainKeys(&sig.Signature):
				out = append(out, evidence("domainkeys.signature_invalid",
					"The DomainKeys signature by %s does not verify: a header field it signs or the body was changed after signing (DomainKeys hashes both together, so it cannot say which).", who))
			default:
				if sig.HeaderSignature == dkim.HeaderInvalid {
					out = append(out, evidence("dkim.header_signature_invalid",
						"The signature by %s over the header fields does not verify: a signed header field was changed after signing.", who))
				}
				if sig.BodyHash == dkim.BodyMismatch {
					out = append(out, evidence("dkim.body_hash_mismatch",
						"The body no longer matches the hash in the signature by %s: the body was changed after signing.", who))
				}
			}
		}
		if sig.Draft {
			out = append(out, evidence("dkim.draft_signature",
				"The signature by %s follows a pre-RFC draft of DKIM and was verified the way Mail::DKIM verifies such signatures.", who))
		}
		if sig.Algorithm == "rsa-sha1" {
			if p.noSHA1 {
				out = append(out, evidence("dkim.sha1_rejected", "The signature by %s uses rsa-sha1, which the policy does not accept.", who))
			} else {
				out = append(out, evidence("dkim.sha1", "The signature by %s uses rsa-sha1, which counts at medium confidence at most.", who))
			}
		}
		// Text past an aligned passing signature's l= that decided rule 1
		// is worded as that change (dkim.text_past_body_length).
		if sig.BodyLength >= 0 && !(d.rule == ruleDirectChange && sig.Aligned && sig.UnsignedBodyBytes > 0 && sig.Result == dkim.ResultPass && !bodyProven(f, p)) {
			if sig.UnsignedBodyBytes > 0 {
				out = append(out, evidence("dkim.body_length_limit",
					"The signature by %s covers only the first %d bytes of the body (l=); %d bytes after them are not signed.", who, sig.BodyLength, sig.UnsignedBodyBytes))
			} else {
				out = append(out, evidence("dkim.body_length_limit",
					"The signature by %s limits its body coverage (l=%d); the body has no text beyond that point.", who, sig.BodyLength))
			}
		}
		if !sig.Expires.IsZero() && !sig.Timestamp.IsZero() && sig.Expires.Before(sig.Timestamp) {
			// RFC 6376 §3.5: x= MUST be greater than t=. A signer that
			// writes this is broken, or the tags were edited; it is noted,
			// never a failure, as expiry does not apply to archives.
			out = append(out, evidence("dkim.expired",
				"The signature by %s says it expired (x=, %s) before it was made (t=, %s), which RFC 6376 forbids: a faulty signer, or edited tags. Expiry does not apply to archived mail.", who, sig.Expires.UTC().Format(time.RFC3339), sig.Timestamp.UTC().Format(time.RFC3339)))
		} else if !sig.Expires.IsZero() && sig.Expires.Before(f.now) {
			out = append(out, evidence("dkim.expired",
				"The signature by %s expired on %s (x=); expiry does not apply to archived mail.", who, sig.Expires.UTC().Format(time.DateOnly)))
		}
		if sig.FutureTimestamp {
			out = append(out, evidence("dkim.future_timestamp",
				"The signature by %s is timestamped %s (t=), later than the time of the check.", who, sig.Timestamp.UTC().Format(time.RFC3339)))
		}
	}
	if skipped > 0 {
		out = append(out, evidence("dkim.skipped",
			"%d %s past the cap of %d %s not checked; anyone can add signatures to push a real one past the cap.",
			skipped, plural(skipped, "signature", "signatures"), p.maxSignatures, plural(skipped, "was", "were")))
	}
	if d.wider != nil {
		pass, fail := &f.sigs[d.widerPass], &f.sigs[d.decider]
		out = append(out, evidence("dkim.wider_signature_fails",
			"The signature by %s verifies but does not cover %s; the signature by %s covers %s too and fails with %s, so %s was changed after signing.",
			signatureName(pass), listFields(d.wider), signatureName(fail), itThem(len(d.wider)), keyPhrase(fail), oneOf(d.wider)))
	}
	return out
}

// recoveredOthers counts the messages other than this one whose
// signatures gave sig's recovered key.
func recoveredOthers(f *facts, sig *SignatureResult) int {
	if sig.Key == nil {
		return 0
	}
	n := len(sig.Key.RecoveredFrom)
	for _, id := range sig.Key.RecoveredFrom {
		if f.shown.MessageID != "" && (id == f.shown.MessageID || id == "<"+f.shown.MessageID+">") {
			return n - 1
		}
	}
	return n
}
