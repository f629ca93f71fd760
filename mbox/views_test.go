package mbox

import (
	"bytes"
	"strings"
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

// naiveUnescape is unescape's reference: every line, one at a time.
func naiveUnescape(raw []byte, format Format) []byte {
	var out []byte
	for len(raw) > 0 {
		end := len(raw)
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			end = i + 1
		}
		line := raw[:end]
		n := 0
		for n < len(line) && line[n] == '>' {
			n++
		}
		if format != FormatMboxcl2 && n > 0 && bytes.HasPrefix(line[n:], []byte("From ")) && (n == 1 || format == FormatMboxrd) {
			line = line[1:]
		}
		out = append(out, line...)
		raw = raw[end:]
	}
	return out
}

func TestUnescapeMatchesReference(t *testing.T) {
	for _, raw := range []string{
		"", ">", ">From ", "From x\n>From a\n", ">From a\n>>From b\r\n>>>From c",
		"a\n>\n>>\n>From\n>From \n>>From x\n", "x>From a\n>>>>\n>From b", "\n>From a\n\n>From b\n",
		">>>>>", "a\r\n>From b\r\n>xFrom c\r\n",
	} {
		for _, f := range []Format{FormatMboxrd, FormatMboxo, FormatMboxcl, FormatMboxcl2} {
			got, changed := unescape([]byte(raw), f)
			want := naiveUnescape([]byte(raw), f)
			if string(got) != string(want) || changed != (string(want) != raw) {
				t.Errorf("unescape(%q, %s) = %q, %v; want %q", raw, f, got, changed, want)
			}
		}
	}
}

func TestOwnView(t *testing.T) {
	raw := []byte("Subject: x\n\n>From a\n>>From b\n")
	for _, f := range []Format{FormatMbox, FormatMboxrd, FormatMboxo, FormatMboxcl, FormatMboxcl2, Format("eml")} {
		got := OwnView(raw, f)
		want := Views(raw, f)[0]
		if got.Format != want.Format || string(got.Data) != string(want.Data) {
			t.Errorf("OwnView(%s) = %s %q; Views gives %s %q first", f, got.Format, got.Data, want.Format, want.Data)
		}
	}
}

func TestMixedViews(t *testing.T) {
	raw := []byte("From: a@b.c\n>From : header line\n\n>From one\nx\n>From two\n>>From three\n")
	body := bytes.Index(raw, []byte("\n\n")) + 2
	views := MixedViews(raw, body)
	if assert.Len(t, views, 4, "two ambiguous body lines: four mixes") {
		for _, v := range views {
			assert.True(t, bytes.HasPrefix(v, []byte("From: a@b.c\n>From : header line\n\n")), "lines before from are never unescaped: %q", v)
			assert.Contains(t, string(v), ">>From three", "only lines with exactly one > are ambiguous")
		}
		assert.Equal(t, string(raw), string(views[0]), "the first view reads every line as written")
		assert.Contains(t, string(views[3]), "\nFrom one\nx\nFrom two", "the last view unescapes every line")
	}
	many := []byte("From: a@b.c\n\n" + strings.Repeat(">From x\n", MaxMixedLines+1))
	assert.Nil(t, MixedViews(many, 13), "too many ambiguous lines: no views")
	assert.Nil(t, MixedViews([]byte("Subject: x\n\nno escapes\n"), 12), "no ambiguous lines: no views")
	large := append([]byte("Subject: x\n\n>From x\n"), bytes.Repeat([]byte("a"), maxMixedBytes)...)
	assert.Nil(t, MixedViews(large, 12), "a message over the byte bound: no views")
}

func TestAmbiguous(t *testing.T) {
	for f, want := range map[Format]bool{
		FormatMbox: true, FormatMboxo: true, FormatMboxrd: true, FormatMboxcl: true,
		FormatMboxcl2: false, "eml": false, "": false,
	} {
		assert.Equal(t, want, f.Ambiguous(), "%q.Ambiguous()", f)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatMbox, FormatMboxo, FormatMboxrd, FormatMboxcl, FormatMboxcl2} {
		got, ok := ParseFormat(string(f))
		assert.True(t, ok, "ParseFormat(%q) ok", f)
		assert.Equal(t, f, got, "ParseFormat(%q)", f)
	}
	for _, s := range []string{"eml", "emlx", "", "MBOX", "mboxcl3"} {
		got, ok := ParseFormat(s)
		assert.False(t, ok, "ParseFormat(%q) ok", s)
		assert.Equal(t, Format(""), got, "ParseFormat(%q)", s)
	}
}

func TestHasEscapedLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"From: a@b.c\nSubject: x\n", false},
		{">From : Mallory\n", true},
		{"From: a@b.c\r\n>>>From x\r\n", true},
		{"From: a@b.c\n>Fromage\n", false},
		{"From: a@b.c\nX: >From y\n", false},
		{"Subject: x\n>From", false},
	} {
		assert.Equal(t, tt.want, HasEscapedLine([]byte(tt.in)), "HasEscapedLine(%q)", tt.in)
	}
}
