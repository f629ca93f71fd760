package report

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// FuzzCSVField holds appendCSVField to encoding/csv's Writer.
func FuzzCSVField(f *testing.F) {
	for _, s := range []string{"", "plain", `a "quote"`, "a,b", "cr\rlf\n", " lead", "\u3000ideographic space", `\.`, "\x85next", "'=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		if err := w.Write([]string{"x", s, s}); err != nil {
			t.Skip()
		}
		w.Flush()
		got := appendCSVField(nil, "x", false)
		got = appendCSVField(got, s, true)
		got = append(appendCSVField(got, s, true), '\n')
		if !bytes.Equal(got, b.Bytes()) {
			t.Fatalf("appendCSVField(%q):\nencoding/csv: %q\nappend:       %q", s, b.Bytes(), got)
		}
	})
}
