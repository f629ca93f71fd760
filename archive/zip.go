package archive

// Zip files: each entry is read as a file of its own, under the zip's
// path joined with the entry's, with caps on what an entry may inflate to.

import (
	"archive/zip"
	"bytes"
	"cmp"
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
	// archive/zip holds the whole central directory in memory, and more
	// (a File of about 200 bytes per entry): its size is checked first,
	// from the end records, before it is parsed.
	if dir, ok := findZipDirectory(f, size); ok {
		if limit := w.opts.maxCentralDirectory(); dir.extent > limit {
			w.fileError(name, fmt.Errorf("%w: %d bytes from offset %d to the end of the zip, the cap is %d", ErrCentralDirectory, dir.extent, size-dir.extent, limit))
			return
		}
		if dir.entries > uint64(w.opts.maxZipEntries()) {
			w.fileError(name, fmt.Errorf("%w: %d entries, the cap is %d", ErrTooManyEntries, dir.entries, w.opts.maxZipEntries()))
			return
		}
	}
	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		w.fileError(name, err)
		return
	}
	if len(zr.File) > w.opts.maxZipEntries() {
		w.fileError(name, fmt.Errorf("%w: %d entries, the cap is %d", ErrTooManyEntries, len(zr.File), w.opts.maxZipEntries()))
		return
	}
	saved := w.budget
	total := w.opts.maxZipTotal()
	w.budget = &budget{n: total, err: fmt.Errorf("%w: the zip's entries inflate to more than %d bytes", ErrInflatedTotal, total), up: saved}
	defer func() { w.budget = saved }()
	overlaps := overlapping(zr.File)
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
		if !w.countFile(joinName(name, e.f.Name)) {
			return
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
		if o, ok := overlaps[e.f]; ok {
			w.fileError(joinName(name, e.f.Name), o)
			continue
		}
		w.walkZipEntry(joinName(name, e.f.Name), e.f, f)
	}
}

// A zipDirectory is what a zip's end records say of its central directory.
type zipDirectory struct {
	entries uint64 // the entry count the end record declares
	extent  int64  // bytes from the directory's start to the end of the zip
}

// findZipDirectory reads a zip's end-of-central-directory record (and its
// zip64 record when there is one) as archive/zip finds them, and returns
// how large a central directory archive/zip would parse: from where it
// starts to the end of the zip, since archive/zip reads records until they
// stop, whatever size the end record declares. ok is false when
// archive/zip would refuse the zip before parsing any record. Each step
// follows archive/zip's readDirectoryEnd, so that the two cannot disagree
// about where the directory is.
func findZipDirectory(r io.ReaderAt, size int64) (dir zipDirectory, ok bool) {
	const endLen, locLen, end64Len = 22, 20, 56
	var buf []byte
	var endOff int64
	for i, n := range []int64{1024, 65 * 1024} {
		n = min(n, size)
		buf = make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return zipDirectory{}, false
		}
		if p := findZipEnd(buf); p >= 0 {
			buf, endOff = buf[p:], size-n+int64(p)
			break
		}
		if i == 1 || n == size {
			return zipDirectory{}, false
		}
	}
	entries := uint64(le16(buf[10:]))
	dirSize := uint64(le32(buf[12:]))
	dirOff := uint64(le32(buf[16:]))
	// archive/zip's test, 0xffff for the size included.
	if entries == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		var loc [locLen]byte
		if at := endOff - locLen; at >= 0 {
			if _, err := r.ReadAt(loc[:], at); err != nil {
				return zipDirectory{}, false
			}
			if string(loc[:4]) == "PK\x06\x07" && le32(loc[4:]) == 0 && le32(loc[16:]) == 1 {
				var rec [end64Len]byte
				off := int64(le64(loc[8:]))
				if _, err := r.ReadAt(rec[:], off); err != nil || string(rec[:4]) != "PK\x06\x06" {
					return zipDirectory{}, false
				}
				endOff = off
				entries, dirSize, dirOff = le64(rec[32:]), le64(rec[40:]), le64(rec[48:])
			}
		}
	}
	if dirSize > math.MaxInt64 || dirOff > math.MaxInt64 {
		return zipDirectory{}, false
	}
	base := endOff - int64(dirSize) - int64(dirOff)
	start := base + int64(dirOff)
	if start < 0 || start >= size {
		return zipDirectory{}, false
	}
	// With data before the zip (a self-extracting one), archive/zip still
	// starts at the recorded offset when a directory record lies there.
	if base > 0 {
		var sig [4]byte
		if _, err := r.ReadAt(sig[:], int64(dirOff)); err == nil && string(sig[:]) == "PK\x01\x02" {
			start = int64(dirOff)
		}
	}
	return zipDirectory{entries: entries, extent: size - start}, true
}

// findZipEnd returns where the end-of-central-directory record starts in
// b, the last one whose comment fits, or -1, as archive/zip's
// findSignatureInBlock does.
func findZipEnd(b []byte) int {
	for i := len(b) - 22; i >= 0; i-- {
		if string(b[i:i+4]) == "PK\x05\x06" {
			if i+22+int(le16(b[i+20:])) > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32 { return uint32(le16(b)) | uint32(le16(b[2:]))<<16 }
func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

// overlapping returns, for each entry whose compressed data shares bytes
// with another entry's, an error naming both: an overlapping-entry zip
// bomb makes thousands of entries of one highly compressed stream, each
// within the per-entry caps, and no zip tool writes entries that overlap.
// Each entry's data range comes from its central directory record and
// local header: where its data starts, and its compressed size.
func overlapping(files []*zip.File) map[*zip.File]error {
	type span struct {
		f          *zip.File
		start, end int64
	}
	var spans []span
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil || f.CompressedSize64 == 0 || f.CompressedSize64 > math.MaxInt64-uint64(off) {
			continue // an unreadable header fails when the entry is opened
		}
		spans = append(spans, span{f, off, off + int64(f.CompressedSize64)})
	}
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := map[*zip.File]error{}
	refuse := func(s, other span) {
		if _, done := out[s.f]; !done {
			out[s.f] = fmt.Errorf("%w: this entry's data (%d bytes at offset %d of the zip) shares bytes with that of entry %q (%d bytes at offset %d); such an entry is how a zip bomb inflates one stream many times, and is not read",
				ErrOverlap, s.end-s.start, s.start, other.f.Name, other.end-other.start, other.start)
		}
	}
	var reach span // the span reaching furthest so far
	for i, s := range spans {
		if i > 0 && s.start < reach.end {
			refuse(s, reach)
			refuse(reach, s)
		}
		if i == 0 || s.end > reach.end {
			reach = s
		}
	}
	return out
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
	// Errors about the entry's data say where it lies in the zip.
	dataOff, err := zf.DataOffset()
	if err != nil {
		w.fileError(name, err)
		return
	}
	at := fmt.Sprintf("entry data at offset %d of the zip", dataOff)
	fail := func(err error) { w.emit(&Message{File: name, Err: wrapErr(name, at, err)}) }
	if zf.Method == zip.Store && usize != csize {
		fail(fmt.Errorf("%w: the entry is stored uncompressed, but its directory record declares %d bytes stored and %d bytes uncompressed", ErrZipEntrySize, csize, usize))
		return
	}
	if usize > uint64(maxSize) {
		fail(fmt.Errorf("%w: %d bytes, the cap is %d", ErrZipEntryTooLarge, usize, maxSize))
		return
	}
	// A tiny entry may compress badly or well; the ratio matters past 1 MiB.
	limit, capErr := w.entryCap(int64(min(csize, math.MaxInt64)))
	if usize > uint64(limit) {
		fail(fmt.Errorf("%w: %d bytes from %d compressed, the cap is %d times", ErrZipRatio, usize, csize, ratio))
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
		fail(err)
		return
	}
	rc, err := open()
	if err != nil {
		fail(err)
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
		if zf.Method == zip.Store && zr != nil {
			// Stored, not compressed: the entry is bytes of the zip.
			sub = src{name: name, ra: io.NewSectionReader(zr, dataOff, int64(min(csize, math.MaxInt64))), size: int64(min(csize, math.MaxInt64))}
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
