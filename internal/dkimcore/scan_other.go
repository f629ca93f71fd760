//go:build !amd64 || purego

package dkimcore

// firstViolation returns the first position i where blk[i], with blk[i+1],
// needs rewriting (see pairViolation), or -1.
func firstViolation(blk []byte, relaxed bool) int {
	return firstViolationSWAR(blk, relaxed)
}
