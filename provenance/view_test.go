package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quoteAll quotes every line of text as a reply does: "> " before each.
func quoteAll(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// wrapWords lays out paragraphs of words as a mail client does: at most
// width bytes to a line where the words allow, an empty line between
// paragraphs.
func wrapWords(paras [][]string, width int) string {
	var b strings.Builder
	for i, words := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		n := 0
		for j, w := range words {
			switch {
			case j == 0:
			case n+1+len(w) > width:
				b.WriteString("\n")
				n = 0
			default:
				b.WriteString(" ")
				n++
			}
			b.WriteString(w)
			n += len(w)
		}
	}
	return b.String()
}

// FuzzQuote holds the quote parser of the thread check (paragraphs, on
// text normalizeText made) and matchQuote to what the archive pass relies
// on:
//   - bounded: at most maxParagraphs of each kind, never more words than
//     the text has;
//   - normalizeText is idempotent and leaves no CR, no white space at a
//     line's end and no empty line at either end;
//   - quoting is symmetric: a reply that quotes every line of a text
//     ("> " before each) quotes exactly the text's own paragraphs, and
//     has none of its own;
//   - re-wrapping changes nothing: the same words laid out at another
//     line width are the same paragraphs, quoted or not;
//   - a whole quote of at least 8 words matches every paragraph and
//     contradicts nothing; with one word changed in one paragraph (and
//     the text's paragraphs distinct) it contradicts.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{
		"",
		"Hello Bob,\n\nThe figures are attached.\n\nAlice",
		"\r\nHello Bob,  \r\n\r\nOn Monday Alice wrote:\r\n> first line\r\n> wrapped here\r\n>\r\n> second\r\n>> older\r\n\r\nBye\r\n\r\n",
		"Agreed.\n\n>Please pay the printer 4,000 euros\n>on the 14th.\n> \n> Alice",
		">\n>>\n> >\n >x\n\t> tab\n",
		"line one \u00a0\nline\u2028two\n\n\n\u05e9\u05dc\u05d5\u05dd > not a quote",
		"a\rb\r\nc\n\r\n\x00\xff\xfe",
		strings.Repeat("para\n\n", 40),
	} {
		f.Add(s, uint8(20), uint16(7))
	}
	// The bodies of the archive the thread check's golden test reads.
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "archive", "bob", "*.eml"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			if _, body, ok := bytes.Cut(b, []byte("\n\n")); ok {
				f.Add(string(body), uint8(40), uint16(3))
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw string, width uint8, pick uint16) {
		text := normalizeText(nil, []byte(raw))
		if again := normalizeText(nil, text); !bytes.Equal(again, text) {
			t.Fatalf("normalizeText is not idempotent: %q, then %q", text, again)
		}
		if bytes.ContainsRune(text, '\r') || bytes.HasPrefix(text, []byte("\n")) || bytes.HasSuffix(text, []byte("\n")) {
			t.Fatalf("normalizeText(%q) = %q keeps a CR or an empty line at an end", raw, text)
		}
		for _, l := range strings.Split(string(text), "\n") {
			if strings.TrimRight(l, " \t") != l {
				t.Fatalf("normalizeText(%q) keeps white space at the end of %q", raw, l)
			}
		}

		own, quoted := paragraphs(text)
		if len(own) > maxParagraphs || len(quoted) > maxParagraphs {
			t.Fatalf("paragraphs(%q): %d own and %d quoted, more than %d", text, len(own), len(quoted), maxParagraphs)
		}
		words := uint32(0)
		for _, p := range append(slices.Clone(own), quoted...) {
			if p.words() == 0 {
				t.Fatalf("paragraphs(%q): an empty paragraph", text)
			}
			words += p.words()
		}
		if n := uint32(len(strings.Fields(string(text)))); words > n {
			t.Fatalf("paragraphs(%q): %d words, the text has %d", text, words, n)
		}

		// Quoting is symmetric.
		reply := normalizeText(nil, []byte(quoteAll(string(text))))
		rOwn, rQuoted := paragraphs(reply)
		if len(rOwn) != 0 || !slices.Equal(rQuoted, own) {
			t.Fatalf("a reply quoting every line of %q: own %v, quoted %v; want no own and quoted %v", text, rOwn, rQuoted, own)
		}

		// Re-wrapping changes nothing. Words starting with ">" are left
		// out: at a line's start one is a quote mark, as in any mail.
		var paras [][]string
		for _, p := range strings.Split(string(text), "\n\n") {
			var ws []string
			for _, w := range strings.Fields(p) {
				if !strings.HasPrefix(w, ">") {
					ws = append(ws, w)
				}
			}
			if len(ws) > 0 {
				paras = append(paras, ws)
			}
		}
		oneLine, _ := paragraphs([]byte(wrapWords(paras, 1<<30)))
		wrapped := wrapWords(paras, int(width))
		wOwn, wQuoted := paragraphs([]byte(wrapped))
		if !slices.Equal(wOwn, oneLine) || len(wQuoted) != 0 {
			t.Fatalf("%q wrapped at %d: own %v, quoted %v; want own %v", wrapped, width, wOwn, wQuoted, oneLine)
		}
		qOwn, qQuoted := paragraphs(normalizeText(nil, []byte(quoteAll(wrapped))))
		if len(qOwn) != 0 || !slices.Equal(qQuoted, oneLine) {
			t.Fatalf("%q wrapped at %d and quoted: own %v, quoted %v; want quoted %v", wrapped, width, qOwn, qQuoted, oneLine)
		}

		// A whole quote matches; a changed word contradicts.
		if len(oneLine) == 0 {
			return
		}
		total := uint32(0)
		for _, p := range oneLine {
			total += p.words()
		}
		matched, contradicted := matchQuote(qQuoted, oneLine)
		want := 0
		if total >= 8 {
			want = len(oneLine)
		}
		if matched != want || contradicted {
			t.Fatalf("the whole quote of %q: matched %d, contradicted %v; want %d, false", wrapped, matched, contradicted, want)
		}
		k := int(pick) % len(oneLine)
		if len(paras) != len(oneLine) {
			return // paragraphs beyond maxParagraphs were left out
		}
		changed := slices.Clone(paras[k])
		i := int(pick/7) % len(changed)
		changed[i] += "X"
		edit := newParagraph(changed)
		distinct := !slices.Contains(oneLine, edit)
		for j := range oneLine {
			distinct = distinct && !slices.Contains(oneLine[j+1:], oneLine[j])
		}
		if !distinct {
			return // a repeated paragraph can stand in for the changed one
		}
		quote := slices.Clone(oneLine)
		quote[k] = edit
		if matched, contradicted := matchQuote(quote, oneLine); matched != 0 || !contradicted {
			t.Fatalf("paragraph %d of %q quoted with %q for %q: matched %d, contradicted %v; want 0, true",
				k, wrapped, changed[i], paras[k][i], matched, contradicted)
		}
	})
}

// normalizeTextReference is normalizeText as it was before plain text was
// returned uncopied: every line copied, found with bytes.IndexAny.
// normalizeText must return the same bytes for every input.
func normalizeTextReference(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		line := b
		if i >= 0 {
			line = b[:i]
			if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			b = b[i+1:]
		} else {
			b = nil
		}
		out = append(out, bytes.TrimRight(line, " \t")...)
		out = append(out, '\n')
	}
	return bytes.Trim(out, "\n")
}

func TestNormalizeText(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only line breaks", "\n\r\n\r\n", ""},
		{"plain", "\n\nDear Ann,\n\nThe figures.\n\n\n", "Dear Ann,\n\nThe figures."},
		{"plain, no final line break", "Dear Ann,\nThe figures.", "Dear Ann,\nThe figures."},
		{"CRLF", "Dear Ann,\r\n\r\nThe figures.\r\n", "Dear Ann,\n\nThe figures."},
		{"CR alone", "Dear Ann,\r\rThe figures.\r", "Dear Ann,\n\nThe figures."},
		{"CR CR LF", "Dear Ann,\r\r\nThe figures.", "Dear Ann,\n\nThe figures."},
		{"mixed", "a\rb\nc\r\nd\n\re", "a\nb\nc\nd\n\ne"},
		{"trailing white space", "Dear Ann, \t\nThe figures. \n \n", "Dear Ann,\nThe figures."},
		{"white space at the end of the text", "The figures. ", "The figures."},
		{"leading white space kept", "  Dear Ann,\n\tThe figures.", "  Dear Ann,\n\tThe figures."},
		{"other white space kept", "Dear Ann,\v\nThe figures.\f\n", "Dear Ann,\v\nThe figures.\f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, string(normalizeText(nil, []byte(c.in))))
			assert.Equal(t, c.want, string(normalizeTextReference([]byte(c.in))), "reference")
		})
	}
}

// FuzzNormalizeText checks normalizeText against the reference.
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"", "\n", "a \nb\r\nc\rd\n\n", "\r\r\n \t\n", "Dear Ann,\n\nThe figures.\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		got, want := normalizeText(nil, b), normalizeTextReference(in)
		if !bytes.Equal(got, want) {
			t.Fatalf("normalizeText(%q) = %q, reference %q", in, got, want)
		}
		if !bytes.Equal(b, in) {
			t.Fatalf("normalizeText changed its input to %q", b)
		}
	})
}

func TestAppendFields(t *testing.T) {
	for _, s := range []string{
		"", "   ", "Ann", "  Ann  Lee ", "Ann\t\r\n Lee", "Ann\vLee\fX",
		"Ann\u00a0Lee\u2003X\u0085Y", "Ann\xa0Lee\x85", "Ann\xc2 Lee", "Zoë  Müller",
	} {
		want := strings.Join(strings.Fields(s), " ")
		assert.Equal(t, want, string(appendFields(nil, s)), "%q", s)
		assert.Equal(t, "x"+want, string(appendFields([]byte("x"), s)), "%q after other bytes", s)
	}
}

// FuzzAppendFields checks appendFields against strings.Fields and
// strings.Join.
func FuzzAppendFields(f *testing.F) {
	for _, s := range []string{"", " Ann  Lee ", "Ann\u00a0Lee\u2003X", "Ann\xa0Lee\x85\xc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendFields(nil, s)), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("appendFields(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestViewSums holds viewSums to its definition, computed with
// crypto/sha256 apart: the whole view over each element's number, length
// and bytes, and each element's own digest, for elements of every size
// around the SHA-256 block, empty ones among them.
func TestViewSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 100 {
		var got, want viewPrint
		var vs viewSums
		whole := sha256.New()
		for i := range numElements {
			s := make([]byte, []int{0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 70000}[rng.IntN(11)])
			for j := range s {
				s[j] = byte(rng.Uint32())
			}
			vs.put(&got, i, s)
			h := sha256.Sum256(s)
			want.elems[i] = binary.BigEndian.Uint16(h[:2])
			var n [9]byte
			n[0] = byte(i)
			binary.BigEndian.PutUint64(n[1:], uint64(len(s)))
			whole.Write(n[:])
			whole.Write(s)
		}
		vs.finish(&got)
		copy(want.whole[:], whole.Sum(nil))
		assert.Equal(t, want.whole, got.whole, "whole view digest, trial %d", trial)
		assert.Equal(t, want.elems, got.elems, "element digests, trial %d", trial)
	}
}

// A part a mail client shows that is neither text nor a named attachment
// (an unnamed image or PDF, an attached message, a text part given as an
// attachment without a file name) is part of the view: an unsigned copy
// that adds or changes one is not corroborated by the authentic copy,
// while a copy whose unnamed part a server re-encoded still is.
func TestViewHoldsUnnamedParts(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	part := func(hdr, body string) string { return "--" + testBoundary + "\r\n" + hdr + "\r\n\r\n" + body + "\r\n" }
	pdf := part("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64", "JVBERi0xLjQgd2lyZQ==")
	msg := delimiterMessage().Bytes()
	insert := func(tail string) []byte {
		i := bytes.LastIndex(msg, []byte(closeLine))
		return slices.Concat(msg[:i], []byte(tail), msg[i:])
	}
	withPDF := insert(pdf)
	for _, tc := range []struct {
		name         string
		orig, copy   []byte
		corroborated bool
	}{
		{"an unnamed PDF added", msg, withPDF, false},
		{"an inline image added", msg, insert(part("Content-Type: image/png\r\nContent-Disposition: inline", "iVBORw0KGgo=")), false},
		{"an attached message added", msg, insert(part("Content-Type: message/rfc822", "Subject: Wire\r\n\r\nWire it today.")), false},
		{"a text attachment without a name added", msg, insert(part("Content-Type: text/plain\r\nContent-Disposition: attachment", "Wire it today.")), false},
		{"an unnamed PDF changed", withPDF, insert(part("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64", "JVBERi0xLjQgV0lSRQ==")), false},
		{"an unnamed PDF re-encoded", withPDF, insert(part("Content-Type: application/pdf\r\nContent-Transfer-Encoding: quoted-printable", "%PDF-1.4 wire")), true},
		{"the same copy", withPDF, withPDF, true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// So is a top-level body that is not shown as text and that the
// attachments do not list (it has no Content-Disposition, or no file
// name): a single-part PDF, image or attached message.
func TestViewHoldsUnnamedTopLevelBody(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "content-disposition", "mime-version")}
	hdr := "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Scan\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <scan@example.com>\r\nMIME-Version: 1.0\r\n"
	b64 := "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgd2lyZQ==\r\n"
	for _, tc := range []struct {
		name, ct, orig, copy string
		corroborated         bool
	}{
		{"an unnamed PDF changed", "Content-Type: application/pdf\r\n", b64, "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgV0lSRQ==\r\n", false},
		{"a PDF named in Content-Type only changed", "Content-Type: application/pdf; name=\"scan.pdf\"\r\n", b64, "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgV0lSRQ==\r\n", false},
		{"an attached message changed", "Content-Type: message/rfc822\r\n", "\r\nSubject: Figures\r\n\r\nHello.\r\n", "\r\nSubject: Figures\r\n\r\nWire it today.\r\n", false},
		{"text as an unnamed attachment changed", "Content-Type: text/plain\r\nContent-Disposition: attachment\r\n", "\r\nHello.\r\n", "\r\nWire it today.\r\n", false},
		{"an unnamed PDF re-encoded", "Content-Type: application/pdf\r\n", b64, "Content-Transfer-Encoding: quoted-printable\r\n\r\n%PDF-1.4 wire\r\n", true},
		{"an attached message with a line break added", "Content-Type: message/rfc822\r\n", "\r\nSubject: Figures\r\n\r\nHello.", "\r\nSubject: Figures\r\n\r\nHello.\r\n", true},
	} {
		orig, forged := []byte(hdr+tc.ct+tc.orig), []byte(hdr+tc.ct+tc.copy)
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", forged))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// applyPass runs one archive pass over as, in that order, and applies it to
// each.
func applyPass(as ...*Assessment) {
	p := NewArchivePass()
	defer p.Release()
	for _, a := range as {
		p.Add(a)
	}
	for _, a := range as {
		p.Apply(a)
	}
}

// assertCopyJudged runs the archive pass over a, an authentic message, and
// b, an unsigned copy of it, and asserts that b is corroborated by a, or,
// when not corroborated, altered by copies.conflict.
func assertCopyJudged(t *testing.T, a, b *Assessment, name string, corroborated bool) {
	t.Helper()
	require.Equal(t, VerdictAuthentic, a.Verdict, "%s", name)
	applyPass(a, b)
	if corroborated {
		assert.Contains(t, codesOf(b), "copies.corroborated", "%s", name)
		return
	}
	assert.Equal(t, VerdictAltered, b.Verdict, "%s (%v)", name, codesOf(b))
	assert.Contains(t, codesOf(b), "copies.conflict", "%s", name)
}

// assertCopyStandsAlone checks that the archive pass neither corroborates
// b by a, authentic, nor puts it in conflict with a: b stays unverifiable.
func assertCopyStandsAlone(t *testing.T, a, b *Assessment, name string) {
	t.Helper()
	require.Equal(t, VerdictAuthentic, a.Verdict, "%s", name)
	applyPass(a, b)
	assert.Equal(t, VerdictUnverifiable, b.Verdict, "%s (%v)", name, codesOf(b))
	assert.NotContains(t, codesOf(b), "copies.conflict", "%s", name)
	assert.NotContains(t, codesOf(b), "copies.corroborated", "%s", name)
}

// The reader's view holds header fields as a mail client shows them, in
// whatever charset their encoded words use: the same Subject re-encoded
// (ISO-2022-JP to UTF-8, as a gateway may) is the same view, and another
// Subject in the same charset is not.
func TestViewDecodesHeaderCharsets(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{}
	msg := func(subject string) []byte {
		return []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: " + subject +
			"\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <report@example.com>\r\n\r\nSee the figures.\r\n")
	}
	// 機密の報告 ("confidential report"), and 機密の指示 ("confidential
	// order"), in ISO-2022-JP; the first also in UTF-8.
	const report, order = "=?ISO-2022-JP?B?GyRCNSFMKSROSnM5cBsoQg==?=", "=?ISO-2022-JP?B?GyRCNSFMKSROO1g8KBsoQg==?="
	utf8Report := "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("機密の報告")) + "?="
	for _, tc := range []struct {
		name, copy   string
		corroborated bool
	}{
		{"the subject re-encoded in UTF-8", utf8Report, true},
		{"another subject in the same charset", order, false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, msg(report), "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", msg(tc.copy)))
		assert.Equal(t, "機密の報告", a.Subject, "the subject as shown")
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// The body's text is held as a mail client shows it in its charset, 7-bit
// ISO-2022-JP included (escape sequences switch it to Japanese): a copy a
// gateway converted to UTF-8 reads the same, and another text in the same
// charset does not. Text in a charset that reads ASCII as itself reads as
// it is.
func TestViewDecodesBodyCharsets(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	msg := func(charset, body string) []byte {
		return []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Meeting\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <meeting@example.com>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=" + charset + "\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + body)
	}
	// 会議は金曜日です。資料を送ります。 ("The meeting is on Friday. I
	// am sending the papers."), and the same on Monday, in ISO-2022-JP.
	const friday = "\x1b$B2q5D$O6bMKF|$G$9!#\x1b(B\r\n\x1b$B;qNA$rAw$j$^$9!#\x1b(B\r\n"
	const monday = "\x1b$B2q5D$O7nMKF|$G$9!#\x1b(B\r\n\x1b$B;qNA$rAw$j$^$9!#\x1b(B\r\n"
	orig := msg("ISO-2022-JP", friday)
	for _, tc := range []struct {
		name         string
		copy         []byte
		corroborated bool
	}{
		{"converted to UTF-8", bytes.Replace(msg("UTF-8", "会議は金曜日です。\r\n資料を送ります。\r\n"), []byte("7bit"), []byte("8bit"), 1), true},
		{"converted to UTF-8 with a byte-order mark", bytes.Replace(msg("UTF-8", "\ufeff会議は金曜日です。\r\n資料を送ります。\r\n"), []byte("7bit"), []byte("8bit"), 1), true},
		{"a byte-order mark and another day", bytes.Replace(msg("UTF-8", "\ufeff会議は月曜日です。\r\n資料を送ります。\r\n"), []byte("7bit"), []byte("8bit"), 1), false},
		{"another day in ISO-2022-JP", msg("ISO-2022-JP", monday), false},
		{"the same bytes as windows-1252", msg("windows-1252", friday), false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
	assert.Equal(t, "plain words", string(decodeText([]byte("plain words"), "7bit", "iso-8859-1")), "ASCII under an ASCII-reading charset")
	assert.Equal(t, "会議", string(decodeText([]byte("\x1b$B2q5D\x1b(B"), "7bit", "iso-2022-jp")), "ISO-2022-JP decoded")
}

// A text-mode copy of a CRLF file (every line ending CR CR LF, as Windows
// tools make when moving mail) reads as the message it copied, as a
// signed one verifies (repair.double_cr): an unsigned such copy of an
// authentic message is not in conflict with it. Nor is it corroborated:
// a client that takes each CR for a line break ends the header after the
// first line and shows the rest of the header, unsigned fields included,
// as body text. A lone CR inside a line stays a lone CR, read as it was;
// and a file whose first line makes such a client read the rest as markup
// keeps its reading as stored, so that an unsigned field's markup cannot
// hide the message.
func TestViewDoubledLineEndings(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	doubled := func(msg []byte) []byte { return bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\r\r\n")) }
	plain := testmail.Message{Subject: "Figures", MessageID: "<doubled@example.com>", Body: "Bob,\n\nThe figures are final.\n\nAlice\n"}
	withFile := plain
	withFile.Attachments = []testmail.Attachment{{Name: "figures.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 figures\r\n")}}
	html := []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Figures\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <html@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The figures are final.</p>\r\n")
	htmlFirst := slices.Concat([]byte("Content-Type: text/html; charset=utf-8\r\nX-Note: <div style=\"display:none\">\r\n"),
		bytes.Replace(html, []byte("Content-Type: text/html; charset=utf-8\r\n"), nil, 1))
	for _, tc := range []struct {
		name       string
		orig, copy []byte
		same       bool // read as CRLF it shows what orig shows: it stands alone, else it conflicts
	}{
		{"a text message", plain.Bytes(), doubled(plain.Bytes()), true},
		{"a message with an attachment", withFile.Bytes(), doubled(withFile.Bytes()), true},
		{"a text message with trace fields added", plain.Bytes(), doubled(prepend(plain.Bytes(), "Received: from a.example by b.example; Tue, 1 Mar 2016 10:00:00 +0000")), true},
		{"an HTML message whose Content-Type is not on the first line", html, doubled(prepend(html, "X-Mozilla-Status: 0001")), true},
		{"a word changed", plain.Bytes(), doubled(bytes.Replace(plain.Bytes(), []byte("final"), []byte("wrong"), 1)), false},
		{"a lone CR inside a body line", plain.Bytes(), doubled(bytes.Replace(plain.Bytes(), []byte("final."), []byte("final.\rWire the money today."), 1)), false},
		{"a lone CR inside a header line", plain.Bytes(), doubled(prepend(plain.Bytes(), "X-Note: x\rFrom: Mallory <mallory@example.net>")), false},
		{"a first line that makes the rest HTML", html, doubled(htmlFirst), true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		if !tc.same {
			assertCopyJudged(t, a, b, tc.name, false)
			continue
		}
		// Read as CRLF the copy shows what the authentic message shows,
		// so it is not in conflict; but a client that ends a line at each
		// CR shows its header as body text, so it is not corroborated
		// either.
		assertCopyStandsAlone(t, a, b, tc.name)
	}
}

// A first line whose Content-Type Go's strict parser refuses is read as
// text/plain by the lenient one, but "text/html (x)" is text/html to a
// reader that skips the comment (Thunderbird, Python's header registry):
// with doubled line endings it renders the rest of the header, unsigned
// markup included, as HTML. The signed message is not authentic, and a
// copy so made is not corroborated.
func TestDoubledLineEndingsFirstLineCommented(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	doubled := func(msg []byte) []byte { return bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\r\r\n")) }
	note := "X-Note: <h1>Wire the money today</h1><div style=\"display:none\">\r\n"
	for _, ct := range []string{"text/html (rendered); charset=utf-8", "text/html(rendered)"} {
		html := []byte("Content-Type: " + ct + "\r\nFrom: alice@example.com\r\nTo: bob@example.org\r\nSubject: Figures\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\n" +
			"Message-ID: <commented@example.com>\r\nMIME-Version: 1.0\r\n\r\n<p>The figures are final.</p>\r\n")
		signed := signRaw(t, html, "rsa2048", o)
		i := bytes.Index(signed, []byte("Content-Type:"))
		j := i + bytes.Index(signed[i:], []byte("\r\n")) + 2
		forged := doubled(slices.Concat(signed[i:j], []byte(note), signed[:i], signed[j:]))
		a := c.Check(t.Context(), eml("sent.eml", forged))
		require.NoError(t, a.Err, "%s", ct)
		assert.Equal(t, VerdictUnverifiable, a.Verdict, "%s: %s %v", ct, a.Summary, codesOf(a))
		assert.Contains(t, codesOf(a), "header.lone_cr", "%s", ct)
		b := c.Check(t.Context(), eml("copy.eml", bytes.Replace(forged, []byte("DKIM-Signature:"), []byte("X-Old-Signature:"), 1)))
		assertCopyStandsAlone(t, c.Check(t.Context(), eml("orig.eml", signed)), b, ct)
	}
}

// Mail-Reply-To and Mail-Followup-To say where Thunderbird's and Mutt's
// replies go: a copy that adds or changes one does not show the same as
// the authentic message, and a copy that keeps them does.
func TestViewReplyDestinations(t *testing.T) {
	c := testChecker()
	msg := testmail.Message{Subject: "Figures", MessageID: "<replies@example.com>", Body: "Bob,\n\nThe figures are final.\n\nAlice\n"}
	with := func(fields ...string) []byte {
		raw := msg.Bytes()
		for _, f := range fields {
			raw = insertBeforeBody(raw, f)
		}
		return raw
	}
	followup := "Mail-Followup-To: board@example.com"
	for _, tc := range []struct {
		name         string
		orig, copy   []byte
		corroborated bool
	}{
		{"Mail-Followup-To kept", with(followup), with(followup), true},
		{"Mail-Followup-To changed", with(followup), with("Mail-Followup-To: mallory@example.net"), false},
		{"Mail-Followup-To dropped", with(followup), with(), false},
		{"Mail-Reply-To added", with(), with("Mail-Reply-To: mallory@example.net"), false},
		{"Mail-Reply-To re-encoded", with("Mail-Reply-To: Alice <alice@example.com>"), with("Mail-Reply-To: =?utf-8?Q?Alice?= <alice@example.com>"), true},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", nil))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// A server or client that writes a message out again (an Exchange or PST
// export, a gateway) may quote a display name that needs no quotes, write
// an address list's commas without a space, or the day of the month with
// a leading zero: a mail client shows these alike, and so does the view.
// A display name that needs its quotes, another name or address, a
// comment or another zone for the same time are not the same.
func TestViewRewrittenFields(t *testing.T) {
	c := testChecker()
	msg := func(from, to, date string) []byte {
		return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: Figures\r\nDate: " + date +
			"\r\nMessage-ID: <rewritten@example.com>\r\n\r\nThe figures are final.\r\n")
	}
	const from, to, date = "Alice Example <alice@example.com>", "Bob Example <bob@example.org>, Carol <carol@example.org>", "Tue, 1 Mar 2016 10:00:00 +0000"
	orig := msg(from, to, date)
	for _, tc := range []struct {
		name         string
		copy         []byte
		corroborated bool
	}{
		{"display names quoted", msg(`"Alice Example" <alice@example.com>`, `"Bob Example" <bob@example.org>, "Carol" <carol@example.org>`, date), true},
		{"no space after a comma", msg(from, "Bob Example <bob@example.org>,Carol <carol@example.org>", date), true},
		{"the list folded at its comma", msg(from, "Bob Example <bob@example.org>,\r\n Carol <carol@example.org>", date), true},
		{"the day with a leading zero", msg(from, to, "Tue, 01 Mar 2016 10:00:00 +0000"), true},
		{"the date without its day of the week", msg(from, to, "1 Mar 2016 10:00:00 +0000"), true},
		{"another display name", msg(`"Alice Exampel" <alice@example.com>`, to, date), false},
		{"a name that needs its quotes unquoted", msg(from, `Example, Bob <bob@example.org>, Carol <carol@example.org>`, date), false},
		{"an address added", msg(from, to+", mallory@example.net", date), false},
		{"a comment after the date", msg(from, to, date+" (sent from Moscow)"), false},
		{"the same time in another zone", msg(from, to, "Tue, 1 Mar 2016 13:00:00 +0300"), false},
		{"a comment in the From", msg("Alice Example <alice@example.com> (CEO)", to, date), false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, orig, "rsa2048", nil))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
	orig = msg(from, `"Example, Bob" <bob@example.org>`, date)
	a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, orig, "rsa2048", nil))), c.Check(t.Context(), eml("copy.eml", msg(from, `Example, Bob <bob@example.org>`, date)))
	assertCopyJudged(t, a, b, "a quoted name with a comma unquoted", false)
}

// A copy cut out of an mbox without undoing its escaping has ">From " for
// "From " in every part written as lines, an attached message's or a text
// file's as well as the text's: it reads as the message it copies. A
// change to such a part, or a ">" before another line, does not.
func TestViewEscapedLinesInEveryPart(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	msg := func(part string) []byte {
		return []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Fwd\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <fwd@example.com>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--b1\r\n" + part + "--b1--\r\n")
	}
	escaped := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\nFrom "), []byte("\n>From ")) }
	const attached = "Content-Type: message/rfc822\r\n\r\nFrom: carol@example.org\r\nSubject: Old\r\n\r\nHello.\r\nFrom here on it is secret.\r\n"
	const file = "Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nHello.\r\nFrom here on it is secret.\r\n"
	const qpFile = "Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nHello=2E\r\nFrom here on it is secret.\r\n"
	const qpHTML = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<p>Payment of 100 EUR approved.</p><span title=\r\nFrom the board: wire 90,000 EUR to IBAN XX00 today</span>\r\n"
	qpHTMLSpace := strings.Replace(qpHTML, "title=\r\n", "title= \t\r\n", 1)
	for _, tc := range []struct {
		name         string
		orig, copy   []byte
		corroborated bool
	}{
		{"an attached message", msg(attached), escaped(msg(attached)), true},
		{"a text file", msg(file), escaped(msg(file)), true},
		{"a quoted-printable text file", msg(qpFile), escaped(msg(qpFile)), true},
		{"an attached message changed", msg(attached), escaped(msg(strings.Replace(attached, "secret", "public", 1))), false},
		{"a text file changed", msg(file), escaped(msg(strings.Replace(file, "secret", "public", 1))), false},
		{"a \">\" before another line", msg(file), msg(strings.Replace(file, "\r\nHello.", "\r\n>Hello.", 1)), false},
		// After a quoted-printable soft line break the ">" is in the middle
		// of a decoded line: here it closes the tag that hides the text.
		{"a \">\" after a soft line break", msg(qpHTML), escaped(msg(qpHTML)), false},
		{"a \">\" after a soft line break and white space", msg(qpHTMLSpace), escaped(msg(qpHTMLSpace)), false},
	} {
		a, b := c.Check(t.Context(), eml("sent.eml", signRaw(t, tc.orig, "rsa2048", o))), c.Check(t.Context(), eml("copy.eml", tc.copy))
		assertCopyJudged(t, a, b, tc.name, tc.corroborated)
	}
}

// A signed message whose line endings a text-mode copy doubled verifies
// read as CRLF (repair.double_cr). The signatures do not cover where a
// field stands, so a forger can move Content-Type: text/html to the first
// line, add an unsigned field of markup and double the line endings: a
// client that ends a line at each CR then ends the header after that
// first line and renders the rest, markup included, as the body. With any
// first line, such a client shows the header's unsigned fields (an added
// X-Note of text) as the start of the body. A doubled message is
// therefore never authentic (header.lone_cr, unverifiable: never altered
// for it); the same message with CRLF endings is.
func TestDoubledLineEndings(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	doubled := func(msg []byte) []byte { return bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\r\r\n")) }
	html := []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Figures\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <html@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The figures are final.</p>\r\n")
	signed := signRaw(t, html, "rsa2048", o)
	// first moves the field named to the top and adds the unsigned fields
	// after it.
	first := func(name string, extra ...string) []byte {
		i := bytes.Index(signed, []byte("\r\n"+name+":")) + 2
		j := i + bytes.Index(signed[i:], []byte("\r\n")) + 2
		rest := slices.Concat(signed[:i], signed[j:])
		return slices.Concat(signed[i:j], []byte(strings.Join(extra, "")), rest)
	}
	note := "X-Note: <h1>Wire the money today</h1><div style=\"display:none\">\r\n"
	for _, tc := range []struct {
		name      string
		msg       []byte
		authentic bool
	}{
		{"doubled as stored", doubled(signed), false},
		{"doubled, trace field first", doubled(prepend(signed, "Received: from a.example by b.example; Tue, 1 Mar 2016 10:00:00 +0000")), false},
		{"doubled, MIME-Version first", doubled(first("MIME-Version")), false},
		{"doubled, an unsigned field of text added", doubled(insertBeforeBody(signed, "X-Note: PS from Alice: the figures are NOT final; wire the deposit to IBAN XX00 1234 today")), false},
		{"doubled, text/html first, markup added", doubled(first("Content-Type", note)), false},
		{"doubled, text/html first", doubled(first("Content-Type")), false},
		{"doubled, base64 first", doubled(prepend(signed, "Content-Transfer-Encoding: base64")), false},
		{"not doubled, text/html first, markup added", first("Content-Type", note), true},
		{"not doubled", signed, true},
	} {
		a := c.Check(t.Context(), eml("sent.eml", tc.msg))
		require.NoError(t, a.Err, "%s", tc.name)
		if tc.authentic {
			assert.Equal(t, VerdictAuthentic, a.Verdict, "%s: %s %v", tc.name, a.Summary, codesOf(a))
			continue
		}
		assert.Equal(t, VerdictUnverifiable, a.Verdict, "%s: %s %v", tc.name, a.Summary, codesOf(a))
		assert.Contains(t, codesOf(a), "header.lone_cr", "%s", tc.name)
		assert.Contains(t, codesOf(a), "repair.double_cr", "%s: the signature still verifies read as CRLF", tc.name)
		assert.Contains(t, a.Summary, "CR CR LF", "%s", tc.name)
	}
}
