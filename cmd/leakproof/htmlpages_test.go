package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyHTMLPages: --format html --out FILE writes a report too large
// for one page as FILE and the folder FILE.pages; a later run replaces the
// folder, or removes it when its report fits on one page; a folder of that
// name holding anything else is left alone and the run refused.
func TestVerifyHTMLPages(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/archive")
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	folder := filepath.Join(dir, "report.pages")
	pages := func() []string {
		entries, err := os.ReadDir(folder)
		if os.IsNotExist(err) {
			return nil
		}
		require.NoError(t, err, "read %s", folder)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	verify := func(args ...string) result {
		return runCLI(t, append(append([]string{"verify", "--keys", "testdata/keys.jsonl", "--format", "html", "--out", out}, args...), "testdata/archive")...)
	}

	r := verify("--page-size", "6")
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Equal(t, []string{"page-0001.html", "page-0002.html", "page-0003.html", "page-0004.html"}, pages(), "20 messages, 6 to a page")
	index, err := os.ReadFile(out)
	require.NoError(t, err, "the index page")
	assert.Contains(t, string(index), `<a href="./report.pages/page-0004.html">4</a>`, "the index links to the last page")
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	assert.Empty(t, leftovers, "no temporary file or folder is left")

	r = verify("--page-size", "10")
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Equal(t, []string{"page-0001.html", "page-0002.html"}, pages(), "the earlier pages are replaced")

	r = verify()
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Empty(t, pages(), "a report of one page removes the earlier report's pages")
	_, err = os.Stat(folder)
	assert.True(t, os.IsNotExist(err), "no folder of pages")
	index, err = os.ReadFile(out)
	require.NoError(t, err, "the report")
	assert.Equal(t, 20, strings.Count(string(index), "<details class="), "one page with the 20 messages")

	require.NoError(t, os.Mkdir(folder, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(folder, "notes.txt"), []byte("mine"), 0o644))
	r = verify("--page-size", "6")
	assert.Equal(t, exitInput, r.code, "a folder holding other files refuses the run")
	assert.Contains(t, r.stderr, "notes.txt, which is not a page of a report", "and says why")
	assert.Equal(t, []string{"notes.txt"}, pages(), "the folder is left as it was")

	r = runCLI(t, "verify", "--format", "json", "--page-size", "6", "testdata/archive")
	assert.Equal(t, exitUsage, r.code, "--page-size without --format html is a usage error")
}

// TestVerifyHTMLDefaultPages: with --out, a run of more than 1000 messages
// is split into pages of 1000; to stdout it is one page, with a note that
// says how to split it.
func TestVerifyHTMLDefaultPages(t *testing.T) {
	dir := t.TempDir()
	var mbox strings.Builder
	for i := range 1001 {
		fmt.Fprintf(&mbox, "From a@example.com Thu Mar  3 12:00:00 2016\nFrom: a@example.com\nSubject: note %d\nMessage-ID: <%d@example.com>\n\nhi\n\n", i, i)
	}
	path := filepath.Join(dir, "big.mbox")
	require.NoError(t, os.WriteFile(path, []byte(mbox.String()), 0o644))

	r := runCLI(t, "verify", "--format", "html", path)
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Equal(t, 1001, strings.Count(r.stdout, "<details class="), "one page with every message")
	assert.Contains(t, r.stderr, "the HTML report holds 1001 messages on one page", "a note says the page is large")

	out := filepath.Join(dir, "big.html")
	r = runCLI(t, "verify", "--format", "html", "--out", out, path)
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.NotContains(t, r.stderr, "on one page", "no note when the report is split")
	entries, err := os.ReadDir(filepath.Join(dir, "big.pages"))
	require.NoError(t, err, "the folder of pages")
	require.Len(t, entries, 2, "1001 messages, 1000 to a page")
	last, err := os.ReadFile(filepath.Join(dir, "big.pages", entries[1].Name()))
	require.NoError(t, err, "the last page")
	assert.Equal(t, 1, strings.Count(string(last), "<details class="), "the last page holds the 1001st message")
}
