package mailsyntax

import "strings"

// maxCommentDepth caps nested comments in the parsers of this package.
const maxCommentDepth = 32

// readComment reads the comment starting at s[start] == '(' (RFC 5322
// §3.2.2) and returns its text (quoted pairs resolved, nested parentheses
// kept), the index after it, and whether it was well formed: closed, and
// nested at most maxCommentDepth deep.
func readComment(s string, start int) (text string, end int, ok bool) {
	var b strings.Builder
	depth := 0
	for i := start; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '(':
			depth++
			if depth > maxCommentDepth {
				return "", 0, false
			}
			if depth > 1 {
				b.WriteByte(c)
			}
		case ')':
			depth--
			if depth == 0 {
				return b.String(), i + 1, true
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

// unquote reads the RFC 5322 quoted-string (§3.2.4) that starts at
// s[start] == '"' and returns its content, with quoted pairs resolved and
// line breaks (folding) removed, and the index just past the closing quote.
// ok is false when the string is not closed.
func unquote(s string, start int) (text string, end int, ok bool) {
	var b strings.Builder
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i + 1, true
		case '\r', '\n':
			// Folding: the line break is not part of the content.
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}
