package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/bench/internal/corpus"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	sum, err := corpus.Write(t.Context(), dir, 30, 3)
	require.NoError(t, err, "writing the corpus")
	require.Positive(t, sum.Fail, "the corpus has failures to find")
	for _, workers := range []string{"1", "2"} {
		t.Run(workers, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"-keys", filepath.Join(dir, "keys.jsonl"), "-workers", workers, filepath.Join(dir, "bench.mbox")}
			require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "run(%q) exit status (stderr %s)", args, stderr.String())
			want := fmt.Sprintf("go-msgauth messages=30 pass=%d fail=%d workers=%s ", sum.Pass, sum.Fail, workers)
			assert.True(t, strings.HasPrefix(stdout.String(), want), "run(%q) = %q, want it to start %q", args, stdout.String(), want)
		})
	}
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		name, mbox string
		want       []string
		err        string
	}{
		{"two", "From a\nA: 1\n\nbody\n\nFrom b\nB: 2\n\nx\n\n", []string{"A: 1\r\n\r\nbody\r\n", "B: 2\r\n\r\nx\r\n"}, ""},
		{"From inside a paragraph", "From a\nA: 1\n\nsee\nFrom here\n\n", []string{"A: 1\r\n\r\nsee\r\nFrom here\r\n"}, ""},
		{"CRLF", "From a\r\nA: 1\r\n\r\nb\r\n\r\n", []string{"A: 1\r\n\r\nb\r\n"}, ""},
		{"no final blank line", "From a\nA: 1\n\nb", []string{"A: 1\r\n\r\nb\r\n"}, ""},
		{"empty", "", nil, ""},
		{"not an mbox", "A: 1\n", nil, "not an mbox"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := split(t.Context(), strings.NewReader(tt.mbox), func(m []byte) { got = append(got, string(m)) })
			if tt.err != "" {
				require.Error(t, err, "split(%q)", tt.mbox)
				assert.Contains(t, err.Error(), tt.err, "split(%q) says why", tt.mbox)
				return
			}
			require.NoError(t, err, "split(%q)", tt.mbox)
			assert.Equal(t, tt.want, got, "split(%q)", tt.mbox)
		})
	}
}

func TestRunErrors(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.jsonl")
	require.NoError(t, os.WriteFile(keys, nil, 0o644), "writing an empty key file")
	empty := filepath.Join(t.TempDir(), "empty.mbox")
	require.NoError(t, os.WriteFile(empty, nil, 0o644), "writing an empty mbox")
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"no keys", []string{empty}, 2},
		{"no mbox", []string{"-keys", keys}, 2},
		{"negative workers", []string{"-keys", keys, "-workers", "-2", empty}, 2},
		{"missing key file", []string{"-keys", keys + ".gone", empty}, 1},
		{"missing mbox", []string{"-keys", keys, empty + ".gone"}, 1},
		{"empty mbox", []string{"-keys", keys, empty}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(t.Context(), tt.args, &stdout, &stderr), "run(%q) exit status", tt.args)
			assert.Empty(t, stdout.String(), "run(%q) prints no result", tt.args)
			assert.Contains(t, stderr.String(), "msgauth", "run(%q) says what went wrong", tt.args)
		})
	}
}
