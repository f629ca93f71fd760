package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
)

// custody is what a record says about a message, minus its bytes: two walks
// of the same mail agree on it field for field.
type custody struct {
	ID, File, SHA256, Separator, Err string
	Index, Entry, Entries            int
	Offset, Size                     int64
	Format                           Format
	Notes                            string
	BOM, Forced                      bool
	NotMail                          bool
}

func custodyOf(m *Message) custody {
	c := custody{
		ID: m.ID, File: m.File, SHA256: m.SHA256, Separator: m.Separator,
		Index: m.Index, Entry: m.Entry, Entries: m.Entries, Offset: m.Offset, Size: m.Size,
		Format: m.Format, Notes: strings.Join(m.Notes, "|"), BOM: m.BOM, Forced: m.Forced,
		NotMail: errors.Is(m.Err, ErrNotMail),
	}
	if m.Err != nil {
		c.Err = m.Err.Error()
	}
	return c
}

func custodies(t *testing.T, msgs func(func(*Message) bool)) []custody {
	t.Helper()
	var out []custody
	for m := range msgs {
		require.NotNil(t, m, "the walk yields no nil record")
		if m.Err == nil {
			require.Equal(t, m.Size, int64(len(m.Raw)), "%s#%d: Size is len(Raw)", m.File, m.Index)
		}
		out = append(out, custodyOf(m))
	}
	return out
}

// uploads are files of every kind the walk reads, as a service receives them.
func uploads(t *testing.T) map[string][]byte {
	m1, m2 := mail("one", "Hello.\n"), mail("two", "From the desk.\n")
	formats := filepath.Join(testenv.ModuleRoot(t), "testdata", "formats")
	files := map[string][]byte{
		"a.eml":       m1,
		"inbox.mbox":  mboxOf(sepA, "\n", m1, m2),
		"x.emlx":      emlxOf(m2),
		"dump.zip":    zipOf(t, "Sent/1.eml", m1, "a.eml", m1, "./a.eml", m2, "notes.txt", []byte("no mail\n")),
		"dump.tgz":    gz(t, tarOf(t, tarFile{name: "in.zip", body: zipOf(t, "b.eml", m2)}, tarFile{name: "c.mbox", body: mboxOf(sepA, "\n", m1)})),
		"inbox.gz":    gz(t, mboxOf(sepA, "\n", m2, m1)),
		"notes.txt":   []byte("not mail at all\n"),
		"shaped.txt":  []byte("X-Junk: 1\n\nbody\n"),
		"empty.eml":   nil,
		"outlook.pst": append([]byte("!BDN"), make([]byte, 600)...),
	}
	for _, name := range []string{"archive.zip", "mboxrd.mbox", "takeout.mbox", "apple/4012.emlx"} {
		b, err := os.ReadFile(filepath.Join(formats, name))
		require.NoError(t, err, "reading testdata/formats/%s", name)
		files[filepath.Base(name)] = b
	}
	return files
}

// WalkReaderAt over an upload gives the records Walk gives for a file of
// the same name holding the same bytes.
func TestWalkReaderAtMatchesWalk(t *testing.T) {
	dir := t.TempDir()
	for name, data := range uploads(t) {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(p, data, 0o644), "writing %s", p)
			want := custodies(t, Walk(t.Context(), p, nil))
			got := custodies(t, WalkReaderAt(t.Context(), p, bytes.NewReader(data), int64(len(data)), nil))
			require.NotEmpty(t, want, "Walk(%s) yields a record", name)
			assert.Equal(t, want, got, "WalkReaderAt(%s) and Walk(%s)", name, name)

			// The ID does not depend on the folder the file was in.
			bare := custodies(t, WalkReaderAt(t.Context(), name, bytes.NewReader(data), int64(len(data)), nil))
			for i := range min(len(bare), len(want)) {
				assert.Equal(t, want[i].ID, bare[i].ID, "%s record %d: the ID takes the base name", name, i)
			}
		})
	}
}

// streamFS hides the io.ReaderAt of its files, as an FS over a network or
// an archive does, and counts the opens.
type streamFS struct {
	fs.FS
	opens int
}

func (s *streamFS) Open(name string) (fs.File, error) {
	f, err := s.FS.Open(name)
	if err != nil {
		return nil, err
	}
	s.opens++
	if _, dir := f.(fs.ReadDirFile); dir {
		return f, nil
	}
	return struct{ fs.File }{f}, nil
}

// WalkFS over a folder gives the records Walk gives for the folder, each
// File without the folder's path in front, with the same IDs; so does an
// FS whose files can only be streamed.
func TestWalkFSMatchesWalk(t *testing.T) {
	dir := t.TempDir()
	files := uploads(t)
	for name, data := range files {
		writeTree(t, dir, "leak/"+name, data)
	}
	formats := filepath.Join(testenv.ModuleRoot(t), "testdata", "formats")
	for _, tt := range []struct {
		name, root string
	}{
		{"uploads", filepath.Join(dir, "leak")},
		{"testdata/formats", formats},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := custodies(t, Walk(t.Context(), tt.root, nil))
			for i := range want {
				want[i].File = strings.TrimPrefix(want[i].File, tt.root+"/")
				want[i].Err = strings.ReplaceAll(want[i].Err, tt.root+"/", "")
			}
			got := custodies(t, WalkFS(t.Context(), os.DirFS(tt.root), nil))
			assert.Equal(t, want, got, "WalkFS(os.DirFS(%s)) and Walk(%s)", tt.name, tt.name)

			sfs := &streamFS{FS: os.DirFS(tt.root)}
			streamed := custodies(t, WalkFS(t.Context(), sfs, nil))
			assert.Equal(t, want, streamed, "WalkFS over files that cannot be read at random")
		})
	}
}

// An in-memory FS (as tests and embed.FS give) is walked like a folder.
func TestWalkFSMapFS(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	fsys := fstest.MapFS{
		"Inbox/1.eml":         {Data: m1},
		"Maildir/cur/1":       {Data: m1},
		"Maildir/new/2":       {Data: m1},
		"Maildir/tmp/partial": {Data: m1},
		"notes.txt":           {Data: []byte("hello\n")},
	}
	var got []string
	for m := range MailOnly(WalkFS(t.Context(), fsys, nil), func(m *Message) { got = append(got, "skipped "+m.File) }) {
		require.NoError(t, m.Err, "%s", m.File)
		assert.Equal(t, MessageID(m.SHA256, m.File, 0, 1), m.ID, "%s: the ID takes the path in the FS", m.File)
		got = append(got, m.File)
	}
	assert.Equal(t, []string{"Inbox/1.eml", "Maildir/cur/1", "Maildir/new/2", "skipped notes.txt"}, got,
		"files in order, Maildir's tmp/ left out, the file that is not mail handed to skipped")
}

// A zip in an FS whose files cannot be read at random is held in memory,
// up to MaxNestedSize; a tar or compressed file is opened a second time.
func TestWalkFSStreamedContainers(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	z := zipOf(t, "a.eml", m1)
	fsys := &streamFS{FS: fstest.MapFS{
		"dump.zip":   {Data: z},
		"inbox.gz":   {Data: gz(t, mboxOf(sepA, "\n", m1))},
		"inbox.mbox": {Data: mboxOf(sepA, "\n", m1, m1)},
	}}
	var files []string
	for m := range WalkFS(t.Context(), fsys, nil) {
		require.NoError(t, m.Err, "%s", m.File)
		files = append(files, m.File)
	}
	assert.Equal(t, []string{"dump.zip/a.eml", "inbox.gz", "inbox.mbox", "inbox.mbox"}, files, "every message")

	small := &streamFS{FS: fstest.MapFS{"dump.zip": {Data: z}}}
	recs := slices.Collect(WalkFS(t.Context(), small, &Options{MaxNestedSize: int64(len(z) - 1)}))
	require.Len(t, recs, 1, "one record for the zip too large to hold")
	assert.ErrorIs(t, recs[0].Err, ErrNestedTooLarge, "a streamed zip over MaxNestedSize")
}

// A walk stops when its context is done, and yields nothing when it is
// done before the walk starts.
func TestWalkFSAndReaderAtStop(t *testing.T) {
	data := mboxOf(sepA, "\n", mail("a", "1\n"), mail("b", "2\n"), mail("c", "3\n"))
	n := 0
	for range WalkReaderAt(t.Context(), "x.mbox", bytes.NewReader(data), int64(len(data)), nil) {
		n++
		break
	}
	assert.Equal(t, 1, n, "breaking out of the range stops the walk")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.Empty(t, slices.Collect(WalkReaderAt(ctx, "x.mbox", bytes.NewReader(data), int64(len(data)), nil)), "WalkReaderAt with a done context")
	assert.Empty(t, slices.Collect(WalkFS(ctx, fstest.MapFS{"x.mbox": {Data: data}}, nil)), "WalkFS with a done context")
}

// A reader that fails gives one record naming the upload.
func TestWalkReaderAtError(t *testing.T) {
	boom := errors.New("disk gone")
	recs := slices.Collect(WalkReaderAt(t.Context(), "up.mbox", failingReaderAt{boom}, 100, nil))
	require.Len(t, recs, 1, "one record for an unreadable upload")
	assert.ErrorIs(t, recs[0].Err, boom, "the reader's error is wrapped")
	assert.Equal(t, "up.mbox", recs[0].File, "the record names the upload")
}

type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

var _ io.ReaderAt = failingReaderAt{}
