package rawheader

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	type fieldWant struct {
		name                              string
		raw                               string
		offset                            int
		colon                             bool
		leading, spaceBefore, folded, bad bool
	}
	for _, tt := range []struct {
		name     string
		in       string
		fields   []fieldWant
		body     int
		sep      bool
		crlf     bool
		wantBody string
	}{
		{
			name: "crlf",
			in:   "From: a\r\nTo: b\r\n\r\nbody\r\n",
			fields: []fieldWant{
				{name: "From", raw: "From: a\r\n", offset: 0, colon: true},
				{name: "To", raw: "To: b\r\n", offset: 9, colon: true},
			},
			body: 18, sep: true, crlf: true, wantBody: "body\r\n",
		},
		{
			name: "lf and folding",
			in:   "Subject: a\n b\n\tc\nX: y\n\nhi",
			fields: []fieldWant{
				{name: "Subject", raw: "Subject: a\n b\n\tc\n", offset: 0, colon: true},
				{name: "X", raw: "X: y\n", offset: 17, colon: true},
			},
			body: 23, sep: true, wantBody: "hi",
		},
		{
			name: "header only without final newline",
			in:   "From: a\r\nTo: b",
			fields: []fieldWant{
				{name: "From", raw: "From: a\r\n", offset: 0, colon: true},
				{name: "To", raw: "To: b", offset: 9, colon: true},
			},
			body: 14, crlf: true, wantBody: "",
		},
		{
			name: "space before colon",
			in:   "From : a\r\n\r\n",
			fields: []fieldWant{
				{name: "From", raw: "From : a\r\n", colon: true, spaceBefore: true},
			},
			body: 12, sep: true, crlf: true,
		},
		{
			name: "folded name",
			in:   "From\r\n : a\r\n\r\n",
			fields: []fieldWant{
				{name: "From", raw: "From\r\n : a\r\n", colon: true, spaceBefore: true, folded: true},
			},
			body: 14, sep: true, crlf: true,
		},
		{
			name: "leading whitespace first line",
			in:   " From: evil\r\nFrom: good\r\n\r\n",
			fields: []fieldWant{
				{name: "From", raw: " From: evil\r\n", colon: true, leading: true},
				{name: "From", raw: "From: good\r\n", offset: 13, colon: true},
			},
			body: 27, sep: true, crlf: true,
		},
		{
			name: "no colon line and 8-bit name",
			in:   "garbage line\r\nFr\xc3\xb6m: x\r\n\r\n",
			fields: []fieldWant{
				{name: "garbage line", raw: "garbage line\r\n", bad: true},
				{name: "Fr\xc3\xb6m", raw: "Fr\xc3\xb6m: x\r\n", offset: 14, colon: true, bad: true},
			},
			body: 26, sep: true, crlf: true,
		},
		{
			name: "lone cr stays in line",
			in:   "A: x\ry\r\n\r\n",
			fields: []fieldWant{
				{name: "A", raw: "A: x\ry\r\n", colon: true},
			},
			body: 10, sep: true, crlf: true,
		},
		{
			name:   "empty message",
			in:     "",
			fields: nil,
		},
		{
			name: "body starts at once",
			in:   "\r\nbody",
			body: 2, sep: true, crlf: true, wantBody: "body",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Split([]byte(tt.in), nil)
			require.NoError(t, err, "Split(%q)", tt.in)
			require.Len(t, h.Fields, len(tt.fields), "Split(%q): field count", tt.in)
			for i, w := range tt.fields {
				f := h.Fields[i]
				assert.Equal(t, w.name, f.Name(), "field %d name", i)
				assert.True(t, f.NameEqualFold(w.name), "field %d NameEqualFold(%q)", i, w.name)
				assert.Equal(t, w.raw, string(f.Raw), "field %d raw", i)
				assert.Equal(t, w.offset, f.Offset, "field %d offset", i)
				assert.Equal(t, w.colon, f.Colon >= 0, "field %d has colon", i)
				assert.Equal(t, w.leading, f.LeadingWhitespace, "field %d leading whitespace", i)
				assert.Equal(t, w.spaceBefore, f.SpaceBeforeColon(), "field %d space before colon", i)
				assert.Equal(t, w.folded, f.FoldedName(), "field %d folded name", i)
				assert.Equal(t, w.bad, f.NonPrintableName(), "field %d non-printable name", i)
			}
			assert.Equal(t, tt.body, h.BodyOffset, "Split(%q): body offset", tt.in)
			assert.Equal(t, tt.sep, h.HasSeparator, "Split(%q): separator", tt.in)
			assert.Equal(t, tt.crlf, h.CRLF, "Split(%q): CRLF", tt.in)
			assert.Equal(t, tt.wantBody, tt.in[h.BodyOffset:], "Split(%q): body", tt.in)
		})
	}
}

func TestFieldValue(t *testing.T) {
	h, err := Split([]byte("Subject: a\r\n b\r\nNoColon\r\n\r\n"), nil)
	require.NoError(t, err, "Split")
	require.Len(t, h.Fields, 2, "field count")
	assert.Equal(t, " a\r\n b", string(h.Fields[0].Value()), "Subject value keeps folding, drops final CRLF")
	assert.Nil(t, h.Fields[1].Value(), "a field without colon has no value")
	assert.False(t, h.Fields[0].NameEqualFold("subjec"), "NameEqualFold must not match a prefix")
	assert.True(t, h.Fields[0].NameEqualFold("SUBJECT"), "NameEqualFold ignores case")
}

func TestSplitLimits(t *testing.T) {
	var b bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&b, "X-%d: v\r\n", i)
	}
	b.WriteString("\r\nbody")
	msg := b.Bytes()

	h, err := Split(msg, &Limits{MaxFields: 10})
	require.ErrorIs(t, err, ErrHeaderTooLarge, "100 fields over a cap of 10")
	assert.Len(t, h.Fields, 10, "partial result keeps the first 10 fields")

	_, err = Split(msg, &Limits{MaxHeaderBytes: 50})
	require.ErrorIs(t, err, ErrHeaderTooLarge, "header bytes over a cap of 50")

	h, err = Split(msg, nil)
	require.NoError(t, err, "default limits accept 100 fields")
	assert.Len(t, h.Fields, 100, "all fields with default limits")
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"From: a\r\nTo: b\r\n\r\nbody\r\n",
		"Subject: a\n b\n\tc\nX: y\n\nhi",
		" From: evil\r\nFrom\r\n : good\r\n\r\n",
		"no colon\rx\n\n",
		"",
		"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, err := Split(msg, &Limits{MaxFields: 1000})
		if err != nil {
			require.ErrorIs(t, err, ErrHeaderTooLarge, "only the cap error is possible")
			return
		}
		// The fields and the separator tile the header exactly, in order.
		pos := 0
		for i, f := range h.Fields {
			require.Equal(t, pos, f.Offset, "field %d starts where the previous ended", i)
			require.Equal(t, msg[f.Offset:f.Offset+len(f.Raw)], f.Raw, "field %d raw aliases msg", i)
			if f.Colon >= 0 {
				require.Equal(t, byte(':'), f.Raw[f.Colon], "field %d colon index", i)
				require.Equal(t, -1, bytes.IndexByte(f.Raw[:f.Colon], ':'), "field %d colon is the first", i)
			}
			if i > 0 {
				require.NotContains(t, []byte(" \t"), f.Raw[0], "field %d after the first does not start with WSP", i)
			}
			pos += len(f.Raw)
		}
		require.LessOrEqual(t, pos, h.BodyOffset, "body after the fields")
		require.LessOrEqual(t, h.BodyOffset, len(msg), "body offset within msg")
		if h.HasSeparator {
			sep := string(msg[pos:h.BodyOffset])
			require.Contains(t, []string{"\n", "\r\n"}, sep, "separator is an empty line")
		} else {
			require.Equal(t, len(msg), pos, "without separator the fields cover msg")
		}
	})
}
