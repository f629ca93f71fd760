package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/report"
)

// TestNewsroom builds the example with the go tool and runs it on the
// sample archive, as the desk would.
func TestNewsroom(t *testing.T) {
	root := testenv.ModuleRoot(t)
	bin := filepath.Join(t.TempDir(), "newsroom")
	gotool, err := exec.LookPath("go")
	require.NoError(t, err, "finding the go command")
	out, err := exec.CommandContext(t.Context(), gotool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build of the example: %s", out)

	csvPath := filepath.Join(t.TempDir(), "authentic.csv")
	cmd := exec.CommandContext(t.Context(), bin, "--keys", "testdata/keys.jsonl", "--domains", "example.com, News.Example.",
		"--out", csvPath, "testdata/sample.mbox", "testdata/formats/archive.zip")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "running the example: %s", stderr.String())

	f, err := os.Open(csvPath)
	require.NoError(t, err, "the CSV was written")
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err, "the CSV parses")
	require.NotEmpty(t, rows, "a header row")
	assert.Equal(t, report.CSVColumns, rows[0], "the columns of leakproof verify --format csv")
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	var kept []string
	for _, r := range rows[1:] {
		assert.Equal(t, "authentic", r[col["verdict"]], "only authentic messages: %v", r)
		from := r[col["from_address"]]
		assert.True(t, strings.HasSuffix(from, "@example.com") || strings.HasSuffix(from, "@news.example"), "only the domains asked for: %s", from)
		kept = append(kept, r[col["file"]]+"#"+r[col["index"]])
	}
	assert.Equal(t, []string{
		"testdata/sample.mbox#1", "testdata/sample.mbox#2", "testdata/sample.mbox#8",
		"testdata/formats/archive.zip/Mail/eml/1.eml#1", "testdata/formats/archive.zip/Mail/eml/2.eml#1",
		"testdata/formats/archive.zip/Mail/inbox.mbox#1", "testdata/formats/archive.zip/Mail/inbox.mbox#3",
	}, kept, "the messages kept, in archive order")
	assert.Contains(t, stderr.String(), "kept 7 authentic messages from example.com, news.example; left out 2 authentic from other domains, 4 not authentic", "the summary")
	assert.Contains(t, stderr.String(), "1 files that are not mail", "the summary counts what was left out")

	usage := exec.CommandContext(t.Context(), bin, "testdata/sample.mbox")
	err = usage.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the example without --domains fails")
	assert.Equal(t, 2, exit.ExitCode(), "usage error exit status")
}

func TestFromDomain(t *testing.T) {
	domains := []string{"example.com"}
	for addr, want := range map[string]bool{
		"alice@example.com":      true,
		"bob@mail.example.com":   true,
		"eve@badexample.com":     false,
		"eve@example.com.evil":   false,
		"":                       false,
		"no-at-sign.example.com": false,
	} {
		assert.Equal(t, want, fromDomain(addr, domains), "fromDomain(%q)", addr)
	}
}
