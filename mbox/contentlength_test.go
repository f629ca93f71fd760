package mbox

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReaderContentLength(t *testing.T) {
	// An mboxcl2 body holds an unescaped separator-like line; its
	// Content-Length says where the message really ends.
	body := "line\n\nFrom alice@example.com Mon Jan  1 00:00:00 2018\nstill body\n"
	hdr := "Subject: cl\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n"
	cl2 := sep1 + "\n" + hdr + body + "\n" + sep2 + "\nSubject: next\n\nnext\n"
	escaped := "line\n>From here\n"
	hdrEsc := "Subject: cl\nContent-Length: " + strconv.Itoa(len(escaped)) + "\n\n"
	cl := sep1 + "\n" + hdrEsc + escaped + sep2 + "\nSubject: next\n\nnext\n"
	lying := sep1 + "\nSubject: cl\nContent-Length: 3\n\n" + "0123456789\n\n" + sep2 + "\nSubject: next\n\nnext\n"
	tooShort := sep1 + "\nSubject: cl\nContent-Length: 500\n\nabc\n"
	// A count stretched over the next message to the end of the input, or
	// to the separator after it: that message is still read.
	next := "Subject: next\n\nnext\n"
	hidden := "Subject: hidden\n\nhidden\n"
	clEOF := "Subject: cl\nContent-Length: " + strconv.Itoa(4+len(sep2)+1+len(next)) + "\n\nab\n\n"
	toEOF := sep1 + "\n" + clEOF + sep2 + "\n" + next
	clOver := "Subject: cl\nContent-Length: " + strconv.Itoa(4+len(sep2)+1+len(hidden)+1) + "\n\nab\n\n"
	overOne := sep1 + "\n" + clOver + sep2 + "\n" + hidden + "\n" + sep1 + "\n" + next
	hdrOver := len(sep1) + 1 + len("Subject: cl\nContent-Length: 00\n\nab\n\n")
	for _, tt := range []struct {
		name string
		in   string
		want []got
	}{
		{"mboxcl2 with an unescaped From line", cl2, []got{
			{int64(len(sep1) + 1), sep1, hdr + body + "\n", FormatMboxcl2, 0, false, false},
			{int64(len(sep1) + 1 + len(hdr) + len(body) + 1 + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0, false, false},
		}},
		{"mboxcl with an escaped From line, no blank line before the next", cl, []got{
			{int64(len(sep1) + 1), sep1, hdrEsc + escaped, FormatMboxcl, 0, false, false},
			{int64(len(sep1) + 1 + len(hdrEsc) + len(escaped) + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0, false, false},
		}},
		{"lying Content-Length", lying, []got{
			{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 3\n\n0123456789\n\n", FormatMbox, 0, true, false},
			{int64(len(lying) - len("Subject: next\n\nnext\n")), sep2, "Subject: next\n\nnext\n", FormatMbox, 0, false, false},
		}},
		{"Content-Length stretched to the end of the input", toEOF, []got{
			{int64(len(sep1) + 1), sep1, clEOF, FormatMbox, 0, true, false},
			{int64(hdrOver + len(sep2) + 1), sep2, next, FormatMbox, 0, false, false},
		}},
		{"Content-Length stretched over a message to the next separator", overOne, []got{
			{int64(len(sep1) + 1), sep1, clOver, FormatMbox, 0, true, false},
			{int64(hdrOver + len(sep2) + 1), sep2, hidden + "\n", FormatMbox, 0, false, false},
			{int64(hdrOver + len(sep2) + 1 + len(hidden) + 1 + len(sep1) + 1), sep1, next, FormatMbox, 0, false, false},
		}},
		{"mboxcl2 followed by a file with a byte-order mark", cl2[:len(cl2)-len(sep2+"\nSubject: next\n\nnext\n")] + UTF8BOM + sep2 + "\nSubject: next\n\nnext\n", []got{
			{int64(len(sep1) + 1), sep1, hdr + body + "\n", FormatMboxcl2, 0, false, false},
			{int64(len(sep1) + 1 + len(hdr) + len(body) + 1 + 3 + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0, false, true},
		}},
		{"truncated", tooShort, []got{{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 500\n\nabc\n", FormatMbox, 1, false, false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := readAll(t, tt.in, nil)
			require.NoError(t, err, "reading %q", tt.in)
			assert.Equal(t, tt.want, out, "messages of %q", tt.in)
		})
	}
}
