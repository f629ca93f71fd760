package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWalkthrough keeps docs/walkthrough.md in step with the command: the
// table it shows is what verify prints on the sample now.
func TestWalkthrough(t *testing.T) {
	dir := inRoot(t)
	doc, err := os.ReadFile("docs/walkthrough.md")
	require.NoError(t, err, "reading docs/walkthrough.md")
	golden, err := os.ReadFile(dir + "/verify_text_sample.golden")
	require.NoError(t, err, "reading the verify golden file")
	out, _, _ := strings.Cut(strings.SplitN(string(golden), "-- stdout --\n", 2)[1], "-- stderr --")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" || strings.HasPrefix(line, `"authentic" means`) || strings.HasPrefix(line, "signature proves") {
			continue
		}
		assert.Contains(t, string(doc), "    "+line+"\n", "docs/walkthrough.md shows the output of verify on the sample")
	}
}
