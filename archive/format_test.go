package archive

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/mbox"
)

func TestFormatText(t *testing.T) {
	for _, tt := range []struct {
		format Format
		word   string
	}{
		{"", ""},
		{FormatEML, "eml"},
		{FormatEMLX, "emlx"},
		{FormatMbox, "mbox"},
		{FormatMboxo, "mboxo"},
		{FormatMboxrd, "mboxrd"},
		{FormatMboxcl, "mboxcl"},
		{FormatMboxcl2, "mboxcl2"},
	} {
		t.Run(tt.word, func(t *testing.T) {
			got, err := tt.format.MarshalText()
			require.NoError(t, err, "Format(%q).MarshalText()", tt.format)
			assert.Equal(t, tt.word, string(got), "Format(%q).MarshalText()", tt.format)
			assert.Equal(t, tt.word, tt.format.String(), "Format(%q).String()", tt.format)
			var back Format
			require.NoError(t, back.UnmarshalText(got), "UnmarshalText(%q)", got)
			assert.Equal(t, tt.format, back, "UnmarshalText(%q)", got)
		})
	}
	for _, w := range []string{"maildir", "EML", "mboxrd ", "zip"} {
		t.Run("unknown "+w, func(t *testing.T) {
			back := FormatEML
			assert.Error(t, back.UnmarshalText([]byte(w)), "UnmarshalText(%q)", w)
			assert.Equal(t, FormatEML, back, "UnmarshalText(%q) leaves the value alone", w)
			_, err := Format(w).MarshalText()
			assert.Error(t, err, "Format(%q).MarshalText()", w)
		})
	}
}

// TestFormatNamesMboxVariants checks that every variant the mbox reader
// reports is a Format word, so Message.Format always marshals.
func TestFormatNamesMboxVariants(t *testing.T) {
	for _, f := range []mbox.Format{mbox.FormatMbox, mbox.FormatMboxo, mbox.FormatMboxrd, mbox.FormatMboxcl, mbox.FormatMboxcl2} {
		_, err := Format(f).MarshalText()
		assert.NoError(t, err, "Format(mbox.Format %q).MarshalText()", f)
	}
}
