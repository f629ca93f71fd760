package dkimcore

import (
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDKSelectFields(t *testing.T) {
	h := mustSplit(t, "Received: above\r\nDomainKey-Signature: x\r\nReceived: r1\r\nFrom: a\r\nReceived: r2\r\nTo: b\r\nnot a field\r\nSubject: s\r\n\r\n")
	for _, tt := range []struct {
		name  string
		names []string
		want  []int
	}{
		{"no h=: every line below", nil, []int{2, 3, 4, 5, 6, 7}},
		{"h= order, not header order", []string{"subject", "from"}, []int{7, 3}},
		{"one mention takes every instance", []string{"received", "from"}, []int{2, 4, 3}},
		{"repeated name: last instances one by one", []string{"received", "from", "received"}, []int{2, 3, 4}},
		{"absent names add nothing", []string{"cc", "FROM"}, []int{3}},
		{"empty h=", []string{}, []int{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DKSelectFields(h.Fields, 1, tt.names), "DKSelectFields(%q)", tt.names)
		})
	}
}

func TestDKDigest(t *testing.T) {
	sum := func(s string) []byte { d := sha1.Sum([]byte(s)); return d[:] }
	for _, tt := range []struct {
		name, msg string
		c         DKCanonicalization
		want      string // the stream hashed
	}{
		{"simple", "DomainKey-Signature: x\r\nFrom: a b\r\n\r\nHi  there\r\n\r\n\r\n", DKSimple, "From: a b\r\n\r\nHi  there\r\n"},
		{"nofws", "DomainKey-Signature: x\r\nFrom: a b\r\n c\r\n\r\nHi  there \r\n \r\nend\r\n\t\r\n", DKNoFWS, "From:abc\r\n\r\nHithere\r\n\r\nend\r\n"},
		{"empty body: no separator", "DomainKey-Signature: x\r\nFrom: a\r\n\r\n", DKSimple, "From: a\r\n"},
		{"only empty lines", "DomainKey-Signature: x\r\nFrom: a\r\n\r\n\r\n\r\n", DKSimple, "From: a\r\n"},
		{"no final line ending", "DomainKey-Signature: x\r\nFrom: a\r\n\r\nlast", DKSimple, "From: a\r\n\r\nlast"},
		{"bare LF read as CRLF", "DomainKey-Signature: x\nFrom: a\n\nline\n\n", DKSimple, "From: a\r\n\r\nline\r\n"},
		{"nofws drops a lone CR", "DomainKey-Signature: x\r\nFrom: a\r\n\r\na\rb\r\n", DKNoFWS, "From:a\r\n\r\nab\r\n"},
		{"leading empty lines kept", "DomainKey-Signature: x\r\nFrom: a\r\n\r\n\r\nbody\r\n", DKSimple, "From: a\r\n\r\n\r\nbody\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := mustSplit(t, tt.msg)
			sel := DKSelectFields(h.Fields, 0, nil)
			got := DKDigest(h.Fields, sel, []byte(tt.msg[h.BodyOffset:]), tt.c)
			assert.Equal(t, sum(tt.want), got, "DKDigest(%q) hashes %q", tt.msg, tt.want)
		})
	}
}

func TestParseDKCanonicalization(t *testing.T) {
	for in, want := range map[string]DKCanonicalization{"": DKSimple, "simple": DKSimple, " NoFWS ": DKNoFWS} {
		got, err := ParseDKCanonicalization(in)
		require.NoError(t, err, "ParseDKCanonicalization(%q)", in)
		assert.Equal(t, want, got, "ParseDKCanonicalization(%q)", in)
	}
	_, err := ParseDKCanonicalization("relaxed")
	assert.ErrorIs(t, err, ErrUnsupportedCanonicalization, "relaxed is DKIM's")
}
