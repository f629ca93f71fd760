package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyArchivePass runs verify over the generated leak of
// testdata/archive, with and without the archive pass: golden outputs.
func TestVerifyArchivePass(t *testing.T) {
	dir := inRoot(t)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"verify_text_archive", []string{"verify", "--keys", "testdata/keys.jsonl", "testdata/archive"}},
		{"verify_json_archive", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/archive"}},
		{"verify_text_archive_no_pass", []string{"verify", "--keys", "testdata/keys.jsonl", "--no-archive-pass", "testdata/archive"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			needFile(t, "testdata/archive")
			golden(t, dir, tt.name, runCLI(t, tt.args...))
		})
	}
}

// TestVerifyArchivePassSpool: the records and the paragraphs wait in
// temporary files beside --out, which are gone when the run ends, in
// verify and in merge.
func TestVerifyArchivePassSpool(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/archive")
	shards := runShards(t, t.TempDir(), 2, []string{"--keys", "testdata/keys.jsonl"}, []string{"testdata/archive"})
	for _, tt := range []struct {
		name         string
		flags, paths []string
	}{
		{"verify", []string{"verify", "--keys", "testdata/keys.jsonl"}, []string{"testdata/archive"}},
		{"merge", []string{"merge"}, shards},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.jsonl")
			r := runCLI(t, slices.Concat(tt.flags, []string{"--format", "json", "--out", out}, tt.paths)...)
			require.Equal(t, 0, r.code, "exit status; stderr %s", r.stderr)
			entries, err := os.ReadDir(filepath.Dir(out))
			require.NoError(t, err, "read the folder of --out")
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			assert.Equal(t, []string{"report.jsonl"}, names, "only the report is left beside --out")
			data, err := os.ReadFile(out)
			require.NoError(t, err, "read --out")
			assert.Contains(t, string(data), `"code":"copies.conflict"`, "the report has the archive pass's evidence")
			assert.Contains(t, string(data), `"code":"thread.quoted_by"`, "the report has the thread rules' evidence")
			assert.Equal(t, 20, strings.Count(string(data), "\n"), "one record per message")
		})
	}
}
