// Package linescan finds bytes at the start of a line: the first c that
// follows a line feed. Mail parsers look for lines that start a certain
// way (an mbox separator "From ", a MIME delimiter "--boundary"), and
// searching for c alone stops wherever c is common inside lines: in
// base64 text, the bulk of most archives, 'F' is one character in 64.
//
// On amd64 CPUs with AVX2 each 32-byte block is compared with c and the
// block one byte before it with a line feed, and the first place both
// hold is the answer; the last bytes, other CPUs, other architectures and
// the build tag purego search for c with bytes.IndexByte and check the
// byte before it.
package linescan

import "bytes"

// scanBlock is how many bytes the vector scan looks at a time.
const scanBlock = 32

// IndexAfterLF returns the index of the first c at or after b[from] that
// follows a line feed, or -1. from must be at least 1.
func IndexAfterLF(b []byte, from int, c byte) int {
	if useAVX2 {
		if blocks := (len(b) - from) / scanBlock; blocks > 0 {
			if i := scanAfterLF(b, from, blocks, c); i >= 0 {
				return i
			}
			from += blocks * scanBlock
		}
	}
	return indexAfterLFBytes(b, from, c)
}

// indexAfterLFBytes is IndexAfterLF with bytes.IndexByte alone.
func indexAfterLFBytes(b []byte, from int, c byte) int {
	for from < len(b) {
		i := bytes.IndexByte(b[from:], c)
		if i < 0 {
			return -1
		}
		if i += from; b[i-1] == '\n' {
			return i
		}
		from = i + 1
	}
	return -1
}

// Index returns the index of the first sep in b at or after b[from], or
// -1, as bytes.Index would. sep must hold a line feed that is not its last
// byte: the search goes from each byte that follows a line feed and is
// sep's byte after its first line feed to the next.
func Index(b []byte, from int, sep []byte) int {
	k := bytes.IndexByte(sep, '\n')
	if k < 0 || k+1 == len(sep) {
		panic("linescan: Index needs a separator with a line feed before its last byte")
	}
	for {
		j := IndexAfterLF(b, from+k+1, sep[k+1])
		if j < 0 {
			return -1
		}
		start := j - k - 1
		if bytes.HasPrefix(b[start:], sep) {
			return start
		}
		from = start + 1
	}
}
