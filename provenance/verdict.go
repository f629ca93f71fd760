package provenance

// Verdict rules (DESIGN.md, "Verdicts"), numbered as there and applied in
// the order 1, 3, 2, 4, 5; the first that matches decides. Rule 3 (the
// message's own aligned signature) comes before rule 2 (a trusted sealer's
// word): when the message proves itself, the sealer's record adds nothing
// and must not lower the confidence.
//
//  1. altered, on direct evidence of a change after signing: a displayed
//     field covered by a passing signature has an extra, unsigned instance
//     (likewise for the latest ARC-Message-Signature of an intact chain
//     sealed only by trusted sealers: a displayed field with more instances
//     than it signed was added after sealing); a passing aligned signature
//     leaves body text past its l= (unless Options.AllowPartialBody); a
//     receiver's Authentication-Results, or the ARC-Authentication-Results
//     of a sealer the policy does not trust (or of a trusted sealer whose
//     chain is broken), recorded dkim=pass for a signature whose header
//     signature is now invalid or whose body hash now mismatches (a key
//     mismatch excepted, see below).
//  3. authentic: From is exactly one mailbox with no header anomaly that
//     could show a reader another sender, and an aligned signature passes,
//     covers From, covers the whole body, and uses an accepted algorithm.
//     Refinement of DESIGN.md's "other signatures that fail are caution
//     evidence": when another signature genuinely fails with a key the
//     policy accepts (result fail: an invalid header signature that is not
//     a key mismatch, or a body hash mismatch under a valid header
//     signature) and it covers a displayed or MIME field
//     the deciding signature does not cover (or body text past the
//     deciding signature's l=), a real key signed content that differs
//     now: the message is altered, with rule 4's confidence, resting on the
//     failing signature (evidence dkim.wider_signature_fails). A failing
//     signature that covers nothing beyond the deciding one stays caution
//     evidence (dkim.other_signature_fails).
//  2. authentic, on a trusted sealer's word, when rule 3 does not apply: an
//     intact ARC chain sealed only by trusted sealers records an aligned
//     dkim=pass, and From is exactly one mailbox.
//  4. altered: some signature (aligned or not) checked with a key, weak,
//     testing and published keys included, has an invalid header signature
//     or a body hash mismatch after every repair.
//  5. unverifiable: everything else.
//
// Key mismatch: a signature whose header signature is invalid because the
// key on file cannot have made its b= at all (dkim.Signature.KeyMismatch:
// a key rotated under a reused selector, or a made-up b=) is no evidence of
// a change, for rule 1 or rule 4; its body hash proves nothing either,
// since bh= is covered only by that unverifiable b=. It is caution
// evidence (dkim.key_mismatch) and leaves the message unverifiable.
//
// A header past the reader's caps (internal/rawheader's defaults, the same
// as dkim's) is never judged from the fields read so far: the message is
// unverifiable with header.too_large.
//
// Confidence:
//
//   - authentic by rule 3: high with an Ed25519 key
//     or an RSA key of 2048 bits or more, sha256, no l= and not a pre-RFC
//     draft signature; medium with an RSA key of 1024 to 2047 bits,
//     rsa-sha1, an l= that covers the whole body, or a draft signature; low
//     otherwise (a key under 1024 bits accepted by a lowered MinRSABits, or
//     a partial body accepted by AllowPartialBody). At most medium when an
//     mbox repair (repair.mbox_unescaped, repair.mbox_ambiguous) was needed:
//     an escaped "From " line and an added quote marker are the same bytes.
//     At most medium, too, when a label of the From domain mixes scripts
//     (identity.idn_from_domain): the signature is that domain's, but a
//     reader is likely to take it for the one it imitates.
//   - authentic by rule 2: medium (the verdict rests on the sealer's word).
//   - altered by rule 1: high (the evidence is direct).
//   - altered by rule 4 (or by a wider failing signature): high when the
//     failing signature was checked with a key the policy accepts (result
//     fail) and is aligned; medium otherwise: the arithmetic is certain,
//     but who signed is not. Medium too for an Ed25519 header failure over
//     a matching body, which may be a key rotated under its selector.
//   - unverifiable: low.
//   - Any verdict on a file that did not look like mail and was read only
//     because it was named directly (archive.Message.Forced): low.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// state carries one message's check from the signatures to the verdict.
type state struct {
	c   *Checker
	a   *Assessment
	now time.Time
	ver *dkim.Verification
	hdr header
	raw []byte      // the chosen view, CRLF
	arc *arc.Result // the ARC check, nil when the message has no ARC fields

	fromOK     bool
	fromDomain string
	fromReason string

	separatorLine bool               // the view starts with an mbox separator line (not a field)
	blockedBy     string             // the summary of the header finding that stops an authentic verdict, "" when none
	mixedScripts  bool               // a label of the From domain mixes scripts (identity.idn_from_domain)
	headerOnly    bool               // the file holds a header and no body (archive.header_only)
	forced        bool               // archive.Message.Forced: read as mail only because it was named
	passers       []*SignatureResult // provenPassers, once a.Signatures is set

	decider int  // index into a.Signatures of the deciding signature, -1 when none
	rule    int  // the verdict rule that decided (1 to 5)
	sealed  bool // rule 2 decided

	repair    string   // the repair.* code of the chosen view, "" for the primary view
	tooLarge  bool     // the header is past the reader's caps: nothing was verified
	wider     []string // what a failing signature covers beyond the passing one (rule 3's refinement)
	widerPass int      // index of the passing signature the wider failure overrides
	amsRule1  bool     // rule 1's first evidence comes from the trusted ARC-Message-Signature
}

// add appends evidence items to the assessment.
func (s *state) add(e ...Evidence) { s.a.Evidence = append(s.a.Evidence, e...) }

// displayedKey maps a header field name to its Coverage.Fields key, or "".
func displayedKey(name string) string {
	for _, f := range DisplayedFields {
		if strings.EqualFold(f.Header, name) {
			return f.Key
		}
	}
	return ""
}

// displayedHeader maps a Coverage.Fields key to its header field name.
func displayedHeader(key string) string {
	for _, f := range DisplayedFields {
		if f.Key == key {
			return f.Header
		}
	}
	return key
}

// hasKey reports whether a signature's outcome was computed with a key.
func hasKey(sig *dkim.Signature) bool {
	switch sig.Result {
	case dkim.ResultPass, dkim.ResultFail, dkim.ResultWeakKey, dkim.ResultTestingKey, dkim.ResultPublishedKey:
		return true
	}
	return false
}

// accepted reports whether sig can make a message authentic by rule 3,
// apart from alignment and coverage: it passes with an acceptable
// algorithm.
func (s *state) accepted(sig *SignatureResult) bool {
	if sig.Result != dkim.ResultPass {
		return false
	}
	if s.c.opts.NoSHA1 && sig.Algorithm == "rsa-sha1" {
		return false
	}
	return true
}

// decide applies the verdict rules and fills Verdict, Confidence, Signer,
// Signatures, Summary and the signature evidence.
func (s *state) decide() {
	a := s.a
	s.decider = -1
	a.Signatures = make([]SignatureResult, len(s.ver.Signatures))
	for i, sig := range s.ver.Signatures {
		a.Signatures[i] = SignatureResult{Signature: sig, Aligned: s.fromOK && aligned(sig.Domain, s.fromDomain)}
	}

	findings, blocked := s.findingEvidence()
	s.add(findings...)
	// Signatures past the cap were not checked; one of them could be the
	// failure that shows a change, pushed past the cap by junk signatures
	// above it (red team 4, R2). Nothing is authentic then.
	for i := range a.Signatures {
		if a.Signatures[i].Result == dkim.ResultSkipped {
			blocked = true
			if s.blockedBy == "" {
				s.blockedBy = "Unverifiable: the message carries more DKIM signatures than the cap, and one of those not checked could show a change; raise the cap to check them all."
			}
			break
		}
	}

	rule1, r1 := s.rule1()
	// Rules in the order 1, 3, 2, 4, 5 (see the top of this file).
	i3, conf3 := s.rule3(blocked)
	switch {
	case len(rule1) > 0:
		s.rule, s.decider = 1, r1
		a.Verdict, a.Confidence = VerdictAltered, ConfidenceHigh
	case i3 >= 0:
		if j, beyond := s.widerFailure(i3); j >= 0 {
			s.rule, s.decider, s.wider, s.widerPass = 4, j, beyond, i3
			a.Verdict, a.Confidence = VerdictAltered, s.alteredConfidence(j)
			break
		}
		s.rule, s.decider = 3, i3
		a.Verdict, a.Confidence = VerdictAuthentic, s.repairCap(conf3)
	case !blocked && s.rule2():
		s.rule, s.sealed = 2, true
		a.Verdict, a.Confidence = VerdictAuthentic, s.repairCap(ConfidenceMedium)
	default:
		if i, conf := s.rule4(); i >= 0 {
			s.rule, s.decider = 4, i
			a.Verdict, a.Confidence = VerdictAltered, conf
		} else {
			s.rule = 5
			a.Verdict, a.Confidence = VerdictUnverifiable, ConfidenceLow
		}
	}
	if s.decider >= 0 {
		a.Signer = a.Signatures[s.decider].Domain
	}
	if s.forced && a.Confidence > ConfidenceLow {
		// The file did not look like mail: a log or a note that quotes a
		// message reads the same as a doctored one (red team 6).
		a.Confidence = ConfidenceLow
	}
	s.add(s.signatureEvidence()...)
	if s.wider != nil {
		pass, fail := &a.Signatures[s.widerPass], &a.Signatures[s.decider]
		s.add(evidence("dkim.wider_signature_fails",
			"The signature by %s verifies but does not cover %s; the signature by %s covers %s too and fails with %s, so %s was changed after signing.",
			signatureName(pass), listFields(s.wider), signatureName(fail), itThem(len(s.wider)), keyPhrase(fail), oneOf(s.wider)))
	}
	s.add(rule1...)
	s.add(s.identityEvidence()...)
	a.Summary = s.summary(rule1)
}

// rule1 returns the direct evidence of a change after signing, and the
// index of the signature it rests on (-1 when it rests on none).
func (s *state) rule1() ([]Evidence, int) {
	var out []Evidence
	decider := -1
	seen := map[string]bool{} // one item per field, however many signatures see it
	for i := range s.a.Signatures {
		sig := &s.a.Signatures[i]
		if sig.Result != dkim.ResultPass {
			continue
		}
		for _, fc := range sig.Coverage {
			if slices.Contains(mimeFields, fc.Name) && fc.Count > len(fc.Signed) && !seen[fc.Name] && !s.provenAll(fc.Name) {
				seen[fc.Name] = true
				if decider < 0 {
					decider = i
				}
				out = append(out, evidence("header.unsigned_duplicate_mime",
					"The message has %d %s fields and the passing signature by %s covers only %d of them: an unsigned one was added after signing, and it can change how a mail client shows the body.",
					fc.Count, mimeHeader(fc.Name), sig.Domain, len(fc.Signed)))
				continue
			}
			key := displayedKey(fc.Name)
			if key == "" || fc.Count <= len(fc.Signed) || seen[key] || s.provenAll(fc.Name) {
				continue
			}
			seen[key] = true
			if decider < 0 {
				decider = i
			}
			out = append(out, evidence("header.unsigned_duplicate_"+key,
				"The message has %d %s fields and the passing signature by %s covers only %d of them: an unsigned one was added after signing, and a mail client may show it.",
				fc.Count, displayedHeader(key), sig.Domain, len(fc.Signed)))
		}
		if sig.Aligned && sig.UnsignedBodyBytes > 0 && !s.c.opts.AllowPartialBody && !s.bodyProven() {
			if decider < 0 {
				decider = i
			}
			out = append(out, evidence("dkim.text_past_body_length",
				"%d bytes of body text follow the %d bytes that %s's signature covers (l=): they were added after signing, or the signer left them out on purpose; either way nothing vouches for them.",
				sig.UnsignedBodyBytes, sig.BodyLength, sig.Domain))
		}
	}
	ams := s.amsDuplicates(seen)
	if len(out) == 0 && len(ams) > 0 {
		s.amsRule1 = true
	}
	out = append(out, ams...)
	recorded, i := s.recordedEvidence()
	out = append(out, recorded...)
	if decider < 0 {
		decider = i
	}
	return out, decider
}

// amsDuplicates returns rule 1's evidence for the latest
// ARC-Message-Signature of an intact chain sealed only by trusted sealers
// (the chain rule 2 would rely on): a displayed field with more instances
// than that signature lists in h= has an instance added after sealing (it
// picks instances bottom up, as DKIM does). Fields already in seen are
// skipped.
func (s *state) amsDuplicates(seen map[string]bool) []Evidence {
	if !s.sealerTrusted() || s.arc == nil || len(s.arc.Instances) == 0 {
		return nil
	}
	latest := s.arc.Instances[len(s.arc.Instances)-1]
	listed := map[string]int{}
	for _, h := range latest.MessageCheck.SignedHeaders {
		listed[strings.ToLower(h)]++
	}
	sealer := s.sealerOf(latest.Instance)
	var out []Evidence
	for _, f := range DisplayedFields {
		name := strings.ToLower(f.Header)
		k, n := listed[name], s.hdr.count(name)
		if k == 0 || n <= k || seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		out = append(out, evidence("header.unsigned_duplicate_"+f.Key,
			"The message has %d %s fields and the ARC-Message-Signature of %s (set %d) covers only %d of them: an unsigned one was added after sealing, and a mail client may show it.",
			n, f.Header, sealer, latest.Instance, k))
	}
	return out
}

// rule3 returns the index of the aligned passing signature that makes the
// message authentic, with its confidence, or -1.
func (s *state) rule3(blocked bool) (int, Confidence) {
	if !s.fromOK || blocked {
		return -1, ConfidenceNone
	}
	best, bestConf := -1, ConfidenceNone
	for i := range s.a.Signatures {
		sig := &s.a.Signatures[i]
		if !sig.Aligned || !s.accepted(sig) || !signsField(&sig.Signature, "from") {
			continue
		}
		if sig.UnsignedBodyBytes > 0 && !s.c.opts.AllowPartialBody {
			continue
		}
		// The most confident; among equals, the one that signs the most
		// displayed fields, so that the coverage reported does not depend
		// on the order of the signatures (red team 4, R1).
		conf := s.confidence(sig)
		if conf > bestConf || conf == bestConf && displayedSigned(sig) > displayedSigned(&s.a.Signatures[best]) {
			best, bestConf = i, conf
		}
	}
	return best, bestConf
}

// displayedSigned counts the displayed fields sig signs.
func displayedSigned(sig *SignatureResult) int {
	n := 0
	for _, f := range DisplayedFields {
		if signsField(&sig.Signature, strings.ToLower(f.Header)) {
			n++
		}
	}
	return n
}

// confidence grades an authentic verdict resting on sig (see the rules at
// the top of this file).
func (s *state) confidence(sig *SignatureResult) Confidence {
	rsa := strings.HasPrefix(sig.Algorithm, "rsa-")
	switch {
	case sig.UnsignedBodyBytes > 0:
		return ConfidenceLow
	case rsa && sig.KeyBits < 1024:
		return ConfidenceLow
	case sig.Algorithm == "rsa-sha1", rsa && sig.KeyBits < 2048, sig.BodyLength >= 0, sig.Draft:
		return ConfidenceMedium
	}
	return ConfidenceHigh
}

// rule4 returns the index of a signature whose arithmetic fails with a key
// (a key mismatch is no such failure), preferring an aligned one, with the
// confidence of the altered verdict, or -1.
func (s *state) rule4() (int, Confidence) {
	best := -1
	for i := range s.a.Signatures {
		sig := &s.a.Signatures[i]
		if !hasKey(&sig.Signature) || !provesChange(&sig.Signature) {
			continue
		}
		if best < 0 || sig.Aligned && !s.a.Signatures[best].Aligned {
			best = i
		}
	}
	if best < 0 {
		return -1, ConfidenceNone
	}
	return best, s.alteredConfidence(best)
}

// alteredConfidence grades an altered verdict resting on the failing
// signature i: high when it is aligned and was checked with a key the
// policy accepts, medium otherwise.
//
// An Ed25519 header failure over a matching body is medium at most: unlike
// RSA, Ed25519 cannot tell a changed field from a key rotated under the
// same selector (dkim never sets KeyMismatch for it).
func (s *state) alteredConfidence(i int) Confidence {
	sig := &s.a.Signatures[i]
	if edKeyAmbiguous(&sig.Signature) {
		return ConfidenceMedium
	}
	if sig.Result == dkim.ResultFail && sig.Aligned {
		return ConfidenceHigh
	}
	return ConfidenceMedium
}

// edKeyAmbiguous reports whether sig is an Ed25519 signature whose header
// signature fails over a matching body: a changed signed field, or a key
// on file that is not the one that signed, which Ed25519 cannot tell apart.
func edKeyAmbiguous(sig *dkim.Signature) bool {
	return strings.HasPrefix(sig.Algorithm, "ed25519") && sig.HeaderSignature == dkim.HeaderInvalid && sig.BodyHash == dkim.BodyMatch
}

// repairCap lowers an authentic verdict's confidence to medium when an
// mbox repair was needed: the tool cannot tell an escaped "From " line
// from a ">" someone added.
func (s *state) repairCap(c Confidence) Confidence {
	if (s.mboxRepair() || s.mixedScripts) && c > ConfidenceMedium {
		return ConfidenceMedium
	}
	return c
}

// mboxRepair reports whether the chosen view is an mbox repair.
func (s *state) mboxRepair() bool {
	return s.repair == "repair.mbox_unescaped" || s.repair == "repair.mbox_ambiguous"
}

// genuineFailure reports whether sig's failure shows that a real key
// signed other content: an invalid header signature that is not a key
// mismatch, or a body hash mismatch under a valid header signature.
func genuineFailure(sig *dkim.Signature) bool {
	return sig.HeaderSignature == dkim.HeaderInvalid && !sig.KeyMismatch ||
		sig.BodyHash == dkim.BodyMismatch && sig.HeaderSignature == dkim.HeaderValid
}

// widerFailure looks, for the passing signature d that rule 3 chose, for
// another signature that genuinely fails and covers something d does not:
// a displayed or MIME field listed in its h= but not in d's, or body text
// past d's l=. It returns that signature's index and what it covers beyond
// d (header names, or "the body text past l="), or -1.
func (s *state) widerFailure(d int) (int, []string) {
	dec := &s.a.Signatures[d]
	// What the passing signatures prove together: the verdict must not
	// depend on which of two passing signatures rule 3 picked, or on their
	// order (red team 4, R1).
	maxBody, fullBody := dec.BodyLength, dec.UnsignedBodyBytes == 0
	for _, p := range s.provenPassers() {
		fullBody = fullBody || p.UnsignedBodyBytes == 0
		maxBody = max(maxBody, p.BodyLength)
	}
	for j := range s.a.Signatures {
		sig := &s.a.Signatures[j]
		// Only a key the policy accepts (result fail): anyone can make a
		// signature with a published, testing or weak key.
		if j == d || sig.Result != dkim.ResultFail || !genuineFailure(&sig.Signature) {
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
				if h != "" && !signsField(&dec.Signature, name) && !s.provenField(name) && !slices.Contains(beyond, h) {
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

// oneOf says "Subject" for one name and "one of To and Subject" for more.
func oneOf(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return "one of " + listFields(names)
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

// findingEvidence turns the dkim header findings into header.* evidence,
// and reports whether one of them could show a reader another sender (or
// another displayed field), which stops an authentic verdict. It sets
// s.blockedBy to the summary sentence of the first such finding.
func (s *state) findingEvidence() (out []Evidence, blocked bool) {
	block := func(summary string) {
		if s.blockedBy == "" {
			s.blockedBy = summary
		}
		blocked = true
	}
	const malformed = "Unverifiable: the header is malformed in a way that can show a reader a different sender or field than the one signed."
	if s.tooLarge {
		out = append(out, evidence("header.too_large",
			"The header is larger than the reader's cap (%d fields or %d MiB), so its signatures and fields were not checked.",
			rawheader.DefaultMaxFields, rawheader.DefaultMaxHeaderBytes>>20))
		block("Unverifiable: the header is larger than the reader's cap, so its signatures and fields were not checked.")
	}
	for _, f := range s.ver.Findings {
		if f.Offset == 0 && s.separatorLine {
			continue // the separator line is noted as archive.leading_separator
		}
		name := f.Name
		if name == "" {
			name = "a field"
		}
		switch f.Kind {
		case dkim.FindingSpaceBeforeColon:
			out = append(out, evidence("header.space_before_colon",
				"The %q field has a space before its colon, so verifiers and mail clients may disagree on which field it is.", name))
		case dkim.FindingLeadingWhitespace:
			out = append(out, evidence("header.leading_whitespace",
				"The first header line starts with whitespace, which hides %s from some readers.", name))
			block(malformed)
		case dkim.FindingFoldedName:
			out = append(out, evidence("header.folded_name",
				"The name of %q is folded onto the next line, which readers interpret differently.", name))
		case dkim.FindingNonASCIIName:
			// A line that starts with a vertical tab, a form feed or a
			// Unicode space and holds a colon ("\v, group:evil@y;") is,
			// to a lenient reader, a field with an odd name; to one that
			// folds such lines, part of the field above.
			if key := displayedKey(s.hdr.fieldBefore(f.Offset)); key != "" && displayedKey(f.Name) == "" {
				field := displayedHeader(key)
				out = append(out, evidence("header.stray_line",
					"A header line at byte %d, right after the %s field, starts like no field name (%q); some mail clients show it as part of %s, which the signature does not cover.", f.Offset, field, name, field))
				block(fmt.Sprintf("Unverifiable: a line that is not a proper field follows the %s field; some mail clients show it as part of %s, and the signature does not cover it.", field, field))
				continue
			}
			// "From\v" or "From\u00a0": a reader that trims Unicode
			// spaces and controls from names (JavaScript's trim) sees a
			// second From that no signature covers (red team 3, R4).
			if key := displayedKey(trimOddSpace(f.Name)); key != "" && displayedKey(f.Name) == "" {
				field := displayedHeader(key)
				out = append(out, evidence("header.lookalike_name",
					"A field named %q reads as a %s field to mail clients that trim Unicode spaces and control characters from names; no signature covers it.", name, field))
				block(fmt.Sprintf("Unverifiable: a field whose name reads as %s to some mail clients (%q) is not covered by the signature.", field, name))
				continue
			}
			out = append(out, evidence("header.non_ascii_name",
				"A field name (%q) holds bytes outside printable ASCII or a space; some mail clients end the header there and show the line as the start of the body.", name))
			block("Unverifiable: a line in the header has no proper field name; some mail clients end the header there and show it, and what follows, as the body, which no signature covers.")
		case dkim.FindingNoColon:
			// A reader that takes such a line as a continuation (libmime
			// folds one that starts with a vertical tab, a form feed or a
			// Unicode space) shows it as part of the field above: after a
			// displayed field it can add an address the signature never
			// covered ("From: a@x" then "\v, evil@y").
			if key := displayedKey(s.hdr.fieldBefore(f.Offset)); key != "" {
				field := displayedHeader(key)
				out = append(out, evidence("header.stray_line",
					"A header line at byte %d, right after the %s field, is not a field (it has no colon); some mail clients show it as part of %s, which the signature does not cover.", f.Offset, field, field))
				block(fmt.Sprintf("Unverifiable: a line that is not a field follows the %s field; some mail clients show it as part of %s, and the signature does not cover it.", field, field))
				continue
			}
			// Anywhere else in the header, such a line ends the header for
			// many readers, which then show it, and what follows, as the
			// body: text slipped in there reads as part of the message
			// (red team 7, C1).
			out = append(out, evidence("header.no_colon",
				"A header line at byte %d is not a field (it has no colon); some mail clients end the header there and show it as the start of the body.", f.Offset))
			block("Unverifiable: a line in the header is not a field; some mail clients end the header there and show it, and what follows, as the body, which no signature covers.")
			continue
		default:
			continue
		}
		if displayedKey(f.Name) != "" {
			block(malformed)
		}
	}
	// A lone CR in the header: some mail clients end a line there, so an
	// unsigned field can hide a From (or another field) that only they
	// show ("X-Note: x\rFrom: CEO <...>"). RFC 5322 forbids bare CR.
	if hasLoneCR(s.raw[:min(s.hdr.body, len(s.raw))]) {
		out = append(out, evidence("header.lone_cr",
			"The header holds a carriage return that does not end a line; some mail clients start a new field there, so they may show a field the signature does not cover."))
		block("Unverifiable: the header holds a carriage return that does not end a line; some mail clients start a new field there and may show one the signature does not cover.")
	}
	// Two Content-Type (or Content-Transfer-Encoding) fields: mail clients
	// disagree on which one decides how the body is shown.
	for _, name := range mimeFields {
		if n := s.hdr.count(name); n > 1 {
			out = append(out, evidence("header.duplicate_mime_field",
				"The header has %d %s fields; mail clients disagree on which one decides how the body is shown.", n, mimeHeader(name)))
			block(fmt.Sprintf("Unverifiable: the header has %d %s fields, and mail clients disagree on which one decides how the body is shown.", n, mimeHeader(name)))
		}
	}
	return out, blocked
}

// mimeFields are the top-level fields that decide how a mail client shows
// the body and splits it into parts.
var mimeFields = []string{"content-type", "content-transfer-encoding", "content-disposition"}

func mimeHeader(name string) string {
	switch name {
	case "content-type":
		return "Content-Type"
	case "content-disposition":
		return "Content-Disposition"
	}
	return "Content-Transfer-Encoding"
}

// hasLoneCR reports whether b holds a CR not followed by LF.
func hasLoneCR(b []byte) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			return false
		}
		j += i
		if j+1 >= len(b) || b[j+1] != '\n' {
			return true
		}
		i = j + 1
	}
	return false
}

// signatureEvidence describes every signature's outcome.
func (s *state) signatureEvidence() []Evidence {
	var out []Evidence
	if len(s.a.Signatures) == 0 && !s.tooLarge {
		out = append(out, evidence("dkim.none", "The message carries no DKIM signature, so nothing in it vouches for it."))
	}
	authentic := s.a.Verdict == VerdictAuthentic
	skipped := 0
	for i := range s.a.Signatures {
		sig := &s.a.Signatures[i]
		who := signatureName(sig)
		switch sig.Result {
		case dkim.ResultPass:
			out = append(out, evidence("dkim.pass", "The signature by %s verifies with %s.", who, keyPhrase(sig)))
			if !sig.Aligned && s.fromOK {
				out = append(out, evidence("dkim.unaligned",
					"The signing domain %s is not the From domain %s nor part of its organization, so it does not vouch for the sender shown.",
					sig.Domain, s.fromDomain))
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
		case provesChange(&sig.Signature):
			what := failureWhat(sig)
			switch {
			case authentic && s.rule == 2:
				out = append(out, evidence("dkim.other_signature_fails",
					"The signature by %s fails now (%s); the verdict rests on the trusted sealer's record that it passed on arrival, so this changed between arrival and sealing (a mailing list's footer or subject tag, say).", who, what))
			case authentic:
				out = append(out, evidence("dkim.other_signature_fails",
					"The signature by %s fails (%s), while another aligned signature verifies the message.", who, what))
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
			if s.c.opts.NoSHA1 {
				out = append(out, evidence("dkim.sha1_rejected", "The signature by %s uses rsa-sha1, which the policy does not accept.", who))
			} else {
				out = append(out, evidence("dkim.sha1", "The signature by %s uses rsa-sha1, which counts at medium confidence at most.", who))
			}
		}
		if sig.BodyLength >= 0 && !(s.rule == 1 && sig.Aligned && sig.UnsignedBodyBytes > 0 && sig.Result == dkim.ResultPass && !s.bodyProven()) {
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
		} else if !sig.Expires.IsZero() && sig.Expires.Before(s.now) {
			out = append(out, evidence("dkim.expired",
				"The signature by %s expired on %s (x=); expiry does not apply to archived mail.", who, sig.Expires.UTC().Format(time.DateOnly)))
		}
		if sig.FutureTimestamp {
			out = append(out, evidence("dkim.future_timestamp",
				"The signature by %s is timestamped %s (t=), later than the time of the check.", who, sig.Timestamp.UTC().Format(time.RFC3339)))
		}
	}
	if skipped > 0 {
		limit := s.c.opts.MaxSignatures
		if limit <= 0 {
			limit = 16
		}
		out = append(out, evidence("dkim.skipped",
			"%d %s past the cap of %d %s not checked; anyone can add signatures to push a real one past the cap.",
			skipped, plural(skipped, "signature", "signatures"), limit, plural(skipped, "was", "were")))
	}
	for _, dk := range s.ver.DomainKeys {
		out = append(out, evidence("domainkeys.present",
			"The message carries a DomainKey-Signature by %s (RFC 4870, DKIM's predecessor), which is not verified.", dk.Domain))
	}
	return out
}

// identityEvidence says what a signing domain proves about a person.
func (s *state) identityEvidence() []Evidence {
	if s.a.Verdict != VerdictAuthentic || !s.fromOK {
		return nil
	}
	var out []Evidence
	if isMailboxProvider(s.fromDomain) {
		out = append(out, evidence("identity.mailbox_provider",
			"%s is a public mailbox provider: the signature proves the message came from the account %s, not who typed it.",
			s.fromDomain, s.a.FromAddress))
	}
	if isPlatformMail(s.a.FromAddress) {
		out = append(out, evidence("identity.platform_mail",
			"The message was generated by %s's systems (an automatic sender address), as its signature shows.", s.a.Signer))
	}
	return out
}

// plural returns one for n == 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// signatureName names a signature for a sentence: "example.com (selector s1)".
func signatureName(sig *SignatureResult) string {
	d := sig.Domain
	if d == "" {
		d = "an unnamed domain"
	}
	if sig.Selector == "" {
		return d
	}
	return d + " (selector " + sig.Selector + ")"
}

// keyPhrase describes the key that verified sig: "a 2048-bit RSA key from keys.jsonl".
func keyPhrase(sig *SignatureResult) string {
	kind := "RSA"
	if strings.HasPrefix(sig.Algorithm, "ed25519") {
		kind = "Ed25519"
	}
	p := "a key"
	if sig.KeyBits > 0 {
		p = fmt.Sprintf("a %d-bit %s key", sig.KeyBits, kind)
	}
	if sig.KeySource != "" {
		p += " from " + sig.KeySource
	}
	return p
}

// failureWhat says which part of a failing signature fails.
func failureWhat(sig *SignatureResult) string {
	switch {
	case sig.HeaderSignature == dkim.HeaderInvalid && sig.BodyHash == dkim.BodyMismatch:
		return "header and body"
	case sig.HeaderSignature == dkim.HeaderInvalid:
		return "header"
	}
	return "body"
}

// reason returns an error's text without the package prefix, or a default.
func reason(err error) string {
	if err == nil {
		return "the signature or its key record is malformed"
	}
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "dkim: "); ok && strings.HasPrefix(msg, "dkim: ") {
		msg = rest
	}
	return strings.TrimSuffix(msg, ".")
}

// mailboxProviders are domains where anyone can open an account: a
// signature proves the account, not the person. The list is short on
// purpose: it names the providers reporters meet most.
var mailboxProviders = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "ymail.com": true,
	"outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"aol.com": true, "icloud.com": true, "me.com": true, "mac.com": true,
	"protonmail.com": true, "proton.me": true, "gmx.com": true, "gmx.de": true,
	"gmx.net": true, "web.de": true, "mail.ru": true, "yandex.ru": true,
	"yandex.com": true, "zoho.com": true, "fastmail.com": true, "tutanota.com": true,
	"qq.com": true, "163.com": true,
}

func isMailboxProvider(domain string) bool { return mailboxProviders[normalizeDomain(domain)] }

// isPlatformMail reports whether addr looks like a platform's automatic
// sender (alerts, notifications, no-reply addresses): such mail is
// generated by the platform's systems, not written by a person.
func isPlatformMail(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	for _, p := range []string{"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "alert", "notification", "notify", "mailer-daemon", "postmaster"} {
		if strings.Contains(local, p) {
			return true
		}
	}
	return false
}

// recordedEvidence checks what receivers recorded (Authentication-Results,
// and the ARC-Authentication-Results of sealers rule 2 does not rely on)
// against the signatures as they stand now. It returns the alteration
// evidence for rule 1 and the index of the signature it rests on; the
// other receiver evidence is added to the assessment directly.
//
// Anyone can write such a field, so a recorded pass never vouches for a
// message; but a recorded pass for a signature that fails now means either
// a change after receipt or a forged record, and both are tampering.
func (s *state) recordedEvidence() ([]Evidence, int) {
	var out []Evidence
	decider := -1
	sigs := s.ver.Signatures
	for _, v := range s.hdr.values("authentication-results") {
		ar, _ := mailsyntax.ParseAuthResults(v) // a malformed field still yields what it could read
		who := ar.AuthServID
		if who == "" {
			who = "A receiver"
		}
		for _, r := range ar.Results {
			if r.Method != "dkim" {
				continue
			}
			i, how := matchAuthResult(r, sigs)
			switch {
			case i >= 0 && r.Result == "pass" && s.recordedProvesChange(&sigs[i]):
				out = append(out, evidence("authres.pass_now_fails",
					"%s recorded dkim=pass for the signature by %s (matched by %s), and it fails now (%s): the message was changed after it was received.",
					who, sigs[i].Domain, how, failureWhat(&s.a.Signatures[i])))
				if decider < 0 {
					decider = i
				}
			case i >= 0:
				s.add(evidence("authres.recorded", "%s recorded dkim=%s for the signature by %s (matched by %s).", who, r.Result, sigs[i].Domain, how))
			case r.Result == "pass" && how != matchAmbiguous:
				d := r.Prop("header.d")
				if d == "" {
					d = mailsyntax.Domain(r.Prop("header.i"))
				}
				s.add(evidence("authres.unmatched_pass",
					"%s recorded dkim=pass for a signature by %s that this message does not carry.", who, orUnknown(d)))
			default:
				s.add(evidence("authres.recorded", "%s recorded dkim=%s, which matches no single signature here.", who, r.Result))
			}
		}
	}
	if s.sealerTrusted() {
		return out, decider
	}
	for _, v := range s.hdr.values("arc-authentication-results") {
		ar, _ := mailsyntax.ParseAuthResults(v)
		sealer := s.sealerOf(ar.Instance)
		for _, r := range ar.Results {
			if r.Method != "dkim" || r.Result != "pass" {
				continue
			}
			if i, how := matchAuthResult(r, sigs); i >= 0 && s.recordedProvesChange(&sigs[i]) {
				out = append(out, evidence("arc.aar_pass_now_fails",
					"The ARC set %d sealed by %s recorded dkim=pass for the signature by %s (matched by %s), and it fails now (%s).",
					ar.Instance, sealer, sigs[i].Domain, how, failureWhat(&s.a.Signatures[i])))
				if decider < 0 {
					decider = i
				}
			}
		}
	}
	return out, decider
}

// provenPassers returns the aligned signatures that pass with an accepted
// algorithm: what they cover is proven, whatever the order of the
// signatures. Unaligned ones do not count: anyone can sign a message with a
// domain of their own.
func (s *state) provenPassers() []*SignatureResult {
	if s.passers == nil {
		s.passers = []*SignatureResult{} // computed once: the signatures are set by then
		for i := range s.a.Signatures {
			if sig := &s.a.Signatures[i]; sig.Aligned && s.accepted(sig) {
				s.passers = append(s.passers, sig)
			}
		}
	}
	return s.passers
}

// provenField reports whether a proven passer signs the field name.
func (s *state) provenField(name string) bool {
	for _, p := range s.provenPassers() {
		if signsField(&p.Signature, name) {
			return true
		}
	}
	return false
}

// provenAll reports whether a proven passer covers every instance of the
// field name: an extra instance another signature leaves out is signed.
func (s *state) provenAll(name string) bool {
	for _, p := range s.provenPassers() {
		for _, fc := range p.Coverage {
			if fc.Name == name && fc.Count > 0 && fc.Count <= len(fc.Signed) {
				return true
			}
		}
	}
	return false
}

// bodyProven reports whether a proven passer covers the whole body: text
// past another signature's l= is then signed (red team 4, R5: a gateway
// that appends a footer and signs again).
func (s *state) bodyProven() bool {
	for _, p := range s.provenPassers() {
		if p.UnsignedBodyBytes == 0 && p.BodyHash == dkim.BodyMatch {
			return true
		}
	}
	return false
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
// DKIM-Signature field: a junk signature added after sealing must not stand
// in for it (red team 7, C2). The AMS picks DKIM-Signature fields bottom
// up, one per "dkim-signature" in its h=.
func (s *state) sealedSignature(r mailsyntax.AuthResult, ams *arc.Check) bool {
	i, _ := matchAuthResult(r, s.ver.Signatures)
	if i < 0 {
		return false
	}
	n := 0
	for _, h := range ams.SignedHeaders {
		if h == "dkim-signature" {
			n++
		}
	}
	return s.ver.Signatures[i].Index >= len(s.ver.Signatures)-n
}

// amsProtects reports whether an ARC-Message-Signature covers every field
// of a signature's h=: any of them (Sender, In-Reply-To, MIME-Version as
// much as From) may be what changed after sealing (red team 6, B4).
func amsProtects(ams *arc.Check, signed []string) bool {
	for _, name := range signed {
		if !slices.Contains(ams.SignedHeaders, strings.ToLower(name)) {
			return false
		}
	}
	return true
}

// recordedProvesChange reports whether a receiver's record that sig passed
// on arrival, with sig failing now, shows a change after receipt (DESIGN.md
// rule 1). With a key, as provesChange. Without one, only a body hash
// mismatch can be computed, and it counts (the receiver verified the
// signature, bh= included, with the key it had) unless an aligned
// signature with a key passes over the whole body now: the body is then
// proven to be as the sender's own domain signed it, and the record, which
// anyone can write, is what does not fit (a planted record naming a junk
// signature would otherwise discredit a genuine message; red team 4, R6).
func (s *state) recordedProvesChange(sig *dkim.Signature) bool {
	if hasKey(sig) {
		// An Ed25519 header failure over a matching body may be a key
		// rotated under the same selector since the receiver checked it:
		// that is rule 4's medium case, not a proven change after receipt
		// (red team 8, B2).
		return provesChange(sig) && !edKeyAmbiguous(sig)
	}
	if sig.BodyHash != dkim.BodyMismatch || sig.KeyMismatch {
		return false
	}
	return !s.bodyProven()
}

// latestAMSSignsFrom reports whether the latest ARC-Message-Signature
// covers From: a seal over a message whose From it does not sign says
// nothing about the From shown now.
func (s *state) latestAMSSignsFrom() bool {
	if s.arc == nil || len(s.arc.Instances) == 0 {
		return false
	}
	return slices.Contains(s.arc.Instances[len(s.arc.Instances)-1].MessageCheck.SignedHeaders, "from")
}

// sealerOf names the sealer of ARC instance i, or "an unnamed sealer".
func (s *state) sealerOf(i int) string {
	for _, in := range s.a.ARC.Instances {
		if in.Instance == i && in.Sealer != "" {
			return in.Sealer
		}
	}
	return "an unnamed sealer"
}

// sealerTrusted reports whether the ARC chain is intact and every seal is
// by a sealer the policy trusts: rule 2 then weighs its records.
func (s *state) sealerTrusted() bool {
	if len(s.c.trusted) == 0 || s.a.ARC.Chain != "pass" || len(s.a.ARC.Instances) == 0 {
		return false
	}
	for _, in := range s.a.ARC.Instances {
		if !s.c.trusted[normalizeDomain(in.Sealer)] {
			return false
		}
	}
	return true
}

// checkARC verifies the ARC chain of the chosen view and fills the
// assessment's ARC result and evidence. A message without ARC fields is
// chain "none" without further work. The error is non-nil only when ctx is
// done.
func (s *state) checkARC(ctx context.Context, msg []byte, opts *dkim.Options) error {
	if s.tooLarge || !s.hdr.has("arc-seal") && !s.hdr.has("arc-message-signature") && !s.hdr.has("arc-authentication-results") {
		s.a.ARC = arcResult(nil)
		return nil
	}
	r, err := arc.Verify(ctx, msg, opts)
	if err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	s.arc = r
	s.a.ARC = arcResult(r)
	s.add(arcEvidence(r)...)
	return nil
}

// rule2 reports whether a trusted sealer's intact ARC chain records an
// aligned dkim=pass (DESIGN.md verdict rule 2; like rule 3 it does not
// apply when a header finding could show another sender), and if so sets the signer
// to the recorded d= and adds the evidence naming the sealer.
func (s *state) rule2() bool {
	if !s.fromOK || !s.sealerTrusted() || !s.latestAMSSignsFrom() {
		return false
	}
	// The sealer vouches for what arrived; only the latest
	// ARC-Message-Signature protects what came after. Text past its l=,
	// or a field a now-failing aligned signature covered that it leaves
	// out, may have been changed after sealing (red team 4, R3).
	ams := &s.arc.Instances[len(s.arc.Instances)-1].MessageCheck
	if ams.UnsignedBodyBytes > 0 {
		return false
	}
	// Any signature checked with a key that fails now (aligned or not: an
	// ESP's signature shows a change as well) must have failed on what the
	// AMS protects; a field it signed that the AMS leaves out, present or
	// deleted since, may have been changed after sealing (red team 5, F1,
	// F2).
	for i := range s.a.Signatures {
		if sig := &s.a.Signatures[i]; provesChange(&sig.Signature) && !amsProtects(ams, sig.SignedHeaders) {
			return false
		}
	}
	// The latest set first: it is the last receiver's record.
	ins := s.a.ARC.Instances
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
			if !aligned(d, s.fromDomain) {
				continue
			}
			// Hardening against a record that a sealer's parser was tricked
			// into writing (a dkim=pass smuggled in through a quoted
			// envelope address): the same record must not contradict it,
			// and the message must still carry a DKIM-Signature of that
			// domain for the pass to be about (red team 6, B6).
			if contradicted(ar.Results, s.fromDomain) || !s.sealedSignature(r, ams) {
				continue
			}
			s.a.Signer = normalizeDomain(d)
			s.add(evidence("arc.trusted_sealer",
				"The verdict rests on %s's ARC record (set %d) that the signature by %s passed on arrival, not on the signature as it stands now.",
				ins[k].Sealer, ins[k].Instance, s.a.Signer))
			return true
		}
	}
	return false
}

// trimOddSpace trims from both ends of a field name what a Unicode-aware
// trim removes, and what renders as nothing: white space and control
// characters of any script, format characters (zero-width space, the
// byte-order mark), and bytes that are not UTF-8 (a lone 0xA0 is a
// no-break space in Latin-1).
func trimOddSpace(name string) string {
	return strings.TrimFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || unicode.Is(unicode.Zs, r)
	})
}
