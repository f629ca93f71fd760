package report_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// archiveReport writes the HTML report of testdata/archive (the archive
// pass included) to report.html in dir and returns its path. With a
// pageSize, the report is paged, its pages in dir/report.pages.
func archiveReport(t *testing.T, dir string, pageSize int) string {
	root := testenv.ModuleRoot(t)
	f, err := os.Open(filepath.Join(root, "testdata", "keys.jsonl"))
	require.NoError(t, err, "open testdata/keys.jsonl")
	defer f.Close()
	keys, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read testdata/keys.jsonl")
	c := provenance.NewChecker(&provenance.Options{Keys: keys, Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)})
	var b bytes.Buffer
	w := report.NewHTMLWriter(&b)
	if pageSize > 0 {
		pages := filepath.Join(dir, "report.pages")
		require.NoError(t, os.MkdirAll(pages, 0o755), "mkdir %s", pages)
		w = report.NewPagedHTMLWriter(&b, report.HTMLPages{
			Create: func(name string) (io.WriteCloser, error) { return os.Create(filepath.Join(pages, name)) },
			Folder: "report.pages", Index: "report.html", Size: pageSize,
		})
	}
	spool, err := os.CreateTemp(dir, "spool-*")
	require.NoError(t, err, "create spool")
	defer spool.Close()
	msgs := archive.Walk(t.Context(), filepath.Join(root, "testdata", "archive"), nil)
	sum, err := c.RunArchive(t.Context(), msgs, spool, nil, nil, func(a *provenance.Assessment) error {
		if errors.Is(a.Err, archive.ErrNotMail) {
			w.NotMail(a.File)
			return nil
		}
		return w.Write(a)
	})
	require.NoError(t, err, "RunArchive(testdata/archive)")
	w.SetArchiveSummary(sum)
	require.NoError(t, w.Close(), "HTMLWriter.Close")
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644), "write %s", path)
	return path
}

// chromium returns the path of a Chromium to run headless. Without one the
// test is skipped, unless CI is set (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium is not installed (set CI to make this a failure)")
	return ""
}

// runChromium runs a headless Chromium with args on the page at path, at a
// phone's width, and returns its standard output.
func runChromium(t *testing.T, bin, path string, args ...string) []byte {
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	home := t.TempDir() // a profile of its own, nothing from the machine's
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir=" + home, "--window-size=420,2000"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+path)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %v: %s", args, stderr.String())
	return out
}

// TestHTMLInBrowser renders the report of testdata/archive in a real
// browser, headless, at a phone's 420-pixel width: the page loads, and
// the counts, the timeline, the table of signing domains and a message's
// detail with its links to other copies are in what the browser built. A
// screenshot is kept in the test's temporary folder.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := archiveReport(t, dir, 0)

	dom := string(runChromium(t, bin, page, "--dump-dom"))
	require.Contains(t, dom, "</html>", "chromium dumped the whole page")
	assert.Regexp(t, `20 messages</span><span class="count authentic">12 authentic</span><span class="count altered">4 altered</span><span class="count unverifiable">4 unverifiable`, dom, "the counts per verdict")
	assert.Regexp(t, `<svg id="timeline-chart"[^>]*>.*<rect `, dom, "the timeline is an inline SVG with bars")
	assert.Contains(t, dom, `fill="#c62828"`, "the timeline has a bar for altered messages")
	assert.Regexp(t, `(?s)<section id="domains">.*<td><bdi>example.org</bdi></td><td><bdi>s2048b</bdi></td><td>\d+</td>`, dom, "the table of signing domains and selectors")
	assert.Regexp(t, `(?s)Bob/Inbox/1.eml#1.*copies.conflict.*<a class="loc" href="#m-[0-9a-f]+"><bdi>[^<]*bob/1.eml#1</bdi></a>`, dom, "the planted copy's detail links to the authentic copy")
	links := regexp.MustCompile(`href="#(m-[0-9a-f]+)"`).FindAllStringSubmatch(dom, -1)
	require.NotEmpty(t, links, "the archive pass's links")
	for _, l := range links {
		assert.Contains(t, dom, `id="`+l[1]+`"`, "link target %s exists", l[1])
	}
	assert.NotContains(t, strings.ToLower(dom), "<script", "the page runs no script")

	shot := filepath.Join(dir, "report-420.png")
	runChromium(t, bin, page, "--screenshot="+shot, "--hide-scrollbars")
	png, err := os.ReadFile(shot)
	require.NoError(t, err, "the screenshot was written")
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "the screenshot is a PNG")
	assert.Greater(t, len(png), 10000, "the screenshot is not blank")
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
}

// TestHTMLPagesInBrowser renders a paged report of testdata/archive, six
// messages to a page, headless at a phone's width: the index has the
// counts and the table of pages, a page has its messages and its links to
// the index and the next page, and a page opened filtered by verdict
// (page-0002.html#altered, as the index links it) loads. Screenshots are
// kept in the test's temporary folder.
func TestHTMLPagesInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	index := archiveReport(t, dir, 6)

	dom := string(runChromium(t, bin, index, "--dump-dom"))
	assert.Regexp(t, `20 messages</span><span class="count authentic">12 authentic</span>`, dom, "the index has the counts for the whole run")
	assert.Regexp(t, `(?s)<section id="pages">.*<a href="./report.pages/page-0004.html">4</a>`, dom, "the index lists the four pages")
	assert.NotContains(t, dom, "<details class=\"authentic\"", "the index holds no message")

	page := filepath.Join(dir, "report.pages", "page-0002.html")
	dom = string(runChromium(t, bin, page, "--dump-dom"))
	assert.Equal(t, 6, strings.Count(dom, "<details class="), "page 2 holds six messages")
	assert.Contains(t, dom, `<a href="../report.html">`, "page 2 links to the index")
	assert.Contains(t, dom, `<a href="page-0003.html">Next page</a>`, "page 2 links to page 3")
	assert.NotContains(t, strings.ToLower(dom), "<script", "the page runs no script")

	for _, shot := range []struct{ name, url string }{{"index-420.png", index}, {"page2-altered-420.png", page + "#altered"}} {
		path := filepath.Join(dir, shot.name)
		runChromium(t, bin, shot.url, "--screenshot="+path, "--hide-scrollbars")
		png, err := os.ReadFile(path)
		require.NoError(t, err, "the screenshot %s was written", shot.name)
		assert.Greater(t, len(png), 10000, "the screenshot %s is not blank", shot.name)
		t.Logf("screenshot: %s (%d bytes)", path, len(png))
	}
}
