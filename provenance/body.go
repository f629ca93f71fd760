package provenance

// The body as a reader sees it. A signature proves the body's bytes, but
// a mail client does not show bytes: it splits them into parts at the
// boundary the top-level Content-Type names, undoes the
// Content-Transfer-Encoding, decodes the text with the charset, and shows
// the body as the message text or, under Content-Disposition: attachment,
// as a file. Most mail (Gmail's among it) leaves those fields unsigned, so
// a forger who keeps every signed byte can still change what a reader
// sees: a boundary that turns the sender's words into a preamble no client
// shows, or pushes an attachment past the closing delimiter; a boundary
// that matches nothing, so the parts vanish; a charset or an encoding
// under which the same bytes read as other text.
//
// bodyFit (facts stage) checks each top-level MIME field against the body
// bytes and lists the fields that do not fit them as their only natural
// reading. The decision (decide.go) counts a misfit only for a field no
// proven signature covers: a signed Content-Type, every instance of it,
// needs no such check. What fits, field by field:
//
//   - Content-Type multipart/*: it names one boundary; the body holds its
//     delimiter lines (RFC 2046 §5.1.1, "--" boundary then optional
//     white space, matched exactly); each part starts with a header of
//     its own (a field, or the empty line of an empty header); the closing delimiter comes, and only white space
//     follows it (the epilogue); the text before the first delimiter (the
//     preamble) is white space or one of the notes mailers write there
//     for readers without MIME (mimeNotes, matched whole). A body that
//     matches no delimiter line is named with the boundary its own
//     structure uses, when it has one. multipart/alternative does not fit
//     a part that is an attachment: a client shows one alternative only.
//   - Any other Content-Type (or none, which means text/plain): the body
//     does not hold a MIME structure of its own (a delimiter line, after
//     at most white space and a MIME note, whose part starts with a
//     header field and whose closing delimiter follows), which a client
//     would then show as raw text with its attachments gone.
//   - charset, for text/*: utf-8 decodes the bytes; a charset under which
//     plain ASCII bytes (with no ISO-2022 escape) read as other text
//     (UTF-16, UTF-7 shifts, EBCDIC) does not fit; nor does a charset
//     other than utf-8 and us-ascii over bytes that are valid UTF-8 with
//     non-ASCII characters. Latin-1 and Windows-1252 text (not valid
//     UTF-8) under its own label fits, and so does anything under
//     us-ascii or a charset this package does not know: clients differ
//     there, and nothing shows that another reading was meant.
//   - Content-Transfer-Encoding: base64 fits only base64 text; quoted-
//     printable fits unless the body has "=" signs that are not escapes
//     and no soft line break (it was never encoded) and escapes that
//     decoding would change; 7bit, 8bit and binary fit anything (7bit over 8-bit bytes is
//     common and harmless). A multipart body is never encoded as a whole
//     (RFC 2045 §6.4): base64 or quoted-printable over it does not fit.
//   - Content-Disposition: attachment does not fit a text/plain, text/html
//     or multipart body: it shows the sender's text as a file.

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strings"

	"github.com/leakproof/leakproof/dkim"
)

// htmlMarkup matches the markup of any HTML a mailer writes: an element
// tag, a comment, a doctype or an entity.
var htmlMarkup = regexp.MustCompile(`(?i)<(?:!doctype|!--|/?(?:html|head|body|div|p|br|hr|table|tr|td|th|span|a|font|b|i|u|em|strong|ul|ol|li|img|meta|style|title|center|blockquote|pre|h[1-6]|tbody|thead|sup|sub|small|big|tt|code|section|article|header|footer|nav|o:p)\b)|&(?:nbsp|amp|lt|gt|quot|#\d+);`)

// bodyStructure is the misfit field of a body whose MIME structure no
// signed field can vouch for (a part header ended by a line of spaces):
// no signature lists it in h=, so it is never proven.
const bodyStructure = "body-structure"

// A mimeMisfit is one top-level MIME field that does not fit the body.
type mimeMisfit struct {
	field  string // lower-case field name: content-type, content-transfer-encoding or content-disposition
	reason string // why, a clause that follows "<field> does not fit the body: "
}

// mimeNotes are the notes mailers put in a multipart preamble for readers
// without MIME, compared whole after white space is collapsed, without
// regard to case or a final period. Anything else there is text a mail
// client does not show.
var mimeNotes = []string{
	"this is a multi-part message in mime format",
	"this is a multipart message in mime format",
	"this is a mime-encapsulated message",
	"this is a mime encapsulated message",
	"this is a mime-formatted message",
	"this is a mime formatted message",
	"this is a message in mime format",
	"this is a multi-part message in mime format. your mail reader does not understand mime message format",
	"this is a mime-formatted message. if you see this text it means that your e-mail software does not support mime-formatted messages",
	"this message is in mime format. since your mail reader does not understand this format, some or all of this message may not be legible",
	"this message is in mime format. the first part should be readable text, while the remaining parts are likely unreadable without mime-aware tools",
	"dies ist eine mehrteilige nachricht im mime-format",
	// Enigmail and Thunderbird, over PGP/MIME and S/MIME.
	"this is an openpgp/mime signed message (rfc 4880 and 3156)",
	"this is an openpgp/mime encrypted message (rfc 4880 and 3156)",
	"this is an openpgp/mime signed message (rfc 2440 and 3156)",
	"this is an openpgp/mime encrypted message (rfc 2440 and 3156)",
	"this is a cryptographically signed message in mime format",
	"this is an s/mime signed message",
}

// bodyFit lists the top-level MIME fields of h that do not fit body, the
// bytes after the header (CRLF or LF).
func bodyFit(h header, body []byte) []mimeMisfit {
	return mimeFit(h.first("content-type"), h.first("content-transfer-encoding"), h.first("content-disposition"), body)
}

// mimeFit lists which of the top-level field values ct, cte and cd
// (unfolded; "" for a field that is absent) do not fit body.
func mimeFit(ct, cte, cd string, body []byte) []mimeMisfit {
	var out []mimeMisfit
	add := func(field, format string, args ...any) {
		out = append(out, mimeMisfit{field: field, reason: fmt.Sprintf(format, args...)})
	}
	mt, params, dup := parseContentType(ct)
	enc := strings.ToLower(strings.TrimSpace(cte))
	if i := strings.IndexAny(enc, " \t;("); i >= 0 {
		enc = enc[:i]
	}
	if strings.HasPrefix(mt, "multipart/") {
		misfits, spaced := multipartMisfits(mt, params, dup, body)
		for _, r := range misfits {
			add("content-type", "%s", r)
		}
		if spaced > 0 {
			// Not a field's misfit: relaxed body canonicalization signs a
			// line of spaces as an empty line, so no signed field vouches
			// for where the part header ends.
			add(bodyStructure, "part %d's header runs on over a line of spaces where an empty line would end it: relaxed canonicalization signs both the same, but a mail client reads the lines after it as more header fields and does not show them", spaced)
		}
		if enc == "base64" || enc == "quoted-printable" {
			add("content-transfer-encoding", "it declares %s over a multipart body, which is never encoded as a whole (RFC 2045 §6.4), so a mail client that decodes it shows no part", enc)
		}
	} else if !strings.HasPrefix(mt, "message/") {
		if b := structureBoundary(body, false); b != "" {
			add("content-type", "it declares %s, but the body is a MIME multipart structure delimited by %q, which a mail client then shows as raw text, listing none of its attachments", mt, b)
		}
	}
	text := body
	if strings.HasPrefix(mt, "multipart/") {
		enc, text = "", nil // the parts say how they are encoded
	}
	// Only a text body is read after decoding: the decoded bytes of
	// anything else (a 90 MB attachment sent as the whole body) are never
	// made.
	isText := strings.HasPrefix(mt, "text/")
	switch enc {
	case "base64":
		if i := nonBase64(body); i >= 0 {
			add("content-transfer-encoding", "it declares base64, but the body is not base64 text (byte %d is %q), so a mail client shows other bytes than the ones signed", i, body[i])
			text = nil
		} else if isText {
			text = decodeBase64(body, -1)
		}
	case "quoted-printable":
		var decoded []byte
		if isText {
			decoded = make([]byte, 0, len(body))
		}
		decoded, escapes, soft, stray := scanQP(body, decoded, isText, -1)
		if escapes > 0 && stray > 0 && soft == 0 {
			add("content-transfer-encoding", "it declares quoted-printable, but the body has %q signs that escape nothing and no soft line break, so it was never encoded, and decoding would still change %d places in the text", "=", escapes)
			text = nil
		} else {
			text = decoded
		}
	}
	if mt == "text/html" && text != nil && !htmlMarkup.Match(text) {
		add("content-type", "it declares text/html, but the body has no HTML markup: a mail client renders plain text as HTML, hiding whatever looks like a tag (\"<not>\") and running the lines together")
	}
	if isText && text != nil {
		if cs, ok := params["charset"]; ok {
			if dup["charset"] {
				add("content-type", "it names two different charsets, and mail clients disagree on which one decodes the body")
			} else if r := charsetMisfit(cs, text); r != "" {
				add("content-type", "%s", r)
			}
		}
	}
	if cd != "" && dispositionType(cd) == "attachment" &&
		(mt == "text/plain" || mt == "text/html" || strings.HasPrefix(mt, "multipart/")) {
		add("content-disposition", "it presents the %s body as an attachment, a file to open, instead of as the message text", mt)
	}
	return out
}

// parseContentType reads a Content-Type value as a lenient mail client
// does: the media type lower-cased (text/plain when absent or unreadable,
// RFC 2045 §5.2) and its parameters with lower-case names. dup marks the
// parameters given twice with different values.
func parseContentType(v string) (mt string, params map[string]string, dup map[string]bool) {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		mt, params, dup = lenientMediaType(v)
	}
	// A parameter given both plainly and in RFC 2231's form
	// (boundary="A"; boundary*=us-ascii''B) is read one way by clients that
	// know RFC 2231 and the other by those that do not.
	for name := range rfc2231Twins(v) {
		if dup == nil {
			dup = map[string]bool{}
		}
		dup[name] = true
	}
	if typ, sub, ok := strings.Cut(mt, "/"); !ok || !isToken(typ) || !isToken(sub) {
		mt = "text/plain"
	}
	if params == nil {
		params = map[string]string{}
	}
	return mt, params, dup
}

// lenientMediaType splits a value mime.ParseMediaType refuses: the type
// before the first ";", then name=value pairs, quoted or not; the first
// instance of a parameter counts.
func lenientMediaType(v string) (string, map[string]string, map[string]bool) {
	parts := splitParams(v)
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	params, dup := map[string]string{}, map[string]bool{}
	for _, p := range parts[1:] {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = strings.ReplaceAll(value[1:len(value)-1], `\`, "")
		}
		if old, seen := params[name]; seen {
			if old != value {
				dup[name] = true
			}
			continue
		}
		params[name] = value
	}
	return mt, params, dup
}

// rfc2231Twins returns the names of the parameters of v written both as
// name= and as name*= (or name*0=, name*0*=).
func rfc2231Twins(v string) map[string]bool {
	plain, ext := map[string]bool{}, map[string]bool{}
	for _, p := range splitParams(v)[1:] {
		name, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if base, _, star := strings.Cut(name, "*"); star {
			ext[base] = true
		} else {
			plain[name] = true
		}
	}
	out := map[string]bool{}
	for n := range ext {
		if plain[n] {
			out[n] = true
		}
	}
	return out
}

// dispositionType returns a Content-Disposition value's type, lower-cased,
// as a lenient client reads it whatever its parameters say.
func dispositionType(v string) string {
	return strings.ToLower(strings.TrimSpace(splitParams(v)[0]))
}

// isToken reports whether s is an RFC 2045 token: printable ASCII, no
// space and no tspecial.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// splitParams splits v at the semicolons outside quoted strings.
func splitParams(v string) []string {
	var out []string
	for {
		end := paramEnd(v)
		out = append(out, v[:end])
		if end == len(v) {
			return out
		}
		v = v[end+1:]
	}
}

// paramEnd returns the index of the first semicolon of v outside quoted
// strings (where a backslash quotes the next byte), or len(v).
func paramEnd(v string) int {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			return i
		}
	}
	return len(v)
}

// Kinds of boundary line.
const (
	notDelimiter = iota
	openDelimiter
	closeDelimiter
)

// delimiterKind says whether line is a delimiter line of boundary: "--"
// boundary, "--" more for the closing one, then only white space (the
// transport padding of RFC 2046 §5.1.1), as Go's mime/multipart matches.
func delimiterKind(line []byte, boundary string) int {
	if len(line) < 2+len(boundary) || line[0] != '-' || line[1] != '-' || string(line[2:2+len(boundary)]) != boundary {
		return notDelimiter
	}
	rest, kind := line[2+len(boundary):], openDelimiter
	if bytes.HasPrefix(rest, []byte("--")) {
		rest, kind = rest[2:], closeDelimiter
	}
	if len(bytes.Trim(rest, " \t")) != 0 {
		return notDelimiter
	}
	return kind
}

// multipartMisfits says why the multipart Content-Type mt with params does
// not fit body, if it does not. Each kind of misfit is reported once: a
// forged body can hold a million parts.
func multipartMisfits(mt string, params map[string]string, dup map[string]bool, body []byte) (out []string, spaced int) {
	boundary := params["boundary"]
	switch {
	case dup["boundary"]:
		return []string{"it names two different boundaries, and mail clients disagree on which one splits the body into parts"}, 0
	case boundary == "":
		return []string{fmt.Sprintf("it declares %s with no boundary, so a mail client finds no part in the body", mt)}, 0
	}
	first, end, kind := nextDelimiter(body, boundary, 0)
	if first >= 0 && kind == closeDelimiter && !hasOpen(body, boundary, end) {
		first = -1 // a closing line alone delimits no part
	}
	if first < 0 {
		if other := structureBoundary(body, true); other != "" {
			return []string{fmt.Sprintf("its boundary %q matches no delimiter line of the body, which is delimited by %q instead, so a mail client finds no part in it", boundary, other)}, 0
		}
		return []string{fmt.Sprintf("its boundary %q matches no delimiter line of the body, so a mail client finds no part in it and shows none of the sender's text or attachments", boundary)}, 0
	}
	if pre := body[:first]; !isMIMENote(pre) {
		out = append(out, fmt.Sprintf("the %d bytes before its first delimiter line (the preamble) are text, not a MIME note, and a mail client does not show them", len(bytes.TrimSpace(pre))))
	}
	part, headless, hidden := 0, false, false
	var types []string // each part's media type
	for at, k := end, kind; ; {
		if k == closeDelimiter {
			if post := bytes.TrimSpace(body[at:]); len(post) > 0 {
				out = append(out, fmt.Sprintf("%d bytes of text follow its closing delimiter line (the epilogue), and a mail client does not show them", len(post)))
			}
			break
		}
		part++
		// A part starts with its header: fields, or at least the empty
		// line that ends an empty one (RFC 2046 §5.1.1 allows it).
		line, _ := nextLine(body, at)
		switch {
		case at >= len(body) || !isFieldLine(line) && len(line) > 0:
			if !headless {
				out = append(out, fmt.Sprintf("part %d starts with text, not with a header of its own, which no mailer writes", part))
				headless = true
			}
		case mt == "multipart/alternative" && !hidden && isAttachmentPart(body, at):
			out = append(out, fmt.Sprintf("it declares multipart/alternative, but part %d is an attachment, and a mail client shows one alternative only, hiding the others", part))
			hidden = true
		}
		h := readPartHeader(body, at)
		types = append(types, h.contentType)
		if h.spaceLine && spaced == 0 {
			spaced = part
		}
		var s int
		if s, at, k = nextDelimiter(body, boundary, at); s < 0 {
			out = append(out, fmt.Sprintf("the body has no closing delimiter line for its boundary %q, which every mailer writes", boundary))
			break
		}
	}
	if r := subtypeMisfit(mt, params, types); r != "" {
		out = append(out, r)
	}
	return out, spaced
}

// subtypeMisfit says why the parts' media types do not fit the multipart
// subtype mt, if they do not. Clients show only one part of some
// subtypes: relabelling multipart/mixed as one of them hides the others.
func subtypeMisfit(mt string, params map[string]string, types []string) string {
	switch mt {
	case "multipart/alternative":
		seen := map[string]int{}
		for i, t := range types {
			if t == "" {
				t = "text/plain" // RFC 2046 §5.1's default
			}
			if j, ok := seen[t]; ok {
				return fmt.Sprintf("it declares multipart/alternative, but parts %d and %d are both %s, not two forms of one text, and a mail client shows only the last", j+1, i+1, t)
			}
			seen[t] = i
		}
	case "multipart/signed":
		if len(types) != 2 || !slices.Contains([]string{"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}, types[1]) {
			return "it declares multipart/signed, but the body is not a part followed by a signature, and a mail client shows only the first part"
		}
	case "multipart/encrypted":
		if len(types) != 2 || types[0] != "application/pgp-encrypted" {
			return "it declares multipart/encrypted, but the body holds no encrypted message, and a mail client shows none of its text"
		}
	case "multipart/digest":
		for i, t := range types {
			if t != "message/rfc822" && t != "" {
				return fmt.Sprintf("it declares multipart/digest, but part %d is %s, not a message, and mail clients show a digest's parts as attached messages", i+1, t)
			}
		}
	case "multipart/related":
		if params["start"] != "" {
			return "it declares multipart/related with a start parameter, which chooses the one part a mail client shows"
		}
	}
	return ""
}

// A partHeader is what the MIME fit check reads of a part's header.
type partHeader struct {
	contentType string // the media type, lower-cased; "" when the part has no Content-Type
	spaceLine   bool   // a line of only spaces or tabs sits where the header would end
}

// readPartHeader reads the header of the part that starts at offset at.
func readPartHeader(body []byte, at int) partHeader {
	var h partHeader
	for n := 0; at < len(body) && n < maxPartHeaderLines; n++ {
		line, next := nextLine(body, at)
		if len(line) == 0 {
			break
		}
		if len(bytes.Trim(line, " \t")) == 0 {
			h.spaceLine = true
		}
		at = next
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !strings.EqualFold(strings.TrimSpace(string(name)), "content-type") {
			continue
		}
		v := string(value)
		for at < len(body) && (body[at] == ' ' || body[at] == '\t') {
			cont, next := nextLine(body, at)
			if len(bytes.Trim(cont, " \t")) == 0 {
				h.spaceLine = true
			}
			v += string(cont)
			at = next
		}
		h.contentType = strings.ToLower(strings.TrimSpace(splitParams(v)[0]))
	}
	return h
}

// nextDelimiter finds the first delimiter line of boundary at or after
// offset from: it returns where the line starts, the offset after its
// line ending, and its kind; start is -1 when there is none.
func nextDelimiter(body []byte, boundary string, from int) (start, end, kind int) {
	dash := []byte("--" + boundary)
	for from < len(body) {
		i := bytes.Index(body[from:], dash)
		if i < 0 {
			break
		}
		i += from
		if i == 0 || body[i-1] == '\n' {
			line, e := nextLine(body, i)
			if k := delimiterKind(line, boundary); k != notDelimiter {
				return i, e, k
			}
		}
		from = i + 1
	}
	return -1, len(body), notDelimiter
}

// closes reports whether body holds a closing delimiter line of boundary
// at or after offset from.
func closes(body []byte, boundary string, from int) bool {
	dash := []byte("--" + boundary + "--")
	for from < len(body) {
		i := bytes.Index(body[from:], dash)
		if i < 0 {
			return false
		}
		i += from
		if i == 0 || body[i-1] == '\n' {
			if line, _ := nextLine(body, i); delimiterKind(line, boundary) == closeDelimiter {
				return true
			}
		}
		from = i + 1
	}
	return false
}

// hasOpen reports whether body holds an opening delimiter line of
// boundary at or after offset from.
func hasOpen(body []byte, boundary string, from int) bool {
	for {
		s, e, k := nextDelimiter(body, boundary, from)
		if s < 0 {
			return false
		}
		if k == openDelimiter {
			return true
		}
		from = e
	}
}

// structureBoundary returns the boundary of a multipart structure that
// body holds on its own: a line "--X" followed by a header field line,
// with a closing line "--X--" after it. Unless anywhere is set, the
// opening line must come first, after at most white space and a MIME note.
// It returns "" when there is none.
func structureBoundary(body []byte, anywhere bool) string {
	var tried []string
	for start := 0; start < len(body); {
		line, end := nextLine(body, start)
		start = end
		if !anywhere && (len(bytes.TrimSpace(line)) == 0 || end <= maxNote && isMIMENote(body[:end])) {
			continue
		}
		if bb := openingBoundary(line, body, end); bb != nil && !slices.ContainsFunc(tried, func(t string) bool { return t == string(bb) }) {
			// A forged body can hold many such lines: try a few.
			b := string(bb)
			if tried = append(tried, b); len(tried) > maxStructureTries {
				return ""
			}
			if closes(body, b, end) {
				return b
			}
		}
		if !anywhere {
			return ""
		}
	}
	return ""
}

// Caps on structureBoundary's search.
const (
	maxNote           = 4096 // bytes of note and white space before a structure
	maxStructureTries = 16   // opening lines tried
)

// nextLine returns the line of body that starts at start, without its
// line ending (LF, or CRLF), and the offset that follows the line ending.
func nextLine(body []byte, start int) (line []byte, end int) {
	i := bytes.IndexByte(body[start:], '\n')
	if i < 0 {
		return bytes.TrimSuffix(body[start:], []byte("\r")), len(body)
	}
	return bytes.TrimSuffix(body[start:start+i], []byte("\r")), start + i + 1
}

// openingBoundary returns X when line is "--X" (X not ending in "--") and
// the line of body at next starts a header field, else nil.
func openingBoundary(line, body []byte, next int) []byte {
	if len(line) < 3 || line[0] != '-' || line[1] != '-' || next >= len(body) {
		return nil
	}
	if following, _ := nextLine(body, next); !isFieldLine(following) {
		return nil
	}
	b := bytes.TrimRight(line[2:], " \t")
	if len(b) == 0 || bytes.HasSuffix(b, []byte("--")) || len(b) > 200 {
		return nil
	}
	return b
}

// isMIMENote reports whether b is white space or one of mimeNotes.
func isMIMENote(b []byte) bool {
	s := strings.ToLower(strings.Join(strings.Fields(string(b)), " "))
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return true
	}
	for _, n := range mimeNotes {
		if s == n {
			return true
		}
	}
	return false
}

// isFieldLine reports whether line starts a header field: a name of
// printable ASCII other than the colon, then a colon.
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// maxPartHeaderLines caps the lines of a part header isAttachmentPart reads.
const maxPartHeaderLines = 200

// isAttachmentPart reports whether the part header starting at offset at
// of body (up to the first empty line) has Content-Disposition: attachment.
func isAttachmentPart(body []byte, at int) bool {
	// A part header is a few lines; a forged one that never ends is not
	// read to the end of the body.
	for n := 0; at < len(body) && n < maxPartHeaderLines; n++ {
		line, next := nextLine(body, at)
		if len(line) == 0 {
			return false
		}
		at = next
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !strings.EqualFold(string(name), "content-disposition") {
			continue
		}
		v := string(value)
		for at < len(body) && (body[at] == ' ' || body[at] == '\t') {
			cont, next := nextLine(body, at)
			v += string(cont)
			at = next
		}
		return dispositionType(v) == "attachment"
	}
	return false
}

// unprovenMisfits returns the misfits of the facts whose field proven does
// not vouch for: a field a signature covers is as the sender wrote it, so
// whatever reading it gives is the sender's.
func unprovenMisfits(f *facts, proven func(name string) bool) []mimeMisfit {
	var out []mimeMisfit
	for _, m := range f.misfits {
		if !proven(m.field) {
			out = append(out, m)
		}
	}
	return out
}

// mimeProven reports whether the proven passers vouch for the MIME field
// name: one covers every instance of it, or, when the message has none,
// one lists it in h= (its absence is signed).
func mimeProven(f *facts, p *policy, name string) bool {
	if f.hdr.count(name) == 0 {
		return provenField(f, p, name)
	}
	return provenAll(f, p, name)
}

// amsProves reports whether the latest ARC-Message-Signature vouches for
// the MIME field name, as mimeProven does for the proven passers.
func amsProves(f *facts, name string) bool {
	ams := f.latestAMS()
	if ams == nil || ams.HeaderSignature != dkim.HeaderValid {
		return false
	}
	as := dkim.Signature{SignedHeaders: ams.SignedHeaders, HeaderSignature: ams.HeaderSignature}
	if f.hdr.count(name) == 0 {
		return signsField(&as, name)
	}
	return fieldStatus(&as, f.hdr, name) == FieldSigned
}

// bytesProven reports whether a proven passer's body hash matches: the
// body bytes it covers are as sent, and what a reader sees of them is
// worth checking.
func bytesProven(f *facts, p *policy) bool {
	for s := range provenPassers(f, p) {
		if s.BodyHash == dkim.BodyMatch {
			return true
		}
	}
	return false
}

// misfitEvidence words each unproven misfit as coverage.mime_mismatch.
func misfitEvidence(f *facts, d *decision) []Evidence {
	var out []Evidence
	for _, m := range d.unfit {
		name := mimeHeader(m.field)
		if m.field == flowedJoins {
			out = append(out, evidence("coverage.mime_mismatch",
				"The text is format=flowed with delsp=yes: a mail client joins a line that ends in a space to the next and deletes the space, so two lines \"12\" and \"500\" read \"12500\" once a space ends the first. The signatures that prove the body use relaxed canonicalization, which signs a line the same with or without spaces at its end, so where the text's words join is not proven."))
			continue
		}
		if m.field == bodyStructure {
			out = append(out, evidence("coverage.mime_mismatch",
				"The body's MIME structure is not proven as a mail client reads it: %s.", m.reason))
			continue
		}
		if f.hdr.count(m.field) == 0 {
			out = append(out, evidence("coverage.mime_mismatch",
				"The message has no %s field and no signature vouches for its absence, and the default reading does not fit the signed body bytes, so what a mail client shows from them is not proven: %s.", name, m.reason))
			continue
		}
		out = append(out, evidence("coverage.mime_mismatch",
			"The unsigned %s field does not fit the signed body bytes, so what a mail client shows from them is not proven: %s.", name, m.reason))
	}
	return out
}

// unfitSummary is the summary of a message whose authentic verdict an
// unproven misfit stopped.
func unfitSummary(f *facts, d *decision) string {
	var names []string
	for _, m := range d.unfit {
		if m.field == bodyStructure {
			return "Unverifiable: the signature proves the body's bytes up to white space, but a part's header runs on over a line of spaces, so a mail client hides text of that part."
		}
		if m.field == flowedJoins {
			return "Unverifiable: the signature proves the body's words up to white space at line ends, but the text is flowed with delsp=yes, where a space at a line's end joins two words, so the words a mail client shows are not proven."
		}
		if n := mimeHeader(m.field); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if d.decider >= 0 {
		return fmt.Sprintf("Unverifiable: %s's signature proves the body's bytes, but the unsigned %s %s not fit them, so what a mail client shows from them is not proven.",
			f.sigs[d.decider].Domain, listFields(names), doesDo(len(names)))
	}
	return fmt.Sprintf("Unverifiable: the body's bytes are signed, but the unsigned %s %s not fit them, so what a mail client shows from them is not proven.",
		listFields(names), doesDo(len(names)))
}

func doesDo(n int) string {
	if n == 1 {
		return "does"
	}
	return "do"
}
