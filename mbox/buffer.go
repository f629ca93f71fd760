package mbox

import (
	"bytes"
	"fmt"
	"io"
	"sync/atomic"
)

// This file holds the Reader's buffer management: reading input into its
// buffer, making room, and peeking at a line without consuming it.

// consume passes n buffered bytes.
func (rd *Reader) consume(n int) {
	rd.r += n
	rd.off += int64(n)
}

// The framing looks at most window bytes past buf[r] (Options.BufferSize):
// that bounds the header searched for Content-Length and the look-ahead
// that checks it, whatever the size of buf. Bytes before buf[r] are kept
// only from keep on, the start of a message being collected by
// [Message.Bytes]. Once part of buf has been handed out, buf is shared:
// the Reader never writes over bytes it handed out, so making room means
// moving to a new chunk, and the old one belongs to the caller's slices.
// A chunk counts its references: the Reader's, while buf is the chunk, and
// one per Message holding a slice of it. When the last one goes
// ([Message.Release]), a chunk of the usual size goes back to its Reader's
// free list (a few at most) for a later buffer; a chunk whose slices are
// never released is left to the garbage collector. (A sync.Pool does not
// do: at the rate a verifier allocates, the garbage collector empties it
// before the Reader needs the next chunk.)

// A chunk is a buffer some of which the Reader handed out.
type chunk struct {
	buf  []byte
	refs atomic.Int32
	free chan []byte // the free list of the Reader that made it
}

// maxFreeChunks bounds a Reader's free list.
const maxFreeChunks = 4

// unref drops one reference to c, and gives its buffer back to the free
// list when it was the last.
func (c *chunk) unref() {
	if c.refs.Add(-1) != 0 || c.free == nil {
		return
	}
	select {
	case c.free <- c.buf:
	default: // the list is full: left to the garbage collector
	}
}

// shared reports whether a Message holds a slice of buf.
func (rd *Reader) shared() bool {
	return rd.ck != nil && rd.ck.refs.Load() > 1
}

// newBuffer returns a buffer of size bytes: one from the free list when
// it is of the usual chunk size. Its content is not zeroed: the Reader
// writes before it reads.
func (rd *Reader) newBuffer(size int) []byte {
	if size == chunkFactor*rd.window {
		select {
		case b := <-rd.free:
			return b
		default:
		}
	}
	return make([]byte, size)
}

// chunkFactor is how many windows a chunk holds once the Reader hands out
// slices of it: larger chunks mean fewer messages copied because they
// straddle two chunks.
const chunkFactor = 2

// fill reads more input into the buffer, making room when the end of the
// buffer is reached. It reports whether it read anything.
func (rd *Reader) fill() bool {
	if rd.eof || rd.err != nil {
		return false
	}
	if rd.w-rd.r >= rd.window {
		return false
	}
	if rd.w == len(rd.buf) {
		rd.compact()
	}
	limit := min(len(rd.buf), rd.r+rd.window)
	for range 100 {
		n, err := rd.src.Read(rd.buf[rd.w:limit])
		if n < 0 || n > limit-rd.w {
			rd.err = fmt.Errorf("mbox: offset %d: invalid read count %d", rd.off, n)
			return false
		}
		rd.w += n
		if err == io.EOF {
			rd.eof = true
			return n > 0
		}
		if err != nil {
			rd.err = fmt.Errorf("mbox: offset %d: %w", rd.off+int64(rd.w-rd.r), err)
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	rd.err = fmt.Errorf("mbox: offset %d: %w", rd.off+int64(rd.w-rd.r), io.ErrNoProgress)
	return false
}

// compact moves the bytes the Reader still needs (from keep, or from r) to
// the start of a buffer with room for a full window after r: the same
// buffer when no slice of it was handed out and it is large enough, else
// a new one. A message being collected that outgrows a chunk gets a
// buffer twice its size, so that a large message is copied a bounded
// number of times.
func (rd *Reader) compact() {
	from := rd.r
	if rd.keep >= 0 {
		from = rd.keep
	}
	need := rd.r - from + rd.window
	if rd.shared() || len(rd.buf) < need {
		size := max(need, chunkFactor*rd.window)
		if rd.r-from > rd.window {
			// A large message being collected: grow by doubling. The
			// next chunk, once it is handed out, is of the usual size.
			size = max(size, 2*(rd.r-from)+rd.window)
		}
		nb := rd.newBuffer(size)
		copy(nb, rd.buf[from:rd.w])
		if rd.ck != nil {
			rd.ck.unref() // the Reader's reference
			rd.ck = nil
		}
		rd.buf = nb
	} else if from > 0 {
		copy(rd.buf, rd.buf[from:rd.w])
	}
	rd.r -= from
	rd.w -= from
	if rd.keep >= 0 {
		rd.keep = 0
	}
}

// ensure tries to buffer at least n unread bytes (n <= window) and reports
// whether it did.
func (rd *Reader) ensure(n int) bool {
	for rd.w-rd.r < n {
		if len(rd.buf)-rd.r < n {
			rd.compact()
		}
		if !rd.fill() {
			return rd.w-rd.r >= n
		}
	}
	return true
}

// peekLine returns the line at buf[r], line ending included, if it is at
// most max bytes long; ok is false when the line is longer. A last line
// without a line ending is returned whole.
func (rd *Reader) peekLine(max int) (line []byte, ok bool) {
	return rd.peekLineAt(0, max)
}

// peekLineAt is peekLine for the line starting at buf[r+rel].
func (rd *Reader) peekLineAt(rel, max int) (line []byte, ok bool) {
	for {
		b := rd.buf[rd.r+rel : rd.w]
		lim := min(len(b), max)
		if i := bytes.IndexByte(b[:lim], '\n'); i >= 0 {
			return b[:i+1], true
		}
		if lim >= max {
			return b[:lim], false
		}
		if !rd.ensure(rd.w - rd.r + 1) {
			b = rd.buf[rd.r+rel : rd.w]
			return b, rd.eof && rd.err == nil
		}
	}
}
