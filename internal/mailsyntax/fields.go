package mailsyntax

import (
	"errors"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// DecodeWords decodes the RFC 2047 encoded words in an unstructured field
// value such as a Subject or a From, in any charset golang.org/x/text
// knows (by its IANA or WHATWG name: ISO-2022-JP, Shift_JIS, KOI8-R,
// windows-1251, GB2312, Big5 and the rest) and UTF-7, as a mail client
// shows them. A value with a word in a charset it does not know, or
// anything malformed, is kept as written, whole: a reader of the report
// then sees what is there rather than a guess.
func DecodeWords(s string) string {
	d := mime.WordDecoder{CharsetReader: knownCharsetReader}
	out, err := d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// maxMessageIDs caps the identifiers MessageIDs returns: a References field
// of a long thread holds tens, a hostile one could hold millions.
const maxMessageIDs = 1000

// MessageIDs returns the identifiers of an In-Reply-To or References value
// (RFC 5322 §3.6.4), each without its angle brackets and trimmed, in order:
// the text between each '<' and the next '>'. Text outside brackets (the
// comments and phrases obsolete syntax allows) is skipped, an empty or
// unclosed pair gives nothing, and at most 1000 are returned. A value with
// no brackets at all that is one word (no space, ">" or parenthesis) is
// taken whole, as MessageID takes it; other text without brackets gives
// none.
func MessageIDs(v string) []string {
	ids := []string{}
	v = strings.TrimSpace(v)
	if !strings.ContainsRune(v, '<') {
		if v != "" && !strings.ContainsAny(v, " \t>()") {
			ids = append(ids, v)
		}
		return ids
	}
	for len(ids) < maxMessageIDs {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		v = v[i+1:]
		j := strings.IndexAny(v, "<>")
		if j < 0 {
			break
		}
		if v[j] == '<' {
			// "<a <b>": the first pair never closed.
			v = v[j:]
			continue
		}
		if id := strings.TrimSpace(v[:j]); id != "" {
			ids = append(ids, id)
		}
		v = v[j+1:]
	}
	return ids
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

// errUnknownCharset refuses an encoded word in a charset DecodeWords does
// not know.
var errUnknownCharset = errors.New("mailsyntax: unknown charset")

// knownCharsetReader decodes the charsets decodeKnownCharset knows, the
// value's words up to maxFromLen bytes each, and refuses any other, and
// those the WHATWG maps to its "replacement" encoding (ISO-2022-KR,
// HZ-GB-2312 and the like), which would read every word as one U+FFFD.
func knownCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(charset)), "*")
	if e, err := htmlindex.Get(name); err == nil {
		if n, _ := htmlindex.Name(e); n == "replacement" {
			return nil, errUnknownCharset
		}
	}
	r, ok, err := decodeKnownCharset(charset, io.LimitReader(input, maxFromLen))
	if !ok {
		return nil, errUnknownCharset
	}
	return r, err
}
