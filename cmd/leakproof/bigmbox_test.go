package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The memory measurement of README.md uses a large mbox made of copies of
// testdata/sample.mbox:
//
//	go test ./cmd/leakproof -run TestWriteBigMbox -bigmbox=/tmp/big.mbox
var (
	bigMbox     = flag.String("bigmbox", "", "write a large mbox of testdata/sample.mbox copies to this path (TestWriteBigMbox)")
	bigMboxSize = flag.Int64("bigmbox-size", 1<<30, "size in bytes of the -bigmbox file")
)

// writeBigMbox writes copies of the mbox sample to w until at least size
// bytes are written, and returns how many copies it wrote. Each copy starts
// on its separator line after a blank line, so the copies read as one mbox.
func writeBigMbox(w io.Writer, sample []byte, size int64) (int, error) {
	if !bytes.HasPrefix(sample, []byte("From ")) {
		return 0, fmt.Errorf("the sample does not start with a From separator")
	}
	copyOf := sample
	if !bytes.HasSuffix(copyOf, []byte("\n\n")) {
		// A blank line before the next separator; DKIM ignores trailing
		// blank lines of a body, so no signature changes.
		copyOf = append(bytes.TrimRight(bytes.Clone(sample), "\n"), '\n', '\n')
	}
	var n int64
	copies := 0
	for n < size {
		m, err := w.Write(copyOf)
		n += int64(m)
		if err != nil {
			return copies, err
		}
		copies++
	}
	return copies, nil
}

func TestWriteBigMboxSmall(t *testing.T) {
	sample := []byte("From a@example.com Thu Mar  3 12:00:00 2016\nFrom: a@example.com\n\nhello\n")
	var b bytes.Buffer
	copies, err := writeBigMbox(&b, sample, 1000)
	require.NoError(t, err, "writeBigMbox")
	assert.GreaterOrEqual(t, b.Len(), 1000, "at least the size asked for")
	assert.Less(t, b.Len(), 1000+len(sample)+1, "at most one copy more than needed")
	assert.Equal(t, copies, bytes.Count(b.Bytes(), []byte("\n\nFrom a@example.com"))+1, "every copy starts on a separator after a blank line")

	_, err = writeBigMbox(&b, []byte("not an mbox"), 10)
	assert.Error(t, err, "a sample that is not an mbox is refused")
}

func TestWriteBigMbox(t *testing.T) {
	if *bigMbox == "" {
		t.Skip("set -bigmbox=PATH to write the large mbox of the memory measurement (README.md)")
	}
	inRoot(t)
	sample, err := os.ReadFile("testdata/sample.mbox")
	require.NoError(t, err, "reading the sample")
	f, err := os.Create(*bigMbox)
	require.NoError(t, err, "creating %s", *bigMbox)
	bw := bufio.NewWriterSize(f, 1<<20)
	copies, err := writeBigMbox(bw, sample, *bigMboxSize)
	require.NoError(t, err, "writing %s", *bigMbox)
	require.NoError(t, bw.Flush(), "flushing %s", *bigMbox)
	require.NoError(t, f.Close(), "closing %s", *bigMbox)
	t.Logf("wrote %d copies of testdata/sample.mbox to %s", copies, *bigMbox)
}
