package provenance

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestTrustedSealer is verdict rule 2 and the untrusted half of rule 1, on
// chains made by the test sealer: a list changed the body after the
// author signed it, then sealed what it had seen on arrival.
func TestTrustedSealer(t *testing.T) {
	signedMsg := signed(t, baseMessage(), "rsa2048", nil)
	listed := append(bytes.Clone(signedMsg), "-- \r\nSent through the board list\r\n"...)
	seal := func(msg []byte, aar string) []byte {
		return sealWith(t, msg, &testmail.SealOptions{AuthResults: aar})
	}
	recordedPass := "mx.example.org; dkim=pass header.d=example.com header.s=s2048"
	sealed := seal(listed, recordedPass)
	for _, tt := range []struct {
		name    string
		trusted []string
		raw     []byte
		verdict Verdict
		conf    Confidence
		code    string
		summary string
	}{
		{"trusted sealer vouches", []string{"EXAMPLE.org"}, sealed, VerdictAuthentic, ConfidenceMedium, "arc.trusted_sealer", "on the word of example.org"},
		{"untrusted sealer: recorded pass now fails", nil, sealed, VerdictAltered, ConfidenceHigh, "arc.aar_pass_now_fails", "ARC sealer"},
		{"trusted sealer, but changed after sealing", []string{"example.org"},
			bytes.Replace(sealed, []byte("usual account"), []byte("other account"), 1), VerdictAltered, ConfidenceNone, "arc.chain_fail", ""},
		{"trusted sealer records an unaligned pass", []string{"example.org"},
			seal(listed, "mx.example.org; dkim=pass header.d=evil.example"), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
		{"trusted sealer whose message signature does not cover From", []string{"example.org"},
			sealWith(t, listed, &testmail.SealOptions{AuthResults: recordedPass, Headers: []string{"to", "subject", "date"}}), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
		{"trusted sealer records a fail", []string{"example.org"},
			seal(listed, "mx.example.org; dkim=fail header.d=example.com"), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, TrustedSealers: tt.trusted})
			a := c.Check(t.Context(), eml("arc.eml", tt.raw))
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.Equal(t, tt.verdict, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			if tt.conf != ConfidenceNone {
				assert.Equal(t, tt.conf, a.Confidence, "confidence")
			}
			assert.Contains(t, codesOf(a), tt.code, "evidence")
			assert.Contains(t, a.Summary, tt.summary, "summary")
			assert.NotEqual(t, arc.ChainNone, a.ARC.Chain, "the ARC chain is reported")
			if a.Verdict == VerdictAuthentic {
				assert.Equal(t, "example.com", a.Signer, "the signer is the recorded aligned d=")
				assert.Contains(t, a.Summary, "fails now", "the summary names what differs now")
			}
		})
	}
}

// TestTrustedSealerBodyCoverage: when a trusted sealer's record decides and
// the aligned signature's body hash fails now (a list footer), the body is
// only partly the sender's.
func TestTrustedSealerBodyCoverage(t *testing.T) {
	good := signed(t, baseMessage(), "rsa2048", nil)
	listed := append(bytes.Clone(good), "-- \r\nlist footer\r\n"...)
	sealed := testmail.MustSeal(listed, testmail.MustKey("rsa2048b"), &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, TrustedSealers: []string{"example.org"}})
	a := c.Check(t.Context(), eml("listed.eml", sealed))
	require.Equal(t, VerdictAuthentic, a.Verdict, "the list footer case rests on the sealer; summary: %s", a.Summary)
	assert.Equal(t, BodyPartial, a.Coverage.Body, "the footer is not the sender's")
	for _, e := range a.Evidence {
		if e.Code == "dkim.other_signature_fails" {
			assert.NotContains(t, e.Message, "another aligned signature verifies", "no such signature here")
		}
	}
}

// TestOwnSignatureBeatsTrustedSeal: when the message's own aligned
// signature passes, it decides (rule 3, high confidence), even if a
// trusted sealer also sealed it.
func TestOwnSignatureBeatsTrustedSeal(t *testing.T) {
	good := signRaw(t, baseBytes(nil), "rsa2048", nil)
	sealed := sealWithKey(t, good, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	a := checkCase(t, verdictCase{m: asEML(sealed), trusted: []string{"example.org"}})
	assert.Equal(t, VerdictAuthentic, a.Verdict, "verdict; evidence %v", codesOf(a))
	assert.Equal(t, ConfidenceHigh, a.Confidence, "the message's own signature decides at high confidence")
	assert.NotContains(t, codesOf(a), "arc.trusted_sealer", "the verdict does not rest on the sealer's word")
	assert.Contains(t, a.Summary, "example.com's mail system", "the summary names the signer, not the sealer")
}

// TestTrustedSealerExplainsItsOwnChanges: a mailing list's own mail server
// recorded a pass for the author's signature, then the list added its
// footer and sealed the message. With the list trusted, that record speaks
// of the message before the change the sealer vouches for: it is no
// evidence of alteration.
func TestTrustedSealerExplainsItsOwnChanges(t *testing.T) {
	good := signed(t, baseMessage(), "rsa2048", nil)
	received := prepend(good, "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048")
	listed := append(bytes.Clone(received), "-- \r\nlist footer\r\n"...)
	sealed := testmail.MustSeal(listed, testmail.MustKey("rsa2048b"), &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	trusting := NewChecker(&Options{Keys: testKeys(), Time: checkTime, TrustedSealers: []string{"example.org"}})
	a := trusting.Check(t.Context(), eml("listed.eml", sealed))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "the list's record before sealing is explained by the trusted sealer; summary %q; evidence %v", a.Summary, codesOf(a))
	assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "no alteration evidence")
	// The same record added after sealing is a change after sealing.
	after := prepend(sealed, "Authentication-Results: mx.example.net; dkim=pass header.d=example.com header.s=s2048")
	a = trusting.Check(t.Context(), eml("after.eml", after))
	assert.Equal(t, VerdictAltered, a.Verdict, "a record written after sealing still counts; evidence %v", codesOf(a))
}
