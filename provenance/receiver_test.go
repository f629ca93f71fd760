package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/dkim"
)

// TestReceiverRecords: a receiver's or ARC sealer's record of a pass for
// a signature that fails now shows a change after receipt; a record for a
// signature that still passes, that no signature matches, or whose key
// does not match is only noted.
func TestReceiverRecords(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "receiver recorded pass for a signature that fails now (no key needed for the body)",
			raw:  "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s1 header.b=AbCdEfGh\r\n" + plainMsg,
			ver:  dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })}},
			// Without a key nothing ties the signature to this message: it
			// and the record could both have been copied from another.
			verdict: VerdictUnverifiable, confidence: ConfidenceLow,
			codes: []string{"authres.pass_not_tied"}, summary: "not in your key archive",
		},
		{
			name:    "receiver recorded pass for a signature that still passes",
			raw:     "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, codes: []string{"authres.recorded"}, notCodes: []string{"authres.pass_now_fails"},
		},
		{
			name:    "planted Authentication-Results on an unsigned message",
			raw:     "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=ZZZZZZZZZZ\r\n" + plainMsg,
			verdict: VerdictUnverifiable, codes: []string{"authres.unmatched_pass", "dkim.none"},
		},
		{
			name:    "untrusted ARC sealer recorded pass for a signature that fails now",
			raw:     "ARC-Authentication-Results: i=1; mx.example.org; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })}},
			verdict: VerdictUnverifiable, codes: []string{"authres.pass_not_tied"}, summary: "not in your key archive",
		},
		{
			name:    "receiver's pass for a key-mismatched signature is not rule 1",
			raw:     "Authentication-Results: mx.google.com; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid, keyMismatch)}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_mismatch", "authres.recorded"}, notCodes: []string{"authres.pass_now_fails"},
		},
		{
			name:    "control: receiver's pass for a genuinely invalid signature is rule 1",
			raw:     "Authentication-Results: mx.google.com; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid)}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, codes: []string{"authres.pass_now_fails"},
		},
		{
			// A receiver's record of a pass does not make the Ed25519
			// ambiguity a proven change after receipt.
			name: "Ed25519 header failure with a receiver's record of a pass stays medium", raw: "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(256), headerInvalid,
				func(s *dkim.Signature) { s.Algorithm = "ed25519-sha256" })}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, notCodes: []string{"authres.pass_now_fails"},
		},
	})
}

// TestPlantedRecordForJunkSignature: a planted Authentication-Results that
// records dkim=pass for a junk signature with no key (its bh= matches
// nothing) must not turn a genuine message, whose aligned signature passes
// over the whole body, into altered. The record still counts when
// nothing proves the body.
func TestPlantedRecordForJunkSignature(t *testing.T) {
	genuine := signed(t, baseMessage(), "rsa2048", nil)
	junk := "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=x; h=from; bh=" +
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"
	planted := "Authentication-Results: mx.example.net; dkim=pass header.d=esp.example header.s=x"
	a := testChecker().Check(t.Context(), eml("planted.eml", prepend(prepend(genuine, junk), planted)))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
	assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "the record is contradicted by example.com's passing signature")

	// Without a passing aligned signature the record is the only evidence,
	// and it is about a signature nothing ties to this message: the junk
	// signature and its record were planted together.
	unsigned := baseMessage().Bytes()
	a = testChecker().Check(t.Context(), eml("record-only.eml", prepend(prepend(unsigned, junk), planted)))
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
	assert.Contains(t, codesOf(a), "authres.pass_not_tied", "the record of a pass for a signature not tied to the message")
	assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "a planted record proves no change")
}
