package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/mbox"
)

// DefaultSplitAbove is the size above which a walk given a Share splits an
// mbox file into byte ranges, when Share.SplitAbove is zero.
const DefaultSplitAbove = 256 << 20

// A Share makes a walk yield one of N shares of its records, so that N
// machines (or N processes) can each read a part of one archive and their
// records, put together in walk order, are those of one walk. Every
// machine walks the same PATH with the same Options; share I yields:
//
//   - the records of each file of the walk that is not split (a message
//     file, a small mbox, a zip or tar with everything in it) whose
//     ShareOf is I: whole files, assigned by their path alone, so that
//     every machine agrees without reading them. Files of other shares
//     are not opened beyond what the walk needs to list them;
//   - the records of the folders and links of the walk (a link out of the
//     tree, a folder too deep) whose ShareOf is I;
//   - for each mbox file on disk larger than SplitAbove, the messages of
//     the I-th of N byte ranges of it. Range J nominally starts at
//     (J-1)*size/N; it really starts at the first separator line at or
//     after that offset that follows a blank line and is followed by a
//     header field (where every mbox reader starts a message, whatever
//     came before), and ends where range J+1 starts, so that every
//     message belongs to exactly one range. The record of a file that
//     changed while it was read (ErrChanged) belongs to the last range.
//
// A record of a split file carries its offset in the whole file (Offset,
// and the offset of a PathError), but its Index, and so its ID, counts
// from 1 at the start of its range: the caller renumbers the messages of
// a file when it puts the ranges together (Unit tells which records are
// whose). An mbox's variant (Message.Format) is decided with what earlier
// messages of the file showed; a range is read without what the ranges
// before it showed, so the caller checks that no earlier range showed
// mboxrd or mboxcl2 evidence where a later one reports mbox or mboxcl.
//
// The caps that count over a walk (Options.MaxFiles,
// Options.MaxInflatedTotal) count what this share reads.
type Share struct {
	I, N int // this share, 1 to N
	// SplitAbove is the size in bytes above which an mbox file on disk is
	// split into N byte ranges. If zero, DefaultSplitAbove; if negative,
	// no file is split.
	SplitAbove int64
	// Unit, when not nil, is called before the first record of each file
	// (or folder, or range of a split file) that the share yields, in
	// walk order.
	Unit func(Unit)
}

// A Unit is the part of a walk whose records follow: one file, folder or
// link of the walked tree, or one byte range of a split mbox file.
type Unit struct {
	// Seq is the place of the file in the walk: 0 for the PATH itself, then
	// 1, 2, ... for each entry of the folder tree in walk order, counted
	// alike by every share.
	Seq int
	// Range is the 1-based byte range of a split file, 0 for a whole file.
	Range int
	// Path is the file's path relative to the PATH, as MessageID takes
	// it.
	Path string
	// Start and End bound the range in the file (End is its size for the
	// last range); both 0 for a whole file.
	Start, End int64
}

// ShareOf returns the share, 1 to n, of a file or folder whose path
// relative to the walked PATH (as MessageID takes it) is rel: the first
// eight bytes of SHA-256(rel), big-endian, modulo n, plus one.
func ShareOf(rel string, n int) int {
	sum := sha256.Sum256([]byte(rel))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(n)) + 1
}

func (s *Share) splitAbove() int64 {
	if s.SplitAbove == 0 {
		return DefaultSplitAbove
	}
	return s.SplitAbove
}

// partState is a walker's place in its share.
type partState struct {
	seq       int  // the current unit's Seq; -1 before the first
	started   bool // seq is set
	keep      bool // the current unit's records are this share's
	announced bool // Share.Unit was called for the current unit
	unit      Unit

	split      bool  // a range of a split file is being read
	start, end int64 // its bounds
}

func (w *walker) share() *Share {
	if w.opts == nil {
		return nil
	}
	return w.opts.Share
}

// partUnit starts the unit of the file or folder display.
func (w *walker) partUnit(display string) {
	s := w.share()
	if s == nil {
		return
	}
	if w.part.started {
		w.part.seq++
	}
	w.part.started = true
	rel := w.relative(display)
	w.part.unit = Unit{Seq: w.part.seq, Path: rel}
	w.part.keep = ShareOf(rel, s.N) == s.I
	w.part.announced = false
}

// partKeeps reports whether the record being emitted is this share's.
func (w *walker) partKeeps() bool {
	return w.share() == nil || w.part.keep
}

// partAnnounce calls Share.Unit before the first record of a unit.
func (w *walker) partAnnounce(*Message) {
	s := w.share()
	if s == nil || w.part.announced {
		return
	}
	w.part.announced = true
	if s.Unit != nil {
		s.Unit(w.part.unit)
	}
}

// partSkips reports whether a file of the tree, size bytes long, is left
// to other shares without being read: it is not this share's and cannot be
// split.
func (w *walker) partSkips(display string, size int64, f any) bool {
	s := w.share()
	if s == nil || w.part.keep {
		return false
	}
	_, ra := f.(io.ReaderAt)
	return !ra || s.splitAbove() < 0 || size <= s.splitAbove()
}

// partFile reads this share's range of name when it is an mbox to split,
// and reports whether it did (or whether name is another share's file and
// was left alone).
func (w *walker) partFile(name string, f io.ReaderAt, size int64) bool {
	s := w.share()
	if s == nil {
		return false
	}
	if s.splitAbove() < 0 || size <= s.splitAbove() {
		return !w.part.keep
	}
	head := w.headBuf(int(min(size, SniffSize)))
	if n, err := f.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
		return !w.part.keep // the whole-file owner reports the error
	}
	if Detect(head) != KindMbox {
		return !w.part.keep
	}
	start, err := rangeStart(f, size, size*int64(s.I-1)/int64(s.N))
	if err != nil {
		return !w.part.keep
	}
	end := size
	if s.I < s.N {
		if end, err = rangeStart(f, size, size*int64(s.I)/int64(s.N)); err != nil {
			return !w.part.keep
		}
	}
	w.part.keep = true
	w.part.unit.Range, w.part.unit.Start, w.part.unit.End = s.I, start, end
	if start >= end || !w.countFile(name) {
		return true
	}
	w.part.split, w.part.start, w.part.end = s.I < s.N, start, end
	defer func() { w.part.split, w.part.start, w.part.end = false, 0, 0 }()
	w.readMbox(name, io.NewSectionReader(f, start, size-start))
	return true
}

// partAfterFile gives the records that follow a split file's messages
// (ErrChanged) to the last range.
func (w *walker) partAfterFile() {
	s := w.share()
	if s == nil || w.part.unit.Range == 0 {
		return
	}
	w.part.keep = s.I == s.N
}

// rangeStart returns the offset of the first separator line at or after
// off that follows a blank line and is followed by a header field, or size
// when there is none. At offset 0 it returns 0: the mbox reader itself
// sets aside what comes before the first separator.
func rangeStart(f io.ReaderAt, size, off int64) (int64, error) {
	if off <= 0 {
		return 0, nil
	}
	const (
		window = 256 << 10
		look   = 3                              // the blank line before a candidate: "\n\r\n"
		extra  = mbox.MaxSeparatorLength + 1024 // the separator line and the field name after it
	)
	buf := make([]byte, look+window+extra)
	for base := off; base < size; base += window {
		rd := max(base-look, 0)
		n, err := f.ReadAt(buf, rd)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		b := buf[:n]
		lo, hi := int(base-rd), int(base-rd)+window
		for i := max(lo-1, 0); i < len(b); {
			j := bytes.Index(b[i:], []byte("\nFrom "))
			if j < 0 {
				break
			}
			at := i + j + 1 // a line starting with "From "
			i = at
			if at < lo {
				continue
			}
			if at >= hi {
				break // the next window sees it, with what precedes it
			}
			line, rest, ok := cutLine(b[at:])
			if ok && blankBefore(b, at) && mbox.IsSeparator(line) && headerField(rest) {
				return rd + int64(at), nil
			}
		}
	}
	return size, nil
}

// blankBefore reports whether the line ending at b[at-1] (a "\n") is
// blank: "\n" or "\r\n" after another line ending.
func blankBefore(b []byte, at int) bool {
	switch {
	case at >= 2 && b[at-2] == '\n':
		return true
	case at >= 3 && b[at-2] == '\r' && b[at-3] == '\n':
		return true
	}
	return false
}

// cutLine returns the line at the start of b with its "\n", and the rest.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, nil, false
	}
	return b[:i+1], b[i+1:], true
}

// headerField reports whether b starts with a header field: a name of
// printable ASCII other than the colon, then a colon (RFC 5322 §2.2).
func headerField(b []byte) bool {
	for i, c := range b {
		switch {
		case c == ':':
			return i > 0
		case c < 33 || c > 126:
			return false
		}
	}
	return false
}

// partShift makes the offsets that the mbox reader writes into a message's
// notes, its Content-Length conflict and its error count from the start of
// the file, not of the range it read (which starts at w.part.start).
func (w *walker) partShift(m *Message, err error) error {
	if w.part.start == 0 {
		return err
	}
	for i, n := range m.Notes {
		m.Notes[i] = shiftOffsets(n, w.part.start)
	}
	m.ContentLengthConflict = shiftOffsets(m.ContentLengthConflict, w.part.start)
	return w.partErr(err)
}

// partErr is partShift for an error of the mbox reader.
func (w *walker) partErr(err error) error {
	if err == nil || w.part.start == 0 {
		return err
	}
	return &shiftedError{msg: shiftOffsets(err.Error(), w.part.start), err: err}
}

// A shiftedError is an error of the mbox reader whose text names offsets in
// the file rather than in the range read.
type shiftedError struct {
	msg string
	err error
}

func (e *shiftedError) Error() string { return e.msg }
func (e *shiftedError) Unwrap() error { return e.err }

// shiftOffsets adds base to every number that follows "offset " in s, as
// the mbox reader writes the offsets of its notes and errors.
func shiftOffsets(s string, base int64) string {
	const word = "offset "
	if !strings.Contains(s, word) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(word)])
		s = s[i+len(word):]
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if n, err := strconv.ParseInt(s[:j], 10, 64); err == nil {
			b.WriteString(strconv.FormatInt(n+base, 10))
		} else {
			b.WriteString(s[:j])
		}
		s = s[j:]
	}
}
