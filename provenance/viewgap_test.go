package provenance

import (
	"bytes"
	"fmt"
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
