package archive

// Zip files: each entry is read as a file of its own, under the zip's
// path joined with the entry's, with caps on what an entry may inflate to.

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// zipEntry is one file entry of a zip.
type zipEntry struct {
	f     *zip.File
	parts []string
}

// walkZip reads every entry of a zip file.
func (w *walker) walkZip(name string, f io.ReaderAt, size int64) {
	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		w.fileError(name, err)
		return
	}
	if len(zr.File) > w.opts.maxZipEntries() {
		w.fileError(name, fmt.Errorf("%w: %d entries, the cap is %d", ErrTooManyEntries, len(zr.File), w.opts.maxZipEntries()))
		return
	}
	var entries []zipEntry
	dirs := map[string]bool{}
	for _, zf := range zr.File {
		p := strings.Trim(zf.Name, "/")
		for d := path.Dir(p); d != "." && d != "/" && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
		if strings.HasSuffix(zf.Name, "/") || zf.Mode().IsDir() {
			dirs[p] = true
			continue
		}
		entries = append(entries, zipEntry{f: zf, parts: strings.Split(p, "/")})
	}
	// Sort by path components, as a folder walk orders them; a stable sort
	// keeps duplicate names in directory order.
	slices.SortStableFunc(entries, func(a, b zipEntry) int { return slices.Compare(a.parts, b.parts) })
	// A zip may hold several entries that unzip writes to one file: the
	// same name, or names that differ only in "./", "x/../" or slashes.
	// Their records would carry the same (or an equivalent) File, and unzip
	// keeps only the last, so each gets a note saying which of them it is,
	// counted in the zip's directory order. So are names that a Mac or
	// Windows takes for one file and that look the same on screen
	// (CollisionName), which no reader can tell apart in a report. Names
	// that differ only in letter case collide on case-insensitive file
	// systems: noted too.
	order := map[*zip.File]int{} // 1-based place among the entries of its colliding name
	named := map[string]int{}
	exact := map[string]int{}
	folded := map[string]int{}
	for _, e := range entries {
		named[CollisionName(e.f.Name)]++
		exact[ExtractedName(e.f.Name)]++
		folded[strings.ToLower(CollisionName(e.f.Name))]++
	}
	seen := map[string]int{}
	for _, zf := range zr.File { // directory order
		if strings.HasSuffix(zf.Name, "/") || zf.Mode().IsDir() {
			continue
		}
		if k := CollisionName(zf.Name); named[k] > 1 {
			seen[k]++
			order[zf] = seen[k]
		}
	}
	outerNote, outerEntry := w.entryNote, w.entry
	defer func() { w.entryNote, w.entry = outerNote, outerEntry }()
	for _, e := range entries {
		if w.stopped || w.ctx.Err() != nil {
			return
		}
		if err := w.budget.spent(); err != nil {
			w.entryNote, w.entry = outerNote, outerEntry
			w.fileError(name, err)
			return
		}
		if inMaildirTmp(e.parts, dirs) {
			continue
		}
		var notes []string
		if !filepath.IsLocal(e.f.Name) || strings.ContainsAny(e.f.Name, "\\\x00") || ExtractedName(e.f.Name) != strings.Trim(e.f.Name, "/") {
			// Nothing is ever extracted, so such a name is harmless here,
			// but a tool that unpacks the zip may put the file elsewhere.
			notes = append(notes, fmt.Sprintf("the zip entry name %q is not a plain relative path", e.f.Name))
		}
		w.entry = outerEntry
		key := CollisionName(e.f.Name)
		switch n := named[key]; {
		case n > 1 && exact[ExtractedName(e.f.Name)] == n:
			notes = append(notes, fmt.Sprintf("the zip holds %d entries that unzip writes to %q; this is number %d of them in the zip's directory order (unzip keeps only the last)", n, key, order[e.f]))
			w.entry = [2]int{order[e.f], n}
		case n > 1:
			notes = append(notes, fmt.Sprintf("the zip holds %d entries whose names look the same, %q, and that unzip on a Mac or on Windows writes to one file (the names differ only in Unicode normalisation or in spaces or dots at the end of a part); this is number %d of them in the zip's directory order (unzip keeps only the last)", n, key, order[e.f]))
			w.entry = [2]int{order[e.f], n}
		case folded[strings.ToLower(key)] > 1:
			notes = append(notes, fmt.Sprintf("another entry of the zip has the name %q but for letter case; on a case-insensitive file system unzip keeps only one of them", key))
		}
		w.entryNote = joinNotes(outerNote, notes)
		w.walkZipEntry(joinName(name, e.f.Name), e.f, f)
	}
}

// ExtractedName is the path Info-ZIP's unzip (and Python's zipfile)
// writes a zip entry named name to, relative to the folder it extracts
// into: the name ends at a NUL byte (C strings), backslashes count as
// slashes, and empty, "." and ".." parts are dropped, not resolved
// ("x/../a.eml" is written to x/a.eml). Entries with the same
// ExtractedName overwrite each other, the last one winning.
func ExtractedName(name string) string {
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	var parts []string
	for p := range strings.SplitSeq(strings.ReplaceAll(name, `\`, "/"), "/") {
		if p != "" && p != "." && p != ".." {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// CollisionName is the form of a zip entry name under which entries land
// in one file when unzipped on a Mac or on Windows, names that also look
// the same on screen: its ExtractedName in Unicode normalization form C
// (macOS writes names decomposed, NFD, and its file systems take both
// forms of "café" for one name), without the spaces and dots that Windows
// drops from the end of each part ("a.eml. " is a.eml there). Entries with
// the same CollisionName are reported as duplicates; letter case, which
// shows on screen, is not folded.
func CollisionName(name string) string {
	parts := strings.Split(norm.NFC.String(ExtractedName(name)), "/")
	for i, p := range parts {
		if t := strings.TrimRight(p, " ."); t != "" {
			parts[i] = t
		}
	}
	return strings.Join(parts, "/")
}

// inMaildirTmp reports whether an entry lies in the tmp/ folder of a
// Maildir (a folder that also has cur/ and new/).
func inMaildirTmp(parts []string, dirs map[string]bool) bool {
	for i := 0; i < len(parts)-1; i++ {
		if parts[i] != "tmp" {
			continue
		}
		parent := strings.Join(parts[:i], "/")
		if parent != "" {
			parent += "/"
		}
		if dirs[parent+"cur"] && dirs[parent+"new"] {
			return true
		}
	}
	return false
}

// walkZipEntry reads one entry of the zip in zr, within the entry caps.
func (w *walker) walkZipEntry(name string, zf *zip.File, zr io.ReaderAt) {
	if zf.Mode()&fs.ModeSymlink != 0 {
		w.fileError(name, fmt.Errorf("%w (a symbolic link)", ErrNotMail))
		return
	}
	usize, csize := zf.UncompressedSize64, zf.CompressedSize64
	maxSize, ratio := w.opts.maxZipEntrySize(), w.opts.maxZipRatio()
	if usize > uint64(maxSize) {
		w.fileError(name, fmt.Errorf("%w: %d bytes, the cap is %d", ErrZipEntryTooLarge, usize, maxSize))
		return
	}
	// A tiny entry may compress badly or well; the ratio matters past 1 MiB.
	limit, capErr := w.entryCap(int64(min(csize, math.MaxInt64)))
	if usize > uint64(limit) {
		w.fileError(name, fmt.Errorf("%w: %d bytes from %d compressed, the cap is %d times", ErrZipRatio, usize, csize, ratio))
		return
	}
	up := w.budget
	open := func() (io.ReadCloser, error) {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		return readCloser{&capReader{r: rc, b: &budget{n: limit, err: capErr, up: up}}, rc}, nil
	}
	// The CRC covers the whole entry and is checked only at its end, after
	// the first messages would have been yielded: check it first, so that
	// no message of a corrupt entry is read as if it were intact.
	if err := w.checkEntry(open); err != nil {
		w.fileError(name, err)
		return
	}
	rc, err := open()
	if err != nil {
		w.fileError(name, err)
		return
	}
	defer rc.Close()
	// Read the whole window whatever the declared size, which may lie.
	head := w.headBuf(SniffSize)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		w.fileError(name, err)
		return
	}
	kind := Detect(head[:n])
	switch {
	case isContainer(kind):
		sub := src{name: name, size: int64(min(usize, math.MaxInt64)), open: open}
		if off, err := zf.DataOffset(); err == nil && zf.Method == zip.Store && zr != nil {
			// Stored, not compressed: the entry is bytes of the zip.
			sub = src{name: name, ra: io.NewSectionReader(zr, off, int64(min(csize, math.MaxInt64))), size: int64(min(csize, math.MaxInt64))}
		}
		w.walkContainer(sub, kind, &budget{n: limit, err: capErr})
	case kind == KindNotMail:
		w.notMail(name, head[:n])
	default:
		w.readStream(name, kind, io.MultiReader(bytes.NewReader(head[:n]), rc), int64(usize))
	}
}

// checkEntry reads a zip entry through the caps and reports an error when
// it cannot be read whole or fails its CRC check.
func (w *walker) checkEntry(open func() (io.ReadCloser, error)) error {
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return w.drain(rc)
}
