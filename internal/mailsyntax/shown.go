package mailsyntax

// What a reader sees of a display name or comment.
//
// A mail client shows the display name, often alone (a phone shows
// nothing else), after decoding its encoded words in whatever charset they
// name, laying it out with the Unicode bidirectional algorithm, drawing
// default-ignorable code points as nothing and letters of other scripts as
// their look-alikes. An address hidden in the name must be found in that
// form, so shownAddresses normalises in that order: decode every encoded
// word (any charset, UTF-7 included); take the text both as stored and in
// display order (an override can make "moc.knab@oec" read "ceo@bank.com");
// drop default-ignorable code points and spaces narrower than a normal
// space; apply NFKC (full-width and small forms, mathematical letters);
// fold to the UTS #39 confusable skeleton, case-insensitively; then look
// for an address, or an "@" followed by a domain.

import (
	"io"
	"mime"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/leakproof/leakproof/internal/utf7"
	"github.com/leakproof/leakproof/internal/uts39"
)

// A shownAddr is an address, or an "@domain", that a reader sees.
type shownAddr struct {
	text   string // as the reader sees it, for a reason sentence
	folded string // its folded skeleton, to compare with foldShown of an address
	domain bool   // only "@" and a domain were shown
}

// shownAddrRe finds an addr-spec in folded text; shownDomainRe an "@"
// followed by a domain of at least two labels.
var (
	shownAddrRe   = regexp.MustCompile(`[\p{L}\p{N}\p{M}.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[\p{L}\p{N}\p{M}-]+(?:\.[\p{L}\p{N}\p{M}-]+)+`)
	shownDomainRe = regexp.MustCompile(`@[\p{L}\p{N}\p{M}-]+(?:\.[\p{L}\p{N}\p{M}-]+)+`)
)

// shownAddresses returns the addresses and "@domain"s a reader may see in
// text (a display name or a comment, as written), in every form a client
// may show it.
func shownAddresses(text string) []shownAddr {
	var out []shownAddr
	seen := make(map[string]bool)
	for _, form := range readerForms(text) {
		f := foldForm(form)
		for _, re := range []*regexp.Regexp{shownAddrRe, shownDomainRe} {
			for _, m := range re.FindAllStringIndex(f.folded, -1) {
				s, e := m[0], m[1]
				// Quotes around the address are not part of it: the
				// skeleton of '"' is "''", and "'" is atext.
				for s < e && strings.IndexByte(".'`", f.folded[s]) >= 0 {
					s++
				}
				for e > s && f.folded[e-1] == '.' { // a sentence's full stop
					e--
				}
				folded := f.folded[s:e]
				key := folded
				if re == shownDomainRe {
					key = "domain " + folded
				}
				if folded == "" || seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, shownAddr{text: f.source(s, e), folded: folded, domain: re == shownDomainRe})
			}
		}
	}
	return out
}

// readerForms returns text as written and with its encoded words decoded,
// each in stored (logical) order and in display order, without repeats.
func readerForms(text string) []string {
	var forms []string
	add := func(s string) {
		for _, f := range forms {
			if f == s {
				return
			}
		}
		forms = append(forms, s)
	}
	for _, s := range []string{text, decodeAllWords(text)} {
		s = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == '\t' {
				return ' ' // folding; a paragraph break would split the bidi run
			}
			return r
		}, strings.ToValidUTF8(s, "\ufffd"))
		add(s)
		if v, ok := displayOrder(s); ok {
			add(v)
		}
	}
	return forms
}

// displayOrder returns s laid out left to right as the Unicode
// bidirectional algorithm (UAX #9) displays it. ok is false when s is
// plain left-to-right text (nothing to reorder) or the algorithm refuses
// it.
func displayOrder(s string) (v string, ok bool) {
	if !needsBidi(s) {
		return "", false
	}
	defer func() {
		// golang.org/x/text/unicode/bidi is young code; a panic on
		// hostile input must not stop the parse. The stored order is
		// still checked.
		if recover() != nil {
			v, ok = "", false
		}
	}()
	var p bidi.Paragraph
	if _, err := p.SetString(s, bidi.DefaultDirection(bidi.LeftToRight)); err != nil {
		return "", false
	}
	o, err := p.Order()
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for i := range o.NumRuns() {
		r := o.Run(i)
		if r.Direction() == bidi.RightToLeft {
			b.WriteString(bidi.ReverseString(r.String()))
		} else {
			b.WriteString(r.String())
		}
	}
	return b.String(), b.String() != s
}

// needsBidi reports whether s holds a right-to-left character or a
// bidirectional control: only then can its display order differ from
// its stored order.
func needsBidi(s string) bool {
	for _, r := range s {
		if r < 0x0590 {
			continue
		}
		if (0x200e <= r && r <= 0x200f) || (0x202a <= r && r <= 0x202e) || (0x2066 <= r && r <= 0x2069) || r == 0x061c {
			return true
		}
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL || p.Class() == bidi.AN {
			return true
		}
	}
	return false
}

// A folded form is text as a reader sees it (ignorables dropped, NFKC)
// and its case-insensitive skeleton, with where each rune's skeleton
// starts so that a match in the skeleton maps back to the text.
type folded struct {
	shown  string
	folded string
	starts []int // byte offset in folded where each rune of shown begins
	spans  [][2]int
}

// foldForm drops what a renderer draws as nothing and folds the rest.
func foldForm(s string) folded {
	s = strings.Map(func(r rune) rune {
		if uts39.IsDefaultIgnorable(r) || isNarrowSpace(r) {
			return -1
		}
		return r
	}, s)
	s = foldLookalikes(norm.NFKC.String(s))
	n := utf8.RuneCountInString(s)
	f := folded{shown: s, starts: make([]int, 0, n), spans: make([][2]int, 0, n)}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		f.starts = append(f.starts, b.Len())
		f.spans = append(f.spans, [2]int{i, i + utf8.RuneLen(r)})
		b.WriteString(foldRune(r))
	}
	f.folded = b.String()
	return f
}

// foldRune is the case-insensitive skeleton of one rune.
func foldRune(r rune) string {
	if 0 <= r && r < utf8.RuneSelf {
		return asciiFolds[r]
	}
	return foldRuneOf(r)
}

func foldRuneOf(r rune) string {
	return strings.ToLower(uts39.SkeletonRune(unicode.ToLower(r)))
}

// asciiFolds is foldRune of each ASCII rune, worked out once: what a
// reader sees is mostly ASCII, and each fold would make a string.
var asciiFolds = func() (folds [utf8.RuneSelf]string) {
	for r := range rune(utf8.RuneSelf) {
		folds[r] = foldRuneOf(r)
	}
	return folds
}()

// foldShown folds an address the way foldForm folds what is shown.
func foldShown(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// source returns, printable, the shown text whose skeleton is
// folded[s:e].
func (f folded) source(s, e int) string {
	first := sort.Search(len(f.starts), func(i int) bool { return f.starts[i] > s }) - 1
	last := sort.Search(len(f.starts), func(i int) bool { return f.starts[i] >= e }) - 1
	if first < 0 || last < first {
		return ""
	}
	text := f.shown[f.spans[first][0]:f.spans[last][1]]
	return strings.Map(func(r rune) rune {
		if !unicode.IsGraphic(r) {
			return utf8.RuneError
		}
		return r
	}, text)
}

// isNarrowSpace reports whether r is a space narrower than a normal one,
// which a reader does not see between two characters ("ceo@bank" with a
// hair space before the "@").
func isNarrowSpace(r rune) bool {
	switch r {
	case 0x2006, 0x2008, 0x2009, 0x200a, 0x202f, 0x205f:
		return true
	}
	return false
}

// encodedWordsRe finds an RFC 2047 encoded word; the words of a run
// separated only by white space are joined (RFC 2047 §6.2).
var encodedWordsRe = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// decodeAllWords decodes each encoded word of s on its own, in any charset
// golang.org/x/text knows and UTF-7, as a client does: a malformed word
// stays as written and does not stop the others from being decoded.
func decodeAllWords(s string) string {
	dec := mime.WordDecoder{CharsetReader: anyCharsetReader}
	var b strings.Builder
	last, prevWord := 0, false
	for _, m := range encodedWordsRe.FindAllStringIndex(s, -1) {
		gap := s[last:m[0]]
		if !(prevWord && strings.TrimLeft(gap, " \t\r\n") == "") {
			b.WriteString(gap)
		}
		word := s[m[0]:m[1]]
		if d, err := dec.Decode(word); err == nil {
			b.WriteString(d)
			prevWord = true
		} else {
			b.WriteString(word)
			prevWord = false
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// anyCharsetReader decodes the charsets of golang.org/x/text (by their IANA
// and WHATWG names) and UTF-7; for any other it keeps ASCII
// (asciiCharsetReader). An RFC 2231 language suffix ("utf-8*en") is
// ignored.
func anyCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	input = io.LimitReader(input, maxFromLen)
	r, ok, err := decodeKnownCharset(charset, input)
	if !ok {
		return asciiCharsetReader(charset, input)
	}
	return r, err
}

// decodeKnownCharset decodes input from charset when golang.org/x/text
// knows it (by its IANA or WHATWG name) or it is UTF-7; ok is false for
// any other. An RFC 2231 language suffix ("utf-8*en") is ignored.
func decodeKnownCharset(charset string, input io.Reader) (r io.Reader, ok bool, err error) {
	name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(charset)), "*")
	switch name {
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, true, err
		}
		return strings.NewReader(utf7.Decode(b)), true, nil
	}
	var enc encoding.Encoding
	if e, err := ianaindex.MIME.Encoding(name); err == nil && e != nil {
		enc = e
	} else if e, err := htmlindex.Get(name); err == nil && e != nil {
		enc = e
	}
	if enc == nil {
		return nil, false, nil
	}
	return enc.NewDecoder().Reader(input), true, nil
}
