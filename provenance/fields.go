package provenance

import (
	"bytes"
	"strings"
	"unicode/utf8"

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
			Name:   lowerName(&f),
			Value:  unfold(f.Value()),
			Offset: f.Offset,
		})
	}
	return h
}

// lowerName returns strings.ToLower(f.Name()). The names of the fields mail
// carries most are kept as strings, so that reading them copies nothing;
// other ASCII names are copied once.
func lowerName(f *dkim.HeaderField) string {
	b := f.NameRaw
	for len(b) > 0 && isFoldSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isFoldSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	var buf [32]byte
	if len(b) > len(buf) {
		return strings.ToLower(f.Name())
	}
	for i, c := range b {
		switch {
		case c >= utf8.RuneSelf:
			return strings.ToLower(f.Name())
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if s, ok := commonNames[string(buf[:len(b)])]; ok {
		return s
	}
	return string(buf[:len(b)])
}

// lowerHeader returns strings.ToLower(name), without a new string for the
// names in commonNames (every name of DisplayedFields and ShownFields).
func lowerHeader(name string) string {
	var buf [32]byte
	if len(name) > len(buf) {
		return strings.ToLower(name)
	}
	for i := range len(name) {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			return strings.ToLower(name)
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if s, ok := commonNames[string(buf[:len(name)])]; ok {
		return s
	}
	return strings.ToLower(name)
}

// isFoldSpace reports whether the lenient reader trims c from a field name.
func isFoldSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// commonNames maps the lower-case names of the fields most messages carry
// to themselves.
var commonNames = func() map[string]string {
	m := make(map[string]string)
	for _, n := range []string{
		"from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date",
		"message-id", "in-reply-to", "references", "mime-version",
		"content-type", "content-transfer-encoding", "content-disposition",
		"content-language", "received", "return-path", "delivered-to",
		"dkim-signature", "domainkey-signature", "authentication-results",
		"arc-seal", "arc-message-signature", "arc-authentication-results",
		"received-spf", "x-mailer", "user-agent", "list-id", "list-unsubscribe",
		"precedence", "thread-topic", "thread-index", "x-gm-thrid", "x-gmail-labels",
	} {
		m[n] = n
	}
	return m
}()

// unfold removes the line endings of a folded value (RFC 5322 §2.2.3) and
// trims surrounding whitespace: a CR is removed only before an LF. The
// value is copied once.
func unfold(v []byte) string {
	if bytes.IndexByte(v, '\n') < 0 {
		return strings.TrimSpace(string(v))
	}
	var b strings.Builder
	b.Grow(len(v))
	for i, c := range v {
		if c == '\n' || c == '\r' && i+1 < len(v) && v[i+1] == '\n' {
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
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
