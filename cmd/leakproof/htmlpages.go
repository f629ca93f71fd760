package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/leakproof/leakproof/report"
)

// defaultPageSize is the number of messages on a page of an HTML report
// written with --out: a page a browser opens in about a second.
const defaultPageSize = 1000

// htmlPages is the folder of page files of an HTML report written to
// --out FILE, when the report needs more than one page: FILE.pages (the
// name without its extension, then ".pages"; report.pages beside
// report.html). The pages are written to a temporary folder beside it,
// which replaces the folder when the report is complete (commit) and is
// removed otherwise (abort), as FILE itself only appears complete.
type htmlPages struct {
	folder string // the final folder
	tmp    string // the temporary folder, "" until the first page
	done   bool
}

// pageFileName is the name of a page file the report package writes.
var pageFileName = regexp.MustCompile(`^page-[0-9]{4,}\.html$`)

// newHTMLPages returns the folder of pages of the report written to out.
// A folder of that name may already hold the pages of an earlier report,
// which commit replaces; one that holds anything else is left alone and
// is an error.
func newHTMLPages(out string) (*htmlPages, error) {
	base := filepath.Base(out)
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	p := &htmlPages{folder: filepath.Join(filepath.Dir(out), base+".pages")}
	if err := p.checkOld(); err != nil {
		return nil, err
	}
	return p, nil
}

// openReport creates the report --out FILE names and, for an HTML report
// to be split (format html, pageSize above 0), the folder of its pages:
// both appear only when committed, and the caller aborts them otherwise
// (abort of a nil *htmlPages does nothing). On an error it says on stderr
// what went wrong and reports false.
func openReport(stderr io.Writer, out, format string, pageSize int) (*atomicFile, *htmlPages, bool) {
	var pages *htmlPages
	if format == "html" && pageSize > 0 {
		var err error
		if pages, err = newHTMLPages(out); err != nil {
			errorf(stderr, err.Error(), "choose another --out FILE, or move that folder away")
			return nil, nil, false
		}
	}
	f, err := createAtomic("--out", out)
	if err != nil {
		pages.abort()
		errorf(stderr, err.Error(), "check that the folder of --out exists and can be written")
		return nil, nil, false
	}
	return f, pages, true
}

// commitReport makes a report that openReport opened appear: the folder
// of its pages first, then the file that links to them. Both may be nil.
func commitReport(f *atomicFile, pages *htmlPages) error {
	if pages != nil {
		if err := pages.commit(); err != nil {
			return err
		}
	}
	if f != nil {
		return f.commit()
	}
	return nil
}

// checkPageSize checks --page-size against --format and --out: it reports
// whether the flag was given, and what is wrong with it ("" if nothing).
func checkPageSize(fs *flag.FlagSet, format, out string, size int) (set bool, msg string, hints []string) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "page-size" })
	switch {
	case set && (format != "html" || out == ""):
		return set, "--page-size goes with --format html and --out FILE", []string{"the pages are written to a folder beside FILE"}
	case size < 0:
		return set, fmt.Sprintf("--page-size %d: must be 0 (one page) or more", size), nil
	}
	return set, "", nil
}

// paging is how the HTML writer lays out the pages of p for the report
// --out FILE, size messages a page; nil (one page) when p is nil.
func (p *htmlPages) paging(out string, size int) *report.HTMLPages {
	if p == nil {
		return nil
	}
	return &report.HTMLPages{Create: p.create, Folder: p.name(), Index: filepath.Base(out), Size: size}
}

// name is the folder's name, as the report's links name it.
func (p *htmlPages) name() string { return filepath.Base(p.folder) }

// checkOld reports an error when the folder exists and holds anything
// but an earlier report's pages.
func (p *htmlPages) checkOld() error {
	entries, err := os.ReadDir(p.folder)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out: the folder for the report's pages: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !pageFileName.MatchString(e.Name()) {
			return fmt.Errorf("--out: %s exists and holds %s, which is not a page of a report: the report's pages go to that folder", p.folder, e.Name())
		}
	}
	return nil
}

// create creates a page file in the temporary folder.
func (p *htmlPages) create(name string) (io.WriteCloser, error) {
	if p.tmp == "" {
		tmp, err := os.MkdirTemp(filepath.Dir(p.folder), "."+filepath.Base(p.folder)+".tmp-*")
		if err != nil {
			return nil, fmt.Errorf("--out: %w", err)
		}
		p.tmp = tmp
	}
	f, err := os.Create(filepath.Join(p.tmp, name))
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	return f, nil
}

// commit puts the pages written in place of an earlier report's, and
// removes an earlier report's pages when this report needed none.
func (p *htmlPages) commit() error {
	if err := p.checkOld(); err != nil {
		return err
	}
	if err := os.RemoveAll(p.folder); err != nil {
		return fmt.Errorf("--out: removing the earlier report's pages: %w", err)
	}
	p.done = true
	if p.tmp == "" {
		return nil
	}
	if err := os.Chmod(p.tmp, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.Rename(p.tmp, p.folder); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// abort removes the temporary folder unless commit succeeded.
func (p *htmlPages) abort() {
	if p != nil && !p.done && p.tmp != "" {
		os.RemoveAll(p.tmp)
	}
}
