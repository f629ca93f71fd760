package dkim_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/testmail"
)

// verifyTime is the fixed verification time of these tests.
var verifyTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// record returns the key record publishing k at its default name, with
// extra tags appended to the TXT.
func record(k *testmail.Key, extra string) dkim.KeyRecord {
	return dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record() + extra, Source: "test:" + k.Name}
}

func keysOf(recs ...dkim.KeyRecord) *dkim.Options {
	return &dkim.Options{Keys: dkim.NewKeyFile(recs), Time: verifyTime}
}

func sign(t testing.TB, msg []byte, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

// committedKeys publishes every committed test key at its default name,
// plus the extra records.
func committedKeys(extra ...dkim.KeyRecord) dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, k := range testmail.Keys() {
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "testkeys"})
	}
	return dkim.NewKeyFile(append(recs, extra...))
}

// verifyWith verifies msg with keys at verifyTime; it must not fail.
func verifyWith(t *testing.T, msg []byte, keys dkim.KeySource) *dkim.Verification {
	t.Helper()
	v, err := dkim.Verify(t.Context(), bytes.NewReader(msg), &dkim.Options{Keys: keys, Time: verifyTime})
	require.NoError(t, err, "Verify")
	require.NotNil(t, v, "Verify returns a Verification")
	return v
}

// depositMsg is an unsigned message worth forging.
func depositMsg() []byte {
	return testmail.Message{Subject: "Deposit", Body: "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"}.Bytes()
}

// prepend puts field at the top of the header.
func prepend(msg []byte, field string) []byte { return append([]byte(field+"\r\n"), msg...) }

func TestVerifyResults(t *testing.T) {
	msg := testmail.Message{Subject: "Hello", Body: "Hi Bob.\n\nBye.\n"}.Bytes()
	rsa := testmail.MustKey("rsa2048")
	ed := testmail.MustKey("ed25519")
	small := testmail.MustKey("rsa512")
	other := testmail.MustKey("rsa2048b")
	for _, tt := range []struct {
		name   string
		msg    []byte
		opts   *dkim.Options
		result dkim.Result
		header dkim.HeaderStatus
		body   dkim.BodyStatus
		err    error // a sentinel Signature.Err wraps; nil for pass
		bits   int
	}{
		{"pass rsa-sha256 relaxed", sign(t, msg, "rsa2048", nil), keysOf(record(rsa, "")),
			dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 2048},
		{"pass ed25519", sign(t, msg, "ed25519", nil), keysOf(record(ed, "")),
			dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 256},
		{"pass rsa-sha1 simple", sign(t, msg, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1", Canonicalization: "simple/simple"}),
			keysOf(record(rsa, "")), dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 2048},
		{"pass on bare LF", testmail.LF(sign(t, msg, "rsa2048", &testmail.SignOptions{Canonicalization: "simple/simple"})),
			keysOf(record(rsa, "")), dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 2048},
		{"body altered", testmail.ReplaceBody(sign(t, msg, "rsa2048", nil), "Hi Bob.\nSend money.\n"), keysOf(record(rsa, "")),
			dkim.ResultFail, dkim.HeaderValid, dkim.BodyMismatch, dkim.ErrBodyHashMismatch, 2048},
		{"subject altered", bytes.Replace(sign(t, msg, "rsa2048", nil), []byte("Subject: Hello"), []byte("Subject: Hellp"), 1),
			keysOf(record(rsa, "")), dkim.ResultFail, dkim.HeaderInvalid, dkim.BodyMatch, dkim.ErrHeaderSignature, 2048},
		{"both altered", testmail.ReplaceBody(bytes.Replace(sign(t, msg, "rsa2048", nil), []byte("Subject: Hello"), []byte("Subject: Hellp"), 1), "x\n"),
			keysOf(record(rsa, "")), dkim.ResultFail, dkim.HeaderInvalid, dkim.BodyMismatch, dkim.ErrBodyHashMismatch, 2048},
		{"no key", sign(t, msg, "rsa2048", nil), keysOf(),
			dkim.ResultNoKey, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrNoKey, 0},
		{"no key, body still checked", testmail.ReplaceBody(sign(t, msg, "rsa2048", nil), "x\n"), nil,
			dkim.ResultNoKey, dkim.HeaderUnchecked, dkim.BodyMismatch, dkim.ErrNoKey, 0},
		{"revoked", sign(t, msg, "rsa2048", nil), keysOf(dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, TXT: "v=DKIM1; p="}),
			dkim.ResultRevoked, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyRevoked, 0},
		{"malformed key record", sign(t, msg, "rsa2048", nil), keysOf(dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, TXT: "v=DKIM1; p=!!"}),
			dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyMalformed, 0},
		{"temperror", sign(t, msg, "rsa2048", nil), keysOf(dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, DNSError: "SERVFAIL"}),
			dkim.ResultTempError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyTempFail, 0},
		{"weak key verifies", sign(t, msg, "rsa512", nil), keysOf(record(small, "")),
			dkim.ResultWeakKey, dkim.HeaderValid, dkim.BodyMatch, dkim.ErrWeakKey, 512},
		{"weak key keeps the mismatch", testmail.ReplaceBody(sign(t, msg, "rsa512", nil), "x\n"), keysOf(record(small, "")),
			dkim.ResultWeakKey, dkim.HeaderValid, dkim.BodyMismatch, dkim.ErrBodyHashMismatch, 512},
		{"weak key under a lower minimum passes", sign(t, msg, "rsa512", nil),
			&dkim.Options{Keys: dkim.NewKeyFile([]dkim.KeyRecord{record(small, "")}), MinRSABits: 512},
			dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 512},
		{"testing key", sign(t, msg, "rsa2048", nil), keysOf(record(rsa, "; t=y")),
			dkim.ResultTestingKey, dkim.HeaderValid, dkim.BodyMatch, dkim.ErrTestingKey, 2048},
		{"published key", sign(t, msg, "rsa2048", nil),
			keysOf(func() dkim.KeyRecord {
				r := record(rsa, "")
				r.PrivateKeyPublished = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
				return r
			}()),
			dkim.ResultPublishedKey, dkim.HeaderValid, dkim.BodyMatch, dkim.ErrPublishedKey, 2048},
		{"key h= excludes sha256", sign(t, msg, "rsa2048", nil), keysOf(record(rsa, "; h=sha1")),
			dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyRestriction, 2048},
		{"key s= excludes email", sign(t, msg, "rsa2048", nil), keysOf(record(rsa, "; s=chat")),
			dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyRestriction, 2048},
		{"key t=s with i= in a subdomain", sign(t, msg, "rsa2048", &testmail.SignOptions{Identity: "alice@mail." + rsa.Domain}),
			keysOf(record(rsa, "; t=s")), dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyRestriction, 2048},
		{"key t=s with i= at d= passes", sign(t, msg, "rsa2048", &testmail.SignOptions{Identity: "alice@" + strings.ToUpper(rsa.Domain)}),
			keysOf(record(rsa, "; t=s")), dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 2048},
		{"ed25519 key for an rsa signature", sign(t, msg, "rsa2048", nil),
			keysOf(dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, TXT: ed.Record()}),
			dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyMatch, dkim.ErrKeyRestriction, 256},
		{"wrong key", sign(t, msg, "rsa2048", nil),
			keysOf(dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, TXT: other.Record()}),
			dkim.ResultFail, dkim.HeaderInvalid, dkim.BodyMatch, dkim.ErrVerification, 2048},
		{"malformed signature", sign(t, msg, "rsa2048", &testmail.SignOptions{Headers: []string{"to", "subject"}}), keysOf(record(rsa, "")),
			dkim.ResultPermError, dkim.HeaderUnchecked, dkim.BodyUnchecked, dkim.ErrFromNotSigned, 0},
		{"draft without v=", sign(t, msg, "rsa2048", &testmail.SignOptions{Omit: []string{"v"}}), keysOf(record(rsa, "")),
			dkim.ResultPass, dkim.HeaderValid, dkim.BodyMatch, nil, 2048},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := dkim.VerifyBytes(t.Context(), tt.msg, tt.opts)
			require.NoError(t, err, "VerifyBytes")
			require.Len(t, v.Signatures, 1, "one signature")
			s := v.Signatures[0]
			assert.Equal(t, tt.result, s.Result, "result (err %v)", s.Err)
			assert.Equal(t, tt.header, s.HeaderSignature, "header_signature")
			assert.Equal(t, tt.body, s.BodyHash, "body_hash")
			assert.Equal(t, tt.bits, s.KeyBits, "key bits")
			if tt.err == nil {
				assert.NoError(t, s.Err, "no reason on pass")
			} else {
				assert.ErrorIs(t, s.Err, tt.err, "reason")
			}
		})
	}
}

func TestVerifyFields(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	msg := testmail.Message{Subject: "Hello", Body: "Hi Bob.\n"}.Bytes()
	signed := sign(t, msg, "rsa2048", &testmail.SignOptions{
		Canonicalization: "relaxed/simple",
		Headers:          []string{"From", "from", "To", "Subject"},
		Identity:         "alice@" + rsa.Domain,
		Time:             time.Unix(1456826405, 0),
		Expiration:       time.Unix(1456912805, 0),
	})
	// A relay adds a From on top: the signature still verifies (From was
	// oversigned, so that would break it: use an unlisted field instead).
	signed = testmail.Prepend(signed, "Received", "from relay")
	v, err := dkim.VerifyBytes(t.Context(), signed, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	require.Len(t, v.Signatures, 1, "one signature")
	s := v.Signatures[0]
	assert.Equal(t, dkim.ResultPass, s.Result, "result (err %v)", s.Err)
	assert.Equal(t, 0, s.Index, "index")
	assert.Equal(t, rsa.Domain, s.Domain, "domain")
	assert.Equal(t, rsa.Selector, s.Selector, "selector")
	assert.Equal(t, "alice@"+rsa.Domain, s.Identity, "identity")
	assert.Equal(t, "rsa-sha256", s.Algorithm, "algorithm")
	assert.Equal(t, "relaxed/simple", s.Canonicalization, "canonicalization")
	assert.Equal(t, "1", s.Version, "version")
	assert.False(t, s.Draft, "not a draft")
	assert.Equal(t, strings.ToLower(rsa.Selector+"._domainkey."+rsa.Domain), s.LookupName, "lookup name")
	assert.Equal(t, []string{"from", "from", "to", "subject"}, s.SignedHeaders, "signed headers lower-cased")
	assert.Equal(t, []dkim.FieldCoverage{
		{Name: "from", Count: 1, Signed: []int{1}, Oversigned: true},
		{Name: "to", Count: 1, Signed: []int{1}},
		{Name: "subject", Count: 1, Signed: []int{1}},
	}, s.Coverage, "coverage")
	assert.Equal(t, int64(-1), s.BodyLength, "no l=")
	assert.Equal(t, time.Unix(1456826405, 0).UTC(), s.Timestamp, "t=")
	assert.False(t, s.FutureTimestamp, "t= in the past")
	assert.Equal(t, time.Unix(1456912805, 0).UTC(), s.Expires, "x= reported, never a failure")
	assert.Equal(t, "test:rsa2048", s.KeySource, "key source")
	require.NotNil(t, s.Key, "key record reported")
	assert.Equal(t, rsa.Selector, s.Key.Selector, "key record selector")
	assert.NotEmpty(t, s.B, "b= reported")
	assert.NotContains(t, s.B, " ", "b= without whitespace")
	assert.Empty(t, v.Findings, "no header findings")
	assert.Empty(t, v.DomainKeys, "no DomainKey-Signature")
}

func TestVerifyPrependedFrom(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	signed := sign(t, testmail.Message{}.Bytes(), "rsa2048", nil)
	evil := testmail.Prepend(signed, "From", "Mallory <ceo@example.com>")
	v, err := dkim.VerifyBytes(t.Context(), evil, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	s := v.Signatures[0]
	// go-msgauth passes this message too; the coverage shows the unsigned
	// From a mail client may display.
	assert.Equal(t, dkim.ResultPass, s.Result, "the signed bytes are intact")
	require.NotEmpty(t, s.Coverage, "coverage")
	assert.Equal(t, dkim.FieldCoverage{Name: "from", Count: 2, Signed: []int{2}}, s.Coverage[0],
		"two From fields, only the second (bottom) one signed")
}

func TestVerifyBodyLength(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	signed := sign(t, testmail.Message{Body: "Signed part.\n"}.Bytes(), "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	appended := append(bytes.Clone(signed), "Unsigned tail.\r\n"...)
	v, err := dkim.VerifyBytes(t.Context(), appended, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	s := v.Signatures[0]
	assert.Equal(t, dkim.ResultPass, s.Result, "the signed part verifies (err %v)", s.Err)
	assert.Equal(t, int64(len("Signed part.\r\n")), s.BodyLength, "l=")
	assert.Equal(t, int64(len("Unsigned tail.\r\n")), s.UnsignedBodyBytes, "bytes past l=")
}

func TestVerifyRotatedKeys(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	old := testmail.MustKey("rsa2048b")
	signed := sign(t, testmail.Message{}.Bytes(), "rsa2048", nil)
	stale := dkim.KeyRecord{Domain: rsa.Domain, Selector: rsa.Selector, TXT: old.Record(), Source: "2015 record"}
	current := record(rsa, "")
	current.Source = "2016 record"
	v, err := dkim.VerifyBytes(t.Context(), signed, keysOf(stale, current))
	require.NoError(t, err, "VerifyBytes")
	s := v.Signatures[0]
	assert.Equal(t, dkim.ResultPass, s.Result, "the second record verifies")
	assert.Equal(t, "2016 record", s.KeySource, "the record that verified is named")

	stale2 := stale
	stale2.Source = "2014 record"
	v, err = dkim.VerifyBytes(t.Context(), signed, keysOf(stale2, stale))
	require.NoError(t, err, "VerifyBytes")
	s = v.Signatures[0]
	assert.Equal(t, dkim.ResultFail, s.Result, "no record verifies")
	assert.Equal(t, "2015 record", s.KeySource, "the last record tried is named")
}

func TestVerifySeveralSignatures(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	ed := testmail.MustKey("ed25519")
	msg := testmail.Message{}.Bytes()
	signed := sign(t, sign(t, msg, "rsa2048", nil), "ed25519", nil)
	signed = sign(t, signed, "rsa2048", &testmail.SignOptions{FieldName: "X-Google-DKIM-Signature"})
	signed = testmail.Prepend(signed, "DomainKey-Signature", "a=rsa-sha1; q=dns; c=nofws; s=old; d=example.net; b=AAAA")
	opts := keysOf(record(rsa, ""), record(ed, ""))

	v, err := dkim.VerifyBytes(t.Context(), signed, opts)
	require.NoError(t, err, "VerifyBytes")
	require.Len(t, v.Signatures, 2, "X-Google-DKIM-Signature ignored")
	assert.Equal(t, "ed25519-sha256", v.Signatures[0].Algorithm, "top signature first")
	assert.Equal(t, "rsa-sha256", v.Signatures[1].Algorithm, "bottom signature second")
	for i, s := range v.Signatures {
		assert.Equal(t, i, s.Index, "index %d", i)
		assert.Equal(t, dkim.ResultPass, s.Result, "signature %d (err %v)", i, s.Err)
	}
	require.Len(t, v.DomainKeys, 1, "DomainKey-Signature reported apart from the DKIM ones")
	dk := v.DomainKeys[0]
	assert.Equal(t, dkim.SignatureDomainKeys, dk.Type, "DomainKey-Signature type")
	assert.Equal(t, "example.net", dk.Domain, "DomainKey-Signature d=")
	assert.Equal(t, "old", dk.Selector, "DomainKey-Signature s=")
	assert.Equal(t, "nofws", dk.Canonicalization, "DomainKey-Signature c=")
	assert.Equal(t, dkim.ResultPermError, dk.Result, "its d= is not the From domain")
	assert.ErrorIs(t, dk.Err, dkim.ErrSendingDomain, "sending domain rule")

	opts.MaxSignatures = 1
	v, err = dkim.VerifyBytes(t.Context(), signed, opts)
	require.NoError(t, err, "VerifyBytes with a cap of 1")
	require.Len(t, v.Signatures, 2, "skipped signatures are still reported")
	assert.Equal(t, dkim.ResultPass, v.Signatures[0].Result, "first checked")
	assert.Equal(t, dkim.ResultSkipped, v.Signatures[1].Result, "second past the cap")
	assert.ErrorIs(t, v.Signatures[1].Err, dkim.ErrSkipped, "skip reason")
	assert.Equal(t, dkim.HeaderUnchecked, v.Signatures[1].HeaderSignature, "skipped: header unchecked")
	assert.Equal(t, rsa.Domain, v.Signatures[1].Domain, "skipped: d= still reported")
}

func TestVerifyTimestamps(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	future := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	signed := sign(t, testmail.Message{}.Bytes(), "rsa2048", &testmail.SignOptions{Time: future, Expiration: future.Add(time.Hour)})
	v, err := dkim.VerifyBytes(t.Context(), signed, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	s := v.Signatures[0]
	assert.Equal(t, dkim.ResultPass, s.Result, "a future t= is noted, not a failure")
	assert.True(t, s.FutureTimestamp, "t= after the verification time")
	assert.Equal(t, future, s.Timestamp, "t=")
}

func TestVerifyHeaderOnly(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	signed := sign(t, testmail.Message{Body: "x"}.Bytes(), "rsa2048", nil)
	// Cut the body and the blank line: the signature's bh= is for "x".
	i := bytes.Index(signed, []byte("\r\n\r\n"))
	require.Positive(t, i, "blank line")
	v, err := dkim.VerifyBytes(t.Context(), signed[:i+2], keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes on a header-only message")
	s := v.Signatures[0]
	assert.Equal(t, dkim.BodyMismatch, s.BodyHash, "the empty body does not match")
	assert.Equal(t, dkim.HeaderValid, s.HeaderSignature, "the header is intact")
	assert.Equal(t, dkim.ResultFail, s.Result, "fail")

	empty := sign(t, testmail.Message{}.Bytes(), "rsa2048", nil)
	empty = testmail.ReplaceBody(empty, "")
	empty = sign(t, empty[:bytes.Index(empty, []byte("\r\n\r\n"))+2], "rsa2048", &testmail.SignOptions{Selector: rsa.Selector})
	v, err = dkim.VerifyBytes(t.Context(), empty, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes on a signed header-only message")
	assert.Equal(t, dkim.ResultPass, v.Signatures[0].Result, "a header-only message signed as such (err %v)", v.Signatures[0].Err)
}

func TestVerifyHostile(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	opts := keysOf(record(rsa, ""))
	good := sign(t, testmail.Message{}.Bytes(), "rsa2048", nil)
	for _, tt := range []struct {
		name string
		msg  string
		err  error
	}{
		{"nul in d=", "DKIM-Signature: v=1; a=rsa-sha256; d=exa\x00mple.com; s=s; h=from; bh=YWJj; b=ZGVm\r\nFrom: a\r\n\r\nbody", dkim.ErrMalformedTags},
		{"8-bit d=", "DKIM-Signature: v=1; a=rsa-sha256; d=ex\xe4mple.com; s=s; h=from; bh=YWJj; b=ZGVm\r\nFrom: a\r\n\r\n", dkim.ErrInvalidDomain},
		{"truncated", "DKIM-Signature: v=1; a=rsa-sha256; d=ex", dkim.ErrMissingTag},
		{"lone CR", "DKIM-Signature: v=1;\ra=rsa-sha256; d=example.com; s=s; h=from; bh=YWJj; b=ZGVm\rFrom: a\r\r\r", dkim.ErrBadBase64},
		{"ten thousand h=", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from" + strings.Repeat(":x", 10000) + "; bh=YWJj; b=ZGVm\r\n\r\n", dkim.ErrTooManySignedHeaders},
		{"kilobyte tag", "DKIM-Signature: v=1; a=" + strings.Repeat("x", 4096) + "; d=example.com; s=s; h=from; bh=YWJj; b=ZGVm\r\n\r\n", dkim.ErrUnsupportedAlgorithm},
		{"empty", "DKIM-Signature:", dkim.ErrMissingTag},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := dkim.VerifyBytes(t.Context(), []byte(tt.msg), opts)
			require.NoError(t, err, "VerifyBytes")
			require.Len(t, v.Signatures, 1, "one signature")
			assert.Equal(t, dkim.ResultPermError, v.Signatures[0].Result, "permerror")
			assert.ErrorIs(t, v.Signatures[0].Err, tt.err, "reason")
			assert.Less(t, len(v.Signatures[0].Err.Error()), 400, "reason is short: values are clipped")
		})
	}
	t.Run("reader error", func(t *testing.T) {
		_, err := dkim.Verify(t.Context(), errReader{}, opts)
		assert.ErrorIs(t, err, errBoom, "I/O error returned")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := dkim.Verify(ctx, bytes.NewReader(good), opts)
		assert.ErrorIs(t, err, context.Canceled, "cancelled context")
	})
	t.Run("nil options", func(t *testing.T) {
		v, err := dkim.Verify(t.Context(), bytes.NewReader(good), nil)
		require.NoError(t, err, "Verify with nil options")
		assert.Equal(t, dkim.ResultNoKey, v.Signatures[0].Result, "no key sources: no_key")
	})
}

var errBoom = errors.New("boom")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }

func FuzzVerifyBytes(f *testing.F) {
	rsa := testmail.MustKey("rsa2048")
	opts := keysOf(record(rsa, ""))
	f.Add(sign(f, testmail.Message{}.Bytes(), "rsa2048", nil))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from:from; bh=YWJj; b=ZGVm\r\nFrom : a\r\n\r\n"))
	f.Add([]byte(" DomainKey-Signature: d=x\nFrom\n : y\n\nbody"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		v, err := dkim.VerifyBytes(t.Context(), msg, opts)
		require.NoError(t, err, "only I/O and caps are errors")
		for i, s := range v.Signatures {
			require.Equal(t, i, s.Index, "indices in order")
			require.NotEqual(t, dkim.ResultNone, s.Result, "every signature has a result")
			if s.Result == dkim.ResultPass {
				require.NoError(t, s.Err, "pass has no reason")
				require.Equal(t, dkim.HeaderValid, s.HeaderSignature, "pass means a valid header signature")
				require.Equal(t, dkim.BodyMatch, s.BodyHash, "pass means a matching body")
			} else {
				require.Error(t, s.Err, "a non-pass result has a reason")
			}
			if s.Domain != "" {
				require.NotContains(t, s.LookupName, "\x00", "lookup name from validated labels")
			}
		}
	})
}

func TestVerifyDraftsAndFindings(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	opts := keysOf(record(rsa, ""))
	msg := testmail.Message{}.Bytes()
	for _, tt := range []struct {
		name    string
		o       *testmail.SignOptions
		version string
		draft   bool
	}{
		{"v=1", nil, "1", false},
		{"no v= (draft-01 to -04)", &testmail.SignOptions{Omit: []string{"v"}}, "", true},
		{"v=0.5 (draft-05 to -10)", &testmail.SignOptions{Version: "0.5"}, "0.5", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := dkim.VerifyBytes(t.Context(), sign(t, msg, "rsa2048", tt.o), opts)
			require.NoError(t, err, "VerifyBytes")
			s := v.Signatures[0]
			assert.Equal(t, dkim.ResultPass, s.Result, "drafts verify like v=1 (err %v)", s.Err)
			assert.Equal(t, tt.version, s.Version, "v= as written")
			assert.Equal(t, tt.draft, s.Draft, "draft flag")
		})
	}

	t.Run("findings", func(t *testing.T) {
		signed := sign(t, msg, "rsa2048", nil)
		// "From :" reads as From to a lenient reader, and to us: the added
		// field is counted as a second From instance.
		evil := testmail.Prepend(signed, "From ", "Mallory <ceo@example.com>")
		v, err := dkim.VerifyBytes(t.Context(), evil, opts)
		require.NoError(t, err, "VerifyBytes")
		require.Len(t, v.Findings, 1, "one finding")
		assert.Equal(t, dkim.Finding{Kind: dkim.FindingSpaceBeforeColon, Name: "from", Offset: 0}, v.Findings[0], "space before colon")
		s := v.Signatures[0]
		assert.Equal(t, dkim.ResultPass, s.Result, "the signed bytes are intact")
		assert.Equal(t, dkim.FieldCoverage{Name: "from", Count: 2, Signed: []int{2}}, s.Coverage[0], "the spaced From counts as a From")
	})
}

func TestVerifyReasons(t *testing.T) {
	small := testmail.MustKey("rsa512")
	rsa := testmail.MustKey("rsa2048")
	msg := testmail.Message{}.Bytes()

	altered := testmail.ReplaceBody(bytes.Replace(sign(t, msg, "rsa512", nil), []byte("Subject: "), []byte("Subject: Re: "), 1), "x\n")
	v, err := dkim.VerifyBytes(t.Context(), altered, keysOf(record(small, "")))
	require.NoError(t, err, "VerifyBytes")
	s := v.Signatures[0]
	assert.Equal(t, dkim.ResultWeakKey, s.Result, "weak key")
	for _, want := range []error{dkim.ErrWeakKey, dkim.ErrHeaderSignature, dkim.ErrVerification, dkim.ErrBodyHashMismatch} {
		assert.ErrorIs(t, s.Err, want, "the reason wraps every cause")
	}
	assert.NotContains(t, s.Err.Error(), "\n", "a reason is one line (it is one JSON string)")
	assert.Equal(t, "dkim: RSA key shorter than the policy minimum: 512 bits, minimum 1024; "+
		"dkim: header signature does not verify; dkim: body hash does not match", s.Err.Error(), "reason text")

	bad := sign(t, msg, "rsa2048", &testmail.SignOptions{Omit: []string{"c"}, Extra: []testmail.Tag{{Name: "c", Value: "Future/Simple"}}})
	v, err = dkim.VerifyBytes(t.Context(), bad, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	s = v.Signatures[0]
	assert.Equal(t, dkim.ResultPermError, s.Result, "unknown c=")
	assert.ErrorIs(t, s.Err, dkim.ErrUnsupportedCanonicalization, "reason")
	assert.Equal(t, "future/simple", s.Canonicalization, "an unknown c= is reported as written, not as a default")
}

// TestPublishedKeyAnyName: a private key made public is public whatever
// name its public half is served under. A signature under example.com's
// s2048 is published_key when the same key is marked published under
// another selector, another domain (a hosting provider's shared key), or
// in another key file.
func TestPublishedKeyAnyName(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	msg := sign(t, testmail.Message{Subject: "Hello", Body: "Hi.\n"}.Bytes(), "rsa2048", nil)
	published := func(domain, selector string) dkim.KeyRecord {
		return dkim.KeyRecord{Domain: domain, Selector: selector, TXT: rsa.Record(), Source: "leaks",
			PrivateKeyPublished: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)}
	}
	for _, tt := range []struct {
		name string
		keys dkim.KeySource
	}{
		{"other selector", dkim.NewKeyFile([]dkim.KeyRecord{record(rsa, ""), published(rsa.Domain, "old")})},
		{"other domain", dkim.NewKeyFile([]dkim.KeyRecord{record(rsa, ""), published("hosting.example", "shared")})},
		{"other key file", dkim.KeySources(dkim.NewKeyFile([]dkim.KeyRecord{record(rsa, "")}), dkim.NewKeyFile([]dkim.KeyRecord{published("hosting.example", "shared")}))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := dkim.VerifyBytes(t.Context(), msg, &dkim.Options{Keys: tt.keys, Time: verifyTime})
			require.NoError(t, err, "VerifyBytes")
			s := v.Signatures[0]
			assert.Equal(t, dkim.ResultPublishedKey, s.Result, "result; err %v", s.Err)
			assert.ErrorIs(t, s.Err, dkim.ErrPublishedKey, "the reason names the publication")
			assert.Contains(t, s.Err.Error(), "2019-05-01", "with its date")
			assert.Contains(t, s.Err.Error(), "as the key of", "and the name it was published under")
		})
	}
	t.Run("another key marked published changes nothing", func(t *testing.T) {
		other := testmail.MustKey("rsa2048p")
		keys := dkim.NewKeyFile([]dkim.KeyRecord{record(rsa, ""), {Domain: rsa.Domain, Selector: "old", TXT: other.Record(),
			PrivateKeyPublished: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)}})
		v, err := dkim.VerifyBytes(t.Context(), msg, &dkim.Options{Keys: keys, Time: verifyTime})
		require.NoError(t, err, "VerifyBytes")
		assert.Equal(t, dkim.ResultPass, v.Signatures[0].Result, "err %v", v.Signatures[0].Err)
	})
}

// TestVerifySignatureTags: malformed, duplicated or out-of-range tags, and
// key records that forbid the signature, give the result and sentinel
// they must, and the key lookup name uses validated labels only.
func TestVerifySignatureTags(t *testing.T) {
	msg := depositMsg()
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
			keys := committedKeys(
				dkim.KeyRecord{Domain: "example.com", Selector: "sha1only", TXT: "v=DKIM1; k=rsa; h=sha1; p=" + k.PublicBase64()},
				dkim.KeyRecord{Domain: "example.com", Selector: "other", TXT: "v=DKIM1; k=rsa; s=other; p=" + k.PublicBase64()},
				dkim.KeyRecord{Domain: "example.com", Selector: "strict", TXT: "v=DKIM1; k=rsa; t=s; p=" + k.PublicBase64()},
			)
			v := verifyWith(t, sign(t, msg, "rsa2048", tt.o), keys)
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

// TestVerifyFieldInstances: extra From fields in the forms verifiers and
// mail clients disagree on; the coverage and findings must show them.
func TestVerifyFieldInstances(t *testing.T) {
	good := sign(t, depositMsg(), "rsa2048", nil)
	bottom := bytes.Replace(good, []byte("\r\n\r\n"), []byte("\r\nFrom: CEO <ceo@example.com>\r\n\r\n"), 1)
	for _, tt := range []struct {
		name    string
		msg     []byte
		count   int
		signed  []int
		header  dkim.HeaderStatus
		finding dkim.FindingKind // 0: none expected
	}{
		{"lower-case from: on top", prepend(good, "from: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"upper-case FROM: on top", prepend(good, "FROM: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"From<TAB>: on top", prepend(good, "From\t: CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingSpaceBeforeColon},
		{"From : on top", prepend(good, "From : CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingSpaceBeforeColon},
		{"From folded after the colon on top", prepend(good, "From:\r\n CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, 0},
		{"From name folded onto the next line", prepend(good, "From\r\n : CEO <ceo@example.com>"), 2, []int{2}, dkim.HeaderValid, dkim.FindingFoldedName},
		{"From below the signed one", bottom, 2, []int{2}, dkim.HeaderInvalid, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := verifyWith(t, tt.msg, committedKeys())
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

// TestVerifyBodyLengthTricks: text past l= is counted as unsigned, l= of
// zero signs nothing, and an l= past the body is the signer's mistake.
func TestVerifyBodyLengthTricks(t *testing.T) {
	msg := depositMsg()
	_, body := testmail.Split(msg)
	whole := sign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	for _, tt := range []struct {
		name     string
		msg      []byte
		result   dkim.Result
		unsigned int64
	}{
		{"l=0 leaves the whole body unsigned", sign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: testmail.ZeroLength}), dkim.ResultPass, int64(len(body))},
		{"text appended past l=", append(bytes.Clone(whole), "P.S. new account\r\n"...), dkim.ResultPass, int64(len("P.S. new account\r\n"))},
		{"whitespace lines past l= vanish under relaxed", append(bytes.Clone(whole), " \t \r\n\r\n"...), dkim.ResultPass, 0},
		// RFC 6376 §3.5 says l= MUST NOT exceed the body; Mail::DKIM and
		// dkimpy verify the whole body anyway (appending still breaks the
		// hash), and a signer's mistake is not made to read as alteration.
		{"l= larger than the body verifies, as Mail::DKIM and dkimpy have it", sign(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: 100000}), dkim.ResultPass, 0},
		{"text inserted inside the signed part", bytes.Replace(whole, []byte("usual account"), []byte("other account"), 1), dkim.ResultFail, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := verifyWith(t, tt.msg, committedKeys())
			require.Len(t, v.Signatures, 1, "one signature")
			sig := v.Signatures[0]
			assert.Equal(t, tt.result, sig.Result, "result; reason %v", sig.Err)
			assert.Equal(t, tt.unsigned, sig.UnsignedBodyBytes, "canonical body bytes past l=")
			assert.GreaterOrEqual(t, sig.BodyLength, int64(0), "l= is reported")
		})
	}
}

// TestVerifyWhereSignaturesAre: signatures a verifier must not pick up,
// and the cap.
func TestVerifyWhereSignaturesAre(t *testing.T) {
	field, err := testmail.SignatureField(depositMsg(), testmail.MustKey("rsa2048"), nil)
	require.NoError(t, err, "SignatureField")
	inBody := testmail.Message{Body: strings.ReplaceAll(field, "\r\n", "\n") + "\nhello\n"}.Bytes()
	v := verifyWith(t, inBody, committedKeys())
	assert.Empty(t, v.Signatures, "a DKIM-Signature in the body is not a signature")

	renamed := sign(t, depositMsg(), "rsa2048", &testmail.SignOptions{FieldName: "X-Google-DKIM-Signature"})
	v = verifyWith(t, renamed, committedKeys())
	assert.Empty(t, v.Signatures, "X-Google-DKIM-Signature is not a DKIM-Signature")

	good := sign(t, depositMsg(), "rsa2048", nil)
	many := good
	for i := range 16 {
		many = prepend(many, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	v = verifyWith(t, many, committedKeys())
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
	v = verifyWith(t, prepend(depositMsg(), "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2048; h="+hostile+"; bh=AAAA; b=AAAA"), committedKeys())
	require.Len(t, v.Signatures, 1, "one signature")
	assert.Equal(t, dkim.ResultPermError, v.Signatures[0].Result, "10,000 h= entries are refused")
	assert.Less(t, time.Since(start), 5*time.Second, "in bounded time")
}
