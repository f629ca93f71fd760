package provenance

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
)

// Copies of one message that passed through ordinary mail pipelines: a
// message is drawn as what a reader sees (fields, text parts, attachments)
// and rendered to bytes in one of the ways servers, clients and archives
// write the same thing. The authentic message is one rendering, signed;
// its copy another, unsigned or with the signature kept (and broken).

// A pipePart is one part of a drawn message.
type pipePart struct {
	mt      string // text/plain, text/html, or a type an attachment has
	text    string // a text part's text, UTF-8, LF line endings
	charset string // a text part's charset, by its canonical name
	flowed  bool   // a text/plain part sent format=flowed
	name    string // an attachment's file name
	data    []byte // an attachment's bytes
}

// A pipeMessage is a drawn message: what a reader sees of it.
type pipeMessage struct {
	from, to, subject, id string
	alternative           bool // the text parts in multipart/alternative
	parts                 []pipePart
}

// A pipeRendering is one way a pipeline writes a message out.
type pipeRendering struct {
	encoding    string            // a text part's transfer encoding: 8bit, quoted-printable or base64
	labels      map[string]string // a charset's canonical name to the label written
	toUTF8      bool              // text in a legacy charset re-encoded as UTF-8, labelled so
	quote       bool              // parameter values quoted
	upperNames  bool              // parameter names and media types in upper case
	charsetLast bool              // charset after the other parameters
	fold        int               // fold header lines longer than this, 0 for none
	subjectB    bool              // encoded words in B, not Q
	boundary    string
	quoteNames  bool // display names quoted
	tightList   bool // no space after an address list's commas
	zeroDay     bool // the day of the month with a leading zero
	textBOM     bool // UTF-8 text starting with a byte-order mark
}

var (
	pipeWords       = strings.Fields("deposit figures board minutes contract wire account budget council press embargo draft Friday tomorrow urgent quarterly confidential attached")
	pipeLatinWords  = strings.Fields("résumé Zürich naïve café Malmö garçon señor")
	pipeCyrillic    = strings.Fields("отчёт бюджет совет завтра пятница")
	pipeWideWords   = strings.Fields("東京 会議 資料")
	pipeLabelForms  = map[string][]string{"utf-8": {"utf-8", "UTF-8", "utf8", "Utf-8"}, "iso-8859-1": {"iso-8859-1", "ISO-8859-1", "latin1", "l1", "ISO_8859-1"}, "koi8-r": {"koi8-r", "KOI8-R", "cskoi8r"}}
	pipeLegacyCodec = map[string]*charmap.Charmap{"iso-8859-1": charmap.ISO8859_1, "koi8-r": charmap.KOI8R}
)

// drawPipeText returns lines of words from words, some lines long (for
// flowed text and folding), some starting with "From " (for mbox
// escaping), with empty lines between paragraphs.
func drawPipeText(r *rand.Rand, words []string) string {
	var b strings.Builder
	for range 1 + r.IntN(5) {
		if r.IntN(5) == 0 {
			b.WriteString("From ")
		}
		for k := range 2 + r.IntN(30) {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteByte('\n')
		if r.IntN(3) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// drawPipeMessage draws a message of one of the shapes mail has.
func drawPipeMessage(r *rand.Rand, n int) pipeMessage {
	m := pipeMessage{
		from: "Alice Example <alice@example.com>", to: "Bob Example <bob@example.org>",
		id: fmt.Sprintf("<pipe-%d@example.com>", n),
	}
	subj := []string{}
	for range 1 + r.IntN(16) {
		subj = append(subj, pipeWords[r.IntN(len(pipeWords))])
	}
	if r.IntN(3) == 0 {
		subj = append(subj, pipeLatinWords[r.IntN(len(pipeLatinWords))])
	}
	m.subject = strings.Join(subj, " ")
	charset := []string{"utf-8", "utf-8", "iso-8859-1", "koi8-r"}[r.IntN(4)]
	words := slices.Clone(pipeWords)
	switch charset {
	case "utf-8":
		words = append(append(words, pipeLatinWords...), pipeWideWords...)
	case "iso-8859-1":
		words = append(words, pipeLatinWords...)
	case "koi8-r":
		words = append(words, pipeCyrillic...)
	}
	plain := pipePart{mt: "text/plain", text: drawPipeText(r, words), charset: charset, flowed: r.IntN(4) == 0}
	m.parts = []pipePart{plain}
	if r.IntN(3) == 0 {
		m.alternative = true
		m.parts = append(m.parts, pipePart{mt: "text/html", charset: charset,
			text: "<p>" + strings.ReplaceAll(strings.TrimSpace(plain.text), "\n", "<br>\n") + "</p>\n"})
	}
	if r.IntN(3) == 0 {
		// A text file, written as lines (its "From " lines escaped by
		// an mbox writer) unless base64.
		text := strings.ReplaceAll(drawPipeText(r, pipeWords), "\n", "\r\n")
		m.parts = append(m.parts, pipePart{mt: "text/plain", name: "notes.txt", data: []byte("From the minutes:\r\n" + text)})
	}
	if r.IntN(4) == 0 {
		// An attached message, which has no file name.
		m.parts = append(m.parts, pipePart{mt: "message/rfc822", data: []byte("From: carol@example.org\r\nSubject: Minutes\r\n\r\n" +
			strings.ReplaceAll("From the board:\n"+drawPipeText(r, pipeWords), "\n", "\r\n"))})
	}
	for k := range r.IntN(3) {
		data := make([]byte, 1+r.IntN(300))
		for j := range data {
			data[j] = byte(r.IntN(256))
		}
		m.parts = append(m.parts, pipePart{mt: "application/pdf", name: fmt.Sprintf("figures-%d.pdf", k), data: data})
	}
	return m
}

// drawPipeRendering draws a way of writing a message.
func drawPipeRendering(r *rand.Rand) pipeRendering {
	o := pipeRendering{
		encoding:    []string{"8bit", "quoted-printable", "base64"}[r.IntN(3)],
		labels:      map[string]string{},
		toUTF8:      r.IntN(4) == 0,
		quote:       r.IntN(2) == 0,
		upperNames:  r.IntN(3) == 0,
		charsetLast: r.IntN(2) == 0,
		fold:        []int{0, 40, 76}[r.IntN(3)],
		subjectB:    r.IntN(2) == 0,
		boundary:    fmt.Sprintf("=_b%d", r.IntN(1000)),
		quoteNames:  r.IntN(2) == 0,
		tightList:   r.IntN(2) == 0,
		zeroDay:     r.IntN(2) == 0,
		textBOM:     r.IntN(4) == 0,
	}
	for name, forms := range pipeLabelForms {
		o.labels[name] = forms[r.IntN(len(forms))]
	}
	return o
}

// canonicalRendering is how the authentic message is written.
func canonicalRendering() pipeRendering {
	return pipeRendering{encoding: "quoted-printable", labels: map[string]string{"utf-8": "utf-8", "iso-8859-1": "iso-8859-1", "koi8-r": "koi8-r"}, quote: true, fold: 76, boundary: "=_part"}
}

// render writes m in the way o says, CRLF.
func (m pipeMessage) render(o pipeRendering) []byte {
	var b bytes.Buffer
	field := func(name, value string) {
		line := name + ": " + value
		if o.fold > 0 {
			line = foldAt(line, o.fold)
		}
		b.WriteString(line + "\r\n")
	}
	param := func(name, value string) string {
		if o.upperNames {
			name = strings.ToUpper(name)
		}
		if o.quote || strings.ContainsAny(value, "=?/ ") {
			value = `"` + value + `"`
		}
		return "; " + name + "=" + value
	}
	mediaType := func(mt string) string {
		if o.upperNames {
			return strings.ToUpper(mt)
		}
		return mt
	}
	enc := mime.QEncoding
	if o.subjectB {
		enc = mime.BEncoding
	}
	addr := func(a string) string {
		if name, rest, ok := strings.Cut(a, " <"); ok && o.quoteNames {
			return `"` + name + `" <` + rest
		}
		return a
	}
	list := ", "
	if o.tightList {
		list = ","
	}
	field("From", addr(m.from))
	field("To", addr(m.to)+list+addr("Carol Example <carol@example.org>"))
	field("Subject", enc.Encode("utf-8", m.subject))
	if o.zeroDay {
		field("Date", "Tue, 01 Mar 2016 10:00:00 +0000")
	} else {
		field("Date", "Tue, 1 Mar 2016 10:00:00 +0000")
	}
	field("Message-ID", m.id)
	field("MIME-Version", "1.0")
	textPart := func(p pipePart) (header string, body []byte) {
		charset, text := p.charset, []byte(p.text)
		if p.flowed {
			text = []byte(flowLines(p.text))
		}
		if codec := pipeLegacyCodec[charset]; codec != nil {
			if o.toUTF8 {
				charset = "utf-8"
			} else {
				var err error
				if text, err = codec.NewEncoder().Bytes(text); err != nil {
					panic(err)
				}
			}
		}
		if charset == "utf-8" && o.textBOM {
			text = slices.Concat([]byte("\ufeff"), text)
		}
		ct := mediaType(p.mt)
		cs := param("charset", o.labels[charset])
		if p.flowed {
			if o.charsetLast {
				ct += param("format", "flowed") + cs
			} else {
				ct += cs + param("format", "flowed")
			}
		} else {
			ct += cs
		}
		text = bytes.ReplaceAll(text, []byte("\n"), []byte("\r\n"))
		var out bytes.Buffer
		switch o.encoding {
		case "base64":
			out.WriteString(wrap76(base64.StdEncoding.EncodeToString(text)))
		case "quoted-printable":
			w := quotedprintable.NewWriter(&out)
			_, _ = w.Write(text)
			_ = w.Close()
		default:
			out.Write(text)
		}
		return "Content-Type: " + ct + "\r\nContent-Transfer-Encoding: " + o.encoding + "\r\n", out.Bytes()
	}
	var texts, files []pipePart
	for _, p := range m.parts {
		if p.name != "" || p.data != nil {
			files = append(files, p)
		} else {
			texts = append(texts, p)
		}
	}
	if len(m.parts) == 1 {
		h, body := textPart(m.parts[0])
		b.WriteString(h + "\r\n")
		b.Write(body)
		return b.Bytes()
	}
	partsOf := func(boundary string, parts []string) string {
		var s strings.Builder
		for _, p := range parts {
			s.WriteString("--" + boundary + "\r\n" + p + "\r\n")
		}
		s.WriteString("--" + boundary + "--\r\n")
		return s.String()
	}
	var inner []string
	for _, p := range texts {
		h, body := textPart(p)
		inner = append(inner, h+"\r\n"+strings.TrimSuffix(string(body), "\r\n"))
	}
	top, topType := inner, "multipart/alternative"
	if m.alternative && len(files) > 0 {
		top = []string{"Content-Type: " + mediaType("multipart/alternative") + param("boundary", o.boundary+"alt") + "\r\n\r\n" + partsOf(o.boundary+"alt", inner)}
	}
	if len(files) > 0 {
		topType = "multipart/mixed"
		for _, f := range files {
			switch {
			case f.mt == "message/rfc822":
				top = append(top, "Content-Type: message/rfc822\r\n\r\n"+string(f.data))
			case f.mt == "text/plain" && o.encoding != "base64":
				var out bytes.Buffer
				if o.encoding == "quoted-printable" {
					w := quotedprintable.NewWriter(&out)
					_, _ = w.Write(f.data)
					_ = w.Close()
				} else {
					out.Write(f.data)
				}
				h := "Content-Type: " + mediaType(f.mt) + param("name", f.name) + "\r\nContent-Transfer-Encoding: " + o.encoding + "\r\nContent-Disposition: attachment" + param("filename", f.name) + "\r\n"
				top = append(top, h+"\r\n"+out.String())
			default:
				h := "Content-Type: " + mediaType(f.mt) + param("name", f.name) + "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment" + param("filename", f.name) + "\r\n"
				top = append(top, h+"\r\n"+wrap76(base64.StdEncoding.EncodeToString(f.data)))
			}
		}
	}
	field("Content-Type", mediaType(topType)+param("boundary", o.boundary))
	b.WriteString("\r\n")
	b.WriteString(partsOf(o.boundary, top))
	return b.Bytes()
}

// foldAt folds a header line at spaces so that no line is longer than
// width where a space allows.
func foldAt(line string, width int) string {
	var out strings.Builder
	cur := 0
	for i, w := range strings.Split(line, " ") {
		if i > 0 {
			if cur+1+len(w) > width && cur > 0 {
				out.WriteString("\r\n ")
				cur = 1
			} else {
				out.WriteByte(' ')
				cur++
			}
		}
		out.WriteString(w)
		cur += len(w)
	}
	return out.String()
}

// wrap76 cuts s into lines of 76 bytes, each ending in CRLF.
func wrap76(s string) string {
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

// flowLines writes text as format=flowed: lines past 60 bytes broken at
// a space, the space kept at the end of the line (a soft break), and
// lines starting with a space, ">" or "From " space-stuffed.
func flowLines(text string) string {
	var out strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		line = strings.TrimSuffix(line, "\n")
		for len(line) > 60 {
			i := strings.LastIndex(line[:60], " ")
			if i <= 0 {
				break
			}
			out.WriteString(stuff(line[:i+1]) + "\n")
			line = line[i+1:]
		}
		out.WriteString(stuff(line) + "\n")
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func stuff(line string) string {
	if strings.HasPrefix(line, " ") || strings.HasPrefix(line, ">") || strings.HasPrefix(line, "From ") {
		return " " + line
	}
	return line
}

// A pipeStep is what a pipeline does to a message's bytes after writing
// it, and how the archive holds the result.
type pipeStep struct {
	name  string
	apply func(msg, sig []byte) *archive.Message
}

// pipeSteps are the storage and transport steps a genuine copy passes
// through. sig is the authentic message's DKIM-Signature field.
func pipeSteps() []pipeStep {
	escape := func(msg []byte, rd bool) []byte {
		lines := bytes.SplitAfter(msg, []byte("\n"))
		for i, l := range lines {
			if bytes.HasPrefix(l, []byte("From ")) || rd && bytes.HasPrefix(bytes.TrimLeft(l, ">"), []byte("From ")) {
				lines[i] = append([]byte(">"), l...)
			}
		}
		return bytes.Join(lines, nil)
	}
	return []pipeStep{
		{"as sent", func(msg, _ []byte) *archive.Message { return eml("copy.eml", msg) }},
		{"the signature kept", func(msg, sig []byte) *archive.Message { return eml("copy.eml", slices.Concat(sig, msg)) }},
		{"LF line endings", func(msg, _ []byte) *archive.Message { return eml("copy.eml", testmail.LF(msg)) }},
		{"CR CR LF line endings", func(msg, _ []byte) *archive.Message {
			return eml("copy.eml", bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\r\r\n")))
		}},
		{"the signature kept, CR CR LF line endings", func(msg, sig []byte) *archive.Message {
			return eml("copy.eml", bytes.ReplaceAll(slices.Concat(sig, msg), []byte("\r\n"), []byte("\r\r\n")))
		}},
		{"a byte-order mark", func(msg, _ []byte) *archive.Message {
			return eml("copy.eml", slices.Concat([]byte("\xef\xbb\xbf"), msg))
		}},
		{"trailing blank lines", func(msg, _ []byte) *archive.Message {
			return eml("copy.eml", slices.Concat(msg, []byte("\r\n\r\n\r\n")))
		}},
		{"trace fields", func(msg, _ []byte) *archive.Message {
			return eml("copy.eml", slices.Concat([]byte("Received: from mx.example.net by mx2.example.org; Tue, 1 Mar 2016 10:00:06 +0000\r\n"+
				"X-Gmail-Labels: Inbox,Important\r\nStatus: RO\r\nX-Status: A\r\nX-Mozilla-Status: 0001\r\nX-Mozilla-Status2: 00000000\r\n"), msg))
		}},
		{"status fields at the header's end, in an mboxrd", func(msg, _ []byte) *archive.Message {
			msg = insertBeforeBody(insertBeforeBody(msg, "Status: RO"), "X-Status: A")
			return &archive.Message{File: "box.mbox", Index: 1, Format: "mboxrd", Raw: escape(testmail.LF(msg), true)}
		}},
		{"a byte-order mark, CR CR LF line endings", func(msg, _ []byte) *archive.Message {
			return eml("copy.eml", slices.Concat([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\r\r\n"))))
		}},
		{"mboxo escaping left in an .eml", func(msg, _ []byte) *archive.Message { return eml("copy.eml", escape(msg, false)) }},
		{"mboxrd escaping left in an .eml", func(msg, _ []byte) *archive.Message { return eml("copy.eml", escape(msg, true)) }},
		{"stored in an mboxrd", func(msg, _ []byte) *archive.Message {
			return &archive.Message{File: "box.mbox", Index: 1, Format: "mboxrd", Raw: escape(testmail.LF(msg), true)}
		}},
		{"stored in an mboxo", func(msg, _ []byte) *archive.Message {
			return &archive.Message{File: "box.mbox", Index: 1, Format: "mboxo", Raw: escape(testmail.LF(msg), false)}
		}},
	}
}

// TestPropertyPipelineCopiesCorroborate: a copy of an authentic message
// that an ordinary pipeline wrote otherwise (text re-encoded between
// quoted-printable, base64 and 8bit, legacy-charset text converted to
// UTF-8, charset labels in another case or an alias, Content-Type
// parameters quoted or not, in another case or order, another boundary,
// header lines folded otherwise, the Subject's encoded words in B or Q,
// display names quoted, address lists without a space after their
// commas, the day of the month with a leading zero, UTF-8 text started
// with a byte-order mark)
// and then stored (signature stripped or kept broken, LF or CR CR LF line
// endings, a byte-order mark, trailing blank lines, trace and mail-client
// status fields added, mbox escaping left in or an mbox) is never
// copies.conflict, and is corroborated when unsigned, unless its line
// endings are CR CR LF (a client that ends a line at each CR shows its
// header as body text, which no copy vouches for). A copy that changes
// what a reader sees (one word of the text, one byte of an attachment,
// the From display name), written and stored the same ways, always
// conflicts.
var pipeCases = 60

func TestPropertyPipelineCopiesCorroborate(t *testing.T) {
	c := testChecker()
	r := rand.New(rand.NewPCG(29, 0xc0b1e5))
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version")}
	steps := pipeSteps()
	seen := map[string]bool{}
	for n := range pipeCases {
		m := drawPipeMessage(r, n)
		seen["alternative"] = seen["alternative"] || m.alternative
		for _, p := range m.parts {
			seen[p.mt] = true
			seen["charset "+p.charset] = seen["charset "+p.charset] || p.charset != ""
			seen["flowed"] = seen["flowed"] || p.flowed
		}
		authentic := signRaw(t, m.render(canonicalRendering()), "rsa2048", o)
		sig, _ := splitSignatures(authentic)
		require.Len(t, sig, 1)
		a := c.Check(t.Context(), eml("sent.eml", authentic))
		require.Equal(t, VerdictAuthentic, a.Verdict, "message %d: %v\n%s", n, codesOf(a), authentic)

		judge := func(copyMsg *archive.Message) *Assessment {
			b := c.Check(t.Context(), copyMsg)
			applyPass(a, b)
			return b
		}
		for _, step := range steps {
			rendering := drawPipeRendering(r)
			seen[rendering.encoding] = true
			seen["converted to UTF-8"] = seen["converted to UTF-8"] || rendering.toUTF8
			copyBytes := m.render(rendering)
			b := judge(step.apply(copyBytes, []byte(sig[0])))
			assert.NotContains(t, codesOf(b), "copies.conflict", "message %d, %s, %+v: %v\n%s", n, step.name, rendering, codesOf(b), copyBytes)
			switch {
			case strings.Contains(step.name, "CR CR LF"):
				// A client that ends a line at each CR shows such a copy's
				// header as body text: it is never corroborated.
				assert.NotContains(t, codesOf(b), "copies.corroborated", "message %d, %s, %+v: %v", n, step.name, rendering, codesOf(b))
			case !strings.Contains(step.name, "signature kept"):
				assert.Contains(t, codesOf(b), "copies.corroborated", "message %d, %s, %+v: %v", n, step.name, rendering, codesOf(b))
			}

			// The same pipeline over a copy whose reader's view differs.
			forged := m
			forged.parts = slices.Clone(m.parts)
			var what string
			switch k := r.IntN(3); {
			case k == 0 && m.parts[len(m.parts)-1].mt == "application/pdf":
				i := len(m.parts) - 1
				p := forged.parts[i]
				p.data = slices.Clone(p.data)
				p.data[r.IntN(len(p.data))] ^= 1 << r.IntN(8)
				forged.parts[i], what = p, "an attachment byte changed"
			case k == 1:
				forged.from, what = "Alice Exampel <alice@example.com>", "the From display name changed"
			default:
				p := forged.parts[0]
				w := strings.Fields(p.text)
				old := w[r.IntN(len(w))]
				p.text, what = strings.Replace(p.text, old, "embezzled", 1), "a word of the text changed"
				if old == "embezzled" {
					what = ""
				}
				forged.parts[0] = p
			}
			if what == "" {
				continue
			}
			b = judge(step.apply(forged.render(rendering), []byte(sig[0])))
			assert.Equal(t, VerdictAltered, b.Verdict, "message %d, %s, %s: %v", n, what, step.name, codesOf(b))
			if !strings.Contains(step.name, "signature kept") {
				assert.Contains(t, codesOf(b), "copies.conflict", "message %d, %s, %s: %v", n, what, step.name, codesOf(b))
			}
		}
	}
	// The generator draws every shape and every encoding.
	for _, k := range []string{"alternative", "flowed", "text/plain", "text/html", "application/pdf", "message/rfc822",
		"charset utf-8", "charset iso-8859-1", "charset koi8-r", "8bit", "quoted-printable", "base64", "converted to UTF-8"} {
		assert.True(t, seen[k], "the generator draws %s", k)
	}
}

// textsOf returns m's text parts.
func textsOf(m pipeMessage) []pipePart {
	var out []pipePart
	for _, p := range m.parts {
		if p.data == nil {
			out = append(out, p)
		}
	}
	return out
}
