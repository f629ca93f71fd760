package provenance

import (
	"hash/fnv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newParagraph is the paragraph of words, hashed as the definition says:
// FNV-1a over the words joined by single spaces.
func newParagraph(words []string) paragraph {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(words, " ")))
	return paragraph(h.Sum64()&^0xffff | uint64(min(len(words), 0xffff)))
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
