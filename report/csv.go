package report

import (
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
// and the error in the error column. Rows are written as encoding/csv
// writes them (a field quoted only when it must be, LF line ends), each in
// one Write to the underlying writer.
type CSVWriter struct {
	w           io.Writer
	buf         []byte
	wroteHeader bool
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: w}
}

// Write writes the row for a (and the header row first).
func (c *CSVWriter) Write(a *provenance.Assessment) error {
	c.buf = c.AppendRecord(c.buf[:0], a)
	return c.WriteRecord(a, c.buf)
}

// AppendRecord appends the row Write writes for a (not the header row) to
// dst and returns the extended slice. It is safe for concurrent use.
func (c *CSVWriter) AppendRecord(dst []byte, a *provenance.Assessment) []byte {
	summary, verdict, confidence, errText := a.Summary, a.Verdict.String(), a.Confidence.String(), ""
	if a.Err != nil {
		summary, verdict, confidence, errText = "", "error", "", a.Err.Error()
	}
	var codes []byte
	for i, e := range a.Evidence {
		if i > 0 {
			codes = append(codes, ' ')
		}
		codes = append(codes, e.Code...)
	}
	var num [20]byte
	dst = appendCSVField(dst, a.ID, false)
	dst = appendCSVField(dst, cell(a.File), true)
	dst = appendCSVField(dst, string(strconv.AppendInt(num[:0], int64(a.Entry), 10)), true)
	dst = appendCSVField(dst, string(strconv.AppendInt(num[:0], int64(a.Index), 10)), true)
	dst = appendCSVField(dst, string(strconv.AppendInt(num[:0], a.Offset, 10)), true)
	dst = appendCSVField(dst, string(strconv.AppendInt(num[:0], a.Size, 10)), true)
	dst = appendCSVField(dst, a.SHA256, true)
	dst = appendCSVField(dst, cell(a.Format.String()), true)
	dst = appendCSVField(dst, cell(a.MessageID), true)
	dst = appendCSVField(dst, cell(a.From), true)
	dst = appendCSVField(dst, cell(a.FromAddress), true)
	dst = appendCSVField(dst, cell(a.Subject), true)
	dst = appendCSVField(dst, rfc3339(a.Date), true)
	dst = appendCSVField(dst, verdict, true)
	dst = appendCSVField(dst, confidence, true)
	dst = appendCSVField(dst, cell(a.Signer), true)
	dst = appendCSVField(dst, cell(string(codes)), true)
	dst = appendCSVField(dst, cell(summary), true)
	dst = appendCSVField(dst, cell(errText), true)
	return append(dst, '\n')
}

// WriteRecord writes rec, a row made by AppendRecord, after the header row
// if it is the first.
func (c *CSVWriter) WriteRecord(_ *provenance.Assessment, rec []byte) error {
	if err := c.header(); err != nil {
		return err
	}
	_, err := c.w.Write(rec)
	return err
}

// Close writes the header row if no row was written.
func (c *CSVWriter) Close() error {
	return c.header()
}

func (c *CSVWriter) header() error {
	if c.wroteHeader {
		return nil
	}
	c.wroteHeader = true
	var row []byte
	for i, col := range CSVColumns {
		row = appendCSVField(row, col, i > 0)
	}
	_, err := c.w.Write(append(row, '\n'))
	return err
}

// appendCSVField appends field as encoding/csv's Writer writes it, after
// a comma if comma is set: quoted when it holds a quote, a comma, CR or LF,
// starts with a space (unicode.IsSpace), or is exactly \. (which would end
// a PostgreSQL COPY), with quotes doubled.
func appendCSVField(dst []byte, field string, comma bool) []byte {
	if comma {
		dst = append(dst, ',')
	}
	quote := field == `\.`
	if !quote && field != "" {
		quote = strings.ContainsAny(field, "\"\r\n,")
		if !quote {
			r, _ := utf8.DecodeRuneInString(field)
			quote = unicode.IsSpace(r)
		}
	}
	if !quote {
		return append(dst, field...)
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(field, '"')
		if i < 0 {
			break
		}
		dst = append(dst, field[:i+1]...)
		dst = append(dst, '"')
		field = field[i+1:]
	}
	dst = append(dst, field...)
	return append(dst, '"')
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
