package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/bench/internal/corpus"
)

// writeTruth writes a truth.jsonl of the given verdicts (authentic passes,
// altered fails, unverifiable has no key).
func writeTruth(t *testing.T, verdicts ...string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i, v := range verdicts {
		tr := corpus.Truth{Index: i + 1, Verdict: v, Case: corpus.CaseIntact, DKIM: "pass"}
		switch v {
		case "altered":
			tr.Case, tr.DKIM = corpus.CaseBodyAltered, "fail"
		case "unverifiable":
			tr.Case, tr.DKIM = corpus.CaseNoKey, "no_key"
		}
		require.NoError(t, enc.Encode(tr), "encoding the truth")
	}
	path := filepath.Join(t.TempDir(), "truth.jsonl")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644), "writing truth.jsonl")
	return path
}

// records writes leakproof records "index:verdict" as JSON Lines.
func records(t *testing.T, recs ...string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		i, v, _ := strings.Cut(r, ":")
		fmt.Fprintf(&b, `{"index":%s,"verdict":%q,"summary":"s","signatures":[]}`+"\n", i, v)
	}
	path := filepath.Join(t.TempDir(), "out.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644), "writing out.jsonl")
	return path
}

func TestLeakproof(t *testing.T) {
	truth := writeTruth(t, "authentic", "altered", "unverifiable", "authentic")
	for _, tt := range []struct {
		name string
		recs []string
		code int
		want string // in stdout when code is 0, in stderr otherwise
	}{
		{"matches", []string{"1:authentic", "2:altered", "3:unverifiable", "4:authentic"}, 0, "leakproof messages=4 pass=2 fail=2: matches the truth"},
		{"out of order", []string{"2:altered", "1:authentic", "4:authentic", "3:unverifiable"}, 0, "matches the truth"},
		{"wrong verdict", []string{"1:authentic", "2:authentic", "3:unverifiable", "4:authentic"}, 1, "message 2 (body_altered): verdict authentic, want altered"},
		{"missing", []string{"1:authentic", "2:altered", "4:authentic"}, 1, "message 3 has no record"},
		{"twice", []string{"1:authentic", "1:authentic", "2:altered", "3:unverifiable", "4:authentic"}, 1, "message 1 has two records"},
		{"not a message", []string{"1:authentic", "2:altered", "3:unverifiable", "4:authentic", "0:"}, 1, "record 5 has index 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"-truth", truth, "-leakproof", records(t, tt.recs...)}
			require.Equal(t, tt.code, run(args, &stdout, &stderr), "exit status (stderr %s)", stderr.String())
			out := stdout.String()
			if tt.code != 0 {
				out = stderr.String()
			}
			assert.Contains(t, out, tt.want, "truthcheck of %q", tt.recs)
		})
	}
}

func TestResult(t *testing.T) {
	truth := writeTruth(t, "authentic", "altered", "unverifiable", "authentic")
	for _, tt := range []struct {
		line string
		code int
		want string
	}{
		{"go-msgauth messages=4 pass=2 fail=2 workers=1 seconds=0.1", 0, "go-msgauth messages=4 pass=2 fail=2: matches the truth"},
		{"dkimpy messages=4 pass=3 fail=1 seconds=1", 1, "dkimpy does not match the truth: pass=3, want 2; fail=1, want 2"},
		{"dkimpy messages=3 pass=2 fail=1", 1, "messages=3, want 4"},
		{"dkim messages=4 pass=2", 1, "fail= missing"},
		{"floor messages=4 signatures=3 verified=3 seconds=0.1", 0, "floor messages=4 signatures=3 verified=3: matches the truth"},
		{"floor messages=4 signatures=3 verified=2", 1, "verified=2, want 3"},
		{"dkimpy", 1, "not a result line"},
		{"dkimpy pass", 1, "not a result line"},
	} {
		t.Run(tt.line, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, tt.code, run([]string{"-truth", truth, "-result", tt.line}, &stdout, &stderr), "exit status (stderr %s)", stderr.String())
			out := stdout.String()
			if tt.code != 0 {
				out = stderr.String()
			}
			assert.Contains(t, out, tt.want, "truthcheck of %q", tt.line)
		})
	}
}

func TestRunErrors(t *testing.T) {
	truth := writeTruth(t, "authentic")
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"no truth", []string{"-result", "x a=1"}, 2},
		{"neither", []string{"-truth", truth}, 2},
		{"both", []string{"-truth", truth, "-result", "x a=1", "-leakproof", truth}, 2},
		{"missing truth", []string{"-truth", truth + ".gone", "-result", "x a=1"}, 1},
		{"missing output", []string{"-truth", truth, "-leakproof", truth + ".gone"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(tt.args, &stdout, &stderr), "run(%q) exit status", tt.args)
			assert.Empty(t, stdout.String(), "run(%q) prints no result", tt.args)
			assert.Contains(t, stderr.String(), "truthcheck", "run(%q) says what went wrong", tt.args)
		})
	}
}

// FuzzCheckResult checks that any result line is either refused or found
// to match, and that a match really has the truth's counts.
func FuzzCheckResult(f *testing.F) {
	for _, s := range []string{
		"go-msgauth messages=2 pass=1 fail=1 workers=1", "floor messages=2 signatures=1 verified=1",
		"dkimpy messages=2 pass=2 fail=0", "x", "", "a b=c=d", "dkim pass=1 fail=1 messages=2 pass=1",
	} {
		f.Add(s)
	}
	tr := &truth{messages: make([]corpus.Truth, 2), pass: 1, fail: 1, withKey: 1}
	f.Fuzz(func(t *testing.T, line string) {
		msg, err := checkResult(tr, line)
		if err != nil {
			assert.Empty(t, msg, "checkResult(%q) gives no message with an error", line)
			return
		}
		assert.Contains(t, msg, "matches the truth", "checkResult(%q)", line)
		if strings.HasPrefix(msg, "floor ") {
			assert.Contains(t, msg, "messages=2 signatures=1 verified=1", "checkResult(%q)", line)
		} else {
			assert.Contains(t, msg, "messages=2 pass=1 fail=1", "checkResult(%q)", line)
		}
	})
}
