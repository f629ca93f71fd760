package provenance

// How the body's bytes decode: the transfer encodings (base64,
// quoted-printable) and the charsets the MIME fit check reads them with.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// isBase64Byte reports whether c is in the base64 alphabet.
func isBase64Byte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// nonBase64 returns the offset of the first byte of body that base64 text
// cannot hold (white space aside), or -1. Padding is accepted anywhere:
// some encoders write each line as a chunk of its own, and clients decode
// them all.
func nonBase64(body []byte) int {
	for i, c := range body {
		if !isBase64Byte(c) && c != '=' && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return i
		}
	}
	return -1
}

// decodeBase64 decodes base64 text that nonBase64 accepted, leniently
// about padding, as mail clients do. With limit >= 0 it stops once limit
// bytes are decoded: the output is a prefix of the whole decoding, which
// the caller cuts to limit.
func decodeBase64(body []byte, limit int) []byte {
	size := len(body) / 4 * 3
	if limit >= 0 {
		size = min(size, limit+2)
	}
	out := make([]byte, 0, size)
	var acc, n uint
	for _, c := range body {
		if limit >= 0 && len(out) >= limit {
			break
		}
		var v byte
		switch {
		case 'A' <= c && c <= 'Z':
			v = c - 'A'
		case 'a' <= c && c <= 'z':
			v = c - 'a' + 26
		case '0' <= c && c <= '9':
			v = c - '0' + 52
		case c == '+':
			v = 62
		case c == '/':
			v = 63
		case c == '=':
			acc, n = 0, 0 // the end of a chunk
			continue
		default:
			continue
		}
		acc, n = acc<<6|uint(v), n+6
		if n >= 8 {
			n -= 8
			out = append(out, byte(acc>>n))
			acc &= 1<<n - 1
		}
	}
	if len(out) == 0 {
		return nil // nothing decoded: no text, as for a body that is not base64
	}
	return out
}

// scanQP decodes quoted-printable text leniently, as mail clients do,
// appending to out (only counting when emit is false): an "=" that is
// neither an escape nor a soft line break stays as it is. It counts the
// escapes ("=" and two hex digits), the soft line breaks and the "="
// signs that escape nothing (stray). With limit >= 0 it stops once limit
// bytes are decoded (the counts are then of the text read so far): the
// output is a prefix of the whole decoding, which the caller cuts to
// limit.
func scanQP(body, out []byte, emit bool, limit int) (_ []byte, escapes, soft, stray int) {
	for i := 0; i < len(body); i++ {
		if limit >= 0 && len(out) >= limit {
			break
		}
		c := body[i]
		if c != '=' {
			if emit {
				out = append(out, c)
			}
			continue
		}
		if i+2 < len(body) && isHex(body[i+1]) && isHex(body[i+2]) {
			if emit {
				out = append(out, unhex(body[i+1])<<4|unhex(body[i+2]))
			}
			escapes++
			i += 2
			continue
		}
		// A soft line break: "=", optional white space, then the line end
		// (or the end of the body).
		j := i + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
			j++
		}
		switch {
		case j == len(body):
			soft++
			i = j - 1
		case body[j] == '\n':
			soft++
			i = j
		case body[j] == '\r' && j+1 < len(body) && body[j+1] == '\n':
			soft++
			i = j + 1
		default:
			if emit {
				out = append(out, c)
			}
			stray++
		}
	}
	return out, escapes, soft, stray
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// charsetMisfit says why the charset label cs does not fit text (the body
// after its transfer encoding is undone), or "".
func charsetMisfit(cs string, text []byte) string {
	label := strings.ToLower(strings.TrimSpace(cs))
	ascii := isASCII(text)
	switch {
	case label == "":
		return ""
	case label == "utf-8" || label == "utf8":
		if !utf8.Valid(text) {
			return fmt.Sprintf("its charset %q does not decode the body, which is not valid UTF-8, so a mail client shows replacement characters where the sender's text was", cs)
		}
		return ""
	case isASCIILabel(label):
		// us-ascii over 8-bit bytes is common and shows the bytes much as
		// any 8-bit reading would: nothing shows another reading was meant.
		return ""
	case isUTF7Label(label):
		switch {
		case ascii && hasUTF7Shift(text):
			return fmt.Sprintf("its charset %q reads the body's plain ASCII text as other characters (a \"+\" starts an encoded run)", cs)
		case !ascii && utf8.Valid(text):
			return fmt.Sprintf("the body is UTF-8 text, which its charset %q shows as other characters", cs)
		}
		return ""
	}
	if ebcdicOrWide(label) {
		// EBCDIC code pages and UTF-32 read ASCII bytes as other text;
		// Go's tables know few of their names.
		if ascii || utf8.Valid(text) {
			return fmt.Sprintf("its charset %q reads the body's text as other characters (or none a reader can read)", cs)
		}
		return ""
	}
	enc := lookupCharset(label)
	if enc == nil {
		return ""
	}
	if ascii {
		if bytes.IndexByte(text, 0x1b) >= 0 {
			return "" // ISO-2022 text is 7-bit with escape sequences
		}
		if readsASCII(label, enc) {
			return "" // the common case, found without decoding the body
		}
		if got, err := enc.NewDecoder().Bytes(text); err != nil || !bytes.Equal(got, text) {
			return fmt.Sprintf("its charset %q reads the body's plain ASCII text as other characters", cs)
		}
		return ""
	}
	if utf8.Valid(text) {
		return fmt.Sprintf("the body is UTF-8 text, which its charset %q shows as other characters", cs)
	}
	return ""
}

// ebcdicOrWide reports whether label names an EBCDIC code page or a
// 32-bit Unicode encoding: charsets under which no ASCII byte reads as
// itself.
func ebcdicOrWide(label string) bool {
	switch label {
	case "utf-32", "utf32", "utf-32be", "utf-32le", "ucs-4", "ucs4", "iso-10646-ucs-4", "csucs4":
		return true
	}
	if strings.Contains(label, "ebcdic") {
		return true
	}
	n := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(label, "ibm"), "cp"), "csibm"), "-0")
	switch n {
	case "37", "273", "277", "278", "280", "284", "285", "290", "297", "420", "423", "424", "500", "870", "871", "875", "880", "905", "1025", "1026", "1047",
		"1140", "1141", "1142", "1143", "1144", "1145", "1146", "1147", "1148", "1149":
		return label != n // only with an ibm or cp prefix
	}
	return false
}

// asciiProbe holds every 7-bit byte but the ISO-2022 escape.
var asciiProbe = func() []byte {
	var b []byte
	for c := range byte(0x80) {
		if c != 0x1b {
			b = append(b, c)
		}
	}
	return b
}()

// asciiCompatible reports whether enc reads every 7-bit byte (the escape
// aside) as itself, so that plain ASCII text reads the same under it.
func asciiCompatible(enc encoding.Encoding) bool {
	got, err := enc.NewDecoder().Bytes(asciiProbe)
	return err == nil && bytes.Equal(got, asciiProbe)
}

// asciiReaders caches readsASCII by charset label; only labels
// lookupCharset knows are kept, so it stays small.
var asciiReaders sync.Map

// readsASCII is asciiCompatible for enc, the charset named label, decided
// once per label: charsetMisfit and decodeText ask it of every 7-bit body
// whose charset is not UTF-8 or US-ASCII.
func readsASCII(label string, enc encoding.Encoding) bool {
	if ok, found := asciiReaders.Load(label); found {
		return ok.(bool)
	}
	ok := asciiCompatible(enc)
	asciiReaders.Store(label, ok)
	return ok
}

// lookupCharset returns the decoder a mail client would use for label:
// the WHATWG name first (what browsers and Thunderbird use, mapping
// ISO-8859-1 to Windows-1252), then the IANA registry. It returns nil for
// a label neither knows, and for the WHATWG "replacement" encoding (which
// stands for charsets browsers refuse, not for a reading of the bytes).
func lookupCharset(label string) encoding.Encoding {
	if e, err := htmlindex.Get(label); err == nil {
		if name, _ := htmlindex.Name(e); name == "replacement" {
			return nil
		}
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(label); err == nil && e != nil {
			return e
		}
	}
	return nil
}

// isASCIILabel reports whether label names US-ASCII.
func isASCIILabel(label string) bool {
	switch label {
	case "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "iso-ir-6", "cp367", "ibm367", "csascii":
		return true
	}
	return false
}

// hasUTF7Shift reports whether text holds a UTF-7 shift ("+" then a base64
// character or "-"), which UTF-7 reads differently from ASCII.
func hasUTF7Shift(text []byte) bool {
	for i := 0; i+1 < len(text); i++ {
		if text[i] == '+' && (isBase64Byte(text[i+1]) || text[i+1] == '-') {
			return true
		}
	}
	return false
}

// isASCII reports whether b holds only 7-bit bytes. It tests eight bytes
// at a time: it runs over every text body.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// isUTF7Label reports whether label names UTF-7.
func isUTF7Label(label string) bool {
	switch label {
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7":
		return true
	}
	return false
}
