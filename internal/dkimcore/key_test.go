package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// testRSAKey is an RSA key of any size, made here because crypto/rsa
// refuses to generate or sign with keys under 1024 bits.
type testRSAKey struct {
	N, E, D *big.Int
}

var (
	testKeysMu sync.Mutex
	testKeys   = map[int]*testRSAKey{}
)

// newTestRSAKey returns an RSA key of the given size, made once per test
// binary.
func newTestRSAKey(t testing.TB, bits int) *testRSAKey {
	t.Helper()
	testKeysMu.Lock()
	defer testKeysMu.Unlock()
	if k, ok := testKeys[bits]; ok {
		return k
	}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, err := rand.Prime(rand.Reader, bits/2)
		require.NoError(t, err, "rand.Prime(%d)", bits/2)
		q, err := rand.Prime(rand.Reader, bits-bits/2)
		require.NoError(t, err, "rand.Prime(%d)", bits-bits/2)
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits || p.Cmp(q) == 0 {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &testRSAKey{N: n, E: e, D: d}
		testKeys[bits] = k
		return k
	}
}

// record returns a key record for the key, with the given tags before p=.
func (k *testRSAKey) record(tags string) string {
	return tags + "p=" + k.b64()
}

// b64 is the key as base64 SubjectPublicKeyInfo.
func (k *testRSAKey) b64() string {
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: k.N, E: int(k.E.Int64())})
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// sign makes a PKCS #1 v1.5 signature with plain math/big.
func (k *testRSAKey) sign(h crypto.Hash, digest []byte) []byte {
	size := (k.N.BitLen() + 7) / 8
	prefix := keyDigestInfoPrefix[h]
	em := make([]byte, size)
	em[1] = 1
	tLen := len(prefix) + len(digest)
	for i := 2; i < size-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[size-tLen:], prefix)
	copy(em[size-len(digest):], digest)
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N)
	return s.FillBytes(make([]byte, size))
}

func sha256Sum(s string) []byte { d := sha256.Sum256([]byte(s)); return d[:] }
func sha1Sum(s string) []byte   { d := sha1.Sum([]byte(s)); return d[:] }

func TestParseKey(t *testing.T) {
	k512 := newTestRSAKey(t, 512)
	k1024 := newTestRSAKey(t, 1024)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err, "ed25519.GenerateKey")
	edRaw := base64.StdEncoding.EncodeToString(edPub)
	edDER, err := x509.MarshalPKIXPublicKey(edPub)
	require.NoError(t, err, "MarshalPKIXPublicKey(ed25519)")
	pkcs1 := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&rsa.PublicKey{N: k1024.N, E: 65537}))
	// The 1024-bit key folded with spaces, tabs and CRLF inside p=, as the
	// ARC suite and zone files fold it.
	b := k1024.b64()
	folded := b[:20] + " " + b[20:40] + "\t" + b[40:60] + "\r\n " + b[60:]

	type want struct {
		typ                      string
		bits                     int
		revoked, testing, strict bool
		email, sha1, sha256      bool
		gran                     string
		hasGran                  bool
	}
	rsa512 := want{typ: "rsa", bits: 512, email: true, sha1: true, sha256: true, gran: "*"}
	for _, tt := range []struct {
		name string
		txt  string
		want want
		err  error
	}{
		{"minimal", k512.record(""), rsa512, nil},
		{"v and k", k512.record("v=DKIM1; k=rsa; "), rsa512, nil},
		{"1024 bits", k1024.record("v=DKIM1; "), want{typ: "rsa", bits: 1024, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"bare PKCS1 RSAPublicKey", "v=DKIM1; p=" + pkcs1, want{typ: "rsa", bits: 1024, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"folded p", "v=DKIM1; k=rsa; p=" + folded, want{typ: "rsa", bits: 1024, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"unpadded base64", "p=" + strings.TrimRight(k512.b64(), "="), rsa512, nil},
		{"trailing semicolon and space", k512.record("v=DKIM1; ") + " ; ", rsa512, nil},
		{"tag names are case-sensitive: K= is another tag", k512.record("V=DKIM3; K=ed25519; "), rsa512, nil},
		{"control character", k512.record("n=a\x00b; "), want{}, ErrKeyMalformed},
		{"mail-dkim s=email:web:fine with spaces and extras",
			"v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; " + k512.record("") + " ; ",
			want{typ: "rsa", bits: 512, testing: true, email: true, sha1: true, gran: "*"}, nil},
		{"s=chat excludes email", k512.record("v=DKIM1; s=chat; "), want{typ: "rsa", bits: 512, sha1: true, sha256: true, gran: "*"}, nil},
		{"s=*", k512.record("s=*; "), rsa512, nil},
		{"h=sha256 only", k512.record("h=sha256; "), want{typ: "rsa", bits: 512, email: true, sha256: true, gran: "*"}, nil},
		{"h=bad admits nothing", k512.record("h=bad; "), want{typ: "rsa", bits: 512, email: true, gran: "*"}, nil},
		{"h=md5:sha1", k512.record("h=md5:sha1; "), want{typ: "rsa", bits: 512, email: true, sha1: true, gran: "*"}, nil},
		{"t=y testing", k512.record("t=y; "), want{typ: "rsa", bits: 512, testing: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"t=s strict", k512.record("t=s; "), want{typ: "rsa", bits: 512, strict: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"t=y:s both", k512.record("t=y:s; "), want{typ: "rsa", bits: 512, testing: true, strict: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"unknown t flag ignored", k512.record("t=x; "), rsa512, nil},
		{"g wildcard", k512.record("g=jl*g; "), want{typ: "rsa", bits: 512, email: true, sha1: true, sha256: true, gran: "jl*g", hasGran: true}, nil},
		{"g empty", k512.record("g=; "), want{typ: "rsa", bits: 512, email: true, sha1: true, sha256: true, gran: "", hasGran: true}, nil},
		{"notes ignored", k512.record("n=send%20comments; "), rsa512, nil},
		{"v not first accepted", k512.record("k=rsa; v=DKIM1; "), rsa512, nil},
		{"ed25519", "v=DKIM1; k=ed25519; p=" + edRaw, want{typ: "ed25519", bits: 256, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"revoked", "v=DKIM1; k=rsa; p=", want{typ: "rsa", revoked: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"revoked with testing flag", "k=rsa; t=y; p=", want{typ: "rsa", revoked: true, testing: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},
		{"revoked p of spaces", "p=  ", want{typ: "rsa", revoked: true, email: true, sha1: true, sha256: true, gran: "*"}, nil},

		{"v=DKIM3", k512.record("v=DKIM3; t=y; "), want{}, ErrKeyUnsupported},
		{"v=DKIM1 lower case", k512.record("v=dkim1; "), want{}, ErrKeyUnsupported},
		{"k=foobar", k512.record("k=foobar; t=y; "), want{}, ErrKeyUnsupported},
		{"tag without value", k512.record("k=rsa; t; "), want{}, ErrKeyMalformed},
		{"literal quotes record", `""`, want{}, ErrKeyMalformed},
		{"empty record", "", want{}, ErrKeyMalformed},
		{"no p", "v=DKIM1; k=rsa", want{}, ErrKeyMalformed},
		{"duplicate tag", k512.record("k=rsa; k=rsa; "), want{}, ErrKeyMalformed},
		{"bad tag name", k512.record("1x=a; "), want{}, ErrKeyMalformed},
		{"bad base64", "p=MIGf!!!", want{}, ErrKeyMalformed},
		{"not DER", "p=" + base64.StdEncoding.EncodeToString([]byte("hello world")), want{}, ErrKeyMalformed},
		{"ed25519 DER-wrapped", "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edDER), want{}, ErrKeyMalformed},
		{"ed25519 key under k=rsa", "k=rsa; p=" + base64.StdEncoding.EncodeToString(edDER), want{}, ErrKeyMalformed},
		{"rsa key under k=ed25519", "k=ed25519; p=" + k512.b64(), want{}, ErrKeyMalformed},
		{"too long", "p=" + strings.Repeat("A", maxKeyRecord), want{}, ErrKeyMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.txt)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err, "ParseKey(%q) error", ClipValue(tt.txt))
				assert.Nil(t, k, "ParseKey(%q) key on error", ClipValue(tt.txt))
				return
			}
			require.NoError(t, err, "ParseKey(%q)", tt.txt)
			g, hasG := k.Granularity()
			got := want{
				typ: k.Type(), bits: k.Bits(), revoked: k.Revoked(), testing: k.Testing(), strict: k.Strict(),
				email: k.AllowsEmail(), sha1: k.AllowsHash("sha1"), sha256: k.AllowsHash("SHA256"),
				gran: g, hasGran: hasG,
			}
			assert.Equal(t, tt.want, got, "ParseKey(%q) properties", tt.txt)
		})
	}
}

func TestKeyMatchesGranularity(t *testing.T) {
	k := newTestRSAKey(t, 512)
	for _, tt := range []struct {
		g, local string
		want     bool
	}{
		{"", "jlong", false},
		{"*", "anyone", true},
		{"*", "", true},
		{"jl*g", "jlong", true},
		{"jl*g", "jlg", true},
		{"jl*g", "jl", false},
		{"jl*g", "JLong", false}, // case-sensitive, as Mail::DKIM's badkey_12 expects
		{"*poe", "jlong", false},
		{"*poe", "edgar.poe", true},
		{"jlong", "jlong", true},
		{"jlong", "jlong2", false},
	} {
		t.Run(tt.g+"/"+tt.local, func(t *testing.T) {
			key, err := ParseKey(k.record("g=" + tt.g + "; "))
			require.NoError(t, err, "ParseKey with g=%s", tt.g)
			assert.Equal(t, tt.want, key.MatchesGranularity(tt.local), "g=%s MatchesGranularity(%q)", tt.g, tt.local)
		})
	}
	key, err := ParseKey(k.record(""))
	require.NoError(t, err, "ParseKey without g=")
	assert.True(t, key.MatchesGranularity("whoever"), "a record without g= matches any local part")
}

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

func TestZeroKey(t *testing.T) {
	var k Key
	assert.Equal(t, 0, k.Bits(), "zero Key bits")
	assert.ErrorIs(t, k.Verify(crypto.SHA256, sha256Sum("x"), make([]byte, 64)), ErrVerification, "zero Key never verifies")
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

// TestParseKeyOddExponent checks keys crypto/rsa refuses but the
// arithmetic handles: exponent 3 on a 1024-bit key is fine for both;
// an even exponent only for math/big.
func TestParseKeyExponents(t *testing.T) {
	k := newTestRSAKey(t, 512)
	for _, tt := range []struct {
		name string
		e    int64
		err  error
	}{
		{"e=3", 3, nil},
		{"e=1", 1, ErrKeyMalformed},
		{"e=0", 0, ErrKeyMalformed},
		{"e=-3", -3, ErrKeyMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			der, err := asn1.Marshal(struct{ N, E *big.Int }{k.N, big.NewInt(tt.e)})
			require.NoError(t, err, "asn1.Marshal")
			_, err = ParseKey("p=" + base64.StdEncoding.EncodeToString(der))
			if tt.err == nil {
				assert.NoError(t, err, "ParseKey with exponent %d", tt.e)
			} else {
				assert.ErrorIs(t, err, tt.err, "ParseKey with exponent %d", tt.e)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	k := newTestRSAKey(f, 512)
	for _, s := range []string{
		k.record("v=DKIM1; k=rsa; "), k.record("h=sha1:sha256; s=email; t=y:s; g=a*b; "),
		"p=", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", `""`, "v=DKIM3; p=", "k=rsa; t; p=",
		"v=DKIM1; k=rsa; p=MIGfMA0GCSqG SIb3DQEB", "p=MHwwDQYJKoZIhvcNAQEBBQADawAwaAJhALSQ1y",
	} {
		f.Add(s)
	}
	d := sha256Sum("fuzz")
	sig := k.sign(crypto.SHA256, d)
	f.Fuzz(func(t *testing.T, txt string) {
		key, err := ParseKey(txt)
		if err != nil {
			require.Nil(t, key, "ParseKey(%q) returned a key with an error", txt)
			require.True(t, errors.Is(err, ErrKeyMalformed) || errors.Is(err, ErrKeyUnsupported),
				"ParseKey(%q) error %v wraps a sentinel", txt, err)
			return
		}
		require.Contains(t, []string{"rsa", "ed25519"}, key.Type(), "ParseKey(%q) type", txt)
		require.Equal(t, key.Revoked(), key.Bits() == 0, "ParseKey(%q): revoked exactly when no bits", txt)
		require.LessOrEqual(t, key.Bits(), maxRSABits, "ParseKey(%q) bits within the cap", txt)
		if key.Type() == "ed25519" && !key.Revoked() {
			require.Equal(t, 256, key.Bits(), "ParseKey(%q) ed25519 bits", txt)
		}
		again, err := ParseKey(txt)
		require.NoError(t, err, "ParseKey(%q) is deterministic", txt)
		require.Equal(t, key, again, "ParseKey(%q) is deterministic", txt)
		// Verify never panics, and a signature made with our fixed key can
		// only verify with a key of the same modulus.
		if err := key.Verify(crypto.SHA256, d, sig); err == nil {
			require.Equal(t, "rsa", key.Type(), "only the RSA test key verifies its signature")
			require.Equal(t, 0, key.rsaN.Cmp(k.N), "only the RSA test key verifies its signature")
		}
	})
}

func TestParseKeyTagErrors(t *testing.T) {
	_, err := ParseKey("k=rsa; k=rsa; p=")
	assert.ErrorIs(t, err, ErrKeyMalformed, "duplicate tag is a malformed key record")
	assert.ErrorIs(t, err, ErrDuplicateTag, "duplicate tag keeps ParseTagList's sentinel")
	assert.Equal(t, 1, strings.Count(err.Error(), "dkim:"), "the package prefix appears once in %q", err)
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

// TestKeySameMaterial: records with the same key and other flags hold the
// same material; other keys, types and revoked keys do not.
func TestKeySameMaterial(t *testing.T) {
	k := newTestRSAKey(t, 512)
	plain, err := ParseKey(k.record(""))
	require.NoError(t, err, "ParseKey")
	flagged, err := ParseKey(k.record("t=y; h=sha1; "))
	require.NoError(t, err, "ParseKey with flags")
	other, err := ParseKey(newTestRSAKey(t, 768).record(""))
	require.NoError(t, err, "ParseKey(768)")
	ed, err := ParseKey("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	require.NoError(t, err, "ParseKey(ed25519)")
	ed2, err := ParseKey("k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	require.NoError(t, err, "ParseKey(ed25519 t=y)")
	revoked, err := ParseKey("p=")
	require.NoError(t, err, "ParseKey(revoked)")
	assert.True(t, plain.sameMaterial(flagged), "flags do not change the key material")
	assert.True(t, ed.sameMaterial(ed2), "Ed25519 keys with the same bytes")
	assert.False(t, plain.sameMaterial(other), "another modulus")
	assert.False(t, plain.sameMaterial(ed), "another type")
	assert.False(t, revoked.sameMaterial(plain), "a revoked key holds no material")
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

// TestParseKeyErrorIsReadable: a junk p= gives a sentence an editor can
// read, not the asn1 package's dump (found on rspamd's bad_dkim1 test).
func TestParseKeyErrorIsReadable(t *testing.T) {
	_, err := ParseKey("v=DKIM1; k=rsa; p=BARF")
	require.Error(t, err, "p=BARF is no key")
	assert.NotContains(t, err.Error(), "asn1", "no asn1 internals")
	assert.NotContains(t, err.Error(), "{class:", "no asn1 internals")
	assert.Contains(t, err.Error(), "p= is not an RSA public key")
}

// TestRecordMaterial: a record marked published taints its key even when
// strict parsing refuses the record; the same key reads the same whatever
// its form.
func TestRecordMaterial(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	ed := testmail.MustKey("ed25519")
	edPub := ed.Private.Public().(ed25519.PublicKey)
	spki, err := x509.MarshalPKIXPublicKey(edPub)
	require.NoError(t, err, "Ed25519 SubjectPublicKeyInfo")
	rsaKey, err := ParseKey(rsa.Record())
	require.NoError(t, err, "the RSA record parses")
	edKey, err := ParseKey(ed.Record())
	require.NoError(t, err, "the Ed25519 record parses")
	for _, tt := range []struct {
		name, txt string
		want      string
	}{
		{"RSA record", rsa.Record(), rsaKey.material()},
		{"RSA with a junk tag after the key", rsa.Record() + "; junk", rsaKey.material()},
		{"RSA with a duplicate k=", "v=DKIM1; k=rsa; k=rsa; p=" + rsa.PublicBase64(), rsaKey.material()},
		{"RSA under v=DKIM2", "v=DKIM2; k=rsa; p=" + rsa.PublicBase64(), rsaKey.material()},
		{"bare RSA key", rsa.PublicBase64(), rsaKey.material()},
		{"Ed25519 record", ed.Record(), edKey.material()},
		{"Ed25519 in SubjectPublicKeyInfo form", "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(spki), edKey.material()},
		{"dig output pasted with its quotes", `"v=DKIM1; k=rsa; " "p=` + rsa.PublicBase64()[:40] + `" "` + rsa.PublicBase64()[40:] + `"`, rsaKey.material()},
		{"a zone file line", `s._domainkey IN TXT ( "v=DKIM1; k=rsa; " "p=` + rsa.PublicBase64() + `" )`, rsaKey.material()},
		{"PEM armour", "v=DKIM1; k=rsa; p=-----BEGIN PUBLIC KEY-----\n" + rsa.PublicBase64() + "\n-----END PUBLIC KEY-----", rsaKey.material()},
		{"dig output cut mid-key", `v=DKIM1; k=rsa; p=` + rsa.PublicBase64()[:40] + `" "` + rsa.PublicBase64()[40:], rsaKey.material()},
		{"upper-case tag names", "V=DKIM1; K=rsa; P=" + rsa.PublicBase64(), rsaKey.material()},
		{"URL-safe base64", "v=DKIM1; k=rsa; p=" + strings.NewReplacer("+", "-", "/", "_").Replace(rsa.PublicBase64()), rsaKey.material()},
		{"the key, then an empty p=", "v=DKIM1; k=rsa; p=" + rsa.PublicBase64() + "; p=", rsaKey.material()},
		{"the leaked private key in PEM", string(pemPrivate(t, rsa)), rsaKey.material()},
		{"the public key in hex", "v=DKIM1; k=rsa; p=" + hexOf(t, rsa.PublicBase64()), rsaKey.material()},
		{"revoked", "v=DKIM1; k=rsa; p=", ""},
		{"junk", "v=DKIM1; p=BARF", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			assert.Equal(t, want, RecordMaterials(tt.txt), "material of %q", tt.txt)
		})
	}
	assert.NotEmpty(t, rsaKey.material(), "a key has material")
}

// FuzzRecordMaterial: RecordMaterials, the lenient reader of published records never
// panics, and finds the same material as ParseKey when ParseKey succeeds.
func FuzzRecordMaterial(f *testing.F) {
	for _, s := range []string{"v=DKIM1; k=rsa; p=BARF", "v=DKIM1; p=", "p=;p=", "MCowBQYDK2VwAyEA", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		ms := RecordMaterials(txt)
		if k, err := ParseKey(txt); err == nil && k.material() != "" && (len(ms) != 1 || ms[0] != k.material()) {
			t.Fatalf("RecordMaterials(%q) = %q, ParseKey's key has %q", txt, ms, k.material())
		}
	})
}

// pemPrivate returns k's private key as PKCS #1 PEM.
func pemPrivate(t *testing.T, k *testmail.Key) []byte {
	t.Helper()
	priv, ok := k.Private.(*rsa.PrivateKey)
	require.True(t, ok, "%s is an RSA key", k.Name)
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
}

// hexOf re-encodes base64 text in hex.
func hexOf(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err, "test key base64")
	return hex.EncodeToString(b)
}
