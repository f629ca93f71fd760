package arc_test

import (
	"strings"
	"testing"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// FuzzSealVerify is differential: testmail's sealer canonicalizes with its
// own code, independent of the dkim package. Whatever the Subject (folded
// or not, with runs of spaces and tabs) and the body, a chain sealed twice
// must pass, stored with CRLF or with bare LF, and must fail once a byte of
// the body that canonicalization does not ignore is changed.
func FuzzSealVerify(f *testing.F) {
	f.Add("Quarterly figures", "Hi Bob,\n\nAttached.\n", uint8(0))
	f.Add("  spaced \t subject\t", "trailing spaces   \n\n\n\n", uint8(3))
	f.Add("x", "", uint8(1))
	f.Add("tabs\tand  spaces", "a\tb  c \t\nd\r\n", uint8(7))
	keys := testKeys()
	f.Fuzz(func(t *testing.T, subject, body string, fold uint8) {
		// A Subject is one field: no line breaks, no NUL; fold at a space.
		if subject == "" || strings.ContainsAny(subject, "\r\n\x00") || strings.TrimSpace(subject) == "" ||
			strings.ContainsAny(body, "\r\x00") || len(subject) > 500 || len(body) > 5000 {
			t.Skip()
		}
		if fold > 0 {
			if i := strings.IndexByte(subject[1:], ' '); i >= 0 {
				subject = subject[:i+1] + "\r\n" + subject[i+1:]
			}
		}
		if strings.HasSuffix(subject, "\r\n") || strings.Contains(subject, "\r\n\r\n") {
			t.Skip()
		}
		msg := testmail.Message{Subject: subject, Body: body}.Bytes()
		msg = testmail.MustSeal(msg, testmail.MustKey("rsa2048b"), nil)
		msg = testmail.MustSeal(msg, testmail.MustKey("ed25519"), nil)
		for _, form := range [][]byte{msg, testmail.LF(msg)} {
			r, err := arc.Verify(t.Context(), form, &dkim.Options{Keys: keys})
			if err != nil || r.Chain != arc.ChainPass {
				t.Fatalf("Verify(subject %q, body %q): %v, %v (%s)", subject, body, r.Chain, err, r.Reason)
			}
		}
		// Change a letter or digit of the body: relaxed canonicalization
		// never ignores one.
		_, b := testmail.Split(msg)
		for i, c := range b {
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
				changed := append([]byte{}, msg...)
				changed[len(msg)-len(b)+i] = 'Z'
				r, err := arc.Verify(t.Context(), changed, &dkim.Options{Keys: keys})
				if err != nil || r.Chain != arc.ChainFail {
					t.Fatalf("Verify(body byte %d changed): %v, %v", i, r.Chain, err)
				}
				break
			}
		}
	})
}
