package dkim_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// What the key records on file make of a signature: keys that prove
// nothing, several records for one selector, and keys that cannot have
// made b=.

// TestVerifyKeysThatProveNothing: the arithmetic of a weak, testing or
// published key is kept, and the result never says pass.
func TestVerifyKeysThatProveNothing(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	msg := depositMsg()
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
			v := verifyWith(t, sign(t, msg, "rsa2048", nil), dkim.NewKeyFile(tt.recs))
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result; reason %v", sig.Err)
			assert.Equal(t, dkim.HeaderValid, sig.HeaderSignature, "the arithmetic is kept")
			assert.Equal(t, dkim.BodyMatch, sig.BodyHash, "the arithmetic is kept")
		})
	}
	weak := testmail.MustKey("rsa512")
	v := verifyWith(t, sign(t, msg, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}),
		dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: "weak", TXT: weak.Record()}}))
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Equal(t, dkim.ResultWeakKey, v.Signatures[0].Result, "a 512-bit key is weak")
	assert.Equal(t, 512, v.Signatures[0].KeyBits, "key bits reported")
	assert.Equal(t, dkim.HeaderValid, v.Signatures[0].HeaderSignature, "the arithmetic is kept")
}

// TestVerifyKeyRecordOrder: when several records are on file for one
// selector, the outcome never depends on their order. A key marked
// published, or t=y, in any record holding it decides, even when a plain
// record for the same key verifies first.
func TestVerifyKeyRecordOrder(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	rec := func(txt, source string, published time.Time) dkim.KeyRecord {
		return dkim.KeyRecord{Domain: "example.com", Selector: "s2048", TXT: txt, Source: source, PrivateKeyPublished: published}
	}
	y2015, y2014 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC)
	plain := rec(k.Record(), "dns-2016", time.Time{})
	published := rec(k.Record(), "published-keys", y2015)
	other := rec(testmail.MustKey("rsa2048b").Record(), "other-key", time.Time{})
	good := sign(t, depositMsg(), "rsa2048", nil)
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
				v := verifyWith(t, tt.msg, dkim.NewKeyFile(recs))
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
	v := verifyWith(t, good, dkim.NewKeyFile([]dkim.KeyRecord{published, rec(k.Record(), "leak-2014", y2014)}))
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Contains(t, v.Signatures[0].Err.Error(), "2014-06-01", "the reason gives the earliest publication date")
}

// TestVerifyKeyMismatch: a key that cannot have made b= (a key rotated
// under a reused selector, a damaged or made-up b=) is told apart from a
// signature over bytes that changed. Both stay "fail" with
// an invalid header signature, as the conformance suites expect.
func TestVerifyKeyMismatch(t *testing.T) {
	only := func(selector, key string) dkim.KeySource {
		return dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: selector, TXT: testmail.MustKey(key).Record(), Source: "dns"}})
	}
	good := sign(t, depositMsg(), "rsa2048", nil)
	weak := sign(t, depositMsg(), "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "s2048"})
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
		{"a garbage b=", sign(t, depositMsg(), "rsa2048", &testmail.SignOptions{Signature: strings.Repeat("QUJD", 85) + "QQ=="}), committedKeys(), dkim.ResultFail, dkim.BodyMatch, true},
		{"the right key, a signed field changed", bytes.Replace(good, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1), committedKeys(), dkim.ResultFail, dkim.BodyMatch, false},
		{"the right short key (math/big), a signed field changed", bytes.Replace(weak, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1), only("s2048", "rsa512"), dkim.ResultWeakKey, dkim.BodyMatch, false},
		{"ed25519 key rotated: cannot be told, never a mismatch", sign(t, depositMsg(), "ed25519", nil), only("ed1", "ed25519b"), dkim.ResultFail, dkim.BodyMatch, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := verifyWith(t, tt.msg, tt.keys)
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
