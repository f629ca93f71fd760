// Package testenv locates what the tests of this module read from outside
// their package: the module root and the external conformance suites in
// ../shared/conformance beside it.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the directory holding go.mod, walking up from the
// working directory (the package directory under go test). It fails the
// test when there is none.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testenv: no go.mod above the package directory")
		}
		dir = parent
	}
}

// Conformance returns the folder of one external suite
// (../shared/conformance/suite beside the module root; suite "" is the
// conformance folder itself). When it is absent the test is skipped, or
// fails when the CI environment variable is set: CI always has the suites.
func Conformance(t testing.TB, suite string) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), "..", "shared", "conformance", suite)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testenv: conformance suite missing at %s (required when CI is set): %v", dir, err)
		}
		t.Skipf("conformance suite not found at %s", dir)
	}
	return dir
}
