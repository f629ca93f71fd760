package base64x

import "encoding/base64"

// Decode decodes src into dst as base64.StdEncoding.Decode does, and
// returns the same count and the same nil or non-nil error. dst must have
// room for base64.StdEncoding.DecodedLen(len(src)) bytes.
func Decode(dst, src []byte) (int, error) {
	n := 0
	if useAVX2 && len(src) >= blockLen {
		// The vector loop stores 32 bytes for each 24 it decodes: it stops
		// while dst has room for that.
		blocks := min(len(src)/blockLen, (len(dst)-(storeLen-outLen))/outLen)
		if blocks > 0 {
			done := decodeBlocks(dst, src[:blocks*blockLen])
			n = done / blockLen * outLen
			dst, src = dst[n:], src[done:]
		}
	}
	m, err := base64.StdEncoding.Decode(dst, src)
	return n + m, err
}

const (
	blockLen = 32 // base64 characters the vector loop reads at a time
	outLen   = 24 // bytes they decode to
	storeLen = 32 // bytes the vector loop stores for them
)
