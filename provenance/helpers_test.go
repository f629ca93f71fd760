package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// Helpers shared by the tests of this package: key sources, message
// builders, the fixed check time, and checks that hold for every
// assessment.

// checkTime is the fixed time of every check in these tests.
var checkTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// plainMsg is a small unsigned message; judgeSynthetic pairs it with
// made-up signatures.
const plainMsg = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Figures\r\n" +
	"Date: Tue, 1 Mar 2016 10:00:00 +0100\r\nMessage-ID: <abc@example.com>\r\n\r\nHello.\r\n"

// testKeys is the key archive of these tests: every committed test key at
// its default name, plus the special records the attack tables need
// (testing, published, revoked, a key of the wrong type).
func testKeys() dkim.KeySource {
	rec := func(k *testmail.Key, selector, txt string) dkim.KeyRecord {
		return dkim.KeyRecord{Domain: k.Domain, Selector: selector, TXT: txt, Source: "testkeys"}
	}
	var recs []dkim.KeyRecord
	for _, name := range []string{"rsa2048", "rsa2048b", "rsa1024", "rsa768", "rsa512", "ed25519", "ed25519b"} {
		k := testmail.MustKey(name)
		recs = append(recs, rec(k, k.Selector, k.Record()))
	}
	k := testmail.MustKey("rsa2048")
	// A key marked published taints every name it is served under, so
	// the published selector has a key of its own.
	published := rec(k, "leaked", testmail.MustKey("rsa2048p").Record())
	published.PrivateKeyPublished = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	recs = append(recs,
		rec(k, "testing", k.Record()+"; t=y"),
		published,
		rec(k, "revoked", "v=DKIM1; k=rsa; p="),
		// An RSA record under the selector an Ed25519 signature names.
		rec(testmail.MustKey("ed25519"), "mismatch", k.Record()),
	)
	return dkim.NewKeyFile(recs)
}

// extraSelector is the selector under which keysFor publishes the
// rsa2048 key for every extra domain a table row signs as.
const extraSelector = "extra"

// keysFor publishes every committed test key at its default name, rsa2048
// under extraSelector for each of domains, and the special records the
// tables use (testing, published, weak).
func keysFor(domains ...string) dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, k := range testmail.Keys() {
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "testkeys"})
	}
	k := testmail.MustKey("rsa2048")
	for _, d := range domains {
		recs = append(recs, dkim.KeyRecord{Domain: d, Selector: extraSelector, TXT: k.Record(), Source: "testkeys"})
	}
	published := dkim.KeyRecord{Domain: "example.com", Selector: "leaked", TXT: testmail.MustKey("rsa2048p").Record(), Source: "testkeys",
		PrivateKeyPublished: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}
	weak := testmail.MustKey("rsa512")
	recs = append(recs, published,
		dkim.KeyRecord{Domain: "example.com", Selector: "testing", TXT: k.Record() + "; t=y", Source: "testkeys"},
		dkim.KeyRecord{Domain: "example.com", Selector: "weak", TXT: weak.Record(), Source: "testkeys"},
	)
	return dkim.NewKeyFile(recs)
}

// extraDomains are the extra signing domains keysFor publishes rsa2048 for.
var extraDomains = []string{"com", "co.uk", "evil.co.uk", "evil.github.io",
	"example-com.20150623.gappssmtp.com", "example-com.evilcorp.gappssmtp.com",
	"example-com.20150623.gappssmtp.com.evil.example", "mail-bank-com.20150623.gappssmtp.com",
	"Example-Com.20150623.GAPPSSMTP.com", "example.org.evil.example"}

// testChecker checks with testKeys at checkTime.
func testChecker() *Checker {
	return NewChecker(&Options{Keys: testKeys(), Time: checkTime})
}

// eml wraps raw as a single-message file.
func eml(name string, raw []byte) *archive.Message {
	sum := sha256.Sum256(raw)
	return &archive.Message{File: name, Index: 1, Format: "eml", Raw: raw, Size: int64(len(raw)), SHA256: hex.EncodeToString(sum[:])}
}

// asEML wraps raw as a single-message file named message.eml.
func asEML(raw []byte) *archive.Message {
	sum := sha256.Sum256(raw)
	return &archive.Message{File: "message.eml", Index: 1, Format: "eml", Raw: raw, Size: int64(len(raw)), SHA256: hex.EncodeToString(sum[:])}
}

// adversarialBody is the body of baseMessage: a request worth forging.
const adversarialBody = "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"

// baseMessage is the unsigned message most tests sign and then attack.
func baseMessage() testmail.Message {
	return testmail.Message{Subject: "Deposit", Body: adversarialBody}
}

// baseBytes is baseMessage's bytes after edit (if not nil) changed it.
func baseBytes(edit func(*testmail.Message)) []byte {
	m := testmail.Message{Subject: "Deposit", Body: "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"}
	if edit != nil {
		edit(&m)
	}
	return m.Bytes()
}

// signed signs m with the committed test key named key.
func signed(t *testing.T, m testmail.Message, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(m.Bytes(), testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

// signRaw signs the message bytes msg with the committed test key named key.
func signRaw(t *testing.T, msg []byte, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

// signAs signs msg with rsa2048 as d=domain, s=extraSelector.
func signAs(t *testing.T, msg []byte, domain string, o *testmail.SignOptions) []byte {
	t.Helper()
	var opts testmail.SignOptions
	if o != nil {
		opts = *o
	}
	opts.Domain, opts.Selector = domain, extraSelector
	return signRaw(t, msg, "rsa2048", &opts)
}

// sealWith adds an ARC set sealed by example.org's rsa2048b key.
func sealWith(t *testing.T, msg []byte, o *testmail.SealOptions) []byte {
	t.Helper()
	out, err := testmail.Seal(msg, testmail.MustKey("rsa2048b"), o)
	require.NoError(t, err, "testmail.Seal")
	return out
}

// sealWithKey adds an ARC set sealed by key.
func sealWithKey(t *testing.T, msg []byte, key string, o *testmail.SealOptions) []byte {
	t.Helper()
	out, err := testmail.Seal(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Seal")
	return out
}

// withField adds one header field to m.
func withField(m testmail.Message, name, value string) testmail.Message {
	m.Extra = append(m.Extra, testmail.Field{Name: name, Value: value})
	return m
}

// prepend puts field at the top of the header.
func prepend(msg []byte, field string) []byte {
	return append([]byte(field+"\r\n"), msg...)
}

// insertBeforeBody puts field at the bottom of the header.
func insertBeforeBody(msg []byte, field string) []byte {
	i := bytes.Index(msg, []byte("\r\n\r\n"))
	out := append([]byte{}, msg[:i+2]...)
	out = append(out, field+"\r\n"...)
	return append(out, msg[i+2:]...)
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

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
	primary := (&Checker{}).primaryView(m)
	f, err := gather(t.Context(), m, primary, primary, ver, false, checkTime, c.dkimOptions(checkTime))
	require.NoError(t, err, "gather")
	write(a, f, &c.policy, decide(f, &c.policy))
	assertWellFormed(t, a)
	return a
}

// A ruleCase is one message judged on a made-up dkim result (see
// judgeSynthetic): the verdict it must get, and the evidence and summary
// that must explain it.
type ruleCase struct {
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
}

// runRuleCases judges each case in a subtest of its own.
func runRuleCases(t *testing.T, cases []ruleCase) {
	for _, tt := range cases {
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

// A verdictCase is one message of a property table, checked end to end
// with keysFor(extraDomains...), with the verdict it gets and the
// evidence code that must explain it.
type verdictCase struct {
	name    string
	m       *archive.Message
	trusted []string // TrustedSealers
	want    Verdict
	code    string
}

// checkCase checks r's message with keysFor(extraDomains...) at checkTime,
// trusting r's sealers.
func checkCase(t *testing.T, r verdictCase) *Assessment {
	t.Helper()
	c := NewChecker(&Options{Keys: keysFor(extraDomains...), Time: checkTime, TrustedSealers: r.trusted})
	a := c.Check(t.Context(), r.m)
	require.NoError(t, a.Err, "Check")
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

// codesOf lists a's evidence codes in order.
func codesOf(a *Assessment) []string {
	var out []string
	for _, e := range a.Evidence {
		out = append(out, e.Code)
	}
	return out
}

// describeSigs sums up a's signatures for a failure message.
func describeSigs(a *Assessment) string {
	var b strings.Builder
	for _, s := range a.Signatures {
		fmt.Fprintf(&b, "[d=%s s=%s %s/%s/%s aligned=%v err=%v] ", s.Domain, s.Selector, s.HeaderSignature, s.BodyHash, s.Result, s.Aligned, s.Err)
	}
	return b.String()
}
