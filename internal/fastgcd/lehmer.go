package fastgcd

import "math/big"

// lehmer is hgcd for small operands: Lehmer steps computed on the top 64
// bits (Collins' condition, as math/big's lehmerSimulate) while the pair
// is well above 2^s, then exact steps. a and b are not modified.
func lehmer(a, b *big.Int, s int) (*matrix, *big.Int, *big.Int) {
	var m *matrix
	x, y := new(big.Int), new(big.Int)
	t := new(big.Int)
	for min(a.BitLen(), b.BitLen()) > s+96 {
		swapped := a.Cmp(b) < 0
		A, B := a, b
		if swapped {
			A, B = b, a
		}
		u0, u1, v0, v1, even := simulate(A, B)
		if v0 == 0 {
			// The top words give no quotient (a large one, or too few
			// bits in common): one exact step.
			var done bool
			if m, a, b, done = step(m, a, b, s); done {
				return m, a, b
			}
			continue
		}
		// A' = ±(u0·A − v0·B), B' = ±(v1·B − u1·A), and
		// (A, B) = [[v1, v0], [u1, u0]]·(A', B'), of determinant +1 when
		// even, −1 otherwise.
		x.Mul(A, t.SetUint64(u0))
		x.Sub(x, t.Mul(B, t.SetUint64(v0)))
		y.Mul(B, t.SetUint64(v1))
		y.Sub(y, t.Mul(A, t.SetUint64(u1)))
		if !even {
			x.Neg(x)
			y.Neg(y)
		}
		if x.Sign() <= 0 || y.Sign() <= 0 || min(x.BitLen(), y.BitLen()) <= s {
			break // overshoot: the exact steps below take over
		}
		var tm [2][2]uint64
		switch {
		case !swapped && even:
			tm = [2][2]uint64{{v1, v0}, {u1, u0}}
			a, b = new(big.Int).Set(x), new(big.Int).Set(y)
		case !swapped:
			tm = [2][2]uint64{{v0, v1}, {u0, u1}}
			a, b = new(big.Int).Set(y), new(big.Int).Set(x)
		case even:
			tm = [2][2]uint64{{u0, u1}, {v0, v1}}
			a, b = new(big.Int).Set(y), new(big.Int).Set(x)
		default:
			tm = [2][2]uint64{{u1, u0}, {v1, v0}}
			a, b = new(big.Int).Set(x), new(big.Int).Set(y)
		}
		m = m.mulWords(tm)
	}
	for {
		var done bool
		if m, a, b, done = step(m, a, b, s); done {
			return m, a, b
		}
	}
}

// mulWords returns m·t (the identity·t when m is nil).
func (m *matrix) mulWords(t [2][2]uint64) *matrix {
	if m == nil {
		m = identity()
	}
	w := func(a *big.Int, x uint64, b *big.Int, y uint64) *big.Int {
		r := new(big.Int).Mul(a, new(big.Int).SetUint64(x))
		return r.Add(r, new(big.Int).Mul(b, new(big.Int).SetUint64(y)))
	}
	return &matrix{
		w(m.m00, t[0][0], m.m01, t[1][0]), w(m.m00, t[0][1], m.m01, t[1][1]),
		w(m.m10, t[0][0], m.m11, t[1][0]), w(m.m10, t[0][1], m.m11, t[1][1]),
	}
}

// simulate runs Euclid's algorithm on the top 64 bits of A >= B > 0 for as
// long as Collins' condition guarantees the quotients are those of A and B
// themselves (math/big's lehmerSimulate, over big.Int).
func simulate(A, B *big.Int) (u0, u1, v0, v1 uint64, even bool) {
	shift := uint(max(A.BitLen()-64, 0))
	a1 := top(A, shift)
	a2 := top(B, shift)
	var u2, v2 uint64
	u0, u1, u2 = 0, 1, 0
	v0, v1, v2 = 0, 0, 1
	for a2 >= v2 && a1-a2 >= v1+v2 {
		q, r := a1/a2, a1%a2
		a1, a2 = a2, r
		u0, u1, u2 = u1, u2, u1+q*u2
		v0, v1, v2 = v1, v2, v1+q*v2
		even = !even
	}
	return
}

// top returns the 64 bits of x from bit shift up (x < 2^(shift+64)).
func top(x *big.Int, shift uint) uint64 {
	return new(big.Int).Rsh(x, shift).Uint64()
}
