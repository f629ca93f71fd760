package provenance

import (
	"bufio"
	"bytes"
	"mime"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBoundaryShape pins which multipart Content-Type values readers read
// another boundary from, and which they all read alike.
func TestBoundaryShape(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		want string // a word of the evidence, "" for none
	}{
		{`multipart/mixed; boundary="abc"`, ""},
		{`multipart/mixed; boundary=abc`, ""},
		{`multipart/mixed; BOUNDARY="abc"`, ""},
		{`multipart/mixed; boundary = "abc"`, ""},
		{`multipart/mixed; charset=utf-8; boundary="abc"`, ""},
		{`multipart/mixed; boundary="a b"`, ""},
		{`multipart/mixed; boundary="=_abc"; boundary-x="y"`, ""},
		{`multipart/mixed; boundary=----=_Part_1`, ""}, // Go refuses it: entityShape says so, not paramsShape
		{`multipart/mixed`, ""},
		{`multipart/mixed; boundary="a;b"`, ""},

		{`multipart/mixed; boundary="a"; boundary="b"`, "more than once"},
		{`multipart/mixed; boundary="a"; boundary="a"`, "more than once"},
		{`multipart/mixed; boundary=a; BOUNDARY=b`, "more than once"},
		{`multipart/mixed; boundary="a"; boundary*=us-ascii''b`, "more than once"},
		{`multipart/mixed; boundary*=''b; boundary="a"`, "more than once"},
		{`multipart/mixed; boundary="z"; boundary*0="a"; boundary*1="b"`, "more than once"},
		{`multipart/mixed; boundary*=''x; boundary*0="a"`, "more than once"},
		{`multipart/mixed; boundary*0="a"; boundary*0="b"`, "more than once"},
		{`multipart/mixed; boundary*=us-ascii''abc`, "RFC 2231"},
		{`multipart/mixed; boundary*=''abc`, "RFC 2231"},
		{`multipart/mixed; boundary*0="a"; boundary*1="b"`, "RFC 2231"},
		{`multipart/mixed; boundary*0*=''a; boundary*1="b"`, "RFC 2231"},
		{`multipart/mixed; Boundary*1="b"`, "RFC 2231"},
		{`multipart/mixed; boundary="abc "`, "white space"},
		{`multipart/mixed; boundary="abc	"`, "white space"},
		{`multipart/mixed; boundary=" abc"`, "white space"},
		{`multipart/mixed; boundary="a\"bc"`, "quotes"},
		{`multipart/mixed; boundary="a\\bc"`, "quotes"},
		{`multipart/mixed; boundary="abc`, "quotes"},
		{`multipart/mixed; boundary=a"bc"`, "quotes"},
	} {
		got := paramsShape(tc.ct, "Content-Type", true)
		if tc.want == "" {
			assert.Empty(t, got, "%s", tc.ct)
		} else {
			assert.Contains(t, got, tc.want, "%s", tc.ct)
		}
	}
}

// TestParamsShape pins which parameters of a Content-Type or
// Content-Disposition that is not multipart readers read differently: one
// given twice in one form, or plainly and in RFC 2231's form with values
// that differ once decoded.
func TestParamsShape(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want string // a word of the evidence, "" for none
	}{
		{`text/plain`, ""},
		{`text/plain; charset=utf-8`, ""},
		{`text/plain; charset=utf-8; format=flowed; delsp=yes`, ""},
		{`attachment; filename="a.pdf"; size=12`, ""},
		{`attachment; filename="a.pdf"; filename*=utf-8''a.pdf`, ""},
		{`attachment; filename="=?utf-8?q?R=C3=A9sum=C3=A9.pdf?="; filename*=utf-8''R%C3%A9sum%C3%A9.pdf`, ""},
		{`attachment; filename="café.pdf"; filename*=iso-8859-1''caf%E9.pdf`, ""},
		{`attachment; filename="ab.pdf"; filename*0="ab"; filename*1=".pdf"`, ""},
		{`attachment; filename="a\"b"; filename*=''a%22b`, ""},
		{`attachment; filename*0="a"; filename*1="b"`, ""},
		{`attachment; filename*=utf-8''a.pdf`, ""},
		{`attachment; filename*0*=UTF-8''R%C3%A9; filename*1*=sum%C3%A9.pdf`, ""},
		{`attachment; filename="=?UTF-8?B?UsOpc3Vtw6kucGRm?="`, ""},

		{`attachment; filename="a.pdf"; filename="b.pdf"`, "more than once"},
		{`attachment; filename="a.pdf"; FileName="a.pdf"`, "more than once"},
		{`text/plain; charset=us-ascii; charset=utf-16le`, "more than once"},
		{`attachment; filename*=''a; filename*=''b`, "more than once"},
		{`attachment; filename*0="a"; filename*0="b"`, "more than once"},
		{`attachment; filename="Resume.pdf"; filename*=utf-8''R%C3%A9sum%C3%A9.pdf`, "both plainly"},
		{`attachment; filename*=us-ascii''a.pdf; filename="b.pdf"`, "both plainly"},
		{`attachment; filename="ab.pdf"; filename*0*=utf-8''ab; filename*1=".pdf"`, "both plainly"},
		{`attachment; filename="a"; filename*=x-no-such-charset''a`, "both plainly"},
		{`attachment; filename="a"; filename*=utf-8''%zz`, "both plainly"},
		{`text/plain; charset="us-ascii"; charset*=''utf-16le`, "both plainly"},
	} {
		got := paramsShape(tc.v, "field", false)
		if tc.want == "" {
			assert.Empty(t, got, "%s", tc.v)
		} else {
			assert.Contains(t, got, tc.want, "%s", tc.v)
		}
	}
}

// TestBase64Canonical pins the base64 text every reader decodes alike.
func TestBase64Canonical(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{"", true},
		{"QUJD\r\nQUJD\r\n", true},
		{"QUI=\r\n", true},
		{"QQ==\r\n\r\n", true},
		{"QQ= =\r\n \t", true},
		{"QU JD\n", true},
		{"QQ==\r\nQUJD\r\n", false},
		{"QQ==QUJD", false},
		{"QQ==\r\nWire it today.\r\n", false},
		{"QQ==\r\n-- \r\n", false},
		{"QQ==\x00", false},
		{"QUJD\r\n.\r\nQUJD\r\n", false},
		{"QUJD!", false},
		{"QUJ\r\n", false},
		{"Q===\r\n", false},
	} {
		assert.Equal(t, tc.want, base64Canonical([]byte(tc.data)), "%q", tc.data)
	}
}

// TestEntityShape pins the part headers readers read differently: a
// field given twice with different values, not one given twice alike, and
// not the message's own header, which header.duplicate_mime_field covers.
func TestEntityShape(t *testing.T) {
	for _, tc := range []struct {
		name, hdr, body string
		top             bool
		want            string
	}{
		{"plain", "Content-Type: text/plain\r\n", "Hello.", false, ""},
		{"two Content-Type fields", "Content-Type: text/plain\r\nContent-Type: text/html\r\n", "Hello.", false, "2 Content-Type fields"},
		{"three Content-Type fields", "Content-Type: text/plain\r\ncontent-type: text/plain\r\nCONTENT-TYPE: text/html\r\n", "Hello.", false, "3 Content-Type fields"},
		{"two Content-Type fields alike", "Content-Type: text/plain\r\nContent-Type:  TEXT/plain \r\n", "Hello.", false, ""},
		{"two Content-Transfer-Encoding fields", "Content-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n", "QUJD", false, "Content-Transfer-Encoding"},
		{"two Content-Disposition fields", "Content-Disposition: attachment; filename=a\r\nContent-Disposition: inline\r\n", "x", false, "Content-Disposition"},
		{"the message's own header", "Content-Type: text/plain\r\nContent-Type: text/html\r\n", "Hello.", true, ""},
		{"quoted-printable with =", "Content-Transfer-Encoding: quoted-printable\r\n", "a=3D\r\nb\r\n", false, ""},
		{"a multipart boundary given twice", "Content-Type: Multipart/Mixed; boundary=a; boundary=b\r\n", "", false, "more than once"},
		{"a multipart Content-Type go-message cannot read", "Content-Type: multipart/mixed; boundary=----=_Part_1\r\n", "", false, "cannot read"},
		{"a multipart Content-Type go-message cannot read, at the top", "Content-Type: multipart/mixed; boundary=a b\r\n", "", true, "cannot read"},
		{"a text Content-Type go-message cannot read", "Content-Type: text/plain; charset=utf-8;;\r\n", "Hello.", false, ""},
		{"a multipart's padding is no base64's", "Content-Type: multipart/mixed; boundary=a\r\nContent-Transfer-Encoding: base64\r\n", "QQ==\r\nQUJD\r\n", false, ""},
	} {
		h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(tc.hdr + "\r\n")))
		require.NoError(t, err, tc.name)
		e, _ := message.New(message.Header{Header: h}, strings.NewReader(tc.body))
		_, _, ctErr := e.Header.ContentType()
		got := entityShape(e, []byte(tc.body), tc.top, ctErr)
		if tc.want == "" {
			assert.Empty(t, got, "%s", tc.name)
		} else {
			assert.Contains(t, got, tc.want, "%s", tc.name)
		}
	}
}

// FuzzBoundaryShape checks paramsShape on any multipart Content-Type: it
// never panics, and a value whose boundary Go's mime package reads as a
// plain run of letters, digits and "=_-." from the one boundary
// parameter, unquoted or quoted without escapes, is never flagged.
func FuzzBoundaryShape(f *testing.F) {
	for _, s := range []string{
		`multipart/mixed; boundary="abc"`, `multipart/mixed; boundary="a"; boundary="b"`,
		`multipart/mixed; boundary*0="a"; boundary*1="b"`, `multipart/mixed; boundary="a "`,
		`multipart/alternative; BOUNDARY=x; charset=y`, `multipart/mixed; boundary="a\"b"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		got := paramsShape(ct, "Content-Type", true)
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.HasPrefix(mt, "multipart/") || strings.Count(strings.ToLower(ct), "boundary") != 1 {
			return
		}
		b, ok := params["boundary"]
		if !ok || b == "" || strings.Trim(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-.") != "" {
			return
		}
		if bytes.ContainsAny([]byte(ct), "\\*") {
			return // an escape or an RFC 2231 name elsewhere
		}
		if got != "" {
			t.Errorf("%q: plain boundary %q flagged: %s", ct, b, got)
		}
	})
}
