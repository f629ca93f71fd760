package archive

// Containers inside containers: a zip in a tar, a tar in a gzip stream.
// Each is read from a src, to a depth cap, and every byte inflated inside
// a container counts against the caps of the entry or stream holding it,
// so that a bomb nested in a bomb stays bounded.

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
)

// A src is the bytes of a container to open: random access where they
// lie in a file or in memory, otherwise a function that reads them from
// the start again (a container is read twice: once to check it, once to
// yield its messages).
type src struct {
	name string
	ra   io.ReaderAt                   // nil when the bytes can only be streamed
	size int64                         // len of ra; for a stream, what its entry declares, or -1
	open func() (io.ReadCloser, error) // set when ra is nil
}

// reader returns the bytes from the start.
func (s src) reader() (io.ReadCloser, error) {
	if s.ra != nil {
		return io.NopCloser(io.NewSectionReader(s.ra, 0, s.size)), nil
	}
	return s.open()
}

// isContainer reports whether the walk opens files of kind k.
func isContainer(k Kind) bool {
	return k == KindZip || k == KindTar || k == KindGzip || k == KindBzip2
}

// walkContainer opens the container s of the given kind one level deeper
// than the walk is. nest, when not nil, is the budget of the entry or
// stream holding s: every byte inflated inside s is taken from it.
func (w *walker) walkContainer(s src, kind Kind, nest *budget) {
	if w.depth >= w.opts.maxDepth() {
		w.fileError(s.name, fmt.Errorf("%w of %d levels", ErrTooDeep, w.opts.maxDepth()))
		return
	}
	if err := w.budget.spent(); err != nil {
		w.fileError(s.name, err)
		return
	}
	saved := w.budget
	if nest != nil {
		nest.up = w.budget
		w.budget = nest
	}
	w.depth++
	defer func() { w.depth--; w.budget = saved }()
	switch kind {
	case KindZip:
		if s.ra == nil {
			var err error
			if s, err = w.hold(s); err != nil {
				w.fileError(s.name, err)
				return
			}
		}
		w.walkZip(s.name, s.ra, s.size)
	case KindTar:
		w.walkTar(s, nil)
	case KindGzip, KindBzip2:
		w.walkCompressed(s, kind)
	}
}

// hold reads a streamed container into memory, up to Options.MaxNestedSize.
func (w *walker) hold(s src) (src, error) {
	rc, err := s.open()
	if err != nil {
		return s, err
	}
	defer rc.Close()
	limit := w.opts.maxNestedSize()
	b, err := readAll(io.LimitReader(rc, limit+1), nil)
	if err != nil {
		return s, err
	}
	if int64(len(b)) > limit {
		return s, fmt.Errorf("%w: more than %d bytes; extract it and verify it on its own", ErrNestedTooLarge, limit)
	}
	return src{name: s.name, ra: bytes.NewReader(b), size: int64(len(b))}, nil
}

// entryCap returns how many bytes an entry or stream of csize compressed
// bytes (-1 when unknown) may inflate to, and the error for more: the size
// cap, or the ratio cap past the first MiB.
func (w *walker) entryCap(csize int64) (int64, error) {
	maxSize, ratio := w.opts.maxZipEntrySize(), w.opts.maxZipRatio()
	if csize < 0 || csize > math.MaxInt64/ratio {
		return maxSize, ErrZipEntryTooLarge
	}
	limit := min(maxSize, max(csize*ratio, 1<<20))
	if limit == maxSize {
		return limit, ErrZipEntryTooLarge
	}
	return limit, ErrZipRatio
}

// walkCompressed reads a gzip or bzip2 stream: a compressed tar, read as
// a tar at the same level, or a single compressed file, read as a file of
// its own under the stream's name. The stream is decompressed whole first,
// through the caps, so that no message of a stream that fails its
// checksum is yielded.
func (w *walker) walkCompressed(s src, kind Kind) {
	limit, capErr := w.entryCap(s.size)
	up := w.budget
	open := func() (io.ReadCloser, error) {
		rc, err := s.reader()
		if err != nil {
			return nil, err
		}
		var d io.Reader
		if kind == KindGzip {
			z, err := gzip.NewReader(rc)
			if err != nil {
				rc.Close()
				return nil, fmt.Errorf("gzip: %w", err)
			}
			d = z
		} else {
			d = bzip2.NewReader(rc)
		}
		return readCloser{&capReader{r: d, b: &budget{n: limit, err: capErr, up: up}}, rc}, nil
	}
	inner := src{name: s.name, size: -1, open: open}

	// First pass: the checksums, the caps, and a tar's table of entries.
	rc, err := open()
	if err != nil {
		w.fileError(s.name, err)
		return
	}
	head := w.headBuf(SniffSize)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		rc.Close()
		w.fileError(s.name, err)
		return
	}
	k := Detect(head[:n])
	var idx *tarIndex
	r := io.MultiReader(bytes.NewReader(head[:n]), rc)
	err = nil
	if k == KindTar {
		idx, err = scanTar(r, w.opts.maxZipEntries())
	}
	if err == nil {
		err = w.drain(r)
	}
	rc.Close()
	if err != nil {
		w.fileError(s.name, err)
		return
	}
	switch {
	case k == KindTar:
		// A compressed tar is one container: the same level, and what is
		// inflated inside it counts against the stream's caps.
		saved := w.budget
		w.budget = &budget{n: limit, err: capErr, up: saved}
		w.walkTar(inner, idx)
		w.budget = saved
	case isContainer(k):
		w.walkContainer(inner, k, &budget{n: limit, err: capErr})
	default:
		rc, err := open()
		if err != nil {
			w.fileError(s.name, err)
			return
		}
		defer rc.Close()
		n, err := io.ReadFull(rc, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			w.fileError(s.name, err)
			return
		}
		if k == KindNotMail {
			w.notMail(s.name, head[:n])
			return
		}
		w.readStream(s.name, k, io.MultiReader(bytes.NewReader(head[:n]), rc), -1)
	}
}

// drain reads r to its end, so that a decompressor checks its checksum.
func (w *walker) drain(r io.Reader) error {
	if w.copyBuf == nil {
		w.copyBuf = make([]byte, 64<<10)
	}
	_, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, w.copyBuf)
	return err
}

// notMail emits the record of a file that holds no mail the walk reads,
// naming its format when it is one the walk recognises.
func (w *walker) notMail(name string, head []byte) {
	if u := unsupported(head, name); u != nil {
		w.fileError(name, u)
		return
	}
	w.fileError(name, ErrNotMail)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// A budget is how many more bytes may be inflated, and the error to give
// when more are; up is the budget of the container around, which every
// byte counts against too.
type budget struct {
	n   int64
	err error
	up  *budget
}

// spent returns the error of the first budget in the chain that is
// exceeded, or nil.
func (b *budget) spent() error {
	for ; b != nil; b = b.up {
		if b.n < 0 {
			return b.err
		}
	}
	return nil
}

// capReader fails with a budget's error once more bytes are read than any
// budget of its chain allows.
type capReader struct {
	r io.Reader
	b *budget
}

func (c *capReader) Read(p []byte) (int, error) {
	room := int64(math.MaxInt64)
	for b := c.b; b != nil; b = b.up {
		if b.n < 0 {
			return 0, b.err
		}
		room = min(room, b.n)
	}
	// Read one byte past the cap to learn whether the stream goes on.
	if room < int64(len(p)) {
		p = p[:room+1]
	}
	n, err := c.r.Read(p)
	for b := c.b; b != nil; b = b.up {
		b.n -= int64(n)
	}
	if e := c.b.spent(); e != nil {
		return n, e
	}
	return n, err
}
