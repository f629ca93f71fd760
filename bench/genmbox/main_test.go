package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1000", 1000, true},
		{"64KiB", 64 << 10, true},
		{"512MiB", 512 << 20, true},
		{"1GiB", 1 << 30, true},
		{"0", 0, false},
		{"-5MiB", 0, false},
		{"1TB", 0, false},
		{"", 0, false},
		{"9999999999GiB", 0, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if !tt.ok {
				assert.Error(t, err, "parseSize(%q) is refused", tt.in)
				return
			}
			require.NoError(t, err, "parseSize(%q)", tt.in)
			assert.Equal(t, tt.want, got, "parseSize(%q)", tt.in)
		})
	}
}

func TestRunUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no out", []string{"-messages", "3"}},
		{"bad size", []string{"-out", t.TempDir(), "-size", "lots"}},
		{"zero unique", []string{"-out", t.TempDir(), "-unique", "0"}},
		{"extra argument", []string{"-out", t.TempDir(), "more"}},
		{"unknown flag", []string{"-out", t.TempDir(), "-fast"}},
		{"mixed without out", []string{"-mixed"}},
		{"bad seed", []string{"-out", t.TempDir(), "-mixed", "-seed", "-1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, run(t.Context(), tt.args, &stdout, &stderr), "run(%q) exit status", tt.args)
			assert.Empty(t, stdout.String(), "run(%q) stdout", tt.args)
			assert.Contains(t, stderr.String(), "genmbox", "run(%q) stderr explains", tt.args)
		})
	}
}

// TestRunWritesVerifiableMbox generates a small archive and checks it the
// way the benchmark does: every message is found, in order, and the
// verdicts are the ones the package documentation promises.
func TestRunWritesVerifiableMbox(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-out", dir, "-messages", "30", "-unique", "12"}
	require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "run(%q) exit status (stderr %s)", args, stderr.String())
	assert.Contains(t, stdout.String(), "30 messages (12 distinct, 2 altered)", "run reports what it wrote")

	mboxPath := filepath.Join(dir, "bench.mbox")
	first, err := os.ReadFile(mboxPath)
	require.NoError(t, err, "reading bench.mbox")
	require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "second run exit status")
	second, err := os.ReadFile(mboxPath)
	require.NoError(t, err, "reading bench.mbox again")
	assert.True(t, bytes.Equal(first, second), "the same flags give the same bytes")

	keys, err := os.Open(filepath.Join(dir, "keys.jsonl"))
	require.NoError(t, err, "opening keys.jsonl")
	defer keys.Close()
	kf, err := dkim.ReadKeyFile(keys, "keys.jsonl")
	require.NoError(t, err, "reading keys.jsonl")

	var msgs []*archive.Message
	for m := range archive.Walk(t.Context(), mboxPath, nil) {
		require.NoError(t, m.Err, "message %d of bench.mbox", m.Index)
		assert.Empty(t, m.Notes, "message %d of bench.mbox has no reader notes", m.Index)
		msgs = append(msgs, m)
	}
	require.Len(t, msgs, 30, "messages found in bench.mbox")

	c := provenance.NewChecker(&provenance.Options{Keys: kf, Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)})
	for i, m := range msgs {
		a := c.Check(t.Context(), m)
		want := provenance.VerdictAuthentic
		if i%12%10 == 9 { // pool message i%12 was changed after signing
			want = provenance.VerdictAltered
		}
		assert.Equal(t, want, a.Verdict, "verdict of message %d (%s)", m.Index, a.Summary)
		if i >= 12 {
			assert.Equal(t, msgs[i-12].SHA256, m.SHA256, "message %d repeats pool message %d", m.Index, i%12+1)
		}
	}
}

// TestRunMixed checks the -mixed mode's files and report; the corpus itself
// is tested in bench/internal/corpus.
func TestRunMixed(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-out", dir, "-mixed", "-messages", "12", "-seed", "4"}
	require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "run(%q) exit status (stderr %s)", args, stderr.String())
	assert.Regexp(t, `^wrote .*bench.mbox: 12 messages, \d+ bytes, \d+ pass, \d+ fail \(seed 4\); keys in .*keys.jsonl, truth in .*truth.json\n$`, stdout.String(), "run reports what it wrote")
	for _, name := range []string{"bench.mbox", "keys.jsonl", "truth.json", "truth.jsonl"} {
		assert.FileExists(t, filepath.Join(dir, name), "run -mixed writes %s", name)
	}
}

// FuzzParseSize checks that parseSize never panics, accepts only positive
// sizes under its cap, and reads back the decimal form of what it returns.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1", "64KiB", "512MiB", "1GiB", "0", "-1", "1TB", "9999999999GiB", "KiB", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			assert.Zero(t, n, "parseSize(%q) returns 0 with an error", s)
			return
		}
		require.Positive(t, n, "parseSize(%q)", s)
		require.LessOrEqual(t, n, int64(1<<50), "parseSize(%q) stays under the cap", s)
		again, err := parseSize(strconv.FormatInt(n, 10))
		require.NoError(t, err, "parseSize of %d, the decimal form of parseSize(%q)", n, s)
		assert.Equal(t, n, again, "parseSize round-trips %q", s)
	})
}
