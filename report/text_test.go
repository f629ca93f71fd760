package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestFitPath(t *testing.T) {
	long := strings.Repeat("x", 200) + ".eml#1"
	for _, tt := range []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits", "leak/inbox.mbox#3", 28, "leak/inbox.mbox#3"},
		{"cut in the middle", "leak/archive-2016/Sent/deep/folder/1.eml#1", 28, "leak/…/deep/folder/1.eml#1"},
		{"maildir name kept whole", "leak/mail/cur/1490000000.M1P2.host:2,S#1", 28, "…/1490000000.M1P2.host:2,S#1"},
		{"zip top folder kept", "dump.zip/Sent/2016/03/board-pack.eml#1", 28, "dump.zip/…/board-pack.eml#1"},
		{"folders before the name as fit", "testdata/formats/archive.zip/Mail/eml/1.eml#1", 28, "testdata/…/Mail/eml/1.eml#1"},
		{"absolute path", "/home/desk/leaks/2016/march/inbox.mbox#12", 28, "/home/…/march/inbox.mbox#12"},
		{"name wider than the column", "leak/a-very-long-file-name-of-a-message.eml#1", 28, "a-very-long-file-name-of-a-message.eml#1"},
		{"no folder", "a-very-long-file-name-of-a-message.mbox#1", 28, "a-very-long-file-name-of-a-message.mbox#1"},
		{"hostile name cut in its middle", "leak/" + long, 28, strings.Repeat("x", 40) + "…" + strings.Repeat("x", 73) + ".eml#1"},
		{"control characters cleaned", "leak/\x1b[2J/deep/deeper/deepest/1.eml#1", 28, "leak/…/deepest/1.eml#1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := fitPath(tt.in, tt.width)
			assert.Equal(t, tt.want, got, "fitPath(%q, %d)", tt.in, tt.width)
			assert.LessOrEqual(t, utf8.RuneCountInString(got), max(tt.width, maxName), "fitPath(%q) is at most the column or maxName wide", tt.in)
			if i := strings.LastIndexByte(tt.in, '#'); i >= 0 {
				assert.True(t, strings.HasSuffix(got, tt.in[i:]), "fitPath(%q) keeps the message's number", tt.in)
			}
		})
	}
}
