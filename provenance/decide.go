package provenance

// The second stage: the decision, a pure function of the facts and the
// policy. The verdict rules are applied in this order; the first that
// matches decides (each rule family has its own file, with its tests
// beside it):
//
//  1. altered, on direct evidence of a change after signing (rule1,
//     rule1.go): a displayed or MIME field covered by a passing signature
//     has an extra, unsigned instance, unless an aligned passing signature
//     covers every instance (likewise for the latest ARC-Message-Signature
//     of an intact chain sealed only by trusted sealers); a passing aligned
//     signature leaves body text past its l= that no aligned passing
//     signature covers (unless Options.AllowPartialBody); a receiver's
//     Authentication-Results, or the ARC-Authentication-Results of a sealer
//     the policy does not trust, recorded dkim=pass for a signature that
//     fails now (receiver.go).
//  2. authentic, on the message's own signatures (signatures.go): From is
//     exactly one mailbox with no header anomaly that could show a reader
//     another sender (headers.go, identity.go), the aligned passing
//     signatures with acceptable keys and algorithms cover From and the
//     whole body, and the body as a reader sees it is proven: every
//     top-level MIME field they leave unsigned fits the signed bytes
//     (body.go), and flowed text with delsp=yes, whose joins hang on
//     spaces at line ends, is not proven by relaxed body canonicalization
//     alone (flowedjoin.go). When one does not, the message is
//     unverifiable (coverage.mime_mismatch), and the signature that proves the bytes
//     stays the decider, so that the coverage says what it proves. A
//     DomainKeys signature (RFC 4870, dkim.SignatureDomainKeys) counts here
//     too: its valid signature proves the fields it signs and the body at
//     once. When another signature tied to the message, checked with a key
//     the policy accepts, genuinely fails and covers a displayed or MIME
//     field (or body text) the passing ones do not, a real key signed
//     content that differs now: altered (dkim.wider_signature_fails). A
//     failing DomainKeys signature never counts as such: its one hash
//     cannot say what changed.
//  3. authentic, on a trusted sealer's word (sealer.go), when rule 2 does
//     not apply: an intact ARC chain sealed only by trusted sealers records
//     an aligned dkim=pass for a signature the message still carries, whose
//     key as checked now is acceptable, and the latest ARC-Message-Signature
//     protects what may have changed since; as for rule 2, every top-level
//     MIME field neither a proven signature nor that AMS covers must fit the
//     body bytes, and flowed text with delsp=yes needs that AMS (or a
//     proven signature) to canonicalize the body simple.
//  4. altered: some signature (aligned or not) tied to this message and
//     checked with a key, weak, testing and published keys included, has an
//     invalid header signature or a body hash mismatch after every repair,
//     or a DomainKeys signature tied to it and checked with a key does not
//     verify (signatures.go). A failing signature not tied to the message
//     (see tied: it could have been copied from any public email) is
//     caution evidence only, for every rule.
//  5. unverifiable: everything else.
//
// Rule 2 comes before rule 3: when the message proves itself, a sealer's
// record adds nothing and must not lower the confidence.
//
// Key mismatch: a signature whose header signature is invalid because the
// key on file cannot have made its b= at all (dkim.Signature.KeyMismatch:
// a key rotated under a reused selector, or a made-up b=) is no evidence of
// a change, for rule 1 or rule 4; its body hash proves nothing either,
// since bh= is covered only by that unverifiable b=. It is caution
// evidence (dkim.key_mismatch) and leaves the message unverifiable.
//
// A header past the reader's caps is never judged from the fields read so
// far: the message is unverifiable with header.too_large.
//
// Confidence:
//
//   - authentic by rule 2: high with an Ed25519 key or an RSA key of 2048
//     bits or more, sha256, no l= and not a pre-RFC draft signature; medium
//     with an RSA key of 1024 to 2047 bits, rsa-sha1, an l= that covers the
//     whole body, a draft signature, or a DomainKeys signature (rsa-sha1
//     by definition, and a scheme retired in 2007); low otherwise (a key under 1024
//     bits accepted by a lowered MinRSABits, or a partial body accepted by
//     AllowPartialBody). At most medium when an mbox repair was needed (an
//     escaped "From " line and an added quote marker are the same bytes),
//     and when a label of the From domain mixes scripts, reads as an ASCII
//     label in look-alike letters (a whole-script confusable) or does not decode
//     (identity.idn_from_domain): the signature is that domain's, but a
//     reader is likely to take it for the one it imitates.
//   - authentic by rule 3: medium (the verdict rests on the sealer's word).
//   - altered by rule 1: high (the evidence is direct).
//   - altered by rule 4 (or by a wider failing signature): high when the
//     failing signature was checked with a key the policy accepts (result
//     fail) and is aligned; medium otherwise: the arithmetic is certain,
//     but who signed is not. Medium too for an Ed25519 header failure over
//     a matching body, which may be a key rotated under its selector.
//   - unverifiable: low.
//   - Any verdict on a file that did not look like mail and was read only
//     because it was named directly (archive.Message.Forced): low. A log or
//     a note that quotes a message reads the same as a doctored one.
//
// The numbers in decision.rule are those of the list above; the user
// documentation (docs/verdicts.md) numbers the rules the same way.

import (
	"iter"

	"github.com/leakproof/leakproof/dkim"
)

// policy is what a Checker's Options say about how much a signature is
// worth.
type policy struct {
	noSHA1        bool
	allowPartial  bool
	trusted       map[string]bool // normalized sealer domains
	maxSignatures int             // the cap, resolved (never zero)
}

// Rule numbers, in the order the rules are applied.
const (
	ruleDirectChange = 1 // altered on direct evidence
	ruleOwnSignature = 2 // authentic on the message's own signatures
	ruleSealer       = 3 // authentic on a trusted sealer's word
	ruleFailing      = 4 // altered on a failing signature
	ruleNothing      = 5 // unverifiable
)

// decision is what the rules made of the facts.
type decision struct {
	rule       int
	verdict    Verdict
	confidence Confidence
	decider    int    // index into facts.sigs of the deciding signature, -1 when none
	signer     string // the d= that decided, "" when none

	blocker *anomaly // the first header anomaly that stops an authentic verdict, or nil
	skipped bool     // a signature went unchecked past the cap, which stops it too

	changes []change // rule 1's direct evidence of a change, in the order found

	sealed *sealedRecord // rule 3 decided on this record

	wider     []string // what a failing signature covers beyond the passing one (rule 2's refinement)
	doubt     *doubt   // a failing signature of another domain covers more than the passing one
	widerPass int      // index of the passing signature the wider failure overrides

	coverage Coverage // what the deciding signature (or the sealer's AMS) proves

	// unfit lists the top-level MIME fields that nothing proven vouches
	// for and that do not fit the proven body bytes (body.go): the body
	// as a reader sees it is not proven. viewStopped says that they
	// stopped an authentic verdict.
	unfit       []mimeMisfit
	viewStopped bool
}

// A doubt is a failing signature of a domain other than the From domain's
// that covers displayed fields (or body text) the passing signature does
// not: no alteration is proven, but those fields may have changed.
type doubt struct {
	sig    int      // index into facts.sigs
	beyond []string // what it covers beyond the passing signature
}

// blocked reports whether something stops an authentic verdict whatever
// the signatures say.
func (d *decision) blocked() bool { return d.blocker != nil || d.skipped }

// decide applies the verdict rules to the facts under the policy.
func decide(f *facts, p *policy) *decision {
	d := &decision{decider: -1, widerPass: -1, skipped: f.skipped()}
	for i := range f.anomalies {
		if f.anomalies[i].misleads {
			d.blocker = &f.anomalies[i]
			break
		}
	}
	d.changes = rule1(f, p)
	if bytesProven(f, p) {
		d.unfit = unprovenMisfits(f, func(name string) bool { return mimeProven(f, p, name) })
		if flowedJoinsUnproven(f, p) {
			d.unfit = append(d.unfit, mimeMisfit{field: flowedJoins})
		}
	}
	own, ownConf := ownSignature(f, p, d.blocked())
	var sealed *sealedRecord
	if len(d.changes) == 0 && own < 0 && !d.blocked() {
		sealed = sealerRecord(f, p)
		if sealed != nil {
			// The sealer vouches for the body bytes, not for a MIME field
			// its ARC-Message-Signature leaves unsigned.
			u := unprovenMisfits(f, func(name string) bool { return mimeProven(f, p, name) || amsProves(f, name) })
			if sealedJoinsUnproven(f, p) {
				u = append(u, mimeMisfit{field: flowedJoins})
			}
			if len(u) > 0 {
				d.unfit, d.viewStopped, sealed = u, true, nil
			}
		}
	}
	switch {
	case len(d.changes) > 0:
		d.rule, d.decider = ruleDirectChange, firstSignature(d.changes)
		d.verdict, d.confidence = VerdictAltered, ConfidenceHigh
	case own >= 0:
		if j, beyond := widerFailure(f, p, own); j >= 0 {
			d.rule, d.decider, d.wider, d.widerPass = ruleFailing, j, beyond, own
			d.verdict, d.confidence = VerdictAltered, alteredConfidence(&f.sigs[j])
			break
		}
		if j, beyond := widerDoubt(f, p, own); j >= 0 {
			// What the From domain's signature proves stands; what only
			// the failing signature covers is in doubt.
			d.rule, d.decider, d.doubt = ruleNothing, own, &doubt{sig: j, beyond: beyond}
			d.verdict, d.confidence = VerdictUnverifiable, ConfidenceLow
			break
		}
		if len(d.unfit) > 0 {
			// The body bytes are proven; what a reader sees of them is
			// not. The signature that proves them stays the decider, so
			// that the coverage says what it proves.
			d.rule, d.decider, d.viewStopped = ruleNothing, own, true
			d.verdict, d.confidence = VerdictUnverifiable, ConfidenceLow
			break
		}
		d.rule, d.decider = ruleOwnSignature, own
		d.verdict, d.confidence = VerdictAuthentic, capAuthentic(f, ownConf)
	case sealed != nil:
		d.rule, d.sealed = ruleSealer, sealed
		d.verdict, d.confidence = VerdictAuthentic, capAuthentic(f, ConfidenceMedium)
	default:
		if i := failingSignature(f, p); i >= 0 {
			d.rule, d.decider = ruleFailing, i
			d.verdict, d.confidence = VerdictAltered, alteredConfidence(&f.sigs[i])
		} else {
			d.rule = ruleNothing
			d.verdict, d.confidence = VerdictUnverifiable, ConfidenceLow
		}
	}
	switch {
	case d.sealed != nil:
		d.signer = d.sealed.signer
	case d.decider >= 0:
		d.signer = f.sigs[d.decider].Domain
	}
	if f.forced && d.confidence > ConfidenceLow {
		d.confidence = ConfidenceLow
	}
	d.coverage = decideCoverage(f, d)
	return d
}

// capAuthentic lowers an authentic verdict's confidence to medium when an
// mbox repair was needed (the tool cannot tell an escaped "From " line
// from a ">" someone added) or the From domain's name may imitate another.
func capAuthentic(f *facts, c Confidence) Confidence {
	if (f.mboxRepair() || f.from.idn.capsConfidence()) && c > ConfidenceMedium {
		return ConfidenceMedium
	}
	return c
}

// mboxRepair reports whether the chosen view is an mbox repair.
func (f *facts) mboxRepair() bool {
	return f.repair.code == "repair.mbox_unescaped" || f.repair.code == "repair.mbox_ambiguous"
}

// accepted reports whether sig can make a message authentic, apart from
// alignment and coverage: it passes with an algorithm the policy accepts.
func (p *policy) accepted(sig *SignatureResult) bool {
	return sig.Result == dkim.ResultPass && !(p.noSHA1 && sig.Algorithm == "rsa-sha1")
}

// provenPassers yields the aligned signatures that pass with an accepted
// algorithm: what they cover is proven, whatever the order of the
// signatures. Unaligned ones do not count: anyone can sign a message with a
// domain of their own.
func provenPassers(f *facts, p *policy) iter.Seq[*SignatureResult] {
	return func(yield func(*SignatureResult) bool) {
		for i := range f.sigs {
			if sig := &f.sigs[i]; sig.Aligned && p.accepted(sig) && !yield(sig) {
				return
			}
		}
	}
}

// provenField reports whether a proven passer signs the field name.
func provenField(f *facts, p *policy, name string) bool {
	for s := range provenPassers(f, p) {
		if signsField(&s.Signature, name) {
			return true
		}
	}
	return false
}

// provenAll reports whether a proven passer covers every instance of the
// field name: an extra instance another signature leaves out is signed.
func provenAll(f *facts, p *policy, name string) bool {
	for s := range provenPassers(f, p) {
		for _, fc := range s.Coverage {
			if fc.Name == name && fc.Count > 0 && fc.Count <= len(fc.Signed) {
				return true
			}
		}
	}
	return false
}

// bodyProven reports whether a proven passer covers the whole body: text
// past another signature's l= is then signed (a gateway that appends a
// footer and signs again).
func bodyProven(f *facts, p *policy) bool {
	for s := range provenPassers(f, p) {
		if s.UnsignedBodyBytes == 0 && bodyVerified(&s.Signature) {
			return true
		}
	}
	return false
}
