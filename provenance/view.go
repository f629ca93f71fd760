package provenance

// The reader's view as a fingerprint. The archive pass (archivepass.go)
// compares copies of one message on what a reader sees, not on bytes, and
// matches a reply's quoted lines with the text of the message it quotes;
// it keeps a few hundred bytes per message, never the message. readerView
// (facts stage) computes that fingerprint once, while the message is in
// memory:
//
//   - each displayed field (viewElements, Mail-Reply-To and
//     Mail-Followup-To among them): the decoded value of every
//     instance, white space collapsed, in header order, addresses and
//     dates written one way where clients show them alike (fieldView);
//     trace fields
//     (Received, Return-Path, Delivered-To, Authentication-Results, ARC,
//     DKIM-Signature, X-...) are not part of the view, so a copy delivered
//     elsewhere shows the same;
//   - the body as displayed: every text part that is not an attachment
//     (the top-level body when it is not multipart), in order, its
//     transfer encoding undone and its charset decoded to UTF-8 when this
//     package knows the charset (text in one it does not know that reads
//     it otherwise than as written kept as written and marked with the
//     charset, decodeTextAs) and a byte-order mark at its start set
//     aside, then line endings made LF, white space at
//     the end of each line removed, empty lines at the start and the end
//     removed, and the ">" signs before "From " at a line's start removed
//     (mbox escaping a copy may keep: unescapeFromLines; removed so from
//     every body line before any part is read, facts.unescapedBody,
//     but for one after a quoted-printable soft line break),
//     inside marks of the multipart containers that hold it
//     (their media types, where each starts and ends: openMultipart), each
//     of another type than text/plain (text/html, which a client renders)
//     marked with its type, each text/plain part with
//     format=flowed read as a client shows it first and marked as flowed
//     (flowed.go), and among them every part
//     without a file name that is not shown as text (an image, a PDF, an
//     attached message), which a mail client shows and the attachments do
//     not list, as its media type and the SHA-256 of its decoded bytes
//     (line breaks at their end aside). The same text re-encoded by a
//     server (quoted-printable instead of base64, CRLF instead of LF) has
//     the same view. When readers read the body differently
//     (coverage.mime_ambiguous: they split it at other lines, take another
//     boundary, parameter or header field, or read its base64 otherwise,
//     or the walks over the bytes stop before its end;
//     header.duplicate_mime_field), or the walks stop at a cap
//     (coverage.mime_truncated), or go-message's decoder stops before a
//     part's end, or the text is cut at maxViewText (textBuffers.stopped),
//     the SHA-256 of the body's bytes and of
//     the top-level MIME fields follows the text: one reading's text does
//     not show what the others do;
//   - when the header has an anomaly other than a duplicate MIME field (a
//     line with no colon, a space before a colon, a lone CR: some readers
//     end the header there and show the rest as the body), the SHA-256 of
//     the header's bytes from that line on (headerRestSum);
//   - the attachments: each attachment's decoded name and the SHA-256 of
//     its decoded bytes, in order;
//   - the paragraphs of the first text part, split at empty lines, each
//     re-wrapped (its words joined by one space): those the sender wrote,
//     and those it quotes one level deep (lines starting with ">", the
//     marker and one space removed).

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"mime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/leakproof/leakproof/internal/mailsyntax"
	"github.com/leakproof/leakproof/internal/sha256x"
	"github.com/leakproof/leakproof/internal/utf7"
)

// viewElements are the elements of the reader's view, in the order the
// archive pass names them: the header fields a mail client shows, then the
// body and the attachments.
var viewElements = []struct{ field, name string }{
	{"from", "From"}, {"sender", "Sender"}, {"reply-to", "Reply-To"},
	{"to", "To"}, {"cc", "Cc"}, {"bcc", "Bcc"}, {"subject", "Subject"},
	{"date", "Date"}, {"message-id", "Message-ID"},
	{"in-reply-to", "In-Reply-To"}, {"references", "References"},
	// Where Thunderbird and Mutt send a reply (to the sender, to a list):
	// a copy that changes them changes where a reader's reply goes.
	{"mail-reply-to", "Mail-Reply-To"}, {"mail-followup-to", "Mail-Followup-To"},
	{"", "the body"}, {"", "the attachments"},
}

// Positions of the body and the attachments in viewElements.
const (
	elemBody        = 13
	elemAttachments = 14
	numElements     = 15
)

// Caps on what the fingerprint keeps of the text.
const (
	maxParagraphs = 24      // own paragraphs kept, and quoted ones
	maxViewText   = 8 << 20 // decoded text bytes hashed per message
)

// A paragraph is one re-wrapped paragraph of text, in one word: the first
// 48 bits of the SHA-256 of its words joined by single spaces
// (paragraphHash), and in the low 16 bits how many words it has (at most
// 65535).
type paragraph uint64

func (p paragraph) hash() uint64  { return uint64(p) >> 16 }
func (p paragraph) words() uint32 { return uint32(p & 0xffff) }

// viewPrint is the fingerprint of a message's reader's view.
type viewPrint struct {
	whole  [16]byte            // SHA-256 (first half) over every element, in order
	elems  [numElements]uint16 // a short hash per element, to name what differs
	paras  []paragraph         // the sender's own paragraphs, at most maxParagraphs
	quotes []paragraph         // the paragraphs quoted one level deep, at most maxParagraphs
	// doubled: the view is of a text-mode copy's doubled line endings
	// read as CRLF (repair.double_cr, doubledAsCRLF). A client that ends
	// a line at each CR shows its header after the first line, unsigned
	// fields included, as body text the view does not hold, so the
	// archive pass never corroborates such a copy on its view.
	doubled bool
}

// readerView computes the fingerprint of the view f was judged on.
func readerView(f *facts) *viewPrint {
	v := &viewPrint{}
	var sums viewSums
	put := func(i int, s []byte) { sums.put(v, i, s) }
	// Each field's values, decoded, their words joined by one space, one
	// line per instance: built in one buffer, reused from field to field.
	var field []byte
	for i, e := range viewElements[:elemBody] {
		field = field[:0]
		j := 0
		for _, hf := range f.hdr.fields {
			if hf.Name != e.field {
				continue
			}
			if j++; j > 1 {
				field = append(field, '\n')
			}
			field = appendFields(field, mailsyntax.DecodeWords(fieldView(e.field, hf.Value)))
		}
		put(i, field)
	}
	var body []byte
	tb := textBufs.Get().(*textBuffers)
	defer tb.release()
	if f.hdr.body <= len(f.raw) && !f.headerOnly {
		var first []byte
		body, first = displayedTextRead(f.hdr, f.raw, tb, f.mimeOdd != nil)
		v.paras, v.quotes = paragraphs(first)
		if f.readersDiffer() || tb.stopped {
			// Readers read this body differently (coverage.mime_ambiguous,
			// header.duplicate_mime_field): the text is one reading of it,
			// so a copy shows the same only when its body bytes and its
			// top-level MIME fields are the same.
			body = append(append(slices.Clip(body), "\x00bytes\n"...), bodyBytesSum(f)...)
		}
	}
	if from, ok := headerReadOtherwise(f); ok {
		// Readers read the header differently from an odd line on (some
		// end it there and show the rest as the body): the header's bytes
		// from that line on follow the text.
		body = append(append(slices.Clip(body), "\x00header\n"...), headerRestSum(f, from)...)
	}
	put(elemBody, body)
	var att bytes.Buffer
	for _, a := range f.attachments {
		att.WriteString(a.Name)
		att.WriteByte(0)
		att.WriteString(a.SHA256)
		att.WriteByte('\n')
	}
	put(elemAttachments, att.Bytes())
	sums.finish(v)
	return v
}

// addressFields are the displayed fields that hold addresses.
var addressFields = []string{"from", "sender", "reply-to", "to", "cc", "bcc", "mail-reply-to", "mail-followup-to"}

// fieldView returns the value v of the displayed field name as the view
// holds it before its words are decoded: in an address field, a quoted
// display name that needs no quotes unquoted and a comma between
// addresses followed by a space (addressView); a Date of the common form
// with the day of the month and the day of the week written one way
// (dateView). Servers and clients that write a message out again (an
// Exchange or PST export, a gateway) write these either way, and a mail
// client shows them alike. Anything else is as written.
func fieldView(name, v string) string {
	switch {
	case name == "date":
		return dateView(v)
	case slices.Contains(addressFields, name):
		return addressView(v)
	}
	return v
}

// dateView returns the date v, when it has the common form
// (parseCommonDate), as "Mon, 2 Jan 2006 15:04:05 -0700" with its zone as
// written, followed by any comment it has as written (a reader that shows
// the field as written shows the comment); v otherwise.
func dateView(v string) string {
	t, ok := parseCommonDate(v)
	if !ok {
		return v
	}
	out := t.Format("Mon, 2 Jan 2006 15:04:05 -0700")
	if i := strings.IndexByte(v, '('); i >= 0 {
		out += " " + v[i:]
	}
	return out
}

// addressView returns the address list v with each quoted display name
// that needs no quotes written without them, and a space after each
// comma between addresses. A display name needs its quotes when it holds
// a character that means something in an address (`()<>[]:;@\,"`), a
// control character or "=?" (an encoded word, which some clients decode
// inside quotes and others do not), or when the quotes are not set apart
// by white space or an address's delimiters: such names stay as written.
// Comments stay as written.
func addressView(v string) string {
	if strings.IndexByte(v, '"') < 0 && strings.IndexByte(v, ',') < 0 {
		return v
	}
	var b strings.Builder
	apart := func(c byte) bool { return c == ' ' || c == '\t' || c == '<' || c == ',' || c == ':' || c == ';' }
	depth := 0 // comment nesting
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (depth > 0):
			b.WriteString(v[i : i+2])
			i++
			continue
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == ',':
			b.WriteString(", ")
			continue
		case c == '"':
			end := i + 1
			for end < len(v) && v[end] != '"' {
				if v[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(v) {
				b.WriteString(v[i:])
				return b.String()
			}
			name := v[i+1 : end]
			plain := name != "" && !strings.ContainsAny(name, "()<>[]:;@\\,\"") && !strings.Contains(name, "=?") &&
				(i == 0 || apart(v[i-1])) && (end+1 == len(v) || apart(v[end+1]))
			for _, r := range name {
				plain = plain && (r >= ' ' || r == '\t') && r != 0x7f
			}
			if plain {
				b.WriteString(name)
			} else {
				b.WriteString(v[i : end+1])
			}
			i = end
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// headerReadOtherwise returns the offset of the first header anomaly
// (headerAnomalies) other than a duplicate MIME field, which the body's
// bytes stand for: from that line on, readers read the header differently.
func headerReadOtherwise(f *facts) (from int, ok bool) {
	from = len(f.raw)
	for _, a := range f.anomalies {
		// The doubled line endings' anomaly stands for the whole header,
		// which viewPrint.doubled marks instead.
		if a.code != "header.duplicate_mime_field" && !a.doubled {
			from, ok = min(from, a.offset), true
		}
	}
	return from, ok
}

// headerRestSum is the SHA-256 of f's header bytes from the start of the
// line at offset from to the body, line breaks at their end aside.
func headerRestSum(f *facts, from int) []byte {
	end := min(f.hdr.body, len(f.raw))
	from = min(from, end)
	from = bytes.LastIndexByte(f.raw[:from], '\n') + 1
	sum := sha256.Sum256(bytes.TrimRight(f.raw[from:end], "\r\n"))
	return sum[:]
}

// bodyBytesSum is the SHA-256 of f's body bytes (line breaks at their end
// aside) and of the values of its
// top-level MIME fields (mimeFields), every instance in header order, which
// decide how readers split and decode those bytes.
func bodyBytesSum(f *facts) []byte {
	h := sha256.New()
	for _, hf := range f.hdr.fields {
		if slices.Contains(mimeFields, hf.Name) {
			h.Write([]byte(hf.Name))
			h.Write([]byte{0})
			h.Write([]byte(hf.Value))
			h.Write([]byte{'\n'})
		}
	}
	h.Write([]byte{0})
	// Line breaks at the end are left out, as body canonicalization
	// leaves them out: the blank line an mbox writer adds after a message
	// is no part of what a reader sees.
	h.Write(bytes.TrimRight(f.raw[f.hdr.body:], "\r\n"))
	return h.Sum(nil)
}

// viewSums computes a viewPrint's digests: whole, the SHA-256 of every
// element in order, each as its number (one byte), its length (eight,
// big-endian) and its bytes; and elems, the first two bytes of each
// element's own SHA-256. Stream A of the pair is the whole view, stream B
// each element in turn, restarted for the next: both read an element's
// bytes together.
type viewSums struct {
	pair sha256x.Pair
	n    [9]byte
}

// put adds element i, whose bytes are s, and sets v.elems[i].
func (vs *viewSums) put(v *viewPrint, i int, s []byte) {
	vs.n[0] = byte(i)
	binary.BigEndian.PutUint64(vs.n[1:], uint64(len(s)))
	vs.pair.Write2(vs.n[:], nil)
	vs.pair.Write2(s, s)
	_, h := vs.pair.Sums()
	v.elems[i] = binary.BigEndian.Uint16(h[:2])
	vs.pair.ResetB()
}

// finish sets v.whole.
func (vs *viewSums) finish(v *viewPrint) {
	whole, _ := vs.pair.Sums()
	copy(v.whole[:], whole[:])
}

// textBuffers are the buffers displayedText builds the text in, kept
// from message to message: the text of every message is copied at least
// once (its lines made LF), and the copy is hashed and dropped.
type textBuffers struct {
	norm []byte // normalizeText's copy of one text
	flow []byte // unflow's copy of one flowed text
	all  []byte // a multipart message's text parts, one after another
	read []byte // one part's decoded bytes
	// stopped is set by displayedTextRead when go-message's decoder of a
	// part stopped at an error before the part's end (quoted-printable
	// with a control byte, say), where other readers decode on, or the
	// text was cut at maxViewText: the text is then not all a reader sees.
	stopped bool
}

var textBufs = sync.Pool{New: func() any { return new(textBuffers) }}

// maxKeptText caps the buffers kept for the next message: an occasional
// large text is not held on to.
const maxKeptText = 1 << 20

// release puts tb back in the pool, without its buffers when one has grown
// past maxKeptText.
func (tb *textBuffers) release() {
	if cap(tb.norm) > maxKeptText || cap(tb.all) > maxKeptText || cap(tb.read) > maxKeptText || cap(tb.flow) > maxKeptText {
		*tb = textBuffers{}
	}
	textBufs.Put(tb)
}

// normalize returns normalizeText(b), copied into tb.norm when it is a
// copy: good until the next call.
func (tb *textBuffers) normalize(b []byte) []byte {
	var t []byte
	if plainText(b) {
		t = bytes.Trim(b, "\n")
	} else {
		if cap(tb.norm) < len(b) {
			tb.norm = make([]byte, 0, len(b))
		}
		t = normalizeText(tb.norm, b)
	}
	return unescapeFromLines(t)
}

// unescapeFromLines returns t, normalised text, with the ">" signs at the
// start of each line that reads ">From " after them removed (a copy in
// new memory when there are any). An mbox writer escapes a body line
// "From " as ">From " (mboxrd also ">From " as ">>From "), and a tool
// that cuts a message out of an mbox may leave that in: the view reads
// every such line alike, so that a copy with the escaping left in reads
// as the message, at the cost of not telling a line quoted with ">" from
// the same line unquoted when it starts with "From ".
func unescapeFromLines(t []byte) []byte {
	return unescapeFrom(t, false)
}

// unescapeBodyFromLines is unescapeFromLines over a body's bytes before
// any part is decoded, but keeping a line whose previous line ends in "="
// (white space after it aside, which quoted-printable decoders strip):
// in a quoted-printable part that is a soft line break, which joins the
// line to the one before, so its ">" is no escaping at a line's start but
// a character in the middle of a decoded line ("hidden>From ..." in
// markup closes a tag that hid the text after it).
func unescapeBodyFromLines(body []byte) []byte {
	return unescapeFrom(body, true)
}

func unescapeFrom(t []byte, softBreaks bool) []byte {
	i := bytes.Index(t, []byte(">From "))
	if i < 0 {
		return t
	}
	var out []byte
	prev := 0 // the start of the line before
	for start := 0; start < len(t); {
		end := len(t)
		if j := bytes.IndexByte(t[start:], '\n'); j >= 0 {
			end = start + j + 1
		}
		line := t[start:end]
		joined := softBreaks && bytes.HasSuffix(bytes.TrimRight(t[prev:start], " \t\r\n"), []byte("="))
		prev = start
		if rest := bytes.TrimLeft(line, ">"); len(rest) < len(line) && bytes.HasPrefix(rest, []byte("From ")) && !joined {
			if out == nil {
				out = append(make([]byte, 0, len(t)), t[:start]...)
			}
			line = rest
		}
		if out != nil {
			out = append(out, line...)
		}
		start = end
	}
	if out == nil {
		return t
	}
	return out
}

// displayedText returns the body as displayed (see the file comment) and
// the normalised text of its first text part, for paragraphs. Both may be
// in tb's buffers, and are good until tb is released.
func displayedText(h header, msg []byte, tb *textBuffers) (all, first []byte) {
	return displayedTextRead(h, msg, tb, false)
}

// displayedTextRead is displayedText; odd is set when the attachment walk
// met a line go-message and a mail client split the parts at differently
// (readAttachments), where the text is read as the client reads it too.
func displayedTextRead(h header, msg []byte, tb *textBuffers, odd bool) (all, first []byte) {
	tb.stopped = false
	mt, params, _ := parseContentType(h.first("content-type"))
	if !strings.HasPrefix(mt, "multipart/") {
		if !strings.HasPrefix(mt, "text/") || isAttachment(h.first("content-disposition")) {
			return topPart(h, msg, mt, tb), nil
		}
		decoded, raw, cut := decodeTextAs(msg[h.body:], h.first("content-transfer-encoding"), params["charset"])
		tb.all, tb.stopped = tb.all[:0], cut
		if raw != "" {
			// As textWalk.addText marks text kept in a charset it reads
			// otherwise.
			tb.all = append(append(append(tb.all, "\x00charset "...), raw...), '\n')
		}
		if fm := flowModeOf(mt, h.first("content-type")); fm != flowNone {
			// As textWalk.addText marks a flowed part.
			mark, t := flowedText(tb, decoded, fm)
			tb.all = append(append(append(tb.all, "\x00"...), mark...), '\n')
			tb.all = append(tb.all, t...)
			return tb.all, t
		}
		t := tb.normalize(decoded)
		if mt != "text/plain" {
			// As textWalk.addText marks a text part of another type.
			tb.all = append(append(append(tb.all, "\x00type "...), mt...), '\n')
		}
		if len(tb.all) > 0 {
			tb.all = append(tb.all, t...)
			return tb.all, t
		}
		return t, t
	}
	w := goMessageText(msg, tb)
	if w == nil {
		return nil, nil
	}
	tb.all = w.all[:0]
	if w.failed || odd {
		// go-message stopped at a multipart body it could not read, or
		// passed over a line a mail client starts the parts at: if at a
		// line a mail client reads otherwise, read the parts as a mail
		// client does, as attachments does. (A walk of its own: w.all
		// stays whole should this one give up.)
		if lw, ok := clientText(msg, tb); ok {
			w = lw
		}
	}
	tb.stopped = w.stopped
	if !w.seen {
		return w.all, nil
	}
	return w.all, w.all[w.first[0]:w.first[1]]
}

// topPart is the body as displayed of a message whose top-level body, of
// media type mt, is not shown as text: nothing when the attachments list
// it (it has a Content-Disposition and a file name), else the body as
// textWalk.addUnnamed adds a part, which a mail client shows.
func topPart(h header, msg []byte, mt string, tb *textBuffers) []byte {
	e, err := message.Read(bytes.NewReader(msg))
	if err != nil && e == nil || h.has("content-disposition") && partName(e) != "" {
		return nil
	}
	w := &textWalk{tb: tb, all: tb.all[:0]}
	w.addPart(e, mt)
	tb.all, tb.stopped = w.all[:0], w.stopped
	return w.all
}

// goMessageText is the text walk of a multipart message through
// go-message's multipart reader; nil when go-message reads no entity.
func goMessageText(msg []byte, tb *textBuffers) *textWalk {
	e, err := message.Read(bytes.NewReader(msg))
	if err != nil && e == nil {
		return nil
	}
	w := &textWalk{tb: tb, all: tb.all[:0]}
	w.walk(e, 0)
	return w
}

// clientText is the text walk over the message bytes as a mail client
// reads them (splitter.longLines); ok is false for a shape it leaves to
// go-message's walk, and when the walk met no line go-message stops at and
// a client reads past.
func clientText(msg []byte, tb *textBuffers) (w *textWalk, ok bool) {
	e, body, ok := sliceTop(msg)
	if !ok {
		return nil, false
	}
	w = &textWalk{tb: tb}
	if err := w.walkSlice(e, body, 0); err != nil || !w.found.long && w.found.odd == nil {
		// Without such a line, go-message stopped at something else (a
		// truncated part, say): its reading stands.
		return nil, false
	}
	return w, true
}

// textWalk collects the text parts of a multipart message.
type textWalk struct {
	tb      *textBuffers
	all     []byte
	first   [2]int // where the first text/plain part is in all
	seen    bool
	parts   int
	failed  bool       // a multipart body ended in an error, not its closing delimiter
	stopped bool       // a part's decoder stopped at an error (textBuffers.stopped)
	found   splitFinds // what walkSlice's splitters met where go-message reads otherwise
}

func (w *textWalk) walk(e *message.Entity, depth int) {
	if w.parts++; w.parts > maxMIMEParts || len(w.all) > maxViewText {
		w.stopped = w.stopped || len(w.all) > maxViewText
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		if depth >= maxMIMEDepth {
			return
		}
		_, params, _ := e.Header.ContentType()
		w.openMultipart(e.Header.Get("Content-Type"), params)
		defer w.closeMultipart()
		for {
			p, err := mr.NextPart()
			if p == nil || err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				w.failed = w.failed || err != io.EOF
				return
			}
			w.walk(p, depth+1)
		}
	}
	mt, params, err := e.Header.ContentType()
	if err != nil && mt == "" {
		mt = "text/plain"
	}
	if !strings.HasPrefix(strings.ToLower(mt), "text/") || isAttachment(e.Header.Get("Content-Disposition")) {
		w.addUnnamed(e, mt)
		return
	}
	// go-message has undone the transfer encoding; the charset is ours to
	// decode, as the top-level body's is.
	raw, err := readAllInto(w.tb.read[:0], io.LimitReader(e.Body, maxViewText))
	w.stopped = w.stopped || err != nil || len(raw) >= maxViewText
	w.tb.read = raw[:0]
	w.addText(raw, mt, params["charset"], flowModeOf(mt, e.Header.Get("Content-Type")))
}

// openMultipart marks the start of a multipart entity whose Content-Type
// is ct, with params: its subtype decides which of its parts a client
// shows (one alternative, the start of related parts), so the view holds
// it, with the start parameter, and closeMultipart marks the entity's end,
// so that a part moved into another container does not read the same.
func (w *textWalk) openMultipart(ct string, params map[string]string) {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	w.all = append(append(w.all, "\x00"...), mt...)
	if start := params["start"]; start != "" {
		w.all = append(append(w.all, " start="...), start...)
	}
	w.all = append(w.all, '\n')
}

func (w *textWalk) closeMultipart() {
	w.all = append(w.all, "\x00end\n"...)
}

// addText adds a text part of media type mt: raw, its transfer encoding
// undone, in charset, its lines read in mode fm (flowModeOf).
func (w *textWalk) addText(raw []byte, mt, charset string, fm flowMode) {
	var t []byte
	w.all = append(w.all, "\x00part"...)
	text, kept, _ := decodeTextAs(raw, "", charset)
	if kept != "" {
		// The bytes as they are, though a client reads them as other
		// text under their label: the same bytes under another label,
		// or that text in UTF-8, do not read the same.
		w.all = append(append(w.all, " charset "...), kept...)
	}
	if fm != flowNone {
		// A flowed part is shown otherwise than the same lines fixed.
		var mark string
		mark, t = flowedText(w.tb, text, fm)
		w.all = append(append(w.all, ' '), mark...)
	} else {
		t = w.tb.normalize(text)
	}
	if !strings.EqualFold(mt, "text/plain") {
		// A client renders text/html (and other text types) otherwise:
		// the same bytes relabelled are not the same text to a reader.
		w.all = append(w.all, ' ')
		w.all = append(w.all, strings.ToLower(mt)...)
	}
	w.all = append(w.all, '\n')
	if !w.seen && strings.EqualFold(mt, "text/plain") {
		w.seen, w.first = true, [2]int{len(w.all), len(w.all) + len(t)}
	}
	w.all = append(w.all, t...)
}

// addUnnamed adds part e, of media type mt, when it is neither shown as
// text nor a named attachment (an image, a PDF, an attached message, or
// text given as an attachment, without a file name): mail clients show
// such a part, which the attachments do not list. Its media type and the
// SHA-256 of its decoded bytes follow the text, so that a copy that adds
// or changes one does not show the same, and one a server re-encoded
// does.
func (w *textWalk) addUnnamed(e *message.Entity, mt string) {
	if partName(e) != "" {
		return // an attachment: the view holds its name and hash
	}
	w.addPart(e, mt)
}

// addPart adds part e, of media type mt, as addUnnamed does. Line breaks
// at the end of the decoded bytes are not hashed: the last one of a body
// is the one an mbox adds or a quoted-printable encoder ends on, where
// base64 has none.
func (w *textWalk) addPart(e *message.Entity, mt string) {
	sum := trimEndWriter{w: sha256.New()}
	buf := copyBuffers.Get().(*[]byte)
	_, err := io.CopyBuffer(&sum, e.Body, *buf)
	copyBuffers.Put(buf)
	w.stopped = w.stopped || err != nil
	w.all = append(w.all, "\x00unnamed "...)
	w.all = append(w.all, strings.ToLower(mt)...)
	w.all = append(w.all, '\n')
	w.all = sum.w.Sum(w.all)
}

// A trimEndWriter writes to w what is written to it but for the CR and LF
// bytes at its end: it holds them back until another byte follows.
type trimEndWriter struct {
	w    hash.Hash
	held []byte
}

func (t *trimEndWriter) Write(p []byte) (int, error) {
	end := len(p)
	for end > 0 && (p[end-1] == '\r' || p[end-1] == '\n') {
		end--
	}
	if end == 0 {
		t.held = append(t.held, p...)
		return len(p), nil
	}
	t.w.Write(t.held)
	t.w.Write(p[:end])
	t.held = append(t.held[:0], p[end:]...)
	return len(p), nil
}

// walkSlice is walk over the bytes, with the splitter reading as a mail
// client does (splitter.longLines): data is e's undecoded body. It returns
// errPlainWalk on a shape it leaves to walk.
func (w *textWalk) walkSlice(e *message.Entity, data []byte, depth int) error {
	if w.parts++; w.parts > maxMIMEParts || len(w.all) > maxViewText {
		w.stopped = w.stopped || len(w.all) > maxViewText
		return nil
	}
	mt, params, err := e.Header.ContentType()
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxMIMEDepth {
			return nil
		}
		w.openMultipart(e.Header.Get("Content-Type"), params)
		defer w.closeMultipart()
		found, err := eachPart(data, params["boundary"], true, func(p *message.Entity, body []byte) error {
			return w.walkSlice(p, body, depth+1)
		})
		w.found.add(found)
		return err
	}
	if err != nil && mt == "" {
		mt = "text/plain"
	}
	if !strings.HasPrefix(strings.ToLower(mt), "text/") || isAttachment(e.Header.Get("Content-Disposition")) {
		w.addUnnamed(e, mt)
		return nil
	}
	var raw []byte
	lw := limitedAppend{buf: w.tb.read[:0], n: maxViewText}
	if strings.ToLower(e.Header.Get("Content-Transfer-Encoding")) == "base64" && hashBase64(&lw, data) == nil {
		// One canonical base64 stream, decoded as go-message decodes it
		// in any chunks. go-message gave up on this message, so other
		// base64 text has no reading of its own to match: it is read by
		// go-message's decoder over the bytes, below.
		raw = lw.buf
		w.stopped = w.stopped || len(raw) >= maxViewText
	} else {
		// Quoted-printable and the rest: go-message's own decoders,
		// which read through buffers of their own.
		var err error
		raw, err = readAllInto(w.tb.read[:0], io.LimitReader(e.Body, maxViewText))
		w.stopped = w.stopped || err != nil || len(raw) >= maxViewText
	}
	w.tb.read = raw[:0]
	w.addText(raw, mt, params["charset"], flowModeOf(mt, e.Header.Get("Content-Type")))
	return nil
}

// limitedAppend is an io.Writer that keeps the first n bytes written.
type limitedAppend struct {
	buf []byte
	n   int
}

func (l *limitedAppend) Write(p []byte) (int, error) {
	if room := l.n - len(l.buf); room > 0 {
		l.buf = append(l.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// readAllInto appends what r reads to buf until EOF or an error, as
// io.ReadAll does, and returns buf and the error (nil at EOF).
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// isAttachment reports whether a Content-Disposition value presents the
// part as a file.
func isAttachment(cd string) bool {
	d, _, err := mime.ParseMediaType(cd)
	return cd != "" && (err == nil || err == mime.ErrInvalidMediaParameter) && strings.EqualFold(d, "attachment")
}

// decodeText undoes the transfer encoding cte ("" for none) of body and
// decodes it from charset to UTF-8 when the charset is known; otherwise
// the bytes are kept as they are.
func decodeText(body []byte, cte, charset string) []byte {
	t, _, _ := decodeTextAs(body, cte, charset)
	return t
}

// decodeTextAs is decodeText, and returns the charset label, lower-cased,
// when the bytes are kept as they are though a mail client reads them as
// other text under it: a label this package cannot decode and that does
// not read the text as ASCII (UTF-7 over a "+" shift, an EBCDIC code page,
// an ISO-2022 escape, anything over 8-bit bytes), or bytes its decoder
// refuses. The view marks such text with its label, so that a copy whose
// label makes a client show other text than the bytes does not read the
// same as one whose bytes are that text. cut is set when the text was cut
// at maxViewText. A byte-order mark at the start of the decoded text (which
// a Windows tool that re-encodes text to UTF-8 may write) is set aside: a
// reader sees nothing of it.
func decodeTextAs(body []byte, cte, charset string) (_ []byte, kept string, cut bool) {
	t, kept, cut := decodeTextKept(body, cte, charset)
	if kept == "" {
		t = bytes.TrimPrefix(t, []byte("\ufeff"))
	}
	return t, kept, cut
}

// decodeTextKept is decodeTextAs with a byte-order mark kept.
func decodeTextKept(body []byte, cte, charset string) (_ []byte, kept string, cut bool) {
	// Decoding stops past maxViewText: a large body is not decoded whole
	// only to be cut.
	switch enc := strings.ToLower(strings.TrimSpace(cte)); {
	case strings.HasPrefix(enc, "base64") && nonBase64(body) < 0:
		body = decodeBase64(body, maxViewText+1)
	case strings.HasPrefix(enc, "quoted-printable"):
		body, _, _, _ = scanQP(body, make([]byte, 0, min(len(body), maxViewText+4)), true, maxViewText+1)
	}
	if len(body) > maxViewText {
		body, cut = body[:maxViewText], true
	}
	label := strings.ToLower(strings.TrimSpace(charset))
	if label == "" || label == "utf-8" || label == "utf8" || isASCIILabel(label) {
		return body, "", cut
	}
	enc := lookupCharset(label)
	if enc == nil {
		enc = otherCharset(label)
	}
	if enc == nil {
		if isUTF7Label(label) {
			if out, ok := utf7.DecodeWellFormed(body); ok {
				return out, "", cut
			}
			return body, label, cut
		}
		// A label this package cannot decode: plain ASCII text reads as
		// itself under it but for the charsets that read ASCII bytes as
		// other text.
		if isASCII(body) && !ebcdicOrWide(label) && (bytes.IndexByte(body, 0x1b) < 0 || !strings.HasPrefix(label, "iso-2022")) {
			return body, "", cut
		}
		return body, label, cut
	}
	// 7-bit text reads as itself under nearly every charset, but not
	// under ISO-2022-JP and its kin, whose escape sequences switch to
	// other characters (Japanese mail is mostly sent so), nor under one
	// that reads ASCII bytes as other text (UTF-16).
	if isASCII(body) && bytes.IndexByte(body, 0x1b) < 0 && readsASCII(label, enc) {
		return body, "", cut
	}
	if out, err := enc.NewDecoder().Bytes(body); err == nil && utf8.Valid(out) {
		return out, "", cut
	}
	return body, label, cut
}

// otherCharset returns decoders for labels lookupCharset leaves out that
// mail clients decode: HZ (which WHATWG maps to its "replacement"
// encoding, and older Chinese mail is sent in) and UTF-32 (big-endian
// unless a byte-order mark says otherwise).
func otherCharset(label string) encoding.Encoding {
	switch label {
	case "hz-gb-2312", "hz":
		return simplifiedchinese.HZGB2312
	case "utf-32", "utf32", "ucs-4", "ucs4", "iso-10646-ucs-4", "csucs4", "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM)
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	}
	return nil
}

// normalizeText makes line endings LF, removes white space at the end of
// each line and empty lines at the start and the end. Text that needs
// only the last (LF line endings, no white space at a line's end) is
// returned as a slice of b, not copied; other text is copied into dst's
// memory when it has room (dst and b must not overlap), new memory
// otherwise.
func normalizeText(dst, b []byte) []byte {
	if plainText(b) {
		return bytes.Trim(b, "\n")
	}
	out := dst[:0]
	if cap(out) < len(b) {
		out = make([]byte, 0, len(b))
	}
	nl := -2 // where the next LF is in b, -1 if none, -2 if not yet looked for
	for len(b) > 0 {
		// The first CR or LF, found with bytes.IndexByte, which is
		// vectorised (IndexAny is not); the LF is remembered, so that
		// text whose lines end in CR alone is not scanned again per line.
		if nl == -2 {
			nl = bytes.IndexByte(b, '\n')
		}
		i, end := nl, nl
		if nl < 0 {
			end = len(b)
		}
		if j := bytes.IndexByte(b[:end], '\r'); j >= 0 {
			i = j
		}
		line := b
		if i >= 0 {
			line = b[:i]
			if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			b = b[i+1:]
			if nl >= 0 {
				if nl -= i + 1; nl < 0 {
					nl = -2
				}
			}
		} else {
			b = nil
		}
		n := len(line) // bytes.TrimRight(line, " \t"), without its set of bytes
		for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
			n--
		}
		out = append(out, line[:n]...)
		out = append(out, '\n')
	}
	return bytes.Trim(out, "\n")
}

// plainText reports whether normalizeText has nothing to change in b but
// its empty lines at the start and the end: b holds no CR and no line
// ends with a space or a tab.
func plainText(b []byte) bool {
	if bytes.IndexByte(b, '\r') >= 0 {
		return false
	}
	for {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line = b[:i]
		}
		if n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
			return false
		}
		if i < 0 {
			return true
		}
		b = b[i+1:]
	}
}

// paragraphs splits normalised text into the sender's own paragraphs and
// those quoted one level deep. A quoted line is one starting with ">"; the
// marker and one space after it are removed. Lines quoted deeper (">>")
// belong to an earlier message and are left out, as are empty lines, which
// end a paragraph.
func paragraphs(text []byte) (own, quoted []paragraph) {
	// Words are hashed as they are found, with no copy of the text or
	// list of its words: this runs over the displayed text of every
	// message.
	// The paragraphs are gathered in arrays, then copied out at their
	// sizes: two allocations, not one per doubling.
	cur := newParagraphHash()
	var ownBuf, quotedBuf [maxParagraphs]paragraph
	nOwn, nQuoted := 0, 0
	curQuoted := false
	flush := func() {
		if cur.words == 0 {
			return
		}
		p := cur.sum()
		switch {
		case curQuoted && nQuoted < maxParagraphs:
			quotedBuf[nQuoted] = p
			nQuoted++
		case !curQuoted && nOwn < maxParagraphs:
			ownBuf[nOwn] = p
			nOwn++
		}
		cur.reset()
	}
	for len(text) > 0 {
		if nOwn == maxParagraphs && nQuoted == maxParagraphs {
			break // nothing more would be kept
		}
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		q := len(line) > 0 && line[0] == '>'
		if q {
			line = bytes.TrimPrefix(line[1:], []byte(" "))
			if len(line) > 0 && line[0] == '>' {
				flush()
				continue
			}
		}
		if q != curQuoted {
			flush()
			curQuoted = q
		}
		if !q && nOwn == maxParagraphs {
			// No further own paragraph is kept, and an own line never
			// reaches a quoted paragraph (the change to a quoted line
			// flushes first): pass on to the next quoted line without
			// hashing the words between. Long mail is mostly own text.
			if len(text) > 0 && text[0] != '>' {
				if i := bytes.Index(text, []byte("\n>")); i >= 0 {
					text = text[i+1:]
				} else {
					text = nil
				}
			}
			continue
		}
		if !cur.addWords(line) {
			flush()
		}
	}
	flush()
	if nOwn > 0 {
		own = slices.Clone(ownBuf[:nOwn])
	}
	if nQuoted > 0 {
		quoted = slices.Clone(quotedBuf[:nQuoted])
	}
	return own, quoted
}

// appendFields appends to dst the words of s, as strings.Fields splits
// them (at Unicode white space), joined by single spaces: what
// strings.Join(strings.Fields(s), " ") returns, without the list of words
// or the string.
func appendFields(dst []byte, s string) []byte {
	first := true
	for len(s) > 0 {
		// Skip white space.
		for len(s) > 0 {
			c := s[0]
			if c < utf8.RuneSelf {
				if asciiSpace[c] == 0 {
					break
				}
				s = s[1:]
				continue
			}
			r, n := utf8.DecodeRuneInString(s)
			if !unicode.IsSpace(r) {
				break
			}
			s = s[n:]
		}
		if len(s) == 0 {
			break
		}
		// A word: up to the next white space.
		end := 0
		for end < len(s) {
			c := s[end]
			if c < utf8.RuneSelf {
				if asciiSpace[c] != 0 {
					break
				}
				end++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += n
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = append(dst, s[:end]...)
		first = false
		s = s[end:]
	}
	return dst
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}
