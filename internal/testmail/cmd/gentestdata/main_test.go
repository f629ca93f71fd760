package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "adversarial", "stale.eml")
	require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o755), "mkdir adversarial")
	require.NoError(t, os.WriteFile(stale, []byte("old"), 0o644), "write stale file")
	other := filepath.Join(dir, "mine.txt")
	require.NoError(t, os.WriteFile(other, []byte("keep"), 0o644), "write a file the generator does not own")

	require.NoError(t, run(dir), "first run")
	require.NoError(t, run(dir), "second run")

	for _, f := range testmail.Corpus() {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		require.NoError(t, err, "read %s", f.Path)
		assert.Equal(t, string(f.Data), string(got), "%s holds Corpus()'s bytes", f.Path)
	}
	_, err := os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "stale file in a generated folder is removed (stat: %v)", err)
	_, err = os.Stat(other)
	assert.NoError(t, err, "a file outside the generated folders is kept")
	for _, f := range testmail.ARCFiles() {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		require.NoError(t, err, "read %s", f.Path)
		assert.Equal(t, string(f.Data), string(got), "%s holds ARCFiles()'s bytes", f.Path)
	}
	_, err = os.Stat(filepath.Join(dir, "arc", "arc"))
	assert.True(t, os.IsNotExist(err), "the ARC cases are not nested in arc/arc (stat: %v)", err)
}
