package arc_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// testKeys publishes the test keys at their default names, plus rsa2048
// under selector "testing" with t=y, and rsa2048p under "published" with its
// private half marked published.
func testKeys() *dkim.KeyFile {
	var recs []dkim.KeyRecord
	for _, name := range []string{"rsa2048", "rsa2048b", "rsa1024", "rsa512", "ed25519", "ed25519b"} {
		k := testmail.MustKey(name)
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "test"})
	}
	k := testmail.MustKey("rsa2048")
	recs = append(recs,
		dkim.KeyRecord{Domain: k.Domain, Selector: "testing", TXT: k.Record() + "; t=y", Source: "test"},
		dkim.KeyRecord{Domain: k.Domain, Selector: "published", TXT: testmail.MustKey("rsa2048p").Record(), Source: "test",
			PrivateKeyPublished: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
	)
	return dkim.NewKeyFile(recs)
}

// countingKeys counts lookups, to show that a chain failed before any
// cryptography.
type countingKeys struct {
	dkim.KeySource
	n atomic.Int64
}

func (c *countingKeys) Lookup(ctx context.Context, domain, selector string) ([]dkim.KeyRecord, error) {
	c.n.Add(1)
	return c.KeySource.Lookup(ctx, domain, selector)
}

// base is a DKIM-signed message from example.com.
func base() []byte {
	return testmail.MustSign(testmail.Message{Subject: "ARC test"}.Bytes(), testmail.MustKey("rsa2048"), nil)
}

// chain seals base() once per option set, with rsa2048b (example.org),
// rsa2048 (example.com) and ed25519b, in turn, unless the options name
// another key through keyFor.
func chain(opts ...*testmail.SealOptions) []byte {
	keys := []string{"rsa2048b", "rsa2048", "ed25519b"}
	msg := base()
	for n, o := range opts {
		msg = testmail.MustSeal(msg, testmail.MustKey(keys[n%len(keys)]), o)
	}
	return msg
}

func sealWith(msg []byte, key string, o *testmail.SealOptions) []byte {
	return testmail.MustSeal(msg, testmail.MustKey(key), o)
}

func TestVerify(t *testing.T) {
	intact3 := chain(nil, nil, nil)
	for _, tt := range []struct {
		name     string
		msg      []byte
		chain    arc.ChainStatus
		failedAt int
		err      error
		check    func(t *testing.T, r *arc.Result)
	}{
		{name: "no ARC fields", msg: base(), chain: arc.ChainNone},
		{name: "empty message", msg: []byte{}, chain: arc.ChainNone},
		{name: "one instance", msg: chain(nil), chain: arc.ChainPass, check: func(t *testing.T, r *arc.Result) {
			require.Len(t, r.Instances, 1, "instances")
			in := r.Instances[0]
			assert.Equal(t, 1, in.Instance, "instance number")
			assert.Equal(t, "example.org", in.Sealer, "sealer (AS d=)")
			assert.Equal(t, "s2048b", in.Selector, "AS s=")
			assert.Equal(t, "example.org", in.Domain, "AMS d=")
			assert.Equal(t, "none", in.CV, "cv of instance 1")
			assert.Equal(t, dkim.ResultPass, in.Seal, "seal result")
			assert.Equal(t, dkim.ResultPass, in.MessageSignature, "AMS result")
			assert.Equal(t, time.Unix(testmail.DefaultUnix+60, 0).UTC(), in.SealTime, "seal t=")
			assert.Equal(t, 2048, in.SealCheck.KeyBits, "seal key bits")
			assert.Equal(t, "test", in.SealCheck.KeySource, "seal key source")
			assert.Equal(t, dkim.BodyMatch, in.MessageCheck.BodyHash, "AMS body hash")
			assert.Equal(t, "i=1; "+testmail.DefaultAuthServID+"; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com",
				in.AuthenticationResults, "AAR value as written")
			assert.Empty(t, r.Reason, "reason of a passing chain")
			assert.NoError(t, r.Err, "Err of a passing chain")
		}},
		{name: "three instances, RSA and Ed25519", msg: intact3, chain: arc.ChainPass, check: func(t *testing.T, r *arc.Result) {
			require.Len(t, r.Instances, 3, "instances")
			for i, in := range r.Instances {
				assert.Equal(t, i+1, in.Instance, "instances in order")
			}
			assert.Equal(t, "pass", r.Instances[2].CV, "cv of instance 3")
			assert.Equal(t, 256, r.Instances[2].SealCheck.KeyBits, "Ed25519 seal key bits")
		}},
		{name: "LF line endings", msg: testmail.LF(intact3), chain: arc.ChainPass},
		{name: "broken seal at instance 2", msg: chain(nil, &testmail.SealOptions{BreakSeal: true}, nil),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrSignature, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.HeaderInvalid, r.Instances[1].SealCheck.HeaderSignature, "seal 2 header signature")
				assert.Equal(t, dkim.ResultFail, r.Instances[1].Seal, "seal 2 result")
				assert.Equal(t, dkim.ResultPass, r.Instances[2].Seal, "seal 3 still verifies over the broken seal 2")
			}},
		{name: "broken older message signature", msg: chain(&testmail.SealOptions{BreakMessageSignature: true}, nil),
			chain: arc.ChainPass, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.ResultFail, r.Instances[0].MessageSignature, "older AMS is reported failing but does not decide")
			}},
		{name: "broken latest message signature", msg: chain(nil, &testmail.SealOptions{BreakMessageSignature: true}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrSignature},
		{name: "body modified after sealing", msg: testmail.ReplaceBody(chain(nil, nil), "Changed.\n"),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrSignature, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.BodyMismatch, r.Instances[1].MessageCheck.BodyHash, "AMS 2 body hash")
				assert.Equal(t, dkim.HeaderValid, r.Instances[1].MessageCheck.HeaderSignature, "AMS 2 header signature")
				assert.Equal(t, dkim.ResultPass, r.Instances[1].Seal, "seal 2 does not cover the body")
			}},
		{name: "gap in instance numbers", msg: chain(nil, &testmail.SealOptions{Instance: 3}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrMissing, check: func(t *testing.T, r *arc.Result) {
				require.Len(t, r.Instances, 2, "instances 1 and 3 reported")
				assert.Equal(t, 3, r.Instances[1].Instance, "second reported instance")
				assert.Equal(t, dkim.ResultPermError, r.Instances[1].Seal, "seal 3 cannot be computed without set 2")
			}},
		{name: "duplicate instance", msg: chain(nil, &testmail.SealOptions{Instance: 1}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrDuplicate},
		{name: "missing message signature", msg: chain(&testmail.SealOptions{Omit: []string{"ams"}}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrMissing},
		{name: "missing authentication results", msg: chain(nil, &testmail.SealOptions{Omit: []string{"aar"}}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrMissing},
		{name: "instance 51", msg: chain(&testmail.SealOptions{Instance: 51}),
			chain: arc.ChainFail, err: arc.ErrInstance},
		{name: "latest cv=fail", msg: chain(nil, &testmail.SealOptions{CV: "fail"}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrChainFailed, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.ResultPass, r.Instances[1].Seal, "a cv=fail seal verifies over its own set")
			}},
		{name: "cv=pass on instance 1", msg: chain(&testmail.SealOptions{CV: "pass"}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrCV},
		{name: "cv=none on instance 2", msg: chain(nil, &testmail.SealOptions{CV: "none"}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrCV},
		{name: "invalid cv value", msg: chain(&testmail.SealOptions{CV: "maybe"}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrMalformed},
		{name: "seal with h=", msg: chain(&testmail.SealOptions{SealTags: []testmail.Tag{{Name: "h", Value: "from"}}}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrMalformed},
		{name: "message signature signs ARC-Seal", msg: chain(nil, &testmail.SealOptions{Headers: []string{"from", "arc-seal"}}),
			chain: arc.ChainFail, failedAt: 2, err: arc.ErrMalformed},
		{name: "rsa-sha1", msg: chain(&testmail.SealOptions{Algorithm: "rsa-sha1"}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrAlgorithm, check: func(t *testing.T, r *arc.Result) {
				in := r.Instances[0]
				assert.Equal(t, dkim.HeaderValid, in.MessageCheck.HeaderSignature, "rsa-sha1 AMS arithmetic is reported")
				assert.Equal(t, dkim.ResultPermError, in.MessageSignature, "rsa-sha1 AMS result")
			}},
		{name: "512-bit seal key", msg: sealWith(base(), "rsa512", nil),
			chain: arc.ChainFail, failedAt: 1, err: dkim.ErrWeakKey, check: func(t *testing.T, r *arc.Result) {
				in := r.Instances[0]
				assert.Equal(t, dkim.ResultWeakKey, in.Seal, "seal with a 512-bit key")
				assert.Equal(t, dkim.HeaderValid, in.SealCheck.HeaderSignature, "weak seal arithmetic")
				assert.Equal(t, 512, in.SealCheck.KeyBits, "seal key bits")
			}},
		{name: "1024-bit key passes", msg: sealWith(base(), "rsa1024", nil), chain: arc.ChainPass},
		{name: "testing key", msg: sealWith(base(), "rsa2048", &testmail.SealOptions{Selector: "testing"}),
			chain: arc.ChainFail, failedAt: 1, err: dkim.ErrTestingKey, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.ResultTestingKey, r.Instances[0].Seal, "seal with a t=y key")
			}},
		{name: "published key", msg: sealWith(base(), "rsa2048p", &testmail.SealOptions{Domain: "example.com", Selector: "published"}),
			chain: arc.ChainFail, failedAt: 1, err: dkim.ErrPublishedKey},
		{name: "no key", msg: sealWith(base(), "rsa2048", &testmail.SealOptions{Selector: "unknown"}),
			chain: arc.ChainFail, failedAt: 1, err: dkim.ErrNoKey, check: func(t *testing.T, r *arc.Result) {
				assert.Equal(t, dkim.ResultNoKey, r.Instances[0].Seal, "seal without a key")
			}},
		{name: "domain with a parenthesis", msg: chain(&testmail.SealOptions{Domain: "example.org(x)"}),
			chain: arc.ChainFail, failedAt: 1, err: arc.ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := arc.Verify(t.Context(), tt.msg, &dkim.Options{Keys: testKeys()})
			require.NoError(t, err, "Verify")
			require.NotNil(t, r, "Verify result")
			assert.Equal(t, tt.chain, r.Chain, "Chain (reason %q)", r.Reason)
			assert.Equal(t, tt.failedAt, r.FailedInstance, "FailedInstance (reason %q)", r.Reason)
			assert.NotNil(t, r.Instances, "Instances is never nil")
			if tt.err != nil {
				assert.ErrorIs(t, r.Err, tt.err, "Err (reason %q)", r.Reason)
			}
			if tt.chain == arc.ChainFail {
				t.Logf("reason: %s", r.Reason)
				assert.NotEmpty(t, r.Reason, "Reason of a failed chain")
				assert.False(t, strings.HasPrefix(r.Reason, "arc: "), "Reason %q is plain text without the package prefix", r.Reason)
			} else {
				assert.Empty(t, r.Reason, "Reason unless failed")
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestVerifyHostile checks that oversized and malformed chains fail fast,
// before any key lookup, and never panic.
func TestVerifyHostile(t *testing.T) {
	var huge bytes.Buffer
	for i := 10000; i >= 1; i-- {
		fmt.Fprintf(&huge, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=example.org; s=s; b=AAAA\r\n", i)
		fmt.Fprintf(&huge, "ARC-Message-Signature: i=%d; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA\r\n", i)
		fmt.Fprintf(&huge, "ARC-Authentication-Results: i=%d; mx.example.org; dkim=pass\r\n", i)
	}
	huge.WriteString("From: a@example.com\r\n\r\nbody\r\n")

	var fiftyOne []byte = base()
	for i := 1; i <= 51; i++ {
		fiftyOne = append([]byte(fmt.Sprintf("ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=example.org; s=s; b=AAAA\r\n"+
			"ARC-Message-Signature: i=%d; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA\r\n"+
			"ARC-Authentication-Results: i=%d; mx.example.org; dkim=pass\r\n", i, i, i)), fiftyOne...)
	}
	for _, tt := range []struct {
		name    string
		msg     []byte
		err     error
		lookups bool // whether key lookups may happen
	}{
		{"10,000 instances", huge.Bytes(), arc.ErrTooManySets, false},
		{"51 instances", fiftyOne, arc.ErrTooManySets, false},
		{"instance 0", []byte("ARC-Seal: i=0; a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA\r\n\r\n"), arc.ErrInstance, true},
		{"instance not a number", []byte("ARC-Seal: i=one; a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA\r\n\r\n"), arc.ErrInstance, true},
		{"AAR without i=", []byte("ARC-Authentication-Results: mx.example.org; dkim=pass\r\n\r\n"), arc.ErrInstance, true},
		{"AAR i= without semicolon", []byte("ARC-Authentication-Results: i=1 mx.example.org\r\n\r\n"), arc.ErrInstance, true},
		{"malformed tag list", []byte("ARC-Seal: i=1; a\r\n\r\n"), arc.ErrMalformed, true},
		{"duplicate tag", []byte("ARC-Seal: i=1; i=1; a=rsa-sha256\r\n\r\n"), arc.ErrMalformed, true},
		{"empty tag-spec", []byte("ARC-Seal: i=1;; a=rsa-sha256\r\n\r\n"), arc.ErrMalformed, true},
		{"header only, no line ending", []byte("ARC-Seal: i=1"), arc.ErrMissing, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			keys := &countingKeys{KeySource: testKeys()}
			r, err := arc.Verify(t.Context(), tt.msg, &dkim.Options{Keys: keys})
			require.NoError(t, err, "Verify")
			assert.Equal(t, arc.ChainFail, r.Chain, "Chain (reason %q)", r.Reason)
			assert.ErrorIs(t, r.Err, tt.err, "Err (reason %q)", r.Reason)
			assert.NotEmpty(t, r.Reason, "Reason")
			if !tt.lookups {
				assert.Zero(t, keys.n.Load(), "key lookups before bailing out")
				assert.Empty(t, r.Instances, "instances reported when bailing out")
			}
		})
	}
}

func TestVerifyContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r, err := arc.Verify(ctx, chain(nil), &dkim.Options{Keys: testKeys()})
	assert.ErrorIs(t, err, context.Canceled, "Verify with a cancelled context")
	assert.Nil(t, r, "result with a cancelled context")
}

func TestVerifyNilOptions(t *testing.T) {
	r, err := arc.Verify(t.Context(), chain(nil), nil)
	require.NoError(t, err, "Verify(nil opts)")
	assert.Equal(t, arc.ChainFail, r.Chain, "chain without keys")
	assert.Equal(t, dkim.ResultNoKey, r.Instances[0].MessageSignature, "AMS without keys")
	assert.Equal(t, dkim.ResultNoKey, r.Instances[0].Seal, "seal without keys")
}

func TestChainStatusText(t *testing.T) {
	for _, tt := range []struct {
		status arc.ChainStatus
		word   string
	}{{arc.ChainNone, "none"}, {arc.ChainPass, "pass"}, {arc.ChainFail, "fail"}} {
		t.Run(tt.word, func(t *testing.T) {
			got, err := tt.status.MarshalText()
			require.NoError(t, err, "MarshalText(%d)", tt.status)
			assert.Equal(t, tt.word, string(got), "MarshalText(%d)", tt.status)
			assert.Equal(t, tt.word, tt.status.String(), "String(%d)", tt.status)
			var back arc.ChainStatus
			require.NoError(t, back.UnmarshalText(got), "UnmarshalText(%q)", got)
			assert.Equal(t, tt.status, back, "UnmarshalText(%q)", got)
		})
	}
	for _, w := range []string{"", "Pass", "neutral", "broken"} {
		t.Run("unknown "+w, func(t *testing.T) {
			var back arc.ChainStatus
			assert.Error(t, back.UnmarshalText([]byte(w)), "UnmarshalText(%q)", w)
		})
	}
	// A value past the constants has no word: a constant added without
	// one fails here.
	_, err := (arc.ChainFail + 1).MarshalText()
	assert.Error(t, err, "MarshalText(%d), outside the constants", arc.ChainFail+1)
}

// TestVerifyAsksEachNameOnce checks that the six signatures of a
// three-instance chain by three keys cost three key lookups.
func TestVerifyAsksEachNameOnce(t *testing.T) {
	keys := &countingKeys{KeySource: testKeys()}
	dns := &countingKeys{KeySource: dkim.NewKeyFile(nil)}
	r, err := arc.Verify(t.Context(), chain(nil, nil, nil), &dkim.Options{Keys: keys, DNS: dns})
	require.NoError(t, err, "Verify")
	assert.Equal(t, arc.ChainPass, r.Chain, "Chain (reason %q)", r.Reason)
	assert.Equal(t, int64(3), keys.n.Load(), "key file lookups for three names")
	assert.Zero(t, dns.n.Load(), "DNS lookups when the key file answers")

	keys.n.Store(0)
	r, err = arc.Verify(t.Context(), sealWith(base(), "rsa2048", &testmail.SealOptions{Selector: "unknown"}), &dkim.Options{Keys: keys, DNS: dns})
	require.NoError(t, err, "Verify")
	assert.Equal(t, dkim.ResultNoKey, r.Instances[0].Seal, "seal without a key anywhere")
	assert.Equal(t, int64(1), keys.n.Load(), "key file lookups for one unknown name")
	assert.Equal(t, int64(1), dns.n.Load(), "DNS lookups for one unknown name, asked once")
}

// TestVerifyOlderSignaturesCapped checks that older message signatures past
// Options.MaxSignatures are skipped, and that the chain still decides.
func TestVerifyOlderSignaturesCapped(t *testing.T) {
	r, err := arc.Verify(t.Context(), chain(nil, nil, nil), &dkim.Options{Keys: testKeys(), MaxSignatures: 2})
	require.NoError(t, err, "Verify")
	assert.Equal(t, arc.ChainPass, r.Chain, "Chain (reason %q)", r.Reason)
	require.Len(t, r.Instances, 3, "instances")
	assert.Equal(t, dkim.ResultSkipped, r.Instances[0].MessageSignature, "AMS 1 with a cap of 2")
	assert.Equal(t, "example.org", r.Instances[0].MessageCheck.Domain, "skipped AMS still names its d=")
	assert.Equal(t, dkim.ResultPass, r.Instances[1].MessageSignature, "AMS 2 with a cap of 2")
	assert.Equal(t, dkim.ResultPass, r.Instances[2].MessageSignature, "AMS 3 with a cap of 2")
	for _, in := range r.Instances {
		assert.Equal(t, dkim.ResultPass, in.Seal, "seal %d is never skipped", in.Instance)
	}
}

// MessageCheck.Canonicalization is the ARC-Message-Signature's c=, an
// absent body part read as simple.
func TestMessageCheckCanonicalization(t *testing.T) {
	for _, tt := range []struct{ c, want string }{
		{"relaxed/relaxed", "relaxed/relaxed"},
		{"relaxed/simple", "relaxed/simple"},
		{"simple/simple", "simple/simple"},
		{"relaxed", "relaxed/simple"},
	} {
		r, err := arc.Verify(t.Context(), chain(&testmail.SealOptions{Canonicalization: tt.c}), &dkim.Options{Keys: testKeys()})
		require.NoError(t, err, "c=%q", tt.c)
		require.Len(t, r.Instances, 1, "c=%q", tt.c)
		in := r.Instances[0]
		assert.Equal(t, arc.ChainPass, r.Chain, "c=%q: the chain verifies", tt.c)
		assert.Equal(t, tt.want, in.MessageCheck.Canonicalization, "c=%q", tt.c)
		assert.Empty(t, in.SealCheck.Canonicalization, "c=%q: a seal has none", tt.c)
	}
}
