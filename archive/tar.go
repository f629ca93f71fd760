package archive

// Tar files: each entry is read as a file of its own, under the tar's
// path joined with the entry's, in the order the tar stores them (a tar
// has no directory to sort by; reading it out of order means unpacking).

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// A tarIndex is what a first pass over a tar learns: its folders (for
// Maildir's tmp/) and how many entries share each extracted name.
type tarIndex struct {
	dirs   map[string]bool
	named  map[string]int // entries per ExtractedName
	folded map[string]int // entries per lower-cased ExtractedName
}

// scanTar reads the headers of a tar (skipping its contents: seeking
// where r can, else reading them) and fails when it has more than max
// entries or a header is broken.
func scanTar(r io.Reader, max int) (*tarIndex, error) {
	idx := &tarIndex{dirs: map[string]bool{}, named: map[string]int{}, folded: map[string]int{}}
	tr := tar.NewReader(r)
	entries := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return idx, nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return nil, err
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // PAX defaults for the entries that follow, no file
		}
		if entries++; entries > max {
			return nil, fmt.Errorf("%w: more than %d entries", ErrTooManyEntries, max)
		}
		p := trimDotSlash(strings.Trim(hdr.Name, "/"))
		for d := path.Dir(p); d != "." && d != "/" && !idx.dirs[d]; d = path.Dir(d) {
			idx.dirs[d] = true
		}
		if hdr.Typeflag == tar.TypeDir || strings.HasSuffix(hdr.Name, "/") {
			idx.dirs[p] = true
			continue
		}
		idx.named[ExtractedName(hdr.Name)]++
		idx.folded[strings.ToLower(ExtractedName(hdr.Name))]++
	}
}

// walkTar reads every entry of a tar, after a first pass (idx, when the
// caller has not made it already) that checks its headers and caps.
func (w *walker) walkTar(s src, idx *tarIndex) {
	if idx == nil {
		rc, err := s.reader()
		if err != nil {
			w.fileError(s.name, err)
			return
		}
		idx, err = scanTar(rc, w.opts.maxZipEntries())
		rc.Close()
		if err != nil {
			w.fileError(s.name, err)
			return
		}
	}
	// Where the tar lies in a file or in memory, a nested container is
	// read in place: pos tracks where each entry's data starts.
	var r io.Reader
	var sr *io.SectionReader
	if s.ra != nil {
		sr = io.NewSectionReader(s.ra, 0, s.size)
		r = sr
	} else {
		rc, err := s.open()
		if err != nil {
			w.fileError(s.name, err)
			return
		}
		defer rc.Close()
		r = rc
	}
	tr := tar.NewReader(r)
	outerNote, outerEntry := w.entryNote, w.entry
	defer func() { w.entryNote, w.entry = outerNote, outerEntry }()
	seen := map[string]int{}
	for {
		if w.stopped || w.ctx.Err() != nil {
			return
		}
		if err := w.budget.spent(); err != nil {
			w.fileError(s.name, err)
			return
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			// The first pass read the same headers: the file changed.
			w.entryNote, w.entry = outerNote, outerEntry
			w.fileError(s.name, err)
			return
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader || hdr.Typeflag == tar.TypeDir || strings.HasSuffix(hdr.Name, "/") {
			continue
		}
		p := trimDotSlash(strings.Trim(hdr.Name, "/"))
		if inMaildirTmp(strings.Split(p, "/"), idx.dirs) {
			continue
		}
		var notes []string
		// "./" in front is how tar -C DIR . names every entry: plain.
		if !filepath.IsLocal(hdr.Name) || strings.ContainsAny(hdr.Name, "\\\x00") || ExtractedName(hdr.Name) != p {
			// Nothing is ever extracted, so such a name is harmless here,
			// but tar may put the file elsewhere or refuse it.
			notes = append(notes, fmt.Sprintf("the tar entry name %q is not a plain relative path", hdr.Name))
		}
		w.entry = outerEntry
		key := ExtractedName(hdr.Name)
		if n := idx.named[key]; n > 1 {
			seen[key]++
			notes = append(notes, fmt.Sprintf("the tar holds %d entries that tar writes to %q; this is number %d of them in the tar's order (tar keeps only the last)", n, key, seen[key]))
			w.entry = [2]int{seen[key], n}
		} else if idx.folded[strings.ToLower(key)] > 1 {
			notes = append(notes, fmt.Sprintf("another entry of the tar has the name %q but for letter case; on a case-insensitive file system tar keeps only one of them", key))
		}
		w.entryNote = joinNotes(outerNote, notes)
		name := joinName(s.name, hdr.Name)
		var pos int64 = -1
		if sr != nil && !isSparse(hdr) {
			pos, _ = sr.Seek(0, io.SeekCurrent)
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			w.walkTarEntry(s, name, tr, hdr.Size, pos)
		case tar.TypeSymlink:
			w.fileError(name, fmt.Errorf("%w (a symbolic link to %q, not followed)", ErrNotMail, hdr.Linkname))
		case tar.TypeLink:
			w.fileError(name, fmt.Errorf("%w (a hard link to %q, which is read under its own name)", ErrNotMail, hdr.Linkname))
		default:
			w.fileError(name, fmt.Errorf("%w (not a regular file)", ErrNotMail))
		}
	}
}

// trimDotSlash removes the "./" in front of a path.
func trimDotSlash(p string) string {
	for strings.HasPrefix(p, "./") {
		p = strings.TrimLeft(p[2:], "/")
	}
	return p
}

// isSparse reports whether a tar entry's data is stored in pieces, so that
// it is not the bytes at one place in the tar.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// joinNotes joins the note of the containers around with this entry's.
func joinNotes(outer string, notes []string) string {
	if outer != "" {
		notes = append([]string{outer}, notes...)
	}
	return strings.Join(notes, "; ")
}

// walkTarEntry reads the regular file entry of a tar that tr is at. pos is
// where its data starts in s.ra, or -1 when it can only be streamed.
func (w *walker) walkTarEntry(s src, name string, tr *tar.Reader, size, pos int64) {
	if !w.countFile(name) {
		return
	}
	head := w.headBuf(int(min(size, SniffSize)))
	n, err := io.ReadFull(tr, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		w.fileError(name, err)
		return
	}
	kind := Detect(head[:n])
	switch {
	case isContainer(kind):
		sub := src{name: name, size: size}
		if pos >= 0 {
			sub.ra = io.NewSectionReader(s.ra, pos, size)
		} else {
			// A stream is read once: hold the entry to open it.
			limit := w.opts.maxNestedSize()
			if size > limit {
				w.fileError(name, fmt.Errorf("%w: %d bytes, the cap is %d; extract it and verify it on its own", ErrNestedTooLarge, size, limit))
				return
			}
			b := make([]byte, n, size+1) // +1: the probe for the end
			copy(b, head[:n])
			b, err = readAll(tr, b)
			if err != nil {
				w.fileError(name, err)
				return
			}
			sub.ra, sub.size = bytes.NewReader(b), int64(len(b))
		}
		w.walkContainer(sub, kind, nil)
	case kind == KindNotMail:
		w.notMail(name, head[:n])
	default:
		w.readStream(name, kind, io.MultiReader(bytes.NewReader(head[:n]), tr), size)
	}
}
