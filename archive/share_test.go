package archive

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShareOf(t *testing.T) {
	seen := map[int]int{}
	for i := range 1000 {
		rel := fmt.Sprintf("Inbox/%d.eml", i)
		s := ShareOf(rel, 7)
		require.GreaterOrEqual(t, s, 1, "ShareOf(%q, 7)", rel)
		require.LessOrEqual(t, s, 7, "ShareOf(%q, 7)", rel)
		assert.Equal(t, s, ShareOf(rel, 7), "ShareOf(%q, 7) is stable", rel)
		seen[s]++
	}
	for s := 1; s <= 7; s++ {
		assert.Greater(t, seen[s], 100, "share %d of 7 gets about a seventh of 1000 files", s)
	}
	assert.Equal(t, 1, ShareOf("x", 1), "one share takes everything")
	// The contract (docs/scale.md): SHA-256 of the path, big-endian, mod N.
	assert.Equal(t, 2, ShareOf("sample.mbox", 3), "ShareOf(sample.mbox, 3)")
}

func TestRangeStart(t *testing.T) {
	sep := "From a@example.com Thu Mar  3 12:00:00 2016"
	body := "Subject: x\n\nhello\nFrom the desk of nobody\n\n"
	file := sep + "\n" + body + sep + "\n" + body + sep + "\r\n" + "Subject: y\r\n\r\nhi\r\n\r\n"
	second := strings.Index(file[1:], sep) + 1
	third := strings.LastIndex(file, sep)
	for _, tt := range []struct {
		name string
		data string
		off  int64
		want int64
	}{
		{"start of file", file, 0, 0},
		{"after the start", file, 1, int64(second)},
		{"at a separator", file, int64(second), int64(second)},
		{"just past one", file, int64(second) + 1, int64(third)},
		{"crlf", file, int64(third), int64(third)},
		{"none after", file, int64(third) + 1, int64(len(file))},
		{"no blank line before", sep + "\n" + "Subject: x\n\nhi\n" + sep + "\nSubject: y\n\n", 1, int64(len(sep + "\n" + "Subject: x\n\nhi\n" + sep + "\nSubject: y\n\n"))},
		{"no header field after", sep + "\nSubject: x\n\nhi\n\n" + sep + "\nnot a field\n", 1, int64(len(sep + "\nSubject: x\n\nhi\n\n" + sep + "\nnot a field\n"))},
		{"not a separator", sep + "\nSubject: x\n\nhi\n\nFrom the Jan 2018 meeting at 10:30\nSubject: y\n", 1, int64(len(sep + "\nSubject: x\n\nhi\n\nFrom the Jan 2018 meeting at 10:30\nSubject: y\n"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rangeStart(strings.NewReader(tt.data), int64(len(tt.data)), tt.off)
			require.NoError(t, err, "rangeStart")
			assert.Equal(t, tt.want, got, "rangeStart(%d)", tt.off)
		})
	}
	// A separator past the first window, and one across two windows.
	for _, pad := range []int{300 << 10, 256<<10 - 2, 256<<10 - 1, 256 << 10, 256<<10 + 1} {
		data := sep + "\n" + "Subject: x\n\n" + strings.Repeat("x", pad) + "\n\n" + sep + "\nSubject: y\n\n"
		want := int64(strings.LastIndex(data, sep))
		got, err := rangeStart(strings.NewReader(data), int64(len(data)), 1)
		require.NoError(t, err, "rangeStart")
		assert.Equal(t, want, got, "rangeStart past %d bytes of body", pad)
	}
}

// shareRecord is a record of one share, with the unit it belongs to.
type shareRecord struct {
	unit Unit
	m    *Message
}

// walkShares walks root in n shares and puts their records together as a
// caller does: in unit order, the messages of a split file renumbered.
func walkShares(t *testing.T, walk func(*Options) iter.Seq[*Message], n int, split int64) []*Message {
	t.Helper()
	var all []shareRecord
	for i := 1; i <= n; i++ {
		var cur Unit
		opts := &Options{MaxMessageSize: 4 << 10, Share: &Share{I: i, N: n, SplitAbove: split, Unit: func(u Unit) { cur = u }}}
		for m := range walk(opts) {
			all = append(all, shareRecord{cur, m})
		}
	}
	slices.SortStableFunc(all, func(a, b shareRecord) int {
		return cmp.Or(cmp.Compare(a.unit.Seq, b.unit.Seq), cmp.Compare(a.unit.Range, b.unit.Range))
	})
	var out []*Message
	base, top, unit := 0, 0, Unit{Seq: -1}
	for _, r := range all {
		if r.unit.Seq != unit.Seq {
			base, top = 0, 0
		} else if r.unit.Range != unit.Range {
			base, top = base+top, 0
		}
		unit = r.unit
		m := r.m
		if unit.Range > 0 && m.Index > 0 {
			top = max(top, m.Index)
			m.Index += base
			m.ID = MessageID(m.SHA256, unit.Path, m.Entry, m.Index)
			if p, ok := m.Err.(*PathError); ok && p.Index > 0 {
				p.Index = m.Index
			}
		}
		out = append(out, m)
	}
	return out
}

// sameRecords checks that got are the records of want, field by field
// (but for Format, which a range decides without the ranges before it).
func sameRecords(t *testing.T, want, got []*Message, what string) {
	t.Helper()
	line := func(m *Message) string {
		return fmt.Sprintf("%s#%d id=%s entry=%d/%d at %d, %d bytes, sha256 %s, notes %q, bom %v, cl %q, err %v",
			m.File, m.Index, m.ID, m.Entry, m.Entries, m.Offset, m.Size, m.SHA256, m.Notes, m.BOM, m.ContentLengthConflict, m.Err)
	}
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = line(want[i])
		}
		if i < len(got) {
			g = line(got[i])
		}
		if w != g {
			t.Fatalf("%s: record %d of %d (%d put together from the shares):\nwant %s\ngot  %s", what, i, len(want), len(got), w, g)
		}
	}
}

func TestShareCoversWalk(t *testing.T) {
	root := filepath.Join("..", "testdata")
	dir := t.TempDir()
	var big bytes.Buffer
	m1 := mail("one", "Hello.\nFrom the archive.\n")
	for i := range 300 {
		big.Write(mboxOf(sepA, "\n", m1, mail(fmt.Sprint(i), strings.Repeat("y", i*20)+"\n")))
		big.WriteString("\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.mbox"), big.Bytes(), 0o644), "writing big.mbox")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.eml"), m1, 0o644), "writing a.eml")
	for _, path := range []string{root, dir, filepath.Join(dir, "big.mbox")} {
		want := slices.Collect(Walk(context.Background(), path, &Options{MaxMessageSize: 4 << 10}))
		for _, n := range []int{1, 2, 3, 5} {
			for _, split := range []int64{-1, 1 << 10, 64 << 10} {
				got := walkShares(t, func(o *Options) iter.Seq[*Message] { return Walk(context.Background(), path, o) }, n, split)
				sameRecords(t, want, got, fmt.Sprintf("%s in %d shares, split above %d", path, n, split))
			}
		}
	}
}

// FuzzShareRanges reads arbitrary bytes as one file in byte ranges and
// checks that the ranges hold every message of one walk, once, with the
// same bytes: a range starts only where every reading starts a message.
func FuzzShareRanges(f *testing.F) {
	m1 := mail("one", "Hello.\nFrom the archive.\n")
	for _, seed := range [][]byte{
		mboxOf(sepA, "\n", m1, m1, m1), mboxOf(sepT, "\r\n", m1, m1),
		[]byte(sepA + "\nContent-Length: 40\nSubject: x\n\nhi\n\n" + sepA + "\nSubject: y\n\nFrom a@example.com Thu Mar  3 12:00:00 2016\nTo: z\n\n"),
	} {
		f.Add(seed, uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		if Detect(data) != KindMbox {
			return
		}
		walk := func(o *Options) iter.Seq[*Message] {
			return WalkReaderAt(context.Background(), "f", bytes.NewReader(data), int64(len(data)), o)
		}
		want := slices.Collect(walk(&Options{MaxMessageSize: 4 << 10}))
		got := walkShares(t, walk, int(n%6)+1, 1)
		sameRecords(t, want, got, "ranges")
	})
}

func TestShiftOffsets(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"no offsets here", "no offsets here"},
		{"a line longer than 10 bytes starts at offset 5", "a line longer than 10 bytes starts at offset 105"},
		{"Content-Length 40 ends at offset 7, short of the next separator line at offset 9", "Content-Length 40 ends at offset 107, short of the next separator line at offset 109"},
		{"mbox: offset x: odd", "mbox: offset x: odd"},
	} {
		assert.Equal(t, tt.want, shiftOffsets(tt.in, 100), "shiftOffsets(%q, 100)", tt.in)
	}
}
