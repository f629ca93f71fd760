package dkimcore

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // rsa-sha1 (RFC 6376 §3.3.1), still verified on old mail
	_ "crypto/sha256"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
)

// Canonicalization is a DKIM canonicalization algorithm (RFC 6376 §3.4).
type Canonicalization int

// The canonicalization algorithms. Simple is the zero value, as it is the
// default of c= (RFC 6376 §3.5).
const (
	Simple Canonicalization = iota
	Relaxed
)

// String returns "simple" or "relaxed".
func (c Canonicalization) String() string {
	switch c {
	case Simple:
		return "simple"
	case Relaxed:
		return "relaxed"
	}
	return fmt.Sprintf("Canonicalization(%d)", int(c))
}

// ParseCanonicalization parses the c= tag value ("relaxed/simple",
// "relaxed", ""), filling in RFC 6376 §3.5's defaults: an empty value is
// simple/simple, a missing body part is simple. Names are compared
// case-insensitively. An unknown name wraps ErrUnsupportedCanonicalization.
func ParseCanonicalization(s string) (header, body Canonicalization, err error) {
	hs, bs, _ := strings.Cut(s, "/")
	if header, err = parseCanon(hs); err != nil {
		return 0, 0, err
	}
	if body, err = parseCanon(bs); err != nil {
		return 0, 0, err
	}
	return header, body, nil
}

func parseCanon(s string) (Canonicalization, error) {
	switch strings.ToLower(TrimFWS(s)) {
	case "", "simple":
		return Simple, nil
	case "relaxed":
		return Relaxed, nil
	}
	return 0, fmt.Errorf("%w %q", ErrUnsupportedCanonicalization, s)
}

// AppendCanonicalHeader appends the canonical form of one raw header field
// (name, colon, value and folding, with its CRLF or LF ending) to dst.
//
// Simple (RFC 6376 §3.4.1) keeps the bytes, writing each bare LF as CRLF;
// relaxed (§3.4.2) lower-cases the name, unfolds, turns each run of
// whitespace into one SP and removes whitespace at the ends of the value
// and around the colon. Either way the result ends in exactly one CRLF
// (added when the field has no line ending, as the last line of a
// header-only message may lack one). A lone CR is kept as an ordinary byte.
// The output is at most twice the input plus two bytes.
func AppendCanonicalHeader(dst, field []byte, c Canonicalization) []byte {
	if c != Relaxed {
		var prev byte
		for i, b := range field {
			if b == '\n' && (i == 0 || prev != '\r') {
				dst = append(dst, '\r')
			}
			dst = append(dst, b)
			prev = b
		}
		if len(field) == 0 || field[len(field)-1] != '\n' {
			dst = append(dst, '\r', '\n')
		}
		return dst
	}
	colon := -1
	for i, b := range field {
		if b == ':' {
			colon = i
			break
		}
	}
	name, value := field, []byte(nil)
	if colon >= 0 {
		name, value = field[:colon], field[colon+1:]
	}
	// Name: lower-cased, without surrounding whitespace or folding. A lenient
	// reader takes "From\r\n :" as From, and so do we.
	start, end := 0, len(name)
	for start < end && isCanonSpace(name[start]) {
		start++
	}
	for end > start && isCanonSpace(name[end-1]) {
		end--
	}
	for _, b := range name[start:end] {
		if b == '\r' || b == '\n' {
			continue
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
	}
	dst = append(dst, ':')
	dst = appendRelaxedValue(dst, value)
	return append(dst, '\r', '\n')
}

// appendRelaxedValue appends v unfolded, with whitespace runs made one SP
// and leading and trailing whitespace removed. CR and LF count as
// whitespace only as part of a line break (CRLF or bare LF).
func appendRelaxedValue(dst, v []byte) []byte {
	space, any := false, false
	for i := 0; i < len(v); i++ {
		b := v[i]
		switch {
		case b == ' ' || b == '\t' || b == '\n':
			space = true
		case b == '\r' && i+1 < len(v) && v[i+1] == '\n':
			space = true
		default:
			if space && any {
				dst = append(dst, ' ')
			}
			space, any = false, true
			dst = append(dst, b)
		}
	}
	return dst
}

func isCanonSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// A BodyHasher canonicalizes and hashes a body in one pass. Write never
// fails. A BodyHasher is not safe for concurrent use.
type BodyHasher interface {
	io.Writer
	// Sum finishes the body and returns the hash of the canonical body,
	// limited to the l= length given to NewBodyHasher (-1 for no limit),
	// and the count of canonical bytes beyond that limit.
	Sum() (sum []byte, unsigned int64)
}

// NewBodyHasher returns a BodyHasher for hash h (crypto.SHA1 or
// crypto.SHA256; another hash must be linked into the binary, else
// NewBodyHasher panics, a caller bug) and canonicalization c (RFC 6376
// §3.4.3 simple, §3.4.4 relaxed). limit is l=, or -1 for the whole body.
//
// Bare LF is taken as CRLF, and a lone CR is an ordinary byte. Sum may be
// called once; later writes are ignored. Canonicalization streams: no
// allocation per line, whatever the write sizes.
func NewBodyHasher(h crypto.Hash, c Canonicalization, limit int64) BodyHasher {
	return &bodyHasher{h: h.New(), hash: h, relaxed: c == Relaxed, limit: limit}
}

// bodyHashers keeps body hashers (5.5 KB of buffers each) between the
// messages Verify checks; see acquireBodyHasher.
var bodyHashers = sync.Pool{New: func() any { return new(bodyHasher) }}

// acquireBodyHasher is NewBodyHasher from the pool; the caller hands it
// back with releaseBodyHasher once it has taken the sum (which is a fresh
// slice, not retained by the hasher).
func acquireBodyHasher(h crypto.Hash, c Canonicalization, limit int64) *bodyHasher {
	b := bodyHashers.Get().(*bodyHasher)
	hh := b.h
	if hh == nil || b.hash != h {
		hh = h.New()
	} else {
		hh.Reset()
	}
	*b = bodyHasher{h: hh, hash: h, relaxed: c == Relaxed, limit: limit, pair: b.pair}
	return b
}

func releaseBodyHasher(b *bodyHasher) {
	b.sum = nil
	if b.pair != nil {
		b.pair.raw = nil // the pool keeps no message alive
	}
	bodyHashers.Put(b)
}

// BodyHash returns the hash h (crypto.SHA1 or crypto.SHA256) of body in
// canonical form c, limited to limit canonical bytes (l=, or -1 for the
// whole body), and the count of canonical bytes beyond the limit. It is
// what a NewBodyHasher given all of body at once returns, from a pooled
// hasher.
func BodyHash(h crypto.Hash, c Canonicalization, limit int64, body []byte) (sum []byte, unsigned int64) {
	bh := acquireBodyHasher(h, c, limit)
	bh.Write(body)
	sum, unsigned = bh.Sum()
	releaseBodyHasher(bh)
	return sum, unsigned
}

type bodyHasher struct {
	h       hash.Hash
	hash    crypto.Hash // the hash h computes
	relaxed bool
	limit   int64 // -1: none
	n       int64 // canonical bytes produced so far (hashed or not)

	crlfs   int64 // deferred CRLFs: empty lines are dropped at the end (§3.4.3, §3.4.4)
	cr      bool  // the last byte written was a CR that may start a CRLF
	wsp     bool  // relaxed: whitespace seen in the current line, not yet written
	content bool  // some non-empty line was produced
	inLine  bool  // relaxed: inside a line (its first byte has been seen)
	done    bool
	sum     []byte
	unsign  int64

	buf     [4096]byte // canonical bytes not yet hashed
	scratch [1024]byte
	nbuf    int
	bulk    int // block size for the bulk path; 0 means bulkSize (tests set it)

	// custody, set by acquireCustodyHasher, sends the canonical bytes to
	// pair instead of h, where they are hashed in step with the stored
	// message. pair is kept between uses of a pooled hasher.
	custody bool
	pair    *custodyPair
}

var crlfBytes = []byte("\r\n")
var spaceByte = []byte(" ")
var crByte = []byte("\r")

// emit hashes canonical bytes, up to the limit. Small pieces (relaxed
// canonicalization produces a word at a time) are gathered in buf, so the
// hash sees large writes.
func (b *bodyHasher) emit(p []byte) {
	n := int64(len(p))
	if b.limit >= 0 && b.n+n > b.limit {
		p = p[:max(b.limit-b.n, 0)] // the rest is past l=: counted, not hashed
	}
	b.n += n
	if len(p) == 0 {
		return
	}
	if len(p) >= len(b.buf)/2 {
		b.flush()
		b.hashWrite(p)
		return
	}
	if len(b.buf)-b.nbuf < len(p) {
		b.flush()
	}
	b.nbuf += copy(b.buf[b.nbuf:], p)
}

// flush hands the gathered bytes to the hash.
func (b *bodyHasher) flush() {
	if b.nbuf > 0 {
		b.hashWrite(b.buf[:b.nbuf])
		b.nbuf = 0
	}
}

// hashWrite hands canonical bytes to the hash, or to the custody pair.
func (b *bodyHasher) hashWrite(p []byte) {
	if b.custody {
		b.pair.write(p)
		return
	}
	b.h.Write(p)
}

// flushLines writes the CRLFs of lines that turned out not to be trailing.
func (b *bodyHasher) flushLines() {
	for ; b.crlfs > 0; b.crlfs-- {
		b.emit(crlfBytes)
	}
}

// emitContent emits a run of ordinary bytes (non-empty).
func (b *bodyHasher) emitContent(p []byte) {
	b.flushLines()
	if b.wsp {
		b.emit(spaceByte)
		b.wsp = false
	}
	b.content = true
	b.inLine = true
	b.emit(p)
}

// bulkSize is the most bytes Write checks at once for already-canonical
// text, which it then hashes without looking at each line.
const bulkSize = 32 << 10

func (b *bodyHasher) Write(p []byte) (int, error) {
	if b.done {
		return len(p), nil
	}
	n := len(p)
	for len(p) > 0 {
		if b.cr {
			b.cr = false
			if p[0] == '\n' {
				b.endLine()
				p = p[1:]
				continue
			}
			b.emitContent(crByte)
		}
		var chunk []byte
		if b.inLine || b.wsp {
			// Finish the current line first.
			chunk = p
			if i := bytes.IndexByte(p, '\n'); i >= 0 {
				chunk = p[:i+1]
			}
			b.lines(chunk)
		} else {
			size := b.bulk
			if size <= 0 {
				size = bulkSize
			}
			chunk = p[:min(len(p), size)]
			if e := bytes.LastIndexByte(chunk, '\n'); e >= 0 {
				chunk = chunk[:e+1]
				// Hash the clean lines in one write, then run the first
				// line that needs rewriting through the line path.
				k := canonicalPrefix(chunk, b.relaxed)
				if k > 0 {
					b.emitBlock(chunk[:k])
				}
				p = p[k:]
				if k == len(chunk) {
					continue
				}
				chunk = chunk[k:]
				chunk = chunk[:bytes.IndexByte(chunk, '\n')+1]
			}
			b.lines(chunk)
		}
		p = p[len(chunk):]
	}
	return n, nil
}

func (b *bodyHasher) lines(p []byte) {
	if b.relaxed {
		b.writeRelaxed(p)
	} else {
		b.writeSimple(p)
	}
}

// emitBlock hashes a canonical block (see canonicalPrefix), deferring its
// trailing CRLFs as the line-by-line path does.
func (b *bodyHasher) emitBlock(blk []byte) {
	j, trailing := len(blk), int64(0)
	for j >= 2 && blk[j-2] == '\r' && blk[j-1] == '\n' {
		j -= 2
		trailing++
	}
	if j > 0 {
		b.emitContent(blk[:j])
		b.endLine()
		trailing--
	}
	b.crlfs += trailing
}

func (b *bodyHasher) endLine() {
	b.wsp = false
	b.inLine = false
	b.crlfs++
}

func (b *bodyHasher) writeSimple(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			// A partial line: hold back a final CR, it may start a CRLF.
			if p[len(p)-1] == '\r' {
				b.cr = true
				p = p[:len(p)-1]
			}
			if len(p) > 0 {
				b.emitContent(p)
			}
			return
		}
		line := p[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			b.emitContent(line)
		}
		b.endLine()
		p = p[i+1:]
	}
}

func (b *bodyHasher) writeRelaxed(p []byte) {
	for len(p) > 0 {
		// Fast path: a whole line, starting fresh, with no tab, no double
		// space and no space before its end is already canonical.
		if !b.inLine && !b.wsp {
			if i := bytes.IndexByte(p, '\n'); i >= 0 {
				line := p[:i]
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1]
				}
				if simpleRelaxedLine(line) {
					if len(line) > 0 {
						b.emitContent(line)
					}
					b.endLine()
					p = p[i+1:]
					continue
				}
				if len(line) <= len(b.scratch) {
					if c := compactLine(b.scratch[:0], line); len(c) > 0 {
						b.emitContent(c)
					}
					b.endLine()
					p = p[i+1:]
					continue
				}
			}
		}
		// Slow path: byte by byte up to the end of this line.
		start := -1
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				b.emitContent(p[start:i])
				start = -1
			}
			b.inLine = true
			switch c {
			case ' ', '\t':
				b.wsp = true
			case '\n':
				b.endLine()
				p = p[i+1:]
				goto next
			case '\r':
				if i+1 == len(p) {
					b.cr = true
					return
				}
				if p[i+1] == '\n' {
					b.endLine()
					p = p[i+2:]
					goto next
				}
				b.emitContent(crByte)
			}
		}
		if start >= 0 {
			b.emitContent(p[start:])
			b.inLine = true
		}
		return
	next:
	}
}

// simpleRelaxedLine reports whether relaxed canonicalization leaves line
// (without its line ending) unchanged.
func simpleRelaxedLine(line []byte) bool {
	if len(line) == 0 {
		return true
	}
	last := line[len(line)-1]
	if last == ' ' || last == '\t' {
		return false
	}
	// A lone CR inside the line is content either way.
	if bytes.IndexByte(line, '\t') >= 0 {
		return false
	}
	return !bytes.Contains(line, doubleSpace)
}

var doubleSpace = []byte("  ")

func (b *bodyHasher) Sum() ([]byte, int64) {
	if b.done {
		return b.sum, b.unsign
	}
	if b.cr {
		b.cr = false
		b.emitContent(crByte)
	}
	b.wsp = false
	switch {
	case b.content:
		// One CRLF ends the last non-empty line, whether or not the body
		// had one (§3.4.3, §3.4.4); the empty lines after it are dropped.
		b.emit(crlfBytes)
	case !b.relaxed:
		// §3.4.3: an empty body is one CRLF. Relaxed leaves it empty
		// (RFC 6376 erratum 3365 and every implementation).
		b.emit(crlfBytes)
	}
	b.done = true
	b.flush()
	if b.custody {
		b.sum = b.pair.finish()
	} else {
		b.sum = b.h.Sum(nil)
	}
	if b.limit >= 0 && b.n > b.limit {
		b.unsign = b.n - b.limit
	}
	return b.sum, b.unsign
}

// compactLine appends line's relaxed form to dst: runs of WSP become one
// space, WSP at the end is dropped. A CR inside the line is content.
func compactLine(dst, line []byte) []byte {
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	if bytes.IndexByte(line, '\t') < 0 {
		for {
			i := bytes.Index(line, doubleSpace)
			if i < 0 {
				return append(dst, line...)
			}
			dst = append(dst, line[:i+1]...)
			line = line[i+2:]
			for len(line) > 0 && line[0] == ' ' {
				line = line[1:]
			}
		}
	}
	wsp := false
	for _, c := range line {
		if c == ' ' || c == '\t' {
			wsp = true
			continue
		}
		if wsp {
			dst = append(dst, ' ')
			wsp = false
		}
		dst = append(dst, c)
	}
	return dst
}
