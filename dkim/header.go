package dkim

import (
	"slices"
	"strings"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// findings returns the anomalies of the raw header h, in header order:
// whitespace before a colon, a name folded onto the next line, bytes outside
// printable ASCII in a name, a first line starting with whitespace and
// lines that are not fields at all. It only reports; judging them is
// provenance's job.
func findings(h *rawheader.Header) []Finding {
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
