package dkimcore

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestZeroKey(t *testing.T) {
	var k Key
	assert.Equal(t, 0, k.Bits(), "zero Key bits")
	assert.ErrorIs(t, k.Verify(crypto.SHA256, sha256Sum("x"), make([]byte, 64)), ErrVerification, "zero Key never verifies")
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

// TestParseKeyErrorIsReadable: a junk p= gives a sentence an editor can
// read, not the asn1 package's dump (found on rspamd's bad_dkim1 test).
func TestParseKeyErrorIsReadable(t *testing.T) {
	_, err := ParseKey("v=DKIM1; k=rsa; p=BARF")
	require.Error(t, err, "p=BARF is no key")
	assert.NotContains(t, err.Error(), "asn1", "no asn1 internals")
	assert.NotContains(t, err.Error(), "{class:", "no asn1 internals")
	assert.Contains(t, err.Error(), "p= is not an RSA public key")
}
