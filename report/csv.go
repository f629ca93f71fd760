package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakproof/leakproof/provenance"
)

// CSVColumns are the columns a CSVWriter writes, in order (docs/json.md,
// "CSV"). signer is the d= of the signature that decided the verdict;
// evidence_codes the codes of the evidence, space-separated.
var CSVColumns = []string{
	"id", "file", "entry", "index", "offset", "size", "sha256", "format", "message_id",
	"from", "from_address", "subject", "date", "verdict", "confidence", "signer",
	"evidence_codes", "summary", "error",
}

// A CSVWriter writes a header row and then one row per assessment. A record
// with an error has the verdict "error", an empty confidence and summary,
// and the error in the error column.
type CSVWriter struct {
	w           *csv.Writer
	wroteHeader bool
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w)}
}

// Write writes the row for a (and the header row first).
func (c *CSVWriter) Write(a *provenance.Assessment) error {
	if err := c.header(); err != nil {
		return err
	}
	summary, verdict, confidence, errText := a.Summary, a.Verdict.String(), a.Confidence.String(), ""
	if a.Err != nil {
		summary, verdict, confidence, errText = "", "error", "", a.Err.Error()
	}
	codes := make([]string, 0, len(a.Evidence))
	for _, e := range a.Evidence {
		codes = append(codes, e.Code)
	}
	row := []string{
		a.ID,
		cell(a.File),
		strconv.Itoa(a.Entry),
		strconv.Itoa(a.Index),
		strconv.FormatInt(a.Offset, 10),
		strconv.FormatInt(a.Size, 10),
		a.SHA256,
		cell(a.Format.String()),
		cell(a.MessageID),
		cell(a.From),
		cell(a.FromAddress),
		cell(a.Subject),
		rfc3339(a.Date),
		verdict,
		confidence,
		cell(a.Signer),
		cell(strings.Join(codes, " ")),
		cell(summary),
		cell(errText),
	}
	if err := c.w.Write(row); err != nil {
		return err
	}
	// Flush per row: memory stays flat, and a reader sees rows as they come.
	c.w.Flush()
	return c.w.Error()
}

// Close writes the header row if no row was written, and flushes.
func (c *CSVWriter) Close() error {
	if err := c.header(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

func (c *CSVWriter) header() error {
	if c.wroteHeader {
		return nil
	}
	c.wroteHeader = true
	return c.w.Write(CSVColumns)
}

// cell defuses spreadsheet formulas: a cell whose first character other
// than whitespace is one a spreadsheet starts a formula or a DDE command
// with gets a leading single quote. Whitespace counts for nothing because
// spreadsheets skip it (a tab or CR before "=" still runs); the full-width
// and small forms of the triggers count too, because some spreadsheets
// (in East Asian locales) fold them to ASCII when a cell is typed or
// imported.
func cell(s string) string {
	// Cleaned like the text table: CSV often ends up on a terminal (cat,
	// less) and in spreadsheets, where control and bidirectional
	// characters do harm and nothing good; JSON keeps the text as decoded.
	s = clean(s)
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if t == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(t)
	if strings.ContainsRune(formulaTriggers, r) {
		return "'" + s
	}
	return s
}

// formulaTriggers are the characters a spreadsheet cell starting with
// runs as a formula or command: = + - @ (formulas), | (DDE in Excel), %
// (Lotus-style in LibreOffice), in ASCII, full-width (U+FF1D ...) and
// small (U+FE62 ...) forms.
const formulaTriggers = "=+-@|%\uff1d\uff0b\uff0d\uff20\uff5c\uff05\ufe66\ufe62\ufe63\ufe6b\ufe6a\u2212"
