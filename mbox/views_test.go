package mbox

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestViews(t *testing.T) {
	const (
		plain   = "Subject: x\r\n\r\nno escapes\r\n"
		once    = "Subject: x\n\n>From here\nFrom there\n"
		twice   = "Subject: x\n\n>>From here\n"
		both    = "Subject: x\r\n\r\n>From a\r\n>>From b\r\n>>>From c\r\n"
		noSpace = "Subject: x\n\n>Fromage\n>From"
	)
	for _, tt := range []struct {
		name   string
		raw    string
		format Format
		want   []View
	}{
		{"nothing to unescape", plain, FormatMbox, []View{{FormatMboxrd, []byte(plain)}}},
		{"nothing to unescape, mboxcl2", plain, FormatMboxcl2, []View{{FormatMboxcl2, []byte(plain)}}},
		{"eml is never unescaped", once, "eml", []View{{"eml", []byte(once)}}},
		{"mbox, one level: rd and o agree", once, FormatMbox, []View{
			{FormatMboxrd, []byte("Subject: x\n\nFrom here\nFrom there\n")},
			{FormatMboxcl2, []byte(once)},
		}},
		{"mbox, two levels", twice, FormatMbox, []View{
			{FormatMboxrd, []byte("Subject: x\n\n>From here\n")},
			{FormatMboxo, []byte(twice)},
		}},
		{"mboxo, two levels: its own view changes nothing", twice, FormatMboxo, []View{
			{FormatMboxo, []byte(twice)},
			{FormatMboxrd, []byte("Subject: x\n\n>From here\n")},
		}},
		{"mbox, mixed levels", both, FormatMbox, []View{
			{FormatMboxrd, []byte("Subject: x\r\n\r\nFrom a\r\n>From b\r\n>>From c\r\n")},
			{FormatMboxo, []byte("Subject: x\r\n\r\nFrom a\r\n>>From b\r\n>>>From c\r\n")},
			{FormatMboxcl2, []byte(both)},
		}},
		{"mboxrd first", both, FormatMboxrd, []View{
			{FormatMboxrd, []byte("Subject: x\r\n\r\nFrom a\r\n>From b\r\n>>From c\r\n")},
			{FormatMboxo, []byte("Subject: x\r\n\r\nFrom a\r\n>>From b\r\n>>>From c\r\n")},
			{FormatMboxcl2, []byte(both)},
		}},
		{"mboxcl as mboxo", both, FormatMboxcl, []View{
			{FormatMboxcl, []byte("Subject: x\r\n\r\nFrom a\r\n>>From b\r\n>>>From c\r\n")},
			{FormatMboxrd, []byte("Subject: x\r\n\r\nFrom a\r\n>From b\r\n>>From c\r\n")},
			{FormatMboxcl2, []byte(both)},
		}},
		{"mboxcl2 stored first", both, FormatMboxcl2, []View{
			{FormatMboxcl2, []byte(both)},
			{FormatMboxrd, []byte("Subject: x\r\n\r\nFrom a\r\n>From b\r\n>>From c\r\n")},
			{FormatMboxo, []byte("Subject: x\r\n\r\nFrom a\r\n>>From b\r\n>>>From c\r\n")},
		}},
		{"not a From line", noSpace, FormatMbox, []View{{FormatMboxrd, []byte(noSpace)}}},
		{"empty", "", FormatMbox, []View{{FormatMboxrd, []byte("")}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Views([]byte(tt.raw), tt.format)
			assert.Equal(t, tt.want, got, "Views(%q, %s)", tt.raw, tt.format)
		})
	}
}

func TestViewsAliasWhenUnchanged(t *testing.T) {
	raw := []byte("Subject: x\n\nplain\n")
	got := Views(raw, FormatMbox)
	if assert.Len(t, got, 1, "views of a message without escapes") {
		assert.Same(t, &raw[0], &got[0].Data[0], "the only view aliases raw")
	}
}
