package provenance

// The explanation that `leakproof explain` prints, and the summaries of
// the verdicts that need more than one rule's words (see words.go).

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
)

// whatChanged says, for the deciding signature, which part changed:
// " (the headers are as sent; the body was changed)", or "".
func whatChanged(f *facts, d *decision) string {
	if d.decider < 0 {
		return ""
	}
	sig := &f.sigs[d.decider]
	switch {
	case domainKeys(&sig.Signature) && sig.HeaderSignature == dkim.HeaderInvalid:
		return " (a header field its DomainKeys signature covers, or the body, was changed)"
	case sig.HeaderSignature == dkim.HeaderValid && sig.BodyHash == dkim.BodyMismatch:
		return " (the headers are as sent; the body was changed)"
	case sig.HeaderSignature == dkim.HeaderInvalid:
		return " (a signed header field was changed)"
	}
	return ""
}

// sealedSummary summarizes a rule-2 verdict: it rests on the sealer's
// word, and says what differs now.
func sealedSummary(f *facts, d *decision) string {
	sealer := f.latestSealer()
	now := "that signature is gone or cannot be checked now"
	for i := range f.sigs {
		sig := &f.sigs[i]
		if !aligned(sig.Domain, d.signer) {
			continue
		}
		switch {
		case sig.HeaderSignature == dkim.HeaderValid && sig.BodyHash == dkim.BodyMismatch:
			now = "it fails now because the body was changed after it arrived"
		case sig.KeyMismatch && sig.HeaderSignature == dkim.HeaderInvalid:
			now = "the key on file for it now is not the one that made it"
		case arithmeticFails(&sig.Signature):
			now = "it fails now because the message was changed after it arrived"
		case sig.Result == dkim.ResultPass:
			now = "it still verifies now"
		default:
			now = fmt.Sprintf("it cannot be checked now (%s)", sig.Result)
		}
		break
	}
	return fmt.Sprintf("Authentic on the word of %s: its intact ARC seal records that %s's signature passed on arrival, though %s; this shows who sent it, not that the content is true.", sealer, d.signer, now)
}

// unverifiableSummary says why nothing vouches for the message.
func unverifiableSummary(f *facts, p *policy, d *decision) string {
	if f.tooLarge {
		return "Unverifiable: the header is larger than the reader's cap, so its signatures and fields were not checked."
	}
	if !f.from.ok {
		return fmt.Sprintf("Unverifiable: the From field is not exactly one mailbox (%s), so no signature can vouch for a sender.", f.from.reason)
	}
	if d.blocker != nil {
		return d.blocker.summary()
	}
	if d.skipped {
		return "Unverifiable: the message carries more DKIM signatures than the cap, and one of those not checked could show a change; raise the cap to check them all."
	}
	if d.viewStopped {
		return unfitSummary(f, d)
	}
	if f.headerOnly {
		return "Unverifiable: the file holds a header alone, with no body, as a header export does; the body its signatures cover is missing, so nothing here vouches for the message."
	}
	if len(f.sigs) == 0 {
		return "Unverifiable: the message has no DKIM signature, so nothing in it vouches for it either way."
	}
	// The most telling signature: aligned ones first, in header order.
	order := make([]*SignatureResult, 0, len(f.sigs))
	for i := range f.sigs {
		if f.sigs[i].Aligned {
			order = append(order, &f.sigs[i])
		}
	}
	for i := range f.sigs {
		if !f.sigs[i].Aligned {
			order = append(order, &f.sigs[i])
		}
	}
	sig := order[0]
	switch sig.Result {
	case dkim.ResultPass:
		switch {
		case !sig.Aligned:
			return fmt.Sprintf("Unverifiable: only %s, which is not the From domain %s, vouches for these bytes.", sig.Domain, f.from.domain)
		case p.noSHA1 && sig.Algorithm == "rsa-sha1":
			return fmt.Sprintf("Unverifiable: %s's signature uses rsa-sha1, which the policy does not accept.", sig.Domain)
		case sig.UnsignedBodyBytes > 0:
			return fmt.Sprintf("Unverifiable: %s's signature covers only part of the body.", sig.Domain)
		}
		return fmt.Sprintf("Unverifiable: %s's signature does not cover the From field.", sig.Domain)
	case dkim.ResultWeakKey:
		return fmt.Sprintf("Unverifiable: %s's signature verifies only with a %d-bit RSA key, too short to vouch for anything.", sig.Domain, sig.KeyBits)
	case dkim.ResultTestingKey:
		return fmt.Sprintf("Unverifiable: %s's signature uses a key marked for testing (t=y), which vouches for nothing.", sig.Domain)
	case dkim.ResultPublishedKey:
		return fmt.Sprintf("Unverifiable: the private half of %s's key was made public, so anyone could have made this signature.", sig.Domain)
	case dkim.ResultRecoveredKey:
		return fmt.Sprintf("Unverifiable: %s's signature verifies only with a key recovered from this archive's own signatures; that shows one key signed them, not whose it is. Find the key in a key archive or DNS to decide.", sig.Domain)
	case dkim.ResultNoKey:
		return fmt.Sprintf("Unverifiable: the key for selector %s of %s is not in your key archive; it may be in a public DKIM key archive.", sig.Selector, sig.Domain)
	case dkim.ResultRevoked:
		return fmt.Sprintf("Unverifiable: the key for selector %s of %s was revoked (empty record), and the key archive holds no earlier copy.", sig.Selector, sig.Domain)
	case dkim.ResultTempError:
		return fmt.Sprintf("Unverifiable: the key lookup for selector %s of %s failed temporarily.", sig.Selector, sig.Domain)
	case dkim.ResultSkipped:
		return "Unverifiable: the message has more signatures than the cap, and none of those checked vouches for it."
	case dkim.ResultFail:
		if !sig.KeyMismatch && arithmeticFails(&sig.Signature) && !tied(f, p, sig) {
			return fmt.Sprintf("Unverifiable: the signature by %s matches neither this message's signed header fields nor its body, so it may have been copied from another message; it proves nothing either way.", signatureName(sig))
		}
		if sig.KeyMismatch && sig.HeaderSignature == dkim.HeaderInvalid {
			return fmt.Sprintf("Unverifiable: the key on file for selector %s of %s is not the one that made its signature (the selector was probably reused for a newer key), so nothing was proven either way; look for the older key in a DKIM key archive.", orUnknown(sig.Selector), orUnknown(sig.Domain))
		}
	}
	return fmt.Sprintf("Unverifiable: the signature by %s cannot be checked (%s).", signatureName(sig), reason(sig.Err))
}

// signedDisplayed returns the displayed fields sig covers in this message,
// as header names.
func signedDisplayed(f *facts, sig *SignatureResult) []string {
	var out []string
	for _, df := range DisplayedFields {
		if fieldStatus(&sig.Signature, f.hdr, lowerHeader(df.Header)) == FieldSigned {
			out = append(out, df.Header)
		}
	}
	return out
}

// signedDisplayedNames returns the displayed fields sig lists in h= that
// the message has: a field a signer listed without it being there
// (oversigning, against its later addition) is nothing a reader sees.
func signedDisplayedNames(f *facts, sig *SignatureResult) []string {
	var out []string
	for _, df := range DisplayedFields {
		if name := lowerHeader(df.Header); signsField(&sig.Signature, name) && f.hdr.has(name) {
			out = append(out, df.Header)
		}
	}
	return out
}

// listFields joins names as "From, Subject and Date".
func listFields(names []string) string {
	switch len(names) {
	case 0:
		return "no displayed field"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// explain returns the Explanation of the assessment a, whose verdict,
// summary, coverage, ARC chain and evidence are already written.
func explain(f *facts, d *decision, a *Assessment) Explanation {
	var e Explanation
	if a.Verdict == VerdictAuthentic {
		e.Meaning = "\"Authentic\" means the message was sent as shown by the signing domain's mail system; it does not mean that what the message says is true."
	}
	for i := range f.sigs {
		e.Signatures = append(e.Signatures, SignatureAccount{Summary: explainSignature(f, i), Details: signatureDetails(&f.sigs[i])})
	}
	e.Proven = explainCoverage(f, d, a)
	if ch := a.ARC; ch.Chain != arc.ChainNone {
		state := "intact"
		if ch.Chain != arc.ChainPass {
			state = "broken"
			if ch.FailedInstance > 0 {
				state = fmt.Sprintf("broken at set %d", ch.FailedInstance)
			}
			if ch.Reason != "" {
				state += " (" + strings.TrimSuffix(ch.Reason, ".") + ")"
			}
		}
		e.ARC = append(e.ARC, fmt.Sprintf("The message carries an ARC chain of %d %s, which is %s.", len(ch.Instances), plural(len(ch.Instances), "set", "sets"), state))
		for _, in := range ch.Instances {
			e.ARC = append(e.ARC, fmt.Sprintf("ARC set %d was sealed by %s (selector %s, cv=%s); its seal is %s and its message signature %s; it recorded: %s.",
				in.Instance, in.Sealer, in.Selector, in.CV, resultWord(in.Seal), resultWord(in.MessageSignature), in.AuthenticationResults))
		}
	}
	// What to do next: one step per distinct code that is not mere
	// context, most serious first.
	seen := map[string]bool{}
	for _, sev := range []Severity{SeverityAlteration, SeverityCaution} {
		for _, ev := range a.Evidence {
			if ev.Severity != sev || seen[ev.Code] {
				continue
			}
			seen[ev.Code] = true
			if c, ok := LookupCode(ev.Code); ok {
				e.Next = append(e.Next, NextStep{Code: ev.Code, Text: c.Next})
			}
		}
	}
	return e
}

// signatureDetails lists the facts behind one signature's account: the
// algorithm and key, what the header signature and the body hash show,
// alignment, the signed fields, the signer's timestamps and, for a
// signature that does not pass, why.
func signatureDetails(sig *SignatureResult) []string {
	key := "no key was used"
	if sig.KeyBits > 0 {
		key = fmt.Sprintf("%d-bit key", sig.KeyBits)
		if sig.KeySource != "" {
			key += " from " + sig.KeySource
		}
	}
	out := []string{
		fmt.Sprintf("Algorithm %s, canonicalization %s, %s.", orUnknown(sig.Algorithm), orUnknown(sig.Canonicalization), key),
		"Header signature " + sig.HeaderSignature.String() + ": " + headerWords(&sig.Signature),
		"Body hash " + sig.BodyHash.String() + ": " + bodyWords(&sig.Signature),
	}
	if sig.Aligned {
		out = append(out, "The signing domain matches the From domain.")
	} else {
		out = append(out, "The signing domain does not match the From domain: it vouches for its own mail system, not for the sender shown.")
	}
	if len(sig.SignedHeaders) > 0 {
		out = append(out, "Signed fields: "+strings.Join(sig.SignedHeaders, ", ")+".")
	}
	if !sig.Timestamp.IsZero() {
		out = append(out, "Signed at "+sig.Timestamp.UTC().Format(time.RFC3339)+" (the signer's own clock).")
	}
	if !sig.Expires.IsZero() {
		out = append(out, "Marked to expire at "+sig.Expires.UTC().Format(time.RFC3339)+"; expiry does not apply to archived mail.")
	}
	if sig.Result != dkim.ResultPass && sig.Err != nil {
		out = append(out, "Reason: "+reason(sig.Err)+".")
	}
	return out
}

// headerWords says what a signature's header signature shows.
func headerWords(s *dkim.Signature) string {
	switch {
	case domainKeys(s) && s.HeaderSignature == dkim.HeaderValid:
		return "the signed header fields and the body, hashed together by DomainKeys, are as they were sent."
	case domainKeys(s) && s.HeaderSignature == dkim.HeaderInvalid && !s.KeyMismatch:
		return "a signed header field or the body was changed after signing (DomainKeys hashes both together, so it cannot say which)."
	case domainKeys(s) && s.HeaderSignature == dkim.HeaderUnchecked:
		return "not checked (no usable key, the signature could not be read, or it breaks the DomainKeys sending-domain rule)."
	case s.HeaderSignature == dkim.HeaderValid:
		return "the signed header fields are as they were sent."
	case s.HeaderSignature == dkim.HeaderInvalid && s.KeyMismatch:
		return "the key on file cannot have made this signature (a newer key under the same selector, or a damaged signature), so it says nothing about the header."
	case s.HeaderSignature == dkim.HeaderInvalid:
		return "a signed header field was changed after signing."
	}
	return "not checked (no usable key, or the signature could not be read)."
}

// bodyWords says what a signature's body hash shows. The bh= value is
// itself covered by the header signature, so it is proven only when that
// verifies; without a key nothing authenticates it, so a mismatch proves
// no change either (anyone can write a signature whose bh= does not match).
func bodyWords(s *dkim.Signature) string {
	proven := s.HeaderSignature == dkim.HeaderValid
	switch {
	case domainKeys(s):
		return "DomainKeys has no body hash of its own: the body is covered by the one signature above."
	case s.BodyHash == dkim.BodyMatch && proven:
		return "the signed body is as it was sent."
	case s.BodyHash == dkim.BodyMatch:
		return "the body matches the hash the signature states, but that hash is proven only when the header signature verifies."
	case s.BodyHash == dkim.BodyMismatch && proven:
		return "the body was changed after signing."
	case s.BodyHash == dkim.BodyMismatch && s.KeyMismatch:
		return "the body does not match the hash the signature states, and with no matching key that hash proves nothing."
	case s.BodyHash == dkim.BodyMismatch && !hasKey(s):
		return "the body does not match the hash the signature states, but with no key to check the signature that hash proves nothing."
	case s.BodyHash == dkim.BodyMismatch:
		return "the body does not match the hash the signature states: the body, or the signature's own hash, was changed after signing."
	}
	return "not checked."
}

// explainSignature describes one signature: outcome, what it covers.
func explainSignature(f *facts, i int) string {
	sig := &f.sigs[i]
	var b strings.Builder
	kind := ""
	if domainKeys(&sig.Signature) {
		kind = " (DomainKeys, DKIM's predecessor)"
	}
	fmt.Fprintf(&b, "Signature %d%s, by %s", i+1, kind, orUnknown(sig.Domain))
	if sig.Selector != "" {
		fmt.Fprintf(&b, " (selector %s, %s, %s)", sig.Selector, orUnknown(sig.Algorithm), orUnknown(sig.Canonicalization))
	} else {
		fmt.Fprintf(&b, " (%s, %s)", orUnknown(sig.Algorithm), orUnknown(sig.Canonicalization))
	}
	if sig.Aligned {
		b.WriteString(", speaks for the From domain")
	} else if sig.Domain != "" {
		b.WriteString(", does not speak for the From domain")
	}
	b.WriteString(": ")
	switch sig.Result {
	case dkim.ResultPass:
		fmt.Fprintf(&b, "verifies with %s", keyPhrase(sig))
	case dkim.ResultFail, dkim.ResultWeakKey, dkim.ResultTestingKey, dkim.ResultPublishedKey, dkim.ResultRecoveredKey:
		if domainKeys(&sig.Signature) {
			fmt.Fprintf(&b, "checked with %s, the signature over the signed header fields and the body is %s", keyPhrase(sig), sig.HeaderSignature)
		} else {
			fmt.Fprintf(&b, "checked with %s, the header signature is %s and the body hash %s", keyPhrase(sig), sig.HeaderSignature, bodyWord(sig.BodyHash))
		}
		switch sig.Result {
		case dkim.ResultWeakKey:
			b.WriteString(", but the key is too short to vouch for anything")
		case dkim.ResultTestingKey:
			b.WriteString(", but the key is marked for testing")
		case dkim.ResultPublishedKey:
			b.WriteString(", but the key's private half was made public")
		case dkim.ResultRecoveredKey:
			b.WriteString(", but the key was recovered from the archive's own signatures and no independent record holds it")
		}
		if sig.KeyMismatch && sig.HeaderSignature == dkim.HeaderInvalid {
			b.WriteString(", and that key cannot have made it (probably a newer key under the same selector), so neither failure proves a change")
		}
	case dkim.ResultNoKey:
		fmt.Fprintf(&b, "the key for selector %s is not in your key archive; it may be in a public DKIM key archive", sig.Selector)
	case dkim.ResultRevoked:
		b.WriteString("the key was revoked, so it cannot be checked")
	case dkim.ResultTempError:
		b.WriteString("the key lookup failed temporarily")
	case dkim.ResultSkipped:
		b.WriteString("not checked (over the per-message cap)")
	default:
		fmt.Fprintf(&b, "cannot be checked (%s)", reason(sig.Err))
	}
	if sig.BodyHash == dkim.BodyMismatch && sig.HeaderSignature == dkim.HeaderValid {
		b.WriteString("; the headers are as sent; the body was changed")
	}
	fields := signedDisplayedNames(f, sig)
	fmt.Fprintf(&b, ". It covers %s", listFields(fields))
	switch {
	case sig.BodyLength < 0:
		b.WriteString(" and the whole body")
	case sig.UnsignedBodyBytes > 0:
		fmt.Fprintf(&b, " and only the first %d bytes of the body (%d bytes after them are not signed)", sig.BodyLength, sig.UnsignedBodyBytes)
	default:
		fmt.Fprintf(&b, " and the body up to l=%d, which is all of it", sig.BodyLength)
	}
	var missing []string
	for _, df := range DisplayedFields {
		if f.hdr.has(lowerHeader(df.Header)) && !signsField(&sig.Signature, lowerHeader(df.Header)) {
			missing = append(missing, df.Header)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "; %s %s not covered", listFields(missing), isAre(len(missing)))
	}
	b.WriteString(".")
	return b.String()
}

// explainCoverage says what the deciding signature proves and what not.
func explainCoverage(f *facts, d *decision, a *Assessment) []string {
	c := a.Coverage
	if d.sealed != nil {
		return []string{"The verdict rests on the trusted ARC sealer's record of the message as it arrived; no signature proves the message as it stands now, so quote only what the sealer's record supports."}
	}
	if d.decider < 0 {
		return []string{"No signature proves any part of this message; quote it only with other corroboration."}
	}
	var signed, unsigned []string
	for _, f := range DisplayedFields {
		switch c.Fields[f.Key] {
		case FieldSigned:
			signed = append(signed, f.Header)
		case FieldUnsigned:
			unsigned = append(unsigned, f.Header)
		}
	}
	var out []string
	proven := signed
	switch c.Body {
	case BodyFull:
		if len(d.unfit) > 0 {
			proven = append(proven, "the whole body's bytes")
		} else {
			proven = append(proven, "the whole body")
		}
	case BodyPartial:
		proven = append(proven, "the signed part of the body")
	}
	lead := "What still holds"
	if a.Verdict == VerdictAuthentic {
		lead = "Proven as sent"
	}
	if len(proven) == 0 {
		out = append(out, lead+": nothing; the signature no longer holds for any part of the message.")
	} else {
		out = append(out, fmt.Sprintf("%s: %s.", lead, listFields(proven)))
	}
	if c.Body == BodyNone {
		out = append(out, "Not proven: the body; do not quote it as sent.")
	}
	if len(d.unfit) > 0 && c.Body != BodyNone {
		if slices.ContainsFunc(d.unfit, func(m mimeMisfit) bool { return m.field == flowedJoins }) {
			out = append(out, "Not proven: the body as a mail client shows it, because no signature fixes which of its flowed lines a mail client joins into one word; quote only the lines as the raw bytes break them, and check any number or word that a line break splits.")
		} else {
			out = append(out, "Not proven: the body as a mail client shows it, because an unsigned MIME field does not fit the signed bytes; quote only what the raw bytes say, read as their own structure shows.")
		}
	}
	if d.wider != nil {
		pass := &f.sigs[d.widerPass]
		proved := signedDisplayed(f, pass)
		if b := bodyCoverage(&pass.Signature); b == BodyFull {
			proved = append(proved, "the whole body")
		} else if b == BodyPartial {
			proved = append(proved, "the signed part of the body")
		}
		out = append(out, fmt.Sprintf("Still proven by the narrower signature by %s: %s; changed after signing: %s.",
			signatureName(pass), listFields(proved), oneOf(d.wider)))
	}
	if len(unsigned) > 0 {
		why := "not covered by the signature"
		if sig := &f.sigs[d.decider]; sig.HeaderSignature != dkim.HeaderValid {
			why = "covered by a signature that no longer verifies"
		}
		out = append(out, fmt.Sprintf("Not proven: %s %s %s, so do not quote %s as sent.", listFields(unsigned), isAre(len(unsigned)), why, itThem(len(unsigned))))
	}
	for _, at := range c.Attachments {
		state := "is not covered"
		if at.Covered {
			state = "is covered"
		}
		out = append(out, fmt.Sprintf("Attachment %q (SHA-256 %s) %s.", at.Name, at.SHA256, state))
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func resultWord(r dkim.Result) string {
	if r == dkim.ResultNone {
		return "unchecked"
	}
	return r.String()
}

func bodyWord(b dkim.BodyStatus) string {
	switch b {
	case dkim.BodyMatch:
		return "matches"
	case dkim.BodyMismatch:
		return "does not match"
	}
	return "was not checked"
}
