package archive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkLoading walks root and calls Load on each message inside the loop,
// as provenance.Checker.Run does, keeping a copy of each Raw.
func walkLoading(t *testing.T, root string, opts *Options) ([]*Message, [][]byte) {
	t.Helper()
	var msgs []*Message
	var raws [][]byte
	for m := range Walk(t.Context(), root, opts) {
		deferred := m.Deferred()
		if deferred {
			assert.Nil(t, m.Raw, "%s message %d: a deferred message has no Raw before Load", m.File, m.Index)
		}
		require.NoError(t, m.Load(), "%s message %d: Load", m.File, m.Index)
		assert.False(t, m.Deferred(), "after Load")
		m.Digest()
		if m.Err == nil {
			assert.Equal(t, m.Size, int64(len(m.Raw)), "%s message %d: Size is len(Raw) (deferred %v)", m.File, m.Index, deferred)
		}
		raws = append(raws, append([]byte(nil), m.Raw...))
		m.Release()
		msgs = append(msgs, m)
	}
	return msgs, raws
}

// A message over Options.DeferLarge, in an mbox on disk, whole or split
// into shares, is read by Load to the same bytes, digest, lines and
// variant as a walk that keeps every message; one over the cap is still
// reported over it, with the digest of all its bytes; small messages are
// never deferred.
func TestWalkDeferLarge(t *testing.T) {
	big := func(subject string, n int) []byte {
		return mail(subject, strings.Repeat("A line of a long report, kept whole.\n", n))
	}
	dir := t.TempDir()
	msgs := [][]byte{
		mail("small", "Hello.\n"),
		big("large", 2000),
		mail("escaped", "From the start.\n"),
		big("large escaped", 3000),
		big("huge", 40000),
		mail("last", "Bye.\n"),
	}
	msgs[3] = append(msgs[3], "From me, again.\n"...)
	writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", msgs...))
	writeTree(t, dir, "b.mbox", mboxOf(sepA, "\r\n", msgs[1], msgs[0]))

	opts := &Options{MaxMessageSize: 1 << 20}
	want, wantRaw := walkLoading(t, dir, opts)
	dopts := &Options{MaxMessageSize: 1 << 20, DeferLarge: 4096, DeferDigest: true}
	var deferred int
	for m := range Walk(t.Context(), dir, dopts) {
		if m.Deferred() {
			deferred++
		}
		m.Release() // never loaded: Release is harmless
	}
	assert.Equal(t, 3, deferred, "messages deferred: the two large ones of a.mbox and the large one of b.mbox")

	got, gotRaw := walkLoading(t, dir, dopts)
	require.Len(t, got, len(want), "records")
	for i := range want {
		w, g := want[i], got[i]
		assert.Equal(t, w.File, g.File, "record %d File", i)
		assert.Equal(t, w.Index, g.Index, "record %d Index", i)
		assert.Equal(t, w.Offset, g.Offset, "record %d Offset", i)
		assert.Equal(t, w.Size, g.Size, "record %d Size", i)
		assert.Equal(t, w.SHA256, g.SHA256, "record %d SHA256", i)
		assert.Equal(t, w.ID, g.ID, "record %d ID", i)
		assert.Equal(t, w.Format, g.Format, "record %d Format", i)
		assert.Equal(t, w.Lines, g.Lines, "record %d Lines", i)
		assert.Equal(t, w.Notes, g.Notes, "record %d Notes", i)
		assert.Equal(t, w.Err != nil, g.Err != nil, "record %d Err %v / %v", i, w.Err, g.Err)
		assert.Equal(t, wantRaw[i], gotRaw[i], "record %d Raw", i)
	}
	// The huge one is over the 1 MiB cap either way.
	require.Greater(t, len(msgs[4]), 1<<20, "the huge message is over the cap")
	assert.ErrorIs(t, got[4].Err, ErrTooLarge, "the huge message")
	assert.Equal(t, want[4].SHA256, got[4].SHA256, "the huge message's digest covers all its bytes")

	// Split into shares at separator lines, the ranges give the same.
	var shared []*Message
	for i := 1; i <= 3; i++ {
		s, _ := walkLoading(t, filepath.Join(dir, "a.mbox"), &Options{MaxMessageSize: 1 << 20, DeferLarge: 4096,
			Share: &Share{I: i, N: 3, SplitAbove: 1}})
		shared = append(shared, s...)
	}
	require.Len(t, shared, len(msgs), "records of a.mbox over three shares")
	for i, g := range shared {
		assert.Equal(t, want[i].SHA256, g.SHA256, "share record %d SHA256", i)
		assert.Equal(t, want[i].Offset, g.Offset, "share record %d Offset", i)
	}
}

// A file cut short after the walk passed a deferred message and before
// Load read it gives the message an error wrapping ErrChanged, with the
// bytes that were still there.
func TestLoadAfterFileShrank(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.mbox")
	large := mail("large", strings.Repeat("A line of a long report, kept whole.\n", 2000))
	writeTree(t, dir, "a.mbox", mboxOf(sepA, "\n", large, mail("after", "Bye.\n")))
	var got []*Message
	for m := range Walk(t.Context(), path, &Options{DeferLarge: 4096}) {
		if m.Deferred() {
			require.NoError(t, os.Truncate(path, m.Offset+100), "truncate")
			err := m.Load()
			assert.ErrorIs(t, err, ErrChanged, "Load after the file shrank")
			assert.ErrorIs(t, m.Err, ErrChanged, "the message's Err")
			assert.Len(t, m.Raw, 100, "Raw holds what was still there")
		}
		got = append(got, m)
	}
	require.NotEmpty(t, got, "records")
	assert.ErrorIs(t, got[0].Err, ErrChanged, "the deferred message's record")
	var changed bool
	for _, m := range got {
		changed = changed || (m.Index == 0 && m.Err != nil)
	}
	assert.True(t, changed, "the file's record says it changed while it was read")
}
