package testmail

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzSign signs arbitrary messages (made CRLF) and checks that the result
// verifies with the key, for both canonicalizations, and that the message
// follows the new field unchanged.
func FuzzSign(f *testing.F) {
	f.Add([]byte(Message{}.Bytes()), false)
	f.Add([]byte("From: a@example.com\r\n"), true)
	f.Add([]byte("\r\nbody only\r\n\r\n"), true)
	f.Add([]byte("From : x\r\n  folded\r\n\tagain\r\nSubject:\t \r\n\r\n  \t\r\nline \t \r\n\r\n\r\n"), false)
	for _, c := range AdversarialCases() {
		f.Add(c.Data, true)
	}
	key := MustKey("ed25519")
	f.Fuzz(func(t *testing.T, raw []byte, relaxed bool) {
		msg := CRLF(bytes.ReplaceAll(raw, []byte("\r"), nil))
		if len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t') {
			// A leading blank would continue the prepended field (see Sign).
			return
		}
		c := "simple/simple"
		if relaxed {
			c = "relaxed/relaxed"
		}
		signed, err := Sign(msg, key, &SignOptions{Canonicalization: c, Headers: []string{"from", "subject", "from"}})
		if err != nil {
			t.Fatalf("Sign(%q): %v", msg, err)
		}
		if !bytes.HasSuffix(signed, msg) {
			t.Fatalf("Sign changed the message")
		}
		if err := verifyTest(signed, 0, key.Public()); err != nil {
			t.Fatalf("signature of %q does not verify: %v", msg, err)
		}
	})
}

// FuzzCanonBody checks the body canonicalizers: relaxed is idempotent,
// both end in CRLF (or are empty, relaxed only), and neither output grows
// beyond the input plus one CRLF.
func FuzzCanonBody(f *testing.F) {
	f.Add([]byte("a  b \t\r\n\r\n\r\n"))
	f.Add([]byte(""))
	f.Add([]byte("no newline"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, relaxed := range []bool{false, true} {
			out := canonBody(body, relaxed)
			if len(out) > len(body)+2 {
				t.Fatalf("canonBody(%q, %v) = %q grew", body, relaxed, out)
			}
			if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
				t.Fatalf("canonBody(%q, %v) = %q does not end in CRLF", body, relaxed, out)
			}
			if !relaxed && len(out) == 0 {
				t.Fatalf("simple canonBody(%q) is empty", body)
			}
			if relaxed {
				if again := canonBody(out, true); !bytes.Equal(again, out) {
					t.Fatalf("relaxed canonBody not idempotent: %q -> %q -> %q", body, out, again)
				}
			}
		}
	})
}

// FuzzHeaderFields checks the header splitter: the fields put together
// give the header back, and every field but the first starts with a
// non-blank.
func FuzzHeaderFields(f *testing.F) {
	f.Add([]byte("From: a\r\n b\r\nTo: c\r\n"))
	f.Add([]byte(" leading\r\nX: y"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, header []byte) {
		fields := headerFields(header)
		if got := strings.Join(fields, ""); got != string(header) {
			t.Fatalf("headerFields(%q) joined = %q", header, got)
		}
		for i, fl := range fields {
			if fl == "" {
				t.Fatalf("headerFields(%q): empty field %d", header, i)
			}
			if i > 0 && (fl[0] == ' ' || fl[0] == '\t') {
				t.Fatalf("headerFields(%q): field %d %q starts with whitespace", header, i, fl)
			}
			name, _, ok := strings.Cut(fl, ":")
			if !ok || strings.ContainsAny(name, "\r\n") || strings.Count(fl, "\r\n") != strings.Count(fl, "\n") || strings.Count(fl, "\r\n") != strings.Count(fl, "\r") {
				continue // not a field relaxed canonicalization defines
			}
			hdr := canonHeader(fl, true)
			if strings.Count(hdr, "\r\n") != 1 || !strings.HasSuffix(hdr, "\r\n") {
				t.Fatalf("relaxed canonHeader(%q) = %q: want one final CRLF", fl, hdr)
			}
			if again := canonHeader(hdr, true); again != hdr {
				t.Fatalf("relaxed canonHeader not idempotent: %q -> %q -> %q", fl, hdr, again)
			}
		}
	})
}
