package provenance

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/require"
)

// noBoundaryPart is a part a forger puts before what it adds: a nested
// multipart with no boundary parameter, which neither walk over the bytes
// can split, and which go-message reads as no text.
const noBoundaryPart = "--" + testBoundary + "\r\nContent-Type: multipart/alternative\r\n\r\n\r\n"

// truncatedInner is a nested multipart whose only part header runs to
// the end of the nested body.
const truncatedInner = "--" + testBoundary + "\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n"

// TestWalkGiveUpCopyNotCorroborated: a copy where a shape that stops
// both walks over the bytes comes before a shape readers read
// differently is not corroborated by the authentic message.
func TestWalkGiveUpCopyNotCorroborated(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := delimiterMessage().Bytes()
	signed := signRaw(t, orig, "rsa2048", o)
	noField := "--" + testBoundary + "\r\nContent-Type: text/plain\r\nNo field here\r\n\r\nWire the money today.\r\n"
	evil := "--" + testBoundary + "\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n"
	// deep nests a text part in more multiparts than the walks read.
	deep := func(n int) string {
		var open, shut string
		for i := range n {
			b := fmt.Sprintf("deep%d", i)
			open += "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b + "\r\n"
			shut = "\r\n--" + b + "--\r\n" + shut
		}
		return "--" + testBoundary + "\r\n" + open + "Content-Type: text/plain\r\n\r\nWire the money today." + shut
	}
	// empty parts: n nested multiparts of no part, which show nothing.
	empty := func(n int) string {
		return strings.Repeat("--"+testBoundary+"\r\nContent-Type: multipart/mixed; boundary=\"e\"\r\n\r\n--e--\r\n", n)
	}
	for _, tc := range []struct{ name, stop, tail string }{
		{"a part with a line that is no field after a multipart with no boundary", noBoundaryPart, noField},
		{"a part with a line that is no field after a truncated nested multipart", truncatedInner, noField},
		{"a text part nested past the depth the walks read", "", deep(maxMIMEDepth + 1)},
		{"a text part after more parts than the walks read", empty(maxMIMEParts), evil},
	} {
		forged := replaceOnce(bytes.Clone(orig), closeLine, tc.stop+tc.tail+closeLine)
		a, b := c.Check(t.Context(), eml("sent.eml", signed)), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, tc.name, false)
	}
}

// TestWalkGiveUpCopyHarmless: a message the walks stop reading, or read
// only up to their caps, corroborates an unsigned copy with LF line
// endings and ">From " escaping, stored in an mbox after a blank line: the
// body's bytes its view holds are compared as the format defines them,
// without the line breaks at their end.
func TestWalkGiveUpCopyHarmless(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := delimiterMessage().Bytes()
	empty := strings.Repeat("--"+testBoundary+"\r\nContent-Type: multipart/mixed; boundary=\"e\"\r\n\r\n--e--\r\n", maxMIMEParts)
	for _, tc := range []struct{ name, tail string }{
		{"a multipart with no boundary", noBoundaryPart},
		{"more parts than the walks read", empty + "--" + testBoundary + "\r\nContent-Type: text/plain\r\n\r\nFrom the figures.\r\n"},
	} {
		msg := replaceOnce(bytes.Clone(orig), closeLine, tc.tail+closeLine)
		sent := signRaw(t, msg, "rsa2048", o)
		lf := bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
		box := slices.Concat([]byte("From alice@example.com Tue Mar  1 10:00:00 2016\n"), bytes.ReplaceAll(lf, []byte("\nFrom "), []byte("\n>From ")), []byte("\n"))
		var copied *archive.Message
		for m := range archive.Walk(t.Context(), writeTemp(t, "inbox.mbox", box), nil) {
			copied = m
		}
		a, b := c.Check(t.Context(), eml("sent.eml", sent)), c.Check(t.Context(), copied)
		assertCopyJudged(t, a, b, tc.name, true)
	}
}

// writeTemp writes data to a file named name in a test directory and
// returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// TestViewCharsetRelabels: a copy whose body's charset label is changed
// to one under which a mail client reads the bytes as other text (UTF-7
// over a "+" shift, an EBCDIC code page, UTF-32, an unknown label over
// 8-bit text) is not corroborated, though this package cannot decode the
// label; a legacy charset it can decode (HZ, UTF-32) reads as the same
// text re-encoded in UTF-8, and a label that reads the text as it is
// (UTF-7 over ASCII without a shift) changes nothing.
func TestViewCharsetRelabels(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	msg := func(charset, cte, body string) []byte {
		return []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Review\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <review@example.com>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=" + charset + "\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + body)
	}
	const ascii = "The C++ review: 2+2=4, as agreed.\r\n"
	const latin = "Grüße aus Köln.\r\n"
	utf32 := func(s string) string { // UTF-32BE, base64
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
		return base64.StdEncoding.EncodeToString(b) + "\r\n"
	}
	for _, tc := range []struct {
		name         string
		orig, copy   []byte
		corroborated bool
	}{
		{"ASCII relabelled UTF-7, over a shift", msg("us-ascii", "7bit", ascii), msg("utf-7", "7bit", ascii), false},
		{"ASCII relabelled UTF-7, no shift", msg("us-ascii", "7bit", "Plain words.\r\n"), msg("utf-7", "7bit", "Plain words.\r\n"), true},
		{"ASCII relabelled ibm273", msg("us-ascii", "7bit", ascii), msg("ibm273", "7bit", ascii), false},
		{"ASCII relabelled ibm500", msg("us-ascii", "7bit", ascii), msg("ibm500", "7bit", ascii), false},
		{"ASCII relabelled cp1140", msg("us-ascii", "7bit", ascii), msg("cp1140", "7bit", ascii), false},
		{"ASCII relabelled UTF-32", msg("us-ascii", "7bit", ascii), msg("utf-32", "7bit", ascii), false},
		{"UTF-8 relabelled with an unknown charset", msg("utf-8", "8bit", latin), msg("x-unknown", "8bit", latin), false},
		{"UTF-8 relabelled ibm273", msg("utf-8", "8bit", latin), msg("ibm273", "8bit", latin), false},
		{"a text part relabelled ibm273", delimiterMessage().Bytes(), replaceOnce(delimiterMessage().Bytes(), `charset="us-ascii"`, `charset="ibm273"`), false},
		{"a text part relabelled UTF-7, no shift", delimiterMessage().Bytes(), replaceOnce(delimiterMessage().Bytes(), `charset="us-ascii"`, `charset="utf-7"`), true},
		{"HZ converted to UTF-8", msg("hz-gb-2312", "7bit", "~{<:Ky~}\r\n"), msg("utf-8", "8bit", "己所\r\n"), true},
		{"UTF-32 converted to UTF-8", msg("utf-32be", "base64", utf32(latin)), msg("utf-8", "8bit", latin), true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// TestViewMultipartStructure: a copy that relabels a multipart container
// (mixed as alternative, which a client shows one part of, or as related
// with a start part) or moves a part into another container shows other
// parts than the authentic message and is not corroborated; the same
// structure under another boundary is.
func TestViewMultipartStructure(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	hdr := "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Deposit\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <deposit@example.com>\r\nMIME-Version: 1.0\r\n"
	part := func(b, text string) string {
		return "--" + b + "\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n"
	}
	const first, second, third = "Do not wire the deposit before the contract is signed.", "Please wire the deposit.", "Alice"
	inner := func(sub string, parts ...string) string {
		s := "--a\r\nContent-Type: multipart/" + sub + "; boundary=b\r\n\r\n"
		for _, p := range parts {
			s += part("b", p)
		}
		return s + "--b--\r\n"
	}
	orig := hdr + "Content-Type: multipart/mixed; boundary=a\r\n\r\n" + inner("mixed", first, second) + part("a", third) + "--a--\r\n"
	for _, tc := range []struct {
		name         string
		copy         string
		corroborated bool
	}{
		{"the same structure under other boundaries", strings.NewReplacer("boundary=a", "boundary=x1", "--a", "--x1", "boundary=b", "boundary=y2", "--b", "--y2").Replace(orig), true},
		{"the inner mixed relabelled alternative", strings.Replace(orig, "multipart/mixed; boundary=b", "multipart/alternative; boundary=b", 1), false},
		{"the outer mixed relabelled related with a start", strings.Replace(orig, "multipart/mixed; boundary=a", "multipart/related; start=\"<x@y>\"; boundary=a", 1), false},
		{"the last part moved into the inner container", hdr + "Content-Type: multipart/mixed; boundary=a\r\n\r\n" + inner("mixed", first, second, third) + "--a--\r\n", false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, []byte(orig), "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", []byte(tc.copy)))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// headerOddLines are header lines some readers (Python's email package)
// end the header at, showing them and the fields after them as the body:
// no colon, a space or an 8-bit byte before the colon, a folded name, and
// a lone CR, at which some clients start a new line.
var headerOddLines = []string{"Wire the money today", "X-Note : Wire the money today", "X-\xe9: Wire the money today", "X-Note\r\n : Wire the money today", "X-Note: a\rWire the money today"}

// TestViewHeaderReadOtherwise: a copy of an authentic message with a
// header line some readers end the header at is not corroborated; two
// copies with the same odd line, one with a trace field added above it,
// read the same.
func TestViewHeaderReadOtherwise(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := baseMessage().Bytes()
	signed := signRaw(t, orig, "rsa2048", o)
	for _, line := range headerOddLines {
		for _, at := range []string{"Subject:", "MIME-Version:"} {
			forged := replaceOnce(bytes.Clone(orig), at, line+"\r\n"+at)
			a, b := c.Check(t.Context(), eml("sent.eml", signed)), c.Check(t.Context(), eml("copy.eml", forged))
			assertCopyJudged(t, a, b, fmt.Sprintf("%q before %s", line, at), false)
		}
	}
	odd := replaceOnce(bytes.Clone(orig), "Subject:", "X-Note : sent from my phone\r\nSubject:")
	relayed := slices.Concat([]byte("Received: from relay.example.net by mx.example.org; Tue, 1 Mar 2016 10:00:05 +0000\r\n"), odd)
	a, b := c.Check(t.Context(), eml("sent.eml", odd)), c.Check(t.Context(), eml("copy.eml", relayed))
	require.NotNil(t, a.view)
	require.NotNil(t, b.view)
	require.Equal(t, a.view.whole, b.view.whole, "the same odd line, a trace field above it")
	plain := c.Check(t.Context(), eml("plain.eml", orig))
	require.NotEqual(t, a.view.whole, plain.view.whole, "the odd line added")
}

// TestHeaderOddLineNotAuthentic: a signed message with such a line added
// below the signed fields, unsigned, is not authentic: the signature
// does not prove the text those readers show as the body's start.
func TestHeaderOddLineNotAuthentic(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	signed := signRaw(t, baseMessage().Bytes(), "rsa2048", o)
	for _, line := range headerOddLines {
		stored := replaceOnce(bytes.Clone(signed), "\r\n\r\n", "\r\n"+line+"\r\n\r\n")
		a := c.Check(t.Context(), eml("sent.eml", stored))
		require.NoError(t, a.Err)
		require.NotEqual(t, VerdictAuthentic, a.Verdict, "%q (%v)", line, codesOf(a))
	}
}

// TestViewMboxEscapingHarmless: an unsigned single-message copy that a
// tool cut out of an mbox without undoing its escaping (">From " for
// "From ", ">>From " for ">From ") reads as the authentic message; a copy
// that changes such a line's words does not.
func TestViewMboxEscapingHarmless(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	m := baseMessage()
	m.Body = "Bob,\n\nFrom the figures, wire the deposit.\n>From the old thread: agreed.\n\nAlice\n"
	orig := m.Bytes()
	signed := signRaw(t, orig, "rsa2048", o)
	esc := func(r *strings.Replacer) []byte { return []byte(r.Replace(string(orig))) }
	for _, tc := range []struct {
		name         string
		copy         []byte
		corroborated bool
	}{
		{"mboxo escaping left in", esc(strings.NewReplacer("\r\nFrom the", "\r\n>From the")), true},
		{"mboxrd escaping left in", esc(strings.NewReplacer("\r\nFrom the", "\r\n>From the", "\r\n>From the old", "\r\n>>From the old")), true},
		{"an escaped line's words changed", esc(strings.NewReplacer("\r\nFrom the figures, wire", "\r\n>From the figures, do not wire")), false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signed)), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// TestViewQuotedPrintableStop: go-message's quoted-printable decoder
// stops at a control byte (or an "=" before a lone CR), where Python's
// email package goes on: a copy that puts text after such a byte, in a
// text part, an unnamed part or an attachment, is not corroborated.
func TestViewQuotedPrintableStop(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	text := "Hello Bob,\r\n\r\nthe figures are attached.\r\n"
	qpText := func(tail string) func([]byte) []byte {
		return func(msg []byte) []byte {
			return replaceOnce(msg, "Content-Transfer-Encoding: 7bit\r\n\r\n"+text, "Content-Transfer-Encoding: quoted-printable\r\n\r\n"+text+tail)
		}
	}
	qpFile := func(name, disposition string) ([]byte, func([]byte) []byte) {
		part := "--" + testBoundary + "\r\nContent-Type: text/csv" + name + "\r\nContent-Transfer-Encoding: quoted-printable\r\n" + disposition + "\r\n"
		orig := replaceOnce(delimiterMessage().Bytes(), closeLine, part+"amount,100\r\n"+closeLine)
		return orig, func(msg []byte) []byte {
			return replaceOnce(msg, "amount,100\r\n", "amount,100\x7f\r\namount,100000\r\n")
		}
	}
	csv, csvEdit := qpFile("; name=\"wire.csv\"", "Content-Disposition: attachment; filename=\"wire.csv\"\r\n")
	unnamed, unnamedEdit := qpFile("", "Content-Disposition: attachment\r\n")
	for _, tc := range []struct {
		name string
		orig []byte
		edit func([]byte) []byte
	}{
		{"a text part with a NUL byte and more text", delimiterMessage().Bytes(), qpText("\x00Wire the money today.\r\n")},
		{"a text part with a form feed and more text", delimiterMessage().Bytes(), qpText("\x0cWire the money today.\r\n")},
		{"a text part with an = before a lone CR", delimiterMessage().Bytes(), qpText("=\rWire the money today.\r\n")},
		{"an attachment with a DEL byte and more", csv, csvEdit},
		{"an unnamed attachment with a DEL byte and more", unnamed, unnamedEdit},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.edit(bytes.Clone(tc.orig))))
		assertCopyJudged(t, a, b, tc.name, false)
	}
}

// TestViewUnreadablePartContentType: a copy that gives a text part a
// Content-Type go-message cannot read (text after the subtype, a space
// before the slash), which a lenient client may render as HTML, is not
// corroborated: go-message's multipart reader lists no part from there
// on, so the view holds none of that text.
func TestViewUnreadablePartContentType(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := delimiterMessage().Bytes()
	for _, ct := range []string{"text/html x", "text /html", "text/html (rendered)"} {
		forged := replaceOnce(bytes.Clone(orig), "Content-Type: text/plain; charset=\"us-ascii\"", "Content-Type: "+ct)
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, ct, false)
	}
}

// TestViewTextPastCap: a copy of an authentic message whose text runs past
// the decoded text the view hashes (maxViewText) and that changes the text
// past it, in a single part or a text part, is not corroborated.
func TestViewTextPastCap(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	long := strings.Repeat("The figures for the quarter are below.\r\n", maxViewText/40+1)
	for _, tc := range []struct {
		name string
		orig []byte
	}{
		{"a single part", []byte(strings.Replace(string(baseMessage().Bytes()), "Bob,\r\n", "Bob,\r\n"+long+"Pay 100.\r\n", 1))},
		{"a text part", []byte(strings.Replace(string(delimiterMessage().Bytes()), "Hello Bob,\r\n", "Hello Bob,\r\n"+long+"Pay 100.\r\n", 1))},
	} {
		forged := bytes.Replace(tc.orig, []byte("Pay 100."), []byte("Pay 100000."), 1)
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, tc.name, false)
	}
}

// TestPropertyCharsetNeverSilentlyPlain generates ASCII texts and reads
// each under charset labels: under a label that reads ASCII bytes as
// other text (EBCDIC code pages this package decodes or not, UTF-16,
// UTF-32) the view never holds the text as the plain text's view does,
// unmarked; under a label that reads ASCII as itself (Latin, CJK, UTF-7
// without a shift, an unknown label) it always does.
func TestPropertyCharsetNeverSilentlyPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 7))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?()-'\"\r\n"
	other := []string{"ibm037", "cp037", "ibm1047", "ibm273", "ibm500", "cp1140", "ibm-1148", "ebcdic-cp-us", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le"}
	same := []string{"iso-8859-1", "windows-1252", "iso-8859-15", "koi8-r", "windows-1251", "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "gb2312", "gbk", "big5", "utf-7", "x-unknown", "unknown-8bit"}
	for i := range 200 {
		b := make([]byte, 1+r.IntN(300))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		for _, l := range other {
			out, kept, _ := decodeTextAs(b, "7bit", l)
			require.False(t, kept == "" && bytes.Equal(out, b), "text %d under %s reads as plain ASCII, unmarked", i, l)
		}
		for _, l := range same {
			out, kept, _ := decodeTextAs(b, "7bit", l)
			require.Equal(t, "", kept, "text %d under %s", i, l)
			require.Equal(t, string(b), string(out), "text %d under %s", i, l)
		}
	}
}

// TestViewEncodedMultipartCopy: a copy that declares its multipart body
// base64 and writes the authentic body so encoded, followed by a part of
// its own under the same boundary (which Python's email package, ignoring
// an encoding over a multipart, shows alone), is not corroborated.
func TestViewEncodedMultipartCopy(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	hdr := "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Deposit\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <deposit@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=a\r\n"
	body := "--a\r\nContent-Type: text/plain\r\n\r\nPlease wait for the contract.\r\n--a--\r\n"
	forged := hdr + "Content-Transfer-Encoding: base64\r\n\r\n" + b64(body) + "\r\n--a\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n--a--\r\n"
	a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, []byte(hdr+"\r\n"+body), "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", []byte(forged)))
	assertCopyJudged(t, a, b, "an encoded multipart with a part of its own", false)
}
