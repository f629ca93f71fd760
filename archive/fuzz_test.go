package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testmail"
)

// walkBytes walks data as if it were a file named "f" and returns the
// records.
func walkBytes(data []byte, opts *Options) []*Message {
	var out []*Message
	w := &walker{ctx: context.Background(), opts: opts, yield: func(m *Message) bool {
		out = append(out, m)
		return true
	}}
	w.walkFile("f", bytes.NewReader(data), int64(len(data)), false)
	return out
}

// FuzzFile walks arbitrary bytes as one file and checks the chain of
// custody on every record: Raw is the input's Size bytes at Offset, SHA256
// is their hash, indexes count up, offsets increase, and a record without a
// message carries an error.
func FuzzFile(f *testing.F) {
	m1 := mail("one", "Hello.\nFrom the archive.\n")
	for _, seed := range [][]byte{
		nil, m1, mboxOf(sepA, "\n", m1, m1), mboxOf(sepT, "\r\n", m1), emlxOf(m1),
		[]byte("12\nFrom: a\nTo: b\n\n"), []byte("From: a\nTo: b\n\nbody"),
	} {
		f.Add(seed, int64(0))
		f.Add(seed, int64(40))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxSize int64) {
		if isContainer(Detect(data)) {
			return // FuzzZip and FuzzTar cover containers
		}
		opts := &Options{MaxMessageSize: maxSize % 4096}
		lastIndex, lastEnd := 0, int64(-1)
		for _, m := range walkBytes(data, opts) {
			if m == nil {
				t.Fatal("nil record")
			}
			if m.File != "f" {
				t.Fatalf("File %q, want f", m.File)
			}
			if m.Index == 0 {
				if m.Err == nil {
					t.Fatal("a record without a message has no error")
				}
				continue
			}
			if m.Index != lastIndex+1 {
				t.Fatalf("Index %d after %d", m.Index, lastIndex)
			}
			lastIndex = m.Index
			if m.Offset <= lastEnd || m.Offset < 0 || m.Offset+m.Size > int64(len(data)) {
				t.Fatalf("message %d: %d bytes at %d, after %d, in %d bytes", m.Index, m.Size, m.Offset, lastEnd, len(data))
			}
			lastEnd = m.Offset + m.Size - 1
			if m.Raw == nil {
				if m.Err == nil {
					t.Fatalf("message %d: no Raw and no error", m.Index)
				}
				continue
			}
			stored := data[m.Offset : m.Offset+m.Size]
			if !bytes.Equal(m.Raw, stored) {
				t.Fatalf("message %d: Raw is not the %d bytes at %d", m.Index, m.Size, m.Offset)
			}
			sum := sha256.Sum256(stored)
			if m.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("message %d: SHA256 does not match the stored bytes", m.Index)
			}
		}
	})
}

// FuzzZip walks arbitrary bytes as a zip: no panic, every record names an
// entry of the zip or the zip itself, and a message's Size is len(Raw) and
// its hash reproduces.
func FuzzZip(f *testing.F) {
	m1 := mail("one", "Hello.\n")
	f.Add(zipOf(f, "a/1.eml", m1, "b.mbox", mboxOf(sepA, "\n", m1, m1), "c.txt", []byte("x")))
	f.Add(zipOf(f, "Maildir/cur/1", m1, "Maildir/new/2", m1, "Maildir/tmp/3", m1))
	// Real structures, built by code, so that mutations start beyond the
	// first parse: zip.Writer's entries carry data descriptors; a zip64
	// end record; stored entries; entries that overlap (a small bomb);
	// a stored entry whose sizes disagree; a zip nested in a zip.
	f.Add(storedZipOf(f, "a.eml", m1, "b.eml", m1))
	var z64 testmail.RawZip
	z64.Stored("a.eml", m1)
	z64.Stored("b.mbox", mboxOf(sepA, "\n", m1, m1))
	f.Add(z64.Directory(true))
	f.Add(testmail.OverlapBomb(3, 1, m1))
	var lying testmail.RawZip
	lying.Stored("a.eml", m1)
	lying.Entries[0].USize *= 2
	f.Add(lying.Directory(false))
	f.Add(zipOf(f, "inner.zip", zipOf(f, "1.eml", m1), "2.eml", m1))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out []*Message
		w := &walker{ctx: context.Background(), opts: &Options{MaxZipEntries: 64}, yield: func(m *Message) bool {
			out = append(out, m)
			return true
		}}
		w.walkZip("z.zip", bytes.NewReader(data), int64(len(data)))
		// The central directory cap must see every directory archive/zip
		// parses, or a hostile zip could slip past it.
		if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			if _, ok := findZipDirectory(bytes.NewReader(data), int64(len(data))); !ok {
				t.Fatal("archive/zip reads a directory that findZipDirectory does not find")
			}
		}
		for _, m := range out {
			if m == nil {
				t.Fatal("nil record")
			}
			if m.File != "z.zip" && !strings.HasPrefix(m.File, "z.zip/") {
				t.Fatalf("File %q is not in z.zip", m.File)
			}
			if m.Index == 0 && m.Err == nil {
				t.Fatalf("%s: a record without a message has no error", m.File)
			}
			if errors.Is(m.Err, ErrOverlap) && (m.Raw != nil || m.Index != 0) {
				t.Fatalf("%s: an overlapping entry was read", m.File)
			}
			if m.Raw != nil {
				sum := sha256.Sum256(m.Raw)
				if int64(len(m.Raw)) != m.Size || m.SHA256 != hex.EncodeToString(sum[:]) {
					t.Fatalf("%s #%d: Size or SHA256 does not match Raw", m.File, m.Index)
				}
			}
		}
	})
}

// FuzzTar walks arbitrary bytes as a tar, gzip or bzip2 file (and what
// nests in them): no panic, every record names the file or a path in it,
// a record without a message has an error, a message's Size is len(Raw)
// and its hash reproduces, and messages come in order within each file.
func FuzzTar(f *testing.F) {
	m1 := mail("one", "Hello.\nFrom the archive.\n")
	t := tarOf(f,
		tarFile{name: "Maildir/cur/1", body: m1}, tarFile{name: "Maildir/new/2", body: m1},
		tarFile{name: "Maildir/tmp/3", body: m1}, tarFile{name: "b.mbox", body: mboxOf(sepA, "\n", m1, m1)},
		tarFile{name: "l", typ: tar.TypeSymlink, link: "../x"}, tarFile{name: "a.eml", body: m1})
	f.Add(t)
	f.Add(gz(f, t))
	f.Add(gz(f, mboxOf(sepA, "\n", m1, m1)))
	f.Add(tarOf(f, tarFile{name: "in.zip", body: zipOf(f, "a.eml", m1)}, tarFile{name: "in.tgz", body: gz(f, t)}))
	if bz, err := hex.DecodeString(bz2Mbox); err == nil {
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !isContainer(Detect(data)) {
			return // FuzzFile covers mail files
		}
		opts := &Options{MaxZipEntries: 64, MaxNestedSize: 1 << 20, MaxZipEntrySize: 8 << 20, MaxMessageSize: 1 << 20}
		lastIndex := map[string]int{}
		for _, m := range walkBytes(data, opts) {
			if m == nil {
				t.Fatal("nil record")
			}
			if m.File != "f" && !strings.HasPrefix(m.File, "f/") {
				t.Fatalf("File %q is not in f", m.File)
			}
			if m.Index == 0 {
				if m.Err == nil {
					t.Fatalf("%s: a record without a message has no error", m.File)
				}
				continue
			}
			key := fmt.Sprintf("%s#%d", m.File, m.Entry)
			if m.Index <= lastIndex[key] {
				t.Fatalf("%s: Index %d after %d", m.File, m.Index, lastIndex[key])
			}
			lastIndex[key] = m.Index
			if m.Raw != nil {
				sum := sha256.Sum256(m.Raw)
				if int64(len(m.Raw)) != m.Size || m.SHA256 != hex.EncodeToString(sum[:]) {
					t.Fatalf("%s #%d: Size or SHA256 does not match Raw", m.File, m.Index)
				}
			}
		}
	})
}
