// Package rawheader splits the header of a message into its fields, exactly
// as the bytes are written, without interpreting them.
//
// The splitter is lenient: it accepts LF or CRLF line endings (mixed, even),
// NUL and 8-bit bytes, lines without a colon and a first line that starts
// with whitespace, because forensic checks (DKIM, ARC, header findings) must
// see what a mail client or a verifier might see, not what RFC 5322 allows.
// Every [Field] keeps its raw bytes (folding and line ending included) and
// its byte offset, so a finding can be traced to the source.
//
// # Rules
//
//   - A line ends at LF; a CR just before the LF is part of the line ending.
//     A lone CR is an ordinary byte.
//   - A line that starts with SP or HTAB continues the field above it
//     (RFC 5322 §2.2.3 folding). On the first line it starts a field of its
//     own, marked [Field.LeadingWhitespace].
//   - The header ends at the first empty line (CRLF or LF alone); the body
//     starts after it. Without an empty line the whole message is header.
//   - A field's name is the text before its first colon with surrounding
//     whitespace and folding removed, as lenient readers (go-msgauth,
//     net/textproto) take it; [Field.NameRaw] keeps it as written.
//
// Caps on header bytes and field count ([Limits]) bound the work on hostile
// input.
package rawheader

import (
	"bytes"
	"errors"
	"fmt"
)

// Default caps, used for zero fields of [Limits].
const (
	DefaultMaxHeaderBytes = 4 << 20
	DefaultMaxFields      = 20000
)

// ErrHeaderTooLarge is returned (wrapped) when the header exceeds
// [Limits.MaxHeaderBytes] or [Limits.MaxFields].
var ErrHeaderTooLarge = errors.New("rawheader: header too large")

// Limits caps the work Split does. A nil *Limits or a zero field means the
// default.
type Limits struct {
	MaxHeaderBytes int // bytes before the body; default DefaultMaxHeaderBytes
	MaxFields      int // fields; default DefaultMaxFields
}

func (l *Limits) maxBytes() int {
	if l == nil || l.MaxHeaderBytes <= 0 {
		return DefaultMaxHeaderBytes
	}
	return l.MaxHeaderBytes
}

func (l *Limits) maxFields() int {
	if l == nil || l.MaxFields <= 0 {
		return DefaultMaxFields
	}
	return l.MaxFields
}

// A Field is one header field as written. Its byte slices alias the
// message passed to Split.
type Field struct {
	// Raw is the whole field: name, colon, value, folding and the final
	// line ending (absent only on the last line of a header-only message).
	Raw []byte
	// Offset is the byte offset of Raw within the message.
	Offset int
	// Colon is the index of the first ':' in Raw, or -1 when the field has
	// no colon (a line that is not a field at all).
	Colon int
	// NameRaw is Raw up to the colon (all of Raw, without its line ending,
	// when there is none), exactly as written.
	NameRaw []byte
	// LeadingWhitespace is set on a first line that starts with SP or HTAB.
	LeadingWhitespace bool
}

// Name returns the field name as a lenient reader takes it: NameRaw with
// leading and trailing whitespace, CR and LF removed. It allocates.
func (f *Field) Name() string { return string(trimName(f.NameRaw)) }

// NameEqualFold reports whether the lenient name of f equals name, ignoring
// ASCII case. It does not allocate.
func (f *Field) NameEqualFold(name string) bool {
	n := trimName(f.NameRaw)
	if len(n) != len(name) {
		return false
	}
	for i := range len(n) {
		if lower(n[i]) != lower(name[i]) {
			return false
		}
	}
	return true
}

// Value returns the bytes after the colon, with the final line ending
// removed but folding kept; nil when the field has no colon.
func (f *Field) Value() []byte {
	if f.Colon < 0 {
		return nil
	}
	return trimEOL(f.Raw[f.Colon+1:])
}

// SpaceBeforeColon reports whether whitespace (or folding) separates the
// name from the colon ("From : x").
func (f *Field) SpaceBeforeColon() bool {
	if f.Colon <= 0 {
		return false
	}
	c := f.Raw[f.Colon-1]
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// FoldedName reports whether the name is continued on a following line
// before its colon ("From\r\n : x").
func (f *Field) FoldedName() bool {
	return f.Colon > 0 && bytes.IndexByte(f.NameRaw, '\n') >= 0
}

// NonPrintableName reports whether the lenient name holds bytes outside
// printable ASCII (33-126), the characters RFC 5322 §2.2 allows in a name.
// Whitespace inside the name counts; an empty name does not.
func (f *Field) NonPrintableName() bool {
	for _, c := range trimName(f.NameRaw) {
		if c < 33 || c > 126 {
			return true
		}
	}
	return false
}

// Header is the result of Split.
type Header struct {
	Fields []Field
	// BodyOffset is where the body starts: just after the empty line, or
	// len(msg) when there is none.
	BodyOffset int
	// HasSeparator reports whether an empty line ended the header.
	HasSeparator bool
	// CRLF reports whether the first line of the message ends in CRLF
	// (false for LF, or for a message without any line ending).
	CRLF bool
}

// Split splits msg into header fields and finds where the body starts.
// On a header over the limits it returns the fields read so far (the last
// one possibly cut short) and an error wrapping ErrHeaderTooLarge.
// Split never panics and does not modify msg.
func Split(msg []byte, lim *Limits) (*Header, error) {
	h := &Header{BodyOffset: len(msg)}
	maxBytes, maxFields := lim.maxBytes(), lim.maxFields()
	if i := bytes.IndexByte(msg, '\n'); i > 0 && msg[i-1] == '\r' {
		h.CRLF = true
	}
	pos := 0
	cur := -1 // index in h.Fields of the field being extended
	for pos < len(msg) {
		if pos > maxBytes {
			return h, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, maxBytes)
		}
		end := bytes.IndexByte(msg[pos:], '\n')
		if end < 0 {
			end = len(msg)
		} else {
			end += pos + 1
		}
		line := msg[pos:end]
		if len(trimEOL(line)) == 0 && len(line) > 0 && line[len(line)-1] == '\n' {
			h.HasSeparator = true
			h.BodyOffset = end
			return h, nil
		}
		if (line[0] == ' ' || line[0] == '\t') && cur >= 0 {
			f := &h.Fields[cur]
			f.Raw = msg[f.Offset:end]
			if f.Colon < 0 {
				if c := bytes.IndexByte(line, ':'); c >= 0 {
					f.Colon = pos - f.Offset + c
				}
				f.NameRaw = nameRaw(f.Raw, f.Colon)
			}
		} else {
			if len(h.Fields) >= maxFields {
				return h, fmt.Errorf("%w: more than %d fields", ErrHeaderTooLarge, maxFields)
			}
			f := Field{Raw: line, Offset: pos, Colon: bytes.IndexByte(line, ':')}
			f.LeadingWhitespace = line[0] == ' ' || line[0] == '\t'
			f.NameRaw = nameRaw(f.Raw, f.Colon)
			h.Fields = append(h.Fields, f)
			cur = len(h.Fields) - 1
		}
		pos = end
	}
	return h, nil
}

func nameRaw(raw []byte, colon int) []byte {
	if colon >= 0 {
		return raw[:colon]
	}
	return trimEOL(raw)
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimName(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
