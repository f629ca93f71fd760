package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplainGolden(t *testing.T) {
	dir := inRoot(t)
	for _, tt := range []struct {
		name    string
		args    []string
		fixture string
		code    int
	}{
		// Message 3 of the sample is altered (its body was changed after
		// signing), message 4 too (a header); see testdata/README.md.
		{"explain_altered_body", []string{"explain", "--keys", "testdata/keys.jsonl", "--index", "3", "testdata/sample.mbox"}, "testdata/sample.mbox", 0},
		{"explain_altered_header", []string{"explain", "--keys", "testdata/keys.jsonl", "--index", "4", "testdata/sample.mbox"}, "testdata/sample.mbox", 0},
		{"explain_authentic", []string{"explain", "--keys", "testdata/keys.jsonl", "testdata/sample.mbox"}, "testdata/sample.mbox", 0},
		{"explain_no_key", []string{"explain", "--keys", "testdata/keys.jsonl", "--index", "6", "testdata/sample.mbox"}, "testdata/sample.mbox", 0},
		{"explain_zip_file", []string{"explain", "--keys", "testdata/keys.jsonl", "--file", "Mail/inbox.mbox", "--index", "2", "testdata/formats/archive.zip"}, "testdata/formats/archive.zip", 0},
		{"explain_first_file", []string{"explain", "--keys", "testdata/keys.jsonl", "testdata/formats/eml"}, "testdata/formats/eml", 0},
		{"explain_arc_broken_seal", []string{"explain", "--keys", "testdata/keys.jsonl", "--keys", "testdata/arc/keys.jsonl", "--file", "broken_seal_i2.eml", "testdata/arc"}, "testdata/arc", 0},
		{"explain_no_such_index", []string{"explain", "--index", "99", "testdata/sample.mbox"}, "testdata/sample.mbox", 2},
		{"explain_no_such_file", []string{"explain", "--file", "Mail/none.eml", "testdata/formats/archive.zip"}, "testdata/formats/archive.zip", 2},
		{"explain_missing_path", []string{"explain", "testdata/no-such.mbox"}, "testdata/sample.mbox", 1},
		{"explain_not_mail", []string{"explain", "testdata/formats/notes.txt"}, "testdata/formats/notes.txt", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			needFile(t, tt.fixture)
			r := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, r.code, "exit status of leakproof %q; stderr: %s", tt.args, r.stderr)
			golden(t, dir, tt.name, r)
		})
	}
}
