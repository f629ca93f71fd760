package testmail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMessageDefaults(t *testing.T) {
	raw := Message{}.Bytes()
	assert.False(t, hasBareLF(raw), "Bytes uses CRLF only")
	assert.Equal(t, raw, Message{}.Bytes(), "Bytes is deterministic")
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err, "net/mail reads the default message")
	for field, want := range map[string]string{
		"From":       "Alice Example <alice@example.com>",
		"To":         "Bob Example <bob@example.org>",
		"Subject":    "Quarterly figures",
		"Date":       "Tue, 01 Mar 2016 10:00:00 +0000",
		"Message-Id": "<66245e37f6c2228c@example.com>",
	} {
		assert.Equal(t, want, m.Header.Get(field), "default %s", field)
	}
	assert.Empty(t, m.Header.Get("Cc"), "no Cc by default")
	date, err := m.Header.Date()
	require.NoError(t, err, "Date parses")
	assert.Equal(t, int64(DefaultDate), date.Unix(), "Date is DefaultDate")
}

func TestMessageFields(t *testing.T) {
	zone := time.FixedZone("", -5*3600)
	raw := Message{
		From: "carol@example.org", Cc: "dave@example.net", Subject: "S", MessageID: "<x@y>",
		Date:  time.Date(2007, 1, 2, 3, 4, 5, 0, zone),
		Extra: []Field{{"X-Mailer", "testmail"}, {"Reply-To", "r@example.org"}},
		Body:  "line one\nline two\r\n",
	}.Bytes()
	header, body := Split(raw)
	assert.Equal(t, "line one\r\nline two\r\n", string(body), "body line feeds made CRLF")
	assert.Contains(t, string(header), "Date: Tue, 02 Jan 2007 03:04:05 -0500\r\n", "Date keeps its offset")
	assert.Contains(t, string(header), "Cc: dave@example.net\r\nSubject: S\r\n", "Cc before Subject")
	assert.Contains(t, string(header), "X-Mailer: testmail\r\nReply-To: r@example.org\r\n", "Extra fields in order")
	assert.Contains(t, string(header), "Message-ID: <x@y>\r\n", "explicit Message-ID")
}

func TestMessageAttachments(t *testing.T) {
	data := bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff}, 100)
	raw := Message{Body: "See attached.\n", Attachments: []Attachment{
		{Name: "a.bin", Data: data},
		{Name: "b.csv", ContentType: "text/csv", Data: []byte("x,y\n")},
	}}.Bytes()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err, "net/mail reads the multipart message")
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err, "Content-Type parses")
	assert.Equal(t, "multipart/mixed", mt, "media type")
	mr := multipart.NewReader(m.Body, params["boundary"])
	var names []string
	var bodies [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "next part")
		content, err := io.ReadAll(p)
		require.NoError(t, err, "read part")
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			content, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(content), "\r\n", ""))
			require.NoError(t, err, "base64 part decodes")
		}
		names = append(names, p.FileName())
		bodies = append(bodies, content)
	}
	require.Len(t, bodies, 3, "text part and two attachments")
	assert.Equal(t, []string{"", "a.bin", "b.csv"}, names, "part file names")
	assert.Equal(t, "See attached.\r\n", string(bodies[0]), "text part")
	assert.Equal(t, data, bodies[1], "first attachment decodes to its data")
	assert.Equal(t, "x,y\n", string(bodies[2]), "second attachment decodes to its data")
	for _, line := range strings.Split(string(raw), "\r\n") {
		assert.LessOrEqual(t, len(line), 78, "line %q fits in 78 columns", line)
	}
}

func TestMessageHelpers(t *testing.T) {
	raw := Message{}.Bytes()
	assert.Equal(t, raw, CRLF(LF(raw)), "CRLF undoes LF")
	assert.False(t, bytes.Contains(LF(raw), []byte("\r")), "LF leaves no CR")
	top := Prepend(raw, "From", "x@evil.example")
	assert.True(t, bytes.HasPrefix(top, []byte("From: x@evil.example\r\nFrom: Alice")), "Prepend puts the field on top")
	changed := ReplaceBody(raw, "new\n")
	header, _ := Split(raw)
	assert.Equal(t, string(header)+"\r\nnew\r\n", string(changed), "ReplaceBody keeps the header")
	h, b := Split([]byte("A: b\r\n"))
	assert.Equal(t, "A: b\r\n", string(h), "a header-only message is all header")
	assert.Empty(t, b, "a header-only message has no body")
}
