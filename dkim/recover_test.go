package dkim_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// signedMessages returns n distinct messages signed with key under the
// selector "sel" of example.com, alternating rsa-sha256 and rsa-sha1.
func signedMessages(key *testmail.Key, n int, tag string) [][]byte {
	var out [][]byte
	for i := range n {
		alg := "rsa-sha256"
		if i%2 == 1 {
			alg = "rsa-sha1"
		}
		msg := testmail.Message{Subject: fmt.Sprintf("%s %d", tag, i), MessageID: fmt.Sprintf("<%s-%d@example.com>", tag, i)}.Bytes()
		out = append(out, testmail.MustSign(msg, key, &testmail.SignOptions{Algorithm: alg, Domain: "example.com", Selector: "sel"}))
	}
	return out
}

func recoverFrom(t *testing.T, msgs [][]byte, opts *dkim.RecoverOptions) []dkim.Recovery {
	t.Helper()
	var kr dkim.KeyRecovery
	for i, m := range msgs {
		kr.Add(dkim.ParseHeader(m), fmt.Sprintf("msg-%d", i))
	}
	out, err := kr.Recover(t.Context(), opts)
	require.NoError(t, err, "Recover")
	return out
}

// TestRecoverGivesTheRealModulus recovers a 512-bit key from one
// rsa-sha256 and one rsa-sha1 signature (a GCD of 33 million bits), and
// verification with the recovered key gives recovered_key, not pass.
func TestRecoverGivesTheRealModulus(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a GCD of 33 million bits")
	}
	key := testmail.MustKey("rsa512")
	msgs := signedMessages(key, 2, "same")
	out := recoverFrom(t, msgs, nil)
	require.Len(t, out, 1, "one selector")
	r := out[0]
	assert.Equal(t, "example.com", r.Domain, "Domain")
	assert.Equal(t, "sel", r.Selector, "Selector")
	assert.Equal(t, 512, r.Bits, "Bits")
	require.NoError(t, r.Err, "Err")
	require.Len(t, r.Keys, 1, "keys recovered")
	_, err := dkim.ParseKey(r.Keys[0].TXT)
	require.NoError(t, err, "the recovered record parses")
	der, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Keys[0].TXT, "v=DKIM1; k=rsa; p="))
	require.NoError(t, err, "p= is base64")
	got, err := x509.ParsePKIXPublicKey(der)
	require.NoError(t, err, "p= is a SubjectPublicKeyInfo")
	want := key.Public().(*rsa.PublicKey)
	assert.Zero(t, got.(*rsa.PublicKey).N.Cmp(want.N), "the recovered modulus is the real one")
	assert.Equal(t, 65537, got.(*rsa.PublicKey).E, "exponent")
	assert.True(t, r.Keys[0].Recovered, "marked recovered")
	assert.Equal(t, []string{"msg-0", "msg-1"}, r.Keys[0].RecoveredFrom, "RecoveredFrom")
	assert.Zero(t, r.Unexplained, "Unexplained")

	// The recovered key alone: the arithmetic verifies, the result says
	// whose key it is is unknown.
	keys := dkim.NewKeyFile(r.Keys)
	v, err := dkim.VerifyBytes(t.Context(), msgs[0], &dkim.Options{Keys: keys, MinRSABits: 512})
	require.NoError(t, err, "VerifyBytes")
	assert.Equal(t, dkim.ResultRecoveredKey, v.Signatures[0].Result, "result with only the recovered key")
	assert.Equal(t, dkim.HeaderValid, v.Signatures[0].HeaderSignature, "header signature")
	assert.ErrorIs(t, v.Signatures[0].Err, dkim.ErrRecoveredKey, "Err")

	// An independent record holding the same key makes it a pass.
	both := dkim.NewKeyFile(append(r.Keys, dkim.KeyRecord{Domain: "example.com", Selector: "sel", TXT: key.Record(), Source: "archive"}))
	v, err = dkim.VerifyBytes(t.Context(), msgs[0], &dkim.Options{Keys: both, MinRSABits: 512})
	require.NoError(t, err, "VerifyBytes")
	assert.Equal(t, dkim.ResultPass, v.Signatures[0].Result, "result with an independent record too")
}

// TestRecoverDifferentKeysGiveNone holds the rule that signatures made
// with different keys yield no key, never a wrong one.
func TestRecoverDifferentKeysGiveNone(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a GCD of 33 million bits")
	}
	a := signedMessages(testmail.MustKey("rsa512"), 1, "a")
	b := signedMessages(smallKey(t), 1, "b")
	out := recoverFrom(t, append(a, b...), nil)
	require.Len(t, out, 1, "one selector")
	assert.Empty(t, out[0].Keys, "no key from two keys")
	assert.ErrorIs(t, out[0].Err, dkim.ErrNoRecovery, "Err")
	assert.Equal(t, 2, out[0].Unexplained, "Unexplained")
}

// smallKey makes a 512-bit RSA key other than the committed one.
func smallKey(t *testing.T) *testmail.Key {
	t.Helper()
	e := big.NewInt(65537)
	for {
		p, err := rand.Prime(rand.Reader, 256)
		require.NoError(t, err, "rand.Prime")
		q, err := rand.Prime(rand.Reader, 256)
		require.NoError(t, err, "rand.Prime")
		n := new(big.Int).Mul(p, q)
		phi := new(big.Int).Mul(p.Sub(p, big.NewInt(1)), q.Sub(q, big.NewInt(1)))
		d := new(big.Int).ModInverse(e, phi)
		if n.BitLen() != 512 || d == nil {
			continue
		}
		return &testmail.Key{Name: "rsa512-other", Domain: "example.com", Selector: "sel", Bits: 512,
			Private: &testmail.SmallRSAKey{N: n, E: 65537, D: d}}
	}
}

// BenchmarkRecover recovers a key from two signatures: a GCD of numbers of
// 65537 times the key's bits (67 million for 1024, 134 million for 2048).
// Run it with -benchtime=1x; bench/recover.sh runs the command beside GMP.
func BenchmarkRecover(b *testing.B) {
	for _, name := range []string{"rsa1024", "rsa2048"} {
		b.Run(name, func(b *testing.B) {
			msgs := signedMessages(testmail.MustKey(name), 2, name)
			for b.Loop() {
				var kr dkim.KeyRecovery
				for i, m := range msgs {
					kr.Add(dkim.ParseHeader(m), fmt.Sprintf("msg-%d", i))
				}
				out, err := kr.Recover(b.Context(), nil)
				if err != nil || len(out) != 1 || len(out[0].Keys) != 1 {
					b.Fatalf("Recover: %v, %+v", err, out)
				}
			}
		})
	}
}
