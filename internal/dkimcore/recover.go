package dkimcore

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"sync"

	"github.com/leakproof/leakproof/internal/fastgcd"
)

// RecoveryExponent is the public exponent key recovery assumes: 65537, the
// exponent of every RSA key OpenSSL and its kin have made since the 1990s.
const RecoveryExponent = 65537

// A RecoverySample is what key recovery needs of one RSA signature.
type RecoverySample struct {
	Hash   crypto.Hash // SHA1 or SHA256
	Digest []byte      // the header hash the signature is over
	Sig    []byte      // b=, decoded; its length is the modulus length
}

// encodePKCS1v15 returns m, the EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2)
// of the sample's digest in len(Sig) bytes, as an integer; nil when the
// hash is not one DKIM uses or the block would be too short.
func (s *RecoverySample) encoded() *big.Int {
	prefix, ok := keyDigestInfoPrefix[s.Hash]
	size, tLen := len(s.Sig), len(prefix)+len(s.Digest)
	if !ok || size < tLen+11 {
		return nil
	}
	em := make([]byte, size)
	em[1] = 0x01
	for i := 2; i < size-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[size-tLen:], prefix)
	copy(em[size-len(s.Digest):], s.Digest)
	return new(big.Int).SetBytes(em)
}

// Confirms reports whether n, with exponent 65537, verifies the sample:
// s < n and s^e mod n is the PKCS #1 v1.5 block of its digest.
func (s *RecoverySample) Confirms(n *big.Int) bool {
	m := s.encoded()
	sig := new(big.Int).SetBytes(s.Sig)
	if m == nil || sig.Cmp(n) >= 0 {
		return false
	}
	return new(big.Int).Exp(sig, big.NewInt(RecoveryExponent), n).Cmp(m) == 0
}

// multiple returns s^e − m, a multiple of the modulus of the key that made
// the sample: 65537·8·len(Sig) bits.
func (s *RecoverySample) multiple() *big.Int {
	m := s.encoded()
	if m == nil {
		return nil
	}
	p := fastgcd.Pow(new(big.Int).SetBytes(s.Sig), RecoveryExponent)
	return p.Sub(p, m)
}

// smallPrimes are the primes below 2^16, which the GCD of two multiples
// carries beside the modulus (the cofactors' common factors are small
// with overwhelming probability).
var smallPrimes = sync.OnceValue(func() []uint64 {
	const limit = 1 << 16
	composite := make([]bool, limit)
	var ps []uint64
	for i := 2; i < limit; i++ {
		if composite[i] {
			continue
		}
		ps = append(ps, uint64(i))
		for j := i * i; j < limit; j += i {
			composite[j] = true
		}
	}
	return ps
})

// stripSmall divides every prime below 2^16 out of g.
func stripSmall(g *big.Int) *big.Int {
	g = new(big.Int).Set(g)
	q, r, d := new(big.Int), new(big.Int), new(big.Int)
	for _, p := range smallPrimes() {
		d.SetUint64(p)
		for g.Cmp(d) > 0 {
			q.QuoRem(g, d, r)
			if r.Sign() != 0 {
				break
			}
			g.Set(q)
		}
	}
	return g
}

// RecoverModulus computes the RSA modulus that made samples a and b, both
// of one selector with signatures of len(a.Sig) bytes: the GCD of
// s^e − m of the two, rid of small factors and, when a factor remains,
// reduced with the cheap GCD against the others (each of which may come
// from another key: a reduction that leaves too few bits is not taken).
// It returns nil when no modulus of the signature's size comes out (the
// two were made with different keys, or with an exponent other than
// 65537). The result is not confirmed: check it with Confirms.
func RecoverModulus(ctx context.Context, a, b *RecoverySample, others []*RecoverySample) (*big.Int, error) {
	size := len(a.Sig)
	if len(b.Sig) != size || size == 0 {
		return nil, nil
	}
	var ma, mb *big.Int
	var wg sync.WaitGroup
	wg.Go(func() { ma = a.multiple() })
	mb = b.multiple()
	wg.Wait()
	if ma == nil || mb == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g, err := fastgcd.GCDContext(ctx, ma, mb)
	if err != nil {
		return nil, err
	}
	ma, mb = nil, nil
	g = stripSmall(g)
	want := 8 * size
	e := big.NewInt(RecoveryExponent)
	for _, o := range others {
		if g.BitLen() <= want {
			break
		}
		m := o.encoded()
		if m == nil || len(o.Sig) != size {
			continue
		}
		// o.multiple() mod g, without its 67 million bits.
		r := new(big.Int).Exp(new(big.Int).SetBytes(o.Sig), e, g)
		r.Sub(r, m)
		if r2 := stripSmall(new(big.Int).GCD(nil, nil, g, r.Abs(r))); r2.BitLen() > want-8 {
			g = r2
		}
	}
	if g.BitLen() > want || g.BitLen() <= want-8 {
		return nil, nil
	}
	return g, nil
}

// RecoveredRecord returns the key record text of the RSA key (n, 65537):
// "v=DKIM1; k=rsa; p=" and its SubjectPublicKeyInfo in base64.
func RecoveredRecord(n *big.Int) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: RecoveryExponent})
	if err != nil {
		return "", err
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
}
