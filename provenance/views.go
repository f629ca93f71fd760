package provenance

// Views and repairs (DESIGN.md, "Views and repairs").
//
// The verifier first checks the message as its format defines it: the
// format's own mbox view (mbox.Views(raw, format)[0]) with bare LF line
// endings made CRLF. Only when a signature's arithmetic fails are repairs
// tried, in this fixed order, each at most once:
//
//  1. The other mbox views of the stored bytes (for an mbox whose variant is
//     ambiguous: mboxrd first, then mboxo). For a single-message file
//     (.eml, .emlx) that still carries ">From " escaping because a tool cut
//     it out of an mbox without unescaping: the mboxrd and mboxo views.
//     Evidence: repair.mbox_unescaped.
//  2. An mbox separator line ("From sender date") left at the top of a
//     single-message file by an export tool: the line is set aside. It is
//     not a header field (no colon follows the name), so no mail client
//     shows it. Evidence: repair.leading_separator.
//  3. Line endings doubled by a text-mode copy of a CRLF file ("\r\r\n"):
//     read as "\r\n". Evidence: repair.double_cr.
//  4. Repairs 2 and 3 together, on the first mbox view that needs them.
//
// Artifacts that need no repair, because DKIM canonicalization already
// ignores them or because they are unsigned fields above the signed ones,
// are only noted: Google Takeout's X-GM-THRID and X-Gmail-Labels fields
// (archive.takeout_headers), a blank line the mbox writer added at the end
// of the body, and a missing final CRLF (both vanish in canonicalization).
//
// Every repair only removes bytes the archive format or a copy tool adds;
// none touches signed content otherwise. A repair is kept only when it
// makes at least one failing signature verify and makes no verifying
// signature fail, and the repaired view is then judged as a whole: its
// header findings, field instances and every verdict rule, so a repair
// cannot turn a real change into a pass.

import (
	"bytes"
	"context"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/mbox"
)

// A view is one candidate form of the message bytes.
type view struct {
	data   []byte
	lf     bool   // bare LF line endings were made CRLF
	code   string // "" for the primary view, else the repair.* evidence code
	change string // what the repair changed: one sentence
}

// isMbox reports whether format is one of the mbox family.
func isMbox(format string) bool {
	switch mbox.Format(format) {
	case mbox.FormatMbox, mbox.FormatMboxo, mbox.FormatMboxrd, mbox.FormatMboxcl, mbox.FormatMboxcl2:
		return true
	}
	return false
}

// primaryView is the message as its format defines it, CRLF.
func primaryView(m *archive.Message) view {
	data := m.Raw
	if isMbox(m.Format) {
		if vs := mbox.Views(m.Raw, mbox.Format(m.Format)); len(vs) > 0 {
			data = vs[0].Data
		}
	}
	crlf, changed := toCRLF(data)
	return view{data: crlf, lf: changed}
}

// repairCandidates returns the repairs of DESIGN.md's bounded list for m,
// in order (see the comment at the top of this file).
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

	// 1. Other mbox views.
	var others []mbox.View
	if isMbox(m.Format) {
		if vs := mbox.Views(m.Raw, mbox.Format(m.Format)); len(vs) > 1 {
			others = vs[1:]
		}
	} else {
		others = mbox.Views(m.Raw, mbox.FormatMbox)
	}
	for _, v := range others {
		data, _ := toCRLF(v.Data)
		addView(view{data: data, code: "repair.mbox_unescaped",
			change: "The signature verifies when the stored lines starting with \">From \" are unescaped by the " + string(v.Format) + " rule."})
	}

	// 2. A leading mbox separator line.
	if rest, ok := cutLeadingSeparator(primary.data); ok {
		addView(view{data: rest, code: "repair.leading_separator",
			change: "The signature verifies once the mbox separator line left at the top of the file (\"" + firstLine(primary.data) + "\") is set aside."})
	}

	// 3. Doubled carriage returns.
	if bytes.Contains(primary.data, []byte("\r\r\n")) {
		addView(view{data: undoubleCR(primary.data), code: "repair.double_cr",
			change: "The signature verifies once line endings doubled by a text-mode copy (CR CR LF) are read as CR LF."})
	}

	// 4. Both of them.
	if rest, ok := cutLeadingSeparator(primary.data); ok && bytes.Contains(rest, []byte("\r\r\n")) {
		addView(view{data: undoubleCR(rest), code: "repair.double_cr",
			change: "The signature verifies once the mbox separator line at the top is set aside and line endings doubled by a text-mode copy (CR CR LF) are read as CR LF."})
	}
	return out
}

// repair tries the repairs in order and returns the first view that makes a
// failing signature verify without breaking a verifying one, with its
// Verification; else primary and ver unchanged.
func (c *Checker) repair(ctx context.Context, m *archive.Message, primary view, ver *dkim.Verification, opts *dkim.Options) (view, *dkim.Verification, error) {
	for _, v := range repairCandidates(m, primary) {
		rv, err := verify(ctx, v.data, opts)
		if err != nil {
			return primary, ver, err
		}
		if improves(ver, rv) {
			v.lf = primary.lf
			return v, rv, nil
		}
	}
	return primary, ver, nil
}

// improves reports whether after has strictly fewer arithmetic failures
// than before, the same signatures, and no signature that verified before
// failing now.
func improves(before, after *dkim.Verification) bool {
	if len(before.Signatures) != len(after.Signatures) {
		return false
	}
	for i := range before.Signatures {
		b, a := &before.Signatures[i], &after.Signatures[i]
		if b.Domain != a.Domain || b.Selector != a.Selector || b.B != a.B {
			return false
		}
		if !arithmeticFails(b) && arithmeticFails(a) {
			return false
		}
	}
	return failing(after) < failing(before)
}

// toCRLF returns b with every bare LF made CRLF, and whether it changed
// anything. When nothing changes, b itself is returned.
func toCRLF(b []byte) ([]byte, bool) {
	bare := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return b, false
	}
	out := make([]byte, 0, len(b)+bare)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out, true
}

// undoubleCR replaces every "\r\r\n" of b with "\r\n".
func undoubleCR(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\r\r\n"), []byte("\r\n"))
}

// cutLeadingSeparator returns b without its first line when that line is
// an mbox separator ("From " and no colon after the name), and true.
func cutLeadingSeparator(b []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, []byte("From ")) {
		return b, false
	}
	line, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return b, false
	}
	// "From : x" is a (malformed) From field, not a separator.
	after := bytes.TrimLeft(line[len("From "):], " \t")
	if len(after) == 0 || after[0] == ':' {
		return b, false
	}
	return rest, true
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
