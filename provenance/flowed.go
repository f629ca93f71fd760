package provenance

// Flowed text (RFC 3676). A text/plain part with the parameter
// format=flowed is shown otherwise than its lines: a line that ends in a
// space (a soft break) is joined to the next one, and with delsp=yes that
// space is deleted too, so "pay 1 " and "00 dollars" show as "pay 100
// dollars"; a space at a line's start (after its quote marks) is not shown
// (space-stuffing), and the ">" marks at a line's start are its quote
// depth, which a client shows as nested quotes. The reader's view strips
// white space at the end of each line, which decides all of this, so it
// reads a flowed part as a client shows it first: one line per paragraph,
// its quote depth and its text (unflow), and keeps what a client that does
// not know the format shows, its lines, beside it.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// A flowMode is how a text part's Content-Type says its lines are to be
// read.
type flowMode uint8

const (
	flowNone      flowMode = iota // fixed lines: the text as it is
	flowFlowed                    // format=flowed: soft breaks keep their space
	flowDelSp                     // format=flowed; delsp=yes: soft breaks delete it
	flowAmbiguous                 // format or delsp given twice, with different values
)

// flowModeOf is the flowMode of a part of media type mt (lower case or
// not) whose Content-Type value is ct. Only text/plain is flowed (RFC
// 3676 defines the parameters for it alone, and clients render other text
// types their own way). A value without "format" in it, as nearly every
// one is, is not parsed again.
func flowModeOf(mt, ct string) flowMode {
	if !strings.EqualFold(mt, "text/plain") || !containsFold(ct, "format") {
		return flowNone
	}
	_, params, dup := parseContentType(ct)
	if dup["format"] || dup["delsp"] {
		// Readers take one instance or the other: the view keeps the
		// bytes that decide what each shows (flowedText).
		return flowAmbiguous
	}
	if !strings.EqualFold(strings.TrimSpace(params["format"]), "flowed") {
		return flowNone
	}
	if strings.EqualFold(strings.TrimSpace(params["delsp"]), "yes") {
		return flowDelSp
	}
	return flowFlowed
}

// containsFold reports whether s contains the lower-case ASCII word sub in
// any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// flowedText is the text of a part read in mode m (not flowNone), decoded,
// as the view holds it, and the words that mark the part in the view.
//
// Clients that know RFC 3676 show the text unflowed; others (Outlook,
// webmail) show its lines as they are. The view holds both readings:
// the mark is "flowed" and the SHA-256 of the text read as fixed lines
// (normalizeText), and the text is the text unflowed, then normalised.
// Text whose flowed reading clients disagree on (unflow's ok is false, or
// m is flowAmbiguous) is marked "flowed raw" and held with only its CRLF
// line endings made LF and its empty lines at the start and the end
// removed, its white space kept: a copy shows the same when it has the
// same lines, each with the same spaces at its end. The text may be in
// tb's buffers, good until tb is released.
func flowedText(tb *textBuffers, decoded []byte, m flowMode) (mark string, text []byte) {
	if m != flowAmbiguous {
		fixed := sha256.Sum256(tb.normalize(decoded))
		if u, ok := unflow(tb.flow[:0], decoded, m == flowDelSp); ok {
			tb.flow = u[:0]
			return "flowed " + hex.EncodeToString(fixed[:16]), tb.normalize(u)
		}
	}
	return "flowed raw", bytes.Trim(bytes.ReplaceAll(decoded, []byte("\r\n"), []byte("\n")), "\n")
}

// unflow appends to dst the flowed text b (RFC 3676) as a client shows it,
// one line per paragraph, and returns it; delsp is the DelSp parameter.
// A line's quote depth is the number of ">" at its start; after them one
// space (space-stuffing) is removed. A line whose text then ends in a
// space is flowed (a soft break) unless it is the signature separator
// "-- ", and is joined to the next line when that has the same quote
// depth (RFC 3676 §4.5: otherwise it ends its paragraph); with delsp the
// space is deleted. Lines end in CRLF or LF.
//
// Each paragraph is written as its quote depth in ">" and one space when
// it is quoted, then its text; a paragraph that is not quoted and whose
// text starts with a space or ">" is written after one space, as it was
// stuffed, so that no two readings are written alike: "> x" is quoted
// text, " > x" the text "> x".
//
// ok is false for text clients read in different ways: a lone CR (which
// some end a line at and some do not), and a line that is one space after
// its quote marks (flowed, or an empty line unstuffed, as the client
// checks before or after removing the stuffing).
func unflow(dst, b []byte, delsp bool) (out []byte, ok bool) {
	out = dst[:0]
	open, depth := false, 0 // a paragraph ended by a soft break, and its depth
	bare := false           // an unquoted paragraph with no text written yet
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if bytes.IndexByte(line, '\r') >= 0 {
			return out, false
		}
		d := 0
		for d < len(line) && line[d] == '>' {
			d++
		}
		t := line[d:]
		if len(t) == 1 && t[0] == ' ' {
			return out, false
		}
		t = bytes.TrimPrefix(t, []byte(" "))
		soft := len(t) > 0 && t[len(t)-1] == ' ' && string(t) != "-- "
		if open && d != depth {
			out = append(out, '\n') // a soft break before another depth: a hard one
			open = false
		}
		if !open {
			depth = d
			for range d {
				out = append(out, '>')
			}
			if d > 0 {
				out = append(out, ' ')
			}
			bare = d == 0
		}
		if soft && delsp {
			t = t[:len(t)-1]
		}
		if bare && len(t) > 0 {
			// The paragraph's first text decides whether it is
			// written stuffed.
			if t[0] == ' ' || t[0] == '>' {
				out = append(out, ' ')
			}
			bare = false
		}
		out = append(out, t...)
		if open = soft; !soft {
			out = append(out, '\n')
		}
	}
	if open {
		out = append(out, '\n')
	}
	return out, true
}
