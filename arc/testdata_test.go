package arc_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

var update = flag.Bool("update", false, "rewrite testdata/arc from testmail.WriteARCTestdata")

// TestTestdata checks that testdata/arc holds what the generator makes
// now, and that each chain verifies as its case says, stored with CRLF and
// with bare LF.
func TestTestdata(t *testing.T) {
	root := filepath.Join("..", "testdata")
	dir := filepath.Join(root, "arc")
	if *update {
		require.NoError(t, testmail.WriteARCTestdata(root), "WriteARCTestdata(%s)", root)
	}
	keys := readKeyFile(t, filepath.Join(dir, "keys.jsonl"))
	for _, f := range testmail.ARCFiles() {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		require.NoError(t, err, "read testdata/%s (go test ./arc -run TestTestdata -update)", f.Path)
		assert.Equal(t, string(f.Data), string(data), "testdata/%s is what the generator makes (go test ./arc -run TestTestdata -update)", f.Path)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err, "read testdata/arc/README.md")
	for _, c := range testmail.ARCCases() {
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.File))
			require.NoError(t, err, "read %s", c.File)
			assert.Equal(t, string(c.Message), string(data), "%s is what the generator makes (go test ./arc -run TestTestdata -update)", c.File)
			assert.Contains(t, string(readme), "`"+c.File+"`", "README lists %s", c.File)
			for _, form := range []struct {
				name string
				msg  []byte
			}{{"CRLF", data}, {"LF", testmail.LF(data)}} {
				r, err := arc.Verify(t.Context(), form.msg, &dkim.Options{Keys: keys})
				require.NoError(t, err, "Verify(%s, %s)", c.File, form.name)
				assert.Equal(t, c.Chain, r.Chain.String(), "Verify(%s, %s).Chain (reason %q)", c.File, form.name, r.Reason)
				assert.Equal(t, c.FailedInstance, r.FailedInstance, "Verify(%s, %s).FailedInstance (reason %q)", c.File, form.name, r.Reason)
			}
		})
	}
}
