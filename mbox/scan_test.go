package mbox

import (
	mathrand "math/rand/v2"
	"testing"
)

// TestIndexAfterLF compares indexAfterLF (the vector scan where the CPU
// has one) with the bytes.IndexByte search on text of line feeds, the
// bytes searched for and others, at every length up to 300 and every
// start, so that matches fall at every place of a block, on block
// boundaries (the line feed in one block, the byte in the next) and in
// the tail.
func TestIndexAfterLF(t *testing.T) {
	r := mathrand.New(mathrand.NewChaCha8([32]byte{2}))
	alphabet := []byte{'\n', 'F', '>', 0xef, 'a', 'r', '\r'}
	for size := 1; size <= 300; size++ {
		for range 4 {
			b := make([]byte, size)
			// Sparse matches: mostly 'a', so that the first match lands
			// anywhere, not always in the first block.
			for i := range b {
				b[i] = 'a'
				if r.IntN(16) == 0 {
					b[i] = alphabet[r.IntN(len(alphabet))]
				}
			}
			for from := 1; from <= size+1; from++ {
				for _, c := range candidateBytes {
					if got, want := indexAfterLF(b, from, c), indexAfterLFBytes(b, from, c); got != want {
						t.Fatalf("indexAfterLF(%q, %d, %q) = %d, want %d", b, from, c, got, want)
					}
				}
			}
		}
	}
}

// FuzzIndexAfterLF compares indexAfterLF with the bytes.IndexByte search
// on any text.
func FuzzIndexAfterLF(f *testing.F) {
	f.Add([]byte("From a\nFrom b\n>From c\n"), uint8(1), byte('F'))
	f.Add(make([]byte, 100), uint8(40), byte(0))
	f.Fuzz(func(t *testing.T, b []byte, from uint8, c byte) {
		at := 1 + int(from)%(len(b)+1)
		if got, want := indexAfterLF(b, at, c), indexAfterLFBytes(b, at, c); got != want {
			t.Fatalf("indexAfterLF(%q, %d, %q) = %d, want %d", b, at, c, got, want)
		}
	})
}
