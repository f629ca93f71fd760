package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyVerify(t *testing.T) {
	std, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err, "rsa.GenerateKey(2048)")
	der, err := x509.MarshalPKIXPublicKey(&std.PublicKey)
	require.NoError(t, err, "MarshalPKIXPublicKey")
	rsa2048, err := ParseKey("v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der))
	require.NoError(t, err, "ParseKey(2048)")

	k512 := newTestRSAKey(t, 512)
	rsa512, err := ParseKey(k512.record(""))
	require.NoError(t, err, "ParseKey(512)")
	k768 := newTestRSAKey(t, 768)
	rsa768, err := ParseKey(k768.record("k=rsa; "))
	require.NoError(t, err, "ParseKey(768)")

	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err, "ed25519.GenerateKey")
	edKey, err := ParseKey("k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub))
	require.NoError(t, err, "ParseKey(ed25519)")

	revoked, err := ParseKey("p=")
	require.NoError(t, err, "ParseKey(revoked)")

	d256, d1, other := sha256Sum("header hash input"), sha1Sum("header hash input"), sha256Sum("something else")
	sig2048, err := rsa.SignPKCS1v15(rand.Reader, std, crypto.SHA256, d256)
	require.NoError(t, err, "SignPKCS1v15")
	sig2048sha1, err := rsa.SignPKCS1v15(rand.Reader, std, crypto.SHA1, d1)
	require.NoError(t, err, "SignPKCS1v15 sha1")
	flipped := append([]byte(nil), sig2048...)
	flipped[len(flipped)-1] ^= 1

	for _, tt := range []struct {
		name   string
		key    *Key
		h      crypto.Hash
		digest []byte
		sig    []byte
		err    error
	}{
		{"rsa2048 sha256", rsa2048, crypto.SHA256, d256, sig2048, nil},
		{"rsa2048 sha1", rsa2048, crypto.SHA1, d1, sig2048sha1, nil},
		{"rsa2048 other digest", rsa2048, crypto.SHA256, other, sig2048, ErrVerification},
		{"rsa2048 flipped bit", rsa2048, crypto.SHA256, d256, flipped, ErrVerification},
		{"rsa2048 hash confusion", rsa2048, crypto.SHA1, d1, sig2048, ErrVerification},
		{"rsa2048 too long signature", rsa2048, crypto.SHA256, d256, append([]byte{1}, sig2048...), ErrVerification},
		{"rsa2048 empty signature", rsa2048, crypto.SHA256, d256, nil, ErrVerification},
		{"rsa2048 md5", rsa2048, crypto.MD5, make([]byte, 16), sig2048, ErrKeyHash},
		{"rsa2048 digest length wrong", rsa2048, crypto.SHA256, d1, sig2048, ErrKeyHash},
		{"rsa512 sha256", rsa512, crypto.SHA256, d256, k512.sign(crypto.SHA256, d256), nil},
		{"rsa512 sha1", rsa512, crypto.SHA1, d1, k512.sign(crypto.SHA1, d1), nil},
		{"rsa512 other digest", rsa512, crypto.SHA256, other, k512.sign(crypto.SHA256, d256), ErrVerification},
		{"rsa768 sha256", rsa768, crypto.SHA256, d256, k768.sign(crypto.SHA256, d256), nil},
		{"rsa768 with 512 signature", rsa768, crypto.SHA256, d256, k512.sign(crypto.SHA256, d256), ErrVerification},
		{"ed25519", edKey, crypto.SHA256, d256, ed25519.Sign(edPriv, d256), nil},
		{"ed25519 other digest", edKey, crypto.SHA256, other, ed25519.Sign(edPriv, d256), ErrVerification},
		{"ed25519 short signature", edKey, crypto.SHA256, d256, ed25519.Sign(edPriv, d256)[:63], ErrVerification},
		{"ed25519 sha1", edKey, crypto.SHA1, d1, ed25519.Sign(edPriv, d1), ErrKeyHash},
		{"revoked", revoked, crypto.SHA256, d256, sig2048, ErrKeyRevoked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.key.Verify(tt.h, tt.digest, tt.sig)
			if tt.err == nil {
				assert.NoError(t, err, "Verify(%v) of a good signature", tt.h)
			} else {
				assert.ErrorIs(t, err, tt.err, "Verify(%v)", tt.h)
			}
		})
	}
}

// TestKeyVerifyBigAgreesWithCryptoRSA checks the math/big path against
// crypto/rsa on keys both accept.
func TestKeyVerifyBigAgreesWithCryptoRSA(t *testing.T) {
	std, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err, "rsa.GenerateKey(1024)")
	e := big.NewInt(int64(std.E))
	for i := range 20 {
		d := sha256Sum(string(rune('a' + i)))
		sig, err := rsa.SignPKCS1v15(rand.Reader, std, crypto.SHA256, d)
		require.NoError(t, err, "SignPKCS1v15")
		if i%2 == 1 {
			sig[i] ^= 0x40
		}
		want := rsa.VerifyPKCS1v15(&std.PublicKey, crypto.SHA256, d, sig) == nil
		got := keyVerifyPKCS1v15Big(std.N, e, keyDigestInfoPrefix[crypto.SHA256], d, sig)
		assert.Equal(t, want, got, "signature %d: math/big and crypto/rsa agree", i)
	}
}

// TestKeyVerifyShortSignature checks that a signature whose leading zero
// byte was dropped still verifies, as it does with OpenSSL.
func TestKeyVerifyShortSignature(t *testing.T) {
	k := newTestRSAKey(t, 512)
	key, err := ParseKey(k.record(""))
	require.NoError(t, err, "ParseKey")
	for i := range 5000 {
		d := sha256Sum(strings.Repeat("x", i))
		sig := k.sign(crypto.SHA256, d)
		if sig[0] != 0 {
			continue
		}
		assert.NoError(t, key.Verify(crypto.SHA256, d, sig[1:]), "Verify of a signature without its leading zero byte")
		return
	}
	t.Fatal("no signature with a leading zero byte in 5000 tries")
}

// TestKeyVerifyMismatch: an RSA failure says whether the key could have
// made the signature at all (ErrKeyMismatch) or signed other bytes, for
// keys on both the crypto/rsa and the math/big path.
func TestKeyVerifyMismatch(t *testing.T) {
	std, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err, "rsa.GenerateKey(1024)")
	der, err := x509.MarshalPKIXPublicKey(&std.PublicKey)
	require.NoError(t, err, "MarshalPKIXPublicKey")
	rsa1024, err := ParseKey("p=" + base64.StdEncoding.EncodeToString(der))
	require.NoError(t, err, "ParseKey(1024)")
	std2, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err, "rsa.GenerateKey(1024), second key")
	k512, k768 := newTestRSAKey(t, 512), newTestRSAKey(t, 768)
	rsa512, err := ParseKey(k512.record(""))
	require.NoError(t, err, "ParseKey(512)")
	rsa768, err := ParseKey(k768.record(""))
	require.NoError(t, err, "ParseKey(768)")
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err, "ed25519.GenerateKey")
	edKey, err := ParseKey("k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub))
	require.NoError(t, err, "ParseKey(ed25519)")

	d256, d1, other := sha256Sum("signed bytes"), sha1Sum("signed bytes"), sha256Sum("changed bytes")
	sign := func(k *rsa.PrivateKey, h crypto.Hash, d []byte) []byte {
		s, err := rsa.SignPKCS1v15(rand.Reader, k, h, d)
		require.NoError(t, err, "SignPKCS1v15")
		return s
	}
	sig1024 := sign(std, crypto.SHA256, d256)
	garbage := bytes.Repeat([]byte("ABC"), 43)[:128]
	for _, tt := range []struct {
		name     string
		key      *Key
		h        crypto.Hash
		digest   []byte
		sig      []byte
		mismatch bool // want ErrKeyMismatch (else plain ErrVerification)
	}{
		{"rsa1024 other digest", rsa1024, crypto.SHA256, other, sig1024, false},
		{"rsa1024 sha1 block checked as sha256", rsa1024, crypto.SHA256, d256, sign(std, crypto.SHA1, d1), false},
		{"rsa1024 signature by another key", rsa1024, crypto.SHA256, d256, sign(std2, crypto.SHA256, d256), true},
		{"rsa1024 garbage b=", rsa1024, crypto.SHA256, d256, garbage, true},
		{"rsa1024 flipped bit", rsa1024, crypto.SHA256, d256, func() []byte { s := bytes.Clone(sig1024); s[5] ^= 1; return s }(), true},
		{"rsa1024 signature longer than the modulus", rsa1024, crypto.SHA256, d256, append([]byte{7}, sig1024...), true},
		{"rsa1024 empty signature", rsa1024, crypto.SHA256, d256, nil, true},
		{"rsa1024 true signature with an extra leading zero (refused)", rsa1024, crypto.SHA256, d256, append([]byte{0}, sig1024...), false},
		{"rsa1024 garbage with an extra leading zero", rsa1024, crypto.SHA256, d256, append([]byte{0}, garbage...), true},
		{"rsa512 other digest (math/big)", rsa512, crypto.SHA256, other, k512.sign(crypto.SHA256, d256), false},
		{"rsa512 signature by a 768-bit key", rsa512, crypto.SHA256, d256, k768.sign(crypto.SHA256, d256), true},
		{"rsa768 signature by a 512-bit key", rsa768, crypto.SHA256, d256, k512.sign(crypto.SHA256, d256), true},
		{"rsa768 garbage b=", rsa768, crypto.SHA256, d256, garbage[:96], true},
		{"ed25519 other digest", edKey, crypto.SHA256, other, ed25519.Sign(edPriv, d256), false},
		{"ed25519 garbage b=", edKey, crypto.SHA256, d256, garbage[:64], false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.key.Verify(tt.h, tt.digest, tt.sig)
			require.ErrorIs(t, err, ErrVerification, "a failure still wraps ErrVerification")
			assert.Equal(t, tt.mismatch, errors.Is(err, ErrKeyMismatch), "ErrKeyMismatch (err %v)", err)
		})
	}
}

// TestKeyPKCS1Padded pins the block structure that tells a signature by
// the key from one it cannot have made.
func TestKeyPKCS1Padded(t *testing.T) {
	block := func(ffs int, tail ...byte) []byte {
		b := append([]byte{0x00, 0x01}, bytes.Repeat([]byte{0xff}, ffs)...)
		return append(b, tail...)
	}
	for _, tt := range []struct {
		name string
		em   []byte
		want bool
	}{
		{"eight FF then 00", block(8, 0x00, 0x30), true},
		{"many FF then 00 and a digest", block(200, append([]byte{0x00}, keyDigestInfoPrefix[crypto.SHA1]...)...), true},
		{"seven FF", block(7, 0x00, 0x30, 0x31), false},
		{"no 00 after the FF run", block(20, 0x01, 0x30), false},
		{"FF to the end", block(20), false},
		{"block type 2", append([]byte{0x00, 0x02}, block(10, 0x00)[2:]...), false},
		{"leading byte not 00", append([]byte{0x01}, block(10, 0x00)[1:]...), false},
		{"too short", []byte{0x00, 0x01, 0x00}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keyPKCS1Padded(tt.em), "keyPKCS1Padded(% x)", tt.em)
		})
	}
}

// FuzzKeyVerify: whatever b= holds, Verify never panics, only the one true
// signature verifies, every failure wraps ErrVerification, and
// ErrKeyMismatch is reported exactly when s^e mod n (computed here on its
// own) is not shaped like a PKCS #1 v1.5 block. Ed25519 never reports it.
func FuzzKeyVerify(f *testing.F) {
	k := newTestRSAKey(f, 512)
	key, err := ParseKey(k.record(""))
	require.NoError(f, err, "ParseKey")
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(f, err, "ed25519.GenerateKey")
	edKey, err := ParseKey("k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub))
	require.NoError(f, err, "ParseKey(ed25519)")
	d := sha256Sum("fuzz")
	good := k.sign(crypto.SHA256, d)
	size := len(good)
	f.Add(good)
	f.Add(k.sign(crypto.SHA256, sha256Sum("other")))
	f.Add(k.sign(crypto.SHA1, sha1Sum("fuzz")))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, size))
	f.Add(append([]byte{0, 0}, good...))
	f.Fuzz(func(t *testing.T, sig []byte) {
		err := key.Verify(crypto.SHA256, d, sig)
		padded := sig
		if len(sig) < size {
			padded = append(make([]byte, size-len(sig)), sig...)
		}
		if len(sig) <= size && bytes.Equal(padded, good) {
			require.NoError(t, err, "the true signature verifies")
			return
		}
		require.ErrorIs(t, err, ErrVerification, "any other b= fails")
		shaped := false
		if s := new(big.Int).SetBytes(sig); s.Cmp(k.N) < 0 {
			em := new(big.Int).Exp(s, k.E, k.N).FillBytes(make([]byte, size))
			i := 2
			for i < size && em[i] == 0xff {
				i++
			}
			shaped = em[0] == 0 && em[1] == 1 && i-2 >= 8 && i < size && em[i] == 0
		}
		assert.Equal(t, !shaped, errors.Is(err, ErrKeyMismatch), "ErrKeyMismatch exactly when the block is not PKCS #1 v1.5 shaped (err %v)", err)
		assert.NotErrorIs(t, edKey.Verify(crypto.SHA256, d, sig), ErrKeyMismatch, "Ed25519 never reports a key mismatch")
	})
}
