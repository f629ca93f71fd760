package provenance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
)

// TestCorpusFiles runs every file of testdata/adversarial/ and
// testdata/benign/ (written by the testmail generator) when they exist.
func TestCorpusFiles(t *testing.T) {
	root := testenv.ModuleRoot(t)
	keysPath := filepath.Join(root, "testdata", "keys.jsonl")
	f, err := os.Open(keysPath)
	if os.IsNotExist(err) {
		t.Skip("testdata/keys.jsonl not generated yet")
	}
	require.NoError(t, err, "open %s", keysPath)
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read %s", keysPath)
	c := NewChecker(&Options{Keys: kf, Time: checkTime})
	ran := 0
	for _, dir := range []struct {
		name  string
		never Verdict
	}{{"adversarial", VerdictAuthentic}, {"benign", VerdictAltered}} {
		path := filepath.Join(root, "testdata", dir.name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		err := c.Run(t.Context(), archive.Walk(t.Context(), path, nil), func(a *Assessment) error {
			if errors.Is(a.Err, archive.ErrNotMail) {
				return nil // README.md
			}
			ran++
			t.Run(dir.name+"/"+filepath.Base(a.File), func(t *testing.T) {
				require.NoError(t, a.Err, "Check(%s)", a.File)
				assertWellFormed(t, a)
				assert.NotEqual(t, dir.never, a.Verdict, "%s must never be %s; summary %q; evidence %v", a.File, dir.never, a.Summary, codesOf(a))
			})
			return nil
		})
		require.NoError(t, err, "Run over %s", path)
	}
	if ran == 0 {
		t.Skip("testdata/adversarial and testdata/benign not generated yet")
	}
}

// TestConformanceMessages runs the stored messages of the external DKIM
// suites (../shared/conformance, found from the module root) through Run:
// each must give a well-formed assessment, and none whose authors assert
// that no signature passes may be authentic. The suites are absent on a
// plain checkout (skip) but present in CI (fail when missing).
func TestConformanceMessages(t *testing.T) {
	for _, suite := range []string{"mail-dkim", "dkimpy"} {
		t.Run(suite, func(t *testing.T) {
			dir := testenv.Conformance(t, suite)
			expected := map[string]string{}
			manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
			require.NoError(t, err, "read MANIFEST.tsv")
			for _, line := range strings.Split(string(manifest), "\n")[1:] {
				if f := strings.Split(line, "\t"); len(f) >= 2 {
					expected[f[0]] = f[1]
				}
			}
			kf, err := os.Open(filepath.Join(dir, "keys.jsonl"))
			require.NoError(t, err, "open keys.jsonl")
			defer kf.Close()
			keys, err := dkim.ReadKeyFile(kf, "keys.jsonl")
			require.NoError(t, err, "read keys.jsonl")
			c := NewChecker(&Options{Keys: keys, Time: checkTime})
			n := 0
			err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(dir, "messages"), nil), func(a *Assessment) error {
				if errors.Is(a.Err, archive.ErrNotMail) {
					return nil
				}
				n++
				name := filepath.Base(a.File)
				t.Run(name, func(t *testing.T) {
					require.NoError(t, a.Err, "Check(%s)", a.File)
					assertWellFormed(t, a)
					if exp := expected[name]; exp == "fail" || exp == "none" {
						assert.NotEqual(t, VerdictAuthentic, a.Verdict, "%s: the suite asserts %s; summary %q", name, exp, a.Summary)
					}
				})
				return nil
			})
			require.NoError(t, err, "Run")
			assert.Positive(t, n, "the suite has messages")
		})
	}
}

// TestSampleArchive checks the quickstart archive against the verdicts
// testdata/README.md promises a reporter, and every format's copy of the
// same messages against authentic.
func TestSampleArchive(t *testing.T) {
	root := testenv.ModuleRoot(t)
	f, err := os.Open(filepath.Join(root, "testdata", "keys.jsonl"))
	if os.IsNotExist(err) {
		t.Skip("testdata not generated yet")
	}
	require.NoError(t, err, "open keys.jsonl")
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read keys.jsonl")
	c := NewChecker(&Options{Keys: kf, Time: checkTime})

	want := []struct {
		verdict    Verdict
		confidence Confidence
	}{
		{VerdictAuthentic, ConfidenceHigh}, {VerdictAuthentic, ConfidenceMedium}, {VerdictAltered, ConfidenceHigh},
		{VerdictAltered, ConfidenceHigh}, {VerdictUnverifiable, ConfidenceLow}, {VerdictUnverifiable, ConfidenceLow},
		{VerdictAuthentic, ConfidenceHigh}, {VerdictAuthentic, ConfidenceHigh},
	}
	var got []*Assessment
	err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(root, "testdata", "sample.mbox"), nil), func(a *Assessment) error {
		got = append(got, a)
		return nil
	})
	require.NoError(t, err, "Run over sample.mbox")
	require.Len(t, got, len(want), "sample.mbox messages")
	for i, a := range got {
		assertWellFormed(t, a)
		assert.Equal(t, i+1, a.Index, "message %d in archive order", i+1)
		assert.Equal(t, want[i].verdict, a.Verdict, "message %d verdict; summary %q", i+1, a.Summary)
		assert.Equal(t, want[i].confidence, a.Confidence, "message %d confidence", i+1)
	}
	if len(got) == len(want) {
		assert.Contains(t, got[5].Summary, "selector s2015", "message 6 names the missing selector")
		if assert.Len(t, got[7].Coverage.Attachments, 1, "message 8 lists its attachment") {
			assert.True(t, got[7].Coverage.Attachments[0].Covered, "message 8's attachment is covered")
		}
	}

	n := 0
	err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(root, "testdata", "formats"), nil), func(a *Assessment) error {
		if errors.Is(a.Err, archive.ErrNotMail) {
			return nil
		}
		n++
		assert.NoError(t, a.Err, "%s#%d", a.File, a.Index)
		assert.Equal(t, VerdictAuthentic, a.Verdict, "%s#%d (%s): every format keeps the signed bytes; summary %q", a.File, a.Index, a.Format, a.Summary)
		return nil
	})
	require.NoError(t, err, "Run over testdata/formats")
	assert.Positive(t, n, "testdata/formats has messages")
}
