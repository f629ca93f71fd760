//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package provenance

// mapChunk has no memory outside the heap to offer on this system: the
// chunks are heap slices.
func mapChunk(size int) []byte { return nil }

// unmapChunk is never called here.
func unmapChunk(b []byte) {}
