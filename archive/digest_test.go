package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeferDigest: a walk with DeferDigest yields the records a plain walk
// does, SHA256 and ID left empty on every message whose Raw it holds until
// Digest fills them in with the same values; a message over the size cap,
// hashed as it streams past, keeps both. DigestWith fills them in as
// Digest does, from the sum it is given.
func TestDeferDigest(t *testing.T) {
	dir := t.TempDir()
	m1, m2 := mail("one", "Hello.\nFrom the archive.\n"), mail("two", "Bye.\n")
	big := mail("big", string(bytes.Repeat([]byte("filler line\n"), 200)))
	writeTree(t, dir,
		"inbox.mbox", mboxOf(sepA, "\n", m1, big, m2),
		"crlf.mbox", mboxOf(sepA, "\r\n", m1, m2),
		"a.eml", m1,
		"dump.zip", zipOf(t, "Sent/1.eml", m2, "x.mbox", mboxOf(sepA, "\n", m1)),
		"notes.txt", []byte("no mail\n"),
	)
	opts := &Options{MaxMessageSize: 1 << 10}
	plain := collect(t, dir, opts)
	deferred := collect(t, dir, &Options{MaxMessageSize: 1 << 10, DeferDigest: true})
	require.Equal(t, len(plain), len(deferred), "records of a walk with DeferDigest")
	held := 0
	for i, m := range deferred {
		want := plain[i]
		require.Equal(t, want.File+"#"+strconv.Itoa(want.Index), m.File+"#"+strconv.Itoa(m.Index), "record %d", i)
		if m.Raw != nil {
			held++
			assert.Empty(t, m.SHA256, "%s#%d: SHA256 before Digest", m.File, m.Index)
			assert.Empty(t, m.ID, "%s#%d: ID before Digest", m.File, m.Index)
		}
		if i%2 == 1 {
			m.Digest()
		} else {
			m.DigestWith(func(raw []byte) [sha256.Size]byte {
				assert.Equal(t, m.Raw, raw, "%s#%d: DigestWith hashes Raw", m.File, m.Index)
				return sha256.Sum256(raw)
			})
		}
		m.Digest() // a second call changes nothing
		m.DigestWith(func([]byte) [sha256.Size]byte {
			t.Errorf("%s#%d: DigestWith hashes again", m.File, m.Index)
			return [sha256.Size]byte{}
		})
		assert.Equal(t, want.SHA256, m.SHA256, "%s#%d: SHA256 after Digest", m.File, m.Index)
		assert.Equal(t, want.ID, m.ID, "%s#%d: ID after Digest", m.File, m.Index)
		if want.Err == nil && m.Raw != nil {
			sum := sha256.Sum256(m.Raw)
			assert.Equal(t, hex.EncodeToString(sum[:]), m.SHA256, "%s#%d: SHA256 is that of Raw", m.File, m.Index)
		}
	}
	assert.Equal(t, 7, held, "messages whose Raw the walk holds")
	for _, m := range plain {
		before := m.SHA256 + m.ID
		m.Digest()
		m.DigestWith(func([]byte) [sha256.Size]byte {
			t.Errorf("%s#%d: DigestWith hashes a message the walk hashed", m.File, m.Index)
			return [sha256.Size]byte{}
		})
		assert.Equal(t, before, m.SHA256+m.ID, "%s#%d: Digest on a message the walk hashed changes nothing", m.File, m.Index)
	}
}

// TestWalkLines: a message read from an mbox file carries the mbox
// reader's line facts; any other has none, and its reader looks itself.
func TestWalkLines(t *testing.T) {
	dir := t.TempDir()
	m1 := mail("one", "Hello.\nFrom the archive.\n")
	writeTree(t, dir,
		"lf.mbox", mboxOf(sepA, "\n", m1),
		"crlf.mbox", []byte(sepA+"\n"+string(bytes.ReplaceAll(m1, []byte("\n"), []byte("\r\n")))+"\n"),
		"a.eml", m1,
	)
	got := map[string]*Message{}
	for _, m := range collect(t, dir, nil) {
		got[m.File[len(dir)+1:]] = m
	}
	require.NotNil(t, got["lf.mbox"].Lines, "an mbox message has Lines")
	assert.Equal(t, 1, got["lf.mbox"].Lines.Trailer, "lf.mbox: the writer's blank line")
	assert.True(t, got["lf.mbox"].Lines.BareLF, "lf.mbox: LF line endings")
	assert.True(t, got["lf.mbox"].Lines.Escaped, "lf.mbox: the escaped From line")
	require.NotNil(t, got["crlf.mbox"].Lines, "an mbox message has Lines")
	assert.Equal(t, 1, got["crlf.mbox"].Lines.Trailer, "crlf.mbox: the writer's blank line, a bare LF")
	assert.False(t, got["crlf.mbox"].Lines.BareLF, "crlf.mbox: the message's own lines are CRLF")
	assert.False(t, got["crlf.mbox"].Lines.Escaped, "crlf.mbox: the From line was left unescaped")
	assert.Nil(t, got["a.eml"].Lines, "a single-message file has no Lines")
}

// TestRelease: releasing an mbox message gives Raw back, after filling in a
// digest still left to Digest; other messages keep theirs.
func TestRelease(t *testing.T) {
	dir := t.TempDir()
	m1, m2 := mail("one", "Hello.\n"), mail("two", "Bye.\n")
	writeTree(t, dir, "inbox.mbox", mboxOf(sepA, "\n", m1, m2), "a.eml", m1)
	plain := collect(t, dir, nil)
	deferred := collect(t, dir, &Options{DeferDigest: true})
	require.Len(t, deferred, 3, "records")
	for i, m := range deferred {
		mboxMessage := m.Lines != nil
		m.Release()
		m.Release() // a second call does nothing
		assert.Equal(t, plain[i].SHA256, m.SHA256, "%s#%d: SHA256 after Release", m.File, m.Index)
		assert.Equal(t, plain[i].ID, m.ID, "%s#%d: ID after Release", m.File, m.Index)
		if mboxMessage {
			assert.Nil(t, m.Raw, "%s#%d: Raw after Release", m.File, m.Index)
		} else {
			assert.Equal(t, plain[i].Raw, m.Raw, "%s#%d: a message not read from an mbox keeps Raw", m.File, m.Index)
		}
	}
	var nilMessage *Message
	nilMessage.Release()
}
