package provenance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Delimiter lines that a strict MIME reader and a mail client read
// differently. RFC 2046 §5.1.1 defines a delimiter line as "--", the
// boundary, optional white space (transport padding) and the line break;
// mail clients (Thunderbird, mutt, Python's email package, which mail
// tools build on) find delimiter lines line by line, whatever ends the
// line, and read a line with other text after the boundary as text.
// go-message ends a part at any line break (of the kind its first
// delimiter line used) followed by "--", the boundary and white space or
// "-", and then gives up at such a line that is not a delimiter line: it
// lists no part after it.

const testBoundary = "=_testmail_boundary_0001"

// delimiterMessage is a testmail message with a text part and one
// attachment, and what a mail client shows of it.
func delimiterMessage() testmail.Message {
	return testmail.Message{Subject: "Figures", Body: "Hello Bob,\n\nthe figures are attached.\n",
		Attachments: []testmail.Attachment{{Name: "figures.pdf", Data: []byte("%PDF-1.4 figures")}}}
}

// evilPart is an attachment part a forger adds, with its delimiter line.
const evilPart = "--" + testBoundary + "\r\nContent-Type: application/pdf; name=\"wire.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"wire.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nV2lyZSB0aGUgbW9uZXku\r\n"

// closeLine is the closing delimiter line of delimiterMessage.
const closeLine = "--" + testBoundary + "--\r\n"

// storedForms writes msg as each form a reader meets it in (an .eml file,
// a message of an mbox file, a Maildir file) and returns the messages the
// archive walk reads from them, by form.
func storedForms(t *testing.T, msg []byte) map[string]*archive.Message {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"eml", "mbox", "Maildir/cur", "Maildir/new", "Maildir/tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	mbox := slices.Concat([]byte("From alice@example.com Tue Mar  1 10:00:00 2016\r\n"), msg, []byte("\r\n"))
	files := map[string][]byte{
		"eml/message.eml":                   msg,
		"mbox/inbox.mbox":                   mbox,
		"Maildir/cur/1456826400.1.host:2,S": msg,
	}
	out := map[string]*archive.Message{}
	for name, data := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		for m := range archive.Walk(t.Context(), path, nil) {
			require.NoError(t, m.Err, "%s", name)
			out[strings.SplitN(name, "/", 2)[0]] = m
		}
	}
	require.Len(t, out, 3)
	return out
}

// seen is what the package's reader's view holds of a message: the
// attachments listed, the displayed text, the verdict and evidence.
type seen struct {
	attachments []string // name, and whether covered
	text        string
	verdict     Verdict
	body        BodyCoverage
	codes       []string
}

func (s seen) String() string {
	return fmt.Sprintf("%s, body %s, attachments %v, codes %v, text %q", s.verdict, s.body, s.attachments, s.codes, s.text)
}

// containerMarks matches the marks of multipart containers in the
// displayed text (textWalk.openMultipart, closeMultipart).
var containerMarks = regexp.MustCompile("\x00(multipart/[^\n]*|end)\n")

// readerSees checks m with c and returns what its view holds; the text
// is read from the bytes the Checker reads (its primary view).
func readerSees(t *testing.T, c *Checker, m *archive.Message) seen {
	t.Helper()
	a := c.Check(t.Context(), m)
	require.NoError(t, a.Err)
	var s seen
	for _, at := range a.Coverage.Attachments {
		s.attachments = append(s.attachments, fmt.Sprintf("%s covered=%v", at.Name, at.Covered))
	}
	v := c.primaryView(m)
	all, _ := displayedText(splitHeader(v.data), v.data, new(textBuffers))
	s.text = strings.ReplaceAll(containerMarks.ReplaceAllString(string(all), ""), "\x00part\n", "|")
	v.release()
	s.verdict, s.body, s.codes = a.Verdict, a.Coverage.Body, codesOf(a)
	return s
}

// A signing: how the stored message is made from the sender's message
// (CRLF, without tail) and the tail added before its closing delimiter
// line: by the sender before signing, past an l= body length, unsigned
// after signing, or with no signature at all.
type signing struct {
	name  string
	store func(t *testing.T, msg []byte, tail string) []byte
}

func signings() []signing {
	o := func(l int64) *testmail.SignOptions {
		return &testmail.SignOptions{BodyLength: l, Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	}
	insert := func(msg []byte, tail string) []byte {
		i := bytes.LastIndex(msg, []byte(closeLine))
		return slices.Concat(msg[:i], []byte(tail), msg[i:])
	}
	return []signing{
		{"signed", func(t *testing.T, msg []byte, tail string) []byte {
			return signRaw(t, insert(msg, tail), "rsa2048", o(0))
		}},
		{"l=", func(t *testing.T, msg []byte, tail string) []byte {
			i := bytes.LastIndex(msg, []byte(closeLine))
			return slices.Concat(signRaw(t, msg[:i], "rsa2048", o(testmail.WholeBody)), []byte(tail+closeLine))
		}},
		{"unsigned part appended", func(t *testing.T, msg []byte, tail string) []byte {
			return insert(signRaw(t, msg, "rsa2048", o(0)), tail)
		}},
		{"unsigned", func(t *testing.T, msg []byte, tail string) []byte { return insert(msg, tail) }},
	}
}

// junkLine is a line that starts with delimiterMessage's boundary and
// goes on with text: no delimiter line for RFC 2046 or a mail client.
const junkLine = "--" + testBoundary + " junk\r\n"

// Shapes of a line a strict reader and a mail client split at
// differently, each as the tail added before the closing delimiter line
// (signing) or an edit of the stored bytes; want is what a mail client
// lists and odd whether the readings differ in the view the Checker reads.
func delimiterShapes() []struct {
	name, tail string
	edit       func([]byte) []byte // of the stored bytes, after signing; nil for none
	want       []string            // the attachments a mail client lists
	odd        bool                // coverage.mime_ambiguous
} {
	second := []byte("\r\n\r\n--" + testBoundary + "\r\nContent-Type: application/")
	lfEdit := func(with string) func([]byte) []byte {
		return func(b []byte) []byte {
			return bytes.ReplaceAll(b, second, []byte(with+"Content-Type: application/"))
		}
	}
	both := []string{"figures.pdf", "wire.pdf"}
	return []struct {
		name, tail string
		edit       func([]byte) []byte
		want       []string
		odd        bool
	}{
		{"a part added", evilPart, nil, both, false},
		{"text after the boundary, then a part", junkLine + "Wire it today.\r\n" + evilPart, nil, both, true},
		{"text after the boundary", junkLine + "Wire it today.\r\n", nil, []string{"figures.pdf"}, true},
		{"a tab and text after the boundary, then a part", "--" + testBoundary + "\tx\r\n" + evilPart, nil, both, true},
		{"a dash and text after the boundary, then a part", "--" + testBoundary + "-x\r\n" + evilPart, nil, both, true},
		{"a closing line with text, then a part", "--" + testBoundary + "--x\r\n" + evilPart, nil, both, true},
		{"a header under text after the boundary", junkLine + "Content-Disposition: attachment; filename=\"wire.pdf\"\r\n\r\nV2lyZSB0aGUgbW9uZXku\r\n", nil, []string{"figures.pdf"}, true},
		{"a delimiter line ending in CR CR LF", "--" + testBoundary + "\r" + evilPart[len("--"+testBoundary):], nil, both, true},
		// A lone CR ends a line for Thunderbird and Python's email
		// package, not for go-message or a client reading lines to LF:
		// the readings differ, the part is listed as read to LF.
		{"a bare CR before a delimiter line", "x\r" + evilPart, nil, []string{"figures.pdf"}, true},
		{"a delimiter line ending in a bare CR", "--" + testBoundary + "\r" + evilPart[len("--"+testBoundary+"\r\n"):], nil, []string{"figures.pdf"}, true},
		// Bare LF line endings: every form of stored message is read with
		// CRLF line endings (primaryView), so the readings agree.
		{"a bare LF before a delimiter line", evilPart, lfEdit("\r\n\n--" + testBoundary + "\r\n"), both, false},
		{"a delimiter line ending in a bare LF", evilPart, lfEdit("\r\n\r\n--" + testBoundary + "\n"), both, false},
		{"a delimiter line in bare LFs", evilPart, lfEdit("\n\n--" + testBoundary + "\n"), both, false},
	}
}

// TestDelimiterShapes checks, through the Checker and every form a
// message is stored in, what the reader's view lists of a multipart
// message with a line a strict reader and a mail client split at
// differently, signed (the line the sender's), with an l= body length or
// an unsigned part after signing (the line the forger's), and unsigned:
// every attachment a mail client shows is listed, none is covered that
// no signature covers, the verdict is the one the bytes call for, and
// coverage.mime_ambiguous says where the readings differ.
func TestDelimiterShapes(t *testing.T) {
	c := testChecker()
	msg := delimiterMessage().Bytes()
	for _, sh := range delimiterShapes() {
		for _, sg := range signings() {
			stored := sg.store(t, msg, sh.tail)
			if sh.edit != nil {
				e := sh.edit(stored)
				require.NotEqual(t, stored, e, "%s: the edit changes the message", sh.name)
				stored = e
			}
			for form, m := range storedForms(t, stored) {
				name := fmt.Sprintf("%s, %s (%s)", sh.name, sg.name, form)
				s := readerSees(t, c, m)
				var names []string
				for _, a := range s.attachments {
					names = append(names, strings.Fields(a)[0])
				}
				assert.Equal(t, sh.want, names, "%s: the attachments a mail client shows (%v)", name, s)
				assert.Equal(t, sh.odd, slices.Contains(s.codes, "coverage.mime_ambiguous"), "%s: coverage.mime_ambiguous (%v)", name, s)
				assert.Contains(t, s.text, "the figures are attached.", "%s: the text", name)
				switch sg.name {
				case "signed":
					// The sender's own bytes, every one signed: whatever the
					// reading, nothing in it is unsigned.
					assert.Equal(t, VerdictAuthentic, s.verdict, "%s: verdict (%v)", name, s)
					assert.Equal(t, BodyFull, s.body, "%s", name)
					for _, a := range s.attachments {
						assert.True(t, strings.HasSuffix(a, "covered=true"), "%s: %s", name, a)
					}
				case "l=", "unsigned part appended":
					assert.Equal(t, VerdictAltered, s.verdict, "%s: verdict (%v)", name, s)
				case "unsigned":
					assert.Equal(t, VerdictUnverifiable, s.verdict, "%s: verdict (%v)", name, s)
				}
				if sg.name != "signed" {
					for _, a := range s.attachments {
						assert.True(t, strings.HasSuffix(a, "covered=false"), "%s: %s is not covered", name, a)
					}
				}
			}
		}
	}
}

// A line with text after the boundary in the text part is text, shown
// with the lines after it, and the parts after it are listed.
func TestDelimiterTextInTextPart(t *testing.T) {
	c := testChecker()
	msg := delimiterMessage().Bytes()
	msg = bytes.Replace(msg, []byte("attached.\r\n"), []byte("attached.\r\n"+junkLine+"Wire it today.\r\n"), 1)
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	for _, stored := range [][]byte{msg, signRaw(t, msg, "rsa2048", o)} {
		s := readerSees(t, c, asEML(stored))
		assert.Equal(t, "|Hello Bob,\n\nthe figures are attached.\n"+strings.TrimSpace(junkLine)+"\nWire it today.", s.text)
		assert.Len(t, s.attachments, 1, "%v", s)
		assert.Contains(t, s.codes, "coverage.mime_ambiguous")
	}
}

// A copy of an authentic message that a forger changed after a line
// where readers split the body differently, with its signature stripped,
// is never corroborated by the authentic copy (which would make it
// authentic): its view differs, whichever reading hid the change.
func TestDelimiterCopyNotCorroborated(t *testing.T) {
	c := testChecker()
	msg := delimiterMessage().Bytes()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := signRaw(t, msg, "rsa2048", o)
	for _, sh := range delimiterShapes() {
		if sh.edit != nil {
			continue
		}
		forged := signings()[3].store(t, msg, sh.tail) // unsigned
		a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, sh.name+": the forged copy", false)
		assert.Equal(t, VerdictAuthentic, a.Verdict, "%s: the authentic copy", sh.name)
	}
}

// A part behind a delimiter line that a lone CR starts or ends, in the
// preamble (which no reading shows, and no view holds), is shown by mail
// clients that end a line at a lone CR (Thunderbird, Python's email
// package): an unsigned copy with such a part is never corroborated by
// the authentic copy, and coverage.mime_ambiguous names the line.
func TestDelimiterBareCRPreamble(t *testing.T) {
	c := testChecker()
	msg := delimiterMessage().Bytes()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	orig := signRaw(t, msg, "rsa2048", o)
	first := bytes.Index(msg, []byte("--"+testBoundary+"\r\n"))
	for _, c2 := range []struct{ name, preamble, line string }{
		{"a lone CR before the line", "x\r--" + testBoundary + "\r\nContent-Type: text/plain\r\n\r\nWire it today.\r\n", "x\r--" + testBoundary},
		{"lone CRs only", "x\r--" + testBoundary + "\rContent-Type: text/plain\r\rWire it today.\r\n", "x\r--" + testBoundary + "\rContent-Type: text/plain\r\rWire it today."},
		{"a lone CR after the line", "--" + testBoundary + " \rContent-Type: text/plain\r\rWire it today.\r\n", "--" + testBoundary + " \rContent-Type: text/plain\r\rWire it today."},
		{"a closing line and a lone CR", "x\r--" + testBoundary + "--\r\n", "x\r--" + testBoundary + "--"},
	} {
		forged := slices.Concat(msg[:first], []byte(c2.preamble), msg[first:])
		a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", forged))
		require.Equal(t, VerdictAuthentic, a.Verdict)
		var said string
		for _, e := range b.Evidence {
			if e.Code == "coverage.mime_ambiguous" {
				said = e.Message
			}
		}
		assert.Contains(t, said, fmt.Sprintf("%q", c2.line), "%s: the line named (%v)", c2.name, codesOf(b))
		assertCopyJudged(t, a, b, c2.name+": the forged copy", false)
	}
}

// The primary view of a message stored in any form has no bare LF left,
// whatever line endings the stored bytes mix: a delimiter line reads the
// same for go-message, the splitter and a mail client. The splitter's
// line-break mode (LF after a first delimiter line ending in LF) and
// go-message's search for CRLF "--" boundary therefore never meet mixed
// line endings in a message the Checker judges.
func TestPrimaryViewHasNoBareLF(t *testing.T) {
	c := testChecker()
	r := rand.New(rand.NewPCG(26, 1))
	msg := delimiterMessage().Bytes()
	for i := range 40 {
		stored := bytes.Clone(msg)
		// Make a random choice of line endings bare.
		for j := 0; j < len(stored); j++ {
			if stored[j] == '\r' && j+1 < len(stored) && stored[j+1] == '\n' && r.IntN(3) == 0 {
				stored = slices.Delete(stored, j, j+1)
			}
		}
		for form, m := range storedForms(t, stored) {
			v := c.primaryView(m)
			for j, b := range v.data {
				if b == '\n' && (j == 0 || v.data[j-1] != '\r') {
					t.Fatalf("message %d (%s): a bare LF at %d of the view", i, form, j)
				}
			}
			v.release()
			s := readerSees(t, c, m)
			assert.Equal(t, []string{"figures.pdf covered=false"}, s.attachments, "message %d (%s)", i, form)
			assert.NotContains(t, s.codes, "coverage.mime_ambiguous", "message %d (%s)", i, form)
		}
	}
}

// A line with text after the boundary, put at the start of any line of
// any part, hides no part: the message lists the attachments of its twin
// without the line, in order, shows the line as text where it stands in a
// text part, says where the readings differ, and is judged as the twin is,
// signed or not; an unsigned copy with the line and a part added after it
// is never corroborated by the signed twin. And a message whose delimiter
// lines end in bare LFs among CRLF ones, in any stored form, reads and is
// judged as its CRLF twin.
func TestPropertyDelimiterLinesKeepParts(t *testing.T) {
	c := testChecker()
	r := rand.New(rand.NewPCG(26, 0xd))
	suffixes := []string{" junk", "\tjunk", "-x", "--x", " --", "  \tno"}
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	delim := []byte("\r\n--" + testBoundary + "\r\n")
	for i := range 16 {
		m := testmail.Message{Subject: fmt.Sprintf("Figures %d", i), Body: generatedBody(r, unescapedLines, 1, 6)}
		var names []string
		for k := range 1 + r.IntN(3) {
			data := make([]byte, r.IntN(600))
			for j := range data {
				data[j] = byte(r.IntN(256))
			}
			name := fmt.Sprintf("f%d-%d.bin", i, k)
			m.Attachments = append(m.Attachments, testmail.Attachment{Name: name, Data: data})
			names = append(names, name+" covered=true")
		}
		twin := m.Bytes()
		// The line, after the first line of a part's content.
		var starts []int
		for at := 0; ; {
			j := bytes.Index(twin[at:], delim)
			if j < 0 {
				break
			}
			at += j + len(delim)
			content := at + bytes.Index(twin[at:], []byte("\r\n\r\n")) + 4
			starts = append(starts, content+bytes.Index(twin[content:], []byte("\r\n"))+2)
		}
		k := r.IntN(len(starts))
		line := "--" + testBoundary + suffixes[r.IntN(len(suffixes))]
		odd := slices.Concat(twin[:starts[k]], []byte(line+"\r\n"), twin[starts[k]:])
		name := fmt.Sprintf("message %d, %q in part %d", i, line, k+1)

		signedTwin, signedOdd := signRaw(t, twin, "rsa2048", o), signRaw(t, odd, "rsa2048", o)
		tw, s := readerSees(t, c, asEML(signedTwin)), readerSees(t, c, asEML(signedOdd))
		require.Equal(t, names, tw.attachments, "%s: the twin", name)
		assert.Equal(t, tw.attachments, s.attachments, "%s: attachments", name)
		assert.Equal(t, tw.verdict, s.verdict, "%s: verdict", name)
		assert.Equal(t, tw.body, s.body, "%s: body coverage", name)
		assert.Equal(t, append(slices.Clone(tw.codes), "coverage.mime_ambiguous"), s.codes, "%s: evidence", name)
		if k == 0 {
			assert.Contains(t, s.text, line, "%s: the line is text of the text part", name)
		}

		// An unsigned copy with the line and a part after it.
		forged := slices.Concat(twin[:starts[k]], []byte(line+"\r\n"+strings.TrimSuffix(evilPart, "\r\n")+"\r\n"), twin[starts[k]:])
		a, b := c.Check(t.Context(), eml("sent.eml", signedTwin)), c.Check(t.Context(), eml("copy.eml", forged))
		p := NewArchivePass()
		p.Add(a)
		p.Add(b)
		p.Apply(a)
		p.Apply(b)
		assert.NotEqual(t, VerdictAuthentic, b.Verdict, "%s: the forged copy (%v)", name, codesOf(b))

		// Bare LFs around random delimiter lines, stored in any form.
		mixed := bytes.Clone(signedTwin)
		for j := len(mixed) - len(delim); j >= 0; j-- {
			if bytes.HasPrefix(mixed[j:], delim) {
				if r.IntN(2) == 0 {
					mixed = slices.Delete(mixed, j+len(delim)-2, j+len(delim)-1) // the delimiter line's CR
				}
				if r.IntN(2) == 0 {
					mixed = slices.Delete(mixed, j, j+1) // the CR before it
				}
			}
		}
		if bytes.Equal(mixed, signedTwin) {
			continue
		}
		for form, m := range storedForms(t, mixed) {
			s := readerSees(t, c, m)
			assert.Equal(t, tw.attachments, s.attachments, "message %d, bare LFs (%s): attachments", i, form)
			assert.Equal(t, tw.text, s.text, "message %d, bare LFs (%s): text", i, form)
			assert.Equal(t, tw.verdict, s.verdict, "message %d, bare LFs (%s): verdict", i, form)
			assert.Equal(t, append([]string{"archive.lf_line_endings"}, tw.codes...), s.codes, "message %d, bare LFs (%s): evidence", i, form)
		}
	}
}

// BenchmarkDelimiterLines checks messages of about 1.3 MB whose lines
// start with the boundary in the ways a forger can repeat them, against
// one of plain lines: every reading stays linear in the message (the
// client reading walks each level of nesting once, to maxMIMEDepth).
func BenchmarkDelimiterLines(b *testing.B) {
	c := testChecker()
	msg := delimiterMessage().Bytes()
	i := bytes.LastIndex(msg, []byte(closeLine))
	repeat := func(line string) []byte {
		return slices.Concat(msg[:i], bytes.Repeat([]byte(line), 1300000/len(line)), msg[i:])
	}
	var nested strings.Builder
	nested.WriteString("Subject: Nested\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for d := range maxMIMEDepth + 4 {
		fmt.Fprintf(&nested, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", d, d+1)
		nested.WriteString(strings.Repeat(fmt.Sprintf("--b%d junk\r\n", d), 1300000/(maxMIMEDepth+4)/10))
	}
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"plain lines", repeat("Just a line of text here.\r\n")},
		{"text after the boundary", repeat(junkLine)},
		{"a dash after the boundary", repeat("--" + testBoundary + "-\r\n")},
		{"a lone CR before the boundary", repeat("x\r--" + testBoundary + "x\r\n")},
		{"one line of boundaries", repeat(strings.Repeat("--"+testBoundary+" ", 1300000/(len(testBoundary)+3)) + "\r\n")},
		{"nested, text after each boundary", []byte(nested.String())},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := eml("m.eml", tc.msg)
			b.SetBytes(int64(len(tc.msg)))
			for b.Loop() {
				c.Check(b.Context(), m)
			}
		})
	}
}
