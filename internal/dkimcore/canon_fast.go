package dkimcore

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Scanning for the bulk path of the body hasher. A block of whole lines is
// scanned for the first byte pair that canonicalization would rewrite; the
// clean lines before it are hashed in one write, and only the offending
// line goes through the line-by-line path. On amd64 with AVX2 the scan
// takes 64 bytes a step (scan_amd64.s); elsewhere, and for the last bytes
// of a block, it takes eight bytes a step in pure Go, below.
//
// The masks below set the high bit of each byte of a word that matches,
// exactly (no false positive from borrows between bytes).

const (
	swarOnes = 0x0101010101010101
	swarLow7 = 0x7f7f7f7f7f7f7f7f
	swarHigh = 0x8080808080808080
)

// eqMask(x, c) = ^(((y & swarLow7) + swarLow7) | y) & swarHigh with
// y = x ^ (swarOnes * c) marks the bytes of x equal to c;
// ctlMask(x) = ^((x | swarHigh) - swarOnes*0x21) & ^x & swarHigh marks the
// bytes below 0x21 (SP, HTAB, CR, LF and the other control characters).
// The pair checks (eqMask, ctlMask inlined by hand, as the compiler will
// not inline a function this size into the loops):
//
//	simple:  eqMask(n, '\n') &^ eqMask(w, '\r')             an LF not after CR
//	relaxed: the same | eqMask(w, ' ') & ctlMask(n)          SP before SP, HTAB, CR, LF...
//
// where w holds the bytes at i and n those at i+1. An SP before CR or a
// control character may turn out fine; the line path decides.

const (
	swarLF    = swarOnes * '\n'
	swarCR    = swarOnes * '\r'
	swarSP    = swarOnes * ' '
	swarCtl21 = swarOnes * 0x21
)

func relaxedPairs(w, n uint64) uint64 {
	lf := n ^ swarLF
	cr := w ^ swarCR
	sp := w ^ swarSP
	lfm := ^(((lf & swarLow7) + swarLow7) | lf)
	crm := ((cr & swarLow7) + swarLow7) | cr // high bit clear where CR
	spm := ^(((sp & swarLow7) + swarLow7) | sp)
	ctl := ^((n | swarHigh) - swarCtl21) & ^n
	return ((lfm & crm) | (spm & ctl)) & swarHigh
}

func simplePairs(w, n uint64) uint64 {
	lf := n ^ swarLF
	cr := w ^ swarCR
	lfm := ^(((lf & swarLow7) + swarLow7) | lf)
	crm := ((cr & swarLow7) + swarLow7) | cr
	return lfm & crm & swarHigh
}

// canonicalPrefix returns the length of the longest prefix of blk (whole
// lines from a line start, ending in LF) made of lines that are already
// canonical apart from trailing empty lines: every LF part of a CRLF and,
// for relaxed, no HTAB, no SP before SP, CR or LF (or another control
// character). The prefix ends just after an LF, or is empty.
func canonicalPrefix(blk []byte, relaxed bool) int {
	if len(blk) > 0 && blk[0] == '\n' {
		return 0 // a bare LF ends the first line
	}
	bad := firstViolation(blk, relaxed)
	if bad < 0 {
		return len(blk)
	}
	return bytes.LastIndexByte(blk[:bad+1], '\n') + 1
}

// pairViolation reports whether the byte c, followed by d, needs
// rewriting: an LF after something other than CR and, for relaxed, an SP
// before a byte below 0x21 (SP, HTAB, CR, LF, another control byte).
// A tab anywhere is checked apart, as it has no pair.
func pairViolation(c, d byte, relaxed bool) bool {
	return d == '\n' && c != '\r' || relaxed && c == ' ' && d < 0x21
}

// firstViolationSWAR is firstViolation eight bytes at a time in pure Go:
// the first i where blk[i] and blk[i+1] form a pair that needs rewriting,
// or for relaxed where blk[i] is a tab; -1 if none. An LF at 0 is not
// looked for here.
func firstViolationSWAR(blk []byte, relaxed bool) int {
	bad := firstPairSWAR(blk, relaxed)
	if relaxed {
		// A tab is rewritten wherever it is; look only as far as needed.
		scan := blk
		if bad >= 0 {
			scan = blk[:bad+1]
		}
		if t := bytes.IndexByte(scan, '\t'); t >= 0 {
			bad = t
		}
	}
	return bad
}

func firstPairSWAR(blk []byte, relaxed bool) int {
	i := 0
	if relaxed {
		for s := blk; len(s) >= 17; s = s[16:] {
			v0 := relaxedPairs(binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[1:9]))
			v1 := relaxedPairs(binary.LittleEndian.Uint64(s[8:16]), binary.LittleEndian.Uint64(s[9:17]))
			if v0|v1 != 0 {
				if v0 != 0 {
					return i + bits.TrailingZeros64(v0)/8
				}
				return i + 8 + bits.TrailingZeros64(v1)/8
			}
			i += 16
		}
	} else {
		for s := blk; len(s) >= 17; s = s[16:] {
			v0 := simplePairs(binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[1:9]))
			v1 := simplePairs(binary.LittleEndian.Uint64(s[8:16]), binary.LittleEndian.Uint64(s[9:17]))
			if v0|v1 != 0 {
				if v0 != 0 {
					return i + bits.TrailingZeros64(v0)/8
				}
				return i + 8 + bits.TrailingZeros64(v1)/8
			}
			i += 16
		}
	}
	for ; i+1 < len(blk); i++ {
		if pairViolation(blk[i], blk[i+1], relaxed) {
			return i
		}
	}
	return -1
}
