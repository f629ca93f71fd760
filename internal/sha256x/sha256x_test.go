package sha256x

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// implementations runs f once for each implementation this machine has:
// the SHA-extension code where the CPU has it, and the crypto/sha256 path
// always, by switching useSHANI off for the duration.
func implementations(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	names := map[bool]string{true: "sha-ni", false: "stdlib"}
	for _, on := range []bool{true, false} {
		if on && !useSHANI {
			continue
		}
		t.Run(names[on], func(t *testing.T) {
			saved := useSHANI
			useSHANI = on
			defer func() { useSHANI = saved }()
			f(t)
		})
	}
}

// randomBytes returns n bytes from a fixed-seed generator.
func randomBytes(rng *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
	return p
}

func checkSum2(t *testing.T, a, b []byte) {
	t.Helper()
	sa, sb := Sum2(a, b)
	if want := sha256.Sum256(a); sa != want {
		t.Fatalf("Sum2(a: %d bytes, b: %d bytes): digest of a is %x, crypto/sha256 gives %x", len(a), len(b), sa, want)
	}
	if want := sha256.Sum256(b); sb != want {
		t.Fatalf("Sum2(a: %d bytes, b: %d bytes): digest of b is %x, crypto/sha256 gives %x", len(a), len(b), sb, want)
	}
}

// TestSum2EveryLength pairs every length of a from 0 to 1024 with every
// length of b at the block and padding boundaries, and the other way round,
// so that each stream is checked at every length against both a shorter, an
// equal and a longer partner.
func TestSum2EveryLength(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		data := randomBytes(rng, 2048)
		partners := []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 500, 1024}
		for n := 0; n <= 1024; n++ {
			for _, m := range partners {
				checkSum2(t, data[:n], data[1024:1024+m])
				checkSum2(t, data[1024:1024+m], data[:n])
			}
			checkSum2(t, data[:n], data[1024:1024+n]) // equal lengths, different bytes
			checkSum2(t, data[:n], data[:n])          // the same bytes twice
		}
	})
}

// TestSum2Alignment runs every start offset 0..63 of both inputs, as a
// body inside a message starts anywhere.
func TestSum2Alignment(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		data := randomBytes(rng, 4096)
		for offA := range 64 {
			for offB := range 64 {
				n := 200 + rng.IntN(600)
				m := 200 + rng.IntN(600)
				checkSum2(t, data[offA:offA+n], data[2048+offB:2048+offB+m])
			}
		}
	})
}

// TestSum2Large hashes inputs of several megabytes, the size of a message
// with attachments, equal and unequal.
func TestSum2Large(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		big := randomBytes(rng, 6<<20+17)
		checkSum2(t, big, big[3:])
		checkSum2(t, big[:5<<20], big[1<<20:])
		checkSum2(t, big[:100], big)
		checkSum2(t, big, nil)
	})
}

// TestPairRandomSplits writes both streams through Write2 in random pieces,
// sometimes to one stream only, and checks Sums along the way: Sums must
// not disturb the streams.
func TestPairRandomSplits(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for trial := range 300 {
			a := randomBytes(rng, rng.IntN(3000))
			b := randomBytes(rng, rng.IntN(3000))
			var p Pair
			if trial%2 == 1 {
				p.Reset() // a reset Pair is the zero Pair
			}
			i, j := 0, 0
			for i < len(a) || j < len(b) {
				n := min(len(a)-i, piece(rng))
				m := min(len(b)-j, piece(rng))
				switch rng.IntN(4) {
				case 0:
					m = 0
				case 1:
					n = 0
				}
				p.Write2(a[i:i+n], b[j:j+m])
				i, j = i+n, j+m
				if rng.IntN(8) == 0 {
					checkPair(t, &p, a[:i], b[:j])
				}
			}
			checkPair(t, &p, a, b)
			p.Reset()
			checkPair(t, &p, nil, nil)
		}
	})
}

// TestPairResetB runs stream A on while stream B restarts at random
// points, as a digest of a whole beside digests of its parts: A must stay
// the digest of everything written to it, B that of what came since its
// last ResetB.
func TestPairResetB(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		for trial := range 200 {
			var p Pair
			if trial%3 == 0 {
				p.ResetB() // on a zero Pair: two empty streams
			}
			var a, b []byte
			for range 1 + rng.IntN(8) {
				x := randomBytes(rng, piece(rng)*(1+rng.IntN(3)))
				k := rng.IntN(len(x) + 1)
				p.Write2(x[:k], nil) // A alone, then both with the rest
				p.Write2(x[k:], x[k:])
				a, b = append(a, x...), append(b, x[k:]...)
				checkPair(t, &p, a, b)
				if rng.IntN(2) == 0 {
					p.ResetB()
					b = nil
					checkPair(t, &p, a, nil)
				}
			}
		}
	})
}

// piece is a write size: often small, sometimes whole blocks, sometimes
// more than a block.
func piece(rng *rand.Rand) int {
	switch rng.IntN(3) {
	case 0:
		return rng.IntN(8)
	case 1:
		return 64 * rng.IntN(4)
	}
	return rng.IntN(400)
}

func checkPair(t *testing.T, p *Pair, a, b []byte) {
	t.Helper()
	sa, sb := p.Sums()
	if want := sha256.Sum256(a); sa != want {
		t.Fatalf("Pair after %d bytes of A: Sums gives %x, crypto/sha256 gives %x", len(a), sa, want)
	}
	if want := sha256.Sum256(b); sb != want {
		t.Fatalf("Pair after %d bytes of B: Sums gives %x, crypto/sha256 gives %x", len(b), sb, want)
	}
}

// TestSum2KnownAnswers checks the test vectors of FIPS 180-4's examples
// (NIST's SHA256.pdf), not only agreement with crypto/sha256.
func TestSum2KnownAnswers(t *testing.T) {
	implementations(t, func(t *testing.T) {
		abc := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
		two := "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
		sa, sb := Sum2([]byte("abc"), []byte("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
		if got := hex.EncodeToString(sa[:]); got != abc {
			t.Errorf(`Sum2("abc", ...): a is %s, FIPS 180-4 gives %s`, got, abc)
		}
		if got := hex.EncodeToString(sb[:]); got != two {
			t.Errorf(`Sum2(..., "abcdbcde...nopq"): b is %s, FIPS 180-4 gives %s`, got, two)
		}
	})
}

// TestSum2Allocations holds Sum2 to no allocation: it runs per message.
func TestSum2Allocations(t *testing.T) {
	if !useSHANI {
		t.Skip("the crypto/sha256 path is crypto/sha256's")
	}
	a, b := make([]byte, 1000), make([]byte, 777)
	if n := testing.AllocsPerRun(100, func() { Sum2(a, b) }); n != 0 {
		t.Errorf("Sum2 allocates %v times per call, want 0", n)
	}
}

func FuzzSum2(f *testing.F) {
	f.Add([]byte(""), []byte(""), uint8(0))
	f.Add([]byte("abc"), make([]byte, 200), uint8(3))
	f.Add(make([]byte, 119), make([]byte, 120), uint8(64))
	f.Fuzz(func(t *testing.T, a, b []byte, split uint8) {
		implementations(t, func(t *testing.T) {
			checkSum2(t, a, b)
			// The same bytes through a Pair, split at split in both streams.
			var p Pair
			i, j := min(int(split), len(a)), min(int(split)/2, len(b))
			p.Write2(a[:i], b[:j])
			p.Write2(a[i:], nil)
			p.Write2(nil, b[j:])
			checkPair(t, &p, a, b)
		})
	})
}
