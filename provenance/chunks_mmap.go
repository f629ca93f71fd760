//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package provenance

import "syscall"

// mapChunk maps size bytes of zeroed, private, anonymous memory, or
// returns nil when the system refuses (the caller falls back to the heap).
func mapChunk(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	return b
}

// unmapChunk releases a chunk of mapChunk.
func unmapChunk(b []byte) { _ = syscall.Munmap(b) }
