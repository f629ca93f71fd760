package provenance

// Shapes of a MIME entity that readers read differently though each
// reads it without error. Where the readers disagree, the reader's view
// of the message holds its body bytes (view.go), as it does for delimiter
// lines readers split at differently (mimewalk.go), and the evidence says
// so (coverage.mime_ambiguous):
//
//   - the boundary parameter of a multipart Content-Type given more than
//     once (boundary=a; boundary=b, in any case of the name), or in RFC
//     2231's forms (boundary*=, boundary*0=, boundary*1=): RFC 2045 and
//     RFC 2046 say nothing of a parameter given twice, and readers pick
//     differently. Python's email package takes the first plain value and
//     an RFC 2231 one only when there is none; Go's mime package (so
//     go-message) refuses a duplicate, reading no boundary at all, prefers
//     RFC 2231 continuations to a plain value and an RFC 2231 value
//     without a charset reads as none; readers without RFC 2231 see no
//     boundary in boundary*= at all;
//   - a quoted boundary with white space at its start or end, or a quote
//     or quoted-pair in it, or an unquoted value with a quote: Python's
//     email package strips a boundary's trailing white space and Go's mime
//     package does not, and readers unquote in their own ways;
//   - a part header with two Content-Type, Content-Transfer-Encoding or
//     Content-Disposition fields of different values: RFC 2045 allows one,
//     go-message and Python's email package take the first, and a reader
//     that takes the last shows another type, decoding or file name (the
//     message's own header is header.duplicate_mime_field's);
//   - base64 text with more text after its padding: go-message and
//     Python's email package stop at the padding, decoders that read
//     base64 group by group go on past it (this package's own does, for a
//     top-level text body), and others refuse the part.
//
// The checks cost nothing on ordinary mail: a header lookup per part, a
// scan of each multipart Content-Type value, and one search for "=" in a
// base64 body, whose padding is at its end.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message"
)

// partFields are the part header fields whose duplicates readers read
// differently, as go-message names them.
var partFields = []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"}

// entityShape describes how readers read entity e, whose undecoded body is
// data, differently, or returns "". top is set for the message's own
// header, whose duplicate fields header.duplicate_mime_field reports.
func entityShape(e *message.Entity, data []byte, top bool) string {
	if !top {
		for _, k := range partFields {
			if vs := e.Header.Values(k); len(vs) > 1 {
				for _, v := range vs[1:] {
					if !strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(vs[0])) {
						return fmt.Sprintf("a part header has %d %s fields of different values, and readers differ on which one counts", len(vs), k)
					}
				}
			}
		}
	}
	ct := strings.TrimSpace(e.Header.Get("Content-Type"))
	if len(ct) >= len("multipart/") && strings.EqualFold(ct[:len("multipart/")], "multipart/") {
		return boundaryShape(ct)
	}
	if strings.EqualFold(strings.TrimSpace(e.Header.Get("Content-Transfer-Encoding")), "base64") && base64Trailer(data) {
		return "a part's base64 text goes on after its padding, which some readers decode and others drop"
	}
	return ""
}

// boundaryShape describes how readers read the boundary of ct, a
// multipart Content-Type value, differently, or returns "".
func boundaryShape(ct string) string {
	plain, star, zeros := 0, 0, 0 // boundary=, boundary*=, boundary*0= or boundary*0*=
	pieces := false               // any boundary*N= or boundary*N*=
	var value string
	for _, p := range splitParams(ct)[1:] {
		name, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if len(name) < len("boundary") || !strings.EqualFold(name[:len("boundary")], "boundary") {
			continue
		}
		switch rest := name[len("boundary"):]; {
		case rest == "":
			plain++
			value = strings.TrimSpace(v)
		case rest == "*":
			star++
		case rest[0] == '*':
			pieces = true
			if rest == "*0" || rest == "*0*" {
				zeros++
			}
		}
	}
	forms := plain + star
	if pieces {
		forms++
	}
	switch {
	case forms > 1 || zeros > 1:
		return "its multipart Content-Type gives the boundary parameter more than once, and readers differ on which one splits the body"
	case star > 0 || pieces:
		return "its multipart Content-Type gives the boundary in RFC 2231's form, which readers decode differently or not at all"
	case plain == 0:
		return ""
	}
	if q, ok := strings.CutPrefix(value, `"`); ok {
		inner, closed := strings.CutSuffix(q, `"`)
		switch {
		case !closed || strings.ContainsAny(inner, "\"\\"):
			return "its multipart Content-Type quotes the boundary oddly, and readers unquote it differently"
		case inner != strings.Trim(inner, " \t"):
			return "its multipart Content-Type gives a boundary with white space at its end, which some readers strip and others keep"
		}
		return ""
	}
	if strings.ContainsAny(value, "\"\\") {
		return "its multipart Content-Type quotes the boundary oddly, and readers unquote it differently"
	}
	return ""
}

// base64Trailer reports whether base64 text goes on after its padding:
// anything but padding and white space after the first "=".
func base64Trailer(data []byte) bool {
	i := bytes.IndexByte(data, '=')
	if i < 0 {
		return false
	}
	for _, c := range data[i+1:] {
		if c != '=' && base64Class[c] != b64Space {
			return true
		}
	}
	return false
}
