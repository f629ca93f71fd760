package sha256x

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Size is the size of a SHA-256 digest in bytes.
const Size = sha256.Size

const blockSize = 64

// Sum2 returns the SHA-256 digests of a and of b, as two calls of
// sha256.Sum256 would. It is safe for concurrent use.
func Sum2(a, b []byte) (sa, sb [Size]byte) {
	if !useSHANI {
		return sha256.Sum256(a), sha256.Sum256(b)
	}
	var p Pair
	p.start()
	p.write(a, b)
	return p.sums()
}

// A Pair computes two SHA-256 digests from bytes given in pieces: stream A
// and stream B. The zero value is ready to use, as two empty streams.
// A Pair is not safe for concurrent use.
type Pair struct {
	started bool
	a, b    stream
	ha, hb  hash.Hash // instead of a and b, when the CPU lacks the SHA extensions
}

// stream is one SHA-256 computation: the hash value, kept in the register
// layout of the SHA extensions (see state), and the bytes of an unfinished
// block.
type stream struct {
	h    state
	buf  [blockSize]byte
	nbuf int
	len  uint64 // bytes written
}

// state is the hash value H0..H7 (FIPS 180-4 §6.2, a to h) in the layout
// SHA256RNDS2 takes: its first four words are the register holding A, B, E,
// F (F in the lowest 32 bits), its last four the register holding C, D, G,
// H (H lowest).
type state [8]uint32

// stateIndex gives, for a to h, the word of state that holds it.
var stateIndex = [8]int{3, 2, 7, 6, 1, 0, 5, 4}

// initial is the initial hash value of FIPS 180-4 §5.3.3.
var initial = func() state {
	h := [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	var s state
	for i, v := range h {
		s[stateIndex[i]] = v
	}
	return s
}()

// start makes p two empty streams, on the path this CPU takes.
func (p *Pair) start() {
	if useSHANI {
		*p = Pair{started: true, a: stream{h: initial}, b: stream{h: initial}}
		return
	}
	*p = Pair{started: true, ha: sha256.New(), hb: sha256.New()}
}

// Reset makes p two empty streams again.
func (p *Pair) Reset() {
	if p.ha != nil && !useSHANI {
		p.ha.Reset()
		p.hb.Reset()
		return
	}
	p.start()
}

// ResetB makes stream B empty again and leaves stream A as it is: one long
// stream beside a run of short ones over the same bytes.
func (p *Pair) ResetB() {
	if !p.started {
		p.start()
		return
	}
	if p.hb != nil {
		p.hb.Reset()
		return
	}
	p.b = stream{h: initial}
}

// Write2 appends a to stream A and b to stream B. Either may be empty, and
// their lengths may differ; the interleaved computation covers as many
// whole blocks as both have. Write2 does not retain a or b.
func (p *Pair) Write2(a, b []byte) {
	if !p.started {
		p.start()
	}
	if p.ha != nil {
		p.ha.Write(a)
		p.hb.Write(b)
		return
	}
	p.write(a, b)
}

// write is Write2 with the SHA extensions.
func (p *Pair) write(a, b []byte) {
	p.a.len += uint64(len(a))
	p.b.len += uint64(len(b))
	a = p.a.fillBuffer(a)
	b = p.b.fillBuffer(b)
	if n := min(len(a), len(b)) &^ (blockSize - 1); n > 0 {
		blocks2(&p.a.h, &p.b.h, a[:n], b[:n])
		a, b = a[n:], b[n:]
	}
	p.a.absorb(a)
	p.b.absorb(b)
}

// Sums returns the digests of the bytes written so far to stream A and to
// stream B. It does not change p: more may be written afterwards.
func (p *Pair) Sums() (sa, sb [Size]byte) {
	if !p.started {
		p.start()
	}
	if p.ha != nil {
		copy(sa[:], p.ha.Sum(nil))
		copy(sb[:], p.hb.Sum(nil))
		return sa, sb
	}
	return p.sums()
}

// sums is Sums with the SHA extensions.
func (p *Pair) sums() (sa, sb [Size]byte) {
	q := *p
	var padA, padB [2 * blockSize]byte
	q.write(q.a.padding(padA[:]), q.b.padding(padB[:]))
	return q.a.h.digest(), q.b.h.digest()
}

// fillBuffer completes the unfinished block with the first bytes of p,
// hashing it when it is full, and returns the rest of p. It returns p
// whole when no block is unfinished, and nothing when p does not complete
// the block.
func (s *stream) fillBuffer(p []byte) []byte {
	if s.nbuf == 0 {
		return p
	}
	n := copy(s.buf[s.nbuf:], p)
	s.nbuf += n
	if s.nbuf < blockSize {
		return nil
	}
	block1(&s.h, s.buf[:])
	s.nbuf = 0
	return p[n:]
}

// absorb hashes the whole blocks of p and keeps the rest as the unfinished
// block. p is what fillBuffer left: empty while a block is unfinished.
func (s *stream) absorb(p []byte) {
	if n := len(p) &^ (blockSize - 1); n > 0 {
		block1(&s.h, p[:n])
		p = p[n:]
	}
	s.nbuf += copy(s.buf[s.nbuf:], p)
}

// padding returns, in buf, the padding of FIPS 180-4 §5.1.1 for the bytes
// written so far: a 1 bit, zeros to 56 bytes past a block boundary, and the
// length in bits as a 64-bit big-endian number.
func (s *stream) padding(buf []byte) []byte {
	n := blockSize - s.nbuf
	if n < 9 {
		n += blockSize
	}
	pad := buf[:n]
	clear(pad)
	pad[0] = 0x80
	binary.BigEndian.PutUint64(pad[n-8:], s.len<<3)
	return pad
}

// digest returns the hash value as a digest: a to h, big-endian.
func (s *state) digest() (d [Size]byte) {
	for i, j := range stateIndex {
		binary.BigEndian.PutUint32(d[4*i:], s[j])
	}
	return d
}
