package mbox

import (
	"bytes"
	"fmt"
)

// This file holds Content-Length framing: finding the field in a
// message's header, checking the count against the file when a separator
// line turns up, and the notes when the file disagrees.

// Content-Length states of the current message.
const (
	clNone      = iota // no usable Content-Length
	clPending          // a Content-Length not yet checked against the file
	clOK               // the file agrees with the Content-Length
	clRejected         // the file disagrees; separators framed the message
	clUnchecked        // too far ahead to check; separators framed the message
)

var contentLength = []byte("content-length:")

// readContentLength looks for a Content-Length field in the header of the
// message starting at buf[r], within the buffer, and sets up its framing.
func (rd *Reader) readContentLength() {
	st := &rd.st
	switch rd.opts.Format {
	case FormatMboxo, FormatMboxrd:
		return
	}
	var (
		rel    int
		count  int
		value  int64 = -1
		badVal bool
	)
	for {
		b := rd.buf[rd.r+rel : rd.w]
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if rd.w-rd.r == rd.window {
				st.m.Notes = append(st.m.Notes, fmt.Sprintf(
					"the header is longer than %d bytes; Content-Length was not looked for", rd.window))
				return
			}
			if !rd.ensure(rd.w - rd.r + 1) {
				return // the input ends inside the header
			}
			continue
		}
		line := b[:i+1]
		if blankLen(line) > 0 {
			rel += i + 1
			break
		}
		if (line[0] == 'F' || line[0] == UTF8BOM[0]) && isSeparatorLine(line) {
			return // no header end before the next separator
		}
		if len(line) >= len(contentLength) && bytes.EqualFold(line[:len(contentLength)], contentLength) {
			count++
			v := bytes.TrimSpace(line[len(contentLength):])
			if !isDigits(v) || len(v) > 15 {
				badVal = true
			} else {
				value = 0
				for _, c := range v {
					value = value*10 + int64(c-'0')
				}
			}
		}
		rel += i + 1
	}
	switch {
	case count == 0:
	case count > 1:
		st.m.Notes = append(st.m.Notes, "several Content-Length fields; the message was framed by its separator lines")
	case badVal:
		st.m.Notes = append(st.m.Notes, "an unreadable Content-Length; the message was framed by its separator lines")
	default:
		st.clState = clPending
		st.cl = value
		st.clEnd = rd.off + int64(rel) + value
	}
}

// atSeparator decides whether the separator line at buf[r], n bytes long,
// ends the message, checking the message's Content-Length against the file.
func (rd *Reader) atSeparator(n int) bool {
	st := &rd.st
	if st.clState != clPending {
		return true
	}
	q := rd.off
	switch {
	case q == st.clEnd || st.prevBlank && st.prevStart == st.clEnd:
		st.clState = clOK
		return true
	case q > st.clEnd:
		rd.rejectCL(fmt.Sprintf("Content-Length %d ends at offset %d, short of the next separator line at offset %d", st.cl, st.clEnd, q))
		return true
	}
	// The separator candidate lies inside the counted body: either an
	// unescaped "From " line of an mboxcl2 body, or a Content-Length that
	// lies. A header after the line means a message starts there: the
	// separators frame the messages, so that a count stretched over a
	// message (by a tool that rewrote the header, or to hide it) cannot
	// swallow it. Otherwise look at where the count ends.
	if rd.headerAt(n) {
		rd.rejectCL(fmt.Sprintf("Content-Length %d reaches over the separator line at offset %d, where another message starts", st.cl, q))
		return true
	}
	dist := st.clEnd - q
	if dist+2*MaxSeparatorLength > int64(rd.window) {
		st.clState = clUnchecked
		st.m.Notes = append(st.m.Notes, fmt.Sprintf(
			"Content-Length %d reaches too far ahead to be checked; the message was framed by the separator line at offset %d",
			st.cl, q))
		return true
	}
	if rd.agreesAt(int(dist)) {
		return false
	}
	rd.rejectCL(fmt.Sprintf("Content-Length %d ends at offset %d, where no separator line follows; the separator line at offset %d ends the message", st.cl, st.clEnd, q))
	return true
}

// agreesAt reports whether the input at buf[r+rel] is where a message may
// end: the end of input or a separator line, optionally after a blank line.
func (rd *Reader) agreesAt(rel int) bool {
	rd.ensure(rel + 2*MaxSeparatorLength)
	if rd.w-rd.r < rel {
		return false
	}
	b := rd.buf[rd.r+rel : rd.w]
	if len(b) == 0 {
		return rd.eof && rd.err == nil
	}
	if n := blankLen(b); n > 0 {
		rel += n
		if rd.w-rd.r == rel {
			return rd.eof && rd.err == nil
		}
	}
	line, ok := rd.peekLineAt(rel, MaxSeparatorLength+len(UTF8BOM))
	return ok && isSeparatorLine(line)
}

// isSeparatorLine is IsSeparator for a line that may start with the
// byte-order mark of a file appended to another.
func isSeparatorLine(line []byte) bool {
	return IsSeparator(bytes.TrimPrefix(line, bomBytes))
}

// rejectCL overrules the Content-Length: the separator lines frame the
// message, and why says what the file shows instead.
func (rd *Reader) rejectCL(why string) {
	st := &rd.st
	st.clState = clRejected
	st.m.ContentLengthConflict = why
}
