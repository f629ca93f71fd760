package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"iter"
	"math"
	"os"
	"path"
	"strings"
	"time"

	"github.com/leakproof/leakproof/mbox"
)

// Walk returns an iterator over every message under root: a single message
// file, an mbox, an .emlx file, a Maildir, a folder tree, or a zip, tar,
// gzip or bzip2 file, nested ones included. Each file's kind is read from
// its content ([Detect]), never from its name.
//
// Records come in a deterministic order: a folder's entries sorted by name
// (so a Maildir's cur/ comes before new/; its tmp/ is skipped), a file's
// messages in file order, a zip's entries sorted by path, a tar's in the
// order it stores them. A file that is not mail gives one record (Index 0)
// wrapping [ErrNotMail]; a file that cannot be read, one record (Index 0)
// whose Err names the path and, where there is one, the offset. A message
// over the size cap, a truncated message, a zip entry with a bad CRC: each
// gives a record and the walk goes on. Walk never yields nil.
//
// Every range over the iterator walks anew. When ctx is done the walk stops
// before the next record; the caller checks ctx.Err(). Input is opened
// read-only and nothing is written. Walk is safe for concurrent use; each
// range has its own state. A record belongs to the caller once yielded.
func Walk(ctx context.Context, root string, opts *Options) iter.Seq[*Message] {
	return func(yield func(*Message) bool) {
		w := &walker{ctx: ctx, opts: opts, yield: yield, root: root}
		w.startRun()
		defer w.endRun()
		w.walkPath(root)
	}
}

// startRun sets the budget of bytes the whole walk may inflate, less what
// the walks sharing Options.Inflated have inflated already.
func (w *walker) startRun() {
	total := w.opts.maxInflatedTotal()
	used := int64(0)
	if w.opts != nil && w.opts.Inflated != nil {
		used = w.opts.Inflated.Load()
	}
	w.run = &budget{n: max(total-used, -1), err: fmt.Errorf("%w: more than %d bytes inflated in this run", ErrInflatedTotal, total)}
	w.runStart = w.run.n
	w.budget = w.run
}

// endRun adds what the walk inflated to Options.Inflated.
func (w *walker) endRun() {
	if w.opts != nil && w.opts.Inflated != nil {
		w.opts.Inflated.Add(w.runStart - max(w.run.n, -1))
	}
}

// countFile counts one more file read and reports whether the walk may
// read it; at the cap, it emits the record that says so and ends the walk.
func (w *walker) countFile(name string) bool {
	if w.files++; w.files <= w.opts.maxFiles() {
		return true
	}
	w.fileError(name, fmt.Errorf("%w of %d; the walk ends here, and no file after this one was read", ErrTooManyFiles, w.opts.maxFiles()))
	w.stopped = true
	return false
}

// changed returns an error when f's size or modification time differ from
// those in before, which were taken when it was opened.
func changed(f interface{ Stat() (fs.FileInfo, error) }, before fs.FileInfo) error {
	after, err := f.Stat()
	if err != nil {
		return err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return fmt.Errorf("%w: it was %d bytes, modified %s, when opened, and is %d bytes, modified %s, now; its records above may be incomplete",
			ErrChanged, before.Size(), before.ModTime().UTC().Format(time.RFC3339Nano), after.Size(), after.ModTime().UTC().Format(time.RFC3339Nano))
	}
	return nil
}

type walker struct {
	ctx     context.Context
	opts    *Options
	yield   func(*Message) bool
	stopped bool
	scratch []byte // read buffer reused between messages of unknown size
	copyBuf []byte // copy buffer for bytes over the cap
	// loadBufs keeps one buffer of a message read by Message.Load
	// (Options.DeferLarge) for the next.
	loadBufs chan []byte
	seed     maphash.Seed // the key of place.sum
	head     []byte       // sniffing buffer, SniffSize bytes

	root    string // the path Walk was given
	rootDir bool   // and it is a folder

	entryNote string // a note for every record of the zip or tar entry being read
	entry     [2]int // Entry and Entries for every record of that entry
	forced    bool   // the file is read as mail only because it was named

	depth  int     // containers open around the file being read
	budget *budget // bytes the containers around may still inflate; w.run at the top

	run      *budget // bytes the whole walk may still inflate
	runStart int64   // run.n when the walk started
	files    int     // files and entries read so far

	part partState // the share being walked, with Options.Share
}

// emit yields m and reports whether the walk goes on.
func (w *walker) emit(m *Message) bool {
	if w.stopped {
		return false
	}
	if !w.partKeeps() {
		return true
	}
	if w.entryNote != "" {
		m.Notes = append(m.Notes, w.entryNote)
	}
	m.Entry, m.Entries = w.entry[0], w.entry[1]
	m.Forced = w.forced
	m.BOM = m.BOM || bytes.HasPrefix(m.Raw, []byte(mbox.UTF8BOM))
	if m.digestPending {
		m.idPath = w.relative(m.File) // for Digest
	} else {
		m.ID = MessageID(m.SHA256, w.relative(m.File), m.Entry, m.Index)
	}
	w.partAnnounce(m)
	if w.ctx.Err() != nil || !w.yield(m) {
		w.stopped = true
		return false
	}
	return true
}

// fileError emits the record of a file that could not be read.
func (w *walker) fileError(name string, err error) bool {
	return w.emit(&Message{File: name, Err: wrapErr(name, "", err)})
}

func (w *walker) walkPath(root string) {
	if w.ctx.Err() != nil {
		return
	}
	w.partUnit(root)
	fi, err := os.Stat(root)
	if err != nil {
		w.fileError(root, err)
		return
	}
	switch {
	case fi.IsDir():
		w.rootDir = true
		w.walkDir(root)
	case fi.Mode().IsRegular():
		f, err := os.Open(root)
		if err != nil {
			w.fileError(root, err)
			return
		}
		defer f.Close()
		if fi, err = f.Stat(); err != nil {
			w.fileError(root, err)
			return
		}
		w.walkFile(root, f, fi.Size(), true)
		w.partAfterFile()
		if err := changed(f, fi); err != nil && !w.stopped {
			w.fileError(root, err)
		}
	default:
		w.fileError(root, fmt.Errorf("%w (not a regular file)", ErrNotMail))
	}
}

// joinName joins the path as given with a path inside it.
func joinName(base, inner string) string {
	if t := strings.TrimRight(base, "/"); t != "" {
		base = t
	} else if base != "" {
		return base + inner
	}
	return base + "/" + inner
}

// walkDir walks a folder tree through os.OpenRoot, whose FS refuses any path
// (symbolic links included) that leads out of the tree.
func (w *walker) walkDir(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		w.fileError(dir, err)
		return
	}
	defer root.Close()
	w.walkTree(root.FS(), dir)
}

// walkTree walks every file of fsys. dir is the path fsys was opened
// from, joined in front of each record's File; "" names the files by their
// paths in fsys alone.
func (w *walker) walkTree(fsys fs.FS, dir string) {
	_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if w.stopped || w.ctx.Err() != nil {
			return fs.SkipAll
		}
		display := name
		switch {
		case name == "." && dir != "":
			display = dir
		case dir != "":
			display = joinName(dir, name)
		}
		w.partUnit(display)
		if err != nil {
			w.fileError(display, err)
			return nil
		}
		if d.IsDir() {
			if name != "." && path.Base(name) == "tmp" && isMaildir(fsys, path.Dir(name)) {
				// Maildir's tmp/ holds deliveries in progress, not mail.
				return fs.SkipDir
			}
			// Each file is opened through every folder above it, so a
			// deep tree costs time with the square of its depth.
			if name != "." && strings.Count(name, "/")+1 > w.opts.maxPathDepth() {
				w.fileError(display, fmt.Errorf("%w of %d levels; nothing in it was read", ErrPathTooDeep, w.opts.maxPathDepth()))
				return fs.SkipDir
			}
			return nil
		}
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			// Stat through the FS: with os.Root's, a link out of the tree
			// fails here.
			fi, err := fs.Stat(fsys, name)
			if err != nil {
				w.fileError(display, err)
				return nil
			}
			if fi.IsDir() {
				// Not followed: the tree is walked once, by its real paths.
				w.fileError(display, fmt.Errorf("%w (a symbolic link to a folder, not followed)", ErrNotMail))
				return nil
			}
			mode = fi.Mode().Type()
		}
		if !mode.IsRegular() {
			w.fileError(display, fmt.Errorf("%w (not a regular file)", ErrNotMail))
			return nil
		}
		f, err := fsys.Open(name)
		if err != nil {
			w.fileError(display, err)
			return nil
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			w.fileError(display, err)
			return nil
		}
		if !fi.Mode().IsRegular() {
			w.fileError(display, fmt.Errorf("%w (not a regular file)", ErrNotMail))
			return nil
		}
		if w.partSkips(display, fi.Size(), f) {
			return nil // another share's file: not even read
		}
		if ra, ok := f.(io.ReaderAt); ok {
			w.walkFile(display, ra, fi.Size(), false)
		} else {
			w.walkFSFile(fsys, name, display, f, fi.Size())
		}
		w.partAfterFile()
		if err := changed(f, fi); err != nil && !w.stopped {
			w.fileError(display, err)
		}
		return nil
	})
}

// isMaildir reports whether dir holds cur/ and new/ folders (tmp/ being the
// third), as a Maildir does.
func isMaildir(fsys fs.FS, dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		fi, err := fs.Stat(fsys, path.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// headBuf returns the walker's sniffing buffer, n bytes long (n <=
// SniffSize). Its content is used only until the next file.
func (w *walker) headBuf(n int) []byte {
	if w.head == nil {
		w.head = make([]byte, SniffSize)
	}
	return w.head[:n]
}

// walkFile reads one file of the walked tree (or the root file itself).
//
// named says the caller named this file itself: then a file that fails the
// mail heuristics but is still shaped like RFC 5322 (empty, an empty header
// followed by a body, or a first line that is a well-formed field) is read
// as one message, with a note: a verifier asked about a cut-down or empty
// message must answer rather than skip it.
func (w *walker) walkFile(name string, f io.ReaderAt, size int64, named bool) {
	if w.partFile(name, f, size) {
		return
	}
	if !w.countFile(name) {
		return
	}
	head := w.headBuf(int(min(size, SniffSize)))
	n, err := f.ReadAt(head, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
		w.fileError(name, err)
		return
	}
	w.walkSniffed(name, head, named, src{name: name, ra: f, size: size}, io.NewSectionReader(f, 0, size))
}

// walkSniffed reads one file whose first bytes are head: as the container
// s, or as mail from r, which yields the file from its first byte.
func (w *walker) walkSniffed(name string, head []byte, named bool, s src, r io.Reader) {
	kind := Detect(head)
	if isContainer(kind) {
		w.walkContainer(s, kind, nil)
		return
	}
	if kind == KindNotMail {
		if u := unsupported(head, name); u != nil {
			w.fileError(name, u)
			return
		}
	}
	if kind == KindNotMail && (named || strings.EqualFold(path.Ext(name), ".eml")) && messageShaped(head) {
		// Named directly, or named .eml in a folder: a doctored message
		// with a junk line in front must not drop out of the report.
		w.entryNote = "the file does not look like mail; it was read as one message because it was named directly"
		if !named {
			w.entryNote = "the file does not look like mail; it was read as one message because its name ends in .eml"
		}
		w.forced = true
		defer func() { w.entryNote, w.forced = "", false }()
		kind = KindEML
	}
	w.readStream(name, kind, r, s.size)
}

// messageShaped reports whether head is empty, starts with the blank line
// that ends an empty header, starts with a well-formed header field name
// and its colon (RFC 5322 §2.2: printable ASCII except the colon), or has a
// From or DKIM-Signature field at the start of a line: a doctored message
// must not escape its verdict because a junk line was put in front of it
// when it is named directly.
func messageShaped(head []byte) bool {
	if len(head) == 0 || head[0] == '\n' || bytes.HasPrefix(head, []byte("\r\n")) {
		return true
	}
	lower := bytes.ToLower(head)
	for _, f := range [][]byte{[]byte("from:"), []byte("dkim-signature:")} {
		if bytes.HasPrefix(lower, f) || bytes.Contains(lower, append([]byte("\n"), f...)) {
			return true
		}
	}
	for i, c := range head {
		switch {
		case c == ':':
			return i > 0
		case c <= ' ' || c > '~':
			return false
		}
	}
	return false
}

// readStream reads the messages of one file or archive entry of the given
// mail kind from r, which starts at the file's first byte. size is the
// file's size (-1 when unknown).
func (w *walker) readStream(name string, kind Kind, r io.Reader, size int64) {
	switch kind {
	case KindMbox:
		w.readMbox(name, r)
	case KindEML:
		m := &Message{File: name, Index: 1, Format: FormatEML}
		if limit := w.opts.maxMessageSize(); size > limit {
			// Not read at all: nothing in it would be used.
			m.Size = size
			m.Err = wrapErr(name, "", fmt.Errorf("%w: %d bytes, the cap is %d", ErrTooLarge, size, limit))
			w.emit(m)
			return
		}
		if err := w.readRaw(m, r, size); err != nil {
			m.Err = wrapErr(name, "", err)
		}
		w.emit(m)
	case KindEmlx:
		w.readEmlx(name, r, size)
	default:
		w.fileError(name, ErrNotMail)
	}
}

// readRaw reads r into m.Raw up to the message-size cap, and sets Size and
// SHA256 from every byte r yields, over the cap or not. sizeHint (or -1)
// presizes the buffer.
func (w *walker) readRaw(m *Message, r io.Reader, sizeHint int64) error {
	limit := w.opts.maxMessageSize()
	var buf []byte
	exact := sizeHint >= 0 && sizeHint <= limit
	if exact {
		buf = make([]byte, 0, sizeHint+1) // +1: the probe past the end
	} else {
		// A message of unknown size is read into a reused buffer and
		// copied out at its exact size.
		buf = w.scratch[:0]
	}
	// Read one byte past the cap to learn whether the message is over it.
	buf, err := readAll(&io.LimitedReader{R: r, N: limit + 1}, buf)
	if !exact {
		if cap(buf) <= maxScratch {
			w.scratch = buf[:0]
		} else {
			w.scratch = nil // do not keep a large buffer between messages
		}
	}
	m.Size = int64(len(buf))
	if err == nil && m.Size > limit {
		return w.overCap(m, buf, r)
	}
	if exact {
		m.Raw = buf
	} else {
		m.Raw = append(make([]byte, 0, len(buf)), buf...)
	}
	w.digest(m)
	return err // on an I/O error, Raw holds what could be read
}

// overCap finishes the record of a message over the size cap, whose first
// bytes are head and the rest r: Size and SHA256 from every byte, no Raw,
// and an error wrapping ErrTooLarge (or the I/O error that ended it).
func (w *walker) overCap(m *Message, head []byte, r io.Reader) error {
	h := sha256.New()
	h.Write(head)
	if w.copyBuf == nil {
		w.copyBuf = make([]byte, 64<<10)
	}
	extra, err := io.CopyBuffer(h, struct{ io.Reader }{r}, w.copyBuf)
	m.Size = int64(len(head)) + extra
	if err == nil {
		err = fmt.Errorf("%w: %d bytes, the cap is %d", ErrTooLarge, m.Size, w.opts.maxMessageSize())
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	m.Raw = nil
	return err
}

// digest sets SHA256 from Raw, or leaves it (and ID) for Message.Digest
// when Options.DeferDigest says so.
func (w *walker) digest(m *Message) {
	m.digestPending = true
	if !w.opts.deferDigest() {
		m.Digest()
	}
}

// maxScratch is the largest read buffer kept between messages.
const maxScratch = 4 << 20

// readAll is io.ReadAll appending to buf, doubling its capacity as it grows
// (append's growth of a quarter would copy a large message many times).
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	if buf == nil {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), 2*cap(buf)+4096)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readMbox reads every message of an mbox file.
func (w *walker) readMbox(name string, r io.Reader) {
	rd := mbox.NewReader(r, w.opts.mbox())
	// r read again at a message's offset, for Options.DeferLarge: a
	// section of a file (or of a zip) is.
	var at io.ReaderAt
	var base int64
	if sr, ok := r.(*io.SectionReader); ok && w.opts.deferLarge() > 0 {
		at, base, _ = sr.Outer()
	}
	for {
		mm, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			w.fileError(name, w.partErr(err))
			return
		}
		if w.part.split && w.part.start+mm.Offset > w.part.end {
			return // the next range's first message (see Share)
		}
		m := &Message{File: name, Index: mm.Index, Offset: w.part.start + mm.Offset, Separator: mm.Separator}
		var rerr error
		if at != nil {
			rerr = w.readMboxMessageAt(m, mm, at, base+mm.Offset)
		} else {
			rerr = w.readMboxMessage(m, mm)
		}
		m.Format = Format(mm.Format)
		m.Notes = mm.Notes
		m.BOM = m.BOM || mm.BOM // a deferred message's own mark was found by readMboxMessageAt
		m.ContentLengthConflict = mm.ContentLengthConflict
		rerr = w.partShift(m, rerr)
		if rerr != nil {
			m.Err = &PathError{Path: name, Index: m.Index, Offset: m.Offset, Err: rerr}
			if m.Format == "" {
				m.Format = FormatMbox
			}
		}
		if !w.emit(m) {
			return
		}
		if rerr != nil && !errors.Is(rerr, ErrTooLarge) {
			return // an I/O error ends the file
		}
	}
}

// readMboxMessage is readRaw for a message of an mbox file: Raw is a slice
// of the mbox reader's buffer, not a copy, and Lines what the reader
// learnt of its lines.
func (w *walker) readMboxMessage(m *Message, mm *mbox.Message) error {
	limit := w.opts.maxMessageSize()
	// Read one byte past the cap to learn whether the message is over it.
	raw, err := mm.Bytes(int(min(limit+1, math.MaxInt)))
	m.Size = int64(len(raw))
	if err == nil && m.Size > limit {
		return w.overCap(m, raw, mm.Body)
	}
	return w.keepMboxMessage(m, mm, raw, err)
}

// keepMboxMessage makes raw, the bytes mm's reader handed out (err the
// error it stopped at), m's Raw, with the line facts the reader gathered.
func (w *walker) keepMboxMessage(m *Message, mm *mbox.Message, raw []byte, err error) error {
	m.Size = int64(len(raw))
	m.Raw, m.mbox = raw, mm
	if err == nil {
		lines := mm.Lines
		m.Lines = &lines
	}
	w.digest(m)
	return err // on an I/O error, Raw holds what could be read
}

// readMboxMessageAt is readMboxMessage for an mbox that can be read again
// at off, where the message starts, in at: a message larger than
// Options.DeferLarge is passed over, not kept, and left for Load to read
// in one piece (its bytes never pile up in the reader's growing buffer,
// and the walk holds none of them while the message waits its turn).
func (w *walker) readMboxMessageAt(m *Message, mm *mbox.Message, at io.ReaderAt, off int64) error {
	limit := w.opts.maxMessageSize()
	threshold := w.opts.deferLarge()
	if threshold >= limit {
		return w.readMboxMessage(m, mm)
	}
	// At least a byte-order mark's length, to tell whether Raw starts
	// with one (emit cannot: a deferred message has no Raw).
	head, err := mm.Bytes(int(max(min(threshold+1, math.MaxInt), int64(len(mbox.UTF8BOM)))))
	if err != nil || int64(len(head)) <= threshold {
		// A message up to the threshold: as readMboxMessage has it.
		return w.keepMboxMessage(m, mm, head, err)
	}
	if w.copyBuf == nil {
		w.copyBuf = make([]byte, 64<<10)
	}
	if w.loadBufs == nil {
		w.loadBufs = make(chan []byte, 1)
		w.seed = maphash.MakeSeed()
	}
	bom := bytes.HasPrefix(head, []byte(mbox.UTF8BOM))
	// The bytes passed over are hashed with a key (cheaply, not for
	// custody), so that Load and Digest can tell whether they read the
	// same bytes again.
	var sum maphash.Hash
	sum.SetSeed(w.seed)
	sum.Write(head)
	mm.Release() // the head was only read to learn the message is large
	// Pass the rest through the reader's buffer, up to one byte past the
	// cap, then learn the line facts the pass gathered.
	rest, err := io.CopyBuffer(&sum, struct{ io.Reader }{io.LimitReader(mm.Body, limit+1-int64(len(head)))}, w.copyBuf)
	m.Size = int64(len(head)) + rest
	pl := &place{ra: at, off: off, free: w.loadBufs, sum: sum.Sum64(), seed: w.seed}
	if err != nil {
		// An I/O error: Raw holds what can be read, as readMboxMessage does.
		m.place = pl
		_ = m.Load()
		w.digest(m)
		return err
	}
	if m.Size > limit {
		// Hashed from its place and the rest of the body: the place must
		// still hold the bytes passed over.
		var again maphash.Hash
		again.SetSeed(w.seed)
		err := w.overCap(m, nil, io.MultiReader(io.TeeReader(io.NewSectionReader(at, off, m.Size), &again), mm.Body))
		if again.Sum64() != pl.sum {
			err = fmt.Errorf("%w: the first %d bytes of the message read again at offset %d are not those read before", ErrChanged, m.Size, off)
		}
		return err
	}
	m.BOM = bom
	lines := mm.Lines
	m.Lines = &lines
	m.place = pl
	w.digest(m)
	return nil
}

// readEmlx reads an Apple Mail .emlx file: a line with the message's byte
// count, the message, then an XML plist trailer.
func (w *walker) readEmlx(name string, r io.Reader, size int64) {
	var line [64]byte
	n, _ := io.ReadFull(r, line[:])
	count, lineLen, ok := emlxLength(line[:n])
	if !ok {
		w.fileError(name, ErrNotMail)
		return
	}
	m := &Message{File: name, Index: 1, Offset: int64(lineLen), Format: FormatEMLX}
	rest := io.MultiReader(bytes.NewReader(line[lineLen:n]), r)
	hint := count
	if size >= 0 {
		hint = min(count, max(size-int64(lineLen), 0))
	}
	err := w.readRaw(m, io.LimitReader(rest, count), hint)
	if err == nil {
		if m.Size < count {
			m.Notes = append(m.Notes, fmt.Sprintf(
				"the message is truncated: its length line says %d bytes, the file holds %d", count, m.Size))
		} else {
			var trailer [256]byte
			k, _ := io.ReadFull(rest, trailer[:])
			t := bytes.TrimLeft(trailer[:k], " \t\r\n")
			if !bytes.HasPrefix(t, []byte("<?xml")) && !bytes.HasPrefix(t, []byte("<!DOCTYPE")) &&
				!bytes.HasPrefix(t, []byte("<plist")) {
				m.Notes = append(m.Notes, "no plist trailer follows the message")
			}
			// Read to the end so that a zip entry's CRC gets checked.
			_, err = io.Copy(io.Discard, rest)
		}
	}
	if err != nil {
		m.Err = wrapErr(name, "", err)
	}
	w.emit(m)
}

// A PathError is the error of a record that could not be read: it names
// the file and, where there is one, the place in it, and wraps the cause
// (a sentinel of this package, an I/O error, zip.ErrChecksum, ...). Its
// text reads "archive: PATH: DETAIL: CAUSE", without repeating the
// "archive: " of this package's sentinels; DETAIL is "message INDEX at
// offset OFFSET" for a message of an mbox. Its fields let a record be
// carried through a file and read back (verify --shard) without losing
// which message it names.
type PathError struct {
	Path   string // the record's File
	Index  int    // the message's 1-based Index within Path, 0 for none
	Offset int64  // the message's Offset, when Index is set
	Detail string // where in Path, when Index is 0 ("entry data at offset N of the zip"), or ""
	Err    error  // the cause; never nil
}

func (e *PathError) Error() string {
	msg := "archive: " + e.Path + ": "
	switch {
	case e.Index > 0:
		msg += fmt.Sprintf("message %d at offset %d: ", e.Index, e.Offset)
	case e.Detail != "":
		msg += e.Detail + ": "
	}
	return msg + strings.TrimPrefix(e.Err.Error(), "archive: ")
}

func (e *PathError) Unwrap() error { return e.Err }

// wrapErr names the path, and detail where not empty, in err.
func wrapErr(name, detail string, err error) error {
	return &PathError{Path: name, Detail: detail, Err: err}
}
