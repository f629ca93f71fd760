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
	sum, err := corpus.Write(t.Context(), dir, 30, 2)
	require.NoError(t, err, "writing the corpus")
	for _, workers := range []string{"1", "3"} {
		t.Run(workers, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"-dir", dir, "-workers", workers}
			require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "run(%q) exit status (stderr %s)", args, stderr.String())
			want := fmt.Sprintf("floor messages=30 signatures=%d verified=%d workers=%s ", sum.KeyedSignatures, sum.KeyedSignatures, workers)
			assert.True(t, strings.HasPrefix(stdout.String(), want), "run(%q) = %q, want it to start %q", args, stdout.String(), want)
		})
	}
}

// TestRunContract checks -contract: the same signatures, and a part
// decoded for every message the generator gave an attachment.
func TestRunContract(t *testing.T) {
	dir := t.TempDir()
	sum, err := corpus.Write(t.Context(), dir, 40, 3)
	require.NoError(t, err, "writing the corpus")
	attached := sum.Classes[corpus.ClassAttachment] + sum.Classes[corpus.ClassLarge]
	require.Positive(t, attached, "the corpus has messages with attachments")
	var stdout, stderr bytes.Buffer
	args := []string{"-dir", dir, "-workers", "2", "-contract"}
	require.Equal(t, 0, run(t.Context(), args, &stdout, &stderr), "run(%q) exit status (stderr %s)", args, stderr.String())
	want := fmt.Sprintf("floor mode=contract messages=40 signatures=%d verified=%d workers=2 ", sum.KeyedSignatures, sum.KeyedSignatures)
	assert.True(t, strings.HasPrefix(stdout.String(), want), "run(%q) = %q, want it to start %q", args, stdout.String(), want)
	var parts int
	var mb float64
	for _, f := range strings.Fields(stdout.String()) {
		if v, ok := strings.CutPrefix(f, "parts="); ok {
			_, err := fmt.Sscan(v, &parts)
			require.NoError(t, err, "parts=")
		}
		if v, ok := strings.CutPrefix(f, "decoded_mb="); ok {
			_, err := fmt.Sscan(v, &mb)
			require.NoError(t, err, "decoded_mb=")
		}
	}
	assert.GreaterOrEqual(t, parts, attached, "a part decoded for each of the %d messages with an attachment", attached)
	assert.Greater(t, mb, 0.05*float64(attached), "each attachment of at least 50 KB decoded")
}

// TestRunContractBadPart checks that -contract decodes: a base64 part
// with a byte base64 does not have fails the run, naming the message.
func TestRunContractBadPart(t *testing.T) {
	dir := t.TempDir()
	_, err := corpus.Write(t.Context(), dir, 40, 3)
	require.NoError(t, err, "writing the corpus")
	ts, err := corpus.ReadTruth(filepath.Join(dir, "truth.jsonl"))
	require.NoError(t, err, "reading the truth")
	path := filepath.Join(dir, "bench.mbox")
	b, err := os.ReadFile(path)
	require.NoError(t, err, "reading bench.mbox")
	i := 0
	for ts[i].Class != corpus.ClassAttachment && ts[i].Class != corpus.ClassLarge {
		i++
	}
	part := bytes.Index(b[ts[i].Start:], base64Header)
	require.Positive(t, part, "message %d has a base64 part", i+1)
	first := int(ts[i].Start) + part + len(base64Header)
	first += bytes.Index(b[first:], []byte("\n\n")) + 2
	b[first+5] = '*'
	require.NoError(t, os.WriteFile(path, b, 0o644), "writing bench.mbox")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run(t.Context(), []string{"-dir", dir}, &stdout, &stderr), "without -contract the part is not decoded (stderr %s)", stderr.String())
	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 1, run(t.Context(), []string{"-dir", dir, "-contract"}, &stdout, &stderr), "exit status with a bad base64 part")
	assert.Contains(t, stderr.String(), fmt.Sprintf("message %d: base64 part 1", i+1), "the failing message is named")
	assert.Empty(t, stdout.String(), "no result line")
}

// TestRunBadSignature checks that the floor does verify: a signature
// changed in truth.jsonl fails the run.
func TestRunBadSignature(t *testing.T) {
	dir := t.TempDir()
	_, err := corpus.Write(t.Context(), dir, 5, 2)
	require.NoError(t, err, "writing the corpus")
	ts, err := corpus.ReadTruth(filepath.Join(dir, "truth.jsonl"))
	require.NoError(t, err, "reading the truth")
	path := filepath.Join(dir, "truth.jsonl")
	b, err := os.ReadFile(path)
	require.NoError(t, err, "reading truth.jsonl")
	i := 0
	for ts[i].Case == corpus.CaseNoKey {
		i++
	}
	bad := bytes.Replace(b, []byte(ts[i].Digest), []byte(strings.Repeat("0", len(ts[i].Digest))), 1)
	require.NoError(t, os.WriteFile(path, bad, 0o644), "writing truth.jsonl")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run(t.Context(), []string{"-dir", dir}, &stdout, &stderr), "exit status with a wrong digest")
	assert.Contains(t, stderr.String(), fmt.Sprintf("message %d", i+1), "the failing message is named")
	assert.Empty(t, stdout.String(), "no result line")
}

func TestRunErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"no dir", nil, 2},
		{"negative workers", []string{"-dir", t.TempDir(), "-workers", "-1"}, 2},
		{"extra argument", []string{"-dir", t.TempDir(), "x"}, 2},
		{"empty dir", []string{"-dir", t.TempDir()}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(t.Context(), tt.args, &stdout, &stderr), "run(%q) exit status", tt.args)
			assert.Empty(t, stdout.String(), "run(%q) prints no result", tt.args)
			assert.Contains(t, stderr.String(), "floor", "run(%q) says what went wrong", tt.args)
		})
	}
}

func TestParseRecord(t *testing.T) {
	for _, tt := range []struct {
		name, txt, want string // want: key type, or "" for an error
	}{
		{"ed25519", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "ed25519.PublicKey"},
		{"ed25519 short", "v=DKIM1; k=ed25519; p=AAAA", ""},
		{"rsa not base64", "v=DKIM1; p=!!!", ""},
		{"unknown type", "v=DKIM1; k=dsa; p=AAAA", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := parseRecord(tt.txt)
			if tt.want == "" {
				assert.Error(t, err, "parseRecord(%q)", tt.txt)
				return
			}
			require.NoError(t, err, "parseRecord(%q)", tt.txt)
			assert.Equal(t, tt.want, fmt.Sprintf("%T", pub), "parseRecord(%q) key type", tt.txt)
		})
	}
}
