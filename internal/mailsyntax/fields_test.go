package mailsyntax

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeWords(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Hello", "Hello"},
		{"utf-8 q", "=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "Jürgen <j@example.de>"},
		{"latin-1 b", "=?iso-8859-1?b?SvxyZ2Vu?=", "Jürgen"},
		{"adjacent words joined", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
		{"unknown charset left encoded", "=?x-unknown?q?abc?=", "=?x-unknown?q?abc?="},
		{"malformed left as is", "=?utf-8?q?abc", "=?utf-8?q?abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DecodeWords(tt.in), "DecodeWords(%q)", tt.in)
		})
	}
}

func TestMessageID(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"brackets", "<abc@example.com>", "abc@example.com"},
		{"spaces and comment", "  < abc@example.com > (x)", "abc@example.com"},
		{"first of two", "<a@x> <b@y>", "a@x"},
		{"no brackets", " abc@example.com ", "abc@example.com"},
		{"unclosed", "<abc@example.com", "<abc@example.com"},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MessageID(tt.in), "MessageID(%q)", tt.in)
		})
	}
}
