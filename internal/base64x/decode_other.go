//go:build !amd64 || purego

package base64x

// useAVX2 is false: Decode is base64.StdEncoding.Decode.
var useAVX2 = false

func decodeBlocks(dst, src []byte) int { panic("base64x: no vector code on this platform") }
