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

// unescape applies format's unescaping rule to raw. It returns raw and false
// when the rule changes nothing.
func unescape(raw []byte, format Format) ([]byte, bool) {
	var out []byte
	copied := 0 // raw[:copied] is accounted for in out
	for start := 0; start < len(raw); {
		end := len(raw)
		if i := bytes.IndexByte(raw[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		if raw[start] == '>' && format != FormatMboxcl2 {
			n := 0
			for start+n < end && raw[start+n] == '>' {
				n++
			}
			if bytes.HasPrefix(raw[start+n:end], fromSpace) && (n == 1 || format == FormatMboxrd) {
				if out == nil {
					out = make([]byte, 0, len(raw))
				}
				out = append(out, raw[copied:start]...)
				copied = start + 1 // drop one '>'
			}
		}
		start = end
	}
	if out == nil {
		return raw, false
	}
	return append(out, raw[copied:]...), true
}
