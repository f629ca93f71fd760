package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakproof/leakproof/internal/contract"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644), "writing %s", path)
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s (run go test -update to create it)", path)
	assert.Equal(t, string(want), string(got), "output differs from %s (go test -update rewrites it)", path)
}

func render(t *testing.T, w report.Writer, as []*provenance.Assessment) {
	t.Helper()
	for _, a := range as {
		require.NoError(t, w.Write(a), "Write(%s#%d)", a.File, a.Index)
	}
	require.NoError(t, w.Close(), "Close")
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name   string
		writer func(*bytes.Buffer) report.Writer
	}{
		{"fixtures.jsonl.golden", func(b *bytes.Buffer) report.Writer { return report.NewJSONWriter(b) }},
		{"fixtures.csv.golden", func(b *bytes.Buffer) report.Writer { return report.NewCSVWriter(b) }},
		{"fixtures.txt.golden", func(b *bytes.Buffer) report.Writer {
			w := report.NewTextWriter(b)
			w.NotMail("leak/notes.txt")
			return w
		}},
		{"fixtures.ftm.golden", func(b *bytes.Buffer) report.Writer { return report.NewFTMWriter(b) }},
		{"fixtures.datashare.golden", func(b *bytes.Buffer) report.Writer {
			return report.NewDatashareWriter(b, func(a *provenance.Assessment) string { return fakeDigest(a.ID, 96) })
		}},
		{"fixtures.join.golden", func(b *bytes.Buffer) report.Writer {
			return report.NewJoinWriter(b, func(a *provenance.Assessment) (string, string) { return fakeDigest(a.ID, 40), fakeDigest(a.ID, 96) })
		}},
		{"fixtures.html.golden", func(b *bytes.Buffer) report.Writer {
			w := report.NewHTMLWriter(b)
			w.NotMail("leak/notes.txt")
			w.SetManifest(fixtureManifest())
			return w
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			render(t, tt.writer(&b), fixtures())
			golden(t, tt.name, b.Bytes())
		})
	}
	for i, a := range fixtures() {
		name := "explain" + string(rune('1'+i)) + ".golden"
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, report.WriteExplanation(&b, a), "WriteExplanation(%s#%d)", a.File, a.Index)
			golden(t, name, b.Bytes())
		})
	}
}

func TestJSONContract(t *testing.T) {
	// The zero assessment is the hardest case: nothing is set, and still
	// every field must be present and nothing may be null.
	as := append(fixtures(), &provenance.Assessment{})
	var b bytes.Buffer
	render(t, report.NewJSONWriter(&b), as)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, len(as), "one JSON line per assessment")
	for i, line := range lines {
		t.Run(as[i].File+"#"+string(rune('0'+as[i].Index)), func(t *testing.T) {
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %d is one JSON object", i+1)
			contract.CheckRecord(t, rec, "record")
		})
	}
}

func TestJSONValues(t *testing.T) {
	var b bytes.Buffer
	render(t, report.NewJSONWriter(&b), fixtures()[:2])
	dec := json.NewDecoder(&b)
	var first, second map[string]any
	require.NoError(t, dec.Decode(&first), "first record")
	require.NoError(t, dec.Decode(&second), "second record")

	assert.Equal(t, "2016-03-04T04:00:00-07:00", first["date"], "date keeps the original offset")
	assert.Equal(t, "Alice Example <alice@example.com>", first["from"], "from is not HTML-escaped")
	sig := first["signatures"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(-1), sig["body_length"], "body_length is -1 without l=")
	assert.Equal(t, "", sig["reason"], "reason is empty on pass")
	assert.Equal(t, "2016-03-04T12:00:00Z", sig["timestamp"], "timestamp from t=")

	// t= and x= are Unix times: a local zone must not show through.
	a := fixtures()[0]
	a.Signatures[0].Timestamp = a.Signatures[0].Timestamp.In(time.FixedZone("CET", 3600))
	b.Reset()
	render(t, report.NewJSONWriter(&b), []*provenance.Assessment{a})
	var local map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &local), "record")
	assert.Equal(t, "2016-03-04T12:00:00Z", local["signatures"].([]any)[0].(map[string]any)["timestamp"], "timestamp is written in UTC")
	assert.Equal(t, true, sig["aligned"], "aligned")

	sig = second["signatures"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(120), sig["body_length"], "body_length from l=")
	assert.Equal(t, "dkim: body hash does not match", sig["reason"], "reason of a failure")
	assert.Equal(t, "", sig["expires"], "expires without x=")
	assert.Equal(t, "2017-11-05T09:30:00+05:30", second["date"], "date keeps a half-hour offset")
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	render(t, report.NewCSVWriter(&b), fixtures())
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err, "the CSV output parses")
	require.Len(t, rows, 1+len(fixtures()), "a header row and one row per assessment")
	assert.Equal(t, report.CSVColumns, rows[0], "header row")
	for _, row := range rows {
		assert.Len(t, row, len(report.CSVColumns), "row %v has every column", row)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	assert.Equal(t, "gmail.com", rows[2][col["signer"]], "signer column")
	assert.Equal(t, "5120", rows[2][col["size"]], "size column")
	assert.Equal(t, "mboxrd", rows[2][col["format"]], "format column")
	assert.Equal(t, "bob@gmail.com", rows[2][col["from_address"]], "from_address column")
	assert.Equal(t, "archive.lf_line_endings dkim.body_hash_mismatch header.unsigned_field", rows[2][col["evidence_codes"]], "evidence codes, space-separated")
	assert.Equal(t, fixtures()[1].ID, rows[2][col["id"]], "id column")
	assert.True(t, strings.HasPrefix(rows[3][col["subject"]], "'=HYPERLINK("), "a formula subject is defused: %q", rows[3][col["subject"]])
	assert.Equal(t, "error", rows[4][col["verdict"]], "a record with an error has the verdict error")
	assert.Equal(t, "", rows[4][col["confidence"]], "and no confidence")
	assert.Contains(t, rows[5][col["error"]], "permission denied", "the error is in the error column")
	assert.Equal(t, "", rows[5][col["summary"]], "and not in the summary")

	t.Run("empty", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, report.NewCSVWriter(&b).Close(), "Close")
		assert.Equal(t, strings.Join(report.CSVColumns, ",")+"\n", b.String(), "an empty run still has the header row")
	})
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	w := report.NewTextWriter(&b)
	render(t, w, fixtures())
	out := b.String()
	assert.NotContains(t, out, "\x1b", "no escape character reaches the terminal")
	assert.NotContains(t, out, "\u202E", "no bidi override reaches the terminal")
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "leak/") || strings.HasPrefix(line, "…") {
			assert.LessOrEqual(t, len([]rune(line)), 130, "table line %d is terminal-friendly: %q", i, line)
		}
	}
	assert.Equal(t, report.Tally{Authentic: 1, Altered: 1, Unverifiable: 1, Unreadable: 2}, w.Tally(), "tally")
}

func TestTally(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   report.Tally
		want string
	}{
		{"empty", report.Tally{}, "0 messages: 0 authentic, 0 altered, 0 unverifiable"},
		{"one", report.Tally{Authentic: 1}, "1 message: 1 authentic, 0 altered, 0 unverifiable"},
		{"everything", report.Tally{Authentic: 3, Altered: 2, Unverifiable: 3, Unreadable: 1, NotMail: 2},
			"8 messages: 3 authentic, 2 altered, 3 unverifiable; 1 unreadable; 2 non-mail files skipped"},
		{"one skipped", report.Tally{NotMail: 1}, "0 messages: 0 authentic, 0 altered, 0 unverifiable; 1 non-mail file skipped"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.String(), "Tally%+v.String()", tt.in)
		})
	}
	var tl report.Tally
	for _, a := range append(fixtures(), &provenance.Assessment{}) {
		tl.Add(a)
	}
	assert.Equal(t, report.Tally{Authentic: 1, Altered: 1, Unverifiable: 1, Unreadable: 3}, tl,
		"Add counts errors and verdict-less assessments as unreadable")
}

// TestExplanationIsLaidOutNotWritten: every sentence about the message
// comes from the assessment's Explanation; the report adds none of its own
// about signatures or coverage, so the two can never disagree.
func TestExplanationIsLaidOutNotWritten(t *testing.T) {
	a := fixtures()[1]
	var b bytes.Buffer
	require.NoError(t, report.WriteExplanation(&b, a), "WriteExplanation")
	out := strings.Join(strings.Fields(b.String()), " ")
	for _, p := range a.Explanation.Paragraphs() {
		if strings.HasPrefix(p, "What to do next (") {
			continue // laid out as "(code) text" under its own heading
		}
		assert.Contains(t, out, strings.Join(strings.Fields(p), " "), "the explanation's sentence is shown")
	}
	assert.Contains(t, out, "(dkim.body_hash_mismatch) Compare the text", "the next steps are shown")

	a.Explanation = provenance.Explanation{}
	b.Reset()
	require.NoError(t, report.WriteExplanation(&b, a), "WriteExplanation")
	for _, words := range []string{"proven", "verifies", "Header signature", "Body hash", "ARC chain"} {
		assert.NotContains(t, b.String(), words, "with no explanation the report says nothing about signatures or coverage")
	}
}

func TestExplanationCleansText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, report.WriteExplanation(&b, fixtures()[2]), "WriteExplanation")
	assert.NotContains(t, b.String(), "\x1b", "no escape character in explain output")
	assert.NotContains(t, b.String(), "\u202E", "no bidi override in explain output")
	assert.Contains(t, b.String(), "UNVERIFIABLE", "the verdict is shown")
}

// TestTextKeepsDomainEnds checks that a long signing domain or From address
// is cut at the front: the owner of a domain is at its right end, so
// "example.com.secure-login.evil.example" must not read as example.com.
func TestTextKeepsDomainEnds(t *testing.T) {
	long := "example.com.secure-login.accounts.evil.example"
	a := &provenance.Assessment{File: "leak.mbox", Index: 1, Verdict: provenance.VerdictAuthentic,
		Confidence: provenance.ConfidenceHigh, Signer: long, FromAddress: "alice@" + long, Subject: "Hi"}
	var b bytes.Buffer
	w := report.NewTextWriter(&b)
	require.NoError(t, w.Write(a), "Write")
	require.NoError(t, w.Close(), "Close")
	line := strings.Split(b.String(), "\n")[1]
	assert.Contains(t, line, "evil.example  ", "the signer column keeps the domain's end: %q", line)
	assert.Contains(t, line, "…", "the cut is marked: %q", line)
	assert.NotContains(t, line, "example.com.sec", "no cut leaves a look-alike prefix: %q", line)
}
