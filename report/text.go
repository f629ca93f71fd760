package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leakproof/leakproof/provenance"
)

// Column widths of the text table, in runes. The line is at most about 124
// columns wide; the last column is not padded.
const (
	widthMessage    = 28
	widthVerdict    = 12
	widthConfidence = 6
	widthSigner     = 16
	widthFrom       = 24
	widthSubject    = 28
)

// Reminder is the sentence every text report and explanation ends with:
// what a verdict does and does not say.
const Reminder = `"authentic" means sent as shown by the signing domain's mail system, not that the content is true; ` +
	`a signature proves the account, not the person.`

// textHint follows Reminder under the table.
const textHint = `Run "leakproof explain" on a message for the details.`

// A TextWriter writes a compact table, one line per message, and at Close a
// summary line with the counts per verdict, the unreadable records and the
// skipped non-mail files, followed by [Reminder]. The FROM column shows the
// address when From is exactly one mailbox, else the From text.
//
// Text from the messages is cleaned of control characters and cut to the
// column widths; a cut is marked with "…". A long path is cut in the
// middle: it keeps its top folder and the file name with the message's
// number (leak/…/1490000000.M1P2.host:2,S#1), and a file name too long for
// the column widens the line rather than lose what identifies the message.
// Signing domains and From addresses keep their end, where the domain that
// owns them is.
type TextWriter struct {
	w      io.Writer
	tally  Tally
	codes  map[string]int
	pass   *provenance.ArchiveSummary
	header bool
	err    error
}

// NewTextWriter returns a TextWriter writing to w.
func NewTextWriter(w io.Writer) *TextWriter {
	return &TextWriter{w: w}
}

// Write writes the line for a, and the column headings before the first line.
func (t *TextWriter) Write(a *provenance.Assessment) error {
	return t.WriteRecord(a, t.AppendRecord(nil, a))
}

// AppendRecord appends the line Write writes for a (not the column
// headings) to dst and returns the extended slice. It is safe for
// concurrent use.
func (t *TextWriter) AppendRecord(dst []byte, a *provenance.Assessment) []byte {
	msg := a.File
	if a.Index > 0 {
		msg += "#" + strconv.Itoa(a.Index)
	}
	if a.Err != nil {
		return fmt.Appendf(dst, "%s  %s  %s\n", padPath(msg, widthMessage), pad("error", widthVerdict, false),
			fit(a.Err.Error(), widthConfidence+widthSigner+widthFrom+widthSubject+6, false))
	}
	// The address is what a signature can vouch for; the display name is
	// free text anyone can write.
	from := a.FromAddress
	if from == "" {
		from = a.From
	}
	return appendLine(dst, msg, a.Verdict.String(), a.Confidence.String(), a.Signer, from, a.Subject)
}

// WriteRecord counts a and writes rec, a line made by AppendRecord, after
// the column headings if it is the first.
func (t *TextWriter) WriteRecord(a *provenance.Assessment, rec []byte) error {
	t.tally.Add(a)
	if t.codes == nil {
		t.codes = map[string]int{}
	}
	for _, e := range a.Evidence {
		t.codes[e.Code]++
	}
	if !t.header {
		t.header = true
		t.printf("%s", appendLine(nil, "MESSAGE", "VERDICT", "CONF", "SIGNER", "FROM", "SUBJECT"))
	}
	if t.err == nil {
		_, t.err = t.w.Write(rec)
	}
	return t.err
}

// NotMail counts a file that was skipped because it is not mail.
func (t *TextWriter) NotMail(file string) { t.tally.NotMail++ }

// Tally returns the counts so far.
func (t *TextWriter) Tally() Tally { return t.tally }

// SetArchiveSummary sets what the archive pass found, which Close shows
// under the counts.
func (t *TextWriter) SetArchiveSummary(s provenance.ArchiveSummary) { t.pass = &s }

// Close writes the summary line (the counts per verdict), the five most
// frequent evidence codes, what the archive pass found, and the reminder.
func (t *TextWriter) Close() error {
	if t.header {
		t.printf("\n")
	}
	t.printf("%s\n", t.tally)
	if top := topCodes(t.codes, 5); len(top) > 0 {
		parts := make([]string, len(top))
		for i, c := range top {
			parts[i] = fmt.Sprintf("%s (%d)", c.Code, c.N)
		}
		for _, l := range wrap("Most frequent evidence: "+strings.Join(parts, ", ")+".", 100) {
			t.printf("%s\n", l)
		}
	}
	if p := passWords(t.pass); p != "" {
		for _, l := range wrap(p, 100) {
			t.printf("%s\n", l)
		}
	}
	for _, l := range wrap(Reminder+" "+textHint, 100) {
		t.printf("%s\n", l)
	}
	return t.err
}

func appendLine(dst []byte, msg, verdict, confidence, signer, from, subject string) []byte {
	s := strings.Join([]string{
		padPath(msg, widthMessage),
		pad(verdict, widthVerdict, false),
		pad(confidence, widthConfidence, false),
		// Domains are read from the right: cutting the end would show
		// "example.com.sec…" for a domain that belongs to someone else.
		pad(signer, widthSigner, true),
		pad(from, widthFrom, true),
		fit(subject, widthSubject, false),
	}, "  ")
	dst = append(dst, strings.TrimRight(s, " ")...)
	return append(dst, '\n')
}

// printf writes unless an earlier write failed; the first error sticks.
func (t *TextWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// maxName is the longest file name the table shows whole, wider than its
// column if need be; a longer one (a hostile zip entry name can be 64 KiB)
// is cut in its middle.
const maxName = 120

// fitPath cleans a path and cuts it to width runes in its middle, keeping
// the top folder and the last part (the file name and "#index"), and as
// many of the folders before the last part as fit: the top folder says
// which archive, the end which message. When the last part alone is wider
// than width it is kept whole up to maxName runes.
func fitPath(p string, width int) string {
	p = clean(p)
	if utf8.RuneCountInString(p) <= width {
		return p
	}
	parts := strings.Split(p, "/")
	name := parts[len(parts)-1]
	if len(parts) > 2 {
		top := parts[0]
		if top == "" { // an absolute path: its first folder
			top = "/" + parts[1]
		}
		if s := top + "/…/" + tail(parts, name, width-utf8.RuneCountInString(top)-3); utf8.RuneCountInString(s) <= width {
			return s
		}
	}
	if len(parts) > 1 {
		if s := "…/" + tail(parts, name, width-2); utf8.RuneCountInString(s) <= width {
			return s
		}
	}
	runes := []rune(name)
	if len(runes) <= maxName {
		return name
	}
	// Keep the start and, longer, the end, where the extension and the
	// message's number are.
	head := maxName / 3
	return string(runes[:head]) + "…" + string(runes[len(runes)-(maxName-head-1):])
}

// tail returns name with as many of the folders before it in parts as fit
// in width runes.
func tail(parts []string, name string, width int) string {
	for i := len(parts) - 2; i > 1; i-- {
		longer := parts[i] + "/" + name
		if utf8.RuneCountInString(longer) > width {
			break
		}
		name = longer
	}
	return name
}

// padPath fits a path into width runes and pads it with spaces to width;
// a path that cannot fit is left wider.
func padPath(p string, width int) string {
	p = fitPath(p, width)
	if n := utf8.RuneCountInString(p); n < width {
		p += strings.Repeat(" ", width-n)
	}
	return p
}
