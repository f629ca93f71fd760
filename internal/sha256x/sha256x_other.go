//go:build !amd64 || purego

package sha256x

// useSHANI is false: Sum2 and Pair use crypto/sha256, which has its own
// assembly where the platform has one.
var useSHANI = false

func blocks2(sa, sb *state, a, b []byte) { panic("sha256x: no two-stream code on this platform") }

func block1(s *state, p []byte) { panic("sha256x: no one-stream code on this platform") }
