package dkim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

func mustSplit(t *testing.T, msg string) *rawheader.Header {
	t.Helper()
	h, err := rawheader.Split([]byte(msg), nil)
	require.NoError(t, err, "rawheader.Split")
	return h
}

func TestCoverage(t *testing.T) {
	h := mustSplit(t, "DKIM-Signature: x\r\nFrom: evil\r\nTo: b\r\nFrom: good\r\n\r\n")
	names := []string{"from", "to", "to", "subject"}
	sel := dkimcore.SelectSignedFields(h.Fields, names, 0)
	got := coverage(h.Fields, names, sel, 0)
	assert.Equal(t, []FieldCoverage{
		{Name: "from", Count: 2, Signed: []int{2}},
		{Name: "to", Count: 1, Signed: []int{1}, Oversigned: true},
		{Name: "subject", Count: 0, Signed: []int{}, Oversigned: true},
	}, got, "coverage: the prepended From is unsigned, To and Subject oversigned")
}

func TestFindings(t *testing.T) {
	h := mustSplit(t, " X-First: 1\r\nFrom : a\r\nTo\r\n : b\r\nSubj\xc3\xa9ct: c\r\nnot a field\r\nDate: d\r\n\r\n")
	got := findings(h)
	assert.Equal(t, []Finding{
		{Kind: FindingLeadingWhitespace, Name: "x-first", Offset: 0},
		{Kind: FindingSpaceBeforeColon, Name: "from", Offset: 13},
		{Kind: FindingFoldedName, Name: "to", Offset: 23},
		{Kind: FindingNonASCIIName, Name: "subj\xc3\xa9ct", Offset: 33},
		{Kind: FindingNoColon, Name: "", Offset: 46},
	}, got, "one finding per anomaly, in header order")
	assert.Empty(t, findings(mustSplit(t, "From: a\r\nTo: b\r\n\r\n")), "a clean header has no findings")
}
