package mbox

import (
	"bytes"
	"fmt"
	"io"
)

// This file holds the Reader's buffer management: reading input into its
// one buffer, sliding unread bytes to the front, and peeking at a line
// without consuming it.

// consume passes n buffered bytes.
func (rd *Reader) consume(n int) {
	rd.r += n
	rd.off += int64(n)
}

// fill reads more input into the buffer, sliding the unread bytes to its
// start when the end is reached. It reports whether it read anything.
func (rd *Reader) fill() bool {
	if rd.eof || rd.err != nil {
		return false
	}
	if rd.w == len(rd.buf) {
		if rd.r == 0 {
			return false
		}
		copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.w -= rd.r
		rd.r = 0
	}
	for range 100 {
		n, err := rd.src.Read(rd.buf[rd.w:])
		if n < 0 || n > len(rd.buf)-rd.w {
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

// ensure tries to buffer at least n unread bytes (n <= len(buf)) and reports
// whether it did.
func (rd *Reader) ensure(n int) bool {
	for rd.w-rd.r < n {
		if len(rd.buf)-rd.r < n && rd.r > 0 {
			copy(rd.buf, rd.buf[rd.r:rd.w])
			rd.w -= rd.r
			rd.r = 0
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
