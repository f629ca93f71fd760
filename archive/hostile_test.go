package archive

// A generated hostile corpus: each archive is built by code here, not
// committed, and each test states the time and memory it bounds, asserting
// bytes and counts (allocation through runtime.ReadMemStats, bytes read,
// bytes inflated), not wall time.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// allocated returns the bytes f allocates on the heap, in all.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The overlapping-entry bomb (1.6 MB; 10,000 entries over one 1 GiB
// deflate stream) once held a run for 85 minutes. Bound: refused in well
// under a second and 64 MiB allocated, because no entry of it is
// inflated; the genuine message after it is read.
func TestWalkOverlapBomb(t *testing.T) {
	genuine := mail("genuine", "The one that matters.\n")
	data := testmail.OverlapBomb(10000, 1024, genuine)
	t.Logf("the bomb is %d bytes", len(data))
	require.Less(t, len(data), 2<<20, "the generated bomb is about 1.6 MB")

	dir := t.TempDir()
	writeTree(t, dir, "a.zip", data, "b.eml", genuine)
	var inflated atomic.Int64
	var got []*Message
	alloc := allocated(func() { got = collect(t, dir, &Options{Inflated: &inflated}) })
	overlaps, messages := 0, 0
	for _, m := range got {
		switch {
		case errors.Is(m.Err, ErrOverlap):
			overlaps++
			if overlaps == 1 {
				assert.Contains(t, m.Err.Error(), "at offset 40 of the zip", "the record names the entry's offset: %v", m.Err)
				assert.True(t, strings.HasPrefix(m.File, filepath.Join(dir, "a.zip")+"/bomb/"), "the record names the entry: %s", m.File)
			}
		case m.Err == nil && m.Index == 1:
			messages++
		default:
			t.Errorf("unexpected record %s: %v", m.File, m.Err)
		}
	}
	assert.Equal(t, 10000, overlaps, "every overlapping entry is refused with its own record")
	assert.Equal(t, 2, messages, "the genuine entry after the bomb and the file after the zip are read")
	assert.Less(t, inflated.Load(), int64(1<<20), "bytes inflated: only the genuine entry, not the bomb")
	assert.Less(t, alloc, uint64(64<<20), "bytes allocated walking the bomb")
}

// countingReaderAt serves a zip generated on the fly and counts the bytes
// read from it.
type countingReaderAt struct {
	io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.ReaderAt.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// hugeDirectory is a zip of n empty entries with names of nameLen bytes,
// all sharing one local header, generated as it is read: its central
// directory (about n × (46 + nameLen) bytes) never exists in memory.
type hugeDirectory struct {
	n, nameLen int
	head, tail []byte // the local header; the zip64 and classic end records
}

func newHugeDirectory(n, nameLen int) *hugeDirectory {
	var z testmail.RawZip
	z.Local("a", zip.Store, 0, 0, 0, nil)
	head := bytes.Clone(z.Bytes())
	// The end records, built for a directory of the right size.
	recLen := 46 + nameLen
	h := &hugeDirectory{n: n, nameLen: nameLen, head: head}
	dirSize := uint64(n * recLen)
	le := binary.LittleEndian
	var r [56]byte
	le.PutUint32(r[0:], 0x06064b50)
	le.PutUint64(r[4:], 44)
	le.PutUint16(r[12:], 45)
	le.PutUint16(r[14:], 45)
	le.PutUint64(r[24:], uint64(n))
	le.PutUint64(r[32:], uint64(n))
	le.PutUint64(r[40:], dirSize)
	le.PutUint64(r[48:], uint64(len(head)))
	var loc [20]byte
	le.PutUint32(loc[0:], 0x07064b50)
	le.PutUint64(loc[8:], uint64(len(head))+dirSize)
	le.PutUint32(loc[16:], 1)
	var e [22]byte
	le.PutUint32(e[0:], 0x06054b50)
	le.PutUint16(e[8:], 0xffff)
	le.PutUint16(e[10:], 0xffff)
	le.PutUint32(e[12:], 0xffffffff)
	le.PutUint32(e[16:], 0xffffffff)
	h.tail = append(append(r[:], loc[:]...), e[:]...)
	return h
}

func (h *hugeDirectory) size() int64 {
	return int64(len(h.head) + h.n*(46+h.nameLen) + len(h.tail))
}

// record returns the central directory record of entry i.
func (h *hugeDirectory) record(i int) []byte {
	le := binary.LittleEndian
	r := make([]byte, 46, 46+h.nameLen)
	le.PutUint32(r[0:], 0x02014b50)
	le.PutUint16(r[4:], 20)
	le.PutUint16(r[6:], 20)
	le.PutUint16(r[28:], uint16(h.nameLen))
	name := fmt.Sprintf("%08d/", i)
	r = append(r, name...)
	return append(r, bytes.Repeat([]byte("n"), h.nameLen-len(name))...)
}

func (h *hugeDirectory) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	recLen := int64(46 + h.nameLen)
	dirEnd := int64(len(h.head)) + int64(h.n)*recLen
	for n < len(p) && off < h.size() {
		var src []byte
		var at int64
		switch {
		case off < int64(len(h.head)):
			src, at = h.head, off
		case off < dirEnd:
			i := (off - int64(len(h.head))) / recLen
			src, at = h.record(int(i)), (off-int64(len(h.head)))%recLen
		default:
			src, at = h.tail, off-dirEnd
		}
		k := copy(p[n:], src[at:])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// A zip of 100,000 entries with 4 KB names (a 414 MB central directory)
// once cost 3.1 GB of memory. Bound: refused from its end records, with
// under 1 MiB read and 4 MiB allocated; the directory is never parsed.
func TestWalkHugeCentralDirectory(t *testing.T) {
	h := newHugeDirectory(100000, 4096)
	ra := &countingReaderAt{ReaderAt: h}
	var got []*Message
	alloc := allocated(func() {
		w := &walker{ctx: t.Context(), yield: func(m *Message) bool { got = append(got, m); return true }}
		w.walkZip("big.zip", ra, h.size())
	})
	require.Len(t, got, 1, "one record for the refused zip")
	require.ErrorIs(t, got[0].Err, ErrCentralDirectory, "the zip is refused for its central directory")
	assert.Contains(t, got[0].Err.Error(), fmt.Sprintf("%d bytes from offset %d", h.size()-int64(len(h.head)), len(h.head)), "the record says how large the directory is and where it starts")
	assert.Less(t, ra.n.Load(), int64(1<<20), "bytes read from the zip")
	assert.Less(t, alloc, uint64(4<<20), "bytes allocated")

	// The same structure with short names, under the cap, parses: the
	// zip64 end records are read right.
	small := newHugeDirectory(70000, 16)
	got = nil
	w := &walker{ctx: t.Context(), opts: &Options{MaxZipEntries: 1000}, yield: func(m *Message) bool { got = append(got, m); return true }}
	w.walkZip("small.zip", small, small.size())
	require.Len(t, got, 1, "one record for the zip over the entry cap")
	assert.ErrorIs(t, got[0].Err, ErrTooManyEntries, "the zip64 entry count is read from its end record")
	assert.Contains(t, got[0].Err.Error(), "70000 entries", "the count is the zip64 one")
}

// A stored entry whose directory declares more bytes uncompressed than it
// stores once read as "compression ratio above the cap" or "not a valid zip
// file", with no offset.
func TestWalkZipFalseStoredSize(t *testing.T) {
	m := mail("one", "Hello.\n")
	var z testmail.RawZip
	z.Stored("a.eml", m)
	z.Entries[0].USize = 50 << 30
	got := walkBytes(z.Directory(false), nil)
	require.Len(t, got, 1, "one record")
	require.ErrorIs(t, got[0].Err, ErrZipEntrySize, "the false size is named as such")
	assert.NotErrorIs(t, got[0].Err, ErrZipRatio, "not as a compression ratio")
	assert.Contains(t, got[0].Err.Error(), "f/a.eml: entry data at offset 35 of the zip", "the record names the entry and its offset")
}

// Entries that touch but do not share bytes are not overlapping.
func TestOverlapping(t *testing.T) {
	var z testmail.RawZip
	z.Stored("a", []byte("aaaa"))
	z.Stored("b", []byte("bbbb"))
	z.Stored("c", nil)
	z.Entries = append(z.Entries, testmail.RawEntry{Name: "d", Method: zip.Store, CSize: 4, USize: 4, Offset: 35}) // b's local header
	data := z.Directory(false)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err, "reading the zip")
	over := overlapping(zr.File)
	var names []string
	for _, f := range zr.File {
		if over[f] != nil {
			names = append(names, f.Name)
		}
	}
	assert.Equal(t, []string{"b", "d"}, names, "the entries sharing bytes, and only they")
}

// The caps on bytes inflated per zip and per run stop the entry that
// crosses them, with a record, and the walk goes on with the next file.
func TestWalkInflatedTotals(t *testing.T) {
	m := mail("one", strings.Repeat("Hello.\n", 100))
	big := append(bytes.Clone(m), bytes.Repeat([]byte("x"), 1<<20)...)
	zipped := zipOf(t, "1.eml", big, "2.eml", big, "3.eml", big)
	dir := t.TempDir()
	writeTree(t, dir, "a.zip", zipped, "b.zip", zipped, "c.eml", m)

	t.Run("per zip", func(t *testing.T) {
		// Each entry is inflated twice (checked, then read): 3 MiB
		// allows the first entry, not the second.
		got := collect(t, dir, &Options{MaxZipTotal: 3 << 20})
		var capped, read int
		for _, g := range got {
			if errors.Is(g.Err, ErrInflatedTotal) {
				capped++
			} else if g.Err == nil {
				read++
			}
		}
		assert.Equal(t, 3, read, "the first entry of each zip, and the file after them")
		assert.Equal(t, 4, capped, "each zip: the entry that crosses the cap, and the zip")
	})
	t.Run("per run", func(t *testing.T) {
		var inflated atomic.Int64
		opts := &Options{MaxInflatedTotal: 5 << 20, Inflated: &inflated}
		got := collect(t, filepath.Join(dir, "a.zip"), opts)
		assert.Len(t, got, 3, "the zip's three entries are read within 5 MiB (6 MiB would be two passes of three)")
		got = collect(t, filepath.Join(dir, "b.zip"), opts)
		require.NotEmpty(t, got, "records of the second walk")
		assert.ErrorIs(t, got[0].Err, ErrInflatedTotal, "a second walk sharing the counter starts over the cap")
		assert.Len(t, collect(t, filepath.Join(dir, "c.eml"), opts), 1, "a plain file is still read")
	})
}

// Deep folder trees cost time with the square of their depth. Bound: a
// 300-level tree is walked to MaxPathDepth levels only (a few hundred
// opens), with one record for the folder not entered.
func TestWalkDeepTree(t *testing.T) {
	dir := t.TempDir()
	m := mail("deep", "Down here.\n")
	p := dir
	for i := 1; i <= 300; i++ {
		p = filepath.Join(p, "d")
		if i == 50 || i == 300 {
			require.NoError(t, os.MkdirAll(p, 0o755), "mkdir")
			require.NoError(t, os.WriteFile(filepath.Join(p, "m.eml"), m, 0o644), "write at depth %d", i)
		}
	}
	got := collect(t, dir, nil)
	require.Len(t, got, 2, "the folder too deep (d sorts before m.eml) and the message at depth 50")
	assert.ErrorIs(t, got[0].Err, ErrPathTooDeep, "the folder at depth 101 is not entered")
	assert.Equal(t, 101, strings.Count(strings.TrimPrefix(got[0].File, dir), "/d"), "the record names the folder at depth 101")
	assert.NoError(t, got[1].Err, "the message at depth 50 is read")

	got = collect(t, dir, &Options{MaxPathDepth: 400})
	assert.Len(t, got, 2, "with the cap raised, both messages")
}

// The files-per-walk cap ends the walk with a record at the file past it.
func TestWalkMaxFiles(t *testing.T) {
	dir := t.TempDir()
	m := mail("one", "Hi.\n")
	writeTree(t, dir, "1.eml", m, "2.eml", m, "3.zip", zipOf(t, "a.eml", m, "b.eml", m), "4.eml", m)
	got := collect(t, dir, &Options{MaxFiles: 4})
	var files []string
	for _, g := range got {
		files = append(files, strings.TrimPrefix(g.File, dir+"/"))
	}
	assert.Equal(t, []string{"1.eml", "2.eml", "3.zip/a.eml", "3.zip/b.eml"}, files, "the records: the zip counts as a file and so does each entry")
	assert.ErrorIs(t, got[3].Err, ErrTooManyFiles, "the file past the cap gets the record")
}

// A file that shrinks while it is read gives a record saying so.
func TestWalkFileShrinks(t *testing.T) {
	dir := t.TempDir()
	var msgs [][]byte
	for i := range 200 { // 4 MB: more than the mbox reader's 1 MiB buffer
		msgs = append(msgs, mail(fmt.Sprintf("m%d", i), strings.Repeat("Body line.\n", 2000)))
	}
	p := filepath.Join(dir, "inbox.mbox")
	data := mboxOf(sepA, "\n", msgs...)
	require.NoError(t, os.WriteFile(p, data, 0o644), "write the mbox")
	var got []*Message
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for m := range Walk(ctx, dir, nil) {
		got = append(got, m)
		if len(got) == 1 {
			require.NoError(t, os.Truncate(p, int64(len(data)/2)), "truncate the mbox while it is read")
		}
	}
	last := got[len(got)-1]
	require.ErrorIs(t, last.Err, ErrChanged, "the last record says the file changed")
	assert.Equal(t, p, last.File, "and names it")
	assert.Contains(t, last.Err.Error(), fmt.Sprintf("it was %d bytes", len(data)), "and says how")
	assert.Less(t, len(got)-1, 200, "fewer messages were read than the file held")
}

// The directory's extent is found where archive/zip finds it: after data
// prepended to the zip (a self-extracting one), and with the zip64 end
// records.
func TestFindZipDirectory(t *testing.T) {
	m := mail("one", "Hello.\n")
	plain := zipOf(t, "a.eml", m, "b.eml", m)
	sfx := append(bytes.Repeat([]byte("MZ stub "), 4096), plain...)
	var z64 testmail.RawZip
	z64.Stored("a.eml", m)
	zip64 := z64.Directory(true)
	for _, tt := range []struct {
		name    string
		data    []byte
		entries uint64
	}{
		{"plain", plain, 2},
		{"self-extracting", sfx, 2},
		{"zip64", zip64, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, ok := findZipDirectory(bytes.NewReader(tt.data), int64(len(tt.data)))
			require.True(t, ok, "the end record is found")
			assert.Equal(t, tt.entries, dir.entries, "entries")
			assert.Less(t, dir.extent, int64(1024), "the extent is the directory and the end records, not the data before")
			got := walkBytes(tt.data, &Options{MaxCentralDirectory: 1024})
			for _, g := range got {
				assert.NotErrorIs(t, g.Err, ErrCentralDirectory, "%s: not refused under a 1 KiB cap", g.File)
			}
		})
	}
	_, ok := findZipDirectory(bytes.NewReader([]byte("not a zip")), 9)
	assert.False(t, ok, "no end record")
}
