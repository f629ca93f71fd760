package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A cell a spreadsheet would run, however its trigger is dressed, gets a
// leading quote; other text is left as it is.
func TestCellDefusesFormulas(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"|cmd", "'|cmd"},
		{"%x", "'%x"},
		{"\t=1+1", "' =1+1"},
		{"\r=1+1", "' =1+1"},
		{" \t|cmd", "'  |cmd"},
		{"\u3000=1", "'\u3000=1"},
		{"＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"},
		{"＋1", "'＋1"},
		{"－1", "'－1"},
		{"＠A1", "'＠A1"},
		{"｜cmd", "'｜cmd"},
		{"﹦1", "'﹦1"},
		{"plain = text", "plain = text"},
		{"a@example.com", "a@example.com"},
		{"", ""},
		{"   ", "   "},
	} {
		assert.Equal(t, tt.want, cell(tt.in), "cell(%q)", tt.in)
	}
}
