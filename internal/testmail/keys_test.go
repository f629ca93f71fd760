package testmail

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeys(t *testing.T) {
	want := map[string]struct {
		typ  string
		bits int
	}{
		"rsa2048": {"rsa", 2048}, "rsa2048b": {"rsa", 2048}, "rsa2048p": {"rsa", 2048}, "rsa1024": {"rsa", 1024},
		"rsa768": {"rsa", 768}, "rsa512": {"rsa", 512}, "ed25519": {"ed25519", 256}, "ed25519b": {"ed25519", 256},
	}
	keys := Keys()
	require.Len(t, keys, len(want), "Keys() count")
	seen := make(map[string]bool)
	for _, k := range keys {
		t.Run(k.Name, func(t *testing.T) {
			w, ok := want[k.Name]
			require.True(t, ok, "unexpected key name %q", k.Name)
			assert.Equal(t, w.typ, k.Type(), "Type() of %s", k.Name)
			assert.Equal(t, w.bits, k.Bits, "Bits of %s", k.Name)
			assert.Same(t, k, MustKey(k.Name), "MustKey(%q) returns the shared key", k.Name)
			assert.False(t, seen[k.PublicBase64()], "public key of %s is distinct", k.Name)
			seen[k.PublicBase64()] = true
			pub, err := parsePublicKey(k.Record())
			require.NoError(t, err, "parse Record() of %s: %q", k.Name, k.Record())
			assert.Equal(t, k.Public(), pub, "Record() of %s holds its public key", k.Name)
			assert.Contains(t, k.Record(), "k="+w.typ+";", "Record() of %s names its type", k.Name)
		})
	}
	assert.Panics(t, func() { MustKey("rsa4096") }, "MustKey of an unknown name panics")
}

func TestSmallRSAKeyMatchesCryptoRSA(t *testing.T) {
	// PKCS#1 v1.5 signatures are deterministic, so the math/big signer must
	// produce crypto/rsa's bytes for a key crypto/rsa accepts.
	big := MustKey("rsa1024").Private.(*rsa.PrivateKey)
	small := &SmallRSAKey{N: big.N, E: big.E, D: big.D}
	for _, tt := range []struct {
		name   string
		h      crypto.Hash
		digest []byte
	}{
		{"sha256", crypto.SHA256, func() []byte { s := sha256.Sum256([]byte("hello")); return s[:] }()},
		{"sha1", crypto.SHA1, func() []byte { s := sha1.Sum([]byte("hello")); return s[:] }()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, err := rsa.SignPKCS1v15(nil, big, tt.h, tt.digest)
			require.NoError(t, err, "crypto/rsa SignPKCS1v15")
			got, err := small.Sign(nil, tt.digest, tt.h)
			require.NoError(t, err, "SmallRSAKey.Sign")
			assert.Equal(t, want, got, "math/big signature equals crypto/rsa's")
			assert.NoError(t, VerifyPKCS1v15(&big.PublicKey, tt.h, tt.digest, got), "VerifyPKCS1v15 accepts it")
			got[len(got)-1] ^= 1
			assert.Error(t, VerifyPKCS1v15(&big.PublicKey, tt.h, tt.digest, got), "VerifyPKCS1v15 rejects a flipped bit")
		})
	}
	for _, name := range []string{"rsa768", "rsa512"} {
		t.Run(name, func(t *testing.T) {
			k := MustKey(name)
			digest := sha256.Sum256([]byte(name))
			sig, err := k.Private.Sign(nil, digest[:], crypto.SHA256)
			require.NoError(t, err, "%s signs", name)
			pub := k.Public().(*rsa.PublicKey)
			assert.NoError(t, VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig), "%s signature verifies with math/big", name)
			other := sha256.Sum256([]byte("other"))
			assert.Error(t, VerifyPKCS1v15(pub, crypto.SHA256, other[:], sig), "%s signature fails for another digest", name)
		})
	}
	_, err := MustKey("rsa512").Private.Sign(nil, []byte("short"), crypto.SHA256)
	assert.Error(t, err, "a digest of the wrong length is refused")
}
