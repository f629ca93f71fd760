package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
)

// TestExample builds the example with the go tool and runs it on the
// sample archive, as a reader of the README would.
func TestExample(t *testing.T) {
	root := testenv.ModuleRoot(t)
	sample := filepath.Join(root, "testdata", "sample.mbox")
	keys := filepath.Join(root, "testdata", "keys.jsonl")
	if _, err := os.Stat(sample); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("fixture %s is missing: %v", sample, err)
		}
		t.Skipf("fixture %s is missing (run go run ./internal/testmail/cmd/gentestdata)", sample)
	}

	bin := filepath.Join(t.TempDir(), "verify")
	// go test puts its own GOROOT/bin first on PATH.
	gotool, err := exec.LookPath("go")
	require.NoError(t, err, "finding the go command")
	build := exec.CommandContext(t.Context(), gotool, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build of the example: %s", out)

	cmd := exec.CommandContext(t.Context(), bin, keys, sample)
	cmd.Dir = root
	out, err = cmd.Output()
	require.NoError(t, err, "running the example")
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.NotEmpty(t, lines, "one line per message")
	verdicts := map[string]int{}
	for i, line := range lines {
		fields := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(fields), 2, "line %d has a message and a verdict: %q", i+1, line)
		assert.True(t, strings.HasSuffix(fields[0], "sample.mbox#"+itoa(i+1)), "line %d names message %d: %q", i+1, i+1, fields[0])
		verdicts[fields[1]]++
	}
	assert.Positive(t, verdicts["authentic"], "the sample has authentic messages: %v", verdicts)
	assert.Positive(t, verdicts["altered"], "the sample has altered messages: %v", verdicts)
	assert.Positive(t, verdicts["unverifiable"], "the sample has unverifiable messages: %v", verdicts)

	usage := exec.CommandContext(t.Context(), bin)
	err = usage.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the example without arguments fails")
	assert.Equal(t, 2, exit.ExitCode(), "usage error exit status")
}

func itoa(n int) string {
	return strconv.Itoa(n)
}
