package provenance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// longLineTwins returns, for a multipart message rendered by testmail,
// edits that make of it a pair: its short-line twin and its long-line twin,
// alike but for one line outside the parts, which the long one makes
// longer than go-message's 4 KiB buffer. Each edit works on a message
// whose body has the testmail preamble and boundary.
func longLineTwins() []struct {
	name string
	edit func(msg []byte, long bool) []byte
} {
	const preamble = "This is a multi-part message in MIME format."
	const delim = "\r\n--=_testmail_boundary_0001\r\n"
	pad := func(long bool, unit string) string {
		if long {
			return strings.Repeat(unit, (5000+len(unit)-1)/len(unit))
		}
		return unit
	}
	longPreamble := func(msg []byte, long bool) []byte {
		return bytes.Replace(msg, []byte(preamble), []byte(strings.TrimSpace(pad(long, preamble+" "))), 1)
	}
	paddedDelimiter := func(msg []byte, long bool) []byte {
		// The second delimiter line, before the first attachment (or
		// the closing one of a message with none), with transport padding.
		i := bytes.Index(msg, []byte(delim))
		j := bytes.Index(msg[i+len(delim):], []byte("\r\n--=_testmail_boundary_0001"))
		if j < 0 {
			return msg
		}
		at := i + len(delim) + j + len("\r\n--=_testmail_boundary_0001")
		if bytes.HasPrefix(msg[at:], []byte("--")) {
			at += 2
		}
		return slices.Concat(msg[:at], []byte(pad(long, " ")), msg[at:])
	}
	unclosed := func(msg []byte) []byte {
		return bytes.TrimSuffix(bytes.TrimRight(msg, "\r\n"), []byte("\r\n--=_testmail_boundary_0001--"))
	}
	return []struct {
		name string
		edit func(msg []byte, long bool) []byte
	}{
		{"preamble", longPreamble},
		{"padded delimiter line", paddedDelimiter},
		{"preamble, no closing delimiter", func(msg []byte, long bool) []byte { return longPreamble(unclosed(msg), long) }},
		{"preamble, padding mid-stream", func(msg []byte, long bool) []byte {
			// A second base64 stream appended to the first attachment's:
			// a shape the walk over the bytes leaves to go-message.
			i := bytes.Index(msg, []byte("Content-Type: application/"))
			j := i + bytes.Index(msg[i:], []byte("\r\n\r\n--=_testmail_boundary_0001"))
			return longPreamble(slices.Concat(msg[:j], []byte("\r\nQQ=="), msg[j:]), long)
		}},
	}
}

// A line outside the parts that is longer than go-message's buffer hides
// nothing: the long-line twin of a multipart message lists the same
// attachments and shows the same text as its short-line twin, in its CRLF
// and its LF form, and is judged alike.
func TestPropertyLongLineKeepsParts(t *testing.T) {
	c := testChecker()
	r := rand.New(rand.NewPCG(25, 0xb))
	for i := range 24 {
		m := testmail.Message{Subject: fmt.Sprintf("Figures %d", i), Body: generatedBody(r, bodyLines, 1, 6)}
		for k := range 1 + r.IntN(3) {
			data := make([]byte, r.IntN(3000))
			for j := range data {
				data[j] = byte(r.IntN(256))
			}
			m.Attachments = append(m.Attachments, testmail.Attachment{Name: fmt.Sprintf("f%d-%d.bin", i, k), Data: data})
		}
		for _, tw := range longLineTwins() {
			short, long := tw.edit(m.Bytes(), false), tw.edit(m.Bytes(), true)
			require.NotEqual(t, short, long, "%s: the edit makes a long line", tw.name)
			o := &testmail.SignOptions{}
			if r.IntN(2) == 0 {
				o.Headers = append(testmail.DefaultHeaders(), "content-type", "mime-version")
			}
			short, long = signRaw(t, short, "rsa2048", o), signRaw(t, long, "rsa2048", o)
			for _, form := range []string{"crlf", "lf"} {
				s, l := short, long
				if form == "lf" {
					s, l = testmail.LF(s), testmail.LF(l)
				}
				name := fmt.Sprintf("message %d, %s (%s)", i, tw.name, form)
				satts, strunc := attachments(s)
				latts, ltrunc := attachments(l)
				require.Len(t, satts, len(m.Attachments), "%s: the short-line twin's attachments", name)
				assert.Equal(t, fmt.Sprint(satts, strunc), fmt.Sprint(latts, ltrunc), "%s: attachments", name)
				sall, sfirst := displayedText(splitHeader(s), s, new(textBuffers))
				lall, lfirst := displayedText(splitHeader(l), l, new(textBuffers))
				require.NotEmpty(t, sfirst, "%s: the short-line twin's text", name)
				assert.Equal(t, string(sall), string(lall), "%s: displayed text", name)
				assert.Equal(t, string(sfirst), string(lfirst), "%s: first text part", name)
				sa, la := c.Check(t.Context(), asEML(s)), c.Check(t.Context(), asEML(l))
				assert.Equal(t, sa.Coverage, la.Coverage, "%s: coverage", name)
				// The one difference allowed: 5000 bytes of text before the
				// first part under an unsigned Content-Type are text a
				// forger may have hidden there (bodyFit), whatever the parts
				// after it; that evidence makes the message unverifiable.
				scodes, lcodes := evidenceOf(sa), evidenceOf(la)
				preambleMisfit := func(e string) bool {
					return strings.HasPrefix(e, "coverage.mime_mismatch: ") && strings.Contains(e, "(the preamble)")
				}
				if i := slices.IndexFunc(lcodes, preambleMisfit); i >= 0 && !slices.ContainsFunc(scodes, preambleMisfit) {
					assert.True(t, strings.HasPrefix(tw.name, "preamble") && !slices.Contains(o.Headers, "content-type"), "%s: a misfit preamble only for a long one under an unsigned Content-Type", name)
					assert.Equal(t, VerdictUnverifiable, la.Verdict, "%s: verdict", name)
					lcodes = slices.Delete(lcodes, i, i+1)
				} else {
					assert.Equal(t, sa.Verdict, la.Verdict, "%s: verdict (%s | %s)", name, sa.Summary, la.Summary)
					assert.Equal(t, sa.Confidence, la.Confidence, "%s: confidence", name)
				}
				assert.Equal(t, scodes, lcodes, "%s: evidence", name)
			}
		}
	}
}

// evidenceOf lists a's evidence as "code: message", in order.
func evidenceOf(a *Assessment) []string {
	var out []string
	for _, e := range a.Evidence {
		out = append(out, e.Code+": "+e.Message)
	}
	return out
}

// TestLongLineInsidePartKeepsGoMessageReading checks that a message
// go-message stopped reading for another reason than a long line outside
// the parts (here: cut short anywhere in the last 700 bytes of its body)
// is read as go-message reads it, though a line inside a part or in the
// header is over 4 KiB: only the line go-message stops at calls for the
// mail client's reading, and a long HTML line or header must not change
// what a truncated message lists or shows.
func TestLongLineInsidePartKeepsGoMessageReading(t *testing.T) {
	long := strings.Repeat("x", 5000)
	const top = "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	const rest = "--b\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n" +
		"--b\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\nalt one\r\n" +
		"--i\r\nContent-Type: text/csv; name=\"c.csv\"\r\n\r\na,b\r\n--i--\r\n" +
		"--b\r\nContent-Type: text/plain; name=\"t.txt\"\r\nContent-Disposition: attachment\r\n\r\nlast\r\nline\r\n--b--\r\n"
	for name, full := range map[string]string{
		"long line in a part": top + "--b\r\nContent-Type: text/html\r\n\r\n<p>" + long + "</p>\r\n" + rest,
		"long header line":    "X-Long: " + long + "\r\n" + top + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n" + rest,
	} {
		for _, form := range []string{"crlf", "lf"} {
			m := full
			if form == "lf" {
				m = strings.ReplaceAll(m, "\r\n", "\n")
			}
			tb := new(textBuffers)
			// Cut in the body: from the first delimiter line on.
			for n := max(len(m)-700, strings.Index(m, "--b")); n <= len(m); n++ {
				msg := []byte(m[:n])
				want := goMessageWalk(msg)
				got, truncated := attachments(msg)
				if !assert.Equal(t, want.out, got, "%s (%s) cut at %d: attachments", name, form, n) ||
					!assert.Equal(t, want.truncated, truncated, "%s (%s) cut at %d: truncated", name, form, n) {
					return
				}
				wantText := string(goMessageText(msg, new(textBuffers)).all)
				all, _ := displayedText(splitHeader(msg), msg, tb)
				if !assert.Equal(t, wantText, string(all), "%s (%s) cut at %d: displayed text", name, form, n) {
					return
				}
			}
		}
	}
}
