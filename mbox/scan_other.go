//go:build !amd64 || purego

package mbox

// useAVX2 is false: indexAfterLF searches with bytes.IndexByte alone.
var useAVX2 = false

func scanAfterLF(b []byte, from, blocks int, c byte) int {
	panic("mbox: no vector scan on this platform")
}
