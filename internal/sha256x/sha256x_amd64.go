//go:build amd64 && !purego

package sha256x

import "golang.org/x/sys/cpu"

// useSHANI selects the SHA-extension code. Tests switch it off to run the
// crypto/sha256 path on the same inputs.
var useSHANI = hasSHA() && cpu.X86.HasSSSE3

// hasSHA reports the SHA extensions: CPUID leaf 7, subleaf 0, EBX bit 29
// (golang.org/x/sys/cpu does not report them).
func hasSHA() bool {
	if maxLeaf, _, _, _ := cpuid(0, 0); maxLeaf < 7 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<29) != 0
}

// The functions below are in sha256x_amd64.s.

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// blocks2 hashes the whole blocks of a into sa and those of b into sb, two
// blocks at a time, one of each, interleaved. a and b have the same length,
// a multiple of 64.
//
//go:noescape
func blocks2(sa, sb *state, a, b []byte)

// block1 hashes the whole blocks of p into s, one stream alone. len(p) is a
// multiple of 64.
//
//go:noescape
func block1(s *state, p []byte)
