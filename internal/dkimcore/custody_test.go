package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// checkCustody holds CustodyAndBodyHash to the digests computed apart: the
// SHA-256 of raw, and BodyHash over body.
func checkCustody(t *testing.T, raw, body []byte, c Canonicalization, limit int64) {
	t.Helper()
	custody, sum, unsigned := CustodyAndBodyHash(raw, body, c, limit)
	wantSum, wantUnsigned := BodyHash(crypto.SHA256, c, limit, body)
	require.Equal(t, sha256.Sum256(raw), custody, "CustodyAndBodyHash(%q, %v, l=%d): custody digest", raw, c, limit)
	require.Equal(t, wantSum, sum, "CustodyAndBodyHash(%q, %v, l=%d): body hash, against BodyHash", body, c, limit)
	require.Equal(t, wantUnsigned, unsigned, "CustodyAndBodyHash(%q, %v, l=%d): unsigned bytes, against BodyHash", body, c, limit)
}

// TestCustodyAndBodyHashGenerated signs generated messages with the test
// signer (independent of this package) and checks that the one-pass
// digests are the SHA-256 of the stored bytes and the signer's bh=, and
// that messages as sent, in CRLF, take the one-pass path.
func TestCustodyAndBodyHashGenerated(t *testing.T) {
	bodies := map[string]string{
		"paragraph":        "Hi Bob,\n\nThe figures are attached.\n\nAlice\n",
		"trailing lines":   "See you at noon.\n\n\n\n",
		"no final newline": "See you at noon.",
		"empty":            "\n",
		"long":             strings.Repeat("All work and no play makes Jack a dull boy.\n", 2000),
	}
	attachment := []testmail.Attachment{{Name: "figures.bin", Data: bytes.Repeat([]byte{0, 1, 2, 0xff}, 40000)}}
	for name, body := range bodies {
		for _, canon := range []string{"simple/simple", "relaxed/relaxed"} {
			for _, length := range []int64{0, testmail.WholeBody, 10} {
				for _, att := range [][]testmail.Attachment{nil, attachment} {
					msg := testmail.Message{Body: body, Attachments: att}.Bytes()
					signed, err := testmail.Sign(msg, testmail.MustKey("ed25519"), &testmail.SignOptions{Canonicalization: canon, BodyLength: length})
					require.NoError(t, err, "Sign(%s, %s)", name, canon)
					t.Run(fmt.Sprintf("%s/%s/l=%d/attachments=%d", name, canon, length, len(att)), func(t *testing.T) {
						tags := signatureTags(t, signed)
						_, c, err := ParseCanonicalization(tags["c"])
						require.NoError(t, err, "c=%q", tags["c"])
						limit := int64(-1)
						if l, ok := tags["l"]; ok {
							_, err := fmt.Sscan(l, &limit)
							require.NoError(t, err, "l=%q", l)
						}
						body := signed[bytes.Index(signed, []byte("\r\n\r\n"))+4:]

						custody, sum, _ := CustodyAndBodyHash(signed, body, c, limit)
						assert.Equal(t, sha256.Sum256(signed), custody, "custody digest of the signed message")
						assert.Equal(t, tags["bh"], base64.StdEncoding.EncodeToString(sum), "body hash against the signer's bh=")
						checkCustody(t, signed, body, c, limit)
						_, _, onePass := canonicalSpan(body, c == Relaxed)
						assert.True(t, onePass, "a CRLF message as generated takes the one-pass path")
					})
				}
			}
		}
	}
}

// signatureTags returns the tags of the first DKIM-Signature of msg.
func signatureTags(t *testing.T, msg []byte) map[string]string {
	t.Helper()
	const name = "DKIM-Signature:"
	require.True(t, bytes.HasPrefix(msg, []byte(name)), "the signed message starts with its DKIM-Signature")
	end := 0
	for {
		i := bytes.Index(msg[end:], []byte("\r\n"))
		require.GreaterOrEqual(t, i, 0, "the DKIM-Signature field ends")
		end += i + 2
		if msg[end] != ' ' && msg[end] != '\t' {
			break
		}
	}
	list, err := ParseTagList(string(msg[len(name) : end-2]))
	require.NoError(t, err, "ParseTagList of the DKIM-Signature")
	tags := map[string]string{}
	for _, tag := range list {
		tags[tag.Name] = strings.Join(strings.Fields(tag.Value), "")
	}
	return tags
}

// TestCanonicalSpan lists which bodies are their own canonical form (the
// one-pass path) and which need canonicalizing.
func TestCanonicalSpan(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		relaxed    bool
		ok         bool
		span, crlf string // when ok
	}{
		{"simple crlf", "a\r\nb\r\n", false, true, "a\r\nb\r\n", ""},
		{"simple trailing empty lines", "a\r\n\r\n\r\n", false, true, "a\r\n", ""},
		{"simple no final line ending", "a\r\nb", false, true, "a\r\nb", "\r\n"},
		{"simple final lone cr", "a\r\nb\r", false, true, "a\r\nb\r", "\r\n"},
		{"simple cr before crlf", "a\r\r\n\r\n", false, true, "a\r\r\n", ""},
		{"simple empty body", "", false, true, "", "\r\n"},
		{"simple only empty lines", "\r\n\r\n", false, true, "\r\n", ""},
		{"simple spaces kept", "a  b \t\r\n", false, true, "a  b \t\r\n", ""},
		{"simple bare lf", "a\nb\r\n", false, false, "", ""},
		{"simple leading bare lf", "\na\r\n", false, false, "", ""},
		{"relaxed crlf", "a b\r\n c\r\n", true, true, "a b\r\n c\r\n", ""},
		{"relaxed empty body", "", true, true, "", ""},
		{"relaxed only empty lines", "\r\n\r\n", true, true, "", ""},
		{"relaxed no final line ending", "a b", true, true, "a b", "\r\n"},
		{"relaxed double space", "a  b\r\n", true, false, "", ""},
		{"relaxed tab", "a\tb\r\n", true, false, "", ""},
		{"relaxed trailing space", "a \r\n", true, false, "", ""},
		{"relaxed trailing space on last line", "a\r\nb ", true, false, "", ""},
		{"relaxed tab on last line", "a\r\nb\tc", true, false, "", ""},
		{"relaxed space-only line", "a\r\n \r\nb\r\n", true, false, "", ""},
		{"relaxed bare lf", "a\nb\r\n", true, false, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			span, crlf, ok := canonicalSpan(body, tt.relaxed)
			require.Equal(t, tt.ok, ok, "canonicalSpan(%q, relaxed %v): one pass", tt.body, tt.relaxed)
			if ok {
				assert.Equal(t, tt.span, string(span), "canonicalSpan(%q, relaxed %v): span", tt.body, tt.relaxed)
				assert.Equal(t, tt.crlf, string(crlf), "canonicalSpan(%q, relaxed %v): added CRLF", tt.body, tt.relaxed)
				assert.True(t, len(span) == 0 || &span[0] == &body[0], "canonicalSpan(%q, relaxed %v): span is a prefix of the body, not a copy", tt.body, tt.relaxed)
			}
			for _, c := range []Canonicalization{Simple, Relaxed} {
				for _, limit := range []int64{-1, 0, 1, 3, 100} {
					checkCustody(t, []byte("Subject: x\r\n\r\n"+tt.body), []byte(tt.body), c, limit)
				}
			}
		})
	}
}

// TestCustodyAndBodyHashRandom checks bodies made of the bytes that
// canonicalization cares about, at every l= up to past the end, so both
// paths and every cut of the span and the added CRLF are covered, with the
// body a slice of raw and with raw stored with LF.
func TestCustodyAndBodyHashRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	pieces := []string{"a", "bc", " ", "  ", "\t", "\r", "\n", "\r\n", "\r\n", "\r\n", "\x01"}
	onePass := 0
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		body := []byte(b.String())
		raw := append([]byte("From: a@example.com\r\n\r\n"), body...)
		body = raw[len(raw)-len(body):]
		for _, c := range []Canonicalization{Simple, Relaxed} {
			if _, _, ok := canonicalSpan(body, c == Relaxed); ok {
				onePass++
			}
			limit := int64(rng.IntN(len(body) + 4))
			checkCustody(t, raw, body, c, -1)
			checkCustody(t, raw, body, c, limit)
			// Stored with LF, the body hashed from a CRLF view: body is
			// no longer a slice of raw, and may be the longer.
			checkCustody(t, testmail.LF(raw), body, c, -1)
			checkCustody(t, testmail.LF(raw), body, c, limit)
		}
	}
	assert.Greater(t, onePass, 600, "bodies that took the one-pass path, of 6000")
}

// TestCustodyAndBodyHashLengths checks bodies that need canonicalizing,
// so that the canonical bytes are hashed in step with the stored ones, at
// lengths around SHA-256's 64-byte blocks and the body hasher's 4 KB
// buffer and 32 KB bulk blocks, with l= cut anywhere, stored as they are
// (the body a slice of raw) or with LF (raw shorter than the body's CRLF
// view) or behind a long header (raw much longer than the body).
func TestCustodyAndBodyHashLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	lines := []string{
		"The quarterly figures are attached, as discussed.\r\n", // canonical
		"see  you at   noon \r\n",                               // relaxed rewrites
		"\tindented\t\r\n",
		"bare lf\n",
		" \r\n",
		"\r\n",
		"lone\rcr\r\n",
		strings.Repeat("x", 300) + "\r\n",
	}
	headers := []string{"", "Subject: x\r\n\r\n", strings.Repeat("Received: from relay.example.net by mx.example.com\r\n", 100) + "\r\n"}
	sizes := []int{1, 63, 64, 65, 127, 128, 2047, 2048, 2049, 4095, 4096, 4097, 8192, 33000, 70000}
	for _, size := range sizes {
		for _, clean := range []int{0, 5, 40} { // in 40: a canonical line's weight against one of each other kind
			var b strings.Builder
			for b.Len() < size {
				if i := rng.IntN(len(lines) - 1 + clean); i < len(lines)-1 {
					b.WriteString(lines[i+1])
				} else {
					b.WriteString(lines[0])
				}
			}
			text := b.String()[:size]
			if rng.IntN(2) == 0 {
				text += "  \r\n" // a line relaxed rewrites, whatever came before
			}
			for _, c := range []Canonicalization{Simple, Relaxed} {
				for _, header := range headers {
					raw := []byte(header + text)
					body := raw[len(header):]
					lf := append([]byte(header), testmail.LF(body)...)
					if _, _, ok := canonicalSpan(body, c == Relaxed); ok {
						continue // covered by the tests above
					}
					_, n := BodyHash(crypto.SHA256, c, 0, body) // the canonical length
					limits := []int64{-1, 0, 1, 63, 64, 65, 4096, n - 1, n, n + 1, rng.Int64N(n + 1)}
					for _, limit := range limits {
						if limit < -1 {
							continue
						}
						checkCustody(t, raw, body, c, limit)
						checkCustody(t, lf, body, c, limit)
					}
				}
			}
		}
	}
}

// FuzzCustodyAndBodyHash holds CustodyAndBodyHash to the digests computed
// apart. body is repeated 1 to 256 times, to reach lengths past the body
// hasher's buffers; when lf is set, the stored message has the body with
// bare LF, and the body hashed is its CRLF form, as for mail stored with
// LF.
func FuzzCustodyAndBodyHash(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n"), []byte("a\r\nb\r\n\r\n"), false, int64(-1), uint8(0), false)
	f.Add([]byte("Subject: x\r\n\r\n"), []byte("a b\r\nc"), true, int64(4), uint8(0), false)
	f.Add([]byte(""), []byte("a\t b \r\n\n"), true, int64(-1), uint8(0), false)
	f.Add([]byte("Subject: x\r\n\r\n"), []byte("All work  and no play \r\n"), true, int64(-1), uint8(200), false)
	f.Add([]byte("Subject: x\n\n"), []byte("All work and no play\r\n\r\n"), false, int64(3000), uint8(150), true)
	f.Fuzz(func(t *testing.T, header, body []byte, relaxed bool, limit int64, repeat uint8, lf bool) {
		if limit < -1 {
			limit = -1
		}
		c := Simple
		if relaxed {
			c = Relaxed
		}
		body = bytes.Repeat(body, 1+int(repeat))
		raw := append(header, body...)
		if lf {
			raw = append(header, testmail.LF(body)...)
			checkCustody(t, raw, body, c, limit)
			return
		}
		checkCustody(t, raw, raw[len(header):], c, limit)
	})
}

// BenchmarkCustodyAndBodyHash compares the one pass with the custody
// digest and the body hash computed apart, as before, on 64 KB messages:
// a CRLF body that needs no change ("canonical"), a CRLF body whose lines
// end in a space and hold runs of spaces, as relaxed rewrites them
// ("spaces"), and the latter stored with LF, its body hashed from a CRLF
// copy ("lf-spaces"). MB/s counts the stored message once.
func BenchmarkCustodyAndBodyHash(b *testing.B) {
	canonical := testmail.Message{Body: strings.Repeat("All work and no play makes Jack a dull boy.\n", 1500)}.Bytes()
	spaces := testmail.Message{Body: strings.Repeat("All work and  no play makes Jack a dull boy. \n", 1500)}.Bytes()
	for _, tt := range []struct {
		name      string
		raw, view []byte // view: the CRLF message the body is taken from
	}{
		{"canonical", canonical, canonical},
		{"spaces", spaces, spaces},
		{"lf-spaces", testmail.LF(spaces), spaces},
	} {
		body := tt.view[bytes.Index(tt.view, []byte("\r\n\r\n"))+4:]
		for _, c := range []Canonicalization{Simple, Relaxed} {
			b.Run(tt.name+"/one-pass/"+c.String(), func(b *testing.B) {
				b.SetBytes(int64(len(tt.raw)))
				for b.Loop() {
					CustodyAndBodyHash(tt.raw, body, c, -1)
				}
			})
			b.Run(tt.name+"/apart/"+c.String(), func(b *testing.B) {
				b.SetBytes(int64(len(tt.raw)))
				for b.Loop() {
					sha256.Sum256(tt.raw)
					BodyHash(crypto.SHA256, c, -1, body)
				}
			})
		}
	}
}
