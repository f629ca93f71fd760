package linescan

import (
	"bytes"
	"fmt"
	mathrand "math/rand/v2"
	"testing"
)

// stopBytes are what the mbox reader and the MIME splitter look for at
// the start of a line.
var stopBytes = []byte{'F', '>', 0xef, '-'}

// TestIndexAfterLF compares IndexAfterLF (the vector scan where the CPU
// has one) with the bytes.IndexByte search on text of line feeds, the
// bytes searched for and others, at every length up to 300 and every
// start, so that matches fall at every place of a block, on block
// boundaries (the line feed in one block, the byte in the next) and in
// the tail.
func TestIndexAfterLF(t *testing.T) {
	r := mathrand.New(mathrand.NewChaCha8([32]byte{2}))
	alphabet := []byte{'\n', 'F', '>', 0xef, '-', 'a', 'r', '\r'}
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
				for _, c := range stopBytes {
					if got, want := IndexAfterLF(b, from, c), indexAfterLFBytes(b, from, c); got != want {
						t.Fatalf("IndexAfterLF(%q, %d, %q) = %d, want %d", b, from, c, got, want)
					}
				}
				for _, sep := range [][]byte{[]byte("\n--b"), []byte("\r\n--b"), []byte("\nF"), []byte("\r\n-")} {
					if got, want := Index(b, from-1, sep), bytes.Index(b[from-1:], sep); got != want && (want < 0 || got != want+from-1) {
						t.Fatalf("Index(%q, %d, %q) = %d, bytes.Index gives %d from there", b, from-1, sep, got, want)
					}
				}
			}
		}
	}
}

// FuzzIndexAfterLF compares IndexAfterLF with the bytes.IndexByte search,
// and Index with bytes.Index, on any text.
func FuzzIndexAfterLF(f *testing.F) {
	f.Add([]byte("From a\nFrom b\n>From c\n"), uint8(1), byte('F'))
	f.Add(make([]byte, 100), uint8(40), byte(0))
	f.Add([]byte("x\r\n--b\r\n--bb--\r\n"), uint8(0), byte('-'))
	f.Fuzz(func(t *testing.T, b []byte, from uint8, c byte) {
		at := 1 + int(from)%(len(b)+1)
		if got, want := IndexAfterLF(b, at, c), indexAfterLFBytes(b, at, c); got != want {
			t.Fatalf("IndexAfterLF(%q, %d, %q) = %d, want %d", b, at, c, got, want)
		}
		sep := []byte{'\r', '\n', c, '-', 'b'}
		want := bytes.Index(b[at-1:], sep)
		if want >= 0 {
			want += at - 1
		}
		if got := Index(b, at-1, sep); got != want {
			t.Fatalf("Index(%q, %d, %q) = %d, want %d", b, at-1, sep, got, want)
		}
	})
}

func ExampleIndex() {
	body := []byte("see the list:\n-- one\n--two\r\n--frontier\r\nnext part")
	fmt.Println(Index(body, 0, []byte("\r\n--frontier")))
	// Output: 26
}
