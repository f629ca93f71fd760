package provenance

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	mathbits "math/bits"
	"unicode"
	"unicode/utf8"
)

// paragraphHash hashes a paragraph's words joined by single spaces, as
// they are found, with no copy of the text: SHA-256 over that byte stream,
// of which a paragraph keeps the first 48 bits.
//
// A cryptographic hash, so that a forger who wants text of their own to
// match a given paragraph (and so borrow thread.quoted_by from a genuine
// reply's quote) needs about 2^48 tries: a fast non-cryptographic hash
// (FNV-1a, xxHash) can be inverted or steered block by block. On a CPU
// with SHA instructions it is also the faster choice: a byte-at-a-time
// hash is a chain of one multiplication per byte (without them, SHA-256
// here runs at about half FNV-1a's speed). The stream is gathered in
// 64-byte blocks, so that the hash is called once a block, not once a
// word.
type paragraphHash struct {
	h     hash.Hash // SHA-256, reset for each paragraph
	buf   [64]byte  // the bytes of a block not yet full
	k     int       // how many bytes buf holds
	words int
}

// newParagraphHash returns an empty paragraph's hash.
func newParagraphHash() paragraphHash {
	return paragraphHash{h: sha256.New()}
}

// reset empties the paragraph, keeping its SHA-256.
func (p *paragraphHash) reset() {
	p.h.Reset()
	p.k, p.words = 0, 0
}

// write adds b to the stream.
func (p *paragraphHash) write(b []byte) {
	if p.k+len(b) < len(p.buf) {
		p.k += copy(p.buf[p.k:], b)
		return
	}
	if p.k > 0 {
		n := copy(p.buf[p.k:], b)
		p.h.Write(p.buf[:])
		b = b[n:]
		p.k = 0
	}
	if whole := len(b) &^ (len(p.buf) - 1); whole > 0 {
		p.h.Write(b[:whole])
		b = b[whole:]
	}
	p.k = copy(p.buf[:], b)
}

// addWord adds one word (no white space in it) to the paragraph.
func (p *paragraphHash) addWord(w []byte) {
	if p.words > 0 {
		p.write(space)
	}
	p.write(w)
	p.words++
}

var space = []byte{' '}

// sum is the paragraph: the first 48 bits of the hash, the word count (at
// most 65535) in the low 16.
func (p *paragraphHash) sum() paragraph {
	p.h.Write(p.buf[:p.k])
	p.k = 0
	// The digest goes into the emptied block buffer: a local array
	// handed to the hash.Hash interface would be moved to the heap, one
	// allocation a paragraph.
	d := p.h.Sum(p.buf[:0])
	return paragraph(binary.BigEndian.Uint64(d)&^0xffff | uint64(min(p.words, 0xffff)))
}

// SWAR masks: a byte's high bit, its other bits.
const (
	highBits = 0x8080808080808080
	lowBits  = 0x7f7f7f7f7f7f7f7f
)

// addWords adds the words of line, separated as strings.Fields separates
// them (by Unicode white space), and reports whether it had any.
//
// Most lines of mail are already their words joined by single ASCII
// spaces; such a line is hashed whole, its words counted by its spaces,
// eight bytes tested at a time. Any other line goes word by word.
func (p *paragraphHash) addWords(line []byte) bool {
	if spaces, ok := plainWords(line); ok {
		// The line as one word, then the words its spaces separate.
		p.addWord(line)
		p.words += spaces
		return true
	}
	found := false
	for len(line) > 0 {
		// Skip white space.
		for len(line) > 0 {
			c := line[0]
			if c < utf8.RuneSelf {
				if asciiSpace[c] == 0 {
					break
				}
				line = line[1:]
				continue
			}
			r, n := utf8.DecodeRune(line)
			if !unicode.IsSpace(r) {
				break
			}
			line = line[n:]
		}
		if len(line) == 0 {
			break
		}
		// A word: up to the next white space.
		end := 0
		for end < len(line) {
			c := line[end]
			if c < utf8.RuneSelf {
				if asciiSpace[c] != 0 {
					break
				}
				end++
				continue
			}
			r, n := utf8.DecodeRune(line[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += n
		}
		p.addWord(line[:end])
		found = true
		line = line[end:]
	}
	return found
}

// plainWords reports whether line is non-empty words of printable ASCII
// joined by single spaces (what strings.Fields would join back to the
// same bytes), and how many spaces it has.
func plainWords(line []byte) (spaces int, ok bool) {
	if len(line) == 0 || line[0] == ' ' || line[len(line)-1] == ' ' {
		return 0, false
	}
	prevSpace := uint64(0) // the last byte of the previous block was a space
	for len(line) >= 8 {
		x := binary.LittleEndian.Uint64(line)
		// A byte below 0x20 (control characters, the other ASCII white
		// space) or above 0x7f (UTF-8, where Unicode's white space is):
		// exact per byte, no borrow between bytes.
		ctl := ^((x&lowBits)+0x6060606060606060|x)&highBits | x&highBits
		// The spaces, exactly: a zero byte of x^0x20...
		y := x ^ 0x2020202020202020
		sp := ^((y & lowBits) + lowBits | y | lowBits)
		// ... two in a row, within the block or across its start.
		if ctl != 0 || sp&(sp<<8|prevSpace) != 0 {
			return 0, false
		}
		spaces += mathbits.OnesCount64(sp)
		prevSpace = sp >> 56
		line = line[8:]
	}
	prev := prevSpace != 0
	for _, c := range line {
		if c < ' ' || c >= utf8.RuneSelf || c == ' ' && prev {
			return 0, false
		}
		prev = c == ' '
		if prev {
			spaces++
		}
	}
	return spaces, true
}
