package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/mbox"
)

// NewMessage gives the record Walk gives for a file of the same name
// holding one message, its custody filled in.
func TestNewMessage(t *testing.T) {
	m1 := mail("one", "Hello.\n")
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		raw    []byte
		format Format
		forced bool
	}{
		{"a.eml", m1, FormatEML, false},
		{"crlf.eml", mail("crlf", "Hi.\r\n"), FormatEML, false},
		{"x.emlx", emlxOf(m1), FormatEMLX, false},
		{"bom.eml", append([]byte(mbox.UTF8BOM), m1...), FormatEML, false},
		{"exchange.eml", append([]byte(ExchangePreamble+"\r\n"), m1...), FormatEML, false},
		{"junk.txt", []byte("X-Junk: 1\n\nbody\n"), FormatEML, true},
		{"empty.eml", nil, FormatEML, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMessage(tt.name, tt.raw)
			require.NotNil(t, m, "NewMessage never returns nil")
			require.NoError(t, m.Err, "NewMessage(%s)", tt.name)
			assert.Equal(t, tt.name, m.File, "File")
			assert.Equal(t, 1, m.Index, "Index")
			assert.Equal(t, tt.format, m.Format, "Format")
			assert.Equal(t, tt.forced, m.Forced, "Forced")
			assert.Equal(t, int64(len(m.Raw)), m.Size, "Size is len(Raw)")
			assert.Equal(t, tt.raw[m.Offset:m.Offset+m.Size], m.Raw, "Raw lies at Offset for Size bytes")
			assert.Len(t, m.SHA256, 64, "SHA256")
			assert.Equal(t, MessageID(m.SHA256, tt.name, 0, 1), m.ID, "ID")

			// The same bytes in a file, walked, give the same record when
			// Walk reads them as one message too.
			p := filepath.Join(dir, tt.name)
			require.NoError(t, os.WriteFile(p, tt.raw, 0o644), "writing %s", p)
			for w := range Walk(t.Context(), p, nil) {
				want := custodyOf(w)
				want.File = tt.name
				got := custodyOf(m)
				if tt.forced {
					// Walk says "named directly", NewMessage "given as one".
					want.Notes, got.Notes = "", ""
				}
				assert.Equal(t, want, got, "NewMessage(%s) and Walk of the file", tt.name)
			}
		})
	}
}

// NewMessage reads an mbox's bytes as one message, separator line and all:
// the verifier sets the line aside.
func TestNewMessageMboxBytes(t *testing.T) {
	raw := mboxOf(sepA, "\n", mail("one", "Hi.\n"))
	m := NewMessage("one.mbox", raw)
	assert.Equal(t, FormatEML, m.Format, "an mbox's bytes given as one message are eml")
	assert.Equal(t, raw, m.Raw, "Raw keeps the separator line")
	kind, n := LeadingLine(m.Raw)
	assert.Equal(t, LeadSeparator, kind, "LeadingLine finds the separator line")
	assert.Equal(t, len(sepA)+1, n, "its length")
	assert.True(t, &m.Raw[0] == &raw[0], "Raw shares the caller's bytes")
}

// A message over the size cap is a record wrapping ErrTooLarge.
func TestNewMessageTooLarge(t *testing.T) {
	raw := bytes.Repeat([]byte("x"), DefaultMaxMessageSize+1)
	m := NewMessage("big.eml", raw)
	assert.ErrorIs(t, m.Err, ErrTooLarge, "over the cap")
	assert.Nil(t, m.Raw, "no Raw over the cap")
	assert.Equal(t, int64(len(raw)), m.Size, "Size still says how large")
}
