package mailsyntax

import (
	"mime"
	"strings"
)

// DecodeWords decodes the RFC 2047 encoded words in an unstructured field
// value such as a Subject or a From. Charsets other than UTF-8,
// US-ASCII and ISO-8859-1 are left encoded (the library loads no charset
// tables); so is anything malformed.
func DecodeWords(s string) string {
	var d mime.WordDecoder
	out, err := d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// MessageID returns the identifier in a Message-ID value (RFC 5322
// §3.6.4): the text between the first '<' and the next '>', trimmed, or the
// whole value trimmed when it has no such brackets.
func MessageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i+1:], '>'); j >= 0 {
			return strings.TrimSpace(v[i+1 : i+1+j])
		}
	}
	return v
}
