package provenance

import (
	"strings"

	"github.com/leakproof/leakproof/dkim"
)

// A headerField is one field of the message header.
type headerField struct {
	Name   string // lower-case, as a lenient reader takes it ("from")
	Value  string // the value with line endings removed and spaces trimmed
	Offset int    // byte offset of the field in the message
}

// header is the message header, fields in order, top to bottom.
type header struct {
	fields    []headerField
	separator bool // an empty line ends the header (false: a header-only file)
	body      int  // offset of the body; len(msg) when there is none
	truncated bool // the header is past the caps: fields holds only the first ones
}

// fieldBefore returns the name of the last field that starts before byte
// offset, or "".
func (h header) fieldBefore(offset int) string {
	name := ""
	for _, f := range h.fields {
		if f.Offset >= offset {
			break
		}
		name = f.Name
	}
	return name
}

// splitHeader reads the header of msg (CRLF or LF) with the verifier's
// lenient splitter and caps.
func splitHeader(msg []byte) header { return headerOf(dkim.ParseHeader(msg)) }

// headerOf reads the fields of a header split by dkim; lines that are not
// fields are left out. Past the caps the fields read so far are kept and
// truncated is set: the verdict then never rests on them (header.too_large).
func headerOf(ph *dkim.Header) header {
	h := header{body: ph.BodyOffset(), separator: ph.HasSeparator(), truncated: ph.Err() != nil}
	for i := range ph.Len() {
		f := ph.Field(i)
		if f.Colon < 0 {
			continue
		}
		h.fields = append(h.fields, headerField{
			Name:   strings.ToLower(f.Name()),
			Value:  unfold(string(f.Value())),
			Offset: f.Offset,
		})
	}
	return h
}

// unfold removes the line endings of a folded value (RFC 5322 §2.2.3) and
// trims surrounding whitespace.
func unfold(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "")
	v = strings.ReplaceAll(v, "\n", "")
	return strings.TrimSpace(v)
}

// values returns the values of every field named name (lower-case).
func (h header) values(name string) []string {
	var out []string
	for _, f := range h.fields {
		if f.Name == name {
			out = append(out, f.Value)
		}
	}
	return out
}

// count returns how many fields are named name.
func (h header) count(name string) int {
	n := 0
	for _, f := range h.fields {
		if f.Name == name {
			n++
		}
	}
	return n
}

func (h header) has(name string) bool { return h.count(name) > 0 }

// first returns the first value of name, "" when absent.
func (h header) first(name string) string {
	for _, f := range h.fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
