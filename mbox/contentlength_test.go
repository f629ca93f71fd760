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
	for _, tt := range []struct {
		name string
		in   string
		want []got
	}{
		{"mboxcl2 with an unescaped From line", cl2, []got{
			{int64(len(sep1) + 1), sep1, hdr + body + "\n", FormatMboxcl2, 0},
			{int64(len(sep1) + 1 + len(hdr) + len(body) + 1 + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"mboxcl with an escaped From line, no blank line before the next", cl, []got{
			{int64(len(sep1) + 1), sep1, hdrEsc + escaped, FormatMboxcl, 0},
			{int64(len(sep1) + 1 + len(hdrEsc) + len(escaped) + len(sep2) + 1), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"lying Content-Length", lying, []got{
			{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 3\n\n0123456789\n\n", FormatMbox, 1},
			{int64(len(lying) - len("Subject: next\n\nnext\n")), sep2, "Subject: next\n\nnext\n", FormatMbox, 0},
		}},
		{"truncated", tooShort, []got{{int64(len(sep1) + 1), sep1, "Subject: cl\nContent-Length: 500\n\nabc\n", FormatMbox, 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := readAll(t, tt.in, nil)
			require.NoError(t, err, "reading %q", tt.in)
			assert.Equal(t, tt.want, out, "messages of %q", tt.in)
		})
	}
}
