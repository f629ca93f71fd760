package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests' clock and build: a manifest in a golden file must not change
// with the day or the commit.
var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func init() {
	now = func() time.Time { return testTime }
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/leakproof/leakproof", Version: "(devel)"}}, true
	}
}

func TestVersion(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool)) { readBuildInfo = f }(readBuildInfo)
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		name        string
		bi          *debug.BuildInfo
		ok          bool
		ver, commit string
	}{
		{"no build info", nil, false, "(devel)", "unknown"},
		{"checkout without vcs stamp", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel)", "unknown"},
		{"empty module version", &debug.BuildInfo{}, true, "(devel)", "unknown"},
		{"go install at a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, true, "v1.2.0", "unknown"},
		{"clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}}, true, "(devel)", "0123456789ab"},
		{"modified checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}}, true, "(devel)", "0123456789ab+dirty"},
		{"short revision", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}}, true, "(devel)", "abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tt.bi, tt.ok }
			ver, commit := version()
			assert.Equal(t, tt.ver, ver, "version()'s module version")
			assert.Equal(t, tt.commit, commit, "version()'s commit")
			assert.Equal(t, "leakproof "+tt.ver+" ("+tt.commit+")", versionLine(), "versionLine()")
		})
	}
}

func TestVersionCommand(t *testing.T) {
	r := runCLI(t, "--version")
	assert.Equal(t, 0, r.code, "exit status of --version")
	assert.Equal(t, "leakproof (devel) (unknown)\n", r.stdout, "--version prints leakproof VERSION (COMMIT)")
	assert.Empty(t, r.stderr, "--version writes nothing to stderr")

	r = runCLI(t, "--version", "x")
	assert.Equal(t, 2, r.code, "--version with an argument is a usage error")
}

func sha256File(t *testing.T, path string) (string, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s", path)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), int64(len(data))
}

func TestManifest(t *testing.T) {
	dir := inRoot(t)
	needFile(t, "testdata/formats")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run.json")
	r := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--manifest", out, "--format", "json", "--trust-sealer", "example.org", "testdata/formats", "testdata/sample.mbox")
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err, "the manifest file exists")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err, "reading the --manifest folder")
	assert.Len(t, entries, 1, "no temporary file is left beside the manifest")
	golden(t, dir, "verify_manifest", result{string(data), "", 0}, tmp, "$TMP")

	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "the manifest is JSON")
	for k, typ := range map[string]string{
		"leakproof_version": "string", "commit": "string", "started": "string", "finished": "string",
		"command": "array", "inputs": "array", "key_files": "array", "policy": "object", "counts": "object",
	} {
		assert.Equal(t, typ, typeOf(m[k]), "manifest field %q", k)
	}
	assert.Len(t, m, 9, "the manifest has exactly the documented fields")
	for _, f := range []string{"started", "finished"} {
		_, err := time.Parse(time.RFC3339, m[f].(string))
		assert.NoError(t, err, "%s is RFC 3339", f)
	}
	var inputs []string
	for _, in := range m["inputs"].([]any) {
		in := in.(map[string]any)
		path := in["path"].(string)
		inputs = append(inputs, path)
		sum, size := sha256File(t, path)
		assert.Equal(t, sum, in["sha256"], "the sha256 of input %s is of the whole file", path)
		assert.Equal(t, float64(size), in["size"], "the size of input %s", path)
	}
	assert.Equal(t, "testdata/sample.mbox", inputs[len(inputs)-1], "inputs come in walk order, the last PATH last")
	assert.Contains(t, inputs, "testdata/formats/takeout.mbox", "a file under a folder PATH is an input")
	keys := m["key_files"].([]any)
	require.Len(t, keys, 1, "one key file")
	sum, _ := sha256File(t, "testdata/keys.jsonl")
	assert.Equal(t, map[string]any{"path": "testdata/keys.jsonl", "sha256": sum}, keys[0], "the key file and its hash")
	assert.Equal(t, map[string]any{"min_rsa_bits": float64(1024), "no_sha1": false, "trust_sealers": []any{"example.org"}, "dns": false, "dns_server": ""},
		m["policy"], "the policy in force")

	r = runCLI(t, "verify", "--manifest", filepath.Join(tmp, "no-such-dir", "m.json"), "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status when --manifest cannot be written")
	assert.Contains(t, r.stderr, "--manifest", "the error names the option")
}

func TestManifestInHTML(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	r := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "html", "testdata/sample.mbox")
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	sum, _ := sha256File(t, "testdata/sample.mbox")
	for _, want := range []string{`<section id="manifest">`, "(devel) (unknown)", "2026-01-02T03:04:05Z", sum,
		"leakproof verify --keys testdata/keys.jsonl --format html testdata/sample.mbox", `&#34;leakproof_version&#34;: &#34;(devel)&#34;`} {
		assert.Contains(t, r.stdout, want, "the HTML page's manifest shows %q", want)
	}
	assert.NotContains(t, r.stdout, "Made by leakproof", "the manifest replaces the old footer line")
}

func typeOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
