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
//   - a multipart Content-Type go-message cannot read at all (an unquoted
//     boundary with "=" in it, which some mailers write): go-message lists
//     no part of it, so the view would hold none of its text or
//     attachments whatever they are, while lenient readers (Python's email
//     package) split it into parts;
//   - a part header with a line that is no header field (no colon): the
//     splitter (mimewalk.go) notes it, as go-message lists no part from
//     there on while Python's email package ends the header at that line
//     and shows it and the lines after it as the part's text;
//   - a Content-Transfer-Encoding that starts with base64 or
//     quoted-printable and goes on ("base64 (encoded)", "base64; x=1"):
//     go-message and Python's email package read no encoding they know
//     and show the encoded text, readers that take the first word decode
//     it;
//   - base64 text that is not one canonical stream: more text after its
//     padding, which go-message and Python's email package drop and
//     decoders that read base64 group by group (this package's own, for a
//     top-level text body) decode; a byte that is not base64, where
//     go-message stops and Python's email package skips the byte and
//     decodes what follows; a last group cut short, which some decode and
//     Python's email package shows undecoded.
//
// The checks cost nothing on ordinary mail: a header lookup per part, a
// scan of each multipart Content-Type value and of the other fields with
// more than one parameter, and the base64 text the attachment hashing
// judges anyway (hashBase64), or a scan of a base64 part it does not hash
// (a text part, an unnamed one, a single part).

import (
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
// header, whose duplicate fields header.duplicate_mime_field reports;
// ctErr is go-message's error reading e's Content-Type.
func entityShape(e *message.Entity, data []byte, top bool, ctErr error) string {
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
	if s := cteShape(e.Header.Get("Content-Transfer-Encoding")); s != "" {
		return s
	}
	ct := strings.TrimSpace(e.Header.Get("Content-Type"))
	multipart := len(ct) >= len("multipart/") && strings.EqualFold(ct[:len("multipart/")], "multipart/")
	if s := paramsShape(ct, "Content-Type", multipart); s != "" {
		return s
	}
	if multipart && ctErr != nil {
		// An unquoted boundary with "=" in it, say: go-message reads no
		// boundary, so the view holds no part of it, whatever the parts.
		return "go-message cannot read its multipart Content-Type (" + ctErr.Error() + ") and lists no part of it, where lenient readers (Python's email package) split it into parts"
	}
	if s := paramsShape(e.Header.Get("Content-Disposition"), "Content-Disposition", false); s != "" {
		return s
	}
	return ""
}

// base64Shape words base64 text that is not one canonical stream.
const base64Shape = "a part's base64 text is not one canonical stream (it goes on after its padding or after a byte that is not base64, or stops short of a whole group): some readers stop there, some skip the byte and decode what follows, and some show the text undecoded"

// decodeStopShape words a part go-message's decoder stops reading before
// its end: quoted-printable with a control byte or an "=" before a lone
// CR, which Python's email package decodes on.
const decodeStopShape = "go-message's decoder stops reading a part before its end (quoted-printable text with a control byte, or an \"=\" before a lone CR), where other readers (Python's email package) decode what follows"

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
	cte := h.first("content-transfer-encoding")
	if s := cteShape(cte); s != "" {
		return s
	}
	if strings.EqualFold(strings.TrimSpace(cte), "base64") && !base64Canonical(body) {
		return strings.Replace(base64Shape, "a part's", "the body's", 1)
	}
	return ""
}

// cteShape describes how readers read the Content-Transfer-Encoding
// value v differently, or returns "": a value that starts with base64 or
// quoted-printable but goes on (a comment, a parameter, more letters),
// which go-message and Python's email package do not decode, showing the
// encoded text, while readers that take its first word (and this
// package's reading of a single part) decode it.
func cteShape(v string) string {
	v = strings.TrimSpace(v)
	for _, name := range []string{"base64", "quoted-printable"} {
		if len(v) > len(name) && strings.EqualFold(v[:len(name)], name) {
			return fmt.Sprintf("its Content-Transfer-Encoding %q is not %s as RFC 2045 writes it, and readers differ on whether to decode it: go-message and Python's email package show the encoded text, readers that take its first word decode it", v, name)
		}
	}
	return ""
}

// A rawParam is one parameter of a field as written: its name up to any
// "*" (base), what follows the "*" (ext, with star set when there is one)
// and its value, white space around it trimmed.
type rawParam struct {
	base, ext, value string
	star             bool
}

// nextParam returns the first parameter of v, the text of a field after
// its first ";", and the rest after the ";" that ends it (outside quoted
// strings); ok is false for a piece without "=", which names nothing.
func nextParam(v string) (p rawParam, rest string, ok bool) {
	end := paramEnd(v)
	piece, rest := v[:end], ""
	if end < len(v) {
		rest = v[end+1:]
	}
	name, value, ok := strings.Cut(piece, "=")
	if !ok {
		return rawParam{}, rest, false
	}
	p.base, p.ext, p.star = strings.Cut(strings.TrimSpace(name), "*")
	p.value = strings.TrimSpace(value)
	return p, rest, true
}

// paramsShape describes how readers read the parameters of v, the value
// of field (a multipart Content-Type when multipart is set), differently,
// or returns "". A parameter given twice in one form makes Go's mime
// package (so go-message) refuse the whole field, where others take the
// first or the last; given plainly and in RFC 2231's form with different
// values, Python's email package takes the plain one, Go's the RFC 2231
// one. Readers pick a multipart's boundary differently whenever it is
// given more than once or in RFC 2231's form at all (boundaryShape). The
// parameters are read in place, without allocating, for a handful of them.
func paramsShape(v, field string, multipart bool) string {
	if !multipart && strings.Count(v, "=") < 2 {
		return "" // one parameter at most: ordinary mail ends here
	}
	_, rest, found := strings.Cut(v, ";")
	if !found {
		return ""
	}
	var buf [8]rawParam
	ps := buf[:0]
	for rest != "" {
		var p rawParam
		var ok bool
		if p, rest, ok = nextParam(rest); ok {
			ps = append(ps, p)
		}
	}
	for i, p := range ps {
		if slices.ContainsFunc(ps[:i], func(q rawParam) bool { return strings.EqualFold(q.base, p.base) }) {
			continue // its forms were judged at its first
		}
		isBoundary := multipart && strings.EqualFold(p.base, "boundary")
		plain, star, zeros, pieces := 0, 0, 0, 0
		for _, q := range ps[i:] {
			switch {
			case !strings.EqualFold(q.base, p.base):
			case !q.star:
				plain++
			case q.ext == "":
				star++
			default:
				pieces++
				if q.ext == "0" || q.ext == "0*" {
					zeros++
				}
			}
		}
		forms := plain + star + min(pieces, 1)
		switch {
		case isBoundary:
			if s := boundaryShape(ps[i:], forms, zeros); s != "" {
				return s
			}
		case plain > 1 || star > 1 || zeros > 1:
			return fmt.Sprintf("its %s gives the %s parameter more than once, and readers differ on which one counts (Go's mime package reads none of the field's parameters then)", field, strings.ToLower(p.base))
		case forms > 1 && !sameValues(ps[i:], p.base):
			return fmt.Sprintf("its %s gives the %s parameter both plainly and in RFC 2231's form, with different values, and readers differ on which one counts", field, strings.ToLower(p.base))
		}
	}
	return ""
}

// boundaryShape is paramsShape for the boundary of a multipart
// Content-Type: ps starts with its first form, of forms in all (RFC 2231
// pieces counted once), zeros of them pieces numbered 0.
func boundaryShape(ps []rawParam, forms, zeros int) string {
	switch {
	case forms > 1 || zeros > 1:
		return "its multipart Content-Type gives the boundary parameter more than once, and readers differ on which one splits the body"
	case ps[0].star:
		return "its multipart Content-Type gives the boundary in RFC 2231's form, which readers decode differently or not at all"
	}
	raw := ps[0].value
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

// sameValues reports whether every form of the parameter base in ps (a
// plain value, an RFC 2231 one, RFC 2231 pieces joined) reads as the same
// text once decoded; a form that cannot be decoded reads as no other.
func sameValues(ps []rawParam, base string) bool {
	var values, pieces []string
	for _, q := range ps {
		switch {
		case !strings.EqualFold(q.base, base):
		case !q.star:
			values = append(values, unquoteParam(q.value))
		case q.ext == "":
			values = append(values, decode2231(q.value))
		default:
			pieces = append(pieces, q.ext+"="+q.value)
		}
	}
	if len(pieces) > 0 {
		values = append(values, joinPieces(pieces))
	}
	for _, x := range values {
		if x != values[0] || x == "\x00" {
			return false
		}
	}
	return true
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

// base64Canonical reports whether data is one canonical base64 stream
// once white space (space, tab, CR, LF) is set aside: base64 characters,
// then at most two "=" completing the last group of four, as hashBase64
// accepts it. Every reader decodes such text alike; what else a reader
// does with base64 text differs from reader to reader.
func base64Canonical(data []byte) bool {
	total, pad := 0, 0
	for _, c := range data {
		switch base64Class[c] {
		case b64Char:
			if pad > 0 {
				return false
			}
			total++
		case b64Pad:
			pad++
			total++
		case b64Other:
			return false
		}
	}
	return total%4 == 0 && pad <= 2
}
