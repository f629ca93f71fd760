package provenance

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/evidence.md and golden files")

// renderEvidenceDocs renders docs/evidence.md from the code registry.
func renderEvidenceDocs() string {
	var b strings.Builder
	b.WriteString(`# Evidence codes

Every assessment lists evidence items: ` + "`{code, severity, message}`" + `. The
code is a stable dotted identifier; the severity is ` + "`alteration`" + ` (a change
after signing), ` + "`caution`" + ` (something that weakens or blocks a verdict) or
` + "`info`" + ` (context). The message is one plain sentence about this message; this
page says what each code means in general and what a reporter should do next.

This file is generated from ` + "`provenance/codes.go`" + ` and checked by a test
(` + "`go test ./provenance -run TestEvidenceDocs -update`" + ` rewrites it).

| code | severity | meaning | what to do next |
|---|---|---|---|
`)
	for _, c := range codes {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.Code, c.Severity, c.Meaning, c.Next)
	}
	return b.String()
}

func TestEvidenceDocs(t *testing.T) {
	path := filepath.Join(testenv.ModuleRoot(t), "docs", "evidence.md")
	want := renderEvidenceDocs()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755), "mkdir docs")
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644), "write %s", path)
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "read %s (run with -update to create it)", path)
	assert.Equal(t, want, string(got), "%s is in sync with codes.go (run go test ./provenance -run TestEvidenceDocs -update)", path)
}

var codeRe = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

func TestCodesRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Codes() {
		assert.Regexp(t, codeRe, c.Code, "code %q is a dotted lower-case identifier", c.Code)
		assert.False(t, seen[c.Code], "code %q is registered once", c.Code)
		seen[c.Code] = true
		assert.True(t, strings.HasSuffix(c.Meaning, "."), "meaning of %q is a sentence", c.Code)
		assert.True(t, strings.HasSuffix(c.Next, "."), "next step of %q is a sentence", c.Code)
		assert.NotContains(t, c.Meaning+c.Next, "|", "docs of %q do not break the table", c.Code)
		got, ok := LookupCode(c.Code)
		assert.True(t, ok, "LookupCode(%q)", c.Code)
		assert.Equal(t, c, got, "LookupCode(%q) returns the registered entry", c.Code)
	}
	_, ok := LookupCode("no.such_code")
	assert.False(t, ok, "LookupCode of an unknown code")
	for _, f := range DisplayedFields {
		_, ok := LookupCode("header.unsigned_duplicate_" + f.Key)
		assert.True(t, ok, "every displayed field has its unsigned_duplicate code: %s", f.Key)
	}
	e := evidence("dkim.pass", "The signature by %s verifies.", "example.com")
	assert.Equal(t, Evidence{Code: "dkim.pass", Severity: SeverityInfo, Message: "The signature by example.com verifies."}, e, "evidence() takes the registered severity")
}
