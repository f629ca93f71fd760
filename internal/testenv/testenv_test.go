package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModuleRoot(t *testing.T) {
	root := ModuleRoot(t)
	_, err := os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "ModuleRoot() = %s holds go.mod", root)
	wd, err := os.Getwd()
	require.NoError(t, err, "os.Getwd")
	assert.Equal(t, filepath.Join(root, "internal", "testenv"), wd, "ModuleRoot() is two levels above this package")
}

func TestConformance(t *testing.T) {
	dir := Conformance(t, "mail-dkim")
	_, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv"))
	assert.NoError(t, err, "Conformance(mail-dkim) = %s holds MANIFEST.tsv", dir)
}

func TestCPUSeconds(t *testing.T) {
	before, ok := CPUSeconds()
	if !ok {
		t.Skip("no /proc/self/stat here")
	}
	x := 0
	for i := range 50_000_000 {
		x ^= i
	}
	after, ok := CPUSeconds()
	require.True(t, ok, "CPUSeconds works twice (x=%d)", x)
	assert.GreaterOrEqual(t, after, before, "CPU time never goes back")
}
