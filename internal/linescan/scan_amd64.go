//go:build amd64 && !purego

package linescan

import "golang.org/x/sys/cpu"

// useAVX2 selects scanAfterLF. Tests switch it off to compare.
var useAVX2 = cpu.X86.HasAVX2

// scanAfterLF returns the index of the first c that follows a line feed
// in the blocks 32-byte blocks of b from b[from] (from at least 1, and
// from+32*blocks at most len(b), blocks at least 1), or -1. It is in
// scan_amd64.s.
//
//go:noescape
func scanAfterLF(b []byte, from, blocks int, c byte) int
