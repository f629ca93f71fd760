package provenance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
)

// checkTime is the fixed time of every check in these tests.
var checkTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const plainMsg = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Figures\r\n" +
	"Date: Tue, 1 Mar 2016 10:00:00 +0100\r\nMessage-ID: <abc@example.com>\r\n\r\nHello.\r\n"

// sig returns a passing signature by domain over plainMsg's fields with a
// 2048-bit RSA key, edited by the functions given.
func sig(domain string, edits ...func(*dkim.Signature)) dkim.Signature {
	s := dkim.Signature{
		Domain: domain, Selector: "s1", Algorithm: "rsa-sha256", Canonicalization: "relaxed/relaxed", Version: "1",
		HeaderSignature: dkim.HeaderValid, BodyHash: dkim.BodyMatch, Result: dkim.ResultPass,
		KeyBits: 2048, KeySource: "keys.jsonl",
		SignedHeaders: []string{"from", "to", "subject", "date", "message-id"},
		BodyLength:    -1,
		B:             "AbCdEfGhIjKlMnOp" + domain,
	}
	for _, n := range s.SignedHeaders {
		s.Coverage = append(s.Coverage, dkim.FieldCoverage{Name: n, Count: 1, Signed: []int{1}})
	}
	for _, e := range edits {
		e(&s)
	}
	return s
}

func bodyMismatch(s *dkim.Signature) { s.BodyHash, s.Result = dkim.BodyMismatch, dkim.ResultFail }
func headerInvalid(s *dkim.Signature) {
	s.HeaderSignature, s.Result = dkim.HeaderInvalid, dkim.ResultFail
}
func withResult(r dkim.Result) func(*dkim.Signature) {
	return func(s *dkim.Signature) { s.Result = r }
}
func noKey(s *dkim.Signature) {
	s.HeaderSignature, s.BodyHash, s.Result, s.KeyBits, s.KeySource = dkim.HeaderUnchecked, dkim.BodyUnchecked, dkim.ResultNoKey, 0, ""
}
func keyMismatch(s *dkim.Signature) { s.KeyMismatch = true }
func skipped(s *dkim.Signature) {
	s.HeaderSignature, s.BodyHash, s.Result, s.KeyBits, s.KeySource = dkim.HeaderUnchecked, dkim.BodyUnchecked, dkim.ResultSkipped, 0, ""
}

// signs replaces h= (and its coverage) with names, each once in the header.
func signs(names ...string) func(*dkim.Signature) {
	return func(s *dkim.Signature) {
		s.SignedHeaders, s.Coverage = names, nil
		for _, n := range names {
			s.Coverage = append(s.Coverage, dkim.FieldCoverage{Name: n, Count: 1, Signed: []int{1}})
		}
	}
}
func bits(n int) func(*dkim.Signature) { return func(s *dkim.Signature) { s.KeyBits = n } }
func coverage(name string, count int, signed ...int) func(*dkim.Signature) {
	return func(s *dkim.Signature) {
		for i := range s.Coverage {
			if s.Coverage[i].Name == name {
				s.Coverage[i] = dkim.FieldCoverage{Name: name, Count: count, Signed: signed}
			}
		}
	}
}

// judgeSynthetic runs the verdict stage on raw with a made-up dkim result,
// so that each rule is tested apart from the verifier.
func judgeSynthetic(t *testing.T, opts *Options, raw string, ver *dkim.Verification) *Assessment {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	opts.Time = checkTime
	c := NewChecker(opts)
	m := &archive.Message{File: "t.eml", Index: 1, Format: "eml", Raw: []byte(raw)}
	a := newAssessment(m)
	primary := primaryView(m)
	f, err := gather(t.Context(), m, primary, primary, ver, false, checkTime, c.dkimOptions(checkTime))
	require.NoError(t, err, "gather")
	write(a, f, &c.policy, decide(f, &c.policy))
	assertWellFormed(t, a)
	return a
}

// assertWellFormed checks what holds for every assessment: registered
// codes with their registered severity, one summary sentence, an
// explanation, a decider only when a signature decided.
func assertWellFormed(t *testing.T, a *Assessment) {
	t.Helper()
	for _, e := range a.Evidence {
		info, ok := LookupCode(e.Code)
		if assert.True(t, ok, "evidence code %q is registered", e.Code) {
			assert.Equal(t, info.Severity, e.Severity, "severity of %q is the registered one", e.Code)
		}
		assert.NotEmpty(t, e.Message, "evidence %q has a message", e.Code)
		assert.True(t, strings.HasSuffix(e.Message, "."), "evidence %q message is a sentence: %q", e.Code, e.Message)
	}
	if a.Err == nil {
		assert.NotEmpty(t, a.Summary, "summary is set")
		assert.True(t, strings.HasSuffix(a.Summary, "."), "summary is one sentence: %q", a.Summary)
		assert.NotEmpty(t, a.Explanation, "explanation is set")
		assert.NotEqual(t, VerdictNone, a.Verdict, "a readable message has a verdict")
		assert.Len(t, a.Coverage.Fields, len(DisplayedFields), "coverage lists every displayed field")
	}
	if a.Verdict == VerdictAuthentic {
		rest := strings.ReplaceAll(strings.ToLower(a.Summary), "not that the content is true", "")
		assert.NotContains(t, rest, "true", "authentic never claims truth: %q", a.Summary)
		assert.Contains(t, strings.ToLower(a.Summary), "not that the content is true", "authentic says what it does not prove: %q", a.Summary)
	}
}

func codesOf(a *Assessment) []string {
	var out []string
	for _, e := range a.Evidence {
		out = append(out, e.Code)
	}
	return out
}

func TestVerdictRules(t *testing.T) {
	twoFrom := "From: Mallory <ceo@example.com>\r\n" + plainMsg
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	for _, tt := range []struct {
		name       string
		opts       *Options
		raw        string
		ver        dkim.Verification
		verdict    Verdict
		confidence Confidence
		signer     string
		codes      []string // must be present
		notCodes   []string // must be absent
		summary    string   // substring of the summary
	}{
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
			name: "rule 1: unsigned extra From above the signed one", raw: twoFrom,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", coverage("from", 2, 2))}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"header.unsigned_duplicate_from"}, summary: "From field was added",
		},
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
			name: "no key and a body mismatch is not rule 4", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })}},
			verdict: VerdictUnverifiable,
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
			name:    "two mailboxes in From",
			raw:     strings.Replace(plainMsg, "From: Alice <alice@example.com>", "From: alice@example.com, mallory@example.com", 1),
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictUnverifiable, codes: []string{"identity.from_not_single_mailbox"}, summary: "not exactly one mailbox",
		},
		{
			name: "From with a space before the colon", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingSpaceBeforeColon, Name: "from", Offset: 0}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.space_before_colon"}, summary: "malformed",
		},
		{
			name: "leading whitespace", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingLeadingWhitespace, Name: "from"}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.leading_whitespace"},
		},
		{
			name: "a finding on an undisplayed field does not block", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingSpaceBeforeColon, Name: "x-mailer"}},
			},
			verdict: VerdictAuthentic, codes: []string{"header.space_before_colon"},
		},
		{
			name: "another signature fails beside an aligned pass", raw: plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("list.example", bodyMismatch), sig("example.com")}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"dkim.other_signature_fails"}, notCodes: []string{"dkim.body_hash_mismatch"},
		},
		{
			name: "Cc present and unsigned", raw: withCc,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, codes: []string{"header.unsigned_field"},
		},
		{
			name:    "mailbox provider proves the account",
			raw:     strings.Replace(plainMsg, "alice@example.com", "alice@gmail.com", 1),
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("gmail.com")}},
			verdict: VerdictAuthentic, codes: []string{"identity.mailbox_provider"}, summary: "proves the account, not the person",
		},
		{
			name:    "platform mail",
			raw:     strings.Replace(plainMsg, "Alice <alice@example.com>", "Google Alerts <googlealerts-noreply@google.com>", 1),
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("google.com")}},
			verdict: VerdictAuthentic, codes: []string{"identity.platform_mail"}, summary: "generated by google.com's systems",
		},
		{
			name: "DomainKey-Signature only", raw: plainMsg,
			ver:     dkim.Verification{DomainKeys: []dkim.DomainKey{{Domain: "example.com", Selector: "dk"}}},
			verdict: VerdictUnverifiable, codes: []string{"domainkeys.present", "dkim.none"},
		},
		{
			name:    "receiver recorded pass for a signature that fails now (no key needed for the body)",
			raw:     "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s1 header.b=AbCdEfGh\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"authres.pass_now_fails"}, summary: "changed after it was received",
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
			verdict: VerdictAltered, codes: []string{"arc.aar_pass_now_fails"}, summary: "ARC sealer",
		},
		{
			name: "Received hops out of order are noted",
			raw: "Received: from b.example by c.example; Tue, 1 Mar 2016 08:00:00 +0000\r\n" +
				"Received: from a.example by b.example; Tue, 1 Mar 2016 09:10:00 +0000\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, codes: []string{"received.out_of_order"},
		},
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
			name: "key-mismatched aligned signature beside a pass keeps the pass", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("example.com", headerInvalid, keyMismatch, signs("from", "to", "subject", "date", "message-id", "cc")),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAuthentic, codes: []string{"dkim.key_mismatch"}, notCodes: []string{"dkim.wider_signature_fails"},
		},
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
			name: "wider unaligned signature fails: altered, medium", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{
				sig("news.example", headerInvalid),
				sig("example.com", signs("from")),
			}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, signer: "news.example",
			codes: []string{"dkim.wider_signature_fails"},
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
			// Red team 4, R1: A covers the lot and passes, B covers From
			// and passes, C covers the lot and fails (made over an earlier
			// Subject). A vouches for what C covers, in either order.
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
		{
			// Red team 4, R5: a gateway appends a footer past the first
			// signature's l= and signs the whole body again.
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
		{
			// Red team 4, R2: junk signatures push the wider failing one
			// past the cap; what was not checked could show a change.
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
		{
			// Red team 8, B2: a receiver's record of a pass does not make
			// the Ed25519 ambiguity a proven change after receipt.
			name: "Ed25519 header failure with a receiver's record of a pass stays medium", raw: "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s1\r\n" + plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bits(256), headerInvalid,
				func(s *dkim.Signature) { s.Algorithm = "ed25519-sha256" })}},
			verdict: VerdictAltered, confidence: ConfidenceMedium, notCodes: []string{"authres.pass_now_fails"},
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
		{
			name: "expired x= is only noted", raw: plainMsg,
			ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) {
				s.Expires = time.Date(2016, 3, 8, 0, 0, 0, 0, time.UTC)
			})}},
			verdict: VerdictAuthentic, confidence: ConfidenceHigh, codes: []string{"dkim.expired"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := judgeSynthetic(t, tt.opts, tt.raw, &tt.ver)
			assert.Equal(t, tt.verdict, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			if tt.confidence != ConfidenceNone {
				assert.Equal(t, tt.confidence, a.Confidence, "confidence")
			}
			if tt.signer != "" {
				assert.Equal(t, tt.signer, a.Signer, "deciding signer")
			}
			for _, c := range tt.codes {
				assert.Contains(t, codesOf(a), c, "evidence includes %s", c)
			}
			for _, c := range tt.notCodes {
				assert.NotContains(t, codesOf(a), c, "evidence excludes %s", c)
			}
			if tt.summary != "" {
				assert.Contains(t, a.Summary, tt.summary, "summary")
			}
		})
	}
}

func TestCoverageFields(t *testing.T) {
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	a := judgeSynthetic(t, nil, withCc, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}})
	require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: authentic")
	want := map[string]FieldStatus{
		"from": FieldSigned, "to": FieldSigned, "cc": FieldUnsigned, "subject": FieldSigned,
		"date": FieldSigned, "message_id": FieldSigned, "reply_to": FieldAbsent,
	}
	assert.Equal(t, want, a.Coverage.Fields, "coverage.fields")
	assert.Equal(t, BodyFull, a.Coverage.Body, "coverage.body")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bodyMismatch)}})
	assert.Equal(t, BodyNone, a.Coverage.Body, "a changed body is not covered")
	assert.Equal(t, FieldSigned, a.Coverage.Fields["from"], "the header signature still holds for From")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid)}})
	assert.Equal(t, BodyNone, a.Coverage.Body, "a body matching bh= under a broken header signature is not proven")
	assert.Equal(t, FieldUnsigned, a.Coverage.Fields["from"], "a broken header signature proves no field")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{})
	assert.Equal(t, BodyUndecided, a.Coverage.Body, "no deciding signature: undecided body coverage")
	assert.Equal(t, FieldNone, a.Coverage.Fields["from"], "no deciding signature: empty field status")
}

func TestMessageFields(t *testing.T) {
	raw := "From: =?utf-8?q?J=C3=BCrgen?= <JUERGEN@Example.COM>\r\nSubject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n" +
		"Date: Tue, 1 Mar 2016 10:00:00 +0530\r\nMessage-ID:  <x.y@example.com> \r\n\r\nHi\r\n"
	a := judgeSynthetic(t, nil, raw, &dkim.Verification{})
	assert.Equal(t, "Jürgen <JUERGEN@Example.COM>", a.From, "From is decoded")
	assert.Equal(t, "juergen@example.com", a.FromAddress, "from_address is the lower-cased addr-spec")
	assert.Equal(t, "Grüße", a.Subject, "Subject is decoded")
	assert.Equal(t, "x.y@example.com", a.MessageID, "Message-ID without brackets")
	assert.Equal(t, "2016-03-01T10:00:00+05:30", a.Date.Format(time.RFC3339), "Date keeps its offset")

	a = judgeSynthetic(t, nil, strings.Replace(plainMsg, "Tue, 1 Mar 2016 10:00:00 +0100", "Tue Mar  1 10:00:00 2016 +0100", 1), &dkim.Verification{})
	assert.Equal(t, "2016-03-01T10:00:00+01:00", a.Date.Format(time.RFC3339), "a date in asctime order is read leniently")

	a = judgeSynthetic(t, nil, "Subject: x\r\n\r\nbody\r\n", &dkim.Verification{})
	assert.Empty(t, a.FromAddress, "no From: no address")
	assert.Contains(t, codesOf(a), "identity.from_not_single_mailbox", "missing From is noted")
	assert.Contains(t, codesOf(a), "header.date_unparseable", "missing Date is noted")
}

func TestExplanation(t *testing.T) {
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	for _, tt := range []struct {
		name string
		raw  string
		ver  dkim.Verification
		want []string // substrings of the joined explanation
	}{
		{"authentic with an unsigned Cc", withCc, dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}}, []string{
			"sent as shown by the signing domain's mail system; it does not mean that what the message says is true",
			"Signature 1, by example.com (selector s1, rsa-sha256, relaxed/relaxed), speaks for the From domain: verifies with a 2048-bit RSA key from keys.jsonl",
			"Cc is not covered",
			"Proven as sent: From, To, Subject, Date, Message-ID and the whole body.",
			"Not proven: Cc is not covered by the signature, so do not quote it as sent.",
		}},
		{"body changed", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bodyMismatch)}}, []string{
			"the headers are as sent; the body was changed",
			"Not proven: the body; do not quote it as sent.",
			"What to do next (dkim.body_hash_mismatch): Compare the text with another copy",
		}},
		{"key missing", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.Selector = "s2015" })}}, []string{
			"the key for selector s2015 is not in your key archive; it may be in a public DKIM key archive",
			"No signature proves any part of this message",
		}},
		{"l= leaves text unsigned", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.BodyLength, s.UnsignedBodyBytes = 4, 4 })}}, []string{
			"only the first 4 bytes of the body (4 bytes after them are not signed)",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := judgeSynthetic(t, nil, tt.raw, &tt.ver)
			paras := a.Explanation.Paragraphs()
			require.NotEmpty(t, paras, "explanation")
			assert.NotContains(t, paras, a.Summary, "the explanation does not repeat the summary")
			all := strings.Join(paras, "\n")
			for _, w := range tt.want {
				assert.Contains(t, all, w, "explanation")
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	c := NewChecker(nil)
	a := c.Check(t.Context(), nil)
	require.NotNil(t, a, "Check(nil) returns an assessment")
	assert.ErrorIs(t, a.Err, ErrNilMessage, "Check(nil).Err")

	damaged := errors.New("archive: truncated")
	a = c.Check(t.Context(), &archive.Message{File: "x.mbox", Index: 3, Offset: 10, Err: damaged})
	assert.ErrorIs(t, a.Err, damaged, "the archive error is kept")
	assert.Equal(t, VerdictNone, a.Verdict, "an unreadable message has no verdict")
	assert.Equal(t, "x.mbox", a.File, "chain of custody is kept")
	assert.Equal(t, 3, a.Index, "index is kept")
	assert.Equal(t, arc.ChainNone, a.ARC.Chain, "the arc object is complete even on an error")
	assert.NotNil(t, a.ARC.Instances, "arc instances are empty, not nil")
	assert.NotNil(t, a.Signatures, "signatures are empty, not nil")
	assert.NotNil(t, a.Evidence, "evidence is empty, not nil")
	assert.NotNil(t, a.Coverage.Attachments, "attachments are empty, not nil")
	assert.Len(t, a.Coverage.Fields, len(DisplayedFields), "coverage.fields is complete")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	a = c.Check(ctx, &archive.Message{File: "x.eml", Index: 1, Format: "eml", Raw: []byte(plainMsg)})
	assert.ErrorIs(t, a.Err, context.Canceled, "a cancelled check is an error record")
	assert.Equal(t, VerdictNone, a.Verdict, "a cancelled check has no verdict")
}

func TestNewCheckerCopiesOptions(t *testing.T) {
	opts := &Options{TrustedSealers: []string{"Sealer.Example."}, Workers: 3}
	c := NewChecker(opts)
	opts.TrustedSealers[0] = "other.example"
	opts.Workers = 9
	assert.True(t, c.policy.trusted["sealer.example"], "sealers are normalized and copied")
	assert.False(t, c.policy.trusted["other.example"], "later changes to the options do not leak in")
	assert.Equal(t, 3, c.workers(), "Workers is copied")
	assert.Positive(t, NewChecker(nil).workers(), "nil options: GOMAXPROCS workers")
}

// TestWiderFailureExplanation: when a wider signature's failure makes the
// message altered, the explanation still says what the narrower passing
// signature proves and names the fields that changed.
func TestWiderFailureExplanation(t *testing.T) {
	a := judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{
		sig("example.com", headerInvalid),
		sig("example.com", signs("from")),
	}})
	require.Equal(t, VerdictAltered, a.Verdict, "precondition: altered")
	assert.Contains(t, a.Explanation.Proven, "Still proven by the narrower signature by example.com (selector s1): From and the whole body; changed after signing: one of To, Subject, Date and Message-ID.",
		"the explanation keeps what the passing signature proves")
}

// TestPlantedRecordForJunkSignature: a planted Authentication-Results that
// records dkim=pass for a junk signature with no key (its bh= matches
// nothing) must not turn a genuine message, whose aligned signature passes
// over the whole body, into altered (red team 4, R6). The record still
// counts when nothing proves the body.
func TestPlantedRecordForJunkSignature(t *testing.T) {
	genuine := signed(t, baseMessage(), "rsa2048", nil)
	junk := "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=x; h=from; bh=" +
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"
	planted := "Authentication-Results: mx.example.net; dkim=pass header.d=esp.example header.s=x"
	a := testChecker().Check(t.Context(), eml("planted.eml", prepend(prepend(genuine, junk), planted)))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
	assert.NotContains(t, codesOf(a), "authres.pass_now_fails", "the record is contradicted by example.com's passing signature")

	// Without a passing aligned signature the record is the only evidence,
	// and DESIGN.md rule 1 applies.
	unsigned := baseMessage().Bytes()
	a = testChecker().Check(t.Context(), eml("record-only.eml", prepend(prepend(unsigned, junk), planted)))
	assert.Equal(t, VerdictAltered, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
	assert.Contains(t, codesOf(a), "authres.pass_now_fails", "the record of a pass for a body that no longer matches")
}
