package archive

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWalkMbox walks a 64 MiB mbox of small messages; throughput is
// bounded by reading and SHA-256.
func BenchmarkWalkMbox(b *testing.B) {
	p := filepath.Join(b.TempDir(), "big.mbox")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	one := mboxOf(sepA, "\n", mail("one", "Hello.\nFrom the archive.\n"), mail("two", "Bye.\n"))
	var size int64
	for size < 64<<20 {
		n, _ := w.Write(one)
		size += int64(n)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for m := range Walk(b.Context(), p, nil) {
			if m.Err != nil {
				b.Fatal(m.Err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no messages")
		}
	}
}
