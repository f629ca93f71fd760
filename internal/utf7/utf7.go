// Package utf7 decodes UTF-7 (RFC 2152), a charset mail still meets in
// RFC 2047 encoded words ("=?utf-7?Q?...?="). golang.org/x/text has no
// UTF-7 decoder, and the mime package none either, so text in it would go
// unread: an address hidden in a UTF-7 display name would go unseen.
package utf7

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxLen caps what Decode reads: UTF-7 here comes from header fields.
const maxLen = 64 << 10

// Decode returns the UTF-7 text b as UTF-8. It is lenient as mail clients
// are: a byte outside the character sets of RFC 2152 is kept when it is
// ASCII and becomes U+FFFD otherwise; an unpaired surrogate becomes
// U+FFFD; bits left over at the end of a base64 run are dropped. Input
// beyond 64 KiB is ignored.
func Decode(b []byte) string {
	if len(b) > maxLen {
		b = b[:maxLen]
	}
	var out strings.Builder
	for i := 0; i < len(b); {
		c := b[i]
		if c != '+' {
			if c < utf8.RuneSelf {
				out.WriteByte(c)
			} else {
				out.WriteRune(utf8.RuneError)
			}
			i++
			continue
		}
		i++
		if i < len(b) && b[i] == '-' { // "+-" is a plus sign
			out.WriteByte('+')
			i++
			continue
		}
		// A base64 run of UTF-16 code units, ended by the first byte
		// outside the alphabet; a '-' there is absorbed.
		var units []uint16
		var acc uint32
		var bits uint
		for ; i < len(b); i++ {
			v := base64Value(b[i])
			if v < 0 {
				break
			}
			acc = acc<<6 | uint32(v)
			bits += 6
			if bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>bits))
				acc &= 1<<bits - 1
			}
		}
		for _, r := range utf16.Decode(units) {
			out.WriteRune(r)
		}
		if i < len(b) && b[i] == '-' {
			i++
		}
	}
	return out.String()
}

// base64Value returns the value of c in the base64 alphabet, or -1.
func base64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// DecodeWellFormed returns the UTF-7 text b as UTF-8, whatever its length,
// and ok false when b is not well-formed UTF-7, which decoders read
// differently (Python's replaces what Decode keeps or drops): a byte
// outside ASCII, a "+" that starts no base64 run, bits left over at a
// run's end that are not fewer than six zeros, an unpaired surrogate.
// Text without "+" is returned as it is.
func DecodeWellFormed(b []byte) (out []byte, ok bool) {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return nil, false
		}
	}
	if !strings.Contains(string(b), "+") {
		return b, true
	}
	out = make([]byte, 0, len(b))
	var units []uint16
	for i := 0; i < len(b); {
		if c := b[i]; c != '+' {
			out = append(out, c)
			i++
			continue
		}
		i++
		if i < len(b) && b[i] == '-' {
			out = append(out, '+')
			i++
			continue
		}
		var acc uint32
		var bits uint
		start := i
		units = units[:0]
		for ; i < len(b); i++ {
			v := base64Value(b[i])
			if v < 0 {
				break
			}
			acc = acc<<6 | uint32(v)
			if bits += 6; bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>bits))
				acc &= 1<<bits - 1
			}
		}
		if i == start || bits >= 6 || acc != 0 {
			return nil, false
		}
		if i < len(b) && b[i] == '-' {
			i++
		}
		for k := 0; k < len(units); k++ {
			r := rune(units[k])
			if utf16.IsSurrogate(r) {
				if k+1 == len(units) {
					return nil, false
				}
				if r = utf16.DecodeRune(r, rune(units[k+1])); r == utf8.RuneError {
					return nil, false
				}
				k++
			}
			out = utf8.AppendRune(out, r)
		}
	}
	return out, true
}
