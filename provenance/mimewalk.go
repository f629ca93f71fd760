package provenance

// The attachment walk over the message bytes. The message is in memory, so
// its parts need not be read through go-message's stream of buffered
// readers, line by line: sliceWalk finds each part's extent with
// bytes.Index on the message bytes and decodes base64 in fixed-size chunks
// straight into the attachment's SHA-256, so that a 90 MB attachment costs
// two 32 KB buffers and no copy. go-message still reads every part header
// and decodes every part that is not base64, so names and bytes are read
// by the same rules as before.
//
// The walk reads exactly what go-message's multipart reader reads, and
// only the shapes where that is plain: a part that ends at no boundary, a
// line that would overrun go-message's 4 KiB line buffer where it reads
// lines, a header it cannot read, base64 text that is not one canonical
// stream (padding only at its end, only base64 characters and white
// space), or a boundary holding a line break or over 200 bytes makes the
// walk give up, and attachments then takes go-message's walk over the
// same bytes. What go-message's reading of such shapes depends on (the
// sizes of its reads, for padding in mid-stream) is thus kept as it was.
//
// Where go-message stops at, or passes over, a line a mail client reads
// otherwise (a line outside the parts over 4 KiB, a line with text after
// the boundary, a delimiter line ending in CR CR LF, a lone CR a client
// ends a line at next to one: splitter.bareCR), the parts are read as a
// mail client reads them instead (splitter.longLines, nextClient): only
// such messages take that reading.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/leakproof/leakproof/internal/base64x"
	"github.com/leakproof/leakproof/internal/linescan"
)

// errPlainWalk stops sliceWalk on a shape it leaves to go-message.
var errPlainWalk = errors.New("provenance: shape left to go-message")

// Constants of go-message's reader that decide what it reads.
const (
	goMessageBuffer    = 4096    // its bufio buffers: longer lines are refused where it reads lines
	goMessageMaxHeader = 1 << 20 // bytes of the top-level header it reads
	maxSliceBoundary   = 200     // longer boundaries are left to go-message
)

// sliceAttachments lists the named MIME parts of msg as attachments does,
// or returns errPlainWalk when the message has a shape it leaves to
// go-message.
func sliceAttachments(msg []byte) (out []Attachment, truncated bool, err error) {
	return sliceAttachmentsMode(msg, false)
}

// sliceAttachmentsMode is sliceAttachments; with longLines, a line between
// parts longer than go-message's buffer is read as any other (see
// splitter.longLines).
func sliceAttachmentsMode(msg []byte, longLines bool) (out []Attachment, truncated bool, err error) {
	out, truncated, _, err = sliceAttachmentsLong(msg, longLines)
	return out, truncated, err
}

// sliceAttachmentsLong is sliceAttachmentsMode, and reports what the
// splitters met where go-message reads otherwise: a line outside the
// parts longer than go-message's buffer, the line go-message stops at, or
// a line the two readings split at differently; found is set on an error
// too, to what was met before it.
func sliceAttachmentsLong(msg []byte, longLines bool) (out []Attachment, truncated bool, found splitFinds, err error) {
	e, body, ok := sliceTop(msg)
	if !ok {
		return nil, false, splitFinds{}, nil // go-message reads no entity: no attachments
	}
	w := &sliceWalk{longLines: longLines}
	if err := w.walk(e, body, 0); err != nil {
		return nil, false, w.found, err // found: what was met before the walk gave up
	}
	return w.out, w.truncated, w.found, nil
}

// sliceTop reads the top-level entity of msg as message.Read does (its
// header through a 1 MB limit) and returns it with its undecoded body; ok
// is false when message.Read reads no entity.
func sliceTop(msg []byte) (e *message.Entity, body []byte, ok bool) {
	r := bytes.NewReader(msg)
	lr := &headerLimit{r: r, n: goMessageMaxHeader}
	br := bufio.NewReaderSize(lr, goMessageBuffer)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, nil, false
	}
	at := len(msg) - br.Buffered() - r.Len()
	e, _ = message.New(message.Header{Header: h}, bytes.NewReader(msg[at:]))
	return e, msg[at:], true
}

// headerLimit is go-message's limit on the top-level header: reads past n
// bytes fail.
type headerLimit struct {
	r io.Reader
	n int64
}

var errHeaderLimit = errors.New("provenance: header over go-message's limit")

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeaderLimit
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// sliceWalk is mimeWalk over the message bytes: the same caps, counted the
// same way.
type sliceWalk struct {
	out       []Attachment
	parts     int
	truncated bool
	longLines bool       // splitter.longLines
	found     splitFinds // what the splitters met where go-message reads otherwise
}

// walk reads entity e, whose (undecoded) body is data.
func (w *sliceWalk) walk(e *message.Entity, data []byte, depth int) error {
	w.parts++
	if w.parts > maxMIMEParts || len(w.out) >= maxAttachments {
		w.truncated = true
		return nil
	}
	mt, params, ctErr := e.Header.ContentType()
	if w.found.shape == "" {
		w.found.shape = entityShape(e, data, depth == 0, ctErr)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxMIMEDepth {
			w.truncated = true
			return nil
		}
		found, err := eachPart(data, params["boundary"], w.longLines, func(p *message.Entity, body []byte) error {
			if err := w.walk(p, body, depth+1); err != nil {
				return err
			}
			if w.parts > maxMIMEParts || len(w.out) >= maxAttachments {
				w.truncated = true
				return errStopParts
			}
			return nil
		})
		w.found.add(found)
		return err
	}
	name := partName(e)
	b64 := strings.ToLower(e.Header.Get("Content-Transfer-Encoding")) == "base64"
	if name == "" {
		if b64 && w.found.shape == "" && !base64Canonical(data) {
			w.found.shape = base64Shape
		}
		if !w.found.flowed && flowedJoinsPart(mt, e.Header.Get("Content-Type"), e.Header.Get("Content-Transfer-Encoding"), data) {
			w.found.flowed = true
		}
		return nil
	}
	sum := sha256.New()
	if directBase64(e, mt, params) {
		if err := hashBase64(sum, data); err != nil {
			// hashBase64 takes one canonical stream only.
			if w.found.shape == "" {
				w.found.shape = base64Shape
			}
			if !w.longLines {
				return err
			}
			// go-message gave up on this message: there is no reading
			// of its own to match, so base64 that is not one canonical
			// stream is decoded by go-message's decoder over the bytes.
			sum.Reset()
			buf := copyBuffers.Get().(*[]byte)
			_, _ = io.CopyBuffer(sum, e.Body, *buf)
			copyBuffers.Put(buf)
		}
	} else {
		if b64 && w.found.shape == "" && !base64Canonical(data) {
			w.found.shape = base64Shape
		}
		// Quoted-printable, 7bit and the rest: go-message's decoders,
		// which read lines through a buffer of their own, so that what
		// they read does not depend on how the bytes reach them.
		buf := copyBuffers.Get().(*[]byte)
		_, err := io.CopyBuffer(sum, e.Body, *buf)
		copyBuffers.Put(buf)
		if err != nil && w.found.shape == "" {
			w.found.shape = decodeStopShape
		}
	}
	w.out = append(w.out, Attachment{Name: name, SHA256: hex.EncodeToString(sum.Sum(nil))})
	return nil
}

// errStopParts, from eachPart's f, ends the walk of the parts without error.
var errStopParts = errors.New("provenance: no more parts wanted")

// splitFinds are what a splitter met where go-message and a mail client
// (splitter.longLines) read otherwise.
type splitFinds struct {
	long  bool   // a line outside the parts longer than goMessageBuffer (splitter.long)
	odd   []byte // the first line the two readings split at differently (splitter.odd)
	shape string // the first other shape readers read differently (entityShape), worded for the evidence
	// flowed is set by a text part whose joins only simple body
	// canonicalization signs (flowedJoinsPart).
	flowed bool
}

func (f *splitFinds) add(g splitFinds) {
	f.long = f.long || g.long
	f.flowed = f.flowed || g.flowed
	if f.odd == nil {
		f.odd = g.odd
	}
	if f.shape == "" {
		f.shape = g.shape
	}
}

// eachPart calls f with each part of a multipart body, data, as the
// splitter reads it with boundary (longLines as splitter.longLines): the
// part as go-message makes it from its header and bytes, and the bytes.
// It stops at f's first error, which it returns (errStopParts as nil), or
// at errPlainWalk for a shape the splitter leaves to go-message. found
// reports what the splitter met where go-message reads otherwise.
func eachPart(data []byte, boundary string, longLines bool, f func(p *message.Entity, body []byte) error) (found splitFinds, err error) {
	s, err := newSplitter(data, boundary, longLines)
	if err != nil {
		return splitFinds{}, err
	}
	bareCR := s.bareCR()
	for {
		hdr, body, err := s.next()
		found = splitFinds{long: s.long, odd: s.odd, shape: s.shape}
		if found.odd == nil {
			found.odd = bareCR
		}
		if err == io.EOF {
			return found, nil
		}
		if err != nil {
			return found, err
		}
		// New's only errors are an unknown encoding or charset, which
		// the walks read past as go-message's do.
		p, _ := message.New(message.Header{Header: hdr}, bytes.NewReader(body))
		if err := f(p, body); err != nil {
			if err == errStopParts {
				return found, nil
			}
			return found, err
		}
	}
}

// directBase64 reports whether go-message decodes e's body as base64 and
// nothing more: no charset conversion follows.
func directBase64(e *message.Entity, mt string, params map[string]string) bool {
	if strings.ToLower(e.Header.Get("Content-Transfer-Encoding")) != "base64" {
		return false
	}
	cs, ok := params["charset"]
	cs = strings.ToLower(cs)
	return !strings.HasPrefix(mt, "text/") || !ok || cs == "utf-8" || cs == "us-ascii"
}

// hashBase64 writes the decoding of data, base64 text, to sum. It returns
// errPlainWalk unless data is one canonical base64 stream once white space
// (space, tab, CR, LF, which go-message skips) is removed: base64
// characters, then at most "==" or "=" completing the last group of four.
// go-message decodes such a stream the same in any chunks.
//
// Most base64 bodies are lines of a multiple of four base64 characters,
// each ended by LF or CRLF: hashBase64Lines decodes those straight from
// data. From the first line that is not so plain (padding, white space
// inside it, an odd length, any other byte), hashBase64Stream reads the
// rest. The lines before it hold whole groups of four characters and no
// padding, so the rest is judged and decoded as it would have been in
// one stream.
func hashBase64(sum io.Writer, data []byte) error {
	inp := copyBuffers.Get().(*[]byte)
	outp := copyBuffers.Get().(*[]byte)
	rest := hashBase64Lines(sum, data, *inp, *outp)
	copyBuffers.Put(inp)
	copyBuffers.Put(outp)
	return hashBase64Stream(sum, rest)
}

// hashBase64Lines writes to sum the decoding of the plain lines at the
// start of data and returns the rest of data from the first line, or part
// of a line, that is not plain. A plain line is a multiple of four base64
// characters, with no padding, up to LF, CRLF or the end of data.
//
// The plain lines are gathered into in without their line endings and
// decoded a bufferful at a time into out (at least 3 bytes; in is used up
// to len(out)/3*4): one Decode of many lines stays on its fast paths (32
// characters at a time, or 8 without AVX2), where decoding a line at a
// time (76 characters in most mail) ends every line on the slow path of
// encoding/base64. Decode checks the characters; a batch it refuses, or
// decodes to fewer than three bytes per four characters, holds a line with padding or a CR
// (which Decode skips), and hashBase64Each reads that batch again a line
// at a time to find it. A line longer than in is left to hashBase64Each
// too, which decodes it in pieces.
func hashBase64Lines(sum io.Writer, data, in, out []byte) []byte {
	in = in[:min(len(in), len(out)/3*4)]
	for len(data) > 0 {
		batch, n := data, 0
		for len(data) > 0 {
			end, next := base64LineEnd(data)
			if end%4 != 0 || end > len(in)-n {
				break
			}
			n += copy(in[n:], data[:end])
			data = data[next:]
		}
		if n == 0 {
			return hashBase64Each(sum, data, out)
		}
		k, err := base64x.Decode(out, in[:n])
		if err != nil || k != n/4*3 {
			return hashBase64Each(sum, batch, out)
		}
		sum.Write(out[:k])
	}
	return data
}

// base64LineEnd returns where the first line of data ends, before its LF
// or CRLF, and where the next line starts.
func base64LineEnd(data []byte) (end, next int) {
	end, next = len(data), len(data)
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		end, next = i, i+1
	}
	if end > 0 && data[end-1] == '\r' {
		end--
	}
	return end, next
}

// hashBase64Each is hashBase64Lines a line at a time, through out alone:
// it writes to sum the decoding of the plain lines at the start of data,
// many at a time through out (at least 3 bytes), and returns the rest of
// data from the first line, or part of a line, that is not plain. A piece
// Decode decodes to fewer than three bytes per four characters
// held padding or CR, which it skips.
func hashBase64Each(sum io.Writer, data, out []byte) []byte {
	m := 0 // decoded bytes in out, not yet written to sum
	for len(data) > 0 {
		end, next := base64LineEnd(data)
		if end%4 != 0 {
			break
		}
		for end > 0 {
			if len(out)-m < 3 {
				sum.Write(out[:m])
				m = 0
			}
			k := min(end, (len(out)-m)/3*4)
			n, err := base64x.Decode(out[m:], data[:k])
			if err != nil || n != k/4*3 {
				sum.Write(out[:m])
				return data
			}
			m += n
			data, end, next = data[k:], end-k, next-k
		}
		data = data[next:]
	}
	sum.Write(out[:m])
	return data
}

// hashBase64Stream is hashBase64 for any text: it classifies every byte,
// copies the base64 characters to a buffer and decodes them in chunks.
func hashBase64Stream(sum io.Writer, data []byte) error {
	inp := copyBuffers.Get().(*[]byte)
	outp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(inp)
	defer copyBuffers.Put(outp)
	in, out := *inp, *outp
	n, pad, total := 0, 0, 0 // characters in in, '=' signs seen, characters kept
	for i := 0; i < len(data); {
		// A run of base64 characters, copied as far as in has room.
		j := i
		for j < len(data) && base64Class[data[j]] == b64Char && j-i < len(in)-n {
			j++
		}
		if j > i {
			if pad > 0 {
				return errPlainWalk // text after the padding
			}
			n += copy(in[n:], data[i:j])
			total += j - i
			i = j
		}
		if n == len(in) {
			m, err := base64x.Decode(out, in[:n])
			if err != nil {
				return errPlainWalk
			}
			sum.Write(out[:m])
			n = 0
			continue
		}
		if i == len(data) {
			break
		}
		switch base64Class[data[i]] {
		case b64Space:
		case b64Pad:
			in[n] = '='
			n++
			pad++
			total++
		default:
			return errPlainWalk
		}
		i++
	}
	if total%4 != 0 || pad > 2 {
		return errPlainWalk
	}
	m, err := base64x.Decode(out, in[:n])
	if err != nil {
		return errPlainWalk
	}
	sum.Write(out[:m])
	return nil
}

// Classes of byte in base64 text, as go-message reads it.
const (
	b64Other = iota
	b64Char
	b64Pad
	b64Space
)

var base64Class = func() (c [256]uint8) {
	for b := range 256 {
		switch {
		case isBase64Byte(byte(b)):
			c[b] = b64Char
		case b == '=':
			c[b] = b64Pad
		case b == ' ' || b == '\t' || b == '\r' || b == '\n':
			c[b] = b64Space
		}
	}
	return c
}()

// A splitter reads the parts of a multipart body as go-message's
// textproto.MultipartReader does, from the bytes: a part's header is read
// by textproto.ReadHeader, and its body runs to the next line break
// followed by "--" and the boundary and then white space, "-" or a line
// break. Where that reader would fail or read past the data,
// next returns errPlainWalk.
type splitter struct {
	data     []byte
	at       int    // where the reading is: after the last part's body
	parts    int    // parts read
	nl       []byte // the line break: CRLF, or LF after a first delimiter line ending in LF
	dash     []byte // "--" boundary
	dashDash []byte // "--" boundary "--"
	nlDash   []byte // nl "--" boundary
	lfDash   []byte // LF "--" boundary

	// longLines reads the parts as a mail client does, for a message
	// go-message stopped reading (it then reads no part after where it
	// stopped): lines outside the parts are read whatever their length,
	// the end of the data ends a part and the parts, a boundary may be
	// longer than maxSliceBoundary, and delimiter lines are those of
	// RFC 2046's grammar, found line by line (see nextClient).
	longLines bool
	long      bool   // a line longer than goMessageBuffer was read (longLines only)
	odd       []byte // the first line go-message and a mail client split at differently (next, nextClient)
	shape     string // a part header go-message cannot read (header), worded as entityShape words a shape
}

func newSplitter(data []byte, boundary string, longLines bool) (*splitter, error) {
	if boundary == "" || len(boundary) > maxSliceBoundary && !longLines || strings.ContainsAny(boundary, "\r\n") {
		return nil, errPlainWalk
	}
	b := []byte("\r\n--" + boundary + "--")
	return &splitter{data: data, nl: b[:2], nlDash: b[:len(b)-2], lfDash: b[1 : len(b)-2], dashDash: b[2:], dash: b[2 : len(b)-2], longLines: longLines}, nil
}

// next returns the header and the body bytes of the next part, or io.EOF
// after the closing delimiter line.
func (s *splitter) next() (textproto.Header, []byte, error) {
	if s.longLines {
		return s.nextClient()
	}
	expectPart := false
	for {
		line, eof, err := s.line()
		if err != nil {
			return textproto.Header{}, nil, err
		}
		if eof && s.isClose(line) {
			return textproto.Header{}, nil, io.EOF
		}
		if eof {
			return textproto.Header{}, nil, errPlainWalk
		}
		if s.isDelimiter(line) {
			s.parts++
			h, err := s.header()
			if err != nil {
				return textproto.Header{}, nil, err
			}
			start := s.at
			if err := s.skipBody(); err != nil {
				return textproto.Header{}, nil, err
			}
			body := s.data[start:s.at]
			return h, body, nil
		}
		if s.isClose(line) {
			return textproto.Header{}, nil, io.EOF
		}
		if expectPart {
			return textproto.Header{}, nil, errPlainWalk
		}
		if s.parts == 0 {
			if s.clientKind(line) != notDelimiter {
				// go-message passes over a line a mail client starts
				// the parts at (nextClient).
				s.noteOdd(line)
			}
			continue
		}
		if bytes.Equal(line, s.nl) {
			expectPart = true
			continue
		}
		return textproto.Header{}, nil, errPlainWalk
	}
}

// line returns the line at s.at with its line ending, as bufio's
// ReadSlice('\n') does; eof is set on a last line without one. A line
// longer than go-message's buffer is left to go-message, unless
// s.longLines.
func (s *splitter) line() (line []byte, eof bool, err error) {
	rest := s.data[s.at:]
	i := bytes.IndexByte(rest, '\n')
	switch {
	case !s.longLines && (i < 0 && len(rest) >= goMessageBuffer || i >= goMessageBuffer):
		return nil, false, errPlainWalk
	case i < 0:
		s.long = s.long || len(rest) >= goMessageBuffer
		s.at = len(s.data)
		return rest, true, nil
	}
	s.long = s.long || i >= goMessageBuffer
	s.at += i + 1
	return rest[:i+1], false, nil
}

// header reads the part header at s.at with go-message's reader.
func (s *splitter) header() (textproto.Header, error) {
	rest := s.data[s.at:]
	r := bytes.NewReader(rest)
	br := bufio.NewReaderSize(r, goMessageBuffer)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		if s.shape == "" && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, bufio.ErrBufferFull) {
			// Not the end of the data or a line over the buffer: a line
			// that is no header field.
			s.shape = "a part header holds a line that is not a header field: go-message lists no part from there on, while other readers (Python's email package) end the header at that line and show it and the lines after it as the part's text"
		}
		return textproto.Header{}, errPlainWalk
	}
	s.at += len(rest) - br.Buffered() - r.Len()
	return h, nil
}

// skipBody moves s.at from the start of a part's body to its end: the
// line break before the delimiter line that ends it.
func (s *splitter) skipBody() error {
	from := s.at
	// A body that starts right at a delimiter is empty.
	if rest := s.data[s.at:]; bytes.HasPrefix(rest, s.dash) {
		if len(rest) == len(s.dash) {
			return errPlainWalk // go-message reads past the data here
		}
		if endsDelimiter(rest[len(s.dash)]) {
			return nil
		}
		from += len(s.dash)
	}
	for {
		i := linescan.Index(s.data, from, s.nlDash)
		if i < 0 {
			return errPlainWalk // no delimiter ends the part
		}
		after := i + len(s.nlDash)
		if after == len(s.data) {
			return errPlainWalk
		}
		if endsDelimiter(s.data[after]) {
			s.at = i
			return nil
		}
		from = after
	}
}

// endsDelimiter reports whether c, after a line break, "--" and the
// boundary, ends a part for go-message.
func endsDelimiter(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-'
}

// isClose reports whether line is a closing delimiter line.
func (s *splitter) isClose(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, s.dashDash)
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	return len(rest) == 0 || bytes.Equal(rest, s.nl)
}

// isDelimiter reports whether line is a delimiter line; the first one
// ending in LF makes LF the line break.
func (s *splitter) isDelimiter(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, s.dash)
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	if s.parts == 0 && len(rest) == 1 && rest[0] == '\n' {
		s.nl, s.nlDash = s.nl[1:], s.nlDash[1:]
	}
	return bytes.Equal(rest, s.nl)
}

// isDelimiterLine is isDelimiter after the first part: it changes nothing.
func (s *splitter) isDelimiterLine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, s.dash)
	return ok && bytes.Equal(bytes.TrimLeft(rest, " \t"), s.nl)
}

// nextClient is next for a mail client's reading (s.longLines), which
// finds delimiter lines as RFC 2046 §5.1.1 defines them, line by line:
// "--" and the boundary, "--" after it on the closing line, then only
// white space (transport padding) up to the line's end, whatever ends the
// line (LF, CRLF, or CR CR LF, as a client that trims white space off each
// line reads it). A line with other text after the boundary is text of the
// part it is in. go-message ends a part at any line break of the kind its
// first delimiter line used, followed by "--", the boundary and white
// space or "-", and stops at such a line that is not a delimiter line of
// that kind: the lines where the two readings differ are noted (s.odd).
// The end of the data ends a part and the parts: mail clients show the
// parts of a truncated message.
func (s *splitter) nextClient() (textproto.Header, []byte, error) {
	for {
		line, eof, err := s.line()
		if err != nil {
			return textproto.Header{}, nil, err
		}
		kind := s.clientKind(line)
		if s.parts == 0 && kind != s.strictKind(line, true) {
			// go-message passes over a preamble line that is no
			// delimiter line of its own; a client starts the parts there.
			s.noteOdd(line)
		}
		if eof || kind == closeDelimiter {
			return textproto.Header{}, nil, io.EOF
		}
		if kind == notDelimiter {
			// The preamble, or the line break before a delimiter line.
			continue
		}
		s.parts++
		h, err := s.header()
		if err != nil {
			return textproto.Header{}, nil, err
		}
		start := s.at
		s.skipBodyClient()
		return h, s.data[start:s.at], nil
	}
}

// skipBodyClient is skipBody for a mail client's reading: the body runs to
// the line break before the next delimiter line (nextClient), or to the
// end of the data but for a last line break. Where go-message would end
// the body at another line, or at the same line but then read it as no
// delimiter line, the line is noted (s.odd).
func (s *splitter) skipBodyClient() {
	start := s.at
	for p := start; ; {
		// p is where a line starts that begins with "--" boundary, or
		// the body's start.
		if bytes.HasPrefix(s.data[p:], s.dash) {
			line := s.data[p:]
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i+1]
			}
			kind := s.clientKind(line)
			ends := s.strictEnds(p, start)
			if ends != (kind != notDelimiter) || ends && s.strictKind(line, false) != kind {
				s.noteOdd(line)
			}
			if kind != notDelimiter {
				// The line break before the delimiter line is the
				// delimiter's, not the body's: a CR before its LF only
				// when the line break is CRLF, as go-message reads it.
				end := p
				if end > start && s.data[end-1] == '\n' {
					end--
					if end > start && s.data[end-1] == '\r' && len(s.nl) == 2 {
						end--
					}
				}
				s.at = end
				return
			}
		}
		i := linescan.Index(s.data, p, s.lfDash)
		if i < 0 {
			// The part runs to the end of the data, but for a last line
			// break: the one a delimiter line would have followed, as
			// go-message reads such a part.
			s.at = len(s.data)
			if bytes.HasSuffix(s.data[start:], s.nl) {
				s.at -= len(s.nl)
			}
			return
		}
		p = i + 1
	}
}

// clientKind is the kind of line (with its line ending) as a mail client
// reads it (nextClient).
func (s *splitter) clientKind(line []byte) int {
	rest, ok := bytes.CutPrefix(line, s.dash)
	if !ok {
		return notDelimiter
	}
	kind := openDelimiter
	if r, ok := bytes.CutPrefix(rest, []byte("--")); ok {
		rest, kind = r, closeDelimiter
	}
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return notDelimiter
	}
	return kind
}

// strictKind is the kind of line (with its line ending) as go-message
// reads it: first is set for a line before the first part, where a
// delimiter line ending in LF makes LF the line break (isDelimiter).
func (s *splitter) strictKind(line []byte, first bool) int {
	switch {
	case first && s.isDelimiter(line), !first && s.isDelimiterLine(line):
		return openDelimiter
	case s.isClose(line):
		return closeDelimiter
	}
	return notDelimiter
}

// strictEnds reports whether go-message ends the body that starts at start
// before the line at p, which starts with "--" boundary: at the body's
// start, or after its line break (s.nl), when white space, "-", a line
// break or the end of the data follows the boundary.
func (s *splitter) strictEnds(p, start int) bool {
	if p != start && (p-start < len(s.nl) || !bytes.Equal(s.data[p-len(s.nl):p], s.nl)) {
		return false
	}
	after := p + len(s.dash)
	return after == len(s.data) || endsDelimiter(s.data[after])
}

// noteOdd keeps the first line the two readings split at differently,
// without its line ending and at most 80 bytes of it, for the evidence. A
// last line without a line break is not one: the message was cut short
// there, and neither reading ends its part otherwise.
func (s *splitter) noteOdd(line []byte) {
	if s.odd == nil && bytes.HasSuffix(line, []byte("\n")) {
		line = bytes.TrimRight(line, "\r\n")
		s.odd = bytes.Clone(line[:min(len(line), 80)])
	}
}

// bareCR returns the first line (up to its LF, at most 80 bytes) where a
// lone CR ends a line just before "--" boundary, or ends a line that is
// "--" boundary, "--" and white space: mail clients that end a line at a
// lone CR as at LF or CRLF (Thunderbird, Python's email package) find a
// delimiter line there, which go-message and nextClient, reading lines
// up to LF, do not. RFC 5322 allows no lone CR, but DKIM signs it as any
// other byte, so a forger's copy can carry a part only such clients show
// (in the preamble, say, which no view holds).
func (s *splitter) bareCR() []byte {
	for from := 0; ; {
		i := bytes.Index(s.data[from:], s.dash)
		if i < 0 {
			return nil
		}
		i += from
		from = i + 1
		afterCR := i > 0 && s.data[i-1] == '\r'
		if !afterCR && i > 0 && s.data[i-1] != '\n' {
			continue // not at the start of a line, for any reader
		}
		rest := s.data[i+len(s.dash):]
		rest = bytes.TrimLeft(bytes.TrimPrefix(rest, []byte("--")), " \t")
		endsCR := len(rest) >= 2 && rest[0] == '\r' && rest[1] != '\n'
		if !endsCR && !(afterCR && len(rest) > 0 && (rest[0] == '\r' || rest[0] == '\n')) {
			continue
		}
		start := bytes.LastIndexByte(s.data[:i], '\n') + 1
		line := s.data[start:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = bytes.TrimSuffix(line[:j], []byte("\r"))
		}
		return bytes.Clone(line[:min(len(line), 80)])
	}
}
