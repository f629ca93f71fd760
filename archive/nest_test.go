package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storedZipOf builds a zip whose entries are stored, not compressed.
func storedZipOf(t testing.TB, files ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: files[i].(string), Method: zip.Store})
		require.NoError(t, err, "zip CreateHeader %s", files[i])
		_, err = w.Write(files[i+1].([]byte))
		require.NoError(t, err, "zip Write %s", files[i])
	}
	require.NoError(t, zw.Close(), "zip Close")
	return b.Bytes()
}

func TestWalkNested(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	z1 := zipOf(t, "a.eml", m1)
	z2 := zipOf(t, "z1.zip", z1)
	z3 := zipOf(t, "z2.zip", z2)
	for _, tt := range []struct {
		name, file string
		data       []byte
		opts       *Options
		want       []record
	}{
		{"zip in zip", "x.zip", z2, nil, []record{{"/x.zip/z1.zip/a.eml", 1, "eml", nil}}},
		{"stored zip in zip", "x.zip", storedZipOf(t, "in.zip", storedZipOf(t, "a.eml", m1)), &Options{MaxNestedSize: 16},
			[]record{{"/x.zip/in.zip/a.eml", 1, "eml", nil}}},
		{"three levels", "x.zip", z3, nil, []record{{"/x.zip/z2.zip/z1.zip/a.eml", 1, "eml", nil}}},
		{"four levels", "x.zip", zipOf(t, "z3.zip", z3), nil, []record{{"/x.zip/z3.zip/z2.zip/z1.zip", 0, "", ErrTooDeep}}},
		{"depth 1", "x.zip", z2, &Options{MaxDepth: 1}, []record{{"/x.zip/z1.zip", 0, "", ErrTooDeep}}},
		{"tar in zip", "x.zip", zipOf(t, "t.tar", tarOf(t, tarFile{name: "a.eml", body: m1})), nil, []record{{"/x.zip/t.tar/a.eml", 1, "eml", nil}}},
		{"tgz in zip", "x.zip", zipOf(t, "t.tgz", gz(t, tarOf(t, tarFile{name: "a.eml", body: m1}))), nil, []record{{"/x.zip/t.tgz/a.eml", 1, "eml", nil}}},
		{"zip in tgz", "x.tgz", gz(t, tarOf(t, tarFile{name: "in.zip", body: z1}, tarFile{name: "b.eml", body: m1})), nil,
			[]record{{"/x.tgz/in.zip/a.eml", 1, "eml", nil}, {"/x.tgz/b.eml", 1, "eml", nil}}},
		{"tar in tar", "x.tar", tarOf(t, tarFile{name: "in.tar", body: tarOf(t, tarFile{name: "a.eml", body: m1})}), nil,
			[]record{{"/x.tar/in.tar/a.eml", 1, "eml", nil}}},
		{"mbox.gz in tgz", "x.tgz", gz(t, tarOf(t, tarFile{name: "in.mbox.gz", body: gz(t, mboxOf(sepA, "\n", m1, m1))})), nil,
			[]record{{"/x.tgz/in.mbox.gz", 1, "mbox", nil}, {"/x.tgz/in.mbox.gz", 2, "mbox", nil}}},
		{"zip in zip.gz", "x.zip.gz", gz(t, z2), nil, []record{{"/x.zip.gz/z1.zip/a.eml", 1, "eml", nil}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.file, tt.data)
			got := collect(t, dir, tt.opts)
			checkRecords(t, dir, got, tt.want)
			checkCustody(t, got)
		})
	}
}

func TestWalkNestedDuplicates(t *testing.T) {
	// Two zip entries named in.zip, each a zip: the records of the nested
	// messages say which of the two holds them.
	m1, m2 := mail("one", "Hello.\n"), mail("two", "Forged.\n")
	dir := t.TempDir()
	writeTree(t, dir, "x.zip", zipOf(t, "in.zip", zipOf(t, "a.eml", m1), "in.zip", zipOf(t, "a.eml", m2)))
	got := collect(t, dir, nil)
	checkRecords(t, dir, got, []record{{"/x.zip/in.zip/a.eml", 1, "eml", nil}, {"/x.zip/in.zip/a.eml", 1, "eml", nil}})
	for i, m := range got {
		assert.Equal(t, [2]int{i + 1, 2}, [2]int{m.Entry, m.Entries}, "%s Entry and Entries", m.File)
		assert.Contains(t, strings.Join(m.Notes, "\n"), "the zip holds 2 entries that unzip writes to \"in.zip\"", "%s Notes", m.File)
	}
	assert.NotEqual(t, got[0].SHA256, got[1].SHA256, "the two records are the two messages")
}

// TestWalkNestedBomb builds a zip of 16 zips of 16 zips of 16 messages of
// 200 KiB each: 800 MiB of messages from a few KiB of zip, every entry
// within the caps on its own (the ratio counts past 1 MiB), with the
// default caps. The caps of each outer entry bound what its
// nest inflates, so the walk reads a bounded part of it: far fewer
// messages, each nest ending in a record that names it.
func TestWalkNestedBomb(t *testing.T) {
	big := mail("big", strings.Repeat("a", 200<<10))
	var files []any
	for i := range 16 {
		files = append(files, string(rune('a'+i))+".eml", big)
	}
	inner := zipOf(t, files...)
	files = nil
	for i := range 16 {
		files = append(files, string(rune('a'+i))+".zip", inner)
	}
	mid := zipOf(t, files...)
	files = nil
	for i := range 16 {
		files = append(files, string(rune('a'+i))+".zip", mid)
	}
	outer := zipOf(t, files...)
	t.Logf("outer zip: %d bytes, nominally %d messages of %d bytes", len(outer), 16*16*16, len(big))

	dir := t.TempDir()
	writeTree(t, dir, "bomb.zip", outer)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	messages, capped := 0, 0
	var inflated int64
	for m := range Walk(t.Context(), dir, nil) {
		switch {
		case m.Err == nil:
			messages++
			inflated += m.Size
		case errors.Is(m.Err, ErrZipRatio):
			capped++
			assert.True(t, strings.HasPrefix(m.File, dir+"/bomb.zip/"), "the cap record %q names a path in the bomb", m.File)
		default:
			t.Errorf("unexpected record %s: %v", m.File, m.Err)
		}
	}
	runtime.ReadMemStats(&after)
	t.Logf("%d messages (%d bytes), %d cap records, %d bytes allocated", messages, inflated, capped, after.TotalAlloc-before.TotalAlloc)
	// Each of the 16 top entries may inflate 1000 times its size, and at
	// least 1 MiB: its nest reads at most that, two passes counted.
	limit := 16 * max(int64(DefaultMaxZipRatio*len(mid)), 1<<20)
	assert.LessOrEqual(t, inflated, limit, "bytes of the messages read, under the nest caps (%d messages)", messages)
	assert.Less(t, messages, 16*16*16/10, "messages read from the bomb")
	assert.GreaterOrEqual(t, capped, 16, "each top entry's nest ends in a cap record")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4*limit+(64<<20)), "bytes allocated walking the bomb")
}

func TestWalkNestedHoldCap(t *testing.T) {
	// A deflated zip entry that is itself a zip must be held in memory:
	// over MaxNestedSize it is named, not read.
	m1 := mail("one", "Hello.\n")
	dir := t.TempDir()
	writeTree(t, dir, "x.zip", zipOf(t, "in.zip", zipOf(t, "a.eml", m1), "b.eml", m1))
	got := collect(t, dir, &Options{MaxNestedSize: 64})
	checkRecords(t, dir, got, []record{{"/x.zip/b.eml", 1, "eml", nil}, {"/x.zip/in.zip", 0, "", ErrNestedTooLarge}})
	assert.ErrorContains(t, got[1].Err, "extract it and verify it on its own", "the error says what to do")
}

func TestWalkUnsupported(t *testing.T) {
	pad := func(magic string, rest ...string) []byte {
		b := []byte(magic + strings.Join(rest, ""))
		return append(b, make([]byte, 600)...)
	}
	msgDir := string(utf16le("__substg1.0_0037001F"))
	for _, tt := range []struct {
		name, file string
		data       []byte
		want       string // the Format, "" for plain not mail
	}{
		{"pst", "a.pst", pad("!BDN\x00\x00\x00\x00SM"), "pst"},
		{"ost by content", "mailbox.dat", pad("!BDN"), "pst"},
		{"msg by content", "message", pad(string(ole2Magic), "\x00\x00", msgDir), "msg"},
		{"msg by name", "a.MSG", pad(string(ole2Magic)), "msg"},
		{"word document", "a.doc", pad(string(ole2Magic), "WordDocument"), ""},
		{"dbx", "Inbox.dbx", pad("\xcf\xad\x12\xfe\xc5\xfd\x74\x6f"), "dbx"},
		{"7z", "a.7z", pad("7z\xbc\xaf\x27\x1c"), "7z"},
		{"rar", "a.rar", pad("Rar!\x1a\x07\x00"), "rar"},
		{"xz", "a.tar.xz", pad("\xfd7zXZ\x00"), "xz"},
		{"zstd", "a.tar.zst", pad("\x28\xb5\x2f\xfd"), "zstd"},
		{"pst named .eml", "a.eml", pad("!BDN"), "pst"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.file, tt.data, "in.zip", zipOf(t, tt.file, tt.data), "in.tar", tarOf(t, tarFile{name: tt.file, body: tt.data}))
			// The file in the folder, in a zip, in a tar, and named alone.
			got := collect(t, dir, nil)
			got = append(got, collect(t, dir+"/"+tt.file, nil)...)
			require.Len(t, got, 4, "records")
			for _, m := range got {
				assert.ErrorIs(t, m.Err, ErrNotMail, "%s is skipped as not mail", m.File)
				assert.Equal(t, 0, m.Index, "%s Index", m.File)
				var u *UnsupportedError
				if tt.want == "" {
					assert.False(t, errors.As(m.Err, &u), "%s is not an unsupported mail format: %v", m.File, m.Err)
					continue
				}
				require.True(t, errors.As(m.Err, &u), "%s: Err %v is an *UnsupportedError", m.File, m.Err)
				assert.Equal(t, tt.want, u.Format, "%s Format", m.File)
				assert.ErrorIs(t, m.Err, ErrUnsupported, "%s wraps ErrUnsupported", m.File)
				assert.True(t, strings.HasPrefix(m.Err.Error(), "archive: "+m.File+": "), "%s: Err %q names the path", m.File, m.Err)
			}
		})
	}
}

func TestUnsupportedErrorText(t *testing.T) {
	for format := range unsupportedNames {
		e := &UnsupportedError{Format: format}
		assert.NotContains(t, e.Error(), "%!", "Error() of %s", format)
		assert.Contains(t, e.Error(), unsupportedNames[format], "Error() of %s names the format", format)
	}
}

// TestTarSparseInPlace checks that a sparse tar entry is not read as the
// bytes where its data starts (its pieces lie apart); a nested container
// in it is held in memory instead.
func TestTarSparseInPlace(t *testing.T) {
	assert.True(t, isSparse(&tar.Header{Typeflag: tar.TypeGNUSparse}), "GNU sparse type")
	assert.True(t, isSparse(&tar.Header{Typeflag: tar.TypeReg, PAXRecords: map[string]string{"GNU.sparse.map": "0,1"}}), "PAX sparse map")
	assert.False(t, isSparse(&tar.Header{Typeflag: tar.TypeReg}), "regular file")
}
