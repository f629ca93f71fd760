package provenance

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shapes of a MIME message that readers read differently though each
// reads it without error: a boundary parameter given twice or in RFC
// 2231's form, a boundary with white space at its end or a quoted-pair,
// a part header with two Content-Type, Content-Transfer-Encoding or
// Content-Disposition fields, base64 text that goes on after its padding.

// hiddenPart is a text part a reader that splits at the boundary "evil"
// shows, whole, with its delimiter lines.
const hiddenPart = "--evil\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n--evil--\r\n"

// A mimeShape is a message of delimiterMessage's made into a shape, and
// what the readers that disagree on it show.
type mimeShape struct {
	name   string
	single bool // the shape is of baseMessage's, a single text part, not of delimiterMessage's
	edit   func(msg []byte) []byte
	// other is set when the view's text is not the sender's: go-message,
	// whose reading it is, reads another boundary than the sender's, or
	// none, or the body is shown undecoded.
	other bool
}

// replaceOnce replaces old, which must occur in msg, once.
func replaceOnce(msg []byte, old, new string) []byte {
	if !bytes.Contains(msg, []byte(old)) {
		panic("replaceOnce: " + old + " not in the message")
	}
	return bytes.Replace(msg, []byte(old), []byte(new), 1)
}

// preamble puts s before the first delimiter line of msg.
func preamble(s string) func([]byte) []byte {
	return func(msg []byte) []byte {
		return replaceOnce(msg, "\r\n--"+testBoundary+"\r\n", "\r\n"+s+"--"+testBoundary+"\r\n")
	}
}

// withContentType sets the top-level Content-Type parameters of msg to
// params, and applies then.
func withContentType(params string, then func([]byte) []byte) func([]byte) []byte {
	return func(msg []byte) []byte {
		msg = replaceOnce(msg, "Content-Type: multipart/mixed; boundary=\""+testBoundary+"\"", "Content-Type: multipart/mixed; "+params)
		if then != nil {
			msg = then(msg)
		}
		return msg
	}
}

const attachmentHeader = "Content-Type: application/octet-stream; name=\"figures.pdf\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"figures.pdf\"\r\n"

// mimeShapes are the shapes, each built so that go-message's reading is
// the authentic message's and another reader's is not.
func mimeShapes() []mimeShape {
	b := testBoundary
	return []mimeShape{
		// The boundary parameter.
		{"two boundary parameters, the last one hiding a part", false, withContentType(`boundary="`+b+`"; boundary="evil"`, preamble(hiddenPart)), true},
		{"two boundary parameters, the first one hiding a part", false, withContentType(`boundary="evil"; boundary="`+b+`"`, preamble(hiddenPart)), true},
		{"boundary parameters in two cases", false, withContentType(`boundary="`+b+`"; BOUNDARY="evil"`, preamble(hiddenPart)), true},
		{"a plain boundary and an RFC 2231 one", false, withContentType(`boundary="`+b+`"; boundary*=us-ascii''evil`, preamble(hiddenPart)), true},
		{"an RFC 2231 boundary and a plain one", false, withContentType(`boundary*=us-ascii''%3D`+b[1:]+`; boundary="evil"`, preamble(hiddenPart)), false},
		{"a plain boundary and RFC 2231 continuations", false, withContentType(`boundary="evil"; boundary*0="`+b[:6]+`"; boundary*1="`+b[6:]+`"`, preamble(hiddenPart)), false},
		{"an RFC 2231 boundary without a charset", false, withContentType(`boundary*=''%3D`+b[1:], nil), true},
		{"an RFC 2231 boundary", false, withContentType(`boundary*=us-ascii''%3D`+b[1:], nil), false},
		{"RFC 2231 continuations", false, withContentType(`boundary*0="`+b[:6]+`"; boundary*1="`+b[6:]+`"`, nil), false},
		{"a boundary ending in a space", false, func(msg []byte) []byte {
			msg = bytes.ReplaceAll(msg, []byte("--"+b+"\r\n"), []byte("--"+b+" \r\n"))
			msg = bytes.ReplaceAll(msg, []byte("--"+b+"--\r\n"), []byte("--"+b+" --\r\n"))
			msg = withContentType(`boundary="`+b+` "`, nil)(msg)
			return replaceOnce(msg, "\r\n--"+b+" \r\n", "\r\n--"+b+"\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n--"+b+" \r\n")
		}, false},
		{"a boundary with a quoted-pair", false, withContentType(`boundary="`+b[:4]+`\`+b[4:]+`"`, preamble("--"+b[:4]+`\`+b[4:]+"\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n")), false},

		// Part headers.
		{"a part with two Content-Type fields", false, func(msg []byte) []byte {
			return replaceOnce(msg, attachmentHeader, attachmentHeader+"Content-Type: text/html; name=\"figures.html\"\r\n")
		}, false},
		{"a part with two Content-Transfer-Encoding fields", false, func(msg []byte) []byte {
			return replaceOnce(msg, attachmentHeader, attachmentHeader+"Content-Transfer-Encoding: quoted-printable\r\n")
		}, false},
		{"a part with two Content-Disposition fields", false, func(msg []byte) []byte {
			return replaceOnce(msg, attachmentHeader, attachmentHeader+"Content-Disposition: attachment; filename=\"wire.pdf\"\r\n")
		}, false},
		{"a part with a Content-Disposition field that names no file after one that does", false, func(msg []byte) []byte {
			return replaceOnce(msg, attachmentHeader, attachmentHeader+"Content-Disposition: inline\r\n")
		}, false},

		// Other parameters of a part or of a single part.
		{"a part's file name given twice", false, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Disposition: attachment; filename=\"figures.pdf\"", "Content-Disposition: attachment; filename=\"figures.pdf\"; filename=\"wire.pdf\"")
		}, false},
		{"a part's file name in RFC 2231's form and another plainly", false, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Disposition: attachment; filename=\"figures.pdf\"", "Content-Disposition: attachment; filename*=us-ascii''figures.pdf; filename=\"wire.pdf\"")
		}, false},
		{"a text part's charset given twice", false, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/plain; charset=\"us-ascii\"; charset=\"utf-16le\"")
		}, false},
		{"a single part's charset given twice", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/plain; charset=\"us-ascii\"; charset=\"utf-16le\"")
		}, false},
		{"a single part's charset plainly and in RFC 2231's form", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/plain; charset*=''utf-16le; charset=\"us-ascii\"")
		}, false},

		// A part header go-message cannot read: it lists no part from
		// there on, Python's email package shows the part's lines as text.
		{"a part whose header is a line of text", false, func(msg []byte) []byte {
			return replaceOnce(msg, closeLine, "--"+testBoundary+"\r\nWire the money today, no header here.\r\n"+closeLine)
		}, false},
		{"a part whose header has a line that is no field", false, func(msg []byte) []byte {
			return replaceOnce(msg, closeLine, "--"+testBoundary+"\r\nContent-Type: text/plain\r\nNo field here\r\n\r\nWire the money today.\r\n"+closeLine)
		}, false},

		// The message's own header.
		{"two top-level Content-Type fields", false, func(msg []byte) []byte {
			return replaceOnce(msg, "MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n")
		}, false},
		{"two top-level Content-Type fields, the other last", false, func(msg []byte) []byte {
			return replaceOnce(msg, "\r\n\r\n", "\r\nContent-Type: text/plain\r\n\r\n")
		}, false},
		{"two top-level Content-Transfer-Encoding fields", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n", "Content-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n")
		}, false},
		{"two top-level Content-Type fields over a single part", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n", "Content-Transfer-Encoding: 7bit\r\nContent-Type: text/html\r\n")
		}, false},

		// base64 past its padding.
		{"an attachment's base64 going on after its padding", false, func(msg []byte) []byte {
			return replaceOnce(msg, "JVBERi0xLjQgZmlndXJlcw==\r\n", "JVBERi0xLjQgZmlndXJlcw==\r\nV2lyZSB0aGUgbW9uZXku\r\n")
		}, false},
		{"a single part's base64 going on after its padding", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"+strings.ReplaceAll(adversarialBody, "\n", "\r\n"),
				"Content-Transfer-Encoding: base64\r\n\r\n"+b64(adversarialBody[:20])+"\r\n"+b64(adversarialBody[20:])+"\r\n")
		}, false},
		{"a text part's base64 going on after a stray byte", false, func(msg []byte) []byte {
			text := "Hello Bob,\r\n\r\nthe figures are attached. \r\n" // whole groups of three bytes: no padding
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\nHello Bob,\r\n\r\nthe figures are attached.\r\n",
				"Content-Transfer-Encoding: base64\r\n\r\n"+b64(text)+"\r\n.\r\n"+b64("Wire the money today.")+"\r\n")
		}, false},
		// A transfer encoding that is no name of RFC 2045's as written:
		// go-message and Python's email package show the bytes
		// undecoded, readers that take its first word decode them.
		{"a single part's transfer encoding with a comment", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"+strings.ReplaceAll(adversarialBody, "\n", "\r\n"),
				"Content-Transfer-Encoding: base64 (encoded)\r\n\r\n"+b64(adversarialBody)+"\r\n")
		}, false},
		{"a single part's transfer encoding with a parameter", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"+strings.ReplaceAll(adversarialBody, "\n", "\r\n"),
				"Content-Transfer-Encoding: quoted-printable; x=1\r\n\r\n"+strings.ReplaceAll(adversarialBody, "\n", "=0A=\r\n"))
		}, false},
		{"a text part's transfer encoding with a comment", false, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\nHello Bob,\r\n\r\nthe figures are attached.\r\n",
				"Content-Transfer-Encoding: base64 (encoded)\r\n\r\n"+b64("Hello Bob,\r\n\r\nthe figures are attached.\r\n")+"\r\n")
		}, true},
		{"an attachment's base64 with a stray byte at its end", false, func(msg []byte) []byte {
			return replaceOnce(msg, "JVBERi0xLjQgZmlndXJlcw==\r\n", "JVBERi0xLjQgZmlndXJlcw==\r\n.\r\n")
		}, false},
		{"a single part's base64 going on after a stray byte", true, func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"+strings.ReplaceAll(adversarialBody, "\n", "\r\n"),
				"Content-Transfer-Encoding: base64\r\n\r\n"+b64(adversarialBody[:21])+"\r\n*\r\n"+b64(adversarialBody[21:])+"\r\n")
		}, true},
		{"an attachment's base64 with text after its padding", false, func(msg []byte) []byte {
			return replaceOnce(msg, "JVBERi0xLjQgZmlndXJlcw==\r\n", "JVBERi0xLjQgZmlndXJlcw==\r\nWire the money today.\r\n")
		}, false},
	}
}

// TestMIMEShapesCopyNotCorroborated: an unsigned copy of an authentic
// message made into a shape readers read differently is never
// corroborated by the authentic copy, whichever reading hides the change.
func TestMIMEShapesCopyNotCorroborated(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	for _, sh := range mimeShapes() {
		msg := sh.base()
		orig := signRaw(t, msg, "rsa2048", o)
		forged := sh.edit(bytes.Clone(msg))
		require.NotEqual(t, msg, forged, sh.name)
		a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, sh.name+": the forged copy", false)
		codes := codesOf(b)
		assert.True(t, slices.Contains(codes, "coverage.mime_ambiguous") || slices.Contains(codes, "header.duplicate_mime_field"), "%s (%v)", sh.name, codes)
	}
}

// TestMIMEShapesSigned: a message the sender signed in such a shape, every
// instance of its fields, is not altered, evidence says that readers read
// it differently, and its text is read.
func TestMIMEShapesSigned(t *testing.T) {
	c := testChecker()
	mime := []string{"content-type", "content-transfer-encoding", "content-disposition"}
	o := &testmail.SignOptions{Headers: slices.Concat(testmail.DefaultHeaders(), mime, mime, []string{"mime-version"})}
	for _, sh := range mimeShapes() {
		stored := signRaw(t, sh.edit(sh.base()), "rsa2048", o)
		s := readerSees(t, c, asEML(stored))
		assert.NotEqual(t, VerdictAltered, s.verdict, "%s (%v)", sh.name, s)
		assert.True(t, slices.Contains(s.codes, "coverage.mime_ambiguous") || slices.Contains(s.codes, "header.duplicate_mime_field"), "%s (%v)", sh.name, s.codes)
		switch {
		case sh.other:
		case sh.single:
			assert.Contains(t, s.text, "Please wire the deposit", "%s", sh.name)
		default:
			assert.Contains(t, s.text, "the figures are attached.", "%s", sh.name)
		}
	}
}

// base returns the message the shape is made of.
func (sh mimeShape) base() []byte {
	if sh.single {
		return baseMessage().Bytes()
	}
	return delimiterMessage().Bytes()
}

// b64 is s in base64, padded.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestPropertyMIMEShapesKeepCopiesApart generates multipart messages and
// makes each into a shape readers read differently, at random: the
// boundary parameter in two to four forms (plain, RFC 2231 whole or in
// pieces, its name in any case, in any order) or in one RFC 2231 form, a
// quoted boundary with white space at an end, a part header with a
// second Content-Type, Content-Transfer-Encoding or Content-Disposition
// field of another value anywhere in it, a line that is no header field
// anywhere in a part header, or an attachment's base64 going on after its
// padding. Signed, such a message is not altered and
// coverage.mime_ambiguous names the shape; an unsigned copy of the signed
// twin in that shape is never corroborated by it. And the ways of
// writing a message that all readers read alike (spaces around "=", the
// parameter name's case, a part field given twice with one value) are
// not flagged, read as the twin and corroborated by it.
func TestPropertyMIMEShapesKeepCopiesApart(t *testing.T) {
	c := testChecker()
	r := rand.New(rand.NewPCG(28, 0x2231))
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	b := testBoundary
	ctLine := "Content-Type: multipart/mixed; boundary=\"" + b + "\""
	caseOf := func(s string) string { // s in a random mix of cases
		out := []byte(s)
		for i := range out {
			if r.IntN(2) == 0 {
				out[i] = strings.ToUpper(string(out[i]))[0]
			}
		}
		return string(out)
	}
	boundaryForms := func() []string {
		cut := 1 + r.IntN(len(b)-1)
		return []string{
			caseOf("boundary") + `="` + b + `"`,
			caseOf("boundary") + `="other_` + b[1:] + `"`,
			caseOf("boundary") + `*=us-ascii''%3D` + b[1:],
			caseOf("boundary") + `*0="` + b[:cut] + `"; ` + caseOf("boundary") + `*1="` + b[cut:] + `"`,
		}
	}
	withParams := func(msg []byte, params ...string) []byte {
		return replaceOnce(msg, ctLine, "Content-Type: multipart/mixed; "+strings.Join(params, "; "))
	}
	// partHeaders returns where each part's header starts and ends in msg.
	partHeaders := func(msg []byte) (spans [][2]int) {
		delim := []byte("\r\n--" + b + "\r\n")
		for at := 0; ; {
			j := bytes.Index(msg[at:], delim)
			if j < 0 {
				return spans
			}
			at += j + len(delim)
			spans = append(spans, [2]int{at, at + bytes.Index(msg[at:], []byte("\r\n\r\n")) + 2})
		}
	}
	// insertField puts field as the header's k-th line, at random.
	insertField := func(msg []byte, span [2]int, field string) []byte {
		lines := bytes.SplitAfter(msg[span[0]:span[1]], []byte("\r\n"))
		lines = lines[:len(lines)-1] // the empty string after the last CRLF
		k := r.IntN(len(lines) + 1)
		lines = slices.Insert(lines, k, []byte(field+"\r\n"))
		return slices.Concat(msg[:span[0]], bytes.Join(lines, nil), msg[span[1]:])
	}
	for i := range 40 {
		m := testmail.Message{Subject: fmt.Sprintf("Figures %d", i), Body: generatedBody(r, unescapedLines, 1, 5)}
		for k := range 1 + r.IntN(3) {
			data := make([]byte, 1+3*r.IntN(200)) // one byte past whole groups: padded
			for j := range data {
				data[j] = byte(r.IntN(256))
			}
			m.Attachments = append(m.Attachments, testmail.Attachment{Name: fmt.Sprintf("f%d-%d.bin", i, k), Data: data})
		}
		twin := m.Bytes()
		signedTwin := signRaw(t, twin, "rsa2048", o)
		tw := readerSees(t, c, asEML(signedTwin))
		require.NotContains(t, tw.codes, "coverage.mime_ambiguous", "message %d: the twin", i)
		spans := partHeaders(twin)

		// A shape readers read differently.
		var shaped []byte
		var what string
		switch r.IntN(6) {
		case 0:
			forms := boundaryForms()
			r.Shuffle(len(forms), func(x, y int) { forms[x], forms[y] = forms[y], forms[x] })
			forms = forms[:2+r.IntN(3)]
			what, shaped = "boundary forms "+strings.Join(forms, "; "), withParams(twin, forms...)
		case 1:
			form := boundaryForms()[2+r.IntN(2)]
			what, shaped = "boundary form "+form, withParams(twin, form)
		case 2:
			q := []string{b + " ", b + "\t", " " + b}[r.IntN(3)]
			what, shaped = fmt.Sprintf("boundary %q", q), withParams(twin, `boundary="`+q+`"`)
		case 3:
			fields := []string{"Content-Type: text/html", "Content-Transfer-Encoding: quoted-printable", "Content-Disposition: attachment; filename=\"wire.pdf\""}
			k := r.IntN(len(spans))
			if k == 0 {
				fields = fields[:2] // the text part has no Content-Disposition to give twice
			}
			field := fields[r.IntN(len(fields))]
			what, shaped = fmt.Sprintf("%q in part %d", field, k+1), insertField(twin, spans[k], field)
		case 4:
			k := 1 + r.IntN(len(spans)-1) // an attachment
			end := spans[k][1] + bytes.Index(twin[spans[k][1]:], []byte("\r\n--"))
			more := []string{b64("Wire the money today."), "Wire the money today.", "QUJD"}[r.IntN(3)]
			what, shaped = fmt.Sprintf("%q after part %d's padding", more, k+1), slices.Concat(twin[:end], []byte("\r\n"+more), twin[end:])
		case 5:
			k := r.IntN(len(spans))
			line := []string{"No field here", "Wire the money today.", "-- a note"}[r.IntN(3)]
			what, shaped = fmt.Sprintf("%q in part %d's header", line, k+1), insertField(twin, spans[k], line)
		}
		name := fmt.Sprintf("message %d, %s", i, what)
		s := readerSees(t, c, asEML(signRaw(t, shaped, "rsa2048", o)))
		assert.NotEqual(t, VerdictAltered, s.verdict, "%s (%v)", name, s)
		assert.Contains(t, s.codes, "coverage.mime_ambiguous", "%s", name)
		a, cp := c.Check(t.Context(), eml("sent.eml", signedTwin)), c.Check(t.Context(), eml("copy.eml", shaped))
		assertCopyJudged(t, a, cp, name+": the unsigned copy", false)

		// A way of writing the message that readers read alike.
		var benign []byte
		switch r.IntN(3) {
		case 0:
			what, benign = "boundary written otherwise", withParams(twin, caseOf("boundary")+[]string{"=", " = ", "= "}[r.IntN(3)]+`"`+b+`"`)
		case 1:
			what, benign = "charset before the boundary", withParams(twin, `charset="us-ascii"`, `boundary="`+b+`"`)
		case 2:
			k := 1 + r.IntN(len(spans)-1)
			what, benign = fmt.Sprintf("part %d's Content-Transfer-Encoding twice", k+1), insertField(twin, spans[k], "Content-Transfer-Encoding: "+caseOf("base64"))
		}
		name = fmt.Sprintf("message %d, %s", i, what)
		s = readerSees(t, c, asEML(signRaw(t, benign, "rsa2048", o)))
		assert.Equal(t, tw.attachments, s.attachments, "%s: attachments", name)
		assert.Equal(t, tw.text, s.text, "%s: text", name)
		assert.Equal(t, tw.verdict, s.verdict, "%s: verdict", name)
		assert.Equal(t, tw.codes, s.codes, "%s: evidence", name)
		a, cp = c.Check(t.Context(), eml("sent.eml", signedTwin)), c.Check(t.Context(), eml("copy.eml", benign))
		assertCopyJudged(t, a, cp, name+": the unsigned copy", true)
	}
}

// An authentic message whose multipart Content-Type go-message cannot
// read (an unquoted boundary with "=" in it, which some mailers write)
// shows no part in go-message's reading, so its view held no text or
// attachment: an unsigned copy with other parts showed the same, though
// lenient readers (Python's email package) show its parts. Its view now
// holds the body bytes, so such a copy conflicts, and one with the same
// bytes is still corroborated.
func TestUnreadableMultipartCopyNotCorroborated(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	msg := withContentType("boundary="+testBoundary, nil)(delimiterMessage().Bytes())
	orig := signRaw(t, msg, "rsa2048", o)
	s := readerSees(t, c, asEML(orig))
	require.Equal(t, VerdictAuthentic, s.verdict, "%v", s)
	assert.Contains(t, s.codes, "coverage.mime_ambiguous")
	for _, tc := range []struct {
		name         string
		copy         []byte
		corroborated bool
	}{
		{"the text changed", replaceOnce(msg, "the figures are attached.", "wire the money today."), false},
		{"an attachment changed", replaceOnce(msg, "JVBERi0xLjQgZmlndXJlcw==", "V2lyZSB0aGUgbW9uZXku"), false},
		{"the same bytes", msg, true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// A copy that relabels a text part, or a single-part body, as text/html
// (or another text type) shows its bytes otherwise: a client renders the
// markup, hiding "<...>" and joining lines. Its view differs, so it is not
// corroborated; the same copy is.
func TestTextRelabelledNotCorroborated(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	multi, single := delimiterMessage().Bytes(), baseMessage().Bytes()
	for _, tc := range []struct {
		name         string
		orig, copy   []byte
		corroborated bool
	}{
		{"a text part relabelled text/html", multi, replaceOnce(multi, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/html; charset=\"us-ascii\""), false},
		{"a text part relabelled text/enriched", multi, replaceOnce(multi, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/enriched"), false},
		{"a single part relabelled text/html", single, replaceOnce(single, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: text/html; charset=\"us-ascii\""), false},
		{"a text part's type in capitals", multi, replaceOnce(multi, "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: TEXT/PLAIN; charset=\"us-ascii\""), true},
		{"a single part without a Content-Type", single, replaceOnce(single, "Content-Type: text/plain; charset=\"us-ascii\"\r\n", ""), true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}
