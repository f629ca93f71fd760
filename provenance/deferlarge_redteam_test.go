package provenance_test

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redteamKeys publishes the committed test keys the messages are signed
// with.
func redteamKeys() dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, name := range []string{"rsa1024", "rsa2048", "ed25519"} {
		k := testmail.MustKey(name)
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "testkeys"})
	}
	return dkim.NewKeyFile(recs)
}

// redteamMessage is message i of the test mbox, stored bytes with LF line
// endings, unescaped: each with its own sender, subject, attachment name
// and text, so that a byte of one found in another's record shows.
func redteamMessage(t *testing.T, i int) []byte {
	t.Helper()
	key := []string{"rsa1024", "ed25519"}[i%2]
	line := fmt.Sprintf("Paragraph %02d of the report, with its own words: %s.\n", i, strings.Repeat(string(rune('a'+i%26)), 20))
	body := strings.Repeat(line, 20+(i*37)%120)
	if i%3 == 0 {
		body += "From the desk of the editor, a line mbox must escape.\n>From one already quoted.\n"
	}
	msg := testmail.Message{
		From:    fmt.Sprintf("Sender %02d <sender%02d@example.com>", i, i),
		Subject: fmt.Sprintf("Report number %02d =?utf-8?q?caf=C3=A9_%02d?=", i, i),
		Body:    body,
	}
	if i%4 == 1 {
		msg.Attachments = []testmail.Attachment{{Name: fmt.Sprintf("ledger-%02d.csv", i), ContentType: "text/csv",
			Data: bytes.Repeat([]byte(fmt.Sprintf("row,%02d,%d\n", i, i*i)), 50+i*10)}}
	}
	raw := msg.Bytes()
	var err error
	if i%5 != 4 { // every fifth is not signed
		raw, err = testmail.Sign(raw, testmail.MustKey(key), nil)
		require.NoError(t, err, "sign message %d", i)
	}
	switch i % 7 {
	case 2: // the body changed after signing
		raw = bytes.Replace(raw, []byte("own words"), []byte("OWN WORDS"), 1)
	case 5: // a From field added above the signed one
		raw = testmail.Prepend(raw, "From", fmt.Sprintf("Mallory %02d <mallory%02d@example.net>", i, i))
	}
	return raw
}

// redteamMbox writes n messages as an mboxrd file with line ending eol,
// a byte-order mark after some separator lines, and no final newline.
func redteamMbox(t *testing.T, n int, eol string) []byte {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		b.WriteString("From sender@example.com Tue Mar  1 10:00:00 2016" + eol)
		if i%6 == 3 {
			b.WriteString("\xef\xbb\xbf")
		}
		for _, l := range strings.SplitAfter(string(testmail.LF(redteamMessage(t, i))), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
				b.WriteString(">")
			}
			if eol == "\r\n" && strings.HasSuffix(l, "\n") {
				l = strings.TrimSuffix(l, "\n") + "\r\n"
			}
			b.WriteString(l)
		}
		if i < n-1 {
			b.WriteString(eol)
		}
	}
	return bytes.TrimRight(b.Bytes(), "\r\n")
}

// runRecords checks every message of path and returns their JSON records,
// encoded only once the run is over (so that an assessment holding a
// slice of a message's reused buffer would show another message's bytes),
// and how many messages the walk deferred.
func runRecords(t *testing.T, path string, aopts *archive.Options, workers int) ([]string, int) {
	t.Helper()
	c := provenance.NewChecker(&provenance.Options{Keys: redteamKeys(), Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Workers: workers, WindowBytes: 24 << 10})
	deferred := 0
	walk := archive.Walk(t.Context(), path, aopts)
	counted := func(yield func(*archive.Message) bool) {
		for m := range walk {
			if m.Deferred() {
				deferred++
			}
			if !yield(m) {
				return
			}
		}
	}
	var held []*provenance.Assessment
	require.NoError(t, c.Run(t.Context(), iter.Seq[*archive.Message](counted), func(a *provenance.Assessment) error {
		held = append(held, a)
		return nil
	}), "Run")
	var out []string
	var buf bytes.Buffer
	w := report.NewJSONWriter(&buf)
	for _, a := range held {
		buf.Reset()
		require.NoError(t, w.Write(a), "encode")
		out = append(out, a.Separator+"\n"+buf.String()) // the separator is not in the JSON record
	}
	return out, deferred
}

// The records of an mbox of signed, altered, unsigned and attachment-
// bearing messages, LF and CRLF, mboxrd-escaped, some with a byte-order
// mark, the last without a final newline, are the same whether large
// messages are deferred or not, at 1, 2 and 4 workers; the assessments
// are encoded only after the run, when every buffer Load and the CRLF
// views reused has held later messages.
func TestRedteamRunDeferLargeRecords(t *testing.T) {
	dir := t.TempDir()
	for _, eol := range []string{"\n", "\r\n"} {
		path := filepath.Join(dir, fmt.Sprintf("m%d.mbox", len(eol)))
		require.NoError(t, os.WriteFile(path, redteamMbox(t, 28, eol), 0o600), "write the mbox")
		want, n := runRecords(t, path, &archive.Options{}, 1)
		require.Zero(t, n, "nothing deferred without DeferLarge")
		require.Len(t, want, 28, "records")
		verdicts := map[string]int{}
		for _, rec := range want {
			for _, v := range []string{"authentic", "altered", "unverifiable"} {
				if strings.Contains(rec, `"verdict":"`+v+`"`) {
					verdicts[v]++
				}
			}
		}
		assert.Len(t, verdicts, 3, "eol %q: the mbox has messages of every verdict: %v", eol, verdicts)
		for _, workers := range []int{1, 2, 4} {
			for _, threshold := range []int64{1, 2 << 10, 6 << 10} {
				got, n := runRecords(t, path, &archive.Options{DeferLarge: threshold, DeferDigest: true}, workers)
				assert.Positive(t, n, "eol %q, threshold %d: messages deferred", eol, threshold)
				require.Len(t, got, len(want), "records")
				for i := range want {
					assert.Equal(t, want[i], got[i], "eol %q, %d workers, threshold %d: record %d", eol, workers, threshold, i+1)
				}
			}
		}
	}
}

// A caller that gathers the walk's messages first and checks them later
// breaks Load's contract (the file is closed): every deferred message
// must then come out as an error record, never as a verdict on no bytes.
func TestRedteamCheckAfterWalk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.mbox")
	require.NoError(t, os.WriteFile(path, redteamMbox(t, 6, "\n"), 0o600), "write the mbox")
	var msgs []*archive.Message
	for m := range archive.Walk(t.Context(), path, &archive.Options{DeferLarge: 1 << 10, DeferDigest: true}) {
		msgs = append(msgs, m)
	}
	c := provenance.NewChecker(&provenance.Options{Keys: redteamKeys()})
	deferred := 0
	for _, m := range msgs {
		was := m.Deferred()
		a := c.Check(t.Context(), m)
		if was {
			deferred++
			assert.Error(t, a.Err, "message %d: checked after the walk", m.Index)
			assert.Equal(t, provenance.VerdictNone, a.Verdict, "message %d: no verdict", m.Index)
		} else {
			assert.NoError(t, a.Err, "message %d: held by the walk", m.Index)
		}
	}
	assert.Positive(t, deferred, "messages deferred")
}

// Messages whose CRLF copy is over the size the checker pools (4 MiB)
// share one buffer per Checker (its large-view buffer) besides the one
// Load reuses: their records, encoded after the run, are those of a run
// that defers nothing, and each names its own sender, subject and
// attachment.
func TestRedteamRunDeferLargeBigViews(t *testing.T) {
	if testing.Short() {
		t.Skip("checks messages of 4 MiB and more")
	}
	var b bytes.Buffer
	for i := range 5 {
		var raw []byte
		if i%2 == 0 {
			raw = redteamMessage(t, i)
		} else {
			line := fmt.Sprintf("Line of message %d, long enough to be told apart from the others.\n", i)
			msg := testmail.Message{
				From:        fmt.Sprintf("Big Sender %d <big%d@example.com>", i, i),
				Subject:     fmt.Sprintf("Big %d", i),
				Body:        strings.Repeat(line, (4<<20+i*100<<10)/len(line)),
				Attachments: []testmail.Attachment{{Name: fmt.Sprintf("big-%d.txt", i), Data: []byte(line)}},
			}.Bytes()
			var err error
			raw, err = testmail.Sign(msg, testmail.MustKey("rsa2048"), nil)
			require.NoError(t, err, "sign")
		}
		b.WriteString("From sender@example.com Tue Mar  1 10:00:00 2016\n")
		b.Write(testmail.LF(raw))
		b.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "big.mbox")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600), "write the mbox")
	want, _ := runRecords(t, path, &archive.Options{}, 1)
	require.Len(t, want, 5, "records")
	for i := 1; i < 5; i += 2 {
		assert.Contains(t, want[i], fmt.Sprintf(`"from":"Big Sender %d <big%d@example.com>"`, i, i), "message %d", i+1)
		assert.Contains(t, want[i], fmt.Sprintf(`"name":"big-%d.txt"`, i), "message %d", i+1)
		assert.Contains(t, want[i], `"verdict":"authentic"`, "message %d", i+1)
	}
	for _, workers := range []int{1, 2} {
		got, n := runRecords(t, path, &archive.Options{DeferLarge: 1 << 20, DeferDigest: true}, workers)
		assert.Equal(t, 2, n, "messages deferred")
		assert.Equal(t, want, got, "%d workers", workers)
	}
}

// A flipReaderAt serves data, but from the second read of the bytes at
// off on (the walk's reading of a deferred message again) serves them
// with one byte changed: a file system that answers two reads of the same
// bytes differently, as a FUSE mount or network share run by an
// adversary can.
type flipReaderAt struct {
	data  []byte
	off   int64
	reads int
}

func (f *flipReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off == f.off {
		f.reads++
	}
	n := copy(p, f.data[min(off, int64(len(f.data))):])
	if f.reads > 0 && off <= f.off+500 && f.off+500 < off+int64(n) {
		p[f.off+500-off] ^= 1
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// A large message whose bytes change between the walk's pass and Load
// gets an error record and no verdict; the messages around it are
// checked as usual.
func TestRedteamRunBytesChangeUnderneath(t *testing.T) {
	data := redteamMbox(t, 6, "\n")
	want, _ := runRecordsReaderAt(t, data, nil, &archive.Options{})
	// The offset of message 4, the first one over 6 KiB.
	var off int64
	for m := range archive.WalkReaderAt(t.Context(), "t.mbox", bytes.NewReader(data), int64(len(data)), nil) {
		if off == 0 && m.Size > 6<<10 {
			off = m.Offset
		}
	}
	require.NotZero(t, off, "a message over 6 KiB")
	for _, dd := range []bool{false, true} {
		got, errs := runRecordsReaderAt(t, data, &flipReaderAt{data: data, off: off}, &archive.Options{DeferLarge: 6 << 10, DeferDigest: dd})
		require.Len(t, got, len(want), "records")
		changed := 0
		for i := range want {
			if errs[i] != nil {
				changed++
				assert.ErrorIs(t, errs[i], archive.ErrChanged, "DeferDigest %v: record %d", dd, i+1)
				assert.Contains(t, got[i], `"verdict":""`, "DeferDigest %v: record %d has no verdict", dd, i+1)
				continue
			}
			assert.Equal(t, want[i], got[i], "DeferDigest %v: record %d", dd, i+1)
		}
		assert.Equal(t, 1, changed, "DeferDigest %v: error records", dd)
	}
}

// runRecordsReaderAt is runRecords over r (data itself when nil) as one
// file, returning each record's error too.
func runRecordsReaderAt(t *testing.T, data []byte, r io.ReaderAt, aopts *archive.Options) ([]string, []error) {
	t.Helper()
	if r == nil {
		r = bytes.NewReader(data)
	}
	c := provenance.NewChecker(&provenance.Options{Keys: redteamKeys(), Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Workers: 2})
	var out []string
	var errs []error
	var buf bytes.Buffer
	w := report.NewJSONWriter(&buf)
	require.NoError(t, c.Run(t.Context(), archive.WalkReaderAt(t.Context(), "t.mbox", r, int64(len(data)), aopts), func(a *provenance.Assessment) error {
		buf.Reset()
		if err := w.Write(a); err != nil {
			return err
		}
		out = append(out, buf.String())
		errs = append(errs, a.Err)
		return nil
	}), "Run")
	return out, errs
}
