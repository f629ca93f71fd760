package mbox

import (
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
		out = append(out, got{m.Offset, m.Separator, string(b), m.Format, len(m.Notes)})
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
			{int64(len(sep1) + 1), sep1, msg1, FormatMbox, 0},
			{int64(len(sep1) + 1 + len(msg1) + len(sep2) + 1), sep2, msg2, FormatMbox, 0},
		}},
		{"empty input", "", nil, nil},
		{"leading blank lines", "\n\r\n" + sep1 + "\n" + msg2, nil, []got{{int64(3 + len(sep1) + 1), sep1, msg2, FormatMbox, 0}}},
		{"from line in body without blank line", sep1 + "\nSubject: x\n\nhi\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nmore\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nhi\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nmore\n", FormatMbox, 1}}},
		{"implausible from line after blank line", sep1 + "\nSubject: x\n\nFrom the Jan 2018 meeting at 10:30\n", nil,
			[]got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nFrom the Jan 2018 meeting at 10:30\n", FormatMbox, 0}}},
		{"mboxrd escaping seen", sep1 + "\nSubject: x\n\n>>From here\n\n" + sep1 + "\nSubject: y\n\n>From there\n", nil, []got{
			{int64(len(sep1) + 1), sep1, "Subject: x\n\n>>From here\n\n", FormatMboxrd, 0},
			{int64(len(sep1)+1+len("Subject: x\n\n>>From here\n\n")+len(sep1)) + 1, sep1, "Subject: y\n\n>From there\n", FormatMboxrd, 0},
		}},
		{"named variant", sep1 + "\n" + msg2, &Options{Format: FormatMboxo}, []got{{int64(len(sep1) + 1), sep1, msg2, FormatMboxo, 0}}},
		{"crlf", sep1 + "\r\nSubject: x\r\n\r\nhi\r\n\r\n" + sep2 + "\r\nSubject: y\r\n\r\nbye\r\n", nil, []got{
			{int64(len(sep1) + 2), sep1, "Subject: x\r\n\r\nhi\r\n\r\n", FormatMbox, 0},
			{int64(len(sep1)+2+20+len(sep2)) + 2, sep2, "Subject: y\r\n\r\nbye\r\n", FormatMbox, 0},
		}},
		{"truncated mid-line", sep1 + "\nSubject: x\n\nhal", nil, []got{{int64(len(sep1) + 1), sep1, "Subject: x\n\nhal", FormatMbox, 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := readAll(t, tt.in, tt.opts)
			require.NoError(t, err, "reading %q", tt.in)
			assert.Equal(t, tt.want, out, "messages of %q", tt.in)
		})
	}
}

func TestReaderContentLength(t *testing.T) {
	// An mboxcl2 body holds an unescaped separator-like line; its
	// Content-Length says where the message really ends.
	body := "line\n\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nstill body\n"
	hdr := "Subject: cl\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n"
	cl2 := sep1 + "\n" + hdr + body + "\n" + sep2 + "\nSubject: next\n\nnext\n"
	escaped := "line\n>From here\n"
	hdrEsc := "Subject: cl\nContent-Length: " + strconv.Itoa(len(escaped)) + "\n\n"
	cl := sep1 + "\n" + hdrEsc + escaped + sep2 + "\nSubject: next\n\nnext\n"
	lying := sep1 + "\nSubject: cl\nContent-Length: 3\n\n" + "0123456789\n\n" + sep2 + "\nSubject: next\n\nnext\n"
	tooShort := sep1 + "\nSubject: cl\nContent-Length: 500\n\nabc\n"
	for _, tt := range []struct {
		name string
		in   string
		want []got
	}{
		{"mboxcl2 with an unescaped From line", cl2, []got{
			{int64(len(sep1) + 1), sep1, hdr + body + "\n", FormatMboxcl2, 0},
			{int64(len(sep1) + 1 + len(hdr) + len(body) + 1 + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"mboxcl with an escaped From line, no blank line before the next", cl, []got{
			{int64(len(sep1) + 1), sep1, hdrEsc + escaped, FormatMboxcl, 0},
			{int64(len(sep1) + 1 + len(hdrEsc) + len(escaped) + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"lying Content-Length", lying, []got{
			{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 3\n\n0123456789\n\n", FormatMbox, 1},
			{int64(len(lying) - len("Subject: next\n\nnext\n")), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"truncated", tooShort, []got{{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 500\n\nabc\n", FormatMbox, 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := readAll(t, tt.in, nil)
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

// zeros yields n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

func TestReaderHugeLineBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2 GB")
	}
	const size = 2 << 30
	in := io.MultiReader(strings.NewReader(sep1+"\nSubject: big\n\n"), &zeros{size})
	rd := NewReader(in, nil)
	m, err := rd.Next()
	require.NoError(t, err, "Next on a message with a 2 GB line")
	n, err := io.Copy(io.Discard, m.Body)
	require.NoError(t, err, "streaming a 2 GB line")
	assert.Equal(t, int64(size+len("Subject: big\n\n")), n, "bytes of the 2 GB message")
	assert.Equal(t, n, m.Size, "Size of the 2 GB message")
	require.Len(t, m.Notes, 2, "notes on a 2 GB line without newline: %q", m.Notes)
	assert.Contains(t, m.Notes[0], "a line longer than", "first note")
	assert.Contains(t, m.Notes[1], "ends in the middle of a line", "second note")
	assert.Equal(t, DefaultBufferSize, len(rd.buf), "the buffer never grew")
	_, err = rd.Next()
	assert.Equal(t, io.EOF, err, "Next after the 2 GB message")
}

func TestReaderNoNewlineAtAll(t *testing.T) {
	in := io.MultiReader(strings.NewReader("From "), &zeros{10 << 20})
	_, err := NewReader(in, nil).Next()
	require.ErrorIs(t, err, ErrNoSeparator, "a 10 MB first line is no separator")
}

func TestReaderSmallReads(t *testing.T) {
	// Reading one byte at a time must give the same messages.
	in := sep1 + "\r\nSubject: x\r\nContent-Length: 4\r\n\r\nab\r\n\r\n" + sep2 + "\r\n>>From y\r\n\r\n" + sep1 + "\r\nz"
	want, err := readAll(t, in, nil)
	require.NoError(t, err, "reading whole")
	rd := NewReader(oneByte{strings.NewReader(in)}, nil)
	var bodies []string
	for m, err := range rd.All() {
		require.NoError(t, err, "All over one-byte reads")
		b, err := io.ReadAll(m.Body)
		require.NoError(t, err, "Body over one-byte reads")
		bodies = append(bodies, string(b))
	}
	require.Len(t, bodies, len(want), "messages over one-byte reads")
	for i := range want {
		assert.Equal(t, want[i].Body, bodies[i], "message %d over one-byte reads", i+1)
	}
}

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
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
