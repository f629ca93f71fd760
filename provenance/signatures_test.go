package provenance

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestAuthenticByAlignedPass: an aligned passing signature over From and
// the whole body makes a message authentic; key size, algorithm, l= and
// draft form grade the confidence, and what the policy refuses or an
// unaligned pass proves nothing.
func TestAuthenticByAlignedPass(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "aligned 2048-bit pass", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.pass"}, notCodes: []string{"dkim.unaligned", "header.unsigned_field"},
			summary: "sent as shown by example.com's mail system",
		},
		{
			name: "same organization", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("mail.example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, signer: "mail.example.com",
		},
		{
			name: "1024-bit key is medium", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(1024))}},
			verdict: VerdictAuthentic, confidence: ConfidenceMedium, signer: "example.com",
		},
		{
			name: "rsa-sha1 is medium", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.Algorithm = "rsa-sha1" })}},
			verdict: VerdictAuthentic, confidence: ConfidenceMedium, signer: "example.com", codes: []string{"dkim.sha1"},
		},
		{
			name: "rsa-sha1 refused by policy", raw: plainMsg, opts: &Options{NoSHA1: true},
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.Algorithm = "rsa-sha1" })}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow, codes: []string{"dkim.sha1_rejected"}, summary: "rsa-sha1",
		},
		{
			name: "ed25519 is high", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(256), func(s *dkim.Signature) { s.Algorithm = "ed25519-sha256" })}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, signer: "example.com",
		},
		{
			name: "l= covering the whole body is medium", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.BodyLength = 8 })}},
			verdict: VerdictAuthentic, confidence: ConfidenceMedium, signer: "example.com", codes: []string{"dkim.body_length_limit"},
		},
		{
			name: "draft signature is medium", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.Draft, s.Version = true, "" })}},
			verdict: VerdictAuthentic, confidence: ConfidenceMedium, codes: []string{"dkim.draft_signature"},
		},
		{
			name: "unaligned pass", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("unrelated.example")}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow, codes: []string{"dkim.pass", "dkim.unaligned"},
			summary: "only unrelated.example",
		},
		{
			name: "another signature fails beside an aligned pass", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("list.example", bodyMismatch), sig("example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.other_signature_fails"}, notCodes: []string{"dkim.body_hash_mismatch"},
		},
		{
			name: "expired x= is only noted", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) {
				s.Expires = time.Date(2016, 3, 8, 0, 0, 0, 0, time.UTC)
			})}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, codes: []string{"dkim.expired"},
		},
	})
}

// TestBodyLengthLimit: text past a signature's l= is appended after
// signing (altered), unless the policy allows a partial body or another
// aligned signature covers the whole body.
func TestBodyLengthLimit(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "rule 1: text past l=", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) {
				s.BodyLength, s.UnsignedBodyBytes = 4, 4
			})}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.text_past_body_length"}, notCodes: []string{"dkim.body_length_limit"}, summary: "appended",
		},
		{
			name: "partial body allowed by policy", raw: plainMsg, opts: &Options{AllowPartialBody: true},
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) {
				s.BodyLength, s.UnsignedBodyBytes = 4, 4
			})}},
			verdict: VerdictAuthentic, confidence: ConfidenceLow, signer: "example.com",
			codes: []string{"dkim.body_length_limit"}, notCodes: []string{"dkim.text_past_body_length"}, summary: "first 4 bytes",
		},
		{
			// A gateway appends a footer past the first signature's l= and
			// signs the whole body again.
			name: "text past one signature's l= that another aligned signature covers", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", func(s *dkim.Signature) { s.BodyLength, s.UnsignedBodyBytes = 2, 5 }),
				sig("example.com"),
			}},
			verdict: VerdictAuthentic, codes: []string{"dkim.body_length_limit"}, notCodes: []string{"dkim.text_past_body_length"},
		},
		{
			name: "text past l= covered only by an unaligned signature is still altered", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", func(s *dkim.Signature) { s.BodyLength, s.UnsignedBodyBytes = 2, 5 }),
				sig("evil.example"),
			}},
			verdict: VerdictAltered, codes: []string{"dkim.text_past_body_length"},
		},
	})
}

// TestAlteredByFailingSignature is rule 4: a signature whose key is on
// file and whose arithmetic fails proves a change, at high confidence
// when aligned and RSA, medium otherwise.
func TestAlteredByFailingSignature(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "rule 4: body changed, headers intact", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bodyMismatch)}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.body_hash_mismatch"}, summary: "the headers are as sent by example.com's mail system; the body was changed",
		},
		{
			name: "rule 4: header changed", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid)}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.header_signature_invalid"}, summary: "signature over the header no longer verifies",
		},
		{
			name: "rule 4: unaligned failing signature", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("list.example", bodyMismatch)}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, signer: "list.example",
		},
		{
			name: "rule 4: weak key arithmetic mismatch", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(512), bodyMismatch, withResult(dkim.ResultWeakKey))}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, codes: []string{"dkim.key_weak", "dkim.body_hash_mismatch"},
		},
		{
			name: "no key and a body mismatch is not rule 4", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })}},
			verdict: VerdictUnverifiable,
		},
		{
			name: "Ed25519 header failure over a matching body is medium (a rotated key looks the same)", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(256), headerInvalid,
				func(s *dkim.Signature) { s.Algorithm = "ed25519-sha256" })}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, codes: []string{"dkim.header_signature_invalid"},
			summary: "unless the key on file is a newer one under the same selector",
		},
		{
			name: "RSA header failure over a matching body stays high", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid)}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, summary: "was changed after signing.",
		},
	})
}

// TestSignaturesThatProveNothing: a key that is weak, testing, published,
// missing or revoked, an error, or no DKIM signature at all leaves the
// message unverifiable.
func TestSignaturesThatProveNothing(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "weak key that verifies", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(512), withResult(dkim.ResultWeakKey))}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow, codes: []string{"dkim.key_weak"}, summary: "512-bit",
		},
		{
			name: "testing key that verifies", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", withResult(dkim.ResultTestingKey))}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_testing"},
		},
		{
			name: "published key that verifies", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", withResult(dkim.ResultPublishedKey))}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_published"},
		},
		{
			name: "no key", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.Selector = "s2015" })}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.no_key"},
			summary: "the key for selector s2015 of example.com is not in your key archive; it may be in a public DKIM key archive",
		},
		{
			name: "revoked key", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, withResult(dkim.ResultRevoked))}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_revoked"},
		},
		{
			name: "permerror", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, withResult(dkim.ResultPermError), func(s *dkim.Signature) {
				s.Err = errors.New("dkim: key type does not match the signature algorithm")
			})}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.permerror"}, summary: "key type does not match",
		},
		{
			name: "temperror", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, withResult(dkim.ResultTempError))}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.temperror"},
		},
		{
			name: "no signature", raw: plainMsg,
			verdict: VerdictUnverifiable, confidence: ConfidenceLow, codes: []string{"dkim.none"}, summary: "no DKIM signature",
		},
		{
			name: "DomainKey-Signature without a key", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com", noKey)}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.no_key"}, notCodes: []string{"dkim.none"},
		},
	})
}

// TestKeyMismatchIsNotAltered: a key on file that cannot have made b=
// (a rotated selector) proves no change, and its bh= proves nothing.
func TestKeyMismatchIsNotAltered(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "key mismatch is not alteration", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid, keyMismatch)}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow,
			codes: []string{"dkim.key_mismatch"}, notCodes: []string{"dkim.header_signature_invalid", "dkim.body_hash_mismatch"},
			summary: "look for the older key",
		},
		{
			name: "key mismatch with a body mismatch: bh= proves nothing", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid, keyMismatch, bodyMismatch)}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_mismatch"}, notCodes: []string{"dkim.body_hash_mismatch"},
		},
		{
			name: "key-mismatched aligned signature beside a pass keeps the pass", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid, keyMismatch, signs("from", "to", "subject", "date", "message-id", "cc")),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAuthentic, codes: []string{"dkim.key_mismatch"}, notCodes: []string{"dkim.wider_signature_fails"},
		},
	})
}

// TestWiderSignatureFails: a failing signature that covers more than the
// passing one shows a change in what only it covers; one that covers
// nothing more, or whose key proves nothing, stays a caution.
func TestWiderSignatureFails(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "wider aligned signature fails: altered", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes:   []string{"dkim.wider_signature_fails", "dkim.header_signature_invalid"},
			summary: "one of To, Subject, Date and Message-ID was changed after signing",
		},
		{
			// Anyone can make a signature of their own domain fail: it puts
			// what it alone covers in doubt, and proves no change.
			name: "wider unaligned signature fails: unverifiable", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("news.example", headerInvalid),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow, signer: "example.com",
			codes: []string{"dkim.unaligned_signature_fails"}, notCodes: []string{"dkim.wider_signature_fails"},
			summary: "may have been changed",
		},
		{
			name: "wider signature with a published key proves nothing", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid, withResult(dkim.ResultPublishedKey)),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAuthentic, notCodes: []string{"dkim.wider_signature_fails"},
		},
		{
			name: "failing signature covering nothing more stays caution", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid, signs("from", "subject")),
				sig("example.com"),
			}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh,
			codes: []string{"dkim.other_signature_fails"}, notCodes: []string{"dkim.wider_signature_fails"},
		},
		{
			name: "body mismatch under a valid header beside a full pass stays caution", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", bodyMismatch),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAuthentic, codes: []string{"dkim.other_signature_fails"}, notCodes: []string{"dkim.wider_signature_fails"},
		},
		{
			name: "body mismatch past the passing signature's l= is altered", raw: plainMsg, opts: &Options{AllowPartialBody: true},
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", bodyMismatch),
				sig("example.com", func(s *dkim.Signature) { s.BodyLength, s.UnsignedBodyBytes = 2, 5 }),
			}},
			verdict: VerdictAltered, codes: []string{"dkim.wider_signature_fails"}, summary: "the body text past l=",
		},
		{
			// A covers the lot and passes, B covers From and passes, C
			// covers the lot and fails (made over an earlier Subject). A
			// vouches for what C covers, in either order.
			name: "a failure covered by another passing signature: narrow first", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", signs("from")), sig("example.com"), sig("example.com", headerInvalid),
			}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, notCodes: []string{"dkim.wider_signature_fails", "header.unsigned_field"},
		},
		{
			name: "a failure covered by another passing signature: wide first", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com"), sig("example.com", signs("from")), sig("example.com", headerInvalid),
			}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, notCodes: []string{"dkim.wider_signature_fails", "header.unsigned_field"},
		},
	})
}

// TestSignaturesPastTheCap: signatures past the cap were not checked, so
// a pass beside them is not authentic, and they are counted.
func TestSignaturesPastTheCap(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			// Junk signatures push the wider failing one past the cap; what
			// was not checked could show a change.
			name: "a passing signature with others past the cap is not authentic", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", signs("from", "date")), sig("example.com", noKey), sig("example.com", skipped),
			}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.skipped"}, summary: "more DKIM signatures than the cap",
		},
		{
			name: "signatures past the cap are counted", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid), sig("example.com", skipped), sig("example.com", skipped),
			}},
			verdict: VerdictAltered, codes: []string{"dkim.skipped"},
		},
	})
}

// TestSkippedSignaturesAreCounted: signatures past the cap are one
// caution item that says how many were not checked.
func TestSkippedSignaturesAreCounted(t *testing.T) {
	changed := bytes.Replace(signRaw(t, baseBytes(nil), "rsa2048", nil), []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
	for i := range 16 {
		changed = prepend(changed, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	a := checkCase(t, verdictCase{m: asEML(changed)})
	assert.NotEqual(t, VerdictAuthentic, a.Verdict, "never authentic")
	var skipped []Evidence
	for _, e := range a.Evidence {
		if e.Code == "dkim.skipped" {
			skipped = append(skipped, e)
		}
	}
	require.Len(t, skipped, 1, "one dkim.skipped item however many were skipped")
	assert.Equal(t, SeverityCaution, skipped[0].Severity, "skipped signatures are caution evidence")
	assert.Contains(t, skipped[0].Message, "1 signature past the cap of 16 was not checked", "the item counts them")
}

// TestUnusableKeyRecordListedFirst: a key archive holding a selector twice, once
// with a record that proves nothing (testing mode, private key published),
// listed first.
func TestUnusableKeyRecordListedFirst(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	good := signRaw(t, baseBytes(nil), "rsa2048", nil)
	rec := func(txt string, published bool) dkim.KeyRecord {
		r := dkim.KeyRecord{Domain: "example.com", Selector: "s2048", TXT: txt, Source: "testkeys"}
		if published {
			r.PrivateKeyPublished = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return r
	}
	for _, tt := range []struct {
		name string
		recs []dkim.KeyRecord
		code string
	}{
		{"published record first", []dkim.KeyRecord{rec(k.Record(), true), rec(k.Record(), false)}, "dkim.key_published"},
		{"testing record first", []dkim.KeyRecord{rec(k.Record()+"; t=y", false), rec(k.Record(), false)}, "dkim.key_testing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewChecker(&Options{Keys: dkim.NewKeyFile(tt.recs), Time: checkTime}).Check(t.Context(), asEML(good))
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "verdict; evidence %v; %s", codesOf(a), describeSigs(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence")
		})
	}
}

// TestRotatedKeyIsNotAltered: a selector reused for a newer key
// makes the key on file unable to have made the signature; that is no
// evidence of a change, with or without a receiver's record of a pass.
func TestRotatedKeyIsNotAltered(t *testing.T) {
	good := signRaw(t, baseBytes(nil), "rsa2048", nil)
	// The selector's newer key (rsa2048b) is the only one on file.
	rotated := dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: "s2048", TXT: testmail.MustKey("rsa2048b").Record(), Source: "dns"}})
	withAR := prepend(good, "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=s2048")
	for _, tt := range []struct {
		name string
		raw  []byte
	}{
		{"genuine message", good},
		{"genuine message with a receiver's dkim=pass", withAR},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewChecker(&Options{Keys: rotated, Time: checkTime}).Check(t.Context(), asEML(tt.raw))
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "another key under the same selector is not evidence of a change; summary %q; evidence %v; %s", a.Summary, codesOf(a), describeSigs(a))
			assert.Contains(t, codesOf(a), "dkim.key_mismatch", "the evidence names the key mismatch")
			assert.NotContains(t, codesOf(a), "dkim.header_signature_invalid", "no alteration evidence")
			assert.Contains(t, a.Summary, "older key", "the summary says what to look for")
		})
	}
	t.Run("control: the right key, a signed field changed", func(t *testing.T) {
		changed := bytes.Replace(good, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
		a := NewChecker(&Options{Keys: keysFor(), Time: checkTime}).Check(t.Context(), asEML(changed))
		require.NoError(t, a.Err, "Check")
		assert.Equal(t, VerdictAltered, a.Verdict, "a changed signed field under the right key is altered")
		assert.Equal(t, ConfidenceHigh, a.Confidence, "confidence of a changed signed field under the right key")
	})
}

// TestGarbageSignatureIsNotAlteration: a b= the named key never
// made turns nothing into "altered": the key on file cannot be told
// from a rotated one.
func TestGarbageSignatureIsNotAlteration(t *testing.T) {
	bogus := signRaw(t, baseBytes(nil), "rsa2048", &testmail.SignOptions{Signature: strings.Repeat("QUJD", 85) + "QQ=="})
	a := checkCase(t, verdictCase{m: asEML(bogus)})
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "a b= the key never made is not evidence of a change; evidence %v; %s", codesOf(a), describeSigs(a))
	assert.Contains(t, codesOf(a), "dkim.key_mismatch", "evidence")
}

// dk is sig for a DomainKey-Signature: rsa-sha1, one check in
// HeaderSignature, no body hash.
func dk(domain string, edits ...func(*dkim.Signature)) dkim.Signature {
	s := sig(domain, func(s *dkim.Signature) {
		s.Type, s.Algorithm, s.Canonicalization, s.Version = dkim.SignatureDomainKeys, "rsa-sha1", "nofws", ""
		s.BodyHash = dkim.BodyUnchecked
		s.Identity = "alice@" + domain
	})
	for _, e := range edits {
		e(&s)
	}
	return s
}

func dkInvalid(s *dkim.Signature) {
	s.HeaderSignature, s.Result, s.Err = dkim.HeaderInvalid, dkim.ResultFail, dkim.ErrHeaderSignature
}

// TestDomainKeys: a DomainKeys signature counts like a DKIM one, at medium
// confidence at most, and its failure with a key is alteration.
func TestDomainKeys(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "aligned pass: authentic at medium", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceMedium, signer: "example.com",
			codes: []string{"domainkeys.pass", "dkim.sha1"}, notCodes: []string{"dkim.none", "dkim.pass"},
		},
		{
			name: "pass under --no-sha1 counts for nothing", raw: plainMsg, opts: &Options{NoSHA1: true},
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com")}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.sha1_rejected"},
		},
		{
			name: "unaligned pass", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.net")}},
			verdict: VerdictUnverifiable, codes: []string{"domainkeys.pass", "dkim.unaligned"},
		},
		{
			name: "testing key", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com", withResult(dkim.ResultTestingKey))}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_testing"},
		},
		{
			// Its one hash over header and body cannot say the signature was
			// made for this message: one copied from another fails the same.
			name: "fails with a key: not tied, so unverifiable", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com", dkInvalid)}},
			verdict: VerdictUnverifiable, confidence: ConfidenceLow,
			codes: []string{"dkim.untied_signature_fails"}, notCodes: []string{"dkim.header_signature_invalid", "domainkeys.signature_invalid"},
		},
		{
			name: "key mismatch is not alteration", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com", dkInvalid, keyMismatch)}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.key_mismatch"}, notCodes: []string{"domainkeys.signature_invalid"},
		},
		{
			name: "sending-domain rule broken", raw: plainMsg,
			ver: dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com", func(s *dkim.Signature) {
				s.HeaderSignature, s.Result, s.Err = dkim.HeaderUnchecked, dkim.ResultPermError, dkim.ErrSendingDomain
			})}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.permerror"}, summary: "signed Sender",
		},
		{
			name: "DKIM pass beside it decides, at high", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}, DomainKeys: []dkim.Signature{dk("example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, codes: []string{"dkim.pass", "domainkeys.pass"},
		},
		{
			name: "failing DomainKeys beside a DKIM pass is no wider failure", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com", signs("from", "subject"))},
				DomainKeys: []dkim.Signature{dk("example.com", dkInvalid, signs("from", "to", "subject", "date", "message-id"))},
			},
			verdict: VerdictAuthentic, codes: []string{"dkim.untied_signature_fails"}, notCodes: []string{"dkim.wider_signature_fails"},
		},
		{
			name: "over the cap: never authentic", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.Signature{dk("example.com"), dk("example.com", skipped)}},
			verdict: VerdictUnverifiable, codes: []string{"dkim.skipped"},
		},
	})
}
