//go:build amd64 && !purego

package base64x

import "golang.org/x/sys/cpu"

// useAVX2 selects the vector loop. Tests switch it off to compare.
var useAVX2 = cpu.X86.HasAVX2

// decodeBlocks decodes the 32-character blocks of src (len(src) a
// multiple of 32) into dst, 24 bytes per block, up to the first block with
// a character outside the alphabet, and returns how many characters it
// decoded. It writes up to 8 bytes past the last 24 it decodes: dst must
// hold len(src)/32*24+8 bytes. It is in decode_amd64.s.
//
//go:noescape
func decodeBlocks(dst, src []byte) int
