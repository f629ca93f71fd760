package provenance

import (
	"bytes"
	"testing"
)

// isASCII, which tests eight bytes at a time, finds a byte over 0x7f at
// every length and position, including the tail that is not a whole word.
func TestIsASCII(t *testing.T) {
	for n := range 40 {
		b := bytes.Repeat([]byte{0x7f}, n)
		if !isASCII(b) {
			t.Fatalf("isASCII(%d bytes of 0x7f) = false", n)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b[i] = c
				if isASCII(b) {
					t.Fatalf("isASCII(%x) = true", b)
				}
			}
			b[i] = 'a'
		}
	}
}
