package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string { return testenv.ModuleRoot(t) }

// inRoot changes to the module root for the rest of the test, so that paths
// read as in README.md (testdata/sample.mbox), and returns the package's
// own testdata directory.
func inRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err, "os.Getwd")
	t.Chdir(moduleRoot(t))
	return filepath.Join(wd, "testdata")
}

// needFile skips the test when a shared fixture has not been generated
// yet (CI always has it: there a missing file fails the test).
func needFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("fixture %s is missing: %v", path, err)
		}
		t.Skipf("fixture %s is missing (run go run ./internal/testmail/cmd/gentestdata)", path)
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// golden compares r with testdata/name.golden, or rewrites it with -update.
// replace pairs are applied to the output first (a temporary directory
// becomes $TMP).
func golden(t *testing.T, dir, name string, r result, replace ...string) {
	t.Helper()
	rep := strings.NewReplacer(replace...)
	got := "exit " + strconv.Itoa(r.code) + "\n-- stdout --\n" + rep.Replace(r.stdout) + "-- stderr --\n" + rep.Replace(r.stderr)
	path := filepath.Join(dir, name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644), "writing %s", path)
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s (go test -update creates it)", path)
	assert.Equal(t, string(want), got, "leakproof output differs from %s (go test -update rewrites it)", path)
}

func TestUsageErrors(t *testing.T) {
	dir := inRoot(t)
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"no_args", nil, 2},
		{"help", []string{"-h"}, 0},
		{"unknown_command", []string{"frobnicate"}, 2},
		{"verify_help", []string{"verify", "-h"}, 0},
		{"verify_no_path", []string{"verify"}, 2},
		{"verify_unknown_flag", []string{"verify", "--bogus", "x.mbox"}, 2},
		{"verify_bad_format", []string{"verify", "--format", "pdf", "x.mbox"}, 2},
		{"verify_flag_after_path", []string{"verify", "x.mbox", "--format", "json"}, 2},
		{"verify_record_without_dns", []string{"verify", "--record", "r.jsonl", "x.mbox"}, 2},
		{"verify_bad_workers", []string{"verify", "--workers", "-1", "x.mbox"}, 2},
		{"verify_bad_min_rsa_bits", []string{"verify", "--min-rsa-bits", "0", "x.mbox"}, 2},
		{"verify_bad_sealer", []string{"verify", "--trust-sealer", "a b", "x.mbox"}, 2},
		{"explain_no_path", []string{"explain"}, 2},
		{"explain_two_paths", []string{"explain", "a.mbox", "b.mbox"}, 2},
		{"explain_bad_index", []string{"explain", "--index", "0", "a.mbox"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, r.code, "exit status of leakproof %q", tt.args)
			if tt.code == 2 {
				assert.Empty(t, r.stdout, "a usage error writes nothing to stdout")
				assert.Contains(t, r.stderr, "leakproof: ", "a usage error is explained on stderr")
			}
			golden(t, dir, "usage_"+tt.name, r)
		})
	}
}

func TestErrorsArePrintable(t *testing.T) {
	var b strings.Builder
	errorf(&b, "archive: evil\x1b[2J.eml\u202e: bad", "see \x07 this")
	assert.Equal(t, "leakproof: error: archive: evil\uFFFD[2J.eml\uFFFD: bad\nleakproof: hint: see \uFFFD this\n", b.String(),
		"control and bidi characters from the archive do not reach the terminal")
}

func TestMissingKeyFile(t *testing.T) {
	inRoot(t)
	r := runCLI(t, "verify", "--keys", "no/such/keys.jsonl", "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status with a missing key file")
	assert.Empty(t, r.stdout, "nothing is verified without the keys asked for")
	assert.Contains(t, r.stderr, "leakproof: error: key file", "the error names the key file")
	assert.Contains(t, r.stderr, "leakproof: hint: ", "the error comes with a hint")
}

// TestBadKeyFileHint: a key file that does not parse names the file and
// line, and the hint says to fix that line, not to check the path.
func TestBadKeyFileHint(t *testing.T) {
	inRoot(t)
	bad := filepath.Join(t.TempDir(), "keys.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"domain":"a","selector":"b","txt":`+"\n"), 0o644), "writing the key file")
	r := runCLI(t, "verify", "--keys", bad, "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status with a broken key file")
	assert.Contains(t, r.stderr, "line 1", "the error names the line")
	assert.Contains(t, r.stderr, "hint: fix the line named above", "the hint fits the error")
}

func TestSystemResolver(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, conf, want string
		wantErr          bool
	}{
		{"first nameserver", "# comment\nsearch example.org\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n", "10.0.0.1", false},
		{"ipv6", "nameserver ::1\n", "::1", false},
		{"none", "search example.org\n", "", true},
		{"not an address", "nameserver :\nnameserver 10.0.0.3\n", "10.0.0.3", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			require.NoError(t, os.WriteFile(path, []byte(tt.conf), 0o644), "writing resolv.conf")
			got, err := systemResolver(path)
			if tt.wantErr {
				assert.Error(t, err, "systemResolver(%q)", tt.conf)
				return
			}
			require.NoError(t, err, "systemResolver(%q)", tt.conf)
			assert.Equal(t, tt.want, got, "systemResolver(%q)", tt.conf)
		})
	}
	_, err := systemResolver(filepath.Join(dir, "absent"))
	assert.Error(t, err, "systemResolver of a missing file")
}

func TestWithPort(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"10.0.0.1", "10.0.0.1:53"},
		{"10.0.0.1:5353", "10.0.0.1:5353"},
		{"::1", "[::1]:53"},
		{"[::1]", "[::1]:53"},
		{"[::1]:5353", "[::1]:5353"},
		{"dns.example", "dns.example:53"},
	} {
		assert.Equal(t, tt.want, withPort(tt.in), "withPort(%q)", tt.in)
	}
}

// decodeRecords decodes JSON Lines output, one map per line.
func decodeRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var m map[string]any
		require.NoError(t, dec.Decode(&m), "record %d is a JSON object", len(recs)+1)
		recs = append(recs, m)
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		require.True(t, strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}"), "line %d is one whole JSON object", i+1)
	}
	return recs
}
