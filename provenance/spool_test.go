package provenance

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Errors come back from a spool stream with what callers branch on: the
// sentinels they wrap, an archive.PathError's fields, an
// archive.UnsupportedError.
func TestSpoolErrorIdentity(t *testing.T) {
	tooLarge := &archive.PathError{Path: "leak.mbox", Index: 7, Offset: 1234, Err: fmt.Errorf("%w: 9 bytes, the cap is 4", archive.ErrTooLarge)}
	for _, tt := range []struct {
		name string
		err  error
		is   []error
	}{
		{"message too large", tooLarge, []error{archive.ErrTooLarge}},
		{"corrupt zip entry", &archive.PathError{Path: "x.zip/1.eml", Detail: "entry data at offset 30 of the zip", Err: zip.ErrChecksum}, []error{zip.ErrChecksum}},
		{"missing file", &archive.PathError{Path: "gone.mbox", Err: &fs.PathError{Op: "open", Path: "gone.mbox", Err: fs.ErrNotExist}}, []error{fs.ErrNotExist}},
		{"changed", &archive.PathError{Path: "a.mbox", Err: fmt.Errorf("%w: it was 3 bytes", archive.ErrChanged)}, []error{archive.ErrChanged}},
		{"unsupported", &archive.PathError{Path: "m.pst", Err: &archive.UnsupportedError{Format: "pst"}}, []error{archive.ErrNotMail, archive.ErrUnsupported}},
		{"internal", fmt.Errorf("%w: boom", ErrInternal), []error{ErrInternal}},
		{"plain", errors.New("something else"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			a := newAssessment(&archive.Message{File: "f"})
			a.Err = tt.err
			require.NoError(t, NewSpoolEncoder(&b).Encode(a, []byte("aux")), "Encode")
			dec := NewSpoolDecoder(&b)
			got, aux, err := dec.Decode()
			require.NoError(t, err, "Decode")
			assert.Equal(t, "aux", string(aux), "aux bytes")
			assert.Equal(t, tt.err.Error(), got.Err.Error(), "the error's text")
			for _, s := range tt.is {
				assert.ErrorIs(t, got.Err, s, "errors.Is after the round trip")
			}
			if want, ok := tt.err.(*archive.PathError); ok {
				p, ok := got.Err.(*archive.PathError)
				require.True(t, ok, "an *archive.PathError comes back as one, not %T", got.Err)
				assert.Equal(t, [4]any{want.Path, want.Index, want.Offset, want.Detail}, [4]any{p.Path, p.Index, p.Offset, p.Detail}, "its fields")
				if p.Index > 0 {
					p.Index = 8
					assert.Contains(t, p.Error(), "message 8 at offset 1234", "a renumbered message reads with its new index")
				}
			}
			if _, ok := errors.AsType[*archive.UnsupportedError](tt.err); ok {
				u, ok := errors.AsType[*archive.UnsupportedError](got.Err)
				require.True(t, ok, "errors.As finds the UnsupportedError")
				assert.Equal(t, "pst", u.Format, "its format")
			}
			_, _, err = dec.Decode()
			assert.ErrorIs(t, err, io.EOF, "the end of the stream")
		})
	}
}

// A signature's error keeps its dkim sentinel through a spool.
func TestSpoolSignatureErrors(t *testing.T) {
	c := testChecker()
	raw := testmail.MustSign(baseMessage().Bytes(), testmail.MustKey("rsa2048"), nil)
	a := c.Check(t.Context(), eml("a.eml", bytes.Replace(raw, []byte("deposit to"), []byte("dePosit to"), 1)))
	require.NotEmpty(t, a.Signatures, "a signature")
	require.ErrorIs(t, a.Signatures[0].Err, dkim.ErrBodyHashMismatch, "the altered body fails")
	var b bytes.Buffer
	require.NoError(t, NewSpoolEncoder(&b).Encode(a, nil), "Encode")
	got, _, err := NewSpoolDecoder(&b).Decode()
	require.NoError(t, err, "Decode")
	assert.ErrorIs(t, got.Signatures[0].Err, dkim.ErrBodyHashMismatch, "the sentinel after the round trip")
	assert.Equal(t, a.Signatures[0].Err.Error(), got.Signatures[0].Err.Error(), "and the text")
}

func TestSpoolDecodeDamaged(t *testing.T) {
	var b bytes.Buffer
	a := newAssessment(&archive.Message{File: "f", Index: 1})
	require.NoError(t, NewSpoolEncoder(&b).Encode(a, nil), "Encode")
	_, _, err := NewSpoolDecoder(bytes.NewReader(b.Bytes()[:b.Len()-3])).Decode()
	assert.ErrorContains(t, err, "provenance: spool: ", "a stream cut inside a record")
}
