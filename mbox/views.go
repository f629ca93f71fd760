package mbox

import "bytes"

// Views returns each candidate unescaped view of raw, the stored bytes of a
// message read as format, the format's own view first:
//
//   - mboxrd: one ">" removed from every line matching ">+From ";
//   - mboxo and mboxcl: ">From " made "From " (a line that really began
//     ">From " cannot be told apart);
//   - mboxcl2: nothing, its Content-Length frames the message;
//   - mbox (mboxo or mboxrd, the file cannot tell): the mboxrd view, then
//     the mboxo view.
//
// After the format's own view come the other mbox views, the candidates a
// verifier may try as repairs, in this fixed order: mboxrd, mboxo, and the
// stored bytes unchanged (labelled mboxcl2, whose rule changes nothing).
// Identical views are given once, so a message without ">From " lines has
// exactly one view. For any other format (eml, emlx, ...) the only view is
// raw, labelled with format.
//
// Views never changes line endings and never makes a view longer than raw.
// Data aliases raw when the view changes nothing; it must not be modified.
// Views is safe for concurrent use.
func Views(raw []byte, format Format) []View {
	var order []Format
	switch format {
	case FormatMboxrd:
		order = []Format{FormatMboxrd, FormatMboxo, FormatMboxcl2}
	case FormatMboxo, FormatMboxcl:
		order = []Format{format, FormatMboxrd, FormatMboxcl2}
	case FormatMboxcl2:
		order = []Format{FormatMboxcl2, FormatMboxrd, FormatMboxo}
	case FormatMbox:
		order = []Format{FormatMboxrd, FormatMboxo, FormatMboxcl2}
	default:
		return []View{{Format: format, Data: raw}}
	}
	views := make([]View, 0, len(order))
	var changed [][]byte
	sawStored := false
	for _, f := range order {
		data, ok := unescape(raw, f)
		if !ok {
			if sawStored {
				continue
			}
			sawStored = true
			views = append(views, View{Format: f, Data: raw})
			continue
		}
		dup := false
		for _, c := range changed {
			if bytes.Equal(c, data) {
				dup = true
				break
			}
		}
		if !dup {
			changed = append(changed, data)
			views = append(views, View{Format: f, Data: data})
		}
	}
	return views
}

// OwnView returns the format's own view of raw, the first of [Views], at
// the cost of one unescaping: what a verifier checks first. Data aliases
// raw when the view changes nothing; it must not be modified.
func OwnView(raw []byte, format Format) View {
	switch format {
	case FormatMboxrd, FormatMboxo, FormatMboxcl, FormatMboxcl2:
	case FormatMbox:
		format = FormatMboxrd
	default:
		return View{Format: format, Data: raw}
	}
	data, _ := unescape(raw, format)
	return View{Format: format, Data: data}
}

// unescape applies format's unescaping rule to raw. It returns raw and false
// when the rule changes nothing. Only lines that start with '>' can change,
// so it jumps from one to the next with a vectorised search for "\n>".
func unescape(raw []byte, format Format) ([]byte, bool) {
	if format == FormatMboxcl2 {
		return raw, false
	}
	var out []byte
	copied := 0 // raw[:copied] is accounted for in out
	start := 0  // a line start holding '>', or len(raw)
	if len(raw) == 0 || raw[0] != '>' {
		start = nextQuoted(raw, 0)
	}
	for start < len(raw) {
		n := 0
		for start+n < len(raw) && raw[start+n] == '>' {
			n++
		}
		if bytes.HasPrefix(raw[start+n:], fromSpace) && (n == 1 || format == FormatMboxrd) {
			if out == nil {
				out = make([]byte, 0, len(raw))
			}
			out = append(out, raw[copied:start]...)
			copied = start + 1 // drop one '>'
		}
		start = nextQuoted(raw, start+n)
	}
	if out == nil {
		return raw, false
	}
	return append(out, raw[copied:]...), true
}

// nextQuoted returns the start of the first line after position from that
// begins with '>', or len(raw).
func nextQuoted(raw []byte, from int) int {
	if i := bytes.Index(raw[from:], lfQuote); i >= 0 {
		return from + i + 1
	}
	return len(raw)
}

var lfQuote = []byte("\n>")

// Ambiguous reports whether f cannot tell a quoted ">From " body line from
// an escaped "From " line, so that each such line may be read either way
// ([MixedViews]): true for mboxo, mboxcl and mbox (mboxo or mboxrd), and
// for mboxrd too, because the Reader only infers mboxrd from a ">>From "
// line, which an mboxo writer also leaves as it is when the text held one.
// mboxcl2 escapes nothing, and a format outside the mbox family (an .eml)
// is not ambiguous by itself.
func (f Format) Ambiguous() bool {
	switch f {
	case FormatMbox, FormatMboxo, FormatMboxcl, FormatMboxrd:
		return true
	}
	return false
}

// HasEscapedLine reports whether a line of b starts with ">From " after any
// number of further '>': a line that some variant's unescaping changes.
// A verifier asks it of a message's header, where reading such a line one
// way or the other turns a field into another.
func HasEscapedLine(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if t := bytes.TrimLeft(line, ">"); len(t) < len(line) && bytes.HasPrefix(t, fromSpace) {
			return true
		}
	}
	return false
}

// MaxMixedLines bounds [MixedViews]: a message with more ambiguous lines
// than this gets no mixed views, so there are at most 1<<MaxMixedLines.
const MaxMixedLines = 6

// maxMixedBytes is the largest message [MixedViews] reads.
const maxMixedBytes = 1 << 20

// MixedViews returns the readings of raw, the stored bytes of a message of
// an [Format.Ambiguous] variant, that its ambiguity allows: each line at or
// after offset from that starts with exactly ">From " may be an escaped
// "From " line or a quoted ">From " line, so each subset of them is
// unescaped in turn. The views come in a fixed order, the empty subset
// (raw unchanged) first and the full subset last; line endings are left
// as they are. The caller passes the offset of the body as from, so that
// header lines are never touched: unescaping one could make a new field.
//
// MixedViews returns nil when no line qualifies, when more than
// [MaxMixedLines] do, or when raw is longer than 1 MiB. Every view is a
// new slice, never longer than raw. A from that is not a line start is
// read as one; a negative from as 0.
func MixedViews(raw []byte, from int) [][]byte {
	if len(raw) > maxMixedBytes {
		return nil
	}
	var at []int // offsets of the '>' of each ">From " line
	for i := max(from, 0); i < len(raw); {
		if raw[i] == '>' && bytes.HasPrefix(raw[i+1:], fromSpace) {
			if len(at) == MaxMixedLines {
				return nil
			}
			at = append(at, i)
		}
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	if len(at) == 0 {
		return nil
	}
	out := make([][]byte, 0, 1<<len(at))
	for mask := range 1 << len(at) {
		data := make([]byte, 0, len(raw))
		prev := 0
		for k, off := range at {
			if mask&(1<<k) != 0 {
				data = append(data, raw[prev:off]...)
				prev = off + 1 // drop the '>'
			}
		}
		out = append(out, append(data, raw[prev:]...))
	}
	return out
}
