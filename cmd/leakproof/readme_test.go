package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADME keeps README.md in step with the code: the test command is the
// one .ci/run runs, and the quickstart output is what verify prints now.
func TestREADME(t *testing.T) {
	dir := inRoot(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err, "reading README.md")
	ci, err := os.ReadFile(".ci/run")
	require.NoError(t, err, "reading .ci/run")

	const testCmd = "go vet ./... && go test -race -timeout 30m ./..."
	assert.Contains(t, string(readme), "    "+testCmd+"\n", "README.md gives the test command")
	assert.Contains(t, string(ci), "\n"+testCmd+"\n", ".ci/run runs the README's test command")
	assert.Contains(t, string(readme), "    go run ./cmd/leakproof verify --keys testdata/keys.jsonl testdata/sample.mbox\n",
		"README.md gives the main command")

	golden, err := os.ReadFile(dir + "/verify_text_sample.golden")
	require.NoError(t, err, "reading the verify golden file")
	out, _, _ := strings.Cut(strings.SplitN(string(golden), "-- stdout --\n", 2)[1], "-- stderr --")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		assert.Contains(t, string(readme), "    "+line+"\n", "README.md's quickstart shows the output of verify on the sample")
	}
}
