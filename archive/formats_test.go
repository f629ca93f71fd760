package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/mbox"
)

// TestFormatsTestdata walks the shared corpus in testdata/formats (written by
// internal/testmail's generator): every file yields its messages, in order,
// with hashes that reproduce, and with a Format whose own view is the view
// the file's true variant defines (where the bytes cannot tell two variants
// apart, either label gives the same view).
func TestFormatsTestdata(t *testing.T) {
	dir := filepath.Join(testenv.ModuleRoot(t), "testdata", "formats")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testdata/formats is missing: %v", err)
		}
		t.Skipf("testdata/formats is missing: %v", err)
	}
	// The variant each file was written as; the walk must not see these
	// names, only the test does.
	truth := map[string]mbox.Format{
		"mboxo.mbox":   mbox.FormatMboxo,
		"mboxrd.mbox":  mbox.FormatMboxrd,
		"mboxcl.mbox":  mbox.FormatMboxcl,
		"mboxcl2.mbox": mbox.FormatMboxcl2,
		"crlf.mbox":    mbox.FormatMboxrd,
	}
	got := collect(t, dir, nil)
	require.NotEmpty(t, got, "records under testdata/formats")
	checkCustody(t, got)
	perFile := map[string]int{}
	kinds := map[Format]bool{}
	for _, m := range got {
		rel := strings.TrimPrefix(m.File, dir+"/")
		if strings.HasSuffix(rel, ".txt") || strings.HasSuffix(rel, ".md") || strings.HasSuffix(rel, ".gitkeep") {
			assert.ErrorIs(t, m.Err, ErrNotMail, "%s is not mail", rel)
			continue
		}
		require.NoError(t, m.Err, "%s #%d", rel, m.Index)
		perFile[rel]++
		assert.Equal(t, perFile[rel], m.Index, "%s: indexes count up from 1", rel)
		kinds[m.Format] = true
		switch {
		case strings.HasSuffix(rel, ".emlx"):
			assert.Equal(t, FormatEMLX, m.Format, "%s Format", rel)
		case strings.HasSuffix(rel, ".mbox"):
			assert.True(t, strings.HasPrefix(m.Format.String(), "mbox"), "%s #%d Format %q is an mbox variant", rel, m.Index, m.Format)
			assert.True(t, mbox.IsSeparator([]byte(m.Separator)), "%s #%d Separator %q", rel, m.Index, m.Separator)
			base := filepath.Base(rel)
			if want, ok := truth[base]; ok {
				wantView := mbox.Views(m.Raw, want)[0].Data
				found := false
				for _, v := range mbox.Views(m.Raw, mbox.Format(m.Format)) {
					found = found || bytes.Equal(v.Data, wantView)
				}
				assert.True(t, found, "%s #%d read as %s: its views include the %s view", rel, m.Index, m.Format, want)
				assert.Equal(t, want == mbox.FormatMboxcl || want == mbox.FormatMboxcl2,
					m.Format == FormatMboxcl || m.Format == FormatMboxcl2, "%s #%d read as %s: framed by Content-Length as %s is", rel, m.Index, m.Format, want)
			}
		default:
			assert.Equal(t, FormatEML, m.Format, "%s Format", rel)
		}
	}
	for _, f := range []string{"mboxo.mbox", "mboxrd.mbox", "mboxcl.mbox", "mboxcl2.mbox", "crlf.mbox", "takeout.mbox"} {
		assert.Equal(t, 3, perFile[f], "messages in %s", f)
	}
	assert.True(t, kinds["eml"] && kinds["emlx"], "the corpus has eml and emlx messages: %v", kinds)
	for rel := range perFile {
		assert.False(t, strings.Contains(rel, "maildir/tmp/"), "Maildir tmp/ is skipped: %s", rel)
	}
	// mboxcl2 shows itself by an unescaped From line in a counted body.
	assert.True(t, kinds["mboxcl2"], "some message reads as mboxcl2: %v", kinds)
}

// TestSampleTestdata checks the quickstart archive reads as its README says.
func TestSampleTestdata(t *testing.T) {
	p := filepath.Join(testenv.ModuleRoot(t), "testdata", "sample.mbox")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testdata/sample.mbox is missing: %v", err)
		}
		t.Skipf("testdata/sample.mbox is missing: %v", err)
	}
	got := collect(t, p, nil)
	require.Len(t, got, 8, "messages in sample.mbox")
	checkCustody(t, got)
	for i, m := range got {
		assert.NoError(t, m.Err, "sample.mbox #%d", i+1)
		assert.Equal(t, i+1, m.Index, "sample.mbox Index")
		assert.Equal(t, p, m.File, "File is the path as given")
	}
}
