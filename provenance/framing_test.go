package provenance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/mbox"
)

// Framing as readers read it: a byte-order mark, the separator lines real
// tools write and a Content-Length that disagrees with the separators are
// how an archive stored a message, never a change to it, and no message
// may vanish because of them.

const bom = mbox.UTF8BOM

// separatorStyles are separator lines as real tools write them.
var separatorStyles = []struct{ name, line string }{
	{"asctime (Python's mailbox, mutt)", "From MAILER-DAEMON Tue Mar  1 10:00:00 2016"},
	{"Thunderbird", "From - Tue Mar 01 10:00:00 2016"},
	{"Google Takeout", "From 1527958493458712345@xxx Tue Mar 01 10:00:00 +0000 2016"},
	{"Java, zone without a name", "From alice@example.com Tue Mar 01 11:00:00 GMT+01:00 2016"},
	{"Java, zone name", "From alice@example.com Tue Mar 01 11:00:00 CET 2016"},
	{"RFC 2822 date", "From alice@example.com Tue, 1 Mar 2016 10:00:00 +0000"},
	{"Mailman's obscured sender", "From alice at example.com  Tue Mar  1 10:00:00 2016"},
	{"UUCP", "From alice Tue Mar  1 10:00 2016 remote from relay"},
	{"Apple Mail, unknown sender", "From ???@??? Tue Mar 01 10:00:00 2016"},
}

// framing is one way of storing messages in a file.
type framing struct {
	format    string // eml, mboxo, mboxrd, mboxcl, mboxcl2
	sep       string // the separator line (mbox formats)
	crlf      bool   // CRLF line endings, as stored
	bom       string // "", "file" (at the start of the file), "message" (after each separator), "appended" (before each separator)
	noBlank   bool   // no blank line before the next separator
	wantFound string // the evidence every message gets, or ""
}

func (f framing) String() string {
	s := f.format
	if f.sep != "" {
		s += ", " + f.sep
	}
	if f.crlf {
		s += ", CRLF"
	} else {
		s += ", LF"
	}
	if f.bom != "" {
		s += ", BOM " + f.bom
	}
	if f.noBlank {
		s += ", no blank line"
	}
	return s
}

// store frames the signed messages (CRLF, as signed) as f says: the bytes
// of one file for an mbox format, one file per message for eml.
func (f framing) store(msgs [][]byte) [][]byte {
	eol := "\n"
	if f.crlf {
		eol = "\r\n"
	}
	ending := func(b []byte) []byte {
		if f.crlf {
			return testmail.CRLF(b)
		}
		return testmail.LF(b)
	}
	if f.format == "eml" {
		var files [][]byte
		for _, m := range msgs {
			b := ending(m)
			if f.bom != "" {
				b = append([]byte(bom), b...)
			}
			files = append(files, b)
		}
		return files
	}
	var out bytes.Buffer
	if f.bom == "file" {
		out.WriteString(bom)
	}
	for i, m := range msgs {
		if f.bom == "appended" && i > 0 {
			out.WriteString(bom)
		}
		out.WriteString(f.sep + eol)
		if f.bom == "message" {
			out.WriteString(bom)
		}
		b := ending(m)
		switch f.format {
		case "mboxo", "mboxcl":
			b = escapeLines(b, false)
		case "mboxrd":
			b = escapeLines(b, true)
		}
		if f.format == "mboxcl" || f.format == "mboxcl2" {
			b = withContentLength(b, eol)
		}
		out.Write(b)
		if !f.noBlank {
			out.WriteString(eol)
		}
	}
	return [][]byte{out.Bytes()}
}

// escapeLines escapes "From " lines as mboxo does, or every ">*From " line
// as mboxrd does.
func escapeLines(msg []byte, rd bool) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(msg, []byte("\n")) {
		l := line
		if rd {
			l = bytes.TrimLeft(l, ">")
		}
		if bytes.HasPrefix(l, []byte("From ")) {
			b.WriteByte('>')
		}
		b.Write(line)
	}
	return b.Bytes()
}

// withContentLength adds a Content-Length field counting the stored body,
// as the last header field.
func withContentLength(msg []byte, eol string) []byte {
	i := bytes.Index(msg, []byte(eol+eol))
	body := len(msg) - i - 2*len(eol)
	out := append([]byte{}, msg[:i+len(eol)]...)
	out = append(out, "Content-Length: "+strconv.Itoa(body)+eol...)
	return append(out, msg[i+len(eol):]...)
}

// readArchive writes files under a fresh folder and walks it, in order.
func readArchive(t *testing.T, ext string, files [][]byte) []*archive.Message {
	t.Helper()
	dir := t.TempDir()
	for i, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.%s", i, ext)), b, 0o644), "writing the archive")
	}
	var out []*archive.Message
	for m := range archive.Walk(t.Context(), dir, nil) {
		out = append(out, m)
	}
	return out
}

// frameAll returns every framing the property covers.
func frameAll() []framing {
	var out []framing
	for _, crlf := range []bool{false, true} {
		for _, b := range []string{"", "file"} {
			found := ""
			if b != "" {
				found = "archive.bom"
			}
			out = append(out, framing{format: "eml", crlf: crlf, bom: b, wantFound: found})
		}
		for _, format := range []string{"mboxo", "mboxrd", "mboxcl", "mboxcl2"} {
			for _, sep := range separatorStyles {
				out = append(out, framing{format: format, sep: sep.line, crlf: crlf})
			}
			for _, b := range []string{"file", "message", "appended"} {
				out = append(out, framing{format: format, sep: separatorStyles[0].line, crlf: crlf, bom: b})
			}
			out = append(out, framing{format: format, sep: separatorStyles[3].line, crlf: crlf, noBlank: true})
		}
	}
	return out
}

// bodyLines are the lines a generated body is made of: the ones mbox
// escaping touches among them. A separator-like line is followed by text,
// never by a header field: that would be a message of its own.
var bodyLines = []string{
	"Bob,", "", "The figures are attached.", "From the desk: yes.", ">From your last mail: no.", ">>From the archive.",
	"From alice@example.com Tue Mar  1 10:00:00 2016\nwas the first line of the copy.", "Content-Length: 3 is no field here.",
	"Regards,", "Alice", "  indented", "From: a quoted header line",
}

// unescapedLines are bodyLines without those an mbox would escape, for
// properties its escaping is not about.
var unescapedLines = slices.DeleteFunc(slices.Clone(bodyLines), func(l string) bool { return strings.Contains(l, "From") })

// generatedBody is least to least+spread-1 lines drawn from lines, each
// ended by LF.
func generatedBody(r *rand.Rand, lines []string, least, spread int) string {
	var body strings.Builder
	for range least + r.IntN(spread) {
		body.WriteString(lines[r.IntN(len(lines))] + "\n")
	}
	return body.String()
}

// genuineMessages makes n signed messages from the seed, with bodies of
// bodyLines, some multipart, some with l=, in both canonicalizations.
func genuineMessages(t *testing.T, seed uint64, n int) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var out [][]byte
	for i := range n {
		m := testmail.Message{Subject: fmt.Sprintf("Figures %d-%d", seed, i), Body: generatedBody(r, bodyLines, 2, 8)}
		if r.IntN(3) == 0 {
			m.Attachments = []testmail.Attachment{{Name: "figures.csv", Data: []byte("a,b\n1,2\n")}}
		}
		o := &testmail.SignOptions{}
		if r.IntN(2) == 0 {
			o.Canonicalization = "simple/simple"
		}
		if r.IntN(4) == 0 {
			o.BodyLength = testmail.WholeBody
		}
		out = append(out, signRaw(t, m.Bytes(), "rsa2048", o))
	}
	return out
}

// TestPropertyReframingKeepsVerdicts: an authentic message re-framed into
// every archive format (eml, mboxo, mboxrd, mboxcl, mboxcl2), with and
// without a byte-order mark, LF or CRLF, with each separator style and
// without the blank line before a separator, stays authentic with the same
// coverage, and every message is found, each once.
func TestPropertyReframingKeepsVerdicts(t *testing.T) {
	c := testChecker()
	for _, seed := range []uint64{1, 2, 3, 19} {
		msgs := genuineMessages(t, seed, 3)
		var base []*Assessment
		for i, m := range msgs {
			a := c.Check(t.Context(), asEML(m))
			require.Equal(t, VerdictAuthentic, a.Verdict, "seed %d message %d as signed: %s %v", seed, i, a.Summary, codesOf(a))
			base = append(base, a)
		}
		for _, f := range frameAll() {
			t.Run(fmt.Sprintf("seed %d, %v", seed, f), func(t *testing.T) {
				ext := "mbox"
				if f.format == "eml" {
					ext = "eml"
				}
				recs := readArchive(t, ext, f.store(msgs))
				require.Len(t, recs, len(msgs), "every message is found, each once")
				for i, m := range recs {
					require.NoError(t, m.Err, "record %d", i)
					a := c.Check(t.Context(), m)
					assert.Equal(t, VerdictAuthentic, a.Verdict, "message %d: verdict; summary %q; evidence %v", i+1, a.Summary, codesOf(a))
					assert.Equal(t, base[i].Coverage, a.Coverage, "message %d: coverage", i+1)
					assert.Equal(t, base[i].Subject, a.Subject, "message %d is the one stored there", i+1)
					assert.NotContains(t, codesOf(a), "archive.content_length_conflict", "message %d: a truthful count agrees", i+1)
					if f.bom == "file" && i == 0 || f.bom == "message" || f.bom == "appended" && i > 0 || f.format == "eml" && f.bom != "" {
						assert.Contains(t, codesOf(a), "archive.bom", "message %d: the byte-order mark is reported", i+1)
					}
				}
			})
		}
	}
}

// TestFramingRegressions: each way of framing found to turn a genuine
// message altered, or make one vanish, keeps it authentic and reported.
func TestFramingRegressions(t *testing.T) {
	c := testChecker()
	genuine := signRaw(t, baseBytes(nil), "rsa2048", nil)
	other := signRaw(t, baseBytes(func(m *testmail.Message) { m.Subject = "Minutes" }), "rsa2048", nil)
	forged := testmail.ReplaceBody(genuine, "Bob,\n\nWire it to account 66-6666 today.\n\nAlice\n")
	lf := testmail.LF(genuine)
	sep := "From alice@example.com Tue Mar  1 10:00:00 2016\n"
	split := bytes.Index(lf, []byte("\n\n"))
	withCL := func(n int) string {
		return string(lf[:split+1]) + "Content-Length: " + strconv.Itoa(n) + "\n" + string(lf[split+1:])
	}
	gBody := len(lf) - split - 2
	for _, tt := range []struct {
		name, ext string
		data      string
		verdicts  []Verdict
		codes     []string // evidence of each message, in order ("" for none required)
	}{
		{"BOM at the start of an .eml", "eml", bom + string(genuine), []Verdict{VerdictAuthentic}, []string{"archive.bom"}},
		{"BOM at the start of an LF .eml", "eml", bom + string(lf), []Verdict{VerdictAuthentic}, []string{"archive.bom"}},
		{"BOM at the start of an mbox", "mbox", bom + sep + string(lf) + "\n" + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"archive.bom", ""}},
		{"BOM after a separator line", "mbox", sep + bom + string(lf) + "\n" + sep + bom + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"archive.bom", "archive.bom"}},
		{"mbox files with BOMs concatenated", "mbox", bom + sep + string(lf) + "\n" + bom + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"archive.bom", "archive.bom"}},
		{"Java's GMT+01:00 separators", "mbox",
			"From alice@example.com Tue Mar 01 11:00:00 GMT+01:00 2016\n" + string(lf) + "\nFrom alice@example.com Tue Mar 01 11:00:00 GMT+01:00 2016\n" + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"dkim.pass", "dkim.pass"}},
		{"separator line right after the last line of a message", "mbox", sep + string(lf) + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"dkim.pass", "dkim.pass"}},
		{"Content-Length stretched over the next message: it is reported", "mbox",
			sep + withCL(gBody+1+len(sep)+len(testmail.LF(forged))+1) + "\n" + sep + string(testmail.LF(forged)) + "\n" + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAltered, VerdictAuthentic}, []string{"archive.content_length_conflict", "dkim.body_hash_mismatch", ""}},
		{"Content-Length stretched to the end of the file", "mbox",
			sep + withCL(gBody+1+len(sep)+len(testmail.LF(other))) + "\n" + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"archive.content_length_conflict", ""}},
		{"Content-Length stopping short", "mbox", sep + withCL(gBody-10) + "\n" + sep + string(testmail.LF(other)),
			[]Verdict{VerdictAuthentic, VerdictAuthentic}, []string{"archive.content_length_conflict", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs := readArchive(t, tt.ext, [][]byte{[]byte(tt.data)})
			var got []Verdict
			for i, m := range recs {
				require.NoError(t, m.Err, "record %d", i)
				a := c.Check(t.Context(), m)
				got = append(got, a.Verdict)
				if i < len(tt.codes) && tt.codes[i] != "" {
					assert.Contains(t, codesOf(a), tt.codes[i], "message %d: evidence; summary %q", i+1, a.Summary)
				}
				if a.Verdict == VerdictAuthentic {
					assert.NotContains(t, string(m.Raw), "66-6666", "an authentic record never holds the forged text")
					assert.Equal(t, 0, strings.Count(string(m.Raw), "\nFrom alice@"), "message %d holds no other message", i+1)
				}
			}
			assert.Equal(t, tt.verdicts, got, "verdicts in archive order")
		})
	}
}
