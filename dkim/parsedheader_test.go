package dkim_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

func TestParseHeader(t *testing.T) {
	for _, tt := range []struct {
		name      string
		msg       string
		names     []string // Name() of each line, "" for a line with no colon
		values    []string
		body      int
		separator bool
	}{
		{"CRLF", "From: a@b.c\r\nSubject: hi\r\n there\r\n\r\nbody\r\n", []string{"From", "Subject"}, []string{" a@b.c", " hi\r\n there"}, 36, true},
		{"LF", "From: a@b.c\n\nbody\n", []string{"From"}, []string{" a@b.c"}, 13, true},
		{"space before colon", "From : a@b.c\n\n", []string{"From"}, []string{" a@b.c"}, 14, true},
		{"no colon line", "From: a@b.c\nnot a field\n\n", []string{"From", ""}, []string{" a@b.c", ""}, 25, true},
		{"header only", "From: a@b.c\nTo: d@e.f\n", []string{"From", "To"}, []string{" a@b.c", " d@e.f"}, 22, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := dkim.ParseHeader([]byte(tt.msg))
			require.NoError(t, h.Err(), "ParseHeader(%q).Err()", tt.msg)
			require.Equal(t, len(tt.names), h.Len(), "ParseHeader(%q).Len()", tt.msg)
			for i := range h.Len() {
				f := h.Field(i)
				if tt.names[i] == "" {
					assert.Equal(t, -1, f.Colon, "line %d has no colon", i)
					assert.Nil(t, f.Value(), "line %d: no value without a colon", i)
					continue
				}
				assert.Equal(t, tt.names[i], f.Name(), "Field(%d).Name()", i)
				assert.Equal(t, tt.values[i], string(f.Value()), "Field(%d).Value()", i)
				assert.Equal(t, tt.msg[f.Offset:f.Offset+len(f.Raw)], string(f.Raw), "Field(%d).Raw sits at Offset", i)
			}
			assert.Equal(t, tt.body, h.BodyOffset(), "BodyOffset")
			assert.Equal(t, tt.separator, h.HasSeparator(), "HasSeparator")
			assert.Equal(t, tt.msg, string(h.Message()), "Message")
		})
	}
}

// TestParseHeaderPastTheCaps: a header past the caps keeps what was read,
// says so, and VerifyHeader refuses it as VerifyBytes does.
func TestParseHeaderPastTheCaps(t *testing.T) {
	msg := []byte("From: a@b.c\r\n" + strings.Repeat("X-Junk: y\r\n", 20001) + "\r\nbody\r\n")
	h := dkim.ParseHeader(msg)
	require.ErrorIs(t, h.Err(), dkim.ErrHeaderTooLarge, "Err")
	assert.Positive(t, h.Len(), "the fields read so far are kept")
	_, err := dkim.VerifyHeader(t.Context(), h, nil)
	assert.ErrorIs(t, err, dkim.ErrHeaderTooLarge, "VerifyHeader")
	_, err = dkim.VerifyBytes(t.Context(), msg, nil)
	assert.ErrorIs(t, err, dkim.ErrHeaderTooLarge, "VerifyBytes")
}
