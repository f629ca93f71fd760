package leakproof_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// jsonOf runs verify and returns the JSON Lines it gives.
func jsonOf(t *testing.T, verify func(emit func(*provenance.Assessment) error) error) string {
	t.Helper()
	var b bytes.Buffer
	w := report.NewJSONWriter(&b)
	require.NoError(t, verify(w.Write), "verifying")
	require.NoError(t, w.Close(), "closing the JSON writer")
	return b.String()
}

// The entry points give the same records for the same bytes: a path, the
// bytes under the same name, and an FS of the folder (File then relative).
func TestEntryPointsAgree(t *testing.T) {
	opts := exampleOptions()
	for _, p := range []string{"testdata/sample.mbox", "testdata/formats/archive.zip", "testdata/formats/eml/Sent/board-pack.eml", "testdata/formats/apple/4012.emlx"} {
		t.Run(p, func(t *testing.T) {
			want := jsonOf(t, func(emit func(*provenance.Assessment) error) error {
				return leakproof.Verify(t.Context(), p, opts, emit)
			})
			require.NotEmpty(t, want, "Verify(%s) gives records", p)
			data, err := os.ReadFile(p)
			require.NoError(t, err, "reading %s", p)
			got := jsonOf(t, func(emit func(*provenance.Assessment) error) error {
				return leakproof.VerifyReaderAt(t.Context(), p, bytes.NewReader(data), int64(len(data)), opts, emit)
			})
			assert.Equal(t, want, got, "VerifyReaderAt and Verify of %s", p)

			fsys := os.DirFS(filepath.Dir(p))
			viaFS := jsonOf(t, func(emit func(*provenance.Assessment) error) error {
				sub, err := fs.Sub(fsys, ".")
				if err != nil {
					return err
				}
				return leakproof.VerifyFS(t.Context(), onlyFile{sub, filepath.Base(p)}, opts, emit)
			})
			dir := filepath.Dir(p) + "/"
			assert.Equal(t, strings.ReplaceAll(want, `"file":"`+dir, `"file":"`), viaFS, "VerifyFS and Verify of %s", p)
		})
	}
}

// onlyFile is an FS showing one file of another.
type onlyFile struct {
	fs.FS
	name string
}

func (o onlyFile) Open(name string) (fs.File, error) {
	if name != "." && name != o.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.FS.Open(name)
}

func (o onlyFile) ReadDir(name string) ([]fs.DirEntry, error) {
	all, err := fs.ReadDir(o.FS, name)
	var out []fs.DirEntry
	for _, e := range all {
		if e.Name() == o.name {
			out = append(out, e)
		}
	}
	return out, err
}

// VerifyMessage gives the record Verify gives for a file of one message.
func TestVerifyMessageAgreesWithVerify(t *testing.T) {
	p := "testdata/formats/eml/Inbox/quarterly-figures.eml"
	raw, err := os.ReadFile(p)
	require.NoError(t, err, "reading %s", p)
	want := jsonOf(t, func(emit func(*provenance.Assessment) error) error {
		return leakproof.Verify(t.Context(), p, exampleOptions(), emit)
	})
	got := jsonOf(t, func(emit func(*provenance.Assessment) error) error {
		return emit(leakproof.VerifyMessage(t.Context(), p, raw, exampleOptions()))
	})
	assert.Equal(t, want, got, "VerifyMessage and Verify of %s", p)
}

// Files that are not mail are left out, and NotMail hears of each; a nil
// Options checks without keys; emit's error stops the run.
func TestVerifyOptions(t *testing.T) {
	var skipped []string
	var verdicts []provenance.Verdict
	opts := &leakproof.Options{NotMail: func(m *archive.Message) { skipped = append(skipped, m.File) }}
	err := leakproof.Verify(t.Context(), "testdata/formats", opts, func(a *provenance.Assessment) error {
		verdicts = append(verdicts, a.Verdict)
		return nil
	})
	require.NoError(t, err, "Verify")
	assert.Equal(t, []string{"testdata/formats/archive.zip/Mail/notes.txt", "testdata/formats/notes.txt"}, skipped, "the files that are not mail")
	assert.NotContains(t, verdicts, provenance.VerdictAuthentic, "without keys nothing is authentic")

	n := 0
	err = leakproof.Verify(t.Context(), "testdata/sample.mbox", nil, func(a *provenance.Assessment) error {
		assert.NotEqual(t, provenance.VerdictAuthentic, a.Verdict, "a nil Options has no keys")
		n++
		return nil
	})
	require.NoError(t, err, "Verify with nil Options")
	assert.Equal(t, 8, n, "every message of the sample")

	stop := errors.New("enough")
	err = leakproof.Verify(t.Context(), "testdata/sample.mbox", nil, func(*provenance.Assessment) error { return stop })
	assert.ErrorIs(t, err, stop, "emit's error is returned")

	var missing *provenance.Assessment
	err = leakproof.Verify(t.Context(), "testdata/absent.mbox", nil, func(a *provenance.Assessment) error { missing = a; return nil })
	require.NoError(t, err, "a missing path is a record, not an error")
	require.NotNil(t, missing, "one record for the missing path")
	assert.ErrorIs(t, missing.Err, fs.ErrNotExist, "its Err")
}

func TestReadKeyFiles(t *testing.T) {
	keys, err := leakproof.ReadKeyFiles("testdata/keys.jsonl", "testdata/keys.zone")
	require.NoError(t, err, "ReadKeyFiles of the sample key archives")
	recs, err := keys.Lookup(t.Context(), "example.com", "s2048")
	require.NoError(t, err, "Lookup")
	sources := map[string]bool{}
	for _, r := range recs {
		sources[r.Source] = true
	}
	assert.Len(t, sources, 2, "records from both files, each naming its file: %v", sources)

	_, err = leakproof.ReadKeyFiles("testdata/keys.jsonl", "testdata/absent.jsonl")
	assert.ErrorIs(t, err, fs.ErrNotExist, "a missing key file")

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"domain":"a","selector":"b","txt":`+"\n"), 0o644), "writing a broken key file")
	_, err = leakproof.ReadKeyFiles(bad)
	var kfe *dkim.KeyFileError
	require.ErrorAs(t, err, &kfe, "a line that does not parse")
	assert.Equal(t, 1, kfe.Line, "the line named")
	assert.Contains(t, err.Error(), bad, "the error names the file")

	none, err := leakproof.ReadKeyFiles()
	require.NoError(t, err, "no files")
	recs, err = none.Lookup(t.Context(), "example.com", "s2048")
	assert.NoError(t, err, "Lookup in no files")
	assert.Empty(t, recs, "no records from no files")
}
