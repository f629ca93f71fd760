// Package fastgcd computes greatest common divisors and powers of integers
// of tens of millions of bits, in time close to linear in their size.
//
// math/big's GCD (Lehmer's algorithm) is quadratic: for the numbers that
// RSA modulus recovery produces (s^65537, 67 million bits for a 1024-bit
// signature) it needs hours. GCD here is a half-GCD (Schönhage's
// algorithm in the form of N. Möller, "On Schönhage's algorithm and
// subquadratic integer gcd computation", Math. Comp. 77, 2008) over FFT
// multiplication (github.com/remyoudompheng/bigfft), with Lehmer steps on
// the top 64 bits for small operands.
//
// Correctness does not rest on the size analysis: every reduction is a
// product of steps a -= q·b with an integer matrix of determinant 1, which
// preserves the GCD whatever q is; the analysis only makes it fast.
package fastgcd

import (
	"context"
	"math/big"
	"math/bits"

	"github.com/remyoudompheng/bigfft"
)

// Tuning, in bits: below hgcdBaseBits the half-GCD runs Lehmer steps
// instead of recursing; below gcdBaseBits GCD hands the rest to math/big.
const (
	hgcdBaseBits = 64 * 48
	gcdBaseBits  = 64 * 64
)

// GCD returns the greatest common divisor of |a| and |b| (0 when both are
// 0). It does not modify a or b.
func GCD(a, b *big.Int) *big.Int {
	g, _ := GCDContext(context.Background(), a, b)
	return g
}

// GCDContext is GCD that gives up with ctx's error when ctx is done,
// checking between half-GCD rounds (each halves the size, so the first
// takes about half the time).
func GCDContext(ctx context.Context, a, b *big.Int) (*big.Int, error) {
	a = new(big.Int).Abs(a)
	b = new(big.Int).Abs(b)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch {
		case b.Sign() == 0:
			return a, nil
		case a.Sign() == 0:
			return b, nil
		case max(a.BitLen(), b.BitLen()) < gcdBaseBits:
			return a.GCD(nil, nil, a, b), nil
		}
		m, x, y := hgcd(a, b)
		if m == nil {
			// Too unbalanced to reduce by a half-GCD step (the smaller is
			// below the square root of the larger): one division.
			if a.Cmp(b) >= 0 {
				a.Mod(a, b)
			} else {
				b.Mod(b, a)
			}
			continue
		}
		a, b = x, y
	}
}

// Mul returns x·y, by FFT when both are large.
func Mul(x, y *big.Int) *big.Int { return bigfft.Mul(x, y) }

// Pow returns x**e by repeated squaring over FFT multiplication (math/big's
// Exp without a modulus squares by Karatsuba, several times slower at
// these sizes).
func Pow(x *big.Int, e uint64) *big.Int {
	r := big.NewInt(1)
	if e == 0 {
		return r
	}
	for i := bits.Len64(e) - 1; i >= 0; i-- {
		r = bigfft.Mul(r, r)
		if e>>uint(i)&1 == 1 {
			r = bigfft.Mul(r, x)
		}
	}
	return r
}

// A matrix is [[m00, m01], [m10, m11]] with non-negative entries and
// determinant 1, the product of the reduction steps taken: the original
// pair is matrix·(current pair).
type matrix struct{ m00, m01, m10, m11 *big.Int }

func identity() *matrix {
	return &matrix{big.NewInt(1), big.NewInt(0), big.NewInt(0), big.NewInt(1)}
}

// mul returns m·n.
func (m *matrix) mul(n *matrix) *matrix {
	add := func(a, b, c, d *big.Int) *big.Int {
		x := bigfft.Mul(a, b)
		return x.Add(x, bigfft.Mul(c, d))
	}
	return &matrix{
		add(m.m00, n.m00, m.m01, n.m10), add(m.m00, n.m01, m.m01, n.m11),
		add(m.m10, n.m00, m.m11, n.m10), add(m.m10, n.m01, m.m11, n.m11),
	}
}

// hgcd reduces a, b > 0 of n bits to a pair that both stay at or above
// 2^s, s = n/2+1, and differ by less than 2^s, by steps a -= q·b and
// b -= q·a. It returns the matrix of the steps and the reduced pair, or
// a nil matrix and a, b themselves when no step can be taken (the smaller
// is below 2^s). a and b are not modified.
func hgcd(a, b *big.Int) (*matrix, *big.Int, *big.Int) {
	n := max(a.BitLen(), b.BitLen())
	s := n/2 + 1
	if a.BitLen() <= s || b.BitLen() <= s {
		return nil, a, b
	}
	if n < hgcdBaseBits {
		return lehmer(a, b, s)
	}
	// The top halves reduce the whole: with p = n/2 the reduction of
	// (a>>p, b>>p) keeps both at or above 2^(p+s'-1) once applied to a
	// and b, s' being the inner s (Möller, Lemma 6).
	m, a, b := hgcdTop(a, b, n/2, s)
	m, a, b, done := step(m, a, b, s)
	if done {
		return finish(m, a, b)
	}
	n2 := max(a.BitLen(), b.BitLen())
	m2, a, b := hgcdTop(a, b, max(2*s-n2+1, 0), s)
	if m2 != nil {
		if m == nil {
			m = m2
		} else {
			m = m.mul(m2)
		}
	}
	for !done {
		m, a, b, done = step(m, a, b, s)
	}
	return finish(m, a, b)
}

func finish(m *matrix, a, b *big.Int) (*matrix, *big.Int, *big.Int) {
	if m == nil {
		return nil, a, b
	}
	return m, a, b
}

// hgcdTop reduces (a>>p, b>>p) and applies the reduction to a and b.
// When the result would leave either below 2^s (which the size analysis
// rules out, but the code does not rely on it) the reduction is dropped.
func hgcdTop(a, b *big.Int, p, s int) (*matrix, *big.Int, *big.Int) {
	ah := new(big.Int).Rsh(a, uint(p))
	bh := new(big.Int).Rsh(b, uint(p))
	m, x, y := hgcd(ah, bh)
	if m == nil {
		return nil, a, b
	}
	al, bl := low(a, p), low(b, p)
	// (a, b) = m·(a', b'), so (a', b') = [[m11, -m01], [-m10, m00]]·(a, b);
	// with a = ah·2^p + al the high part is (x, y)·2^p.
	x = x.Lsh(x, uint(p))
	x.Add(x, bigfft.Mul(m.m11, al))
	x.Sub(x, bigfft.Mul(m.m01, bl))
	y = y.Lsh(y, uint(p))
	y.Add(y, bigfft.Mul(m.m00, bl))
	y.Sub(y, bigfft.Mul(m.m10, al))
	if x.BitLen() <= s || y.BitLen() <= s || x.Sign() < 0 || y.Sign() < 0 {
		return nil, a, b
	}
	return m, x, y
}

// low returns x mod 2^p for x >= 0.
func low(x *big.Int, p int) *big.Int {
	w := x.Bits()
	n := p / bits.UintSize
	if n >= len(w) {
		return new(big.Int).Set(x)
	}
	z := make([]big.Word, n+1)
	copy(z, w[:n+1])
	z[n] &= 1<<(uint(p)%bits.UintSize) - 1
	return new(big.Int).SetBits(z)
}

// step takes the largest step a -= q·b (or b -= q·a, whichever is larger)
// that keeps the result at or above 2^s. done reports that no step was
// possible. m may be nil for the identity; a and b are not modified.
func step(m *matrix, a, b *big.Int, s int) (*matrix, *big.Int, *big.Int, bool) {
	swap := a.Cmp(b) < 0
	if swap {
		a, b = b, a
	}
	// q = floor((a - 2^s) / b)
	q := new(big.Int).SetBit(new(big.Int), s, 1)
	q.Sub(a, q)
	if q.Sign() > 0 {
		q.Quo(q, b)
	}
	if q.Sign() <= 0 {
		if swap {
			a, b = b, a
		}
		return m, a, b, true
	}
	if m == nil {
		m = identity()
	} else {
		m = &matrix{m.m00, m.m01, m.m10, m.m11}
	}
	na := new(big.Int).Sub(a, bigfft.Mul(q, b))
	if !swap {
		// (a, b) = [[1, q], [0, 1]]·(a - qb, b)
		m.m01 = new(big.Int).Add(m.m01, bigfft.Mul(q, m.m00))
		m.m11 = new(big.Int).Add(m.m11, bigfft.Mul(q, m.m10))
		return m, na, b, false
	}
	// b was the larger: (a, b) = [[1, 0], [q, 1]]·(a, b - qa)
	m.m00 = new(big.Int).Add(m.m00, bigfft.Mul(q, m.m01))
	m.m10 = new(big.Int).Add(m.m10, bigfft.Mul(q, m.m11))
	return m, b, na, false
}
