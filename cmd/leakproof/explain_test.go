package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		// The archive pass weighs the message against the rest of PATH
		// (testdata/archive/README.md tells what was planted): a copy
		// whose Subject differs from an authentic copy's is altered, the
		// sender's unsigned Sent copy is authentic by its identical
		// signed copy, and a failing signature among verifying neighbours
		// is a caution; with --no-archive-pass the message is judged
		// alone.
		{"explain_pass_copy_conflict", []string{"explain", "--keys", "testdata/keys.jsonl", "--file", "bob-export.zip/Bob/Inbox/1.eml", "testdata/archive"}, "testdata/archive", 0},
		{"explain_pass_corroborated", []string{"explain", "--keys", "testdata/keys.jsonl", "--file", "alice/Sent/cur/1456912800.M100001P4242Q1.mail.example.org", "testdata/archive"}, "testdata/archive", 0},
		{"explain_pass_cohort", []string{"explain", "--keys", "testdata/keys.jsonl", "testdata/archive/carol/Inbox.mbox#5"}, "testdata/archive", 0},
		{"explain_pass_alone", []string{"explain", "--keys", "testdata/keys.jsonl", "--no-archive-pass", "--file", "bob-export.zip/Bob/Inbox/1.eml", "testdata/archive"}, "testdata/archive", 0},
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

// TestExplainDuplicateZipEntries: a zip may hold several entries under one
// name (unzip extracts only the last). explain must not silently pick one:
// it refuses without --entry and explains the one --entry names.
func TestExplainDuplicateZipEntries(t *testing.T) {
	genuine := "From: a@example.com\r\nSubject: genuine\r\n\r\nhi\r\n"
	forged := "From: a@example.com\r\nSubject: forged\r\n\r\nhi\r\n"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct{ name, body string }{{"a.eml", genuine}, {"b.eml", genuine}, {"a.eml", forged}} {
		w, err := zw.Create(e.name)
		require.NoError(t, err, "zip entry %s", e.name)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err, "zip entry %s", e.name)
	}
	require.NoError(t, zw.Close(), "closing the zip")
	path := filepath.Join(t.TempDir(), "dump.zip")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o444), "writing the zip")

	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		subject string // in stdout, when code is 0
		stderr  string // in stderr, when code is not 0
		noted   bool   // the explanation notes which entry it is
	}{
		{"ambiguous", []string{"--file", "a.eml"}, 2, "", "names 2 entries of the zip", false},
		{"first", []string{"--file", "a.eml", "--entry", "1"}, 0, "genuine", "", true},
		{"second", []string{"--file", "a.eml", "--entry", "2"}, 0, "forged", "", true},
		{"past the last", []string{"--file", "a.eml", "--entry", "3"}, 2, "", "names only 2 entries", false},
		{"unique name", []string{"--file", "b.eml", "--entry", "2"}, 2, "", "the only entry of that name", false},
		{"unique name, entry 1", []string{"--file", "b.eml", "--entry", "1"}, 0, "genuine", "", false},
		{"negative", []string{"--file", "a.eml", "--entry", "-1"}, 2, "", "numbered from 1", false},
		{"no --file: the first file is ambiguous too", nil, 2, "", "names 2 entries of the zip", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append(append([]string{"explain"}, tt.args...), path)...)
			require.Equal(t, tt.code, r.code, "exit status; stderr: %s", r.stderr)
			if tt.code != 0 {
				assert.Empty(t, r.stdout, "nothing explained")
				assert.Contains(t, r.stderr, tt.stderr, "the refusal says why")
				return
			}
			assert.Regexp(t, `\n  Subject +`+tt.subject+`\n`, r.stdout, "the chosen entry is explained")
			if tt.noted {
				assert.Contains(t, r.stdout, "this is number", "the explanation notes which entry it is")
			} else {
				assert.NotContains(t, r.stdout, "this is number", "a unique entry has no such note")
			}
		})
	}
}

// TestExplainEquivalentZipNames: "./a.eml" and "a.eml" are one file to
// unzip, so --file a.eml is ambiguous and --entry picks in the zip's
// directory order; --file never matches another folder's a.eml by suffix.
func TestExplainEquivalentZipNames(t *testing.T) {
	mk := func(entries ...string) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := 0; i < len(entries); i += 2 {
			w, err := zw.Create(entries[i])
			require.NoError(t, err, "zip entry %s", entries[i])
			_, err = w.Write([]byte("From: a@example.com\r\nSubject: " + entries[i+1] + "\r\n\r\nhi\r\n"))
			require.NoError(t, err, "zip entry %s", entries[i])
		}
		require.NoError(t, zw.Close(), "closing the zip")
		path := filepath.Join(t.TempDir(), "dump.zip")
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o444), "writing the zip")
		return path
	}
	dotslash := mk("./a.eml", "genuine", "b.eml", "other", "a.eml", "forged")
	r := runCLI(t, "explain", "--file", "a.eml", dotslash)
	assert.Equal(t, 2, r.code, "ambiguous; stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "names 2 entries")
	for entry, subject := range map[string]string{"1": "genuine", "2": "forged"} {
		r = runCLI(t, "explain", "--file", "a.eml", "--entry", entry, dotslash)
		require.Equal(t, 0, r.code, "--entry %s; stderr: %s", entry, r.stderr)
		assert.Regexp(t, `\n  Subject +`+subject+`\n`, r.stdout, "--entry %s", entry)
	}

	// unzip drops ".." parts: x/../a.eml lands on x/a.eml.
	dotdot := mk("x/a.eml", "genuine", "x/../a.eml", "forged")
	r = runCLI(t, "explain", "--file", "x/a.eml", dotdot)
	assert.Equal(t, 2, r.code, "ambiguous; stderr: %s", r.stderr)
	r = runCLI(t, "explain", "--file", "x/a.eml", "--entry", "2", dotdot)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `\n  Subject +forged\n`, r.stdout, "--entry 2 is the forged x/../a.eml")

	// Names that look the same and that a Mac (NFC and NFD) or Windows (a
	// trailing dot or space) takes for one file: --file names both, in
	// either form, and --entry picks one.
	for _, tt := range []struct{ name, first, second, typed string }{
		{"composed, then decomposed", "r\u00e9sum\u00e9.eml", "re\u0301sume\u0301.eml", "r\u00e9sum\u00e9.eml"},
		{"typed decomposed", "r\u00e9sum\u00e9.eml", "re\u0301sume\u0301.eml", "re\u0301sume\u0301.eml"},
		{"trailing dot", "a.eml", "a.eml.", "a.eml"},
		{"trailing space", "a.eml", "a.eml ", "a.eml"},
	} {
		look := mk(tt.first, "genuine", tt.second, "forged")
		r = runCLI(t, "explain", "--file", tt.typed, look)
		assert.Equal(t, 2, r.code, "%s: ambiguous; stderr: %s", tt.name, r.stderr)
		assert.Contains(t, r.stderr, "names 2 entries", "%s: the refusal says why", tt.name)
		for entry, subject := range map[string]string{"1": "genuine", "2": "forged"} {
			r = runCLI(t, "explain", "--file", tt.typed, "--entry", entry, look)
			require.Equal(t, 0, r.code, "%s: --entry %s; stderr: %s", tt.name, entry, r.stderr)
			assert.Regexp(t, `\n  Subject +`+subject+`\n`, r.stdout, "%s: --entry %s", tt.name, entry)
		}
	}

	subdir := mk("0/a.eml", "genuine", "a.eml", "forged")
	r = runCLI(t, "explain", "--file", "a.eml", subdir)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `\n  Subject +forged\n`, r.stdout, "a.eml, not 0/a.eml")
}

// TestExplainEveryReference: explain accepts every form of message
// reference verify prints (the table's FILE#INDEX, inside a zip or not,
// and the id of JSON and CSV), and each picks the same message as the
// flags do; the id is found however the PATH is typed.
func TestExplainEveryReference(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/formats")
	r := runCLI(t, "verify", "--format", "json", "testdata/formats")
	require.Equal(t, 0, r.code, "verify; stderr: %s", r.stderr)
	recs := decodeRecords(t, r.stdout)
	require.NotEmpty(t, recs, "records of testdata/formats")
	abs, err := filepath.Abs("testdata/formats")
	require.NoError(t, err, "filepath.Abs")
	for _, rec := range recs {
		file, index, id := rec["file"].(string), int(rec["index"].(float64)), rec["id"].(string)
		ref := file + "#" + itoa(index)
		want := "Message " + itoa(index) + " of "
		for _, args := range [][]string{
			{"explain", ref},
			{"explain", "--id", id, "testdata/formats"},
			{"explain", "--id", id, "./testdata/formats/"},
			{"explain", "--id", strings.ToUpper(id), abs},
		} {
			got := runCLI(t, args...)
			assert.Equal(t, 0, got.code, "leakproof %q; stderr: %s", args, got.stderr)
			assert.Contains(t, got.stdout, want, "leakproof %q explains message %d", args, index)
			assert.Contains(t, got.stdout, "  SHA-256     "+rec["sha256"].(string)+"\n", "leakproof %q explains the message of %s", args, ref)
			if args[1] == "--id" {
				assert.Contains(t, got.stdout, "  ID          "+id+"\n", "leakproof %q explains the message with id %s", args, id)
			}
			if mid := rec["message_id"].(string); mid != "" {
				assert.Contains(t, got.stdout, "  Message-ID  "+mid+"\n", "leakproof %q prints the Message-ID", args)
			}
		}
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown id", []string{"explain", "--id", strings.Repeat("0", 64), "testdata/formats"}, 1, "no message with id"},
		{"not an id", []string{"explain", "--id", "xyz", "testdata/formats"}, 2, "not a message id"},
		{"id with index", []string{"explain", "--id", strings.Repeat("0", 64), "--index", "2", "testdata/formats"}, 2, "--id names the message alone"},
		{"reference with index", []string{"explain", "--index", "2", "testdata/sample.mbox#3"}, 2, "names the message already"},
		{"reference past the end", []string{"explain", "testdata/sample.mbox#99"}, 2, "has no message 99"},
		{"reference to a missing zip entry", []string{"explain", "testdata/formats/archive.zip/Mail/none.eml#1"}, 2, "no mail file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, got.code, "exit status of leakproof %q", tt.args)
			assert.Contains(t, got.stderr, tt.msg, "stderr of leakproof %q", tt.args)
		})
	}
}
