//go:build unix

package archive

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWalkFIFO: a named pipe in the tree is refused as not mail, and the
// walk does not block on it (opening a pipe for reading waits for a
// writer). Named pipes are made with mkfifo, which Windows lacks.
func TestWalkFIFO(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, "b.eml", mail("one", "Hello.\n"))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "a.fifo"), 0o644), "mkfifo")
	got := collect(t, dir, nil) // must not block on the fifo
	checkRecords(t, dir, got, []record{{"/a.fifo", 0, "", ErrNotMail}, {"/b.eml", 1, "eml", nil}})
}
