package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tarFile is one entry of a test tar: a regular file unless typ says
// otherwise.
type tarFile struct {
	name string
	body []byte
	typ  byte
	link string
}

// tarOf builds a tar (PAX where a name needs it) with the entries in the
// given order.
func tarOf(t testing.TB, files ...tarFile) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: f.name, Typeflag: typ, Linkname: f.link, Mode: 0o644}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(f.body))
		}
		require.NoError(t, tw.WriteHeader(hdr), "tar WriteHeader %s", f.name)
		if typ == tar.TypeReg {
			_, err := tw.Write(f.body)
			require.NoError(t, err, "tar Write %s", f.name)
		}
	}
	require.NoError(t, tw.Close(), "tar Close")
	return b.Bytes()
}

// gz compresses b with gzip.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, err := zw.Write(b)
	require.NoError(t, err, "gzip Write")
	require.NoError(t, zw.Close(), "gzip Close")
	return out.Bytes()
}

// bz2Mbox is an mbox of two messages compressed with bzip2, which the
// standard library cannot write: made with
//
//	printf 'From a@example.com Tue Mar  1 10:00:00 2016\nFrom: a@example.com\nSubject: one\n\nHi.\n\nFrom b@example.org Tue Mar  1 11:00:00 2016\nFrom: b@example.org\nSubject: two\n\nBye.\n' | bzip2 -9 | xxd -p
const bz2Mbox = "425a6839314159265359e040f0500000235f8000104001711051420c003a" +
	"b7d6e02000682553c51a7a9a00000015514d0fd501a681e91a1e29bb62ca" +
	"8e26d9f2391225042152a221acb2130c158a4ee0a2aa687d6b961466e694" +
	"2699628d4abb317ec17a957a28f98ac68975277ba0cb266421521b6cbb4f" +
	"25ff8bb9229c28487020782800"

const bz2MboxText = "From a@example.com Tue Mar  1 10:00:00 2016\nFrom: a@example.com\nSubject: one\n\nHi.\n\n" +
	"From b@example.org Tue Mar  1 11:00:00 2016\nFrom: b@example.org\nSubject: two\n\nBye.\n"

func TestWalkTar(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	m2 := mail("two", "Quoted:\n>From here.\n")
	m3 := mail("three", "Bye.\n")
	box := mboxOf(sepA, "\n", m1, m2)
	maildir := []tarFile{
		{name: "mail/", typ: tar.TypeDir},
		{name: "mail/new/2", body: m2},
		{name: "mail/tmp/3", body: m3}, // in delivery: skipped
		{name: "mail/cur/1:2,S", body: m1},
		{name: "box.mbox", body: box},
		{name: "notes.txt", body: []byte("milk, eggs\n")},
		{name: "link.eml", typ: tar.TypeSymlink, link: "/etc/passwd"},
		{name: "hard.eml", typ: tar.TypeLink, link: "mail/new/2"},
		{name: "fifo", typ: tar.TypeFifo},
		{name: "a.emlx", body: emlxOf(m3)},
	}
	// Archive order, not sorted; tmp/ skipped because cur/ and new/ exist.
	maildirRecords := func(base string) []record {
		return []record{
			{base + "/mail/new/2", 1, "eml", nil},
			{base + "/mail/cur/1:2,S", 1, "eml", nil},
			{base + "/box.mbox", 1, "mbox", nil},
			{base + "/box.mbox", 2, "mboxrd", nil},
			{base + "/notes.txt", 0, "", ErrNotMail},
			{base + "/link.eml", 0, "", ErrNotMail},
			{base + "/hard.eml", 0, "", ErrNotMail},
			{base + "/fifo", 0, "", ErrNotMail},
			{base + "/a.emlx", 1, "emlx", nil},
		}
	}
	plain := tarOf(t, maildir...)
	bz, err := hex.DecodeString(bz2Mbox)
	require.NoError(t, err, "bz2Mbox is hex")
	for _, tt := range []struct {
		name, file string
		data       []byte
		opts       *Options
		want       []record
	}{
		{"tar", "x.tar", plain, nil, maildirRecords("/x.tar")},
		{"tar.gz", "x.tar.gz", gz(t, plain), nil, maildirRecords("/x.tar.gz")},
		{"named by content", "x.bin", gz(t, plain), nil, maildirRecords("/x.bin")},
		{"tar -C dir .", "x.tar", tarOf(t, tarFile{name: "./", typ: tar.TypeDir}, tarFile{name: "./mail/cur/1", body: m1},
			tarFile{name: "./mail/tmp/2", body: m2}, tarFile{name: "./mail/new/3", body: m3}), nil,
			[]record{{"/x.tar/./mail/cur/1", 1, "eml", nil}, {"/x.tar/./mail/new/3", 1, "eml", nil}}},
		{"mbox.gz", "x.mbox.gz", gz(t, box), nil, []record{{"/x.mbox.gz", 1, "mbox", nil}, {"/x.mbox.gz", 2, "mboxrd", nil}}},
		{"eml.gz", "x.eml.gz", gz(t, m1), nil, []record{{"/x.eml.gz", 1, "eml", nil}}},
		{"text.gz", "x.txt.gz", gz(t, []byte("not mail\n")), nil, []record{{"/x.txt.gz", 0, "", ErrNotMail}}},
		{"mbox.bz2", "x.mbox.bz2", bz, nil, []record{{"/x.mbox.bz2", 1, "mbox", nil}, {"/x.mbox.bz2", 2, "mbox", nil}}},
		{"tar.gz.gz", "x.tar.gz.gz", gz(t, gz(t, tarOf(t, tarFile{name: "a.eml", body: m1}))), nil, []record{{"/x.tar.gz.gz/a.eml", 1, "eml", nil}}},
		{"names", "x.tar", tarOf(t, tarFile{name: "../up.eml", body: m1}, tarFile{name: "/abs.eml", body: m1}, tarFile{name: "ok.eml", body: m1}), nil,
			[]record{{"/x.tar/../up.eml", 1, "eml", nil}, {"/x.tar//abs.eml", 1, "eml", nil}, {"/x.tar/ok.eml", 1, "eml", nil}}},
		{"too many entries", "x.tar", plain, &Options{MaxZipEntries: 3}, []record{{"/x.tar", 0, "", ErrTooManyEntries}}},
		{"truncated tar", "x.tar", plain[:1000], nil, []record{{"/x.tar", 0, "", errAny}}},
		{"truncated gzip", "x.tgz", gz(t, plain)[:200], nil, []record{{"/x.tgz", 0, "", errAny}}},
		{"gzip bomb", "x.mbox.gz", gz(t, mboxOf(sepA, "\n", mail("big", strings.Repeat("a\n", 1<<20)))), &Options{MaxZipRatio: 10},
			[]record{{"/x.mbox.gz", 0, "", ErrZipRatio}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.file, tt.data)
			before := snapshot(t, dir)
			got := collect(t, dir, tt.opts)
			assert.Equal(t, before, snapshot(t, dir), "walking changes nothing in the tree")
			checkRecords(t, dir, got, tt.want)
			checkCustody(t, got)
			for _, m := range got {
				if m.Err == nil && !strings.Contains(m.File, "..") && !strings.Contains(m.File, "//") {
					assert.Empty(t, m.Notes, "%s: a plain name gets no note", m.File)
				}
			}
		})
	}
	t.Run("bzip2 content", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "x.mbox.bz2", bz)
		got := collect(t, dir, nil)
		require.Len(t, got, 2, "messages in the bzip2 mbox")
		want := bz2MboxText[strings.Index(bz2MboxText, "\n")+1 : strings.Index(bz2MboxText, "\nFrom b@")+1]
		assert.Equal(t, want, string(got[0].Raw), "the first message of the bzip2 mbox")
	})
	t.Run("link notes", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, "x.tar", plain)
		for _, m := range collect(t, dir, nil) {
			switch filepath.Base(m.File) {
			case "link.eml":
				assert.ErrorContains(t, m.Err, `a symbolic link to "/etc/passwd", not followed`, "symlink entry")
			case "hard.eml":
				assert.ErrorContains(t, m.Err, `a hard link to "mail/new/2"`, "hard link entry")
			case "fifo":
				assert.ErrorContains(t, m.Err, "not a regular file", "fifo entry")
			}
		}
	})
}

func TestWalkTarDuplicates(t *testing.T) {
	m1, m2 := mail("one", "Hello.\n"), mail("two", "Forged.\n")
	dir := t.TempDir()
	writeTree(t, dir, "x.tgz", gz(t, tarOf(t,
		tarFile{name: "a.eml", body: m1},
		tarFile{name: "b.eml", body: m1},
		tarFile{name: "./a.eml", body: m2},
		tarFile{name: "B.eml", body: m2},
	)))
	got := collect(t, dir, nil)
	checkRecords(t, dir, got, []record{
		{"/x.tgz/a.eml", 1, "eml", nil}, {"/x.tgz/b.eml", 1, "eml", nil}, {"/x.tgz/./a.eml", 1, "eml", nil}, {"/x.tgz/B.eml", 1, "eml", nil},
	})
	for i, want := range []struct {
		entry, entries int
		note           string
	}{
		{1, 2, `the tar holds 2 entries that tar writes to "a.eml"; this is number 1 of them`},
		{0, 0, `another entry of the tar has the name "b.eml" but for letter case`},
		{2, 2, `the tar holds 2 entries that tar writes to "a.eml"; this is number 2 of them`},
		{0, 0, `another entry of the tar has the name "B.eml" but for letter case`},
	} {
		assert.Equal(t, want.entry, got[i].Entry, "%s Entry", got[i].File)
		assert.Equal(t, want.entries, got[i].Entries, "%s Entries", got[i].File)
		assert.Contains(t, strings.Join(got[i].Notes, "\n"), want.note, "%s Notes", got[i].File)
	}
}

func TestWalkCorruptGzip(t *testing.T) {
	// A flipped byte in the CRC: no message of the stream is yielded as if
	// it were intact.
	m1 := mail("one", "Hello.\n")
	data := gz(t, tarOf(t, tarFile{name: "a.eml", body: m1}))
	data[len(data)-5] ^= 0xff
	dir := t.TempDir()
	writeTree(t, dir, "x.tgz", data, "y.eml", m1)
	got := collect(t, dir, nil)
	checkRecords(t, dir, got, []record{{"/x.tgz", 0, "", gzip.ErrChecksum}, {"/y.eml", 1, "eml", nil}})
}

func TestWalkTarInPlace(t *testing.T) {
	// A zip inside an uncompressed tar is read where it lies: not held in
	// memory, so a cap on holding does not stop it.
	m1 := mail("one", "Hello.\n")
	inner := zipOf(t, "a.eml", m1)
	dir := t.TempDir()
	writeTree(t, dir, "x.tar", tarOf(t, tarFile{name: "in.zip", body: inner}),
		"x.tgz", gz(t, tarOf(t, tarFile{name: "in.zip", body: inner})))
	got := collect(t, dir, &Options{MaxNestedSize: 16})
	checkRecords(t, dir, got, []record{
		{"/x.tar/in.zip/a.eml", 1, "eml", nil},
		{"/x.tgz/in.zip", 0, "", ErrNestedTooLarge},
	})
	checkCustody(t, got)
}

func TestDetectContainers(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	bz, _ := hex.DecodeString(bz2Mbox)
	v7 := tarOf(t, tarFile{name: "a.eml", body: m1})
	// V7 tar: no magic, the checksum recomputed.
	copy(v7[257:265], make([]byte, 8))
	sum := 0
	for i, c := range v7[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	copy(v7[148:156], fmt.Sprintf("%06o\x00 ", sum))
	badSum := tarOf(t, tarFile{name: "a.eml", body: m1})
	badSum[0] ^= 1
	for _, tt := range []struct {
		name string
		data []byte
		want Kind
	}{
		{"ustar", tarOf(t, tarFile{name: "a.eml", body: m1}), KindTar},
		{"v7 tar", v7, KindTar},
		{"bad checksum", badSum, KindNotMail},
		{"zero block", make([]byte, 1024), KindNotMail},
		{"short", tarOf(t, tarFile{name: "a.eml", body: m1})[:511], KindNotMail},
		{"gzip", gz(t, m1), KindGzip},
		{"bzip2", bz, KindBzip2},
		{"bzip2 magic only", []byte("BZh9"), KindNotMail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detect(tt.data), "Detect(%s)", tt.name)
		})
	}
}

func TestWalkTarFileChanged(t *testing.T) {
	// A tar whose second pass fails (the file changed, a disk error) gives
	// an error record naming the tar.
	m1 := mail("one", "Hello.\n")
	data := tarOf(t, tarFile{name: "a.eml", body: m1}, tarFile{name: "b.eml", body: m1})
	var out []*Message
	w := &walker{ctx: t.Context(), yield: func(m *Message) bool { out = append(out, m); return true }}
	opens := 0
	w.walkTar(src{name: "t.tar", size: -1, open: func() (io.ReadCloser, error) {
		if opens++; opens == 1 {
			return io.NopCloser(bytes.NewReader(data)), nil
		}
		return io.NopCloser(io.MultiReader(bytes.NewReader(data[:1536]), iotest.ErrReader(errInjected))), nil
	}}, nil)
	require.NotEmpty(t, out, "records")
	last := out[len(out)-1]
	assert.Equal(t, "t.tar", last.File, "the last record names the tar")
	assert.ErrorIs(t, last.Err, errInjected, "the last record carries the read error")
}

var errInjected = errors.New("injected read error")
