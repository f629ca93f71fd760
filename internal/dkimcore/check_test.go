package dkimcore_test

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestValidDomain(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"example.com", true}, {"s2048", true}, {"a-b.example", true},
		{"", false}, {"example.com(x)", false}, {"-a.example", false}, {"a..b", false}, {"a_b", false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, dkimcore.ValidDomain(tt.in), "ValidDomain(%q)", tt.in)
		})
	}
}

func TestCheckDigest(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	small := testmail.MustKey("rsa512")
	ed := testmail.MustKey("ed25519")
	leaked := testmail.MustKey("rsa2048p")
	keys := dkim.NewKeyFile([]dkim.KeyRecord{
		{Domain: rsa.Domain, Selector: rsa.Selector, TXT: rsa.Record(), Source: "test"},
		{Domain: small.Domain, Selector: small.Selector, TXT: small.Record(), Source: "test"},
		{Domain: ed.Domain, Selector: ed.Selector, TXT: ed.Record(), Source: "test"},
		{Domain: rsa.Domain, Selector: "published", TXT: leaked.Record(), Source: "test", PrivateKeyPublished: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Domain: rsa.Domain, Selector: "sha1only", TXT: rsa.Record() + "; h=sha1", Source: "test"},
	})
	d256 := sha256.Sum256([]byte("header hash input"))
	d1 := sha1.Sum([]byte("header hash input"))
	sign := func(k *testmail.Key, h crypto.Hash, digest []byte) []byte {
		var opts crypto.SignerOpts = h
		if k.Type() == "ed25519" {
			opts = crypto.Hash(0)
		}
		sig, err := k.Private.Sign(nil, digest, opts)
		require.NoError(t, err, "sign with %s", k.Name)
		return sig
	}
	good := sign(rsa, crypto.SHA256, d256[:])
	for _, tt := range []struct {
		name, domain, selector, alg string
		digest, sig                 []byte
		body                        dkim.BodyStatus
		header                      dkim.HeaderStatus
		result                      dkim.Result
		bits                        int
		err                         error
	}{
		{"rsa-sha256 pass", rsa.Domain, rsa.Selector, "rsa-sha256", d256[:], good, dkim.BodyUnchecked, dkim.HeaderValid, dkim.ResultPass, 2048, nil},
		{"rsa-sha1 pass", rsa.Domain, rsa.Selector, "rsa-sha1", d1[:], sign(rsa, crypto.SHA1, d1[:]), dkim.BodyMatch, dkim.HeaderValid, dkim.ResultPass, 2048, nil},
		{"ed25519 pass", ed.Domain, ed.Selector, "ed25519-sha256", d256[:], sign(ed, crypto.SHA256, d256[:]), dkim.BodyMatch, dkim.HeaderValid, dkim.ResultPass, 256, nil},
		{"wrong digest", rsa.Domain, rsa.Selector, "rsa-sha256", d256[:], sign(rsa, crypto.SHA256, make([]byte, 32)), dkim.BodyUnchecked, dkim.HeaderInvalid, dkim.ResultFail, 2048, dkim.ErrHeaderSignature},
		{"signature by another key", rsa.Domain, rsa.Selector, "rsa-sha256", d256[:], sign(testmail.MustKey("rsa2048b"), crypto.SHA256, d256[:]), dkim.BodyUnchecked, dkim.HeaderInvalid, dkim.ResultFail, 2048, dkim.ErrKeyMismatch},
		{"body mismatch", rsa.Domain, rsa.Selector, "rsa-sha256", d256[:], good, dkim.BodyMismatch, dkim.HeaderValid, dkim.ResultFail, 2048, dkim.ErrBodyHashMismatch},
		{"weak key", small.Domain, small.Selector, "rsa-sha256", d256[:], sign(small, crypto.SHA256, d256[:]), dkim.BodyUnchecked, dkim.HeaderValid, dkim.ResultWeakKey, 512, dkim.ErrWeakKey},
		{"published key", rsa.Domain, "published", "rsa-sha256", d256[:], sign(leaked, crypto.SHA256, d256[:]), dkim.BodyUnchecked, dkim.HeaderValid, dkim.ResultPublishedKey, 2048, dkim.ErrPublishedKey},
		{"key h= restriction", rsa.Domain, "sha1only", "rsa-sha256", d256[:], good, dkim.BodyUnchecked, dkim.HeaderUnchecked, dkim.ResultPermError, 2048, dkim.ErrKeyRestriction},
		{"key type mismatch", ed.Domain, ed.Selector, "rsa-sha256", d256[:], good, dkim.BodyUnchecked, dkim.HeaderUnchecked, dkim.ResultPermError, 256, dkim.ErrKeyRestriction},
		{"no key", rsa.Domain, "missing", "rsa-sha256", d256[:], good, dkim.BodyUnchecked, dkim.HeaderUnchecked, dkim.ResultNoKey, 0, dkim.ErrNoKey},
		{"unknown algorithm", rsa.Domain, rsa.Selector, "rsa-sha42", d256[:], good, dkim.BodyUnchecked, dkim.HeaderUnchecked, dkim.ResultPermError, 0, dkim.ErrUnsupportedAlgorithm},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &dkimcore.Resolver{Keys: keys}
			got := r.CheckDigest(t.Context(), tt.domain, tt.selector, tt.alg, tt.digest, tt.sig, tt.body == dkim.BodyMismatch)
			assert.Equal(t, tt.header, dkim.HeaderStatus(got.Header), "CheckDigest(%s).Header", tt.name)
			assert.Equal(t, tt.result, dkim.Result(got.Result), "CheckDigest(%s).Result (err %v)", tt.name, got.Err)
			assert.Equal(t, tt.bits, got.KeyBits, "CheckDigest(%s).KeyBits", tt.name)
			assert.Equal(t, tt.err == dkim.ErrKeyMismatch, got.KeyMismatch, "CheckDigest(%s).KeyMismatch", tt.name)
			if tt.err == nil {
				assert.NoError(t, got.Err, "CheckDigest(%s).Err", tt.name)
			} else {
				assert.ErrorIs(t, got.Err, tt.err, "CheckDigest(%s).Err", tt.name)
			}
		})
	}
}
