package testmail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// DefaultDate is the Date of a Message whose Date is zero, as Unix seconds:
// 2016-03-01 10:00:00 UTC, written with a +0000 offset.
const DefaultDate = 1456826400

// A Field is one header field to render: "Name: Value".
type Field struct {
	Name, Value string
}

// An Attachment is a file part of a multipart Message, sent base64-encoded.
type Attachment struct {
	Name        string // file name, in Content-Disposition
	ContentType string // if empty, "application/octet-stream"
	Data        []byte
}

// A Message describes a test message. The zero Message renders a valid
// single-part text message from alice@example.com to bob@example.org; every
// zero field gets the default its comment names. Bytes renders it
// deterministically with CRLF line endings.
type Message struct {
	// From is the From field. If empty, "Alice Example <alice@example.com>".
	From string
	// To is the To field. If empty, "Bob Example <bob@example.org>".
	To string
	// Cc is the Cc field. If empty, there is none.
	Cc string
	// Subject is the Subject field. If empty, "Quarterly figures".
	Subject string
	// Date is the Date field, written in RFC 5322 form with the time's own
	// offset. If zero, DefaultDate in UTC.
	Date time.Time
	// MessageID is the Message-ID with its angle brackets. If empty,
	// "<" + first 16 hex digits of SHA-256(Subject, Body) + "@" + the From
	// domain + ">".
	MessageID string
	// Extra fields come after the standard ones, in order.
	Extra []Field
	// Body is the text/plain body. Line feeds become CRLF. If empty,
	// a short default paragraph.
	Body string
	// Attachments, if any, make the message multipart/mixed with the body
	// as its first part and a fixed boundary.
	Attachments []Attachment
}

const defaultBody = `Hi Bob,

The figures for the quarter are attached. Revenue is up 4% on last year;
costs are flat. Please keep this to yourself until the board has seen it.

Alice
`

// Bytes renders the message with CRLF line endings. The same Message always
// gives the same bytes.
func (m Message) Bytes() []byte {
	from := or(m.From, "Alice Example <alice@example.com>")
	body := or(m.Body, defaultBody)
	date := m.Date
	if date.IsZero() {
		date = time.Unix(DefaultDate, 0).UTC()
	}
	subject := or(m.Subject, "Quarterly figures")
	id := m.MessageID
	if id == "" {
		sum := sha256.Sum256([]byte(subject + "\x00" + body))
		id = "<" + hex.EncodeToString(sum[:8]) + "@" + domainOf(from) + ">"
	}
	var b bytes.Buffer
	field := func(name, value string) {
		b.WriteString(name + ": " + value + "\r\n")
	}
	field("From", from)
	field("To", or(m.To, "Bob Example <bob@example.org>"))
	if m.Cc != "" {
		field("Cc", m.Cc)
	}
	field("Subject", subject)
	field("Date", date.Format(time.RFC1123Z))
	field("Message-ID", id)
	field("MIME-Version", "1.0")
	for _, f := range m.Extra {
		field(f.Name, f.Value)
	}
	if len(m.Attachments) == 0 {
		field("Content-Type", `text/plain; charset="us-ascii"`)
		field("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		b.WriteString(crlf(body))
		return b.Bytes()
	}
	const boundary = "=_testmail_boundary_0001"
	field("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\nThis is a multi-part message in MIME format.\r\n\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("Content-Type: text/plain; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	b.WriteString(crlf(body))
	for _, a := range m.Attachments {
		b.WriteString("\r\n--" + boundary + "\r\n")
		b.WriteString("Content-Type: " + or(a.ContentType, "application/octet-stream") + "; name=\"" + a.Name + "\"\r\n")
		b.WriteString("Content-Transfer-Encoding: base64\r\n")
		b.WriteString("Content-Disposition: attachment; filename=\"" + a.Name + "\"\r\n\r\n")
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// domainOf returns the domain of the last address-looking token of a From
// value, or "example.com".
func domainOf(from string) string {
	at := strings.LastIndexByte(from, '@')
	if at < 0 {
		return "example.com"
	}
	d := from[at+1:]
	if i := strings.IndexAny(d, "> ,;"); i >= 0 {
		d = d[:i]
	}
	return or(d, "example.com")
}

// crlf converts line endings to CRLF (bare LF, and CRLF left as is).
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// CRLF returns msg with every line ending made CRLF.
func CRLF(msg []byte) []byte {
	return []byte(crlf(string(msg)))
}

// LF returns msg with every CRLF made a bare LF, as most mail stores keep
// messages.
func LF(msg []byte) []byte {
	return bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
}

// Prepend returns msg with the field "name: value" (and CRLF) put on top,
// as a relay adds a field to a signed message.
func Prepend(msg []byte, name, value string) []byte {
	return append([]byte(name+": "+value+"\r\n"), msg...)
}

// ReplaceBody returns msg with its body (everything after the first empty
// line) replaced by body (line feeds made CRLF).
func ReplaceBody(msg []byte, body string) []byte {
	header, _ := splitMessage(msg)
	out := append([]byte{}, header...)
	out = append(out, "\r\n"...)
	return append(out, crlf(body)...)
}
