package mbox

import (
	"bytes"
	"fmt"
	"io"
	"iter"

	"github.com/leakproof/leakproof/internal/linescan"
)

// This file holds the Reader: its options, the message it is reading, and
// the framing that ends a message at a separator line and names its
// variant.

// DefaultBufferSize is the Reader's buffer when Options.BufferSize is zero.
const DefaultBufferSize = 1 << 20

// minBufferSize keeps room for a separator line, a blank line and the
// Content-Length look-ahead arithmetic.
const minBufferSize = 64 << 10

// Options configures a Reader. A nil *Options is the same as &Options{}.
type Options struct {
	// Format names the variant of the file. If empty, the Reader decides per
	// message as the package documentation ("Formats") says and honours
	// Content-Length where the file agrees with it. mboxo and mboxrd turn
	// Content-Length framing off; mboxcl and mboxcl2 keep it on.
	Format Format
	// BufferSize is the size of the one buffer the Reader holds while it
	// is read through Body (see the package documentation, "Bounds", for
	// Message.Bytes). It bounds the header searched for Content-Length and
	// the look-ahead that checks a Content-Length against the file. If
	// zero, DefaultBufferSize; values under 64 KiB are raised to 64 KiB.
	BufferSize int
	// MaxLineLength is the line length (line ending included) past which a
	// message gets a note. Long lines are read like any other; memory does
	// not depend on them. If zero, 1 MiB.
	MaxLineLength int64
}

func (o *Options) bufferSize() int {
	if o == nil || o.BufferSize == 0 {
		return DefaultBufferSize
	}
	return max(o.BufferSize, minBufferSize)
}

func (o *Options) maxLineLength() int64 {
	if o == nil || o.MaxLineLength <= 0 {
		return 1 << 20
	}
	return o.MaxLineLength
}

// state is what the Reader knows about the message being read.
type state struct {
	m         *Message
	done      bool  // the message has ended
	avail     int   // bytes at buf[r:] known to belong to the message
	lineStart bool  // buf[r] begins a line
	lineLen   int64 // bytes of the current line already passed
	lastByte  byte  // the last byte passed, when lineLen > 0
	lastByte2 byte  // the byte before it, when lineLen > 1
	prevBlank bool  // the line before the current one was blank
	prevStart int64 // offset where that line started
	curStart  int64 // offset where the current line started
	longNoted bool
	sepNoted  bool

	clState int
	cl      int64 // the Content-Length value
	clEnd   int64 // offset where the counted body ends

	sawFrom   bool // an unescaped "From " line in the body
	sawEscape bool // a ">From " line
	sawRD     bool // a ">>From " line (or more '>')
	maybeRD   bool // a line of more '>' than the Reader looked at
	bare      int  // lines ending in a bare LF, counted up to 2
}

// A Reader reads messages from an mbox file, one at a time. Read through
// Body, it holds one buffer (Options.BufferSize) and never a whole message.
// A Reader is not safe for concurrent use; the slices Message.Bytes hands
// out may be read from any goroutine.
type Reader struct {
	src    io.Reader
	opts   Options
	buf    []byte
	r, w   int
	off    int64 // input offset of buf[r]
	eof    bool
	err    error       // sticky: the first error other than io.EOF
	window int         // the framing's look-ahead: Options.BufferSize
	keep   int         // buf[keep:r] is a message being collected by Bytes; -1 when none
	ck     *chunk      // buf, once Bytes handed out part of it
	free   chan []byte // chunks given back by Release, for the next buffers

	// cands caches, for each byte a line of interest starts with, where
	// the next line starting with it is: see nextCandidate.
	cands [len(candidateBytes)]candidate

	started bool
	index   int
	st      state
	bom     bool // a byte-order mark was set aside before the next separator line

	fileRD, fileCL, fileCL2 bool // variant evidence seen in earlier messages
}

// NewReader returns a Reader reading from r. opts may be nil.
func NewReader(r io.Reader, opts *Options) *Reader {
	rd := &Reader{src: r, buf: make([]byte, opts.bufferSize()), keep: -1}
	if opts != nil {
		rd.opts = *opts
	}
	rd.st.done = true
	return rd
}

// Next advances to the next message, skipping what the caller left unread of
// the previous one, and returns it. At the end of the input it returns nil
// and io.EOF. An input that does not start with a separator line gives a
// [*ParseError] wrapping ErrNoSeparator. The first error other than io.EOF is
// returned again by every later call.
func (rd *Reader) Next() (*Message, error) {
	rd.skip()
	if m := rd.st.m; m != nil {
		// The message is over: its Body yields io.EOF from now on, and a
		// Message the caller keeps does not keep the Reader's buffer.
		if b, ok := m.Body.(*body); ok {
			b.rd = nil
		}
	}
	if rd.err != nil {
		return nil, rd.err
	}
	if !rd.started {
		rd.started = true
		rd.window = len(rd.buf)
		// QUIRK: Windows tools (Notepad, PowerShell's Out-File) start a
		// text file with a UTF-8 byte-order mark. It belongs to the file,
		// not to the first message.
		if rd.ensure(len(UTF8BOM)) && bytes.HasPrefix(rd.buf[rd.r:rd.w], bomBytes) {
			rd.consume(len(UTF8BOM))
			rd.bom = true
		}
		// Leading blank lines are tolerated: some exporters write one.
		// The longest blank line, "\r\r\n", is three bytes: with fewer
		// in the buffer its CRs would read as no blank line.
		for rd.ensure(3) || rd.r < rd.w {
			n := blankLen(rd.buf[rd.r:rd.w])
			if n == 0 {
				break
			}
			rd.consume(n)
		}
		if rd.err != nil {
			return nil, rd.err
		}
		if rd.r == rd.w {
			return nil, io.EOF
		}
		if line, ok := rd.peekLine(MaxSeparatorLength); !ok || !IsSeparator(line) {
			rd.err = &ParseError{Offset: rd.off, Err: ErrNoSeparator}
			return nil, rd.err
		}
	}
	if !rd.ensure(1) {
		if rd.err != nil {
			return nil, rd.err
		}
		return nil, io.EOF
	}
	// The previous message ended at a separator line, or this is the first.
	line, _ := rd.peekLine(MaxSeparatorLength)
	rd.consume(len(line))
	bom := rd.bom
	rd.bom = false
	if bytes.HasPrefix(line, bomBytes) {
		// A file that started with a byte-order mark was appended here.
		line, bom = line[len(UTF8BOM):], true
	}
	sep := string(trimEOL(line))
	rd.index++
	m := &Message{Index: rd.index, Offset: rd.off, Separator: sep, BOM: bom}
	m.Body = &body{rd: rd, m: m}
	rd.st = state{m: m, lineStart: true, curStart: rd.off, prevStart: -1}
	// An I/O error while looking at the header reaches the caller through
	// Body, with the message it belongs to.
	rd.readContentLength()
	return m, nil
}

// All returns an iterator over the remaining messages. It is single-use. If
// reading fails, the final pair holds a nil *Message and the error.
func (rd *Reader) All() iter.Seq2[*Message, error] {
	return func(yield func(*Message, error) bool) {
		for {
			m, err := rd.Next()
			if err == io.EOF || !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// body is a Message's Body.
type body struct {
	rd *Reader
	m  *Message
}

func (b *body) Read(p []byte) (int, error) {
	if b.rd == nil || b.rd.st.m != b.m {
		return 0, io.EOF
	}
	rd, st := b.rd, &b.rd.st
	for st.avail == 0 && !st.done {
		if rd.r == rd.w && rd.err != nil {
			return 0, rd.err // after every byte read before the error
		}
		rd.advance()
	}
	if st.avail == 0 {
		return 0, io.EOF
	}
	n := copy(p, rd.buf[rd.r:rd.r+min(st.avail, len(p))])
	rd.consume(n)
	st.avail -= n
	st.m.Size += int64(n)
	return n, nil
}

// skip passes over what is left of the current message.
func (rd *Reader) skip() {
	st := &rd.st
	for !st.done && rd.err == nil {
		rd.consume(st.avail)
		st.m.Size += int64(st.avail)
		st.avail = 0
		rd.advance()
	}
	if st.avail > 0 {
		rd.consume(st.avail)
		st.m.Size += int64(st.avail)
		st.avail = 0
	}
}

// blankLen returns the length of the blank line ("\n", "\r\n" or "\r\r\n") at the
// start of b, or 0 when b does not start with one.
func blankLen(b []byte) int {
	switch {
	case len(b) >= 1 && b[0] == '\n':
		return 1
	case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
		return 2
	case len(b) >= 3 && b[0] == '\r' && b[1] == '\r' && b[2] == '\n':
		return 3 // a CRLF file copied in text mode
	}
	return 0
}

// advance finds how many buffered bytes belong to the message (st.avail),
// or ends the message (st.done). It reads more input when it must.
//
// Only lines starting with 'F' (a separator line), '>' (an escaped one)
// or a byte-order mark can end a message or tell its variant, so advance
// passes every line up to the next such line start in one step, found
// by a vectorised search (nextCandidate), rather than line by line.
func (rd *Reader) advance() {
	st := &rd.st
	if rd.r == rd.w && !rd.ensure(1) {
		if rd.err == nil {
			rd.finish(true)
		}
		return
	}
	if st.lineStart && rd.checkLineStart() {
		rd.finish(false)
		return
	}
	if rd.r == rd.w { // checkLineStart saw the input end
		return
	}
	b := rd.buf[rd.r:rd.w]
	if int64(len(b)) > rd.opts.maxLineLength() {
		// A line wholly inside b may be a long one: look at each.
		rd.advanceLines(b)
		return
	}
	end := rd.nextCandidate(b)
	rd.pass(b[:end])
	st.avail = end
}

// candidateBytes are the bytes a line that advance stops at starts with.
var candidateBytes = [...]byte{'F', '>', UTF8BOM[0]}

// A candidate is where the next line starting with one of candidateBytes
// lies: when found, at is the input offset of the line ending before it;
// otherwise no line ending before offset at is followed by that byte.
type candidate struct {
	at    int64
	found bool
}

// nextCandidate returns the index in b (the buffered bytes from buf[r]) of
// the first line start after b[0] whose first byte is one of
// candidateBytes, or len(b) when there is none. Each byte's search
// resumes where the last one stopped, so the input is searched once per
// byte however often advance stops.
func (rd *Reader) nextCandidate(b []byte) int {
	end := len(b)
	for k, c := range candidateBytes {
		cd := &rd.cands[k]
		if !cd.found || cd.at < rd.off {
			from := rd.off
			if !cd.found {
				from = max(cd.at, rd.off)
			}
			if i := linescan.IndexAfterLF(b, int(from-rd.off)+1, c); i >= 0 {
				cd.at, cd.found = rd.off+int64(i-1), true
			} else {
				cd.at, cd.found = rd.off+max(int64(len(b)-1), from-rd.off), false
			}
		}
		if cd.found {
			end = min(end, int(cd.at-rd.off)+1)
		}
	}
	return end
}

// pass moves the line state over b, which holds no line longer than
// Options.MaxLineLength other than the one it continues and the one it
// leaves open.
func (rd *Reader) pass(b []byte) {
	st := &rd.st
	rd.countBare(b)
	first := bytes.IndexByte(b, '\n')
	if first < 0 {
		rd.continueLine(b)
		return
	}
	if st.lineLen+int64(first)+1 > rd.opts.maxLineLength() {
		rd.noteLong() // the line that was open, at st.curStart
	}
	last := len(b) - 1
	if b[last] != '\n' {
		last = bytes.LastIndexByte(b, '\n')
	}
	// The last complete line: is it blank, and where does it start?
	var total int64
	start, lineAt := st.curStart, 0
	if last == first {
		total = st.lineLen + int64(first) + 1
	} else {
		lineAt = bytes.LastIndexByte(b[:last], '\n') + 1
		start = rd.off + int64(lineAt)
		total = int64(last - lineAt + 1)
	}
	var before1, before2 byte // the two bytes before its LF
	switch j := last - lineAt; {
	case j >= 2:
		before1, before2 = b[last-1], b[last-2]
	case j == 1:
		before1, before2 = b[last-1], st.lastByte
	default:
		before1, before2 = st.lastByte, st.lastByte2
	}
	st.prevBlank = total == 1 || total == 2 && before1 == '\r' || total == 3 && before1 == '\r' && before2 == '\r'
	st.prevStart = start
	st.curStart = rd.off + int64(last) + 1
	st.lineLen = 0
	st.lineStart = true
	if last+1 < len(b) {
		rd.continueLine(b[last+1:])
	}
}

// continueLine moves the line state over b, which holds no line ending.
func (rd *Reader) continueLine(b []byte) {
	st := &rd.st
	st.lineLen += int64(len(b))
	if len(b) >= 2 {
		st.lastByte2 = b[len(b)-2]
	} else {
		st.lastByte2 = st.lastByte
	}
	st.lastByte = b[len(b)-1]
	st.lineStart = false
	if st.lineLen > rd.opts.maxLineLength() {
		rd.noteLong()
	}
}

// countBare counts the lines of b that end in a bare LF, up to two: one
// may be the blank line the mbox writer put after the message (see
// Lines), so two tell for sure that the message's own lines end so. It
// must run before the line state moves over b.
func (rd *Reader) countBare(b []byte) {
	st := &rd.st
	if st.bare >= 2 || len(b) == 0 {
		return
	}
	if b[0] == '\n' && (st.lineLen == 0 || st.lastByte != '\r') {
		st.bare++
	}
	for i := 1; st.bare < 2; i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return
		}
		i += j
		if b[i-1] != '\r' {
			st.bare++
		}
	}
}

// advanceLines is advance for a b in which a whole line may be longer than
// Options.MaxLineLength: it passes b line by line, noting the first long
// one, up to the next line that starts with one of candidateBytes.
func (rd *Reader) advanceLines(b []byte) {
	st := &rd.st
	maxLine := rd.opts.maxLineLength()
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			rd.countBare(b[i:])
			rd.continueLine(b[i:])
			i = len(b)
			break
		}
		rd.countBare(b[i : i+j+1])
		total := st.lineLen + int64(j) + 1
		cr := j >= 1 && b[i+j-1] == '\r' || j == 0 && st.lineLen == 1 && st.lastByte == '\r'
		// "\r\r\n" is the blank line of a CRLF file copied in text mode.
		// The two CRs may sit in an earlier read (the buffer size must
		// not change what is read).
		var before1, before2 byte // the two bytes before the LF
		switch {
		case j >= 2:
			before1, before2 = b[i+j-1], b[i+j-2]
		case j == 1:
			before1, before2 = b[i], st.lastByte
		default:
			before1, before2 = st.lastByte, st.lastByte2
		}
		crcr := total == 3 && before1 == '\r' && before2 == '\r'
		st.prevBlank = total == 1 || total == 2 && cr || total == 3 && crcr
		if total > maxLine {
			rd.noteLong()
		}
		i += j + 1
		st.prevStart = st.curStart
		st.curStart = rd.off + int64(i)
		st.lineLen = 0
		st.lineStart = true
		if i == len(b) || b[i] == 'F' || b[i] == '>' || b[i] == UTF8BOM[0] {
			break
		}
	}
	st.avail = i
}

func (rd *Reader) noteLong() {
	st := &rd.st
	if !st.longNoted {
		st.longNoted = true
		st.m.Notes = append(st.m.Notes, fmt.Sprintf("a line longer than %d bytes starts at offset %d",
			rd.opts.maxLineLength(), st.curStart))
	}
}

// checkLineStart looks at the line starting at buf[r] and reports whether it
// is the next separator, which ends the message.
func (rd *Reader) checkLineStart() bool {
	st := &rd.st
	switch rd.buf[rd.r] {
	case 'F', UTF8BOM[0]:
		line, ok := rd.peekLine(MaxSeparatorLength)
		n := len(line)
		bom := bytes.HasPrefix(line, bomBytes)
		if bom {
			// A separator line of a file with a byte-order mark that
			// was appended to this one.
			line = line[len(UTF8BOM):]
		}
		if !bytes.HasPrefix(line, fromSpace) {
			return false
		}
		if ok && IsSeparator(line) && rd.separatorEnds(n) {
			return true
		}
		st.sawFrom = st.sawFrom || !bom
	case '>':
		line, _ := rd.peekLine(256)
		n := 0
		for n < len(line) && line[n] == '>' {
			n++
		}
		if n == len(line) && n >= 256 {
			st.maybeRD = true // too many '>' to see what follows them
		}
		if bytes.HasPrefix(line[n:], fromSpace) {
			if n == 1 {
				st.sawEscape = true
			} else {
				st.sawRD = true
			}
		}
	}
	return false
}

// separatorEnds decides whether the separator line at buf[r], n bytes long
// with its line ending, ends the message.
func (rd *Reader) separatorEnds(n int) bool {
	st := &rd.st
	if st.prevBlank || st.clState == clPending && rd.off == st.clEnd {
		return rd.atSeparator(n)
	}
	if rd.opts.Format != FormatMboxcl2 && rd.headerAt(n) {
		// QUIRK: a writer that does not end a message with a line ending
		// (Python's mailbox before 3.x, hand-made concatenations) puts
		// the next separator line right after text. Every variant but
		// mboxcl2 escapes each "From " line of a body, so an unescaped
		// separator line followed by a header field starts a message, as
		// mutt and Python's mailbox read it.
		return rd.atSeparator(n)
	}
	if !st.sepNoted && !(st.clState == clPending && rd.off < st.clEnd) {
		// RFC 4155 asks for a blank line before a separator, and no
		// header follows this one: body text, with a note that lets a
		// reader check.
		st.sepNoted = true
		st.m.Notes = append(st.m.Notes, fmt.Sprintf(
			"a separator-like line without a blank line before it, at offset %d, was read as body text", rd.off))
	}
	return false
}

// headerAt reports whether the line at buf[r+rel] starts as a message's
// header does: a field name (a letter, then printable ASCII other than the
// colon) and a colon, after an optional byte-order mark.
func (rd *Reader) headerAt(rel int) bool {
	line, _ := rd.peekLineAt(rel, 256)
	line = bytes.TrimPrefix(line, bomBytes)
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 0x7f && line[i] != ':' {
		i++
	}
	return i > 0 && i < len(line) && line[i] == ':' &&
		('a' <= line[0]|0x20 && line[0]|0x20 <= 'z')
}

var bomBytes = []byte(UTF8BOM)

// finish ends the current message, at the end of input when eof is set,
// else at the separator line at buf[r], and decides its Format.
func (rd *Reader) finish(eof bool) {
	st := &rd.st
	st.done = true
	if eof {
		q := rd.off
		if !st.lineStart {
			st.m.Notes = append(st.m.Notes, "the input ends in the middle of a line; the message may be truncated")
		}
		if st.clState == clPending {
			switch {
			case q == st.clEnd || st.prevBlank && st.prevStart == st.clEnd:
				st.clState = clOK
			case q < st.clEnd:
				st.clState = clRejected
				st.m.Notes = append(st.m.Notes, fmt.Sprintf(
					"the message is truncated: Content-Length %d promises %d more bytes than the input holds",
					st.cl, st.clEnd-q))
			default:
				rd.rejectCL(fmt.Sprintf("Content-Length %d ends at offset %d, short of the end of the input at offset %d", st.cl, st.clEnd, q))
			}
		}
	}
	st.m.Format = rd.decideFormat()
	// The line before the end of the message (the next separator line or
	// the end of the input) is blank: the blank line an mbox writer puts
	// after each message.
	if st.lineStart && st.prevBlank && st.prevStart >= st.m.Offset {
		st.m.Lines.Trailer = int(rd.off - st.prevStart)
	}
	bare := st.bare
	if st.m.Lines.Trailer == 1 {
		bare-- // the trailer is a bare "\n"
	}
	st.m.Lines.BareLF = bare > 0
	st.m.Lines.Escaped = st.sawEscape || st.sawRD || st.maybeRD
}

// Bytes reads what Body has yet to yield, up to limit bytes, and returns it
// as one slice, as io.ReadAll(io.LimitReader(m.Body, limit)) would, but
// without copying where it can: the slice is a piece of the Reader's
// buffer. The Reader never writes over a piece it handed out (it moves on
// to a new buffer instead), so the slice belongs to the caller and stays
// valid after Next; only a message that straddles two buffers, or is
// larger than one, is copied. Its capacity is its length. What lies past
// limit is still read through Body. The slice is empty, never nil, when
// there is nothing to read. After an I/O error, the bytes read before it
// come back with the error. On a Message that did not come from
// a Reader, Bytes reads Body.
//
// Memory: each buffer is twice Options.BufferSize, and the garbage
// collector frees it once no slice of it is held; a message larger than
// that is collected in a buffer of its own, at most about twice limit.
func (m *Message) Bytes(limit int) ([]byte, error) {
	if b, ok := m.Body.(*body); ok && b.m == m {
		if b.rd == nil {
			return []byte{}, nil // the Reader moved on: Body yields io.EOF
		}
		return b.rd.collect(m, limit)
	}
	if m.Body == nil {
		return []byte{}, nil
	}
	return io.ReadAll(io.LimitReader(m.Body, int64(limit)))
}

// collect is Bytes for a message of this Reader: it passes the message's
// bytes as Body.Read does, without copying them out, keeping them in the
// buffer from where they start.
func (rd *Reader) collect(m *Message, limit int) ([]byte, error) {
	st := &rd.st
	if st.m != m || limit <= 0 {
		return []byte{}, nil
	}
	rd.keep = rd.r
	defer func() { rd.keep = -1 }()
	var err error
	for n := 0; n < limit; {
		for st.avail == 0 && !st.done {
			if rd.r == rd.w && rd.err != nil {
				err = rd.err // after every byte read before the error
				break
			}
			rd.advance()
		}
		if st.avail == 0 {
			break
		}
		k := min(st.avail, limit-n)
		rd.consume(k)
		st.avail -= k
		st.m.Size += int64(k)
		n += k
	}
	if rd.r == rd.keep {
		return []byte{}, err // empty, not nil: the message was read
	}
	if rd.ck == nil {
		rd.ck = &chunk{buf: rd.buf}
		if len(rd.buf) == chunkFactor*rd.window {
			if rd.free == nil {
				rd.free = make(chan []byte, maxFreeChunks)
			}
			rd.ck.free = rd.free
		}
		rd.ck.refs.Store(1) // the Reader's
	}
	rd.ck.refs.Add(1)
	if m.ck == nil {
		m.ck = rd.ck
	}
	// else a second call's slice: its reference is never dropped, and
	// the garbage collector frees the chunk.
	return rd.buf[rd.keep:rd.r:rd.r], err
}

// Release tells the Reader that the caller is done with the slices Bytes
// returned for m: their memory may then hold later messages, so neither
// they nor anything sliced from them may be used after it. Calling it is
// optional: a slice never released stays valid, and the garbage collector
// frees it once unused; releasing lets the Reader reuse its buffers
// instead of allocating new ones. Release does nothing after the first
// call, or when Bytes handed out nothing. It may be called from any
// goroutine, but not concurrently for the same Message.
func (m *Message) Release() {
	if c := m.ck; c != nil {
		m.ck = nil
		c.unref()
	}
}

// decideFormat names the variant of the message just read.
func (rd *Reader) decideFormat() Format {
	st := &rd.st
	if f := rd.opts.Format; f != "" {
		return f
	}
	if st.clState == clOK {
		switch {
		case st.sawFrom:
			rd.fileCL2 = true
			return FormatMboxcl2
		case st.sawEscape || st.sawRD:
			rd.fileCL = true
			return FormatMboxcl
		case rd.fileCL2:
			return FormatMboxcl2
		}
		return FormatMboxcl
	}
	if st.sawRD || rd.fileRD {
		rd.fileRD = true
		return FormatMboxrd
	}
	return FormatMbox
}
