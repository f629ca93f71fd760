//go:build !amd64 || purego

package linescan

// useAVX2 is false: IndexAfterLF searches with bytes.IndexByte alone.
var useAVX2 = false

func scanAfterLF(b []byte, from, blocks int, c byte) int {
	panic("linescan: no vector scan on this platform")
}
