//go:build amd64 && !purego

package sha256x

import (
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestRoundConstants derives the constants as FIPS 180-4 §4.2.2 defines
// them, the first 32 bits of the fractional part of the cube root of each
// of the first 64 primes, in exact integer arithmetic: floor(cbrt(p·2^96))
// mod 2^32.
func TestRoundConstants(t *testing.T) {
	var primes []int64
	for n := int64(2); len(primes) < 64; n++ {
		if big.NewInt(n).ProbablyPrime(0) {
			primes = append(primes, n)
		}
	}
	for i, p := range primes {
		x := new(big.Int).Lsh(big.NewInt(p), 96)
		r := icbrt(x)
		want := uint32(r.Uint64())
		if k[i] != want {
			t.Errorf("k[%d] = %#08x, the cube root of %d gives %#08x", i, k[i], p, want)
		}
	}
}

// icbrt returns floor(cbrt(x)) for x > 0, by bisection.
func icbrt(x *big.Int) *big.Int {
	lo, hi := big.NewInt(0), new(big.Int).Lsh(big.NewInt(1), uint(x.BitLen()/3+2))
	one := big.NewInt(1)
	for new(big.Int).Sub(hi, lo).Cmp(one) > 0 {
		mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
		if new(big.Int).Exp(mid, big.NewInt(3), nil).Cmp(x) <= 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// TestDetection holds the CPUID check to what Linux reports: a CPU whose
// flags include sha_ni (and ssse3) must get the SHA-extension code.
func TestDetection(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo:", err)
	}
	var flags []string
	for line := range strings.Lines(string(info)) {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(value)
			break
		}
	}
	want := slices.Contains(flags, "sha_ni") && slices.Contains(flags, "ssse3")
	if got := hasSHA() && cpu.X86.HasSSSE3; got != want {
		t.Errorf("SHA extensions detected: %v; /proc/cpuinfo flags say %v", got, want)
	}
}
