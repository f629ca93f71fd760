// Package report renders [provenance.Assessment] values for people and for
// other programs: a compact text table, JSON Lines, CSV, and the
// plain-language account that `leakproof explain` prints.
//
// # Formats
//
//   - [JSONWriter]: one JSON object per message, exactly the contract of
//     docs/json.md: every field is always present, a missing
//     value is "", 0, false or [], never null.
//   - [CSVWriter]: one row per message with the columns of [CSVColumns],
//     after a header row.
//   - [TextWriter]: a table with one line per message, cut to
//     terminal-friendly widths, and a summary line.
//   - [HTMLWriter]: a self-contained page, no script and nothing loaded
//     from the network, with a collapsible section per message; a large
//     report, from [NewPagedHTMLWriter], is an index page and page files.
//   - [WriteExplanation]: everything known about one message, in plain words.
//
// # Hostile input
//
// Header text in a leak is untrusted. The text, CSV and HTML renderings replace control
// characters, invalid UTF-8 and Unicode bidirectional controls, so a subject
// cannot move the cursor, clear the screen or reorder what a reader sees.
// The CSV rendering puts a single quote before a cell that starts with
// =, +, -, @, tab or carriage return, so a spreadsheet shows the text
// instead of running it as a formula (OWASP's advice on CSV injection). JSON
// carries the text as it was decoded.
//
// The writers are not safe for concurrent use; the renderers never decide a
// verdict, they only show the one in the assessment.
package report

import (
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/provenance"
)

// A Writer renders a stream of assessments in archive order. Close finishes
// the output (a summary line, a CSV header when nothing was written) and
// does not close the underlying io.Writer.
type Writer interface {
	Write(a *provenance.Assessment) error
	Close() error
}

// A RecordEncoder is a Writer whose records can be encoded apart from
// being written: AppendRecord in any goroutine (several at once, as
// provenance.Checker.RunEncoded calls it), WriteRecord in archive order.
// WriteRecord(a, AppendRecord(nil, a)) writes what Write(a) writes.
// JSONWriter, CSVWriter and TextWriter are RecordEncoders.
type RecordEncoder interface {
	Writer
	// AppendRecord appends a's record to dst and returns the extended
	// slice. It is safe for concurrent use, also with WriteRecord.
	AppendRecord(dst []byte, a *provenance.Assessment) []byte
	// WriteRecord writes rec, which AppendRecord made from a.
	WriteRecord(a *provenance.Assessment, rec []byte) error
}

// A Tally counts what a run found. The zero value is an empty tally.
type Tally struct {
	Authentic    int // messages with the verdict authentic
	Altered      int // messages with the verdict altered
	Unverifiable int // messages with the verdict unverifiable
	Unreadable   int // records with an error: a message or a whole file that could not be read
	NotMail      int // files skipped because they are not mail
}

// Add counts one assessment.
func (t *Tally) Add(a *provenance.Assessment) {
	if a.Err != nil {
		t.Unreadable++
		return
	}
	switch a.Verdict {
	case provenance.VerdictAuthentic:
		t.Authentic++
	case provenance.VerdictAltered:
		t.Altered++
	case provenance.VerdictUnverifiable:
		t.Unverifiable++
	default:
		// An assessment with neither a verdict nor an error is a bug
		// upstream; counting it as unreadable keeps the totals honest.
		t.Unreadable++
	}
}

// Messages returns how many messages got a verdict.
func (t Tally) Messages() int { return t.Authentic + t.Altered + t.Unverifiable }

// String returns the summary line, for example
// "8 messages: 3 authentic, 2 altered, 3 unverifiable; 1 unreadable; 1 non-mail file skipped".
func (t Tally) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d authentic, %d altered, %d unverifiable",
		plural(t.Messages(), "message", "messages"), t.Authentic, t.Altered, t.Unverifiable)
	if t.Unreadable > 0 {
		fmt.Fprintf(&b, "; %d unreadable", t.Unreadable)
	}
	if t.NotMail > 0 {
		fmt.Fprintf(&b, "; %s skipped", plural(t.NotMail, "non-mail file", "non-mail files"))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
