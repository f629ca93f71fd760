package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/mbox"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deferSnap is everything a record says of a message, Raw included, as a
// caller sees it once the message is loaded and digested.
type deferSnap struct {
	File, ID, SHA256, Separator, CL string
	Index, Entry, Entries           int
	Offset, Size                    int64
	Format                          Format
	Notes                           []string
	BOM, Forced                     bool
	Lines                           string
	Err                             string
	Raw                             []byte
}

func snapOf(m *Message) deferSnap {
	s := deferSnap{File: m.File, ID: m.ID, SHA256: m.SHA256, Separator: m.Separator, CL: m.ContentLengthConflict,
		Index: m.Index, Entry: m.Entry, Entries: m.Entries, Offset: m.Offset, Size: m.Size, Format: m.Format,
		Notes: slices.Clone(m.Notes), BOM: m.BOM, Forced: m.Forced, Raw: bytes.Clone(m.Raw)}
	if m.Lines != nil {
		s.Lines = fmt.Sprintf("%+v", *m.Lines)
	}
	if m.Err != nil {
		s.Err = m.Err.Error()
	}
	return s
}

// snapWalk ranges over msgs as provenance.Checker.Run does (Load before
// the next record, Digest, then Release) and returns each record's
// snapshot, and how many messages were deferred.
func snapWalk(t *testing.T, msgs func(func(*Message) bool)) ([]deferSnap, int) {
	t.Helper()
	var out []deferSnap
	deferred := 0
	for m := range msgs {
		if m.Deferred() {
			deferred++
			require.Nil(t, m.Raw, "a deferred message has no Raw before Load")
		}
		_ = m.Load()
		m.Digest()
		out = append(out, snapOf(m))
		m.Release()
		m.Release() // a second Release does nothing
	}
	return out, deferred
}

// sameSnaps fails on the first record that differs, naming the field.
func sameSnaps(t *testing.T, want, got []deferSnap, what string) {
	t.Helper()
	require.Equal(t, len(want), len(got), "%s: records", what)
	for i := range want {
		w, g := want[i], got[i]
		if !bytes.Equal(w.Raw, g.Raw) {
			t.Fatalf("%s: record %d (message %d): Raw differs: %d bytes / %d bytes", what, i, w.Index, len(w.Raw), len(g.Raw))
		}
		w.Raw, g.Raw = nil, nil
		require.Equal(t, w, g, "%s: record %d (message %d)", what, i, w.Index)
	}
}

// bom is the UTF-8 byte-order mark.
const bom = mbox.UTF8BOM

// redteamMboxes are mbox files of every framing and escaping the reader
// knows, each with messages large enough to be deferred at small
// thresholds.
func redteamMboxes(t *testing.T) map[string][]byte {
	t.Helper()
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	escaped := long + "From the start of a line.\n>From an escaped line.\n>>From a doubly escaped one.\n" + long
	crlf := strings.ReplaceAll(mboxOfStr(sepA, "\n", mail("crlf", long), mail("small", "Hi.\n")), "\n", "\r\n")
	files := map[string][]byte{
		"mboxrd.mbox": mboxOf(sepA, "\n", mail("small", "Hi.\n"), mail("escaped", escaped), mail("plain", long)),
		"mboxo.mbox": []byte(sepA + "\n" + string(mail("o", long)) + ">From an escaped line.\n\n" +
			sepA + "\n" + string(mail("o2", "Hi.\n")) + "\n"),
		"crlf.mbox": []byte(crlf),
		// A CRLF file whose writer ended each message's blank line with a
		// bare LF, and one with mixed line endings inside a message.
		"crlf-lf-trailer.mbox": []byte(sepA + "\r\n" + strings.ReplaceAll(string(mail("t", long)), "\n", "\r\n") + "\n" +
			sepA + "\r\n" + strings.ReplaceAll(string(mail("t2", "Hi.\n")), "\n", "\r\n") + "\n"),
		"mixed.mbox": []byte(sepA + "\n" + strings.Replace(string(mail("mixed", long)), "\n", "\r\n", 20) + "\n" +
			sepA + "\n" + string(mail("m2", "Hi.\r\r\nThere.\n")) + "\n"),
		// A byte-order mark before the first separator, and one right
		// after a separator line (in the message's stored bytes).
		"bom-before.mbox": append([]byte(bom), mboxOf(sepA, "\n", mail("b", long), mail("b2", "Hi.\n"))...),
		"bom-after.mbox": []byte(sepA + "\n" + bom + string(mail("b", long)) + "\n" +
			sepA + "\n" + bom + string(mail("b2", "Hi.\n")) + "\n"),
		// No newline at the end of the file.
		"no-final-newline.mbox": bytes.TrimRight(mboxOf(sepA, "\n", mail("a", "Hi.\n"), mail("last", long+"no newline")), "\n"),
		// Content-Length framing, right and wrong.
		"mboxcl2.mbox":  clMbox(t, long, 0),
		"cl-short.mbox": clMbox(t, long, -100),
		"cl-long.mbox":  clMbox(t, long, +100),
		"cl-huge.mbox":  clMbox(t, long, +1<<20),
	}
	// The mbox package's own samples of every variant.
	for _, name := range []string{"bom", "crlf", "java_separators", "lying_content_length", "mboxcl", "mboxcl2",
		"mboxo", "mboxrd", "no_blank_line", "stretched_content_length", "takeout", "truncated"} {
		b, err := os.ReadFile(filepath.Join("..", "mbox", "testdata", name+".mbox"))
		require.NoError(t, err, "read mbox sample %s", name)
		files["sample-"+name+".mbox"] = b
	}
	return files
}

func mboxOfStr(sep, eol string, msgs ...[]byte) string { return string(mboxOf(sep, eol, msgs...)) }

// clMbox returns an mboxcl2 file (unescaped "From " body lines, framed by
// Content-Length) whose large message's count is off by skew.
func clMbox(t *testing.T, long string, skew int) []byte {
	t.Helper()
	body := long + "From an unescaped line in the body.\n\n" + sepA + "\n" + long
	var b bytes.Buffer
	for i, text := range []string{body, "Hi.\n", body} {
		n := len(text)
		if i != 1 {
			n += skew
		}
		b.WriteString(sepA + "\n")
		fmt.Fprintf(&b, "From: a@example.com\nSubject: cl %d\nContent-Length: %d\n\n%s\n", i, n, text)
	}
	return b.Bytes()
}

// sizes returns the Size of every record of data walked whole.
func sizes(t *testing.T, data []byte) []int64 {
	t.Helper()
	var out []int64
	for m := range WalkReaderAt(t.Context(), "f", bytes.NewReader(data), int64(len(data)), nil) {
		out = append(out, m.Size)
	}
	return out
}

// Every record of every mbox is the same with large messages deferred as
// without, Raw included: for every threshold and size cap at, one below
// and one above each message's size (a message exactly at the threshold is
// kept, one byte over is deferred; one exactly at the cap is read, one
// byte over is refused), with the walk digesting or leaving it to the
// caller.
func TestRedteamDeferLargeSameRecords(t *testing.T) {
	dir := t.TempDir()
	for name, data := range redteamMboxes(t) {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600), "write %s", name)
		var marks []int64
		for _, s := range sizes(t, data) {
			marks = append(marks, s-1, s, s+1)
		}
		slices.Sort(marks)
		marks = slices.Compact(marks)
		deferredAny := 0
		check := func(limit, threshold int64, dd bool, want []deferSnap) {
			what := fmt.Sprintf("%s cap %d threshold %d DeferDigest %v", name, limit, threshold, dd)
			got, n := snapWalk(t, Walk(t.Context(), path, &Options{MaxMessageSize: limit, DeferLarge: threshold, DeferDigest: dd}))
			deferredAny += n
			sameSnaps(t, want, got, what)
			large := 0
			for _, s := range want {
				if s.Err == "" && s.Size > threshold && (limit == 0 || threshold < limit) {
					large++
				}
			}
			assert.Equal(t, large, n, "%s: messages deferred", what)
		}
		// Every threshold around every message's size, under the default cap.
		want, _ := snapWalk(t, Walk(t.Context(), path, &Options{}))
		for _, threshold := range marks {
			if threshold > 0 {
				check(0, threshold, threshold%2 == 0, want)
			}
		}
		// Every cap around every message's size, with a low threshold.
		for _, limit := range marks {
			if limit <= 0 {
				continue
			}
			want, _ := snapWalk(t, Walk(t.Context(), path, &Options{MaxMessageSize: limit}))
			for _, threshold := range []int64{1, 64, limit - 1} {
				if threshold > 0 {
					check(limit, threshold, limit%2 == 0, want)
				}
			}
		}
		assert.Positive(t, deferredAny, "%s: some message was deferred", name)
	}
}

// The threshold boundary itself: a message of exactly DeferLarge bytes is
// held, one of DeferLarge+1 bytes is deferred.
func TestRedteamDeferLargeBoundary(t *testing.T) {
	data := mboxOf(sepA, "\n", mail("one", strings.Repeat("x", 500)+"\n"))
	size := sizes(t, data)[0]
	for _, tc := range []struct {
		threshold int64
		deferred  bool
	}{{size - 1, true}, {size, false}, {size + 1, false}} {
		var got []bool
		for m := range WalkReaderAt(t.Context(), "f", bytes.NewReader(data), int64(len(data)), &Options{DeferLarge: tc.threshold}) {
			got = append(got, m.Deferred())
			_ = m.Load()
		}
		assert.Equal(t, []bool{tc.deferred}, got, "threshold %d, message of %d bytes", tc.threshold, size)
	}
}

// Shares of a split mbox, their records put together, give what one walk
// gives, with large messages deferred in each share.
func TestRedteamDeferLargeShares(t *testing.T) {
	dir := t.TempDir()
	for name, data := range redteamMboxes(t) {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600), "write %s", name)
		want, _ := snapWalk(t, Walk(t.Context(), path, &Options{}))
		for _, n := range []int{2, 3, 5} {
			var got []deferSnap
			for i := 1; i <= n; i++ {
				s, _ := snapWalk(t, Walk(t.Context(), path, &Options{DeferLarge: 300, DeferDigest: true,
					Share: &Share{I: i, N: n, SplitAbove: 1}}))
				got = append(got, s...)
			}
			// A split range renumbers its messages from 1 and decides
			// the variant alone: compare what the chain of custody rests
			// on.
			require.Len(t, got, len(want), "%s in %d shares", name, n)
			for i := range want {
				w, g := want[i], got[i]
				assert.Equal(t, w.Offset, g.Offset, "%s in %d shares: record %d Offset", name, n, i)
				assert.Equal(t, w.Size, g.Size, "%s in %d shares: record %d Size", name, n, i)
				assert.Equal(t, w.SHA256, g.SHA256, "%s in %d shares: record %d SHA256", name, n, i)
				assert.Equal(t, w.Raw, g.Raw, "%s in %d shares: record %d Raw", name, n, i)
				assert.Equal(t, w.BOM, g.BOM, "%s in %d shares: record %d BOM", name, n, i)
			}
		}
	}
}

// A gzip holding a large mbox, and a zip (stored or deflated) holding
// one, are read as before: nothing in them is deferred, and the records
// are those of a walk without DeferLarge.
func TestRedteamDeferLargeContainers(t *testing.T) {
	files := redteamMboxes(t)
	mb := files["mboxrd.mbox"]
	dir := t.TempDir()
	writeTree(t, dir, "a.mbox.gz", gz(t, mb), "b.zip", storedZipOf(t, "in.mbox", mb),
		"c.tar", tarOf(t, tarFile{name: "in.mbox", body: mb}))
	for _, name := range []string{"a.mbox.gz", "b.zip", "c.tar"} {
		path := filepath.Join(dir, name)
		want, _ := snapWalk(t, Walk(t.Context(), path, &Options{}))
		got, n := snapWalk(t, Walk(t.Context(), path, &Options{DeferLarge: 64, DeferDigest: true}))
		sameSnaps(t, want, got, name)
		assert.Zero(t, n, "%s: nothing in a container is deferred", name)
		assert.Greater(t, len(want), 1, "%s: records", name)
	}
}

// A caller that gathers every record of a walk first and loads them later
// breaks Load's contract: the file is closed by then. The failure must be
// an error on the message, never silent empty or wrong bytes, and must say
// the bytes could not be read.
func TestRedteamLoadAfterWalk(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", mail("one", long), mail("two", long)), "b.mbox", mboxOf(sepA, "\n", mail("three", long)))
	for _, dd := range []bool{false, true} {
		var msgs []*Message
		for m := range Walk(t.Context(), dir, &Options{DeferLarge: 100, DeferDigest: dd}) {
			msgs = append(msgs, m)
		}
		require.Len(t, msgs, 3, "records")
		for _, m := range msgs {
			require.True(t, m.Deferred(), "message %s#%d deferred", m.File, m.Index)
			err := m.Load()
			require.Error(t, err, "Load after the walk moved on")
			assert.ErrorIs(t, err, os.ErrClosed, "the error says the file was closed")
			assert.NotErrorIs(t, err, ErrChanged, "the file did not change")
			assert.Contains(t, err.Error(), "loaded after the walk moved past it", "the error says what the caller did wrong")
			assert.Contains(t, err.Error(), m.File, "the error names the file")
			m.Digest()
			assert.Equal(t, m.Err, err, "the message carries the error")
			assert.Empty(t, m.Raw, "no bytes")
			if !dd {
				// The walk hashed the bytes when it yielded the message.
				assert.NotEqual(t, custodyDigest(nil), m.SHA256, "the walk's digest of the bytes it saw")
			}
		}
	}
}

// Bytes that change between the walk's pass over a deferred message and
// Load (a file rewritten in place, same size, its modification time put
// back, so that the walk's own check of the file sees nothing) must give
// the message an error wrapping ErrChanged, never a record whose SHA256,
// Size or Lines describe other bytes than its Raw: whether the walk or the
// caller digests it, and for a message over the size cap, whose digest is
// taken from its place.
func TestRedteamLoadRewrittenInPlace(t *testing.T) {
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	data := mboxOf(sepA, "\n", mail("one", long), mail("two", "Hi.\n"))
	for _, tc := range []struct {
		name  string
		opts  Options
		early bool // rewrite before the walk yields the message (a ReaderAt the walk reads through)
	}{
		{"caller digests", Options{DeferLarge: 100, DeferDigest: true}, false},
		{"walk digests", Options{DeferLarge: 100}, false},
		{"walk digests, rewritten during the pass", Options{DeferLarge: 100}, true},
		{"over the cap", Options{DeferLarge: 100, MaxMessageSize: 1000}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a.mbox")
			writeTree(t, dir, "a.mbox", data)
			fi, err := os.Stat(path)
			require.NoError(t, err, "stat")
			rewrite := func() {
				f, err := os.OpenFile(path, os.O_RDWR, 0)
				require.NoError(t, err, "open for writing")
				_, err = f.WriteAt([]byte("KEPT WHOLE"), int64(bytes.Index(data, []byte("kept whole"))))
				require.NoError(t, err, "rewrite")
				require.NoError(t, f.Close(), "close")
				require.NoError(t, os.Chtimes(path, fi.ModTime(), fi.ModTime()), "put the time back")
			}
			var r io.ReaderAt
			if tc.early {
				// The rewrite lands after the reader's pass and before
				// the walk reads the place again.
				f, err := os.Open(path)
				require.NoError(t, err, "open")
				defer f.Close()
				r = &rewriteAfter{ReaderAt: f, rewrite: rewrite}
			}
			walk := Walk(t.Context(), path, &tc.opts)
			if r != nil {
				walk = WalkReaderAt(t.Context(), path, r, int64(len(data)), &tc.opts)
			}
			var changed bool
			for m := range walk {
				if m.Deferred() && !tc.early {
					rewrite()
				}
				_ = m.Load()
				m.Digest()
				if m.Index != 1 {
					continue
				}
				changed = errors.Is(m.Err, ErrChanged)
				if m.Err == nil {
					assert.Equal(t, custodyDigest(m.Raw), m.SHA256, "SHA256 is that of Raw")
					assert.Equal(t, data[m.Offset:m.Offset+m.Size], m.Raw, "Raw is what the walk passed over")
				}
			}
			assert.True(t, changed, "the rewritten message's record wraps ErrChanged")
		})
	}
}

// A rewriteAfter is a ReaderAt that calls rewrite once, before the first
// read that goes back to an offset past 0 it has already read past: the
// walk reading a message's place again after the mbox reader's pass.
type rewriteAfter struct {
	io.ReaderAt
	end     int64
	rewrite func()
}

func (r *rewriteAfter) ReadAt(p []byte, off int64) (int, error) {
	if off > 0 && off < r.end && r.rewrite != nil {
		r.rewrite()
		r.rewrite = nil
	}
	r.end = max(r.end, off+int64(len(p)))
	return r.ReaderAt.ReadAt(p, off)
}

// An mbox file cut short between the walk's pass over a deferred message
// and Load gives that message an error, whether the walk or the caller
// digests it, and the file a record saying it changed.
func TestRedteamFileShrinksBeforeLoad(t *testing.T) {
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	for _, dd := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.mbox")
		writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", mail("one", "Hi.\n"), mail("two", long), mail("three", "Bye.\n")))
		var errs []string
		for m := range Walk(t.Context(), path, &Options{DeferLarge: 100, DeferDigest: dd}) {
			if m.Deferred() {
				require.NoError(t, os.Truncate(path, m.Offset+10), "truncate")
			}
			_ = m.Load()
			m.Digest()
			if m.Err != nil {
				errs = append(errs, fmt.Sprintf("%d %v", m.Index, m.Err))
				if m.Index > 0 && !dd {
					// The walk hashed the message from the file before it
					// was cut: the record's digest is of the whole
					// message, not of the ten bytes left.
					continue
				}
				if m.Index > 0 {
					assert.Equal(t, custodyDigest(m.Raw), m.SHA256, "SHA256 of what was read")
				}
			}
		}
		require.NotEmpty(t, errs, "DeferDigest %v: error records", dd)
		assert.Contains(t, strings.Join(errs, "\n"), "changed while it was read", "DeferDigest %v", dd)
	}
}

// Release and Load in every order a careless caller may call them: twice,
// Load without Release, Release without Load, Release before Load, and
// many messages released from several goroutines at once (run with
// -race). Every loaded Raw keeps the bytes it was loaded with until it is
// released, whatever other messages are loaded meanwhile.
func TestRedteamLoadReleaseOrders(t *testing.T) {
	var msgs [][]byte
	for i := range 12 {
		msgs = append(msgs, mail(fmt.Sprintf("m%d", i), strings.Repeat(fmt.Sprintf("Line %02d of a long report.\n", i), 30+i*7)))
	}
	data := mboxOf(sepA, "\n", msgs...)
	want, _ := snapWalk(t, WalkReaderAt(t.Context(), "f", bytes.NewReader(data), int64(len(data)), nil))
	walk := func() func(func(*Message) bool) {
		return WalkReaderAt(t.Context(), "f", bytes.NewReader(data), int64(len(data)), &Options{DeferLarge: 100, DeferDigest: true})
	}

	t.Run("held", func(t *testing.T) {
		// Load every message, release none until the end: no two share
		// bytes.
		var held []*Message
		for m := range walk() {
			require.NoError(t, m.Load(), "Load")
			require.NoError(t, m.Load(), "a second Load does nothing")
			held = append(held, m)
		}
		for i, m := range held {
			m.Digest()
			assert.Equal(t, want[i].Raw, m.Raw, "message %d", i+1)
			assert.Equal(t, want[i].SHA256, m.SHA256, "message %d", i+1)
		}
		for _, m := range held {
			m.Release()
		}
	})
	t.Run("release-before-load", func(t *testing.T) {
		i := 0
		for m := range walk() {
			deferred := m.Deferred()
			m.Release() // digests from the file; Raw stays unread
			assert.Equal(t, want[i].SHA256, m.SHA256, "message %d digest", i+1)
			assert.Equal(t, deferred, m.Deferred(), "Release does not load")
			require.NoError(t, m.Load(), "Load after Release")
			assert.Equal(t, want[i].Raw, m.Raw, "message %d", i+1)
			m.Release()
			i++
		}
	})
	t.Run("concurrent-release", func(t *testing.T) {
		// Load each message as the walk yields it, hand it to a goroutine
		// that checks its bytes and releases it, as Run's workers do.
		errs := make(chan error, len(want))
		i := 0
		for m := range walk() {
			require.NoError(t, m.Load(), "Load")
			w := want[i]
			go func() {
				m.Digest()
				var err error
				if !bytes.Equal(m.Raw, w.Raw) || m.SHA256 != w.SHA256 {
					err = fmt.Errorf("message %d: bytes or digest differ", w.Index)
				}
				m.Release()
				m.Release()
				errs <- err
			}()
			i++
		}
		for range want {
			assert.NoError(t, <-errs)
		}
	})
	t.Run("reuse", func(t *testing.T) {
		// A buffer handed back by Release serves the next large message;
		// a slice of the released Raw kept by a careless caller then
		// shows the next message's bytes. The message itself never
		// does: its Raw is nil after Release.
		i := 0
		for m := range walk() {
			require.NoError(t, m.Load(), "Load")
			assert.Equal(t, want[i].Raw, m.Raw, "message %d", i+1)
			m.Release()
			assert.Nil(t, m.Raw, "Raw after Release")
			assert.NoError(t, m.Load(), "Load after Release does nothing")
			assert.Nil(t, m.Raw, "Raw after Release and Load")
			i++
		}
	})
}

var _ io.ReaderAt = (*bytes.Reader)(nil)

// FuzzDeferLarge walks arbitrary bytes as one file with and without
// Options.DeferLarge (loading each message before the next, as
// provenance.Checker.Run does) and requires the same records, Raw
// included.
func FuzzDeferLarge(f *testing.F) {
	long := strings.Repeat("A line of a long report, kept whole.\n", 8)
	m1 := mail("one", long+"From the start.\n>From escaped.\n")
	for _, seed := range [][]byte{
		mboxOf(sepA, "\n", m1, mail("two", "Hi.\n"), m1),
		[]byte(strings.ReplaceAll(string(mboxOf(sepT, "\n", m1, m1)), "\n", "\r\n")),
		append([]byte(bom), mboxOf(sepA, "\n", m1)...),
		[]byte(sepA + "\n" + bom + string(m1) + "\n" + sepA + "\nContent-Length: 5\n\nFrom x\n"),
	} {
		f.Add(seed, int64(40), int64(0))
		f.Add(seed, int64(200), int64(300))
	}
	f.Fuzz(func(t *testing.T, data []byte, threshold, limit int64) {
		if Detect(data) != KindMbox {
			return
		}
		threshold = 1 + abs64(threshold)%2048
		limit = abs64(limit) % 4096
		walk := func(opts *Options) []deferSnap {
			var out []deferSnap
			for m := range WalkReaderAt(t.Context(), "f", bytes.NewReader(data), int64(len(data)), opts) {
				_ = m.Load()
				m.Digest()
				out = append(out, snapOf(m))
				m.Release()
			}
			return out
		}
		want := walk(&Options{MaxMessageSize: limit})
		got := walk(&Options{MaxMessageSize: limit, DeferLarge: threshold, DeferDigest: threshold%2 == 0})
		if len(want) != len(got) {
			t.Fatalf("threshold %d cap %d: %d records, want %d", threshold, limit, len(got), len(want))
		}
		for i := range want {
			w, g := want[i], got[i]
			if !bytes.Equal(w.Raw, g.Raw) {
				t.Fatalf("threshold %d cap %d: record %d: Raw differs", threshold, limit, i)
			}
			w.Raw, g.Raw = nil, nil
			if fmt.Sprint(w) != fmt.Sprint(g) {
				t.Fatalf("threshold %d cap %d: record %d:\nwant %+v\ngot  %+v", threshold, limit, i, w, g)
			}
		}
	})
}

func abs64(n int64) int64 {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// A file that grows, or is replaced by renaming another file over its
// path, while the walk is at a deferred message: Load reads the file the
// walk opened, as far as it was when opened, so every message's record is
// that of the bytes the walk framed; a file that grew gets the record
// saying it changed (exit status 1 in the command), one renamed over does
// not change under the walk and gets none, as without DeferLarge.
func TestRedteamFileGrowsOrReplacedBeforeLoad(t *testing.T) {
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	data := mboxOf(sepA, "\n", mail("one", "Hi.\n"), mail("two", long), mail("three", long))
	want, _ := snapWalk(t, WalkReaderAt(t.Context(), "a.mbox", bytes.NewReader(data), int64(len(data)), nil))
	for _, tc := range []struct {
		name    string
		act     func(t *testing.T, path string)
		changed bool
	}{
		{"grows", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err, "open to append")
			_, err = f.Write(mboxOf(sepA, "\n", mail("appended", long)))
			require.NoError(t, err, "append")
			require.NoError(t, f.Close(), "close")
		}, true},
		{"renamed over", func(t *testing.T, path string) {
			other := path + ".new"
			require.NoError(t, os.WriteFile(other, bytes.ReplaceAll(data, []byte("kept whole"), []byte("KEPT WHOLE")), 0o600), "write the other file")
			require.NoError(t, os.Rename(other, path), "rename over")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a.mbox")
			writeTree(t, dir, "a.mbox", data)
			done := false
			var got []deferSnap
			var fileErr error
			for m := range Walk(t.Context(), path, &Options{DeferLarge: 100, DeferDigest: true}) {
				if m.Deferred() && !done {
					tc.act(t, path)
					done = true
				}
				require.NoError(t, m.Load(), "Load of message %d", m.Index)
				m.Digest()
				if m.Index == 0 {
					fileErr = m.Err
					continue
				}
				s := snapOf(m)
				s.File, s.ID = "a.mbox", "" // compared with the walk of the bytes alone
				got = append(got, s)
				m.Release()
			}
			for i := range want {
				want[i].ID = ""
			}
			sameSnaps(t, want, got, tc.name)
			if tc.changed {
				assert.ErrorIs(t, fileErr, ErrChanged, "the file's record")
			} else {
				assert.NoError(t, fileErr, "no file record")
			}
		})
	}
}

// A caller that asks for no cap with math.MaxInt64 gets every message
// whole, deferred or not, mbox or single-message file, as under the
// default cap, not empty messages (the count of one byte past the cap
// overflowed).
func TestRedteamNoCap(t *testing.T) {
	long := strings.Repeat("A line of a long report, kept whole.\n", 40)
	mb := mboxOf(sepA, "\n", mail("one", long), mail("two", "Hi.\n"))
	eml := mail("one", long)
	zipped := storedZipOf(t, "in.mbox", mb, "in.eml", eml)
	for _, tc := range []struct {
		name string
		data []byte
	}{{"f.mbox", mb}, {"f.eml", eml}, {"f.zip", zipped}, {"f.tar.gz", gz(t, tarOf(t, tarFile{name: "in.zip", body: zipped}))}} {
		want, _ := snapWalk(t, WalkReaderAt(t.Context(), tc.name, bytes.NewReader(tc.data), int64(len(tc.data)), nil))
		for _, opts := range []*Options{
			{MaxMessageSize: math.MaxInt64, MaxNestedSize: math.MaxInt64},
			{MaxMessageSize: math.MaxInt64, MaxNestedSize: math.MaxInt64, DeferLarge: 100},
			{MaxMessageSize: math.MaxInt64 - 1, DeferLarge: math.MaxInt64},
		} {
			got, _ := snapWalk(t, WalkReaderAt(t.Context(), tc.name, bytes.NewReader(tc.data), int64(len(tc.data)), opts))
			sameSnaps(t, want, got, fmt.Sprintf("%s with %+v", tc.name, *opts))
		}
	}
}
