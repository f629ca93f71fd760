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
//   - another parameter of a Content-Type or Content-Disposition (charset,
//     name, filename) given twice in one form, where Go's mime package
//     refuses the whole field and others take the first or the last, or
//     plainly and in RFC 2231's form with values that differ once decoded
//     (filename*=us-ascii''a.pdf; filename="wire.pdf"), where Python's
//     email package takes the plain one and Go's the RFC 2231 one;
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
// scan of each multipart Content-Type value and of the other fields with
// more than one parameter, and one search for "=" in a base64 body, whose
// padding is at its end.

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
	"github.com/leakproof/leakproof/internal/mailsyntax"
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
	multipart := len(ct) >= len("multipart/") && strings.EqualFold(ct[:len("multipart/")], "multipart/")
	if s := paramsShape(ct, "Content-Type", multipart); s != "" {
		return s
	}
	if s := paramsShape(e.Header.Get("Content-Disposition"), "Content-Disposition", false); s != "" {
		return s
	}
	if !multipart && strings.EqualFold(strings.TrimSpace(e.Header.Get("Content-Transfer-Encoding")), "base64") && base64Trailer(data) {
		return "a part's base64 text goes on after its padding, which some readers decode and others drop"
	}
	return ""
}

// topShape is entityShape for the top-level entity of a message the
// attachment walk does not read (a single part without
// Content-Disposition): h is its header, body its undecoded body.
func topShape(h header, body []byte) string {
	if s := paramsShape(h.first("content-type"), "Content-Type", false); s != "" {
		return s
	}
	if s := paramsShape(h.first("content-disposition"), "Content-Disposition", false); s != "" {
		return s
	}
	if strings.EqualFold(strings.TrimSpace(h.first("content-transfer-encoding")), "base64") && base64Trailer(body) {
		return "the body's base64 text goes on after its padding, which some readers decode and others drop"
	}
	return ""
}

// paramForms are the values one parameter is given in, in one field.
type paramForms struct {
	plain  []string // name="value" or name=value, unquoted
	star   []string // name*=charset'lang'value, raw
	pieces []string // name*N= and name*N*=, raw, as "N=value" or "N*=value"
	zeros  int      // pieces numbered 0
}

// paramsShape describes how readers read the parameters of v, the value
// of field (a multipart Content-Type when multipart is set), differently,
// or returns "". A parameter given twice in one form makes Go's mime
// package (so go-message) refuse the whole field, where others take the
// first or the last; given plainly and in RFC 2231's form with different
// values, Python's email package takes the plain one, Go's the RFC 2231
// one. Readers pick a multipart's boundary differently whenever it is
// given more than once or in RFC 2231's form at all (boundaryShape).
func paramsShape(v, field string, multipart bool) string {
	if !multipart && strings.Count(v, "=") < 2 {
		return "" // one parameter at most: ordinary mail ends here
	}
	var forms map[string]*paramForms
	for _, p := range splitParams(v)[1:] {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		base, rest, ext := strings.Cut(name, "*")
		if forms == nil {
			forms = map[string]*paramForms{}
		}
		f := forms[base]
		if f == nil {
			f = &paramForms{}
			forms[base] = f
		}
		switch {
		case !ext:
			f.plain = append(f.plain, unquoteParam(val))
		case rest == "":
			f.star = append(f.star, val)
		default:
			f.pieces = append(f.pieces, rest+"="+val)
			if rest == "0" || rest == "0*" {
				f.zeros++
			}
		}
	}
	if multipart {
		if s := boundaryShape(forms["boundary"], v); s != "" {
			return s
		}
	}
	for _, name := range sortedKeys(forms) {
		if multipart && name == "boundary" {
			continue
		}
		f := forms[name]
		if len(f.plain) > 1 || len(f.star) > 1 || f.zeros > 1 {
			return fmt.Sprintf("its %s gives the %s parameter more than once, and readers differ on which one counts (Go's mime package reads none of the field's parameters then)", field, name)
		}
		var values []string
		values = append(values, f.plain...)
		for _, s := range f.star {
			values = append(values, decode2231(s))
		}
		if len(f.pieces) > 0 {
			values = append(values, joinPieces(f.pieces))
		}
		for _, x := range values[min(1, len(values)):] {
			if x != values[0] || x == "\x00" {
				return fmt.Sprintf("its %s gives the %s parameter both plainly and in RFC 2231's form, with different values, and readers differ on which one counts", field, name)
			}
		}
	}
	return ""
}

// boundaryShape is paramsShape for the boundary of a multipart
// Content-Type v, given in forms f (nil when absent).
func boundaryShape(f *paramForms, v string) string {
	if f == nil {
		return ""
	}
	n := len(f.plain) + len(f.star)
	if len(f.pieces) > 0 {
		n++
	}
	switch {
	case n > 1 || f.zeros > 1:
		return "its multipart Content-Type gives the boundary parameter more than once, and readers differ on which one splits the body"
	case len(f.star) > 0 || len(f.pieces) > 0:
		return "its multipart Content-Type gives the boundary in RFC 2231's form, which readers decode differently or not at all"
	}
	// The one plain value, as written.
	var raw string
	for _, p := range splitParams(v)[1:] {
		if name, val, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(name), "boundary") {
			raw = strings.TrimSpace(val)
		}
	}
	if q, ok := strings.CutPrefix(raw, `"`); ok {
		inner, closed := strings.CutSuffix(q, `"`)
		switch {
		case !closed || strings.ContainsAny(inner, "\"\\"):
			return "its multipart Content-Type quotes the boundary oddly, and readers unquote it differently"
		case inner != strings.Trim(inner, " \t"):
			return "its multipart Content-Type gives a boundary with white space at its end, which some readers strip and others keep"
		}
		return ""
	}
	if strings.ContainsAny(raw, "\"\\") {
		return "its multipart Content-Type quotes the boundary oddly, and readers unquote it differently"
	}
	return ""
}

// unquoteParam is a parameter value as written, unquoted (quoted-pairs
// undone) and its encoded words decoded, as go-message reads it.
func unquoteParam(v string) string {
	if q, ok := strings.CutPrefix(v, `"`); ok {
		q = strings.TrimSuffix(q, `"`)
		var b strings.Builder
		for i := 0; i < len(q); i++ {
			if q[i] == '\\' && i+1 < len(q) {
				i++
			}
			b.WriteByte(q[i])
		}
		v = b.String()
	}
	return mailsyntax.DecodeWords(v)
}

// decode2231 decodes an RFC 2231 value (charset'language'percent-encoded
// text) to UTF-8, or returns "\x00" when it cannot: an unknown charset,
// a stray "%".
func decode2231(v string) string {
	cs, rest, ok := strings.Cut(v, "'")
	if !ok {
		return "\x00"
	}
	_, text, ok := strings.Cut(rest, "'")
	if !ok {
		return "\x00"
	}
	raw, err := url.PathUnescape(strings.ReplaceAll(text, "+", "%2B"))
	if err != nil {
		return "\x00"
	}
	switch cs = strings.ToLower(cs); {
	case cs == "" || cs == "utf-8" || cs == "us-ascii":
		return raw
	}
	enc := lookupCharset(cs)
	if enc == nil {
		return "\x00"
	}
	out, err := enc.NewDecoder().String(raw)
	if err != nil {
		return "\x00"
	}
	return out
}

// joinPieces joins RFC 2231 continuations ("N=value", "N*=value") in
// their order, or returns "\x00" when they are not 0 to n-1 each once or
// one is encoded (its value is then compared as undecodable).
func joinPieces(pieces []string) string {
	vals := make([]string, len(pieces))
	for _, p := range pieces {
		num, val, _ := strings.Cut(p, "=")
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 || i >= len(vals) || vals[i] != "" || strings.HasSuffix(num, "*") {
			return "\x00"
		}
		vals[i] = unquoteParam(val)
	}
	return strings.Join(vals, "")
}

// sortedKeys returns m's keys in order, so that the first shape found
// does not depend on map order.
func sortedKeys(m map[string]*paramForms) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
