package sha256x

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// The benchmarks hash two streams of size bytes each; SetBytes counts both,
// so MB/s is the rate over all the bytes hashed.

var benchSizes = []int{4 << 10, 64 << 10, 1 << 20}

func BenchmarkSum2(b *testing.B) {
	for _, size := range benchSizes {
		x, y := make([]byte, size), make([]byte, size)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.SetBytes(int64(2 * size))
			for b.Loop() {
				Sum2(x, y)
			}
		})
	}
}

func BenchmarkTwoSum256(b *testing.B) {
	for _, size := range benchSizes {
		x, y := make([]byte, size), make([]byte, size)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.SetBytes(int64(2 * size))
			for b.Loop() {
				sha256.Sum256(x)
				sha256.Sum256(y)
			}
		})
	}
}

// BenchmarkPair writes the two streams in 16 KB pieces, as a reader
// handing over chunks would.
func BenchmarkPair(b *testing.B) {
	const size, chunk = 1 << 20, 16 << 10
	x, y := make([]byte, size), make([]byte, size)
	b.SetBytes(2 * size)
	for b.Loop() {
		var p Pair
		for i := 0; i < size; i += chunk {
			p.Write2(x[i:i+chunk], y[i:i+chunk])
		}
		p.Sums()
	}
}
