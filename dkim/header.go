package dkim

import (
	"slices"
	"strings"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// SelectSignedFields returns, for each name of an h= list (lower-cased or
// not), the index in fields of the instance it signs, or -1 when none is
// left (RFC 6376 §5.4.2): instances are taken bottom up, each at most once,
// and names match case-insensitively by the lenient name of
// [rawheader.Field.Name] ("From :" is From). exclude is the index of the
// signature field being verified, which never signs itself; -1 for none.
// It is also what ARC (RFC 8617 §4.1.2) uses for ARC-Message-Signature.
func SelectSignedFields(fields []rawheader.Field, names []string, exclude int) []int {
	// Group field indices by lower-cased name once, so a long h= list costs
	// O(len(names) + len(fields)), not their product.
	byName := make(map[string][]int, len(names))
	for _, n := range names {
		byName[strings.ToLower(n)] = nil
	}
	for i := range fields {
		if i == exclude {
			continue
		}
		n := strings.ToLower(fields[i].Name())
		if list, ok := byName[n]; ok {
			byName[n] = append(list, i)
		}
	}
	out := make([]int, len(names))
	for k, n := range names {
		n = strings.ToLower(n)
		list := byName[n]
		if len(list) == 0 {
			out[k] = -1
			continue
		}
		out[k] = list[len(list)-1]
		byName[n] = list[:len(list)-1]
	}
	return out
}

// AppendHeaderHashInput appends to dst what a DKIM header hash covers
// (RFC 6376 §3.7): each selected field (indices from SelectSignedFields; -1
// entries add nothing) in canonical form c, then sigField, the raw
// signature field, with its b= value emptied ([StripSignatureValue]) and
// canonicalized, without its final CRLF. ARC-Seal and
// ARC-Message-Signature are hashed the same way (RFC 8617 §5.1.1).
func AppendHeaderHashInput(dst []byte, fields []rawheader.Field, selected []int, sigField []byte, c Canonicalization) []byte {
	for _, i := range selected {
		if i >= 0 && i < len(fields) {
			dst = AppendCanonicalHeader(dst, fields[i].Raw, c)
		}
	}
	dst = AppendCanonicalHeader(dst, StripSignatureValue(sigField), c)
	return dst[:len(dst)-2] // AppendCanonicalHeader always ends in CRLF
}

// Findings returns the header anomalies of DESIGN.md ("Signatures", last
// paragraph), in header order: whitespace before a colon, a name folded
// onto the next line, bytes outside printable ASCII in a name, a first line
// starting with whitespace and lines that are not fields at all. It only
// reports; judging them is provenance's job.
func Findings(h *rawheader.Header) []Finding {
	var out []Finding
	for i := range h.Fields {
		f := &h.Fields[i]
		name := ""
		if f.Colon >= 0 {
			name = strings.ToLower(f.Name())
		}
		add := func(k FindingKind) { out = append(out, Finding{Kind: k, Name: name, Offset: f.Offset}) }
		if f.LeadingWhitespace {
			add(FindingLeadingWhitespace)
		}
		if f.Colon < 0 {
			add(FindingNoColon)
			continue
		}
		switch {
		case f.FoldedName():
			add(FindingFoldedName)
		case f.SpaceBeforeColon():
			add(FindingSpaceBeforeColon)
		}
		if f.NonPrintableName() {
			add(FindingNonASCIIName)
		}
	}
	return out
}

// coverage says, for each distinct name of h= (in order of first
// appearance), how many instances the header has and which were selected.
// It costs O(len(fields) + len(names)).
func coverage(fields []rawheader.Field, names []string, selected []int, exclude int) []FieldCoverage {
	var out []FieldCoverage
	seen := map[string]int{}
	for _, n := range names {
		n = strings.ToLower(n)
		if _, ok := seen[n]; !ok {
			seen[n] = len(out)
			out = append(out, FieldCoverage{Name: n, Signed: []int{}})
		}
	}
	// ordinal[i] is the 1-based position of field i among same-named fields.
	ordinal := make([]int, len(fields))
	for i := range fields {
		if i == exclude {
			continue
		}
		if idx, ok := seen[strings.ToLower(fields[i].Name())]; ok {
			out[idx].Count++
			ordinal[i] = out[idx].Count
		}
	}
	for k, n := range names {
		c := &out[seen[strings.ToLower(n)]]
		if selected[k] < 0 {
			c.Oversigned = true
			continue
		}
		c.Signed = append(c.Signed, ordinal[selected[k]])
	}
	for i := range out {
		slices.Sort(out[i].Signed)
	}
	return out
}
