package fastgcd

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// random returns a random integer of exactly bits bits (0 for bits 0).
func random(r *rand.Rand, bits int) *big.Int {
	if bits == 0 {
		return new(big.Int)
	}
	w := make([]big.Word, (bits+63)/64)
	for i := range w {
		w[i] = big.Word(r.Uint64())
	}
	x := new(big.Int).SetBits(w)
	x.Rsh(x, uint(len(w)*64-bits))
	return x.SetBit(x, bits-1, 1)
}

// TestGCDMatchesMathBig holds GCD to math/big's on random pairs: equal and
// unequal sizes, with and without a planted common factor, around every
// threshold of the algorithm.
func TestGCDMatchesMathBig(t *testing.T) {
	sizes := []int{0, 1, 63, 64, 65, 200, hgcdBaseBits - 1, hgcdBaseBits + 1, gcdBaseBits + 5, 3 * gcdBaseBits, 20000}
	if !testing.Short() {
		sizes = append(sizes, 70000)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		for _, na := range sizes {
			for _, nb := range []int{na, na - na/7, na / 2, na/2 - 70, 1000} {
				if nb < 0 {
					continue
				}
				for _, nf := range []int{0, 1, 64, 1024, na / 3} {
					a, b := random(r, na), random(r, nb)
					if nf > 0 {
						f := random(r, nf)
						a.Mul(a, f)
						b.Mul(b, f)
					}
					want := new(big.Int).GCD(nil, nil, a, b)
					got := GCD(a, b)
					require.Equal(t, 0, got.Cmp(want), "GCD of %d- and %d-bit numbers (seed %d, factor %d bits): got %d bits, want %d bits", a.BitLen(), b.BitLen(), seed, nf, got.BitLen(), want.BitLen())
				}
			}
		}
	}
}

func TestGCDSignsAndInputsUntouched(t *testing.T) {
	a, b := big.NewInt(-84), big.NewInt(36)
	assert.Equal(t, "12", GCD(a, b).String(), "GCD(-84, 36)")
	assert.Equal(t, "-84", a.String(), "GCD modified a")
	assert.Equal(t, "0", GCD(new(big.Int), new(big.Int)).String(), "GCD(0, 0)")
	assert.Equal(t, "7", GCD(new(big.Int), big.NewInt(-7)).String(), "GCD(0, -7)")
}

// TestHGCDReduces checks the half-GCD's contract: the matrix has
// determinant 1, maps the reduced pair back to the input, and the pair is
// reduced to about half the bits.
func TestHGCDReduces(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{1000, hgcdBaseBits + 100, 50000, 200000} {
		a, b := random(r, n), random(r, n-3)
		m, x, y := hgcd(a, b)
		require.NotNil(t, m, "hgcd of %d-bit numbers took no step", n)
		det := new(big.Int).Mul(m.m00, m.m11)
		det.Sub(det, new(big.Int).Mul(m.m01, m.m10))
		assert.Equal(t, "1", det.String(), "determinant at %d bits", n)
		ga := new(big.Int).Add(new(big.Int).Mul(m.m00, x), new(big.Int).Mul(m.m01, y))
		gb := new(big.Int).Add(new(big.Int).Mul(m.m10, x), new(big.Int).Mul(m.m11, y))
		assert.Zero(t, ga.Cmp(a), "m·(x, y) gives back a at %d bits", n)
		assert.Zero(t, gb.Cmp(b), "m·(x, y) gives back b at %d bits", n)
		s := n/2 + 1
		assert.Greater(t, min(x.BitLen(), y.BitLen()), s, "both stay at or above 2^s at %d bits", n)
		d := new(big.Int).Sub(x, y)
		assert.LessOrEqual(t, d.Abs(d).BitLen(), s, "|x-y| < 2^s at %d bits", n)
	}
}

func TestPow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, e := range []uint64{0, 1, 2, 3, 17, 65537} {
		x := random(r, 2000)
		assert.Zero(t, Pow(x, e).Cmp(new(big.Int).Exp(x, new(big.Int).SetUint64(e), nil)), "Pow(x, %d)", e)
	}
}

func BenchmarkGCD(b *testing.B) {
	for _, bits := range []int{1 << 20, 1 << 22} {
		b.Run(fmt.Sprint(bits), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			x, y := random(r, bits), random(r, bits)
			for b.Loop() {
				GCD(x, y)
			}
		})
	}
}
