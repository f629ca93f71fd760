package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The memory measurement of a message with a large attachment uses an mbox
// written by
//
//	go test ./cmd/leakproof -run TestWriteAttachmentMbox -attachmbox=/tmp/att.mbox -attachmbox-count=40
var (
	attachMbox      = flag.String("attachmbox", "", "write an mbox of signed messages with one large attachment each to this path (TestWriteAttachmentMbox)")
	attachMboxCount = flag.Int("attachmbox-count", 1, "messages in the -attachmbox file")
	attachMboxSize  = flag.Int("attachmbox-size", attachDataSize, "decoded bytes of each -attachmbox attachment")
)

// attachDataSize is the decoded size of the large attachment: 66 MiB,
// which base64 with CRLF line breaks makes about 90 MiB of message, under
// the 100 MiB default cap on a message.
const attachDataSize = 66 << 20

// attachRSSBound bounds verify's peak RSS over several such messages: the
// 512 MiB every hostile input must finish within. The attachment walk
// holds two 32 KB buffers whatever the attachment's size; the mbox reader
// passes a message over 1 MiB through its 1 MiB window and leaves it in
// the file (archive.Options.DeferLarge) until the checker is ready for
// it, then reads it in one piece into a buffer reused from the message
// before; the CRLF copy of an LF-stored message reuses its buffer too. So
// what scales with the message is two copies of one message, and the
// garbage collector's headroom over them, whatever the number of such
// messages: about 380 MB for forty 90 MB messages.
const attachRSSBound = 512 << 20

// attachmentMessage renders message i of an attachment mbox: a signed
// multipart/mixed message with a short text and one attachment of size
// pseudo-random bytes, LF line endings as an mbox stores them.
func attachmentMessage(i, size int) []byte {
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)})
	_, _ = r.Read(data)
	msg := testmail.Message{
		Subject:     fmt.Sprintf("Scan %d", i+1),
		Body:        fmt.Sprintf("Hi Bob,\n\nThe scan you asked for is attached (%d of the set).\n\nAlice\n", i+1),
		Attachments: []testmail.Attachment{{Name: fmt.Sprintf("scan-%03d.bin", i+1), Data: data}},
	}.Bytes()
	return testmail.LF(testmail.MustSign(msg, testmail.MustKey("rsa2048"), nil))
}

// writeAttachmentMbox writes an mbox of n messages from attachmentMessage,
// each after its separator line and followed by a blank line.
func writeAttachmentMbox(w io.Writer, n, size int) error {
	for i := range n {
		if _, err := io.WriteString(w, "From alice@example.com Tue Mar  1 10:00:00 2016\n"); err != nil {
			return err
		}
		if _, err := w.Write(attachmentMessage(i, size)); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	return nil
}

// createAttachmentMbox writes writeAttachmentMbox's mbox to path.
func createAttachmentMbox(path string, n, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := writeAttachmentMbox(bw, n, size); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestWriteAttachmentMbox(t *testing.T) {
	if *attachMbox == "" {
		t.Skip("set -attachmbox=PATH to write the mbox of the large-attachment memory measurement")
	}
	require.NoError(t, createAttachmentMbox(*attachMbox, *attachMboxCount, *attachMboxSize), "writing %s", *attachMbox)
	st, err := os.Stat(*attachMbox)
	require.NoError(t, err, "stat %s", *attachMbox)
	t.Logf("wrote %d messages, %d bytes, to %s", *attachMboxCount, st.Size(), *attachMbox)
}

// Three messages with a 66 MiB attachment each, about 90 MiB each stored
// in an mbox with LF line endings. Bound: the verify process's peak RSS
// (two workers, the archive pass on) stays under attachRSSBound: the
// messages are not held side by side; each attachment is listed with the
// SHA-256 of its decoded bytes.
func TestVerifyLargeAttachmentMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and verifies a 90 MB message")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the peak RSS of a process")
	}
	bin := leakproofBinary(t)
	dir := t.TempDir()
	mbox := filepath.Join(dir, "att.mbox")
	const count = 3
	require.NoError(t, createAttachmentMbox(mbox, count, attachDataSize), "writing the mbox")
	st, err := os.Stat(mbox)
	require.NoError(t, err, "stat")
	keys := writeKeyFile(t, dir, "keys.jsonl")

	var out bytes.Buffer
	cmd := exec.Command(bin, "verify", "--workers", "2", "--format", "json", "--keys", keys, mbox)
	cmd.Stdout = &out
	require.NoError(t, cmd.Start(), "starting verify")
	peak := peakRSS(cmd)
	t.Logf("%d messages, stored size %d MB, peak RSS %d MB, bound %d MB", count, st.Size()>>20, peak>>20, attachRSSBound>>20)
	assert.Positive(t, peak, "peak RSS read from /proc")
	assert.Less(t, peak, int64(attachRSSBound), "peak RSS of verify over %d large-attachment messages", count)

	type record struct {
		Verdict  string
		Coverage struct {
			Attachments []struct {
				Name   string `json:"name"`
				SHA256 string `json:"sha256"`
			} `json:"attachments"`
		} `json:"coverage"`
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	require.Len(t, lines, count, "records")
	data := make([]byte, attachDataSize)
	for i, line := range lines {
		var rec record
		require.NoError(t, json.Unmarshal(line, &rec), "JSON record %d %.300q", i+1, line)
		assert.Equal(t, "authentic", rec.Verdict, "verdict of message %d", i+1)
		_, _ = rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)}).Read(data)
		require.Len(t, rec.Coverage.Attachments, 1, "attachments of message %d", i+1)
		assert.Equal(t, fmt.Sprintf("scan-%03d.bin", i+1), rec.Coverage.Attachments[0].Name, "attachment name of message %d", i+1)
		assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256(data)), rec.Coverage.Attachments[0].SHA256, "attachment SHA-256 of message %d", i+1)
	}
}

// peakRSS waits for the started cmd and returns its peak RSS in bytes, the
// last VmHWM read from /proc while it ran (every 2 ms; the high-water mark
// only grows). The rusage wait4 reports cannot serve: a child started by
// vfork, as Go starts them, carries its parent's high-water mark over
// exec.
func peakRSS(cmd *exec.Cmd) int64 {
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return peak
		case <-tick.C:
			b, err := os.ReadFile(status)
			if err != nil {
				continue
			}
			for line := range strings.SplitSeq(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
						peak = max(peak, kb<<10)
					}
				}
			}
		}
	}
}
