package provenance

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
)

// TestThreatModelNamesRealTests keeps docs/threat-model.md honest: every
// test or fuzz target it names as holding a class exists in the module,
// and every evidence code it names is registered.
func TestThreatModelNamesRealTests(t *testing.T) {
	root := testenv.ModuleRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "threat-model.md"))
	require.NoError(t, err, "reading docs/threat-model.md")

	defined := map[string]bool{}
	funcRe := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)\w+)\(`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range funcRe.FindAllSubmatch(b, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	require.NoError(t, err, "walking the module")

	named := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllSubmatch(doc, -1)
	require.NotEmpty(t, named, "the threat model names its tests")
	for _, m := range named {
		assert.True(t, defined[string(m[1])], "docs/threat-model.md names %s, which no test file defines", m[1])
	}
	for _, m := range regexp.MustCompile("`((?:dkim|header|identity|authres|arc|archive|repair|coverage|domainkeys)\\.[a-z_]+)`").FindAllSubmatch(doc, -1) {
		code := string(m[1])
		if strings.HasSuffix(code, "_") {
			continue
		}
		_, ok := LookupCode(code)
		assert.True(t, ok, "docs/threat-model.md names the evidence code %s, which is not registered", code)
	}
}
