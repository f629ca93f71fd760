package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

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

// cell defuses spreadsheet formulas: a cell that starts with one of the
// characters a spreadsheet treats as a formula gets a leading single quote.
func cell(s string) string {
	// Cleaned like the text table: CSV often ends up on a terminal (cat,
	// less) and in spreadsheets, where control and bidirectional
	// characters do harm and nothing good; JSON keeps the text as decoded.
	s = clean(s)
	if s == "" {
		return s
	}
	switch s[0] { // a tab or CR, which spreadsheets also act on, is a space by now
	case '=', '+', '-', '@':
		return "'" + s
	}
	return s
}
