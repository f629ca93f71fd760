package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessageIDEncoding pins the documented byte encoding: four fields,
// each followed by NUL, hashed with SHA-256.
func TestMessageIDEncoding(t *testing.T) {
	sum := sha256.Sum256([]byte("abc\x00dump.zip/Sent/1.eml\x002\x001\x00"))
	assert.Equal(t, hex.EncodeToString(sum[:]), MessageID("abc", "dump.zip/Sent/1.eml", 2, 1), "MessageID of known fields")
	assert.NotEqual(t, MessageID("a", "b\x001", 0, 1), MessageID("a", "b", 1, 1), "fields cannot run into each other")
}

// TestWalkIDSameHoweverTyped: a message's ID does not depend on how the
// PATH was typed, for a file, a folder and a zip.
func TestWalkIDSameHoweverTyped(t *testing.T) {
	msg := []byte("From: a@example.com\r\nSubject: hi\r\n\r\nhi\r\n")
	dir := t.TempDir()
	writeTree(t, dir, "leak/x.mbox", mboxOf("From a@example.com Thu Mar  3 10:00:00 2016", "\n", msg, msg),
		"leak/dump.zip", zipOf(t, "Sent/1.eml", msg, "Sent/1.eml", msg, "Sent/2.eml", msg))
	t.Chdir(dir)

	ids := func(root string) []string {
		var out []string
		for _, m := range collect(t, root, nil) {
			require.NoError(t, m.Err, "Walk(%s) record %s", root, m.File)
			out = append(out, m.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		forms []string
		rel   []string // the path each record's ID is computed over
	}{
		{"mbox file", []string{"leak/x.mbox", "./leak/x.mbox", filepath.Join(dir, "leak/x.mbox"), "leak//x.mbox"}, []string{"x.mbox", "x.mbox"}},
		{"zip file", []string{"leak/dump.zip", "./leak/dump.zip", filepath.Join(dir, "leak", "dump.zip")},
			[]string{"dump.zip/Sent/1.eml", "dump.zip/Sent/1.eml", "dump.zip/Sent/2.eml"}},
		{"folder", []string{"leak", "./leak", "leak/", filepath.Join(dir, "leak")},
			[]string{"dump.zip/Sent/1.eml", "dump.zip/Sent/1.eml", "dump.zip/Sent/2.eml", "x.mbox", "x.mbox"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := ids(tt.forms[0])
			require.Len(t, want, len(tt.rel), "records of %s", tt.forms[0])
			seen := map[string]bool{}
			for _, m := range collect(t, tt.forms[0], nil) {
				want := MessageID(m.SHA256, tt.rel[len(seen)], m.Entry, m.Index)
				assert.Equal(t, want, m.ID, "ID of %s#%d (entry %d) is computed over %q", m.File, m.Index, m.Entry, tt.rel[len(seen)])
				assert.False(t, seen[m.ID], "IDs are unique: %s#%d", m.File, m.Index)
				seen[m.ID] = true
			}
			for _, form := range tt.forms[1:] {
				assert.Equal(t, want, ids(form), "IDs when the path is typed %q", form)
			}
		})
	}
}

// TestWalkIDOfUnreadable: a record of a file that cannot be read has an
// ID too, over an empty hash.
func TestWalkIDOfUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.mbox")
	got := collect(t, path, nil)
	require.Len(t, got, 1, "one record for a missing file")
	require.Error(t, got[0].Err, "the record has an error")
	assert.Equal(t, MessageID("", "gone.mbox", 0, 0), got[0].ID, "the ID of a missing file")
	_, err := os.Stat(path)
	require.Error(t, err, "the file does not exist")
}
