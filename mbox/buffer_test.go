package mbox

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	const size int64 = 2 << 30
	in := io.MultiReader(strings.NewReader(sep1+"\nSubject: big\n\n"), &zeros{size})
	rd := NewReader(in, nil)
	m, err := rd.Next()
	require.NoError(t, err, "Next on a message with a 2 GB line")
	n, err := io.Copy(io.Discard, m.Body)
	require.NoError(t, err, "streaming a 2 GB line")
	assert.Equal(t, size+int64(len("Subject: big\n\n")), n, "bytes of the 2 GB message")
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
