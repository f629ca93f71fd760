package dkim_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/testmail"
)

// Red-team checks of the verifier on its own: signatures and header
// layouts made to trick a verifier, and what each must report.

var rtTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// rtKeys publishes every committed test key at its default name, plus
// rsa2048 under s2048 for extra domains.
func rtKeys(extra ...dkim.KeyRecord) dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, k := range testmail.Keys() {
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "rt"})
	}
	return dkim.NewKeyFile(append(recs, extra...))
}

func rtVerify(t *testing.T, msg []byte, keys dkim.KeySource) *dkim.Verification {
	t.Helper()
	v, err := dkim.Verify(t.Context(), bytes.NewReader(msg), &dkim.Options{Keys: keys, Time: rtTime})
	require.NoError(t, err, "Verify")
	require.NotNil(t, v, "Verify returns a Verification")
	return v
}

func rtSign(t *testing.T, msg []byte, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

func rtMsg() []byte {
	return testmail.Message{Subject: "Deposit", Body: "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"}.Bytes()
}

func rtPrepend(msg []byte, field string) []byte { return append([]byte(field+"\r\n"), msg...) }

// TestRedTeamSignatureTags: tag tricks give the result and sentinel they must.
func TestRedTeamSignatureTags(t *testing.T) {
	msg := rtMsg()
	emptyBH := sha256.Sum256([]byte("\r\n"))
	for _, tt := range []struct {
		name   string
		o      *testmail.SignOptions
		result dkim.Result
		err    error // sentinel the reason wraps; nil on pass
		lookup string
	}{
		{"h= in upper case", &testmail.SignOptions{Headers: []string{"FROM", "TO", "Subject"}}, dkim.ResultPass, nil, "s2048._domainkey.example.com"},
		{"d= in upper case", &testmail.SignOptions{Domain: "EXAMPLE.COM"}, dkim.ResultPass, nil, "s2048._domainkey.example.com"},
		{"i= in upper case", &testmail.SignOptions{Identity: "Alice@EXAMPLE.COM"}, dkim.ResultPass, nil, "s2048._domainkey.example.com"},
		{"d= with a trailing dot", &testmail.SignOptions{Domain: "example.com."}, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"d= with a NUL", &testmail.SignOptions{Domain: "example.com\x00.evil.example"}, dkim.ResultPermError, dkim.ErrMalformedTags, ""},
		{"d= with a quote", &testmail.SignOptions{Domain: `example.com"evil`}, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"d= with an empty label", &testmail.SignOptions{Domain: "example..com"}, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"d= with a label of 64 letters", &testmail.SignOptions{Domain: strings.Repeat("a", 64) + ".com"}, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"s= naming another _domainkey tree", &testmail.SignOptions{Selector: "s2048._domainkey.evil"}, dkim.ResultPermError, dkim.ErrInvalidSelector, ""},
		{"s= with a slash", &testmail.SignOptions{Selector: "s/2048"}, dkim.ResultPermError, dkim.ErrInvalidSelector, ""},
		{"i= outside d=", &testmail.SignOptions{Identity: "alice@bank.example"}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "s2048._domainkey.example.com"},
		{"i= that only ends like d=", &testmail.SignOptions{Identity: "alice@evilexample.com"}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "s2048._domainkey.example.com"},
		{"i= in a domain that starts with d=", &testmail.SignOptions{Identity: "alice@example.com.evil.example"}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "s2048._domainkey.example.com"},
		{"h= without From, From only in an x-from", &testmail.SignOptions{Headers: []string{"x-from", "to", "subject"}}, dkim.ResultPermError, dkim.ErrFromNotSigned, "s2048._domainkey.example.com"},
		{"duplicate d=", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "d", Value: "evil.example"}}}, dkim.ResultPermError, dkimcore.ErrDuplicateTag, ""},
		{"duplicate b=", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "b", Value: "AAAA"}}}, dkim.ResultPermError, dkimcore.ErrDuplicateTag, ""},
		{"v=2", &testmail.SignOptions{Version: "2"}, dkim.ResultPermError, dkim.ErrUnsupportedVersion, "s2048._domainkey.example.com"},
		{"draft signature without h=", &testmail.SignOptions{Omit: []string{"v", "h"}}, dkim.ResultPermError, dkim.ErrMissingTag, "s2048._domainkey.example.com"},
		{"draft signature without bh=", &testmail.SignOptions{Omit: []string{"v", "bh"}}, dkim.ResultPermError, dkim.ErrMissingTag, "s2048._domainkey.example.com"},
		{"no a=", &testmail.SignOptions{Omit: []string{"a"}}, dkim.ResultPermError, dkim.ErrMissingTag, "s2048._domainkey.example.com"},
		{"draft i= in quoted-printable outside d=", &testmail.SignOptions{Omit: []string{"v"}, Identity: "alice=40bank.example"}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "s2048._domainkey.example.com"},
		{"l=-1 (the absent sentinel)", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "l", Value: "-1"}}}, dkim.ResultPermError, dkim.ErrBadTagValue, "s2048._domainkey.example.com"},
		{"l=+5", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "l", Value: "+5"}}}, dkim.ResultPermError, dkim.ErrBadTagValue, "s2048._domainkey.example.com"},
		{"l= past int64", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "l", Value: "99999999999999999999"}}}, dkim.ResultPermError, dkim.ErrBadTagValue, "s2048._domainkey.example.com"},
		{"t= negative", &testmail.SignOptions{Omit: []string{"t"}, Extra: []testmail.Tag{{Name: "t", Value: "-5"}}}, dkim.ResultPermError, dkim.ErrBadTagValue, "s2048._domainkey.example.com"},
		{"a garbage b= the key never made", &testmail.SignOptions{Signature: strings.Repeat("QUJD", 85) + "QQ=="}, dkim.ResultFail, dkim.ErrHeaderSignature, "s2048._domainkey.example.com"},
		{"bh= of the empty body", &testmail.SignOptions{BodyHash: base64.StdEncoding.EncodeToString(emptyBH[:])}, dkim.ResultFail, dkim.ErrBodyHashMismatch, "s2048._domainkey.example.com"},
		{"a= rsa-sha256 on a record restricted to h=sha1", &testmail.SignOptions{Selector: "sha1only"}, dkim.ResultPermError, nil, "sha1only._domainkey.example.com"},
		{"a= rsa-sha256 on a record of service type s=other", &testmail.SignOptions{Selector: "other"}, dkim.ResultPermError, nil, "other._domainkey.example.com"},
		{"i= in a subdomain under a t=s record", &testmail.SignOptions{Selector: "strict", Identity: "alice@mail.example.com"}, dkim.ResultPermError, nil, "strict._domainkey.example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := testmail.MustKey("rsa2048")
			keys := rtKeys(
				dkim.KeyRecord{Domain: "example.com", Selector: "sha1only", TXT: "v=DKIM1; k=rsa; h=sha1; p=" + k.PublicBase64()},
				dkim.KeyRecord{Domain: "example.com", Selector: "other", TXT: "v=DKIM1; k=rsa; s=other; p=" + k.PublicBase64()},
				dkim.KeyRecord{Domain: "example.com", Selector: "strict", TXT: "v=DKIM1; k=rsa; t=s; p=" + k.PublicBase64()},
			)
			v := rtVerify(t, rtSign(t, msg, "rsa2048", tt.o), keys)
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result; reason %v", sig.Err)
			if tt.err != nil {
				assert.ErrorIs(t, sig.Err, tt.err, "reason")
			}
			if tt.result == dkim.ResultPass {
				assert.NoError(t, sig.Err, "no reason on pass")
				assert.Contains(t, sig.SignedHeaders, "from", "h= is reported lower-case")
			}
			assert.Equal(t, tt.lookup, sig.LookupName, "the key lookup name is built from validated labels only")
		})
	}
}

// TestRedTeamFieldInstances: extra From fields in the forms verifiers and
// mail clients disagree on; the coverage and findings must show them.
func TestRedTeamFieldInstances(t *testing.T) {
	good := rtSign(t, rtMsg(), "rsa2048", nil)
	bottom := bytes.Replace(good, []byte("\r\n\r\n"), []byte("\r\nFrom: CEO <ceo@example.com>\r\n\r\n"), 1)
	for _, tt := range []struct {
		name    string
		msg     []byte
		count   int
		signed  []int
		header  dkim.HeaderStatus
		finding dkim.FindingKind // 0: none expected
	}{
		{"lower-case from: on top", rtPrepend(good, "from: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"upper-case FROM: on top", rtPrepend(good, "FROM: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"From<TAB>: on top", rtPrepend(good, "From\t: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingSpaceBeforeColon},
		{"From : on top", rtPrepend(good, "From : CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingSpaceBeforeColon},
		{"From folded after the colon on top", rtPrepend(good, "From:\r\n CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"From name folded onto the next line", rtPrepend(good, "From\r\n : CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingFoldedName},
		{"From below the signed one", bottom, 2, []int{2}, dkim.HeaderInvalid, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := rtVerify(t, tt.msg, rtKeys())
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.header, sig.HeaderSignature, "header signature; reason %v", sig.Err)
			var from *dkim.FieldCoverage
			for i := range sig.Coverage {
				if sig.Coverage[i].Name == "from" {
					from = &sig.Coverage[i]
				}
			}
			require.NotNil(t, from, "coverage has a from entry: %+v", sig.Coverage)
			assert.Equal(t, tt.count, from.Count, "From instances counted")
			assert.Equal(t, tt.signed, from.Signed, "the bottom From is the signed one")
			if tt.finding != 0 {
				var kinds []dkim.FindingKind
				for _, f := range v.Findings {
					kinds = append(kinds, f.Kind)
				}
				assert.Contains(t, kinds, tt.finding, "finding reported")
			}
		})
	}
}

// TestRedTeamBodyLength: l= tricks.
func TestRedTeamBodyLength(t *testing.T) {
	msg := rtMsg()
	_, body := testmail.Split(msg)
	whole := rtSign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	for _, tt := range []struct {
		name     string
		msg      []byte
		result   dkim.Result
		unsigned int64
	}{
		{"l=0 leaves the whole body unsigned", rtSign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: testmail.ZeroLength}), dkim.ResultPass, int64(len(body))},
		{"text appended past l=", append(bytes.Clone(whole), "P.S. new account\r\n"...), dkim.ResultPass, int64(len("P.S. new account\r\n"))},
		{"whitespace lines past l= vanish under relaxed", append(bytes.Clone(whole), " \t \r\n\r\n"...), dkim.ResultPass, 0},
		// O1: RFC 6376 §3.5 says l= MUST NOT exceed the body; Mail::DKIM and
		// dkimpy verify the whole body anyway (appending still breaks the
		// hash), and a signer's mistake is not made to read as alteration.
		{"l= larger than the body verifies, as Mail::DKIM and dkimpy have it", rtSign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: 100000}), dkim.ResultPass, 0},
		{"text inserted inside the signed part", bytes.Replace(whole, []byte("usual account"), []byte("other account"), 1), dkim.ResultFail, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := rtVerify(t, tt.msg, rtKeys())
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result; reason %v", sig.Err)
			assert.Equal(t, tt.unsigned, sig.UnsignedBodyBytes, "canonical body bytes past l=")
			assert.GreaterOrEqual(t, sig.BodyLength, int64(0), "l= is reported")
		})
	}
}

// TestRedTeamWhereSignaturesAre: signatures a verifier must not pick up,
// and the cap.
func TestRedTeamWhereSignaturesAre(t *testing.T) {
	field, err := testmail.SignatureField(rtMsg(), testmail.MustKey("rsa2048"), nil)
	require.NoError(t, err, "SignatureField")
	inBody := testmail.Message{Body: strings.ReplaceAll(field, "\r\n", "\n") + "\nhello\n"}.Bytes()
	v := rtVerify(t, inBody, rtKeys())
	assert.Empty(t, v.Signatures, "a DKIM-Signature in the body is not a signature")

	renamed := rtSign(t, rtMsg(), "rsa2048", &testmail.SignOptions{FieldName: "X-Google-DKIM-Signature"})
	v = rtVerify(t, renamed, rtKeys())
	assert.Empty(t, v.Signatures, "X-Google-DKIM-Signature is not a DKIM-Signature")

	good := rtSign(t, rtMsg(), "rsa2048", nil)
	many := good
	for i := range 16 {
		many = rtPrepend(many, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	v = rtVerify(t, many, rtKeys())
	require.Len(t, v.Signatures, 17, "every signature is reported")
	last := v.Signatures[16]
	assert.Equal(t, dkim.ResultSkipped, last.Result, "the 17th signature is past the cap")
	assert.ErrorIs(t, last.Err, dkim.ErrSkipped, "reason")
	assert.Equal(t, dkim.HeaderUnchecked, last.HeaderSignature, "a skipped signature is not checked")
	for i, s := range v.Signatures[:16] {
		assert.NotEqual(t, dkim.ResultPass, s.Result, "junk signature %d does not pass", i)
	}

	hostile := strings.Repeat("from:", 10000) + "from"
	start := time.Now()
	v = rtVerify(t, rtPrepend(rtMsg(), "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2048; h="+hostile+"; bh=AAAA; b=AAAA"), rtKeys())
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Equal(t, dkim.ResultPermError, v.Signatures[0].Result, "10,000 h= entries are refused")
	assert.Less(t, time.Since(start), 5*time.Second, "in bounded time")
}

// TestRedTeamKeysThatProveNothing: the arithmetic of a weak, testing or
// published key is kept, and the result never says pass.
func TestRedTeamKeysThatProveNothing(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	msg := rtMsg()
	for _, tt := range []struct {
		name   string
		recs   []dkim.KeyRecord
		result dkim.Result
	}{
		{"testing key", []dkim.KeyRecord{{Domain: "example.com", Selector: "s2048", TXT: k.Record() + "; t=y"}}, dkim.ResultTestingKey},
		{"published key", []dkim.KeyRecord{{Domain: "example.com", Selector: "s2048", TXT: k.Record(), PrivateKeyPublished: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}}, dkim.ResultPublishedKey},
		{"published record listed first", []dkim.KeyRecord{
			{Domain: "example.com", Selector: "s2048", TXT: k.Record(), PrivateKeyPublished: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Domain: "example.com", Selector: "s2048", TXT: k.Record()}}, dkim.ResultPublishedKey},
		{"revoked record beside the real one: the real one verifies", []dkim.KeyRecord{
			{Domain: "example.com", Selector: "s2048", TXT: "v=DKIM1; p="},
			{Domain: "example.com", Selector: "s2048", TXT: k.Record()}}, dkim.ResultPass},
		{"other key beside the real one: the real one verifies", []dkim.KeyRecord{
			{Domain: "example.com", Selector: "s2048", TXT: testmail.MustKey("rsa2048b").Record()},
			{Domain: "example.com", Selector: "s2048", TXT: k.Record()}}, dkim.ResultPass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := rtVerify(t, rtSign(t, msg, "rsa2048", nil), dkim.NewKeyFile(tt.recs))
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result; reason %v", sig.Err)
			assert.Equal(t, dkim.HeaderValid, sig.HeaderSignature, "the arithmetic is kept")
			assert.Equal(t, dkim.BodyMatch, sig.BodyHash, "the arithmetic is kept")
		})
	}
	weak := testmail.MustKey("rsa512")
	v := rtVerify(t, rtSign(t, msg, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}),
		dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: "weak", TXT: weak.Record()}}))
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Equal(t, dkim.ResultWeakKey, v.Signatures[0].Result, "a 512-bit key is weak")
	assert.Equal(t, 512, v.Signatures[0].KeyBits, "key bits reported")
	assert.Equal(t, dkim.HeaderValid, v.Signatures[0].HeaderSignature, "the arithmetic is kept")
}

// TestRedTeamKeyRecordOrder (red-team F1, O2): when several records are
// on file for one selector, the outcome never depends on their order. A
// key marked published, or t=y, in any record holding it decides, even
// when a plain record for the same key verifies first.
func TestRedTeamKeyRecordOrder(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	rec := func(txt, source string, published time.Time) dkim.KeyRecord {
		return dkim.KeyRecord{Domain: "example.com", Selector: "s2048", TXT: txt, Source: source, PrivateKeyPublished: published}
	}
	y2015, y2014 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC)
	plain := rec(k.Record(), "dns-2016", time.Time{})
	published := rec(k.Record(), "published-keys", y2015)
	other := rec(testmail.MustKey("rsa2048b").Record(), "other-key", time.Time{})
	good := rtSign(t, rtMsg(), "rsa2048", nil)
	changed := bytes.Replace(good, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
	for _, tt := range []struct {
		name     string
		msg      []byte
		recs     []dkim.KeyRecord
		result   dkim.Result
		header   dkim.HeaderStatus
		source   string // the record named as Key/KeySource
		reason   error  // a sentinel the reason wraps; nil on pass
		mismatch bool
	}{
		{"published record beside a plain one", good, []dkim.KeyRecord{plain, published},
			dkim.ResultPublishedKey, dkim.HeaderValid, "published-keys", dkim.ErrPublishedKey, false},
		{"t=y record beside a plain one", good, []dkim.KeyRecord{plain, rec(k.Record()+"; t=y", "testing", time.Time{})},
			dkim.ResultTestingKey, dkim.HeaderValid, "testing", dkim.ErrTestingKey, false},
		{"published record whose h= forbids the signature", good, []dkim.KeyRecord{plain, rec("v=DKIM1; k=rsa; h=sha1; p="+k.PublicBase64(), "published-sha1", y2015)},
			dkim.ResultPublishedKey, dkim.HeaderValid, "published-sha1", dkim.ErrPublishedKey, false},
		{"published beats t=y", good, []dkim.KeyRecord{rec(k.Record()+"; t=y", "testing", time.Time{}), published},
			dkim.ResultPublishedKey, dkim.HeaderValid, "published-keys", dkim.ErrPublishedKey, false},
		{"the earliest publication is reported", good, []dkim.KeyRecord{published, plain, rec(k.Record(), "leak-2014", y2014)},
			dkim.ResultPublishedKey, dkim.HeaderValid, "leak-2014", dkim.ErrPublishedKey, false},
		{"another key beside the one that verifies", good, []dkim.KeyRecord{other, plain},
			dkim.ResultPass, dkim.HeaderValid, "dns-2016", nil, false},
		{"another key is published, the one that verifies is not", good, []dkim.KeyRecord{rec(other.TXT, "other-published", y2015), plain},
			dkim.ResultPass, dkim.HeaderValid, "dns-2016", nil, false},
		{"changed Subject: the key that signed it decides, not the other", changed, []dkim.KeyRecord{other, plain},
			dkim.ResultFail, dkim.HeaderInvalid, "dns-2016", dkim.ErrHeaderSignature, false},
		{"the key that made b= forbids it (h=sha1), the other cannot have made it", good, []dkim.KeyRecord{other, rec("v=DKIM1; k=rsa; h=sha1; p="+k.PublicBase64(), "sha1-only", time.Time{})},
			dkim.ResultPermError, dkim.HeaderUnchecked, "sha1-only", dkim.ErrKeyRestriction, false},
		{"no record holds the signing key", good, []dkim.KeyRecord{other, rec(testmail.MustKey("rsa1024").Record(), "short-key", time.Time{})},
			dkim.ResultFail, dkim.HeaderInvalid, "", dkim.ErrKeyMismatch, true},
	} {
		for _, order := range []string{"as listed", "reversed"} {
			t.Run(tt.name+"/"+order, func(t *testing.T) {
				recs := slices.Clone(tt.recs)
				if order == "reversed" {
					slices.Reverse(recs)
				}
				v := rtVerify(t, tt.msg, dkim.NewKeyFile(recs))
				require.Len(t, v.Signatures, 1, "one signature")
				sig := v.Signatures[0]
				assert.Equal(t, tt.result, sig.Result, "result, whatever the record order; reason %v", sig.Err)
				assert.Equal(t, tt.header, sig.HeaderSignature, "header signature")
				assert.Equal(t, tt.mismatch, sig.KeyMismatch, "key mismatch")
				if tt.source != "" {
					assert.Equal(t, tt.source, sig.KeySource, "the deciding record is named")
					require.NotNil(t, sig.Key, "the deciding record is reported")
					assert.Equal(t, tt.source, sig.Key.Source, "Key is the deciding record")
				}
				if tt.reason == nil {
					assert.NoError(t, sig.Err, "no reason on pass")
				} else {
					assert.ErrorIs(t, sig.Err, tt.reason, "reason")
				}
			})
		}
	}
	v := rtVerify(t, good, dkim.NewKeyFile([]dkim.KeyRecord{published, rec(k.Record(), "leak-2014", y2014)}))
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Contains(t, v.Signatures[0].Err.Error(), "2014-06-01", "the reason gives the earliest publication date")
}

// TestRedTeamKeyMismatch (red-team F7): a key that cannot have made b= (a
// key rotated under a reused selector, a damaged or made-up b=) is told
// apart from a signature over bytes that changed. Both stay "fail" with
// an invalid header signature, as the conformance suites expect.
func TestRedTeamKeyMismatch(t *testing.T) {
	only := func(selector, key string) dkim.KeySource {
		return dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: selector, TXT: testmail.MustKey(key).Record(), Source: "dns"}})
	}
	good := rtSign(t, rtMsg(), "rsa2048", nil)
	weak := rtSign(t, rtMsg(), "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "s2048"})
	for _, tt := range []struct {
		name     string
		msg      []byte
		keys     dkim.KeySource
		result   dkim.Result
		body     dkim.BodyStatus
		mismatch bool
	}{
		{"key rotated under the selector", good, only("s2048", "rsa2048b"), dkim.ResultFail, dkim.BodyMatch, true},
		{"key rotated to a shorter key", good, only("s2048", "rsa1024"), dkim.ResultFail, dkim.BodyMatch, true},
		{"key rotated and the body changed", testmail.ReplaceBody(good, "Bob,\n\nWire it elsewhere.\n"), only("s2048", "rsa2048b"), dkim.ResultFail, dkim.BodyMismatch, true},
		{"short keys (math/big): 512-bit signature, 768-bit key on file", weak, only("s2048", "rsa768"), dkim.ResultWeakKey, dkim.BodyMatch, true},
		{"a garbage b=", rtSign(t, rtMsg(), "rsa2048", &testmail.SignOptions{Signature: strings.Repeat("QUJD", 85) + "QQ=="}), rtKeys(), dkim.ResultFail, dkim.BodyMatch, true},
		{"the right key, a signed field changed", bytes.Replace(good, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1), rtKeys(), dkim.ResultFail, dkim.BodyMatch, false},
		{"the right short key (math/big), a signed field changed", bytes.Replace(weak, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1), only("s2048", "rsa512"), dkim.ResultWeakKey, dkim.BodyMatch, false},
		{"ed25519 key rotated: cannot be told, never a mismatch", rtSign(t, rtMsg(), "ed25519", nil), only("ed1", "ed25519b"), dkim.ResultFail, dkim.BodyMatch, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := rtVerify(t, tt.msg, tt.keys)
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result stays as the suites expect; reason %v", sig.Err)
			assert.Equal(t, dkim.HeaderInvalid, sig.HeaderSignature, "header signature")
			assert.Equal(t, tt.body, sig.BodyHash, "body hash")
			assert.Equal(t, tt.mismatch, sig.KeyMismatch, "key mismatch")
			assert.ErrorIs(t, sig.Err, dkim.ErrHeaderSignature, "reason")
			assert.ErrorIs(t, sig.Err, dkim.ErrVerification, "reason")
			assert.Equal(t, tt.mismatch, errors.Is(sig.Err, dkim.ErrKeyMismatch), "reason wraps ErrKeyMismatch exactly on a mismatch: %v", sig.Err)
			if tt.mismatch {
				assert.Contains(t, sig.Err.Error(), "the key on file is not the one that made this signature", "the reason says it in plain words")
			}
			if tt.body == dkim.BodyMismatch {
				assert.ErrorIs(t, sig.Err, dkim.ErrBodyHashMismatch, "reason names the body too")
			}
		})
	}
}
