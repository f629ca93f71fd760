package mbox

import "bytes"

// Views returns each candidate unescaped view of raw, the stored bytes of a
// message read as format, the format's own view first (DESIGN.md, "Views and
// repairs"):
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
