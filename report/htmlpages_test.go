package report_test

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// memPages keeps the page files of a paged report in memory.
type memPages struct {
	files map[string]*bytes.Buffer
	order []string
	open  int // files created and not closed
}

type memFile struct {
	*bytes.Buffer
	p *memPages
}

func (f memFile) Close() error { f.p.open--; return nil }

func (p *memPages) create(name string) (io.WriteCloser, error) {
	if p.files == nil {
		p.files = map[string]*bytes.Buffer{}
	}
	b := &bytes.Buffer{}
	p.files[name] = b
	p.order = append(p.order, name)
	p.open++
	return memFile{b, p}, nil
}

// TestHTMLPagesGolden: the fixtures, two to a page, make an index page and
// three page files.
func TestHTMLPagesGolden(t *testing.T) {
	var index bytes.Buffer
	var pages memPages
	w := report.NewPagedHTMLWriter(&index, report.HTMLPages{Create: pages.create, Folder: "report.pages", Index: "report.html", Size: 2})
	w.SetManifest(fixtureManifest())
	render(t, w, fixtures())
	assert.Equal(t, []string{"page-0001.html", "page-0002.html", "page-0003.html"}, pages.order, "the page files, in order")
	assert.Zero(t, pages.open, "every page file is closed")
	got := index.String()
	for _, name := range pages.order {
		got += "\n==> report.pages/" + name + " <==\n" + pages.files[name].String()
	}
	golden(t, "fixtures.pages.golden", []byte(got))
}

// TestHTMLPagesOnePage: a report that fits on one page is the very page
// NewHTMLWriter writes, and no page file is made.
func TestHTMLPagesOnePage(t *testing.T) {
	var one, paged bytes.Buffer
	render(t, report.NewHTMLWriter(&one), fixtures())
	var pages memPages
	render(t, report.NewPagedHTMLWriter(&paged, report.HTMLPages{Create: pages.create, Folder: "r.pages", Index: "r.html", Size: len(fixtures())}), fixtures())
	assert.Empty(t, pages.order, "no page file for a report of one page")
	assert.Equal(t, one.String(), paged.String(), "the one page is NewHTMLWriter's")
}

// TestHTMLPagesCreateFails: an error creating a page file is the writer's
// error.
func TestHTMLPagesCreateFails(t *testing.T) {
	boom := errors.New("disk full")
	w := report.NewPagedHTMLWriter(io.Discard, report.HTMLPages{
		Create: func(string) (io.WriteCloser, error) { return nil, boom }, Folder: "r.pages", Index: "r.html", Size: 1,
	})
	var err error
	for _, a := range fixtures() {
		if err = w.Write(a); err != nil {
			break
		}
	}
	assert.ErrorIs(t, err, boom, "Write returns the error of Create")
	assert.ErrorIs(t, w.Close(), boom, "and so does Close")
}

// TestHTMLPagesLinks: in a paged report of testdata/archive, every file is
// self-contained (no script, nothing loaded, a Content-Security-Policy)
// and every link leads to a file of the report and to an element there;
// each message is on exactly one page, and the archive pass's links reach
// messages on other pages.
func TestHTMLPagesLinks(t *testing.T) {
	dir := t.TempDir()
	archiveReport(t, dir, 6)
	files := []string{"report.html"}
	entries, err := os.ReadDir(filepath.Join(dir, "report.pages"))
	require.NoError(t, err, "the folder of pages")
	for _, e := range entries {
		files = append(files, "report.pages/"+e.Name())
	}
	require.Len(t, files, 5, "the index and four pages of six records (20 in all; the README is not mail and has none)")

	ids := map[string]map[string]bool{} // file: its element ids
	type link struct{ from, href string }
	var links []link
	sections := map[string]int{}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, "read %s", name)
		doc, err := html.Parse(bytes.NewReader(b))
		require.NoError(t, err, "%s parses", name)
		ids[name] = map[string]bool{}
		csp := false
		walkHTML(doc, func(n *html.Node) {
			switch n.Data {
			case "script", "iframe", "object", "embed", "img", "link", "form", "base":
				t.Errorf("%s has a <%s> element", name, n.Data)
			case "details":
				if name != "report.html" || attr(n, "id") != "" {
					sections[attr(n, "id")]++
				}
			case "meta":
				if attr(n, "http-equiv") == "Content-Security-Policy" {
					csp = strings.Contains(attr(n, "content"), "default-src 'none'")
				}
			}
			if id := attr(n, "id"); id != "" {
				ids[name][id] = true
			}
			if href := attr(n, "href"); href != "" {
				links = append(links, link{name, href})
			}
			if attr(n, "src") != "" || attr(n, "action") != "" {
				t.Errorf("%s: <%s> loads something", name, n.Data)
			}
		})
		assert.True(t, csp, "%s has a Content-Security-Policy that forbids everything but inline style", name)
	}
	assert.Len(t, sections, 20, "the 20 messages have a section each; the README, not mail, is only counted")
	for id, n := range sections {
		assert.Equal(t, 1, n, "message %s is on one page", id)
	}
	crossPage := 0
	for _, l := range links {
		u, err := url.Parse(l.href)
		require.NoError(t, err, "%s: href %q", l.from, l.href)
		require.Empty(t, u.Scheme+u.Host, "%s: %q stays within the report", l.from, l.href)
		target := l.from
		if u.Path != "" {
			target = path.Clean(path.Join(path.Dir(l.from), u.Path))
			require.Contains(t, ids, target, "%s: %q leads to a file of the report", l.from, l.href)
			if strings.HasPrefix(u.Fragment, "m-") {
				crossPage++
			}
		}
		if u.Fragment != "" {
			assert.True(t, ids[target][u.Fragment], "%s: %q leads to an element of %s", l.from, l.href, target)
		}
	}
	assert.Positive(t, crossPage, "some archive-pass links lead to another page")
	assert.True(t, slices.ContainsFunc(links, func(l link) bool { return l.from == "report.html" && strings.HasSuffix(l.href, "#altered") }),
		"the index links to pages filtered by verdict")
}

// TestHTMLPagesByPosition: messages go to pages by where the archive pass
// saw them, so a link can name the page of a message not yet written.
func TestHTMLPagesByPosition(t *testing.T) {
	as := fixtures()[:3]
	p := provenance.NewArchivePass()
	for _, a := range as {
		p.Add(a)
	}
	var pages memPages
	w := report.NewPagedHTMLWriter(io.Discard, report.HTMLPages{Create: pages.create, Folder: "r.pages", Index: "r.html", Size: 1})
	// The second message is not written (a caller's filter): its page is
	// not made, and the third message is still on page 3.
	require.NoError(t, w.Write(as[0]), "Write")
	require.NoError(t, w.Write(as[2]), "Write")
	require.NoError(t, w.Close(), "Close")
	assert.Equal(t, []string{"page-0001.html", "page-0003.html"}, pages.order, "pages by Position")
	assert.Contains(t, pages.files["page-0003.html"].String(), `<a href="page-0001.html">Previous page</a>`, "the previous page is the one before it that exists")
}
