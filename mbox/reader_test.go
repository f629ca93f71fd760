package mbox

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// got is what a test expects of one message.
type got struct {
	Offset    int64
	Separator string
	Body      string
	Format    Format
	Notes     int // number of notes
	Conflict  bool
	BOM       bool
}

// readAll reads every message of in, checking the invariants every reading
// must keep, and returns them with the final error.
func readAll(t *testing.T, in string, opts *Options) ([]got, error) {
	t.Helper()
	rd := NewReader(strings.NewReader(in), opts)
	var out []got
	for {
		m, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, err := io.ReadAll(m.Body)
		if err != nil {
			return out, err
		}
		require.Equal(t, int64(len(b)), m.Size, "message %d: Size equals the bytes Body yielded", m.Index)
		require.Equal(t, in[m.Offset:m.Offset+m.Size], string(b), "message %d: Body is the input at Offset", m.Index)
		before := in[:m.Offset]
		assert.True(t, strings.HasSuffix(before, m.Separator+"\n") || strings.HasSuffix(before, m.Separator+"\r\n"),
			"message %d: the separator line %q ends right before Offset", m.Index, m.Separator)
		out = append(out, got{m.Offset, m.Separator, string(b), m.Format, len(m.Notes), m.ContentLengthConflict != "", m.BOM})
	}
}

const sep1 = "From alice@example.com Mon Jan  1 00:00:00 2018"
const sep2 = "From 1234567890123456789@xxx Mon Jan 01 00:00:00 +0000 2018"

func TestReader(t *testing.T) {
	msg1 := "From: alice@example.com\nSubject: one\n\nhello\n\n"
	msg2 := "From: bob@example.com\nSubject: two\n\nbye\n"
	for _, tt := range []struct {
		name string
		in   string
		opts *Options
		want []got
	}{
		{"two messages", sep1 + "\n" + msg1 + sep2 + "\n" + msg2, nil, []got{
			{int64(len(sep1) + 1), sep1, msg1, FormatMbox, 0, false, false},
			{int64(len(sep1) + 1 + len(msg1) + len(sep2) + 1), sep2, msg2, FormatMbox, 0, false, false},
		}},
		{"empty input", "", nil, nil},
		{"leading blank lines", "\n\r\n" + sep1 + "\n" + msg2, nil, []got{{int64(3 + len(sep1) + 1), sep1, msg2, FormatMbox, 0, false, false}}},
		{"from line in body without blank line", sep1 + "\nSubject: x\n\nhi\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nmore\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nhi\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nmore\n", FormatMbox, 1, false, false}}},
		{"implausible from line after blank line", sep1 + "\nSubject: x\n\nFrom the Jan 2018 meeting at 10:30\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nFrom the Jan 2018 meeting at 10:30\n", FormatMbox, 0, false, false}}},
		{"mboxrd escaping seen", sep1 + "\nSubject: x\n\n>>From here\n\n" + sep1 + "\nSubject: y\n\n>From there\n", nil, []got{
			{int64(len(sep1) + 1), sep1, "Subject: x\n\n>>From here\n\n", FormatMboxrd, 0, false, false},
			{int64(len(sep1)+1+len("Subject: x\n\n>>From here\n\n")+len(sep1)) + 1, sep1, "Subject: y\n\n>From there\n", FormatMboxrd, 0, false, false},
		}},
		{"named variant", sep1 + "\n" + msg2, &Options{Format: FormatMboxo}, []got{{int64(len(sep1) + 1), sep1, msg2, FormatMboxo, 0, false, false}}},
		{"crlf", sep1 + "\r\nSubject: x\r\n\r\nhi\r\n\r\n" + sep2 + "\r\nSubject: y\r\n\r\nbye\r\n", nil, []got{
			{int64(len(sep1) + 2), sep1, "Subject: x\r\n\r\nhi\r\n\r\n", FormatMbox, 0, false, false},
			{int64(len(sep1)+2+20+len(sep2)) + 2, sep2, "Subject: y\r\n\r\nbye\r\n", FormatMbox, 0, false, false},
		}},
		{"separator after a line that is not empty, a header after it", sep1 + "\n" + "Subject: x\n\nno final newline\n" + sep2 + "\n" + msg2, nil, []got{
			{int64(len(sep1) + 1), sep1, "Subject: x\n\nno final newline\n", FormatMbox, 0, false, false},
			{int64(len(sep1) + 1 + 29 + len(sep2) + 1), sep2, msg2, FormatMbox, 0, false, false},
		}},
		{"separator after a line that is not empty, mboxcl2 named", sep1 + "\n" + "Subject: x\n\nhi\n" + sep2 + "\n" + msg2, &Options{Format: FormatMboxcl2},
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nhi\n" + sep2 + "\n" + msg2, FormatMboxcl2, 1, false, false}}},
		{"byte-order mark at the start of the file", UTF8BOM + sep1 + "\n" + msg2, nil,
			[]got{{int64(3 + len(sep1) + 1), sep1, msg2, FormatMbox, 0, false, true}}},
		{"byte-order mark and blank lines at the start of the file", UTF8BOM + "\r\n" + sep1 + "\r\n" + msg2, nil,
			[]got{{int64(3 + 2 + len(sep1) + 2), sep1, msg2, FormatMbox, 0, false, true}}},
		{"byte-order mark after the separator line stays in the message", sep1 + "\n" + UTF8BOM + msg2, nil,
			[]got{{int64(len(sep1) + 1), sep1, UTF8BOM + msg2, FormatMbox, 0, false, false}}},
		{"a file with a byte-order mark appended", sep1 + "\n" + msg1 + UTF8BOM + sep2 + "\n" + msg2, nil, []got{
			{int64(len(sep1) + 1), sep1, msg1, FormatMbox, 0, false, false},
			{int64(len(sep1) + 1 + len(msg1) + 3 + len(sep2) + 1), sep2, msg2, FormatMbox, 0, false, true},
		}},
		{"byte-order mark before a body line", sep1 + "\n" + msg1 + UTF8BOM + "From the desk\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, msg1 + UTF8BOM + "From the desk\n", FormatMbox, 0, false, false}}},
		{"separator-like line in a body, text after it", sep1 + "\nSubject: x\n\nquoted:\n" + sep2 + "\nnot a header\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nquoted:\n" + sep2 + "\nnot a header\n", FormatMbox, 1, false, false}}},
		{"truncated mid-line", sep1 + "\nSubject: x\n\nhal", nil, []got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nhal", FormatMbox, 1, false, false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := readAll(t, tt.in, tt.opts)
			require.NoError(t, err, "reading %q", tt.in)
			assert.Equal(t, tt.want, out, "messages of %q", tt.in)
		})
	}
}

func TestReaderNoSeparator(t *testing.T) {
	rd := NewReader(strings.NewReader("Subject: not an mbox\n\nhi\n"), nil)
	m, err := rd.Next()
	assert.Nil(t, m, "Next on a non-mbox input returns no message")
	require.ErrorIs(t, err, ErrNoSeparator, "Next on a non-mbox input")
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "the error is a *ParseError: %v", err)
	assert.Equal(t, int64(0), pe.Offset, "ParseError.Offset")
	_, err2 := rd.Next()
	assert.Equal(t, err, err2, "the error is sticky")
}

// failingReader yields data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReaderIOErrorIsSticky(t *testing.T) {
	boom := errors.New("disk on fire")
	rd := NewReader(&failingReader{data: []byte(sep1 + "\nSubject: x\n\nbody\n"), err: boom}, nil)
	m, err := rd.Next()
	require.NoError(t, err, "the first message starts before the failure")
	b, err := io.ReadAll(m.Body)
	require.ErrorIs(t, err, boom, "reading the body reports the I/O error")
	assert.Equal(t, "Subject: x\n\nbody\n", string(b), "the bytes before the error are delivered")
	assert.Contains(t, err.Error(), "offset "+strconv.Itoa(len(sep1)+1+len("Subject: x\n\nbody\n")), "the error names the offset where reading failed")
	_, err = rd.Next()
	require.ErrorIs(t, err, boom, "Next reports the sticky I/O error")
	_, err = rd.Next()
	require.ErrorIs(t, err, boom, "Next still reports the sticky I/O error")
}

func TestReaderSkipsUnread(t *testing.T) {
	in := sep1 + "\n" + strings.Repeat("x", 200000) + "\n\n" + sep2 + "\nSubject: 2\n\nb\n"
	rd := NewReader(strings.NewReader(in), &Options{BufferSize: 1})
	var idx []int
	var sizes []int64
	var first *Message
	for m, err := range rd.All() {
		require.NoError(t, err, "All")
		if first == nil {
			first = m
		}
		idx = append(idx, m.Index)
		sizes = append(sizes, m.Size)
	}
	assert.Equal(t, []int{1, 2}, idx, "indexes of messages left unread")
	assert.Equal(t, int64(200002), first.Size, "Size of a skipped message is complete once the reader moved on")
	n, err := first.Body.Read(make([]byte, 10))
	assert.Equal(t, 0, n, "a stale Body yields nothing")
	assert.Equal(t, io.EOF, err, "a stale Body reports io.EOF")
}

// TestReaderTextModeCopy: a CRLF mbox copied in text mode ends every line
// in CR CR LF; its blank lines and separators still split it, whatever
// the read sizes.
func TestReaderTextModeCopy(t *testing.T) {
	crlf := "From a@example.com Tue Mar  1 10:00:00 2016\r\nFrom: a@example.com\r\nSubject: one\r\n\r\nhi\r\n\r\n" +
		"From b@example.com Tue Mar  1 11:00:00 2016\r\nFrom: b@example.com\r\nSubject: two\r\n\r\nyo\r\n"
	doubled := strings.ReplaceAll(crlf, "\r\n", "\r\r\n")
	for _, chunk := range []int{1, 2, 3, 7, 4096} {
		rd := NewReader(&chunkReader{in: []byte(doubled), n: chunk}, nil)
		var subjects []string
		for m, err := range rd.All() {
			require.NoError(t, err, "reading in chunks of %d", chunk)
			body, err := io.ReadAll(m.Body)
			require.NoError(t, err, "message %d", m.Index)
			subjects = append(subjects, string(body[strings.Index(string(body), "Subject: ")+9:][:3]))
		}
		assert.Equal(t, []string{"one", "two"}, subjects, "two messages in chunks of %d", chunk)
	}
}

func TestReaderLines(t *testing.T) {
	const crlfMsg = "Subject: a\r\n\r\nbody\r\n"
	for _, tt := range []struct {
		name, in string
		want     []Lines
	}{
		{"LF file", sep1 + "\nSubject: a\n\nbody\n\n" + sep2 + "\nSubject: b\n\nbody\n",
			[]Lines{{Trailer: 1, BareLF: true}, {BareLF: true}}},
		{"CRLF messages, LF blank lines", sep1 + "\n" + crlfMsg + "\n" + sep2 + "\n" + crlfMsg + "\n",
			[]Lines{{Trailer: 1}, {Trailer: 1}}},
		{"CRLF file", sep1 + "\r\n" + crlfMsg + "\r\n" + sep2 + "\r\n" + crlfMsg,
			[]Lines{{Trailer: 2}, {}}},
		{"text-mode copy of a CRLF file", sep1 + "\r\r\nSubject: a\r\r\n\r\r\nx\r\r\n\r\r\n" + sep2 + "\r\r\nSubject: b\r\r\n",
			[]Lines{{Trailer: 3}, {}}},
		{"one bare LF inside a CRLF message", sep1 + "\nSubject: a\r\n\r\nx\ny\r\n\n" + sep2 + "\n" + crlfMsg,
			[]Lines{{Trailer: 1, BareLF: true}, {}}},
		{"escaped lines", sep1 + "\nSubject: a\n\n>From x\n\n" + sep2 + "\nSubject: b\n\n>>From y\n>not from\n",
			[]Lines{{Trailer: 1, BareLF: true, Escaped: true}, {BareLF: true, Escaped: true}}},
		{"quoted lines only", sep1 + "\nSubject: a\n\n> From x\n>From: y\n",
			[]Lines{{BareLF: true}}},
		{"no line ending at the end", sep1 + "\r\nSubject: a\r\n\r\nx", []Lines{{}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range []*Options{nil, {MaxLineLength: 4}} { // fast path, and line by line
				rd := NewReader(strings.NewReader(tt.in), opts)
				var lines []Lines
				for m, err := range rd.All() {
					require.NoError(t, err, "reading %q", tt.in)
					_, err = io.Copy(io.Discard, m.Body)
					require.NoError(t, err, "reading the body of message %d", m.Index)
					lines = append(lines, m.Lines)
				}
				assert.Equal(t, tt.want, lines, "Lines of each message of %q (MaxLineLength %d)", tt.in, opts.maxLineLength())
			}
		})
	}
}

func TestMessageBytes(t *testing.T) {
	// Messages of many sizes, one larger than a chunk, read with the
	// smallest buffer so that many straddle two chunks.
	var in strings.Builder
	var want []string
	for i := range 200 {
		size := (i * 7919) % 40000
		if i == 150 {
			size = 700 << 10
		}
		body := "Subject: " + strconv.Itoa(i) + "\n\n" + strings.Repeat("line of text\n", size/13) + "\n"
		in.WriteString(sep1 + "\n" + body)
		want = append(want, body)
	}
	rd := NewReader(strings.NewReader(in.String()), &Options{BufferSize: 64 << 10})
	var got [][]byte
	for m, err := range rd.All() {
		require.NoError(t, err, "reading message %d", len(got)+1)
		b, err := m.Bytes(1 << 30)
		require.NoError(t, err, "Bytes of message %d", m.Index)
		assert.Equal(t, int64(len(b)), m.Size, "message %d: Size is the length Bytes returned", m.Index)
		assert.Equal(t, len(b), cap(b), "message %d: the slice's capacity is its length", m.Index)
		got = append(got, b)
	}
	require.Len(t, got, len(want), "messages read")
	assert.Equal(t, chunkFactor*(64<<10), len(rd.buf), "after the large message, the Reader is back to chunks of the usual size")
	for i := range want {
		// Checked only now: a later message must not have been read over
		// an earlier one's bytes.
		require.Equal(t, want[i], string(got[i]), "message %d: Bytes after the whole file was read", i+1)
	}

	t.Run("limit", func(t *testing.T) {
		rd := NewReader(strings.NewReader(sep1+"\nSubject: a\n\nbody\n\n"+sep2+"\nSubject: b\n"), nil)
		m, err := rd.Next()
		require.NoError(t, err, "Next")
		b, err := m.Bytes(5)
		require.NoError(t, err, "Bytes(5)")
		assert.Equal(t, "Subje", string(b), "Bytes(5) returns the first 5 bytes")
		rest, err := io.ReadAll(m.Body)
		require.NoError(t, err, "reading Body after Bytes")
		assert.Equal(t, "ct: a\n\nbody\n\n", string(rest), "Body yields what Bytes left")
		m2, err := rd.Next()
		require.NoError(t, err, "Next")
		_, err = m.Bytes(10)
		require.NoError(t, err, "Bytes of a message the Reader moved past")
		b, err = m2.Bytes(100)
		require.NoError(t, err, "Bytes of the last message")
		assert.Equal(t, "Subject: b\n", string(b), "the last message")
	})
}

// TestMessageRelease: messages released by another goroutine (as a
// verifier's workers do) give their buffers back for later messages, and
// the messages still held are never written over.
func TestMessageRelease(t *testing.T) {
	in := mixedMbox(24<<20, "\n")
	type held struct {
		m     *Message
		b     []byte
		start int64
	}
	release := make(chan *Message, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range release {
			m.Release()
			m.Release() // a second call does nothing
		}
	}()
	var kept []held
	rd := NewReader(bytes.NewReader(in), nil)
	for m, err := range rd.All() {
		require.NoError(t, err, "reading message %d", len(kept)+1)
		b, err := m.Bytes(1 << 30)
		require.NoError(t, err, "Bytes of message %d", m.Index)
		require.Equal(t, string(in[m.Offset:m.Offset+m.Size]), string(b), "message %d: Bytes is the input at Offset", m.Index)
		if m.Index%7 == 0 {
			kept = append(kept, held{m, b, m.Offset})
		} else {
			release <- m
		}
	}
	close(release)
	<-done
	require.NotEmpty(t, kept, "messages kept")
	for _, h := range kept {
		require.Equal(t, string(in[h.start:h.start+int64(len(h.b))]), string(h.b), "message %d, kept while others were released", h.m.Index)
		h.m.Release()
	}
}
