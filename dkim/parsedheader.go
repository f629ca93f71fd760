package dkim

import (
	"fmt"

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
// concurrent reading.
type Header struct {
	msg []byte
	raw *rawheader.Header
	err error
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
