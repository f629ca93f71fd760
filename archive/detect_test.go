package archive

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/mbox"
)

func TestDetect(t *testing.T) {
	hdr := "Received: from mx.example.com\r\n\tby mx2.example.org; Tue, 1 Mar 2016 10:00:00 +0000\r\nFrom: a@example.com\r\nSubject: x\r\n\r\nbody\r\n"
	for _, tt := range []struct {
		name, head string
		want       Kind
	}{
		{"empty", "", KindNotMail},
		{"zip", "PK\x03\x04\x14\x00", KindZip},
		{"empty zip", "PK\x05\x06" + strings.Repeat("\x00", 18), KindZip},
		{"mbox", sepA + "\nFrom: a@example.com\n\nhi\n", KindMbox},
		{"mbox after blank lines", "\r\n\n" + sepA + "\r\n", KindMbox},
		{"takeout mbox", sepT + "\nX-GM-THRID: 1\n", KindMbox},
		{"mbox separator alone", sepA, KindMbox},
		{"eml", hdr, KindEML},
		{"eml with LF", strings.ReplaceAll(hdr, "\r\n", "\n"), KindEML},
		{"eml without body", "From: a@example.com\nSubject: x", KindEML},
		{"space before colon", "From : a@example.com\nTo: b@example.org\n\nhi\n", KindEML},
		{"header leading whitespace", " folded: x\nFrom: a@example.com\nDate: today\n\n", KindEML},
		// One odd line must not drop a message from a folder's report:
		// the checker reports it.
		{"odd line after From", "DKIM-Signature: v=1; d=a\nFrom\v: m@evil.example\nFrom: a@example.com\nTo: b@example.org\n\nhi\n", KindEML},
		{"colon-less line", "From: a@example.com\n\v, evil@x.example\nTo: b@example.org\nDate: today\n\n", KindEML},
		{"NUL in a later line", "From: a@example.com\nX-Bad: a\x00b\nTo: b@example.org\nDate: today\n\n", KindEML},
		{"prose lines without a signature", "From: a@example.com\nodd\nTo: b@example.org\nDate: today\n\n", KindNotMail},
		{"odd first line", "From\v: m@evil.example\nDKIM-Signature: v=1; d=a\nFrom: a@example.com\nTo: b@example.org\n\n", KindEML},
		{"many odd lines in a signed header", "DKIM-Signature: v=1; d=a\nFrom: a@example.com\nX\nX\nX\nX\nX\nX\nX\nTo: b@example.org\n\n", KindEML},
		// Files that quote header lines are not mail.
		{"log quoting a signed header", "Nov 25 10:00:00 mx amavis[123]: quarantined\nDKIM-Signature: v=1; d=a\nFrom: a@example.com\nTo: b@example.org\nNov 25 10:00:01 mx amavis[123]: done\n", KindNotMail},
		{"yaml", "plan: budget\nfrom: alice@example.com\nsubject: plan\n- item one\n- item two\n", KindNotMail},
		{"http response", "HTTP/1.1 200 OK\nDate: Tue, 1 Mar 2016 10:00:00 GMT\nContent-Type: text/html\n\n<html>", KindNotMail},
		{"markdown front matter", "---\ntitle: notes\ndate: 2016-03-01\nauthor: alice\n---\n", KindNotMail},
		{"emlx", "1234      \n" + hdr + "<?xml", KindEmlx},
		{"emlx crlf length line", "99\r\n" + hdr, KindEmlx},
		{"one field only", "Subject: shopping\n\nmilk\n", KindNotMail},
		{"signature field only", "DKIM-Signature: v=1; a=rsa-sha1; d=example.org;\n  s=a; b=abc\n\nbody\n", KindEML},
		{"arc seal only", "ARC-Seal: i=1; a=rsa-sha256; cv=none\n\n", KindEML},
		{"no known field", "Name: x\nColour: blue\n\n", KindNotMail},
		{"prose", "Dear diary,\ntoday I read mail.\n", KindNotMail},
		{"binary", "\x00\x01\x02From: a\nTo: b\n", KindNotMail},
		{"nul in header", "From: a\x00\nTo: b\n\n", KindNotMail},
		{"not a separator", "From the desk of Alice\nTo: b\n", KindNotMail},
		{"digits only", "12345\n", KindNotMail},
		{"json", `{"domain":"example.com"}` + "\n", KindNotMail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detect([]byte(tt.head)), "Detect(%q)", tt.head)
		})
	}
}

func TestDetectWindow(t *testing.T) {
	// A header longer than the window is judged by what the window holds.
	long := "From: a@example.com\nSubject: x\nReferences:" + strings.Repeat(" <a@b>", SniffSize/6) + "\n\nbody\n"
	assert.Equal(t, KindEML, Detect([]byte(long)), "Detect of a header longer than SniffSize")
	assert.Equal(t, KindEML, Detect([]byte(long)[:SniffSize]), "Detect of its first SniffSize bytes")
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindNotMail: "not mail", KindEML: "eml", KindEmlx: "emlx", KindMbox: "mbox", KindZip: "zip", KindTar: "tar", KindGzip: "gzip", KindBzip2: "bzip2", Kind(99): "unknown"} {
		assert.Equal(t, want, k.String(), "Kind(%d).String()", int(k))
	}
}

// FuzzDetect checks that detection never panics, looks only at the window,
// and agrees with the readers: what it calls mbox the mbox reader accepts,
// and what it calls emlx has a length line.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"", "PK\x03\x04", sepA + "\nFrom: a\n\nb\n", "12\nFrom: a\nTo: b\n\n", "From: a\nTo: b\n\nc",
		"From : a\r\nSubject: b\r\n\r\n", "From the desk\n", "\n\n" + sepT + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		k := Detect(head)
		if k < KindNotMail || k > KindZip {
			t.Fatalf("Detect returned %d, not a Kind", k)
		}
		if len(head) > SniffSize && Detect(head[:SniffSize]) != k {
			t.Fatalf("Detect looked past SniffSize")
		}
		switch k {
		case KindMbox:
			_, err := mbox.NewReader(bytes.NewReader(head), nil).Next()
			if err != nil && err != io.EOF {
				t.Fatalf("Detect says mbox, the mbox reader says %v", err)
			}
		case KindEmlx:
			if _, _, ok := emlxLength(head); !ok {
				t.Fatalf("Detect says emlx without a length line")
			}
		case KindNotMail:
			if len(head) > 0 && bytes.HasPrefix(head, []byte("PK\x03\x04")) {
				t.Fatalf("a zip signature was not detected")
			}
		}
	})
}

// TestDetectLogsAndHeaderExports: logs with ISO timestamps or a
// byte-order mark that quote a signed header are not mail; a header export
// with Exchange's preamble is.
func TestDetectLogsAndHeaderExports(t *testing.T) {
	signed := "DKIM-Signature: v=1; d=example.com\nFrom: a@example.com\nTo: b@example.org\n"
	for _, tt := range []struct {
		name, in string
		want     Kind
	}{
		{"ISO timestamps", "2024-01-01T10:00:01.123456+00:00 mx amavis[1]: quarantined\n" + signed + "2024-01-01T10:00:02+00:00 mx amavis[1]: done\n", KindNotMail},
		{"BOM before a log line", "\ufeffNov 25 10:00:00 mx amavis[1]: x\n" + signed, KindNotMail},
		{"non-ASCII first word", "Übersicht der Nachrichten\n" + signed, KindNotMail},
		{"BOM before a header", "\ufeff" + signed + "\nhi\n", KindEML},
		{"BOM before an mbox separator", "\ufeffFrom alice@example.com Tue Mar  1 10:00:00 2016\n" + signed + "\nhi\n", KindMbox},
		{"BOM and a blank line before an mbox separator", "\ufeff\r\nFrom - Tue Mar 01 10:00:00 GMT+01:00 2016\r\n" + signed + "\nhi\n", KindMbox},
		{"Exchange header export", "Microsoft Mail Internet Headers Version 2.0\n" + signed + "\n", KindEML},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detect([]byte(tt.in)), "Detect(%q)", tt.in)
		})
	}
}

// TestLeadingLine: a separator line or Exchange's preamble at the top of a
// message is set aside, with its line ending; anything else is not.
func TestLeadingLine(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     LeadKind
		n        int
	}{
		{"separator", "From alice@example.com Tue Mar  1 10:00:00 2016\r\nFrom: a@b.c\r\n", LeadSeparator, len("From alice@example.com Tue Mar  1 10:00:00 2016\r\n")},
		{"undated separator", "From MAILER-DAEMON\nX: y\n", LeadSeparator, len("From MAILER-DAEMON\n")},
		{"Exchange preamble, CRLF", ExchangePreamble + "\r\nFrom: a@b.c\r\n", LeadExchange, len(ExchangePreamble) + 2},
		{"Exchange preamble, LF", ExchangePreamble + "\nFrom: a@b.c\n", LeadExchange, len(ExchangePreamble) + 1},
		{"Exchange preamble without a line ending", ExchangePreamble, LeadNone, 0},
		{"Exchange preamble with more on its line", ExchangePreamble + " x\n", LeadNone, 0},
		{"From field", "From: a@b.c\r\n", LeadNone, 0},
		{"From field with a space before the colon", "From : a@b.c\r\n", LeadNone, 0},
		{"empty", "", LeadNone, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kind, n := LeadingLine([]byte(tt.in))
			assert.Equal(t, tt.want, kind, "LeadingLine(%q) kind", tt.in)
			assert.Equal(t, tt.n, n, "LeadingLine(%q) length", tt.in)
		})
	}
}
