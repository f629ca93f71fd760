package provenance

// Header anomalies: lines of the header that mail clients read differently
// from verifiers, so that a reader may see a sender or a field no signature
// covers. dkim reports what it found in the raw bytes (dkim.Finding); this
// file decides which of them can mislead a reader, which stops an
// authentic verdict, and words them as header.* evidence.

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// An anomaly is one odd thing in the header.
type anomaly struct {
	code     string           // the header.* evidence code
	kind     dkim.FindingKind // the dkim finding behind it, 0 for the checks made here
	name     string           // the field name as read, "a field" when empty
	field    string           // the displayed field it follows or reads as ("From"), or ""
	offset   int              // byte offset in the message
	count    int              // header.duplicate_mime_field: how many fields
	misleads bool             // it can show a reader another sender or field: no authentic verdict
	doubled  bool             // header.lone_cr: the doubled line endings of a text-mode copy, under a first line that is a MIME field
}

// headerAnomalies lists the anomalies of the facts' header, in the order
// the evidence reports them.
func headerAnomalies(f *facts) []anomaly {
	var out []anomaly
	if f.tooLarge {
		out = append(out, anomaly{code: "header.too_large", misleads: true})
	}
	for _, fd := range f.ver.Findings {
		if fd.Offset == 0 && f.leading != archive.LeadNone {
			continue // the leading line is noted as archive.leading_separator
		}
		a := anomaly{kind: fd.Kind, name: fd.Name, offset: fd.Offset}
		if a.name == "" {
			a.name = "a field"
		}
		// A field whose own name is a displayed one, written oddly, can
		// show a reader another value than the one signed; any name with
		// white space before its colon, or folded, is a line some readers
		// (Python's email package) end the header at, showing it and the
		// fields after it as the start of the body.
		displayed := displayedKey(fd.Name) != ""
		switch fd.Kind {
		case dkim.FindingSpaceBeforeColon:
			a.code, a.misleads = "header.space_before_colon", true
		case dkim.FindingLeadingWhitespace:
			a.code, a.misleads = "header.leading_whitespace", true
		case dkim.FindingFoldedName:
			a.code, a.misleads = "header.folded_name", true
		case dkim.FindingNonASCIIName:
			switch {
			// A line that starts with a vertical tab, a form feed or a
			// Unicode space and holds a colon ("\v, group:evil@y;") is,
			// to a lenient reader, a field with an odd name; to one that
			// folds such lines, part of the field above.
			case displayedKey(f.hdr.fieldBefore(fd.Offset)) != "" && !displayed:
				a.code, a.field = "header.stray_line", displayedHeader(displayedKey(f.hdr.fieldBefore(fd.Offset)))
			// "From\v" or "From\u00a0": a reader that trims Unicode
			// spaces and controls from names (JavaScript's trim) sees a
			// second From that no signature covers.
			case displayedKey(trimOddSpace(fd.Name)) != "" && !displayed:
				a.code, a.field = "header.lookalike_name", displayedHeader(displayedKey(trimOddSpace(fd.Name)))
			default:
				a.code = "header.non_ascii_name"
			}
			a.misleads = true
		case dkim.FindingNoColon:
			// A reader that takes such a line as a continuation (libmime
			// folds one that starts with a vertical tab, a form feed or a
			// Unicode space) shows it as part of the field above: after a
			// displayed field it can add an address the signature never
			// covered ("From: a@x" then "\v, evil@y"). Anywhere else, such
			// a line ends the header for many readers, which then show it,
			// and what follows, as the body.
			a.code = "header.no_colon"
			if key := displayedKey(f.hdr.fieldBefore(fd.Offset)); key != "" {
				a.code, a.field = "header.stray_line", displayedHeader(key)
			}
			a.misleads = true
		default:
			continue
		}
		out = append(out, a)
	}
	// A lone CR in the header: some mail clients end a line there, so an
	// unsigned field can hide a From (or another field) that only they
	// show ("X-Note: x\rFrom: CEO <...>"). RFC 5322 forbids bare CR.
	if hasLoneCR(f.raw[:min(f.hdr.body, len(f.raw))]) {
		out = append(out, anomaly{code: "header.lone_cr", misleads: true})
	}
	// Line endings doubled by a text-mode copy, read as CRLF to check the
	// signatures (repair.double_cr): a reader that takes each CR for a
	// line break ends the header after the first line and shows the rest
	// of the header, unsigned fields included (Received, X- fields), as
	// the start of the body, which no signature covers; when that first
	// line is a MIME field that has the rest read as HTML or decoded, that
	// body can hide the signed text too. The signatures never cover where
	// a field stands, so the order proves nothing.
	if f.repair.code == "repair.double_cr" {
		field, _ := firstLineReadsPlain(f.raw)
		out = append(out, anomaly{code: "header.lone_cr", name: field, misleads: true, doubled: true})
	}
	// Two Content-Type (or Content-Transfer-Encoding) fields: mail clients
	// disagree on which one decides how the body is shown.
	for _, name := range mimeFields {
		if n := f.hdr.count(name); n > 1 {
			out = append(out, anomaly{code: "header.duplicate_mime_field", field: mimeHeader(name), count: n, misleads: true})
		}
	}
	return out
}

// evidence words the anomaly as one evidence item.
func (a *anomaly) evidence() Evidence {
	switch a.code {
	case "header.too_large":
		return evidence(a.code, "The header is larger than the reader's cap (%d fields or %d MiB), so its signatures and fields were not checked.",
			rawheader.DefaultMaxFields, rawheader.DefaultMaxHeaderBytes>>20)
	case "header.space_before_colon":
		return evidence(a.code, "The %q field has a space before its colon, so verifiers and mail clients may disagree on which field it is; some (Python's email package) end the header there and show it, and the fields after it, as the start of the body.", a.name)
	case "header.leading_whitespace":
		return evidence(a.code, "The first header line starts with whitespace, which hides %s from some readers.", a.name)
	case "header.folded_name":
		return evidence(a.code, "The name of %q is folded onto the next line, which readers interpret differently.", a.name)
	case "header.stray_line":
		if a.kind == dkim.FindingNoColon {
			return evidence(a.code, "A header line at byte %d, right after the %s field, is not a field (it has no colon); some mail clients show it as part of %s, which the signature does not cover.", a.offset, a.field, a.field)
		}
		return evidence(a.code, "A header line at byte %d, right after the %s field, starts like no field name (%q); some mail clients show it as part of %s, which the signature does not cover.", a.offset, a.field, a.name, a.field)
	case "header.lookalike_name":
		return evidence(a.code, "A field named %q reads as a %s field to mail clients that trim Unicode spaces and control characters from names; no signature covers it.", a.name, a.field)
	case "header.non_ascii_name":
		return evidence(a.code, "A field name (%q) holds bytes outside printable ASCII or a space; some mail clients end the header there and show the line as the start of the body.", a.name)
	case "header.no_colon":
		return evidence(a.code, "A header line at byte %d is not a field (it has no colon); some mail clients end the header there and show it as the start of the body.", a.offset)
	case "header.lone_cr":
		switch {
		case a.doubled && a.name != "":
			return evidence(a.code, "Every line ends CR CR LF, as a text-mode copy writes it, and the signatures were checked with CR LF; but a mail client that ends a line at each CR ends the header after the first line, a %s field, and reads the rest of the header, unsigned fields included, as a body of that kind, where markup or an encoding can hide the signed text and show other.", a.name)
		case a.doubled:
			return evidence(a.code, "Every line ends CR CR LF, as a text-mode copy writes it, and the signatures were checked with CR LF; but a mail client that ends a line at each CR ends the header after the first line and shows the rest of the header, unsigned fields included (Received, X- fields), as the start of the body, which no signature covers.")
		}
		return evidence(a.code, "The header holds a carriage return that does not end a line; some mail clients start a new field there, so they may show a field the signature does not cover.")
	}
	return evidence(a.code, "The header has %d %s fields; mail clients disagree on which one decides how the body is shown.", a.count, a.field)
}

// summary is the one-sentence summary of an unverifiable verdict that the
// anomaly blocked.
func (a *anomaly) summary() string {
	switch a.code {
	case "header.too_large":
		return "Unverifiable: the header is larger than the reader's cap, so its signatures and fields were not checked."
	case "header.stray_line":
		if a.kind == dkim.FindingNoColon {
			return fmt.Sprintf("Unverifiable: a line that is not a field follows the %s field; some mail clients show it as part of %s, and the signature does not cover it.", a.field, a.field)
		}
		return fmt.Sprintf("Unverifiable: a line that is not a proper field follows the %s field; some mail clients show it as part of %s, and the signature does not cover it.", a.field, a.field)
	case "header.lookalike_name":
		return fmt.Sprintf("Unverifiable: a field whose name reads as %s to some mail clients (%q) is not covered by the signature.", a.field, a.name)
	case "header.non_ascii_name":
		return "Unverifiable: a line in the header has no proper field name; some mail clients end the header there and show it, and what follows, as the body, which no signature covers."
	case "header.no_colon":
		return "Unverifiable: a line in the header is not a field; some mail clients end the header there and show it, and what follows, as the body, which no signature covers."
	case "header.space_before_colon", "header.folded_name":
		if displayedKey(a.name) == "" {
			return "Unverifiable: a field name in the header is followed by white space or a line break before its colon; some mail clients end the header there and show that line, and what follows, as the body."
		}
	case "header.lone_cr":
		switch {
		case a.doubled && a.name != "":
			return fmt.Sprintf("Unverifiable: every line ends CR CR LF and the first header line is a %s field, so a mail client that ends a line at each CR shows the rest of the header, unsigned fields included, as the body.", a.name)
		case a.doubled:
			return "Unverifiable: the signatures verify once the doubled line endings (CR CR LF) of a text-mode copy are read as CR LF, but a mail client that ends a line at each CR shows the header's unsigned fields as the start of the body."
		}
		return "Unverifiable: the header holds a carriage return that does not end a line; some mail clients start a new field there and may show one the signature does not cover."
	case "header.duplicate_mime_field":
		return fmt.Sprintf("Unverifiable: the header has %d %s fields, and mail clients disagree on which one decides how the body is shown.", a.count, a.field)
	}
	return "Unverifiable: the header is malformed in a way that can show a reader a different sender or field than the one signed."
}

// mimeFields are the top-level fields that decide how a mail client shows
// the body and splits it into parts.
var mimeFields = []string{"content-type", "content-transfer-encoding", "content-disposition"}

func mimeHeader(name string) string {
	switch name {
	case "content-type":
		return "Content-Type"
	case "content-disposition":
		return "Content-Disposition"
	}
	return "Content-Transfer-Encoding"
}

// displayedKey maps a header field name to its Coverage.Fields key, or "".
func displayedKey(name string) string {
	for _, f := range DisplayedFields {
		if strings.EqualFold(f.Header, name) {
			return f.Key
		}
	}
	return ""
}

// shownKey maps a header field name to its key among DisplayedFields or
// ShownFields, or "": every field a reader sees or that places the message.
func shownKey(name string) string {
	if k := displayedKey(name); k != "" {
		return k
	}
	for _, f := range ShownFields {
		if strings.EqualFold(f.Header, name) {
			return f.Key
		}
	}
	return ""
}

// displayedHeader maps a Coverage.Fields key to its header name.
func displayedHeader(key string) string {
	for _, f := range DisplayedFields {
		if f.Key == key {
			return f.Header
		}
	}
	for _, f := range ShownFields {
		if f.Key == key {
			return f.Header
		}
	}
	return key
}

// hasLoneCR reports whether b holds a CR not followed by LF.
func hasLoneCR(b []byte) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			return false
		}
		j += i
		if j+1 >= len(b) || b[j+1] != '\n' {
			return true
		}
		i = j + 1
	}
	return false
}

// trimOddSpace trims from both ends of a field name what a Unicode-aware
// trim removes, and what renders as nothing: white space and control
// characters of any script, format characters (zero-width space, the
// byte-order mark), and bytes that are not UTF-8 (a lone 0xA0 is a
// no-break space in Latin-1).
func trimOddSpace(name string) string {
	return strings.TrimFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || unicode.Is(unicode.Zs, r)
	})
}
