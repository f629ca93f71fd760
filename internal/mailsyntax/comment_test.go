package mailsyntax

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadComment(t *testing.T) {
	for _, tt := range []struct {
		name, in, text string
		end            int // 0 when not ok
	}{
		{"plain", "(hello) rest", "hello", 7},
		{"nested keeps inner parentheses", "(a (b) c)x", "a (b) c", 9},
		{"quoted pair", `(a \) b)`, "a ) b", 8},
		{"semicolon inside", "(x; y);", "x; y", 6},
		{"unclosed", "(a (b)", "", 0},
		{"too deep", strings.Repeat("(", maxCommentDepth+1) + strings.Repeat(")", maxCommentDepth+1), "", 0},
		{"deepest allowed", strings.Repeat("(", maxCommentDepth) + strings.Repeat(")", maxCommentDepth),
			strings.Repeat("(", maxCommentDepth-1) + strings.Repeat(")", maxCommentDepth-1), 2 * maxCommentDepth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, end, ok := readComment(tt.in, 0)
			assert.Equal(t, tt.end != 0, ok, "readComment(%q) ok", tt.in)
			assert.Equal(t, tt.text, text, "readComment(%q) text", tt.in)
			assert.Equal(t, tt.end, end, "readComment(%q) end", tt.in)
		})
	}
}

func TestUnquote(t *testing.T) {
	for _, tt := range []struct {
		name, in, text string
		end            int // 0 when not ok
	}{
		{"plain", `"a b" c`, "a b", 5},
		{"quoted pairs", `"a\"b\\c"`, `a"b\c`, 9},
		{"folding removed", "\"a\r\n b\"", "a b", 7},
		{"empty", `""`, "", 2},
		{"unclosed", `"abc`, "", 0},
		{"backslash at the end", `"abc\`, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, end, ok := unquote(tt.in, 0)
			assert.Equal(t, tt.end != 0, ok, "unquote(%q) ok", tt.in)
			assert.Equal(t, tt.text, text, "unquote(%q) text", tt.in)
			assert.Equal(t, tt.end, end, "unquote(%q) end", tt.in)
		})
	}
}
