package leakproof_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every runnable Example can be copied into a program: it sits in an
// external test package and imports nothing internal to the module.
func TestExamplesUsePublicAPI(t *testing.T) {
	examples := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// An internal package's own Examples document it for this module.
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "internal" || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		n := 0
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Example") {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		examples += n
		assert.True(t, strings.HasSuffix(f.Name.Name, "_test"), "%s: Examples belong in an external test package, not %s", p, f.Name.Name)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotContains(t, path, "/internal/", "%s: an Example imports %s, which a program cannot", p, path)
		}
		return nil
	})
	require.NoError(t, err, "walking the module")
	assert.Greater(t, examples, 20, "the module's Examples were found")
}
