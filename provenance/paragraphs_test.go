package provenance

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newParagraph is the paragraph of words, hashed as the definition says:
// the first 48 bits of the SHA-256 of the words joined by single spaces.
func newParagraph(words []string) paragraph {
	d := sha256.Sum256([]byte(strings.Join(words, " ")))
	return paragraph(binary.BigEndian.Uint64(d[:])&^0xffff | uint64(min(len(words), 0xffff)))
}

// paragraphsByDefinition is paragraphs written as its documentation
// reads, with strings.Fields and a list of words per paragraph: the
// reference the streaming paragraphs must agree with.
func paragraphsByDefinition(text []byte) (own, quoted []paragraph) {
	var cur []string
	curQuoted := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		p := newParagraph(cur)
		switch {
		case curQuoted && len(quoted) < maxParagraphs:
			quoted = append(quoted, p)
		case !curQuoted && len(own) < maxParagraphs:
			own = append(own, p)
		}
		cur = cur[:0]
	}
	for line := range strings.SplitSeq(string(text), "\n") {
		q := strings.HasPrefix(line, ">")
		if q {
			line = strings.TrimPrefix(line[1:], " ")
			if strings.HasPrefix(line, ">") {
				flush()
				continue
			}
		}
		if q != curQuoted {
			flush()
			curQuoted = q
		}
		words := strings.Fields(line)
		if len(words) == 0 {
			flush()
			continue
		}
		cur = append(cur, words...)
	}
	flush()
	return own, quoted
}

// FuzzParagraphs checks that paragraphs agrees with its definition on any
// text: white space of every kind (Unicode's, invalid UTF-8 beside it),
// quote markers at every depth, more paragraphs than are kept.
func FuzzParagraphs(f *testing.F) {
	for _, s := range []string{
		"", "\n", "one two\nthree\n\nfour", "> quoted\n> more\nown\n>> deeper\n> again",
		"a\u00a0b\u2003c\u0085d\u3000e\xc2\x85f\xa0g\u200bh", ">\n>  \n> x", "\r\nx\r\n\r\ny",
		strings.Repeat("p\n\n", 40) + strings.Repeat("> q\n\n", 40) + "tail",
		// Own paragraphs past the kept ones, then quoted ones among own
		// lines: the own lines are passed over, the quoted still read.
		strings.Repeat("own words\n\n", 30) + "> q1\n> q2\nown\n>> deep\n> q3\n\nmore own\n>q4" + strings.Repeat("\nx\n\n> y", 30),
		strings.Repeat("o\n", 3) + strings.Repeat("\no\n", 24) + ">\n> after\no >\n>",
		"word\tword\vword\fword\rword",
		// Lines tested eight bytes at a time: two spaces across a block's
		// edge or inside one, a control byte, DEL, UTF-8 in a block or
		// its tail, lines of every length around the block size, and a
		// paragraph whose lines take both ways.
		"abcdefg  hijklmno\nabcdefgh ijklmnop\nab  cdefghij\nabcdefghijklmno\x01p",
		"abcdefghijklm\x7fnop q\n1234567\u00a0890 abcdefgh\n12345678901234\u3000",
		"a\nab\nabc d\nabcd ef\nabcdefgh\nabcdefghi j\nabcdefghijklmnop q\nabc\tdefghijklmnopq",
		"> quoted words here\n> and  more here!\n> a\n>   lead and trail  \n> last line",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		wantOwn, wantQuoted := paragraphsByDefinition([]byte(text))
		own, quoted := paragraphs([]byte(text))
		require.Equal(t, wantOwn, own, "own paragraphs of %q", text)
		require.Equal(t, wantQuoted, quoted, "quoted paragraphs of %q", text)
	})
}

// BenchmarkParagraphs measures the thread fingerprint of 16 KB of mail
// text, all of it read (fewer paragraphs than are kept): short and long
// words, wrapped lines, own and quoted paragraphs.
func BenchmarkParagraphs(b *testing.B) {
	const lines = "The figures for the quarter are attached; revenue is up 4% on last year.\n" +
		"Costs are flat. Please keep this to yourself until the board has met.\n"
	para := strings.Repeat(lines, 5) + "\n" + "> " + strings.ReplaceAll(strings.Repeat(lines, 3), "\n", "\n> ") + "\n\n"
	text := []byte(strings.Repeat(para, maxParagraphs)[:16<<10])
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		paragraphs(text)
	}
}

// TestParagraphHashSplits checks that the hash of a stream does not depend
// on how it is written: every stream up to three blocks long, written in
// one piece and in two at every split point, against the definition.
func TestParagraphHashSplits(t *testing.T) {
	src := []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH", 5)[:3*64+1])
	for n := 1; n <= len(src); n++ {
		s := src[:n]
		want := newParagraph([]string{string(s)})
		for cut := 0; cut <= n; cut++ {
			p := newParagraphHash()
			p.write(s[:cut])
			p.write(s[cut:])
			p.words = 1
			require.Equal(t, want, p.sum(), "%q written as %q and %q", s, s[:cut], s[cut:])
		}
	}
}

// TestPlainWords checks plainWords, which tests eight bytes at a time,
// against what it stands for: a non-empty line of bytes 0x20 to 0x7f that
// strings.Fields splits into words joined back by single spaces to the
// same bytes, with one space fewer than words. Every line of letters and
// spaces up to 18 bytes (spaces at every position of two blocks and a
// tail, two in a row across a block's edge), and every byte value at every
// position of lines up to 24 bytes, among letters and among spaced words
// (control bytes, DEL, the Latin-1 white space 0x85 and 0xa0 as raw bytes,
// UTF-8 lead and continuation bytes).
func TestPlainWords(t *testing.T) {
	check := func(line []byte) {
		t.Helper()
		words := strings.Fields(string(line))
		want := len(line) > 0 && strings.Join(words, " ") == string(line)
		for _, c := range line {
			want = want && 0x20 <= c && c <= 0x7f
		}
		spaces, ok := plainWords(line)
		if ok != want || ok && spaces != len(words)-1 {
			t.Fatalf("plainWords(%q) = %d, %v; want %d, %v", line, spaces, ok, len(words)-1, want)
		}
	}
	for n := range 19 {
		line := make([]byte, n)
		for m := range 1 << n {
			for i := range line {
				line[i] = "a "[m>>i&1]
			}
			check(line)
		}
	}
	for n := 1; n <= 24; n++ {
		letters := []byte(strings.Repeat("x", n))
		spaced := []byte(strings.Repeat("a ", n)[:n])
		if spaced[n-1] == ' ' {
			spaced[n-1] = 'b'
		}
		for i := range n {
			for c := range 256 {
				for _, base := range [][]byte{letters, spaced} {
					line := append([]byte(nil), base...)
					line[i] = byte(c)
					check(line)
				}
			}
		}
	}
}

// TestParagraphHashReuse checks that one paragraphHash, reset after each
// sum as paragraphs does, gives every paragraph the hash of a fresh one:
// paragraphs of every length around the block size, after one that left
// bytes in the buffer and one that filled it exactly.
func TestParagraphHashReuse(t *testing.T) {
	p := newParagraphHash()
	for _, n := range []int{1, 63, 64, 65, 7, 128, 0, 127, 129, 200, 3} {
		for _, line := range []string{
			strings.Repeat("w", n),
			strings.TrimSpace(strings.Repeat("ab ", n)),
			"\u00a0" + strings.Repeat("c\td ", n),
		} {
			words := strings.Fields(line)
			found := p.addWords([]byte(line))
			require.Equal(t, len(words) > 0, found, "addWords(%q) found words", line)
			if !found {
				continue
			}
			require.Equal(t, newParagraph(words), p.sum(), "paragraph %q after earlier ones", line)
			p.reset()
		}
	}
}

// TestParagraphsAllocations checks that the allocations of paragraphs do
// not grow with the paragraphs it hashes: the lists it returns and the
// hash, whether a message has one own and one quoted paragraph or every
// one that is kept.
func TestParagraphsAllocations(t *testing.T) {
	few := []byte("one two three\n\n> four five six")
	many := []byte(strings.Repeat("one two three\n\n", maxParagraphs) + strings.Repeat("> four five six\n>\n", maxParagraphs))
	own, quoted := paragraphs(many)
	require.Len(t, own, maxParagraphs, "own paragraphs of the longer text")
	require.Len(t, quoted, maxParagraphs, "quoted paragraphs of the longer text")
	nFew := testing.AllocsPerRun(50, func() { paragraphs(few) })
	nMany := testing.AllocsPerRun(50, func() { paragraphs(many) })
	require.Equal(t, nFew, nMany, "allocations for 2 paragraphs and for %d", 2*maxParagraphs)
}
