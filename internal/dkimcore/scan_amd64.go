//go:build amd64 && !purego

package dkimcore

import "golang.org/x/sys/cpu"

// useAVX2 selects the vector scan; tests switch it off to run the
// word-at-a-time scan on the same inputs.
var useAVX2 = cpu.X86.HasAVX2

// scanRelaxedAVX2 and scanSimpleAVX2 are in scan_amd64.s.

//go:noescape
func scanRelaxedAVX2(p []byte) (i int, found bool)

//go:noescape
func scanSimpleAVX2(p []byte) (i int, found bool)

// firstViolation returns the first position i where blk[i], with blk[i+1],
// needs rewriting (see pairViolation), or -1.
func firstViolation(blk []byte, relaxed bool) int {
	if !useAVX2 || len(blk) < 33 {
		return firstViolationSWAR(blk, relaxed)
	}
	var i int
	var found bool
	if relaxed {
		i, found = scanRelaxedAVX2(blk)
	} else {
		i, found = scanSimpleAVX2(blk)
	}
	if found {
		return i
	}
	if j := firstViolationSWAR(blk[i:], relaxed); j >= 0 {
		return i + j
	}
	return -1
}
