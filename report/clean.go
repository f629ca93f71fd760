package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes untrusted text safe to print on a terminal, by the rules the
// text, CSV and HTML renderings use for header text: whitespace controls
// become spaces; other control characters, invalid UTF-8, bidirectional
// controls and other format characters become U+FFFD. Commands that print
// other untrusted text (a DNS answer, a key record) use it too, so that one
// rule decides what reaches a terminal.
func Clean(s string) string { return clean(s) }

// clean makes untrusted header text safe to print on a terminal: every
// whitespace control (tab, newline) becomes a space, and every other
// control character, invalid UTF-8 byte, Unicode bidirectional control and
// other format character becomes U+FFFD, so the text can neither drive the
// terminal nor reorder what is shown.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if !printable(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case !printable(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// printable reports whether r may be written to a terminal as it is.
func printable(r rune) bool {
	if r == utf8.RuneError {
		return false // an invalid byte, or a literal U+FFFD: both print as U+FFFD
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return false
	}
	// Cf holds the bidi overrides and isolates (U+202A..U+202E,
	// U+2066..U+2069), zero-width joiners and the like.
	return !unicode.Is(unicode.Cf, r) && r != '\u2028' && r != '\u2029'
}

// fit cleans s and cuts it to at most width runes, marking a cut with "…".
// fromEnd keeps the end of s instead of its start (for paths, whose end
// says the most).
func fit(s string, width int, fromEnd bool) string {
	s = clean(s)
	if width <= 0 {
		return ""
	}
	n := utf8.RuneCountInString(s)
	if n <= width {
		return s
	}
	runes := []rune(s)
	if fromEnd {
		return "…" + string(runes[n-(width-1):])
	}
	return string(runes[:width-1]) + "…"
}

// pad fits s into width runes and pads it with spaces to exactly width.
func pad(s string, width int, fromEnd bool) string {
	s = fit(s, width, fromEnd)
	if n := utf8.RuneCountInString(s); n < width {
		s += strings.Repeat(" ", width-n)
	}
	return s
}
