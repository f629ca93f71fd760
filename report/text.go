package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

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
// column widths; a cut is marked with "…". Paths, signing domains and From
// addresses keep their end, where the domain that owns them is.
type TextWriter struct {
	w      io.Writer
	tally  Tally
	header bool
	err    error
}

// NewTextWriter returns a TextWriter writing to w.
func NewTextWriter(w io.Writer) *TextWriter {
	return &TextWriter{w: w}
}

// Write writes the line for a, and the column headings before the first line.
func (t *TextWriter) Write(a *provenance.Assessment) error {
	t.tally.Add(a)
	if !t.header {
		t.header = true
		t.line("MESSAGE", "VERDICT", "CONF", "SIGNER", "FROM", "SUBJECT")
	}
	msg := a.File
	if a.Index > 0 {
		msg += "#" + strconv.Itoa(a.Index)
	}
	if a.Err != nil {
		t.printf("%s  %s  %s\n", pad(msg, widthMessage, true), pad("error", widthVerdict, false),
			fit(a.Err.Error(), widthConfidence+widthSigner+widthFrom+widthSubject+6, false))
		return t.err
	}
	// The address is what a signature can vouch for; the display name is
	// free text anyone can write.
	from := a.FromAddress
	if from == "" {
		from = a.From
	}
	t.line(msg, a.Verdict.String(), a.Confidence.String(), a.Signer, from, a.Subject)
	return t.err
}

// NotMail counts a file that was skipped because it is not mail.
func (t *TextWriter) NotMail(file string) { t.tally.NotMail++ }

// Tally returns the counts so far.
func (t *TextWriter) Tally() Tally { return t.tally }

// Close writes the summary line and the reminder.
func (t *TextWriter) Close() error {
	if t.header {
		t.printf("\n")
	}
	t.printf("%s\n", t.tally)
	for _, l := range wrap(Reminder+" "+textHint, 100) {
		t.printf("%s\n", l)
	}
	return t.err
}

func (t *TextWriter) line(msg, verdict, confidence, signer, from, subject string) {
	s := strings.Join([]string{
		pad(msg, widthMessage, true),
		pad(verdict, widthVerdict, false),
		pad(confidence, widthConfidence, false),
		// Domains are read from the right: cutting the end would show
		// "example.com.sec…" for a domain that belongs to someone else.
		pad(signer, widthSigner, true),
		pad(from, widthFrom, true),
		fit(subject, widthSubject, false),
	}, "  ")
	t.printf("%s\n", strings.TrimRight(s, " "))
}

// printf writes unless an earlier write failed; the first error sticks.
func (t *TextWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}
