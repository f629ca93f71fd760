package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatashareDocumentIDs: the id of an .eml file is what Datashare
// computes for it, SHA-384 over the digest project name and the file's
// bytes (plain SHA-384 with an empty --datashare-project, as Datashare's
// --noDigestProject does).
func TestDatashareDocumentIDs(t *testing.T) {
	inRoot(t)
	const path = "testdata/formats/eml/Inbox/2016/minutes.eml"
	needFile(t, path)
	data, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s", path)
	for _, tt := range []struct {
		name string
		args []string
		salt string
	}{
		{"default project", nil, "local-datashare"},
		{"named project", []string{"--datashare-project", "leak-2016"}, "leak-2016"},
		{"no project", []string{"--datashare-project="}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"verify", "--keys", "testdata/keys.jsonl", "--format", "datashare"}, tt.args...), path)
			r := runCLI(t, args...)
			require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
			sum := sha512.Sum384(append([]byte(tt.salt), data...))
			want := `{"docIds":["` + hex.EncodeToString(sum[:]) + `"],"tags":["leakproof:authentic","leakproof:high"]}` + "\n"
			assert.Equal(t, want, r.stdout, "the tag batch for %s", path)
		})
	}
}

// TestJoinDigests: the join table's hashes are of the stored bytes, as
// sha1sum, sha256sum and sha384sum give them for a whole .eml file.
func TestJoinDigests(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/formats")
	r := runCLI(t, "verify", "--format", "join", "testdata/formats")
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "a join row is JSON")
		assert.Len(t, rec, 9, "a join row has the documented fields")
		if !strings.HasSuffix(rec["file"].(string), ".eml") || strings.Contains(rec["file"].(string), ".zip/") {
			continue
		}
		data, err := os.ReadFile(rec["file"].(string))
		require.NoError(t, err, "reading %s", rec["file"])
		s1, s256, s384 := sha1.Sum(data), sha256.Sum256(data), sha512.Sum384(data)
		assert.Equal(t, hex.EncodeToString(s1[:]), rec["sha1"], "sha1 of %s", rec["file"])
		assert.Equal(t, hex.EncodeToString(s256[:]), rec["sha256"], "sha256 of %s", rec["file"])
		assert.Equal(t, hex.EncodeToString(s384[:]), rec["sha384"], "sha384 of %s", rec["file"])
		n++
	}
	assert.Equal(t, 3, n, "the .eml files of testdata/formats were checked")
}
