package provenance

// Views and repairs.
//
// The verifier first checks the message as its format defines it: the
// format's own mbox view (mbox.OwnView, the first of mbox.Views) with bare
// LF line endings made CRLF. Only when a signature's arithmetic fails are
// repairs tried, in this fixed order, each at most once:
//
//  1. The other mbox views of the stored bytes (for an mbox whose variant is
//     ambiguous: mboxrd first, then mboxo). For a single-message file
//     (.eml, .emlx) that still carries ">From " escaping because a tool cut
//     it out of an mbox without unescaping: the mboxrd and mboxo views.
//     Evidence: repair.mbox_unescaped.
//     Then, for the variants that cannot tell a quoted ">From " body line
//     from an escaped "From " line (mboxo, mboxcl, an mbox of unknown
//     variant, mboxrd, which the reader only infers, single-message files),
//     every mix of such body lines read as written or unescaped
//     (mbox.MixedViews: 64 views at most, none for a message over 1 MiB),
//     and only when a body hash fails. Evidence: repair.mbox_ambiguous.
//     A repair reads body lines differently, never header lines: no mbox
//     repair is tried when a stored header line starts with ">From "
//     (mbox.HasEscapedLine), and a view whose header differs from the
//     primary's is dropped.
//  2. Line endings doubled by a text-mode copy of a CRLF file ("\r\r\n"):
//     read as "\r\n". Evidence: repair.double_cr.
//
// A UTF-8 byte-order mark at the start of the stored bytes (an .eml saved
// by a Windows tool, a message right after its mbox separator line) is a
// storage artifact, not part of the message: every view, the format's own
// included, sets it aside (archive.bom, with one the mbox reader set aside
// before a separator line). Readers do the same, and the stricter reading
// is the one without it: a mark glued to the first field's name hides that
// field from a verifier, never from what the signature covers.
//
// Artifacts that need no repair, because DKIM canonicalization already
// ignores them or because they are not signed fields, are only noted:
// Google Takeout's X-GM-THRID and X-Gmail-Labels fields above the signed
// ones (archive.takeout_headers); an mbox separator line ("From sender
// date") left at the top of a single-message file by an export tool
// (archive.leading_separator, as archive.LeadingLine finds it: it is not a
// header field, so no verifier or mail client takes it for one, and its
// header finding is not reported);
// a blank line the mbox writer added at the end of the body, and a missing
// final CRLF (both vanish in body canonicalization, RFC 6376 §3.4.3 and
// §3.4.4).
//
// Every repair only removes bytes the archive format or a copy tool adds;
// none touches signed content otherwise. A repair is kept only when it
// makes more of the signatures' checks succeed (a header signature that
// becomes valid, a body hash that comes to match) and makes none that
// succeeded fail; the repaired view is then judged as a whole: its header
// findings, field instances and every verdict rule, so a repair cannot
// turn a real change into a pass.

import (
	"bytes"
	"context"
	"mime"
	"slices"
	"strings"
	"sync"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/mbox"
)

// A view is one candidate form of the message bytes.
type view struct {
	data   []byte
	lf     bool         // bare LF line endings were made CRLF
	bom    bool         // a byte-order mark at the start of the stored bytes was set aside
	code   string       // "" for the primary view, else the repair.* evidence code
	change string       // what the repair changed: one sentence
	pooled *[]byte      // data's buffer, from crlfBuffers or home (primaryView only)
	home   chan *[]byte // the Checker's large buffer's place, when pooled is large
	hdr    *dkim.Header // data's header, split once by header()
}

// header returns the view's header, split on first use and then shared by
// the DKIM check, the ARC check and the facts.
func (v *view) header() *dkim.Header {
	if v.hdr == nil {
		v.hdr = dkim.ParseHeader(v.data)
	}
	return v.hdr
}

// primaryView is the message as its format defines it, CRLF. When it had
// to be copied to make it CRLF (most mbox-stored mail), the copy comes from
// crlfBuffers and release hands it back: call it once nothing refers to
// the view any more (an Assessment holds no byte slices of it).
//
// An mbox message comes with what the reader learnt of its lines
// (archive.Message.Lines): then nothing is scanned or copied unless a line
// is escaped or ends in a bare LF. The blank line the mbox writer put after
// the message is framing, not the message's: when it ends in a bare LF
// after CRLF lines (a CRLF file written by an LF tool), it is left out, so
// the message is read as the CRLF message it is (canonicalization drops
// empty lines at the end of a body either way).
func (c *Checker) primaryView(m *archive.Message) view {
	raw, bom := setBOMAside(m.Raw)
	lines := m.Lines
	if lines != nil && !lines.BareLF && lines.Trailer == 1 && len(raw) >= 1 {
		raw = raw[:len(raw)-1]
	}
	data := raw
	if lines == nil || lines.Escaped {
		data = mbox.OwnView(raw, mbox.Format(m.Format)).Data // raw for an .eml
	}
	if lines != nil && !lines.BareLF {
		return view{data: data, bom: bom}
	}
	var buf *[]byte
	home := c.bigViews
	if len(data) <= maxPooledView {
		buf, home = crlfBuffers.Get().(*[]byte), nil
	} else {
		select {
		case buf = <-home:
		default:
			buf = new([]byte)
		}
	}
	crlf, changed := toCRLFInto(*buf, data)
	if !changed {
		v := view{pooled: buf, home: home}
		v.release()
		return view{data: crlf, bom: bom}
	}
	*buf = crlf
	return view{data: crlf, lf: true, bom: bom, pooled: buf, home: home}
}

// setBOMAside returns raw without the UTF-8 byte-order mark at its start,
// and whether there was one.
func setBOMAside(raw []byte) ([]byte, bool) {
	if bytes.HasPrefix(raw, []byte(mbox.UTF8BOM)) {
		return raw[len(mbox.UTF8BOM):], true
	}
	return raw, false
}

// crlfBuffers keeps the CRLF copies of primary views between messages:
// they were a quarter of all the bytes the command allocates. Buffers over
// maxPooledView are not pooled: a Checker keeps one of them
// (Checker.bigViews) for its next large message, so that a run of large
// messages reuses one buffer rather than leaving a new one behind for
// the garbage collector each time.
var crlfBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledView = 4 << 20

// release hands a pooled view's buffer back; the view must not be used
// after it.
func (v *view) release() {
	if v.pooled == nil {
		return
	}
	*v.pooled = (*v.pooled)[:0]
	switch {
	case v.home != nil && cap(*v.pooled) > maxPooledView:
		select {
		case v.home <- v.pooled:
		default: // the Checker keeps one already
		}
	case cap(*v.pooled) <= maxPooledView:
		crlfBuffers.Put(v.pooled)
	}
	v.pooled, v.home, v.data = nil, nil, nil
}

// repairCandidates returns the bounded list of repairs for m, in order
// (see the comment at the top of this file).
func repairCandidates(m *archive.Message, primary view) []view {
	var out []view
	seen := [][]byte{primary.data}
	addView := func(v view) {
		for _, s := range seen {
			if bytes.Equal(s, v.data) {
				return
			}
		}
		seen = append(seen, v.data)
		out = append(out, v)
	}

	// 1. Other mbox views. Not when a header line of the stored message
	// starts with ">From ": the format's own view reads it one way (a From
	// field for mbox, a field named ">From " for an .eml), and a repair
	// that reads it the other way, or reads the body as escaped but not
	// the header, can hide an added From behind a passing signature.
	// A single-message file may have been cut out of an mbox of any
	// variant without being unescaped: it gets every view of an mbox of
	// unknown variant.
	var others []mbox.View
	var mixed [][]byte
	raw, _ := setBOMAside(m.Raw)
	// When the mbox reader saw no line any unescaping changes, every view
	// is the stored bytes.
	escaped := m.Lines == nil || m.Lines.Escaped
	if body := splitHeader(raw).body; escaped && !mbox.HasEscapedLine(raw[:body]) {
		format, ok := mbox.ParseFormat(m.Format.String())
		if ok {
			others = mbox.Views(raw, format)[1:]
		} else {
			format = mbox.FormatMbox
			others = mbox.Views(raw, format)
		}
		if format.Ambiguous() {
			mixed = mbox.MixedViews(raw, body)
		}
	}
	primaryHeader := primary.data[:splitHeader(primary.data).body]
	for _, v := range others {
		data, _ := toCRLF(v.Data)
		// A repair may read body lines differently, never header lines: a
		// ">From : Mallory" line the format's own view reads as a From
		// field must not become a harmless field named ">From " because
		// the signature then passes.
		if !bytes.Equal(data[:splitHeader(data).body], primaryHeader) {
			continue
		}
		change := "Lines starting with \">From \" were unescaped by the " + string(v.Format) + " rule, and the signature checks came out better: most likely the archive's escaping differed, though a \">\" added to such a line would look the same."
		if v.Format == mbox.FormatMboxcl2 {
			change = "Lines starting with \">From \" were read as written, not unescaped, and the signature checks came out better: most likely they were quoted in the original, though a \">\" added to such a line would look the same."
		}
		addView(view{data: data, code: "repair.mbox_unescaped", change: change})
	}

	// 1b. mboxo's ambiguity: each mix of body lines read as written or
	// unescaped.
	for _, v := range mixed {
		data, _ := toCRLF(v)
		addView(view{data: data, code: "repair.mbox_ambiguous",
			change: "This mbox variant cannot tell a quoted \">From \" line from an escaped \"From \" line; read with some of them unescaped and the others as written, the signature checks came out better."})
	}

	// 2. Doubled carriage returns, only when every line ending is
	// doubled, as a text-mode copy of a CRLF file does it: one CR slipped
	// in before a header line's end makes many readers end the header
	// there, hiding the signed fields below it in the body.
	if n := bytes.Count(primary.data, []byte("\r\r\n")); n > 0 && n == bytes.Count(primary.data, []byte("\n")) {
		addView(view{data: undoubleCR(primary.data), code: "repair.double_cr",
			change: "Line endings doubled by a text-mode copy (CR CR LF) were read as CR LF, and the signature checks came out better: the copy tool, not the sender, added those bytes."})
	}
	return out
}

// repair tries the repairs in order and returns the first view that makes a
// failing signature verify without breaking a verifying one, with its
// Verification; else primary and ver unchanged.
func (c *Checker) repair(ctx context.Context, m *archive.Message, primary view, ver *dkim.Verification, opts *dkim.Options) (view, *dkim.Verification, error) {
	bodyFails := false
	for i := range ver.Signatures {
		bodyFails = bodyFails || ver.Signatures[i].BodyHash == dkim.BodyMismatch
	}
	for _, v := range repairCandidates(m, primary) {
		if v.code == "repair.mbox_ambiguous" && !bodyFails {
			continue // these views differ only in the body
		}
		rv, err := verify(ctx, v.header(), opts)
		if err != nil {
			return primary, ver, err
		}
		if improves(ver, rv) {
			v.lf, v.bom = primary.lf, primary.bom
			return v, rv, nil
		}
	}
	return primary, ver, nil
}

// improves reports whether after, with the same signatures as before, has
// more successful checks (header signatures valid, body hashes matching)
// and none that succeeded before failing now.
func improves(before, after *dkim.Verification) bool {
	if len(before.Signatures) != len(after.Signatures) || len(before.DomainKeys) != len(after.DomainKeys) {
		return false
	}
	gained := false
	bs := append(slices.Clone(before.Signatures), before.DomainKeys...)
	as := append(slices.Clone(after.Signatures), after.DomainKeys...)
	for i := range bs {
		b, a := &bs[i], &as[i]
		if b.Domain != a.Domain || b.Selector != a.Selector || b.B != a.B {
			return false
		}
		if b.HeaderSignature == dkim.HeaderValid && a.HeaderSignature != dkim.HeaderValid ||
			b.BodyHash == dkim.BodyMatch && a.BodyHash != dkim.BodyMatch {
			return false
		}
		if a.HeaderSignature == dkim.HeaderValid && b.HeaderSignature != dkim.HeaderValid ||
			a.BodyHash == dkim.BodyMatch && b.BodyHash != dkim.BodyMatch {
			gained = true
		}
	}
	return gained
}

// toCRLF returns b with every bare LF made CRLF, and whether it changed
// anything. When nothing changes, b itself is returned. It runs at
// memchr speed: archives are large.
func toCRLF(b []byte) ([]byte, bool) {
	return toCRLFInto(nil, b)
}

// toCRLFInto is toCRLF writing the changed bytes into dst's array when it
// is large enough.
func toCRLFInto(dst, b []byte) ([]byte, bool) {
	bare := bytes.Count(b, []byte("\n"))
	if bare > 0 && bytes.IndexByte(b, '\r') >= 0 {
		bare -= bytes.Count(b, []byte("\r\n"))
	}
	if bare == 0 {
		return b, false
	}
	out := dst[:0]
	if cap(out) < len(b)+bare {
		out = make([]byte, 0, len(b)+bare)
	}
	start := 0
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		j += i
		if j == 0 || b[j-1] != '\r' {
			out = append(out, b[start:j]...)
			out = append(out, '\r', '\n')
			start = j + 1
		}
		i = j + 1
	}
	return append(out, b[start:]...), true
}

// undoubleCR replaces every "\r\r\n" of b with "\r\n".
func undoubleCR(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\r\r\n"), []byte("\r\n"))
}

// doubledAsCRLF returns the view of data with every "\r\r\n" read as
// "\r\n", for the reader's view, when every line of data ends so (a
// text-mode copy of a CRLF file, as Windows tools make). A CR anywhere
// else (a lone CR inside a line) is kept, and read as such. A reader that
// takes each CR for a line break ends the header after the first line and
// shows the rest of the header, unsigned fields included, as the body
// (rendered as markup or decoded when the first line is such a MIME field:
// firstLineReadsPlain), which this view does not hold: viewPrint.doubled
// keeps the archive pass from corroborating such a copy on it, so the
// view serves only to tell whether the copy differs from another.
func doubledAsCRLF(data []byte) (view, bool) {
	n := bytes.Count(data, []byte("\r\r\n"))
	if n == 0 || n != bytes.Count(data, []byte("\n")) {
		return view{}, false
	}
	return view{data: undoubleCR(data), code: "repair.double_cr"}, true
}

// firstLineReadsPlain reports whether a reader that ends the header after
// the first line of data (as one that takes each CR of a doubled line
// ending for a line break does) reads what follows as plain text: that
// line is no Content-Type field of another type than text/plain, in a
// charset that does not read ASCII as itself or that the strict media-type
// parser refuses, and no
// Content-Transfer-Encoding field that decodes. Otherwise it returns the
// field's name as written.
func firstLineReadsPlain(data []byte) (field string, ok bool) {
	line, _, _ := bytes.Cut(data, []byte("\r"))
	line, _, _ = bytes.Cut(line, []byte("\n"))
	name, value, found := bytes.Cut(line, []byte(":"))
	if !found {
		return "", true
	}
	field = string(bytes.TrimSpace(name))
	switch strings.ToLower(field) {
	case "content-type":
		// A value Go's strict parser refuses is read leniently as
		// text/plain, but a reader that skips a comment or stops at white
		// space ("text/html (x)": Thunderbird, Python's header registry)
		// may read another type in it: such a line is not taken as plain.
		if _, _, err := mime.ParseMediaType(string(value)); err != nil {
			return field, false
		}
		mt, params, dup := parseContentType(string(value))
		if mt != "text/plain" || len(dup) > 0 || !readsAsItself(params["charset"]) {
			return field, false
		}
	case "content-transfer-encoding":
		switch strings.ToLower(string(bytes.TrimSpace(value))) {
		case "7bit", "8bit", "binary":
		default:
			return field, false
		}
	}
	return "", true
}

// readsAsItself reports whether text under the charset label reads its
// ASCII bytes as themselves, escape sequences included: no label, UTF-8,
// US-ASCII, or a charset this package decodes that reads ASCII so, other
// than an ISO-2022 one.
func readsAsItself(label string) bool {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" || label == "utf-8" || label == "utf8" || isASCIILabel(label) {
		return true
	}
	enc := lookupCharset(label)
	return enc != nil && !strings.HasPrefix(label, "iso-2022") && readsASCII(label, enc)
}

// firstLine returns b's first line without its ending, at most 80 bytes.
func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if len(line) > 80 {
		line = line[:80]
	}
	return string(line)
}
