package dkimcore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/rawheader"
)

func mustSplit(t *testing.T, msg string) *rawheader.Header {
	t.Helper()
	h, err := rawheader.Split([]byte(msg), nil)
	require.NoError(t, err, "rawheader.Split")
	return h
}

func TestSelectSignedFields(t *testing.T) {
	h := mustSplit(t, "DKIM-Signature: x\r\nFrom: a\r\nTo: b\r\nfrom : c\r\nSubject: s\r\n\r\n")
	for _, tt := range []struct {
		name    string
		names   []string
		exclude int
		want    []int
	}{
		{"bottom up", []string{"from", "from"}, 0, []int{3, 1}},
		{"oversigned", []string{"from", "from", "from"}, 0, []int{3, 1, -1}},
		{"case-insensitive", []string{"FROM", "Subject"}, 0, []int{3, 4}},
		{"absent name", []string{"cc", "to"}, 0, []int{-1, 2}},
		{"signature excluded", []string{"dkim-signature"}, 0, []int{-1}},
		{"signature included without exclude", []string{"dkim-signature"}, -1, []int{0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := SelectSignedFields(h.Fields, tt.names, tt.exclude)
			assert.Equal(t, tt.want, got, "SelectSignedFields(%v)", tt.names)
		})
	}
}

func TestAppendHeaderHashInput(t *testing.T) {
	msg := "From: Joe <joe@example.com>\r\nSubject:  Hi\r\n there\r\n" +
		"DKIM-Signature: v=1; d=example.com; b=abc\r\n def;\r\n bh=xyz\r\n\r\n"
	h := mustSplit(t, msg)
	sel := SelectSignedFields(h.Fields, []string{"subject", "from"}, 2)
	got := AppendHeaderHashInput(nil, h.Fields, sel, h.Fields[2].Raw, Relaxed)
	assert.Equal(t, "subject:Hi there\r\nfrom:Joe <joe@example.com>\r\n"+
		"dkim-signature:v=1; d=example.com; b=; bh=xyz", string(got), "relaxed header hash input")
	got = AppendHeaderHashInput(nil, h.Fields, sel, h.Fields[2].Raw, Simple)
	assert.Equal(t, "Subject:  Hi\r\n there\r\nFrom: Joe <joe@example.com>\r\n"+
		"DKIM-Signature: v=1; d=example.com; b=;\r\n bh=xyz", string(got), "simple header hash input")
}

func TestStripSignatureValue(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"middle", "DKIM-Signature: a=1; b=abc; c=2\r\n", "DKIM-Signature: a=1; b=; c=2\r\n"},
		{"last keeps line ending", "DKIM-Signature: a=1; b = abc \r\n def\r\n", "DKIM-Signature: a=1; b =\r\n"},
		{"bh untouched", "DKIM-Signature: bh=xyz; b=abc\r\n", "DKIM-Signature: bh=xyz; b=\r\n"},
		{"b= inside z= untouched", "DKIM-Signature: z=Subject:ab=cd; b=abc; a=1\n", "DKIM-Signature: z=Subject:ab=cd; b=; a=1\n"},
		{"no b", "DKIM-Signature: a=1\r\n", "DKIM-Signature: a=1\r\n"},
		{"no line ending", "ARC-Seal: i=1; b=xx", "ARC-Seal: i=1; b="},
		{"no colon", "garbage b=1", "garbage b=1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			got := StripSignatureValue(in)
			assert.Equal(t, tt.want, string(got), "StripSignatureValue(%q)", tt.in)
			assert.Equal(t, tt.in, string(in), "input left unchanged")
		})
	}
}
