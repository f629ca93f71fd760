package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/sha256"

	"github.com/leakproof/leakproof/internal/sha256x"
)

// CustodyAndBodyHash returns the SHA-256 of raw, a message's stored bytes
// (its chain-of-custody digest), together with what
// BodyHash(crypto.SHA256, c, limit, body) returns for its body: the
// rsa-sha256 or ed25519-sha256 body hash in canonical form c, limited to
// limit canonical bytes (l=, or -1 for the whole body), and the count of
// canonical bytes beyond the limit.
//
// Most mail as sent is already in canonical form: CRLF line endings and,
// for relaxed, no tab, no run of spaces and no space at a line's end. Then
// the canonical body is body's own bytes, less its trailing empty lines
// and plus, when the last line has no line ending, a CRLF, and the two
// digests are computed in one pass with their SHA-256 streams interleaved
// (package sha256x); when body is a slice of raw, as for a message stored
// with CRLF, every byte is read from memory once. Otherwise body goes
// through the canonicalizing hasher, as in BodyHash, and each piece of
// canonical output it hands to the hash, at most a few kilobytes gathered
// in the hasher's buffer or a clean run of body written as it is, is
// hashed together with as many of raw's next bytes; the raw bytes left
// when the body is done are hashed last. The results are the same either
// way.
func CustodyAndBodyHash(raw, body []byte, c Canonicalization, limit int64) (custody [sha256.Size]byte, sum []byte, unsigned int64) {
	span, crlf, ok := canonicalSpan(body, c == Relaxed)
	if !ok {
		bh := acquireCustodyHasher(c, limit, raw)
		bh.Write(body)
		sum, unsigned = bh.Sum()
		custody = bh.pair.custody
		releaseBodyHasher(bh)
		return custody, sum, unsigned
	}
	if n := int64(len(span) + len(crlf)); limit >= 0 && n > limit {
		unsigned = n - limit
		if int64(len(span)) >= limit {
			span, crlf = span[:limit], nil
		} else {
			crlf = crlf[:limit-int64(len(span))]
		}
	}
	var p sha256x.Pair
	p.Write2(raw, span)
	p.Write2(nil, crlf)
	custody, bodySum := p.Sums()
	return custody, bodySum[:], unsigned
}

// canonicalSpan reports whether the canonical form of body (simple, or
// relaxed if relaxed is set) is span, a prefix of body, followed by crlf,
// which is either empty or a CRLF of its own, and if so returns them.
//
// That holds when every line ending is a CRLF, and for relaxed every line
// (the last one too, which may lack a line ending) is one that relaxed
// canonicalization leaves as it is: no tab, no space before a space, a
// line break or another control byte, no space or tab at its end. The
// check is the one the body hasher's bulk path makes (canonicalPrefix), so
// it may refuse a body that is canonical after all (a space before a
// control byte); the caller then canonicalizes, at no loss but speed.
func canonicalSpan(body []byte, relaxed bool) (span, crlf []byte, ok bool) {
	end := bytes.LastIndexByte(body, '\n') + 1
	lines, last := body[:end], body[end:]
	if len(lines) > 0 && canonicalPrefix(lines, relaxed) != len(lines) {
		return nil, nil, false
	}
	if len(last) > 0 {
		// A last line without a line ending: the canonical body ends it
		// with a CRLF (RFC 6376 §3.4.3, §3.4.4). For simple, its bytes are
		// content whatever they are (a lone CR too); relaxed must leave
		// them alone.
		if relaxed {
			if firstViolationSWAR(last, true) >= 0 {
				return nil, nil, false
			}
			if b := last[len(last)-1]; b == ' ' || b == '\t' {
				return nil, nil, false
			}
		}
		return body, crlfBytes, true
	}
	// Trailing empty lines are dropped; the CRLF that ends the last
	// non-empty line stays. Every LF here follows a CR.
	j := len(lines)
	for j >= 2 && lines[j-2] == '\r' && lines[j-1] == '\n' {
		j -= 2
	}
	switch {
	case j > 0:
		return lines[:j+2], nil, true
	case relaxed:
		return nil, nil, true // an empty body stays empty (erratum 3365)
	case len(lines) >= 2:
		return lines[:2], nil, true // §3.4.3: an empty body is one CRLF
	}
	return nil, crlfBytes, true
}

// A custodyPair hashes a message's stored bytes (stream A) and the
// canonical body a body hasher produces (stream B) together, taking from
// raw as many bytes as each canonical piece has, so that both streams
// advance block for block.
type custodyPair struct {
	sha256x.Pair
	raw     []byte // stored bytes not yet written to stream A
	custody [sha256.Size]byte
}

// acquireCustodyHasher is acquireBodyHasher for crypto.SHA256 with the
// canonical bytes going to a custodyPair in step with raw; Sum then also
// leaves the SHA-256 of raw in b.pair.custody. The caller hands it back
// with releaseBodyHasher.
func acquireCustodyHasher(c Canonicalization, limit int64, raw []byte) *bodyHasher {
	b := acquireBodyHasher(crypto.SHA256, c, limit)
	if b.pair == nil {
		b.pair = new(custodyPair)
	}
	b.pair.Reset()
	b.pair.raw = raw
	b.custody = true
	return b
}

// write hashes canon, a piece of the canonical body, with the next bytes
// of raw, as many as canon has while they last.
func (c *custodyPair) write(canon []byte) {
	n := min(len(canon), len(c.raw))
	c.Write2(c.raw[:n], canon)
	c.raw = c.raw[n:]
}

// finish hashes the rest of raw, keeps its digest in c.custody and
// returns the digest of the canonical body.
func (c *custodyPair) finish() []byte {
	c.Write2(c.raw, nil)
	c.raw = nil
	custody, body := c.Sums()
	c.custody = custody
	return body[:]
}
