package dkim

import (
	"crypto"
	"crypto/sha256"
	"fmt"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// ErrHeaderTooLarge is wrapped when a header is past the reader's caps
// (4 MiB or 20,000 fields): nothing is verified then.
var ErrHeaderTooLarge = rawheader.ErrHeaderTooLarge

// A Header is a message's header split once, by the verifier's lenient
// rules and under its caps, so that a program that checks one message in
// several ways (DKIM with [VerifyHeader], ARC, its own reading of the
// fields) reads the header once. Its field bytes alias the message, which
// must not change while the Header is in use. A Header is safe for
// concurrent reading; [Header.CustodySHA256] is the one method that is
// not.
type Header struct {
	msg []byte
	raw *rawheader.Header
	err error

	// body is the SHA-256 body hash CustodySHA256 computed, for
	// VerifyHeader to use; sum is nil when there is none.
	body struct {
		c        dkimcore.Canonicalization
		limit    int64
		sum      []byte
		unsigned int64
	}
}

// A HeaderField is one field of a [Header], or one line of the header that
// is not a field at all (Colon is -1 then), exactly as written.
type HeaderField struct {
	// Raw is the whole field: name, colon, value, folding and its line
	// ending (absent only on the last line of a header-only message).
	Raw []byte
	// Offset is the byte offset of Raw within the message.
	Offset int
	// Colon is the index of the first ':' in Raw, or -1.
	Colon int
	// NameRaw is Raw up to the colon, exactly as written (all of Raw
	// without its line ending when there is no colon).
	NameRaw []byte
	// LeadingWhitespace is set on a first line that starts with a space or
	// a tab.
	LeadingWhitespace bool
}

// ParseHeader splits the header of msg (LF or CRLF line endings). It never
// fails: past the caps it keeps the fields read so far, and [Header.Err]
// says so. msg is retained, not copied.
func ParseHeader(msg []byte) *Header {
	raw, err := rawheader.Split(msg, nil)
	if err != nil {
		err = fmt.Errorf("dkim: %w", err)
	}
	return &Header{msg: msg, raw: raw, err: err}
}

// CustodySHA256 returns sha256.Sum256(raw), the chain-of-custody digest
// of the bytes a message was stored as, of which the header's message is
// usually a part (the message less the framing or a byte-order mark). When
// a DKIM-Signature field parses with an SHA-256 algorithm (rsa-sha256,
// ed25519-sha256), the first such signature's body hash is computed in the
// same pass over memory and kept in h, so that [VerifyHeader] does not
// compute it again; its results are the same either way.
//
// Unlike every other method of Header, CustodySHA256 writes to h: call it
// before h is shared between goroutines, or not at all.
func (h *Header) CustodySHA256(raw []byte) [sha256.Size]byte {
	if h.err != nil {
		return sha256.Sum256(raw)
	}
	for i := range h.raw.Fields {
		f := &h.raw.Fields[i]
		if !f.NameEqualFold("DKIM-Signature") {
			continue
		}
		p, err := parseSignature(string(f.Value()))
		if err != nil || p.hash != crypto.SHA256 {
			continue
		}
		custody, sum, unsigned := dkimcore.CustodyAndBodyHash(raw, h.msg[h.raw.BodyOffset:], p.bc, p.length)
		h.body.c, h.body.limit, h.body.sum, h.body.unsigned = p.bc, p.length, sum, unsigned
		return custody
	}
	return sha256.Sum256(raw)
}

// Err is nil, or an error wrapping ErrHeaderTooLarge when the header is
// past the caps and the fields are only the first ones.
func (h *Header) Err() error { return h.err }

// Message returns the message the header was split from.
func (h *Header) Message() []byte { return h.msg }

// Len returns the number of fields.
func (h *Header) Len() int { return len(h.raw.Fields) }

// Field returns field i, 0 <= i < h.Len(), top to bottom.
func (h *Header) Field(i int) HeaderField {
	f := &h.raw.Fields[i]
	return HeaderField{Raw: f.Raw, Offset: f.Offset, Colon: f.Colon, NameRaw: f.NameRaw, LeadingWhitespace: f.LeadingWhitespace}
}

// BodyOffset is where the body starts: just after the empty line, or the
// message's length when there is none.
func (h *Header) BodyOffset() int { return h.raw.BodyOffset }

// HasSeparator reports whether an empty line ends the header (false for a
// header-only file).
func (h *Header) HasSeparator() bool { return h.raw.HasSeparator }

// CRLF reports whether the first line of the message ends in CRLF.
func (h *Header) CRLF() bool { return h.raw.CRLF }

func (f *HeaderField) raw() rawheader.Field {
	return rawheader.Field{Raw: f.Raw, Offset: f.Offset, Colon: f.Colon, NameRaw: f.NameRaw, LeadingWhitespace: f.LeadingWhitespace}
}

// Name returns the field name as a lenient reader takes it: NameRaw
// without surrounding white space ("From " is From).
func (f *HeaderField) Name() string {
	r := f.raw()
	return r.Name()
}

// Value returns the bytes after the colon, without the final line ending
// but with any folding; nil for a line with no colon.
func (f *HeaderField) Value() []byte {
	r := f.raw()
	return r.Value()
}
