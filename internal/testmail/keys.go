package testmail

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
)

//go:embed keys/*.pem
var keyFiles embed.FS

// A Key is one of the committed test keys, with the domain and selector under
// which testdata/keys.jsonl publishes it by default.
//
// Keys are shared and must not be modified. A Key is safe for concurrent use.
type Key struct {
	// Name is the key's name, as MustKey takes it: "rsa2048", "rsa2048b",
	// "rsa1024", "rsa768", "rsa512", "ed25519" or "ed25519b".
	Name string
	// Domain and Selector are the default d= and s= of signatures made with
	// the key, and where testdata/keys.jsonl publishes it.
	Domain   string
	Selector string
	// Private signs. For RSA keys of 1024 bits or more it is an
	// *rsa.PrivateKey; for smaller RSA keys (which crypto/rsa refuses to sign
	// with) it is a *SmallRSAKey, which signs with plain math/big arithmetic;
	// for Ed25519 keys it is an ed25519.PrivateKey.
	Private crypto.Signer
	// Bits is the RSA modulus size, or 256 for Ed25519.
	Bits int
}

// keyTable lists every committed key: name, default domain and selector.
var keyTable = []struct{ name, domain, selector string }{
	{"rsa2048", "example.com", "s2048"},
	{"rsa2048b", "example.org", "s2048b"},
	// rsa2048p's private half counts as published (testdata/keys.jsonl
	// marks it): signatures made with it must never be authentic, under
	// whatever name its public half is served.
	{"rsa2048p", "example.org", "leaked"},
	{"rsa1024", "news.example", "s1024"},
	{"rsa768", "example.net", "s768"},
	{"rsa512", "example.net", "s512"},
	{"ed25519", "example.com", "ed1"},
	{"ed25519b", "example.org", "ed2"},
}

var loadKeys = sync.OnceValues(func() ([]*Key, error) {
	keys := make([]*Key, 0, len(keyTable))
	for _, e := range keyTable {
		data, err := keyFiles.ReadFile("keys/" + e.name + ".pem")
		if err != nil {
			return nil, fmt.Errorf("testmail: key %s: %w", e.name, err)
		}
		k, err := parseKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("testmail: key %s: %w", e.name, err)
		}
		k.Name, k.Domain, k.Selector = e.name, e.domain, e.selector
		keys = append(keys, k)
	}
	return keys, nil
})

// parseKeyPEM reads a PKCS#1 RSA or PKCS#8 Ed25519 private key.
func parseKeyPEM(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		// x509 parses RSA keys of any size; only crypto/rsa's signing
		// refuses those under 1024 bits.
		rk, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		k := &Key{Bits: rk.N.BitLen(), Private: rk}
		if k.Bits < 1024 {
			k.Private = &SmallRSAKey{N: rk.N, E: rk.E, D: rk.D}
		}
		return k, nil
	case "PRIVATE KEY":
		pk, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		ek, ok := pk.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("unexpected PKCS#8 key %T", pk)
		}
		return &Key{Bits: 256, Private: ek}, nil
	}
	return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
}

// Keys returns every committed test key, in a fixed order (the order of the
// names MustKey documents), in a new slice of the shared keys. It panics if
// the embedded key files are broken, which is a bug in this package.
func Keys() []*Key {
	keys, err := loadKeys()
	if err != nil {
		panic(err)
	}
	return slices.Clone(keys)
}

// MustKey returns the committed test key with the given name:
//
//	name       type     bits  default d=       default s=
//	rsa2048    RSA      2048  example.com      s2048
//	rsa2048b   RSA      2048  example.org      s2048b
//	rsa2048p   RSA      2048  example.org      leaked (its private half counts as published)
//	rsa1024    RSA      1024  news.example     s1024
//	rsa768     RSA       768  example.net      s768
//	rsa512     RSA       512  example.net      s512
//	ed25519    Ed25519   256  example.com      ed1
//	ed25519b   Ed25519   256  example.org      ed2
//
// It panics on an unknown name (a bug in the calling test).
func MustKey(name string) *Key {
	for _, k := range Keys() {
		if k.Name == name {
			return k
		}
	}
	panic(fmt.Sprintf("testmail: no test key named %q", name))
}

// Type returns the key type as a DKIM key record's k= names it: "rsa" or
// "ed25519".
func (k *Key) Type() string {
	if _, ok := k.Private.(ed25519.PrivateKey); ok {
		return "ed25519"
	}
	return "rsa"
}

// Algorithm returns the default a= for the key: "rsa-sha256" or
// "ed25519-sha256".
func (k *Key) Algorithm() string {
	return k.Type() + "-sha256"
}

// Public returns the public key: an *rsa.PublicKey (whatever its size) or an
// ed25519.PublicKey.
func (k *Key) Public() crypto.PublicKey {
	if s, ok := k.Private.(*SmallRSAKey); ok {
		return &rsa.PublicKey{N: s.N, E: s.E}
	}
	return k.Private.Public()
}

// PublicBase64 returns the p= value of the key's DKIM record: the base64 of
// the DER SubjectPublicKeyInfo for RSA, the raw 32-byte key for Ed25519
// (RFC 8463, section 4.2).
func (k *Key) PublicBase64() string {
	switch pub := k.Public().(type) {
	case ed25519.PublicKey:
		return base64.StdEncoding.EncodeToString(pub)
	case *rsa.PublicKey:
		// MarshalPKIXPublicKey does not check the key size.
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			panic(fmt.Sprintf("testmail: key %s: %v", k.Name, err))
		}
		return base64.StdEncoding.EncodeToString(der)
	}
	panic(fmt.Sprintf("testmail: key %s: unexpected public key", k.Name))
}

// Record returns the key's DKIM TXT record: "v=DKIM1; k=rsa; p=..." or
// "v=DKIM1; k=ed25519; p=...".
func (k *Key) Record() string {
	return "v=DKIM1; k=" + k.Type() + "; p=" + k.PublicBase64()
}

// A SmallRSAKey is an RSA private key that signs with plain math/big
// arithmetic (PKCS#1 v1.5, RFC 8017 section 8.2), for keys crypto/rsa refuses
// (under 1024 bits). It is not constant-time and is for tests only.
type SmallRSAKey struct {
	N *big.Int // modulus
	E int      // public exponent
	D *big.Int // private exponent
}

// Public returns the *rsa.PublicKey.
func (k *SmallRSAKey) Public() crypto.PublicKey {
	return &rsa.PublicKey{N: k.N, E: k.E}
}

// Sign signs a SHA-1 or SHA-256 digest with PKCS#1 v1.5 padding. rand is
// ignored: the signature is deterministic.
func (k *SmallRSAKey) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	em, err := pkcs1v15Encode(opts.HashFunc(), digest, (k.N.BitLen()+7)/8)
	if err != nil {
		return nil, err
	}
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N)
	return s.FillBytes(make([]byte, len(em))), nil
}

// DigestInfo prefixes of RFC 8017 section 9.2, note 1.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
}

var digestSize = map[crypto.Hash]int{crypto.SHA1: sha1.Size, crypto.SHA256: sha256.Size}

// pkcs1v15Encode returns EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || T,
// where T is the DigestInfo of digest, k bytes long.
func pkcs1v15Encode(h crypto.Hash, digest []byte, k int) ([]byte, error) {
	prefix, ok := digestInfoPrefix[h]
	if !ok {
		return nil, fmt.Errorf("testmail: unsupported hash %v", h)
	}
	if len(digest) != digestSize[h] {
		return nil, fmt.Errorf("testmail: digest is %d bytes, want %d", len(digest), digestSize[h])
	}
	tLen := len(prefix) + len(digest)
	if k < tLen+11 {
		return nil, errors.New("testmail: RSA key too short for the digest")
	}
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-tLen:], prefix)
	copy(em[k-len(digest):], digest)
	return em, nil
}

// VerifyPKCS1v15 checks an RSA PKCS#1 v1.5 signature over a SHA-1 or SHA-256
// digest with plain math/big arithmetic, for keys of any size. It is the
// counterpart of SmallRSAKey.Sign, for tests.
func VerifyPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return errors.New("testmail: signature length does not match the key")
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return errors.New("testmail: signature out of range")
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	want, err := pkcs1v15Encode(h, digest, k)
	if err != nil {
		return err
	}
	if string(m.FillBytes(make([]byte, k))) != string(want) {
		return errors.New("testmail: RSA signature does not verify")
	}
	return nil
}
