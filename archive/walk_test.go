package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

const (
	sepA = "From alice@example.com Tue Mar  1 10:00:00 2016"
	sepT = "From 1234567890123456789@xxx Tue Mar 01 10:00:00 +0000 2016"
)

// mail returns a small test message with LF line endings, as mbox files
// keep them.
func mail(subject, body string) []byte {
	return testmail.LF(testmail.Message{Subject: subject, Body: body}.Bytes())
}

// mboxOf joins messages into an mbox file with separator sep, escaping
// "From " lines mboxrd-style, with a blank line after each message.
func mboxOf(sep, eol string, msgs ...[]byte) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString(sep + eol)
		for _, line := range strings.SplitAfter(string(m), "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
				b.WriteString(">")
			}
			b.WriteString(line)
		}
		b.WriteString(eol)
	}
	return b.Bytes()
}

// zipOf builds a zip with the named files, deflated, in the given order.
func zipOf(t testing.TB, files ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.Create(files[i].(string))
		require.NoError(t, err, "zip Create %s", files[i])
		_, err = w.Write(files[i+1].([]byte))
		require.NoError(t, err, "zip Write %s", files[i])
	}
	require.NoError(t, zw.Close(), "zip Close")
	return b.Bytes()
}

func emlxOf(msg []byte) []byte {
	return []byte(fmt.Sprintf("%-10d\n%s<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict/></plist>\n", len(msg), msg))
}

// writeTree writes files (name, content pairs) under dir.
func writeTree(t *testing.T, dir string, files ...any) {
	t.Helper()
	for i := 0; i < len(files); i += 2 {
		p := filepath.Join(dir, files[i].(string))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755), "mkdir for %s", p)
		require.NoError(t, os.WriteFile(p, files[i+1].([]byte), 0o644), "write %s", p)
	}
}

// errAny in a record means any error.
var errAny = errors.New("any error")

// record is what a test checks of one Message.
type record struct {
	File   string
	Index  int
	Format Format
	Err    error // a sentinel the record's Err must wrap, or nil
}

func collect(t *testing.T, root string, opts *Options) []*Message {
	t.Helper()
	var out []*Message
	for m := range Walk(t.Context(), root, opts) {
		require.NotNil(t, m, "Walk yields no nil record")
		out = append(out, m)
	}
	return out
}

// checkRecords compares records with want, by file, index, format and error.
func checkRecords(t *testing.T, base string, got []*Message, want []record) {
	t.Helper()
	var have []string
	for _, m := range got {
		have = append(have, fmt.Sprintf("%s #%d %s err=%v", strings.TrimPrefix(m.File, base), m.Index, m.Format, m.Err))
	}
	require.Len(t, got, len(want), "records:\n%s", strings.Join(have, "\n"))
	for i, w := range want {
		m := got[i]
		assert.Equal(t, base+w.File, m.File, "record %d File", i)
		assert.Equal(t, w.Index, m.Index, "record %d (%s) Index", i, m.File)
		assert.Equal(t, w.Format, m.Format, "record %d (%s) Format", i, m.File)
		if w.Err == errAny {
			assert.Error(t, m.Err, "record %d (%s) Err", i, m.File)
		} else if w.Err == nil {
			assert.NoError(t, m.Err, "record %d (%s) Err", i, m.File)
		} else {
			assert.ErrorIs(t, m.Err, w.Err, "record %d (%s) Err", i, m.File)
			if m.Err != nil {
				assert.Contains(t, m.Err.Error(), m.File, "record %d: Err names the path", i)
				assert.True(t, strings.HasPrefix(m.Err.Error(), "archive: "), "record %d: Err %q starts with the package name", i, m.Err)
			}
		}
	}
}

// storedBytes returns the bytes of the file a record names: the file
// itself, or the entry "inner" of the container in "x.zip/inner",
// "x.tar.gz/inner", nested as deep as the name goes, decompressed (the
// offsets of a ".mbox.gz" count in its decompressed bytes).
func storedBytes(t *testing.T, file string) []byte {
	t.Helper()
	parts := strings.Split(file, "/")
	i := len(parts)
	for ; i > 0; i-- {
		if fi, err := os.Stat(strings.Join(parts[:i], "/")); err == nil && fi.Mode().IsRegular() {
			break
		}
	}
	require.Positive(t, i, "%s: no prefix is a file", file)
	data, err := os.ReadFile(strings.Join(parts[:i], "/"))
	require.NoError(t, err, "read %s", file)
	rest := parts[i:]
	for {
		switch Detect(data) {
		case KindGzip:
			zr, err := gzip.NewReader(bytes.NewReader(data))
			require.NoError(t, err, "%s: gzip", file)
			data, err = io.ReadAll(zr)
			require.NoError(t, err, "%s: gunzip", file)
			continue
		case KindBzip2:
			data, err = io.ReadAll(bzip2.NewReader(bytes.NewReader(data)))
			require.NoError(t, err, "%s: bunzip2", file)
			continue
		}
		if len(rest) == 0 {
			return data
		}
		entries := map[string][]byte{}
		switch Detect(data) {
		case KindZip:
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err, "%s: open zip", file)
			for _, f := range zr.File {
				rc, err := f.Open()
				require.NoError(t, err, "%s: open zip entry %s", file, f.Name)
				b, err := io.ReadAll(rc)
				require.NoError(t, err, "%s: read zip entry %s", file, f.Name)
				entries[strings.Trim(f.Name, "/")] = b
			}
		case KindTar:
			tr := tar.NewReader(bytes.NewReader(data))
			for {
				hdr, err := tr.Next()
				if err == io.EOF {
					break
				}
				require.NoError(t, err, "%s: tar", file)
				b, err := io.ReadAll(tr)
				require.NoError(t, err, "%s: read tar entry %s", file, hdr.Name)
				entries[strings.Trim(hdr.Name, "/")] = b
			}
		default:
			t.Fatalf("%s: %v is not a container", file, rest)
		}
		found := false
		for k := len(rest); k > 0 && !found; k-- {
			if b, ok := entries[strings.Trim(strings.Join(rest[:k], "/"), "/")]; ok {
				data, rest, found = b, rest[k:], true
			}
		}
		require.True(t, found, "%s: no entry %v", file, rest)
	}
}

// checkCustody reproduces each message's SHA256 from the file with plain byte
// arithmetic: Size bytes at Offset (of the uncompressed entry for a zip).
func checkCustody(t *testing.T, msgs []*Message) {
	t.Helper()
	for _, m := range msgs {
		if m.Index == 0 || m.Err != nil {
			continue
		}
		b := storedBytes(t, m.File)
		require.LessOrEqual(t, m.Offset+m.Size, int64(len(b)), "%s #%d: Offset+Size within the file", m.File, m.Index)
		part := b[m.Offset : m.Offset+m.Size]
		sum := sha256.Sum256(part)
		assert.Equal(t, hex.EncodeToString(sum[:]), m.SHA256, "%s #%d: SHA256 of Size bytes at Offset", m.File, m.Index)
		assert.Equal(t, part, m.Raw, "%s #%d: Raw is the stored bytes", m.File, m.Index)
		assert.Equal(t, int64(len(m.Raw)), m.Size, "%s #%d: Size is len(Raw)", m.File, m.Index)
	}
}

// snapshot lists every path under dir with its size, mode and times.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %v %v", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano()))
		return nil
	})
	require.NoError(t, err, "snapshot of %s", dir)
	return out
}

func TestWalkTree(t *testing.T) {
	dir := t.TempDir()
	m1 := mail("one", "Hello.\n")
	m2 := mail("two", "Quoted:\nFrom the archive, a line an mbox writer escapes.\n>From this one too.\n")
	m3 := mail("three", "Bye.\n")
	inner := zipOf(t, "x.eml", m1)
	writeTree(t, dir,
		"inbox.mbox", mboxOf(sepA, "\n", m1, m2, m3),
		"crlf.mbox", mboxOf(sepT, "\r\n", testmail.CRLF(m1), testmail.CRLF(m3)),
		"single.eml", testmail.CRLF(m1),
		"apple/12.emlx", emlxOf(testmail.CRLF(m2)),
		"notes.txt", []byte("Shopping list: milk, eggs.\n"),
		"empty", []byte{},
		"mail/cur/1490000000.M1P2.host:2,S", m1,
		"mail/new/1490000001.M2P2.host", m2,
		"mail/tmp/1490000002.M3P2.host", m3,
		"mail/.Sent/cur/1490000003.M4P2.host:2,S", m3,
		"mail/.Sent/new/.keep", []byte{},
		"mail/.Sent/tmp/1490000004.M5P2.host", m3,
		"dump.zip", zipOf(t,
			"Sent/1.eml", m1,
			"Sent/box.mbox", mboxOf(sepA, "\n", m2, m3),
			"Maildir/cur/1:2,S", m2,
			"Maildir/new/", []byte{},
			"Maildir/tmp/2", m3,
			"inner.zip", inner,
			"readme.md", []byte("# not mail\n"),
			"a.emlx", emlxOf(m3)),
	)
	before := snapshot(t, dir)
	got := collect(t, dir, nil)
	assert.Equal(t, before, snapshot(t, dir), "walking changes nothing in the tree")
	again := collect(t, dir, nil)
	require.Len(t, again, len(got), "a second walk yields as many records")
	for i := range got {
		assert.Equal(t, got[i].File, again[i].File, "record %d: the same file on a second walk", i)
		assert.Equal(t, got[i].SHA256, again[i].SHA256, "record %d: the same hash on a second walk", i)
	}
	checkRecords(t, dir, got, []record{
		{"/apple/12.emlx", 1, "emlx", nil},
		{"/crlf.mbox", 1, "mbox", nil},
		{"/crlf.mbox", 2, "mbox", nil},
		{"/dump.zip/Maildir/cur/1:2,S", 1, "eml", nil},
		{"/dump.zip/Sent/1.eml", 1, "eml", nil},
		{"/dump.zip/Sent/box.mbox", 1, "mboxrd", nil}, // m2 has a ">>From " line
		{"/dump.zip/Sent/box.mbox", 2, "mboxrd", nil},
		{"/dump.zip/a.emlx", 1, "emlx", nil},
		{"/dump.zip/inner.zip/x.eml", 1, "eml", nil}, // a zip in a zip is read
		{"/dump.zip/readme.md", 0, "", ErrNotMail},
		{"/empty", 0, "", ErrNotMail},
		{"/inbox.mbox", 1, "mbox", nil},
		{"/inbox.mbox", 2, "mboxrd", nil},
		{"/inbox.mbox", 3, "mboxrd", nil},
		{"/mail/.Sent/cur/1490000003.M4P2.host:2,S", 1, "eml", nil},
		{"/mail/.Sent/new/.keep", 0, "", ErrNotMail},
		{"/mail/cur/1490000000.M1P2.host:2,S", 1, "eml", nil},
		{"/mail/new/1490000001.M2P2.host", 1, "eml", nil},
		{"/notes.txt", 0, "", ErrNotMail},
		{"/single.eml", 1, "eml", nil},
	})
	checkCustody(t, got)
	for _, m := range got {
		if strings.HasPrefix(m.Format.String(), "mbox") {
			assert.True(t, strings.HasPrefix(m.Separator, "From "), "%s #%d: Separator %q", m.File, m.Index, m.Separator)
		} else {
			assert.Empty(t, m.Separator, "%s #%d: no Separator outside mbox", m.File, m.Index)
		}
	}
	// The emlx message is the bytes between the length line and the plist.
	assert.Equal(t, testmail.CRLF(m2), got[0].Raw, "emlx Raw")
	assert.Equal(t, int64(11), got[0].Offset, "emlx Offset is the length line's length")
	assert.Empty(t, got[0].Notes, "emlx notes")
}

func TestWalkSingleFiles(t *testing.T) {
	dir := t.TempDir()
	m1 := mail("one", "Hello.\n")
	writeTree(t, dir,
		"a.eml", m1,
		"b.mbox", mboxOf(sepA, "\n", m1, m1),
		"c.zip", zipOf(t, "x/y.eml", m1),
	)
	for _, tt := range []struct {
		name, path string
		want       []record
	}{
		{"eml", "a.eml", []record{{"a.eml", 1, "eml", nil}}},
		{"mbox", "b.mbox", []record{{"b.mbox", 1, "mbox", nil}, {"b.mbox", 2, "mbox", nil}}},
		{"zip", "c.zip", []record{{"c.zip/x/y.eml", 1, "eml", nil}}},
		{"folder with trailing slash", "./", []record{
			{"./a.eml", 1, "eml", nil}, {"./b.mbox", 1, "mbox", nil}, {"./b.mbox", 2, "mbox", nil}, {"./c.zip/x/y.eml", 1, "eml", nil},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(dir)
			got := collect(t, tt.path, nil)
			checkRecords(t, "", got, tt.want)
			checkCustody(t, got)
		})
	}
}

func TestWalkBadInput(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	m2 := mail("two", strings.Repeat("A long line of body text.\n", 100))
	t.Run("missing path", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "nope.mbox")
		got := collect(t, p, nil)
		checkRecords(t, "", got, []record{{p, 0, "", fs.ErrNotExist}})
	})
	t.Run("message over the cap", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", m1, m2, m1), "b.eml", m2, "c.eml", m1)
		got := collect(t, dir, &Options{MaxMessageSize: 1000})
		checkRecords(t, dir, got, []record{
			{"/a.mbox", 1, "mbox", nil}, {"/a.mbox", 2, "mbox", ErrTooLarge}, {"/a.mbox", 3, "mbox", nil},
			{"/b.eml", 1, "eml", ErrTooLarge}, {"/c.eml", 1, "eml", nil},
		})
		checkCustody(t, got)
		for _, m := range []*Message{got[1], got[3]} {
			assert.Nil(t, m.Raw, "%s: no Raw over the cap", m.File)
		}
		b := storedBytes(t, got[1].File)
		sum := sha256.Sum256(b[got[1].Offset : got[1].Offset+got[1].Size])
		assert.Equal(t, hex.EncodeToString(sum[:]), got[1].SHA256, "an mbox message's SHA256 over the cap still reproduces")
		assert.Equal(t, int64(len(m2)), got[3].Size, "the Size of an eml over the cap")
		assert.Contains(t, got[1].Err.Error(), fmt.Sprintf("offset %d", got[1].Offset), "the error names the offset")
	})
	t.Run("truncated mbox", func(t *testing.T) {
		dir := t.TempDir()
		full := mboxOf(sepA, "\n", m1, m2)
		writeTree(t, dir, "a.mbox", full[:len(full)-500], "b.eml", m1)
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{{"/a.mbox", 1, "mbox", nil}, {"/a.mbox", 2, "mbox", nil}, {"/b.eml", 1, "eml", nil}})
		require.NotEmpty(t, got[1].Notes, "the truncated message has a note")
		assert.Contains(t, got[1].Notes[0], "truncated", "the note says truncated")
		checkCustody(t, got)
	})
	t.Run("zip entry with a bad CRC", func(t *testing.T) {
		dir := t.TempDir()
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, name := range []string{"1.eml", "2.eml"} {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			require.NoError(t, err, "zip CreateHeader")
			_, err = w.Write(m1)
			require.NoError(t, err, "zip Write")
		}
		require.NoError(t, zw.Close(), "zip Close")
		z := b.Bytes()
		i := bytes.Index(z, []byte("Hello."))
		require.Positive(t, i, "the stored entry holds the subject")
		z[i] = 'h' // one flipped byte in the first entry's data
		writeTree(t, dir, "a.zip", z, "b.eml", m1)
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{
			{"/a.zip/1.eml", 0, "", zip.ErrChecksum}, {"/a.zip/2.eml", 1, "eml", nil}, {"/b.eml", 1, "eml", nil},
		})
	})
	t.Run("zip mbox entry with a bad CRC", func(t *testing.T) {
		// The CRC is known bad only at the end of the entry; no message of
		// it may be yielded as if intact.
		dir := t.TempDir()
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "box.mbox", Method: zip.Store})
		require.NoError(t, err, "zip CreateHeader")
		_, err = w.Write(mboxOf(sepA, "\n", mail("one", "First.\n"), m1, m1))
		require.NoError(t, err, "zip Write")
		require.NoError(t, zw.Close(), "zip Close")
		z := b.Bytes()
		i := bytes.Index(z, []byte("First."))
		require.Positive(t, i, "the stored entry holds the first body")
		z[i] = 'f'
		writeTree(t, dir, "a.zip", z)
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{{"/a.zip/box.mbox", 0, "", zip.ErrChecksum}})
	})
	t.Run("zip bomb", func(t *testing.T) {
		dir := t.TempDir()
		big := append(mail("big", "x\n"), make([]byte, 8<<20)...)
		writeTree(t, dir, "a.zip", zipOf(t, "bomb.eml", big, "ok.eml", m1))
		got := collect(t, dir, &Options{MaxZipRatio: 100})
		checkRecords(t, dir, got, []record{{"/a.zip/bomb.eml", 0, "", ErrZipRatio}, {"/a.zip/ok.eml", 1, "eml", nil}})
		got = collect(t, dir, &Options{MaxZipEntrySize: 1 << 20})
		checkRecords(t, dir, got, []record{{"/a.zip/bomb.eml", 0, "", ErrZipEntryTooLarge}, {"/a.zip/ok.eml", 1, "eml", nil}})
	})
	t.Run("too many zip entries", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "a.zip", zipOf(t, "1.eml", m1, "2.eml", m1, "3.eml", m1), "b.eml", m1)
		got := collect(t, dir, &Options{MaxZipEntries: 2})
		checkRecords(t, dir, got, []record{{"/a.zip", 0, "", ErrTooManyEntries}, {"/b.eml", 1, "eml", nil}})
	})
	t.Run("zip entry names that leave the folder", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "a.zip", zipOf(t, "../up.eml", m1, "ok.eml", m1))
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{{"/a.zip/../up.eml", 1, "eml", nil}, {"/a.zip/ok.eml", 1, "eml", nil}})
		require.Len(t, got[0].Notes, 1, "a note on an entry named ../up.eml")
		assert.Contains(t, got[0].Notes[0], "not a plain relative path", "the note")
		assert.Empty(t, got[1].Notes, "no note on ok.eml")
		checkCustody(t, got[1:])
	})
	t.Run("not a zip after all", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "a.zip", []byte("PK\x03\x04 and then nothing of a zip"), "b.eml", m1)
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{{"/a.zip", 0, "", zip.ErrFormat}, {"/b.eml", 1, "eml", nil}})
	})
	t.Run("symbolic links", func(t *testing.T) {
		outside := t.TempDir()
		writeTree(t, outside, "secret.eml", m1)
		dir := t.TempDir()
		writeTree(t, dir, "b.eml", m1, "sub/c.eml", m1)
		require.NoError(t, os.Symlink(filepath.Join(outside, "secret.eml"), filepath.Join(dir, "a-out.eml")), "symlink out")
		require.NoError(t, os.Symlink("b.eml", filepath.Join(dir, "a-in.eml")), "symlink in")
		require.NoError(t, os.Symlink("sub", filepath.Join(dir, "a-dir")), "symlink to a folder")
		require.NoError(t, os.Symlink("missing", filepath.Join(dir, "a-dangling")), "dangling symlink")
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{
			{"/a-dangling", 0, "", fs.ErrNotExist},
			{"/a-dir", 0, "", ErrNotMail},
			{"/a-in.eml", 1, "eml", nil},
			{"/a-out.eml", 0, "", errAny},
			{"/b.eml", 1, "eml", nil},
			{"/sub/c.eml", 1, "eml", nil},
		})
		assert.Contains(t, got[3].Err.Error(), "a-out.eml", "the refusal names the link")
		assert.Nil(t, got[3].Raw, "nothing is read through a link out of the tree")
	})
	t.Run("unreadable file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		dir := t.TempDir()
		writeTree(t, dir, "a.eml", m1, "b.eml", m1)
		require.NoError(t, os.Chmod(filepath.Join(dir, "a.eml"), 0), "chmod")
		got := collect(t, dir, nil)
		checkRecords(t, dir, got, []record{{"/a.eml", 0, "", fs.ErrPermission}, {"/b.eml", 1, "eml", nil}})
	})
}

// sparse makes a file of size bytes starting with head, the rest a hole.
func sparse(t *testing.T, p, head string, size int64) {
	t.Helper()
	f, err := os.Create(p)
	require.NoError(t, err, "create %s", p)
	_, err = f.WriteString(head)
	require.NoError(t, err, "write %s", p)
	require.NoError(t, f.Truncate(size), "truncate %s to %d bytes (sparse)", p, size)
	require.NoError(t, f.Close(), "close %s", p)
}

func TestWalkHugeFilesWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	const size = 2 << 30
	sparse(t, filepath.Join(dir, "b.eml"), "Subject: huge\nFrom: a@example.com\n\n", size)
	sparse(t, filepath.Join(dir, "c.bin"), "", size)
	sparse(t, filepath.Join(dir, "d.bin"), "From ", size)
	writeTree(t, dir, "e.eml", mail("one", "Hello.\n"))
	got := collect(t, dir, nil)
	checkRecords(t, dir, got, []record{
		{"/b.eml", 1, "eml", ErrTooLarge}, {"/c.bin", 0, "", ErrNotMail}, {"/d.bin", 0, "", ErrNotMail}, {"/e.eml", 1, "eml", nil},
	})
	assert.Equal(t, int64(size), got[0].Size, "Size of the 2 GB eml")
	assert.Empty(t, got[0].SHA256, "a single-message file over the cap is not read")
}

func TestWalkHugeMbox(t *testing.T) {
	// Reading 2 GB takes tens of seconds on a slow disk; the mbox package
	// streams a generated 2 GB line in every run, and TestWalkMemoryBounded
	// walks a 256 MiB message.
	if os.Getenv("LEAKPROOF_SLOW_TESTS") == "" {
		t.Skip("set LEAKPROOF_SLOW_TESTS=1 to walk a 2 GB mbox")
	}
	dir := t.TempDir()
	const size = 2 << 30
	sparse(t, filepath.Join(dir, "a.mbox"), sepA+"\nSubject: huge\nFrom: a@example.com\n\n", size)
	writeTree(t, dir, "b.eml", mail("one", "Hello.\n"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := collect(t, dir, nil)
	runtime.ReadMemStats(&after)
	checkRecords(t, dir, got, []record{{"/a.mbox", 1, "mbox", ErrTooLarge}, {"/b.eml", 1, "eml", nil}})
	assert.Equal(t, size-int64(len(sepA))-1, got[0].Size, "Size of the 2 GB mbox message")
	// Bound: one capped message buffer (100 MiB, grown by doubling) plus
	// small change; never the 2 GB.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(400<<20), "bytes allocated walking a 2 GB message")
}

func TestWalkMemoryBounded(t *testing.T) {
	// A 256 MiB message over a 1 MiB cap allocates about the cap, not the
	// message.
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "a.mbox"))
	require.NoError(t, err, "create")
	_, err = f.WriteString(sepA + "\nSubject: big\nFrom: a@example.com\n\n")
	require.NoError(t, err, "write")
	require.NoError(t, f.Truncate(256<<20), "truncate (sparse)")
	require.NoError(t, f.Close(), "close")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := collect(t, dir, &Options{MaxMessageSize: 1 << 20})
	runtime.ReadMemStats(&after)
	require.Len(t, got, 1, "one record")
	assert.ErrorIs(t, got[0].Err, ErrTooLarge, "the message is over the cap")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "bytes allocated reading a 256 MiB message with a 1 MiB cap")
}

func TestWalkStops(t *testing.T) {
	dir := t.TempDir()
	m1 := mail("one", "Hello.\n")
	writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", m1, m1, m1), "b.eml", m1)
	n := 0
	for range Walk(t.Context(), dir, nil) {
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n, "breaking out of the range stops the walk")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n = 0
	for range Walk(ctx, dir, nil) {
		n++
		cancel()
	}
	assert.Equal(t, 1, n, "a cancelled context stops the walk before the next record")
}

func TestWalkErrorsWrap(t *testing.T) {
	err := wrapErr("x/y.zip/a.eml", "message 2 at offset 10", ErrTooLarge)
	assert.Equal(t, "archive: x/y.zip/a.eml: message 2 at offset 10: message larger than the size cap", err.Error(), "error text")
	assert.True(t, errors.Is(err, ErrTooLarge), "the error wraps its sentinel")
}

func TestWalkNamedFileShapedLikeMail(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content string
		want          bool // read as a message
	}{
		{"empty", "", true},
		{"no header", "\nHey gang,\nThis is a test.\n", true},
		{"no header crlf", "\r\nbody\r\n", true},
		{"one unknown field", "X-Note: kept\n\nbody\n", true},
		{"prose with a colon", "Shopping list:\n- milk\n", false},
		{"prose", "Dear diary,\n", false},
		{"binary", "\x00\x01\x02", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o644), "writing %s", path)
			var got []*Message
			for m := range Walk(t.Context(), path, nil) {
				got = append(got, m)
			}
			require.Len(t, got, 1, "Walk(%q) records", tt.content)
			if tt.want {
				assert.NoError(t, got[0].Err, "Walk(%q): a named message-shaped file is read", tt.content)
				assert.Equal(t, 1, got[0].Index, "Walk(%q) index", tt.content)
				assert.Equal(t, tt.content, string(got[0].Raw), "Walk(%q) raw", tt.content)
				assert.NotEmpty(t, got[0].Notes, "Walk(%q) notes why it was read", tt.content)
			} else {
				assert.ErrorIs(t, got[0].Err, ErrNotMail, "Walk(%q): skipped as not mail", tt.content)
			}
		})
	}
	// Inside a walked folder the heuristics stand: the same shapes are skipped.
	for m := range Walk(t.Context(), dir, nil) {
		assert.ErrorIs(t, m.Err, ErrNotMail, "inside a folder %s is not mail", m.File)
	}
}

func TestWalkZipDuplicateNames(t *testing.T) {
	genuine := []byte("From: a@example.com\r\nSubject: genuine\r\n\r\nhi\r\n")
	forged := []byte("From: a@example.com\r\nSubject: forged\r\n\r\nhi\r\n")
	other := []byte("From: b@example.com\r\nSubject: other\r\n\r\nyo\r\n")
	path := filepath.Join(t.TempDir(), "dump.zip")
	require.NoError(t, os.WriteFile(path, zipOf(t, "a.eml", genuine, "b.eml", other, "a.eml", forged), 0o644), "writing the zip")
	var got []*Message
	for m := range Walk(t.Context(), path, nil) {
		require.NoError(t, m.Err, "Walk record %s", m.File)
		got = append(got, m)
	}
	require.Len(t, got, 3, "every entry is read, duplicates included")
	assert.Equal(t, path+"/a.eml", got[0].File, "first a.eml")
	assert.Equal(t, path+"/a.eml", got[1].File, "second a.eml")
	assert.Equal(t, string(genuine), string(got[0].Raw), "directory order is kept among duplicates")
	assert.Equal(t, string(forged), string(got[1].Raw), "directory order is kept among duplicates")
	for i, m := range got[:2] {
		require.Len(t, m.Notes, 1, "a duplicate entry is noted")
		assert.Contains(t, m.Notes[0], fmt.Sprintf("2 entries that unzip writes to \"a.eml\"; this is number %d", i+1), "the note says which duplicate")
		assert.Equal(t, [2]int{i + 1, 2}, [2]int{m.Entry, m.Entries}, "Entry and Entries say which duplicate")
	}
	assert.Empty(t, got[2].Notes, "a unique entry has no note")
	assert.Equal(t, [2]int{0, 0}, [2]int{got[2].Entry, got[2].Entries}, "a unique entry has no Entry")
}

// TestWalkZipEquivalentNames: names unzip writes to one file are
// duplicates too ("./a.eml", "a.eml\x00evil" and "a.eml"; "x/../b.eml" and
// "x/b.eml", as unzip drops ".." parts instead of resolving them), numbered
// in the zip's directory order whatever the walk order; a name that
// differs only in letter case is noted.
func TestWalkZipEquivalentNames(t *testing.T) {
	msg := func(s string) []byte { return []byte("From: a@example.com\r\nSubject: " + s + "\r\n\r\nhi\r\n") }
	path := filepath.Join(t.TempDir(), "dump.zip")
	require.NoError(t, os.WriteFile(path, zipOf(t, "./a.eml", msg("first"), "a.eml\x00evil", msg("second"), "a.eml", msg("third"),
		"x/../b.eml", msg("dotdot"), "x/b.eml", msg("xb"), "C.eml", msg("upper"), "c.eml", msg("lower")), 0o644))
	entry := map[string][2]int{}
	notes := map[string]string{}
	for m := range Walk(t.Context(), path, nil) {
		require.NoError(t, m.Err, "Walk record %s", m.File)
		subject := string(m.Raw[bytes.Index(m.Raw, []byte("Subject: "))+9 : bytes.Index(m.Raw, []byte("\r\n\r\n"))])
		entry[subject] = [2]int{m.Entry, m.Entries}
		notes[subject] = strings.Join(m.Notes, "; ")
	}
	assert.Equal(t, [2]int{1, 3}, entry["first"], "./a.eml is the first of three")
	assert.Equal(t, [2]int{2, 3}, entry["second"], "a.eml NUL evil the second")
	assert.Equal(t, [2]int{3, 3}, entry["third"], "a.eml the third, the one unzip keeps")
	assert.Contains(t, notes["first"], "not a plain relative path")
	assert.Contains(t, notes["second"], "not a plain relative path")
	assert.Contains(t, notes["third"], "3 entries that unzip writes to \"a.eml\"; this is number 3")
	assert.Equal(t, [2]int{1, 2}, entry["dotdot"], "x/../b.eml lands in x/b.eml")
	assert.Equal(t, [2]int{2, 2}, entry["xb"], "x/b.eml the second, the one unzip keeps")
	for _, s := range []string{"upper", "lower"} {
		assert.Equal(t, [2]int{0, 0}, entry[s], "case-only twins are not the same name")
		assert.Contains(t, notes[s], "but for letter case", "but they are noted")
	}
}

// TestWalkZipNamesThatLookTheSame: names a Mac or Windows takes for one
// file, and that look the same on screen (NFC and NFD, a trailing dot or
// space), are duplicates like "./a.eml" and "a.eml", numbered in the
// zip's directory order.
func TestWalkZipNamesThatLookTheSame(t *testing.T) {
	msg := func(s string) []byte { return []byte("From: a@example.com\r\nSubject: " + s + "\r\n\r\nhi\r\n") }
	path := filepath.Join(t.TempDir(), "dump.zip")
	require.NoError(t, os.WriteFile(path, zipOf(t, "Caf\u00e9/r\u00e9sum\u00e9.eml", msg("nfc"), "Cafe\u0301/re\u0301sume\u0301.eml", msg("nfd"),
		"b.eml", msg("b"), "b.eml.", msg("b dot"), "b.eml ", msg("b space"), "B.eml", msg("upper")), 0o644))
	entry := map[string][2]int{}
	notes := map[string]string{}
	for m := range Walk(t.Context(), path, nil) {
		require.NoError(t, m.Err, "Walk record %s", m.File)
		subject := string(m.Raw[bytes.Index(m.Raw, []byte("Subject: "))+9 : bytes.Index(m.Raw, []byte("\r\n\r\n"))])
		entry[subject] = [2]int{m.Entry, m.Entries}
		notes[subject] = strings.Join(m.Notes, "; ")
	}
	assert.Equal(t, [2]int{1, 2}, entry["nfc"], "the composed name is the first of two")
	assert.Equal(t, [2]int{2, 2}, entry["nfd"], "the decomposed name, as macOS writes it, the second")
	assert.Contains(t, notes["nfd"], "differ only in Unicode normalisation or in spaces or dots at the end of a part); this is number 2")
	assert.Equal(t, [2]int{1, 3}, entry["b"], "b.eml is the first of three")
	assert.Equal(t, [2]int{2, 3}, entry["b dot"], "b.eml. is b.eml on Windows")
	assert.Equal(t, [2]int{3, 3}, entry["b space"], "b.eml with a trailing space is b.eml on Windows")
	assert.Equal(t, [2]int{0, 0}, entry["upper"], "a case-only twin is not the same name")
	assert.Contains(t, notes["upper"], "but for letter case", "but it is noted")
}

func TestCollisionName(t *testing.T) {
	for in, want := range map[string]string{
		"a.eml": "a.eml", "./a.eml": "a.eml", "a.eml.": "a.eml", "a.eml .. ": "a.eml", "x. /a.eml": "x/a.eml",
		"Cafe\u0301.eml": "Caf\u00e9.eml", "Caf\u00e9.eml": "Caf\u00e9.eml", "A.eml": "A.eml", "a.eml\x00.": "a.eml",
	} {
		assert.Equal(t, want, CollisionName(in), "CollisionName(%q)", in)
	}
}

// TestWalkByteOrderMark: a UTF-8 byte-order mark at the start of an mbox
// file, of a message after its separator line, or of an .eml file is
// reported with BOM; Raw, Offset and SHA256 stay those of the stored
// bytes, and no message is lost.
func TestWalkByteOrderMark(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	dir := t.TempDir()
	m1, m2 := mail("one", "Hello.\n"), mail("two", "Bye.\n")
	writeTree(t, dir,
		"file.mbox", append([]byte(bom), mboxOf(sepA, "\r\n", m1, m2)...),
		"message.mbox", []byte(sepA+"\n"+bom+string(m1)+"\n"+sepA+"\n"+string(m2)),
		"one.eml", append([]byte(bom), m1...),
		"sub/zipped.zip", zipOf(t, "in.eml", append([]byte(bom), m2...)))
	got := collect(t, dir, nil)
	checkRecords(t, dir, got, []record{
		{"/file.mbox", 1, FormatMbox, nil}, {"/file.mbox", 2, FormatMbox, nil},
		{"/message.mbox", 1, FormatMbox, nil}, {"/message.mbox", 2, FormatMbox, nil},
		{"/one.eml", 1, FormatEML, nil},
		{"/sub/zipped.zip/in.eml", 1, FormatEML, nil},
	})
	checkCustody(t, got)
	var marked []bool
	for _, m := range got {
		marked = append(marked, m.BOM)
	}
	assert.Equal(t, []bool{true, false, true, false, true, true}, marked, "BOM of each record")
	assert.Equal(t, int64(len(bom)+len(sepA)+2), got[0].Offset, "the first message of file.mbox starts after the mark and its separator line")
	assert.Equal(t, bom, string(got[4].Raw[:3]), "an .eml's Raw is the whole stored file, mark included")
}

func TestExtractedName(t *testing.T) {
	for in, want := range map[string]string{
		"a.eml": "a.eml", "./a.eml": "a.eml", "/x/y/a.eml": "x/y/a.eml", "x/../a.eml": "x/a.eml",
		"x/y/../../y/a.eml": "x/y/y/a.eml", `x\a.eml`: "x/a.eml", "a.eml\x00evil": "a.eml", "x//a.eml": "x/a.eml", "../../a.eml": "a.eml",
	} {
		assert.Equal(t, want, ExtractedName(in), "ExtractedName(%q)", in)
	}
}

// TestWalkNamedFileWithJunkFirstLine: a message named directly is read
// even when a junk line is put in front of its header, so that a doctored
// message cannot escape its verdict that way.
func TestWalkNamedFileWithJunkFirstLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doctored.eml")
	require.NoError(t, os.WriteFile(path, []byte("X\nDKIM-Signature: v=1; d=example.com\nFrom: a@example.com\n\nhi\n"), 0o644), "writing the file")
	var got []*Message
	for m := range Walk(t.Context(), path, nil) {
		got = append(got, m)
	}
	require.Len(t, got, 1, "one record")
	require.NoError(t, got[0].Err, "read as a message, not skipped as not mail")
	assert.Contains(t, strings.Join(got[0].Notes, "; "), "named directly", "with a note saying why")
	assert.True(t, got[0].Forced, "and marked as forced")
}

// TestWalkFolderEmlWithJunkFirstLine: in a folder walk, a .eml file with a
// junk line in front of its header is read (forced), not skipped; a .log
// file of the same bytes is skipped.
func TestWalkFolderEmlWithJunkFirstLine(t *testing.T) {
	dir := t.TempDir()
	body := []byte("----- Original Message -----\nDKIM-Signature: v=1; d=example.com\nFrom: a@example.com\n\nhi\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "doctored.eml"), body, 0o644), "writing the .eml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "quoted.log"), body, 0o644), "writing the .log")
	read := map[string]bool{}
	for m := range Walk(t.Context(), dir, nil) {
		read[filepath.Base(m.File)] = m.Err == nil && m.Forced
	}
	assert.True(t, read["doctored.eml"], "the .eml is read, forced")
	assert.False(t, read["quoted.log"], "the .log is not mail")
}
