package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/leakproof/leakproof/provenance"
)

// CSVColumns are the columns a CSVWriter writes, in order (docs/json.md,
// "CSV"). signer is the d= of the signature that decided the verdict.
var CSVColumns = []string{"file", "index", "offset", "sha256", "message_id", "from", "subject", "date", "verdict", "confidence", "signer", "summary"}

// A CSVWriter writes a header row and then one row per assessment. A record
// with an error has an empty verdict and the error as its summary.
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
	summary, verdict, confidence := a.Summary, a.Verdict.String(), a.Confidence.String()
	if a.Err != nil {
		summary, verdict, confidence = "error: "+a.Err.Error(), "", ""
	}
	row := []string{
		cell(a.File),
		strconv.Itoa(a.Index),
		strconv.FormatInt(a.Offset, 10),
		a.SHA256,
		cell(a.MessageID),
		cell(a.From),
		cell(a.Subject),
		rfc3339(a.Date),
		verdict,
		confidence,
		cell(a.Signer),
		cell(summary),
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
