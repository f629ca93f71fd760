package provenance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// foreignSignature returns the DKIM-Signature field another message got
// from key: a signature anyone can copy from any public signed email.
func foreignSignature(t *testing.T, key string) string {
	t.Helper()
	other := testmail.Message{From: "Press Office <press@" + testmail.MustKey(key).Domain + ">", Subject: "Newsletter", Body: "This week's news.\n"}
	field, err := testmail.SignatureField(other.Bytes(), testmail.MustKey(key), nil)
	require.NoError(t, err, "SignatureField")
	return strings.TrimRight(field, "\r\n")
}

// TestCopiedSignatureProvesNothing: a DKIM-Signature copied from another
// message and pasted onto a genuine one (above or below its own, from the
// same domain or another, with the copied message's Authentication-Results
// beside it) fails over both its header and its body; it is not tied to
// this message, so it is caution evidence and the genuine message stays
// authentic. On a message with no signature of its own it leaves it
// unverifiable, never altered.
func TestCopiedSignatureProvesNothing(t *testing.T) {
	genuine := signed(t, baseMessage(), "rsa2048", nil)
	c := testChecker()
	for _, key := range []string{"rsa2048", "rsa2048b", "ed25519"} {
		foreign := foreignSignature(t, key)
		d := testmail.MustKey(key).Domain
		record := "Authentication-Results: mx.example.net; dkim=pass header.d=" + d + " header.s=" + testmail.MustKey(key).Selector
		for name, raw := range map[string][]byte{
			"on top":               prepend(genuine, foreign),
			"below its own":        insertBeforeBody(genuine, foreign),
			"with its record":      prepend(prepend(genuine, foreign), record),
			"twice, with a record": prepend(prepend(prepend(genuine, foreign), foreign), record),
		} {
			t.Run(key+" "+name, func(t *testing.T) {
				a := c.Check(t.Context(), eml("genuine.eml", raw))
				assertWellFormed(t, a)
				assert.Equal(t, VerdictAuthentic, a.Verdict, "a copied signature does not discredit a genuine message; summary %q; evidence %v", a.Summary, codesOf(a))
				assert.Equal(t, ConfidenceHigh, a.Confidence, "nor lower its confidence")
				assert.Contains(t, codesOf(a), "dkim.untied_signature_fails", "the copied signature is named")
				assert.NotContains(t, codesOf(a), "dkim.header_signature_invalid", "no alteration evidence")
				assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "the copied record proves no change")
			})
		}
		t.Run(key+" on an unsigned message", func(t *testing.T) {
			a := c.Check(t.Context(), eml("unsigned.eml", prepend(prepend(baseMessage().Bytes(), foreign), record)))
			assertWellFormed(t, a)
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, a.Summary, "copied from another message", "the summary says why it proves nothing")
		})
	}
}

// TestTiedFailuresStillCount: a failure that is tied to the message (the
// header signature holds and the body changed; the body matches and a
// signed field changed; a passing signature covers the failing one) is
// still alteration.
func TestTiedFailuresStillCount(t *testing.T) {
	c := NewChecker(&Options{Keys: keysFor("example.com"), Time: checkTime})
	genuine := signed(t, baseMessage(), "rsa2048", nil)
	bodyChanged := []byte(strings.Replace(string(genuine), "usual account", "new account", 1))
	subjectChanged := []byte(strings.Replace(string(genuine), "Subject: Deposit", "Subject: Deposit now", 1))
	// example.com signs again with its first signature in h= (a gateway);
	// then, as if both halves of the first failed, the second ties it.
	inner := signed(t, baseMessage(), "rsa2048", nil)
	outer := signAs(t, inner, "example.com", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "dkim-signature"}})
	// The same, signed by another domain: that does not tie it.
	byOther := signRaw(t, inner, "rsa2048b", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "dkim-signature"}})
	for _, tt := range []struct {
		name string
		raw  []byte
		code string
	}{
		{"body changed under a valid header signature", bodyChanged, "dkim.body_hash_mismatch"},
		{"signed field changed over a matching body", subjectChanged, "dkim.header_signature_invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), eml("m.eml", tt.raw))
			assert.Equal(t, VerdictAltered, a.Verdict, "summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence")
		})
	}
	f, _ := gatherFor(t, c, byOther)
	require.Len(t, f.sigs, 2, "two signatures")
	for i := range f.sigs {
		if f.sigs[i].Domain == "example.com" {
			f.sigs[i].HeaderSignature, f.sigs[i].BodyHash = dkim.HeaderInvalid, dkim.BodyMismatch
			assert.False(t, tied(f, &c.policy, &f.sigs[i]), "an unaligned domain's signature does not tie it")
		}
	}
	f, _ = gatherFor(t, c, outer)
	require.Len(t, f.sigs, 2, "two signatures")
	for i := range f.sigs {
		if f.sigs[i].Selector == "s2048" {
			assert.False(t, tied(f, &c.policy, &SignatureResult{Signature: dkim.Signature{Index: 99, HeaderSignature: dkim.HeaderInvalid, BodyHash: dkim.BodyMismatch}}),
				"a failing signature no passing one covers is not tied")
			// As if both halves failed: example.org's passing signature
			// covers this DKIM-Signature field, so it is still tied.
			f.sigs[i].HeaderSignature, f.sigs[i].BodyHash = dkim.HeaderInvalid, dkim.BodyMismatch
			assert.True(t, tied(f, &c.policy, &f.sigs[i]), "a signature another passing signature covers is tied")
		}
	}
}

// gatherFor gathers the facts of raw and decides them.
func gatherFor(t *testing.T, c *Checker, raw []byte) (*facts, *decision) {
	t.Helper()
	m := eml("m.eml", raw)
	primary := (&Checker{}).primaryView(m)
	ver, err := verify(t.Context(), primary.header(), c.dkimOptions(checkTime))
	require.NoError(t, err, "verify")
	f, err := gather(t.Context(), m, primary, primary, ver, false, checkTime, c.dkimOptions(checkTime))
	require.NoError(t, err, "gather")
	return f, decide(f, &c.policy)
}

// TestSealerNeedsAnAcceptableKey: a trusted sealer's record of a pass makes
// a message authentic only when the recorded signature's key, checked now,
// is one the policy accepts: not a testing, published, weak or revoked key.
func TestSealerNeedsAnAcceptableKey(t *testing.T) {
	for _, tt := range []struct {
		name, key, domain, selector string
		minBits                     int
	}{
		{"published key", "rsa2048p", "example.com", "leaked", 0},
		{"testing key", "rsa2048", "example.com", "testing", 0},
		{"weak key", "rsa512", "example.com", "weak", 0},
		{"key under the policy minimum", "rsa1024", "news.example", "s1024", 2048},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := testmail.Message{From: "Alice <alice@" + tt.domain + ">", Subject: "Deposit", Body: adversarialBody}
			signedMsg := signed(t, msg, tt.key, &testmail.SignOptions{Domain: tt.domain, Selector: tt.selector})
			listed := append(signedMsg, "-- \r\nlist footer\r\n"...)
			sealed := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=" + tt.domain + " header.s=" + tt.selector})
			opts := &Options{Keys: keysFor(), Time: checkTime, TrustedSealers: []string{"example.org"}, MinRSABits: tt.minBits}
			a := NewChecker(opts).Check(t.Context(), eml("sealed.eml", sealed))
			assertWellFormed(t, a)
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "a sealer's word for an unusable key makes nothing authentic; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.NotContains(t, codesOf(a), "arc.trusted_sealer", "the record is not relied on")
		})
	}
	// The same chain for a key the policy accepts is authentic on the
	// sealer's word: the check above is not what stops every sealed message.
	msg := testmail.Message{From: "Alice <alice@example.com>", Subject: "Deposit", Body: adversarialBody}
	listed := append(signed(t, msg, "rsa2048", nil), "-- \r\nlist footer\r\n"...)
	sealed := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	a := NewChecker(&Options{Keys: keysFor(), Time: checkTime, TrustedSealers: []string{"example.org"}}).Check(t.Context(), eml("sealed.eml", sealed))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "an acceptable key: authentic on the sealer's word; evidence %v", codesOf(a))
}

// TestSenderAndThreadingFieldsAreWeighed: a Sender (shown as "on behalf
// of"), Bcc or threading field the signature does not cover is named, and
// an unsigned extra instance of one the signature covers is alteration.
func TestSenderAndThreadingFieldsAreWeighed(t *testing.T) {
	c := testChecker()
	genuine := signed(t, baseMessage(), "rsa2048", nil)
	for _, tt := range []struct{ field, words string }{
		{"Sender: Chief Executive <ceo@example.com>", "on behalf of"},
		{"Bcc: press@example.net", "Bcc is not covered"},
		{"In-Reply-To: <other-thread@example.com>", "thread"},
		{"References: <other-thread@example.com>", "thread"},
	} {
		t.Run(tt.field, func(t *testing.T) {
			a := c.Check(t.Context(), eml("m.eml", prepend(genuine, tt.field)))
			assertWellFormed(t, a)
			require.Equal(t, VerdictAuthentic, a.Verdict, "an unsigned extra field does not hide the signed ones")
			found := false
			for _, e := range a.Evidence {
				found = found || e.Code == "header.unsigned_field" && strings.Contains(e.Message, tt.words)
			}
			assert.True(t, found, "the unsigned field is named (%q); evidence %v", tt.words, a.Evidence)
		})
	}
	withSender := withField(baseMessage(), "Sender", "Alice Example <alice@example.com>")
	h := append(testmail.DefaultHeaders(), "sender")
	signedSender := signed(t, withSender, "rsa2048", &testmail.SignOptions{Headers: h})
	a := c.Check(t.Context(), eml("m.eml", prepend(signedSender, "Sender: Chief Executive <ceo@example.com>")))
	assert.Equal(t, VerdictAltered, a.Verdict, "an unsigned Sender above a signed one; evidence %v", codesOf(a))
	assert.Contains(t, codesOf(a), "header.unsigned_duplicate_sender", "evidence")
}

// TestOwnDomainSignatureProvesNoChange: anyone can sign a genuine message
// with a domain of their own so that the signature fails (made for these
// headers over another body, so it is tied by its valid header signature),
// and plant a receiver's record of a pass beside it. That proves nothing:
// the message stays authentic with the records named as caution, and when
// the failing signature covers a field the From domain's does not, that
// field is in doubt (unverifiable), never altered.
func TestOwnDomainSignatureProvesNoChange(t *testing.T) {
	c := NewChecker(&Options{Keys: keysFor("attacker.example"), Time: checkTime})
	// The attacker signs a message that differs from this one in the body
	// (or, with subject set, in the Subject) with a domain of its own.
	attackerSig := func(t *testing.T, headers []string, subject string) string {
		t.Helper()
		other := baseMessage()
		if subject != "" {
			other.Subject = subject
		} else {
			other.Body = "A body the attacker chose.\n"
		}
		field, err := testmail.SignatureField(other.Bytes(), testmail.MustKey("rsa2048"),
			&testmail.SignOptions{Domain: "attacker.example", Selector: extraSelector, Headers: headers})
		require.NoError(t, err, "SignatureField")
		return strings.TrimRight(field, "\r\n")
	}
	record := "Authentication-Results: mx.example.net; dkim=pass header.d=attacker.example header.s=" + extraSelector

	genuine := signed(t, baseMessage(), "rsa2048", nil)
	a := c.Check(t.Context(), eml("m.eml", prepend(prepend(genuine, attackerSig(t, nil, "")), record)))
	assertWellFormed(t, a)
	assert.Equal(t, VerdictAuthentic, a.Verdict, "a planted signature and record do not discredit a genuine message; summary %q; evidence %v", a.Summary, codesOf(a))
	assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "the planted record proves no change")
	assert.Contains(t, codesOf(a), "authres.pass_not_tied", "the planted record is named")

	fromOnly := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Headers: []string{"from"}})
	a = c.Check(t.Context(), eml("m.eml", prepend(prepend(fromOnly, attackerSig(t, []string{"from", "subject"}, "Something else")), record)))
	assertWellFormed(t, a)
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "a field only the attacker's signature covers is in doubt; summary %q; evidence %v", a.Summary, codesOf(a))
	assert.Contains(t, a.Summary, "may have been changed", "the summary says the field is in doubt")
	assert.Contains(t, codesOf(a), "dkim.unaligned_signature_fails", "the failing signature is named")
}
