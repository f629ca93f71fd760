package provenance

// Properties over generated messages (fixed seeds, so every run checks the
// same cases and a failure reproduces): what must never happen, whatever
// the message. The attack tables elsewhere hold the samples; these hold the
// classes.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
)

// generatedCases is how many messages each property draws.
const generatedCases = 40

var (
	genWords = strings.Fields("deposit figures board minutes contract wire account budget council press embargo draft " +
		"Friday tomorrow urgent quarterly confidential attached résumé Zürich naïve 東京 отчёт")
	genKeys = []struct{ key, from string }{
		{"rsa2048", "Alice Example <alice@example.com>"},
		{"rsa2048b", "Carol Example <carol@example.org>"},
		{"ed25519", "Alice Example <alice@example.com>"},
	}
	genCanon = []string{"relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"}
)

// genText returns n random words.
func genText(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = genWords[r.IntN(len(genWords))]
	}
	return strings.Join(w, " ")
}

// genSigned draws a message and signs it with an aligned key: an authentic
// message by construction.
func genSigned(t *testing.T, r *rand.Rand) []byte {
	t.Helper()
	k := genKeys[r.IntN(len(genKeys))]
	m := testmail.Message{
		From:    k.from,
		Subject: genText(r, 1+r.IntN(6)),
		Date:    time.Date(2012+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC),
	}
	var body strings.Builder
	for range 1 + r.IntN(6) {
		body.WriteString(genText(r, 1+r.IntN(12)) + "\n")
		if r.IntN(4) == 0 {
			body.WriteString("\n")
		}
	}
	m.Body = body.String()
	if r.IntN(3) == 0 {
		m.Cc = "Dave Example <dave@example.net>"
	}
	if r.IntN(4) == 0 {
		m.Attachments = []testmail.Attachment{{Name: "notes.txt", ContentType: "text/plain", Data: []byte(genText(r, 20))}}
	}
	o := &testmail.SignOptions{Canonicalization: genCanon[r.IntN(len(genCanon))]}
	return signed(t, m, k.key, o)
}

// TestBenignChangesNeverAlter: what archives, transports and tools do to a
// genuine message without changing what a reader sees (LF line endings, a
// trace field or an X- field added on top, a signature copied from another
// message pasted on, the message stored in an mbox) never makes it altered,
// and never changes the verdict or what is proven.
func TestBenignChangesNeverAlter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	c := testChecker()
	foreign := map[string]string{}
	for _, k := range genKeys {
		foreign[k.key] = foreignSignature(t, k.key)
	}
	for n := range generatedCases {
		msg := genSigned(t, r)
		base := c.Check(t.Context(), eml("base.eml", msg))
		require.Equal(t, VerdictAuthentic, base.Verdict, "case %d: a signed message is authentic; evidence %v", n, codesOf(base))
		variants := map[string]*archive.Message{
			"LF line endings":  eml("lf.eml", testmail.LF(msg)),
			"Received on top":  eml("recv.eml", prepend(msg, "Received: from mx.example.net by mx2.example.net; Tue, 1 Mar 2016 10:00:06 +0000")),
			"X- field on top":  eml("x.eml", prepend(msg, "X-Spam-Score: 0.1")),
			"copied signature": eml("copied.eml", prepend(msg, foreign[genKeys[r.IntN(len(genKeys))].key])),
			"stored in an mbox": {File: "box.mbox", Index: 1, Format: "mboxrd",
				Raw: bytes.ReplaceAll(testmail.LF(msg), []byte("\nFrom "), []byte("\n>From "))},
		}
		for name, m := range variants {
			a := c.Check(t.Context(), m)
			assert.NotEqual(t, VerdictAltered, a.Verdict, "case %d, %s: never altered; summary %q; evidence %v", n, name, a.Summary, codesOf(a))
			assert.Equal(t, base.Verdict, a.Verdict, "case %d, %s: same verdict", n, name)
			assert.Equal(t, base.Coverage.Fields, a.Coverage.Fields, "case %d, %s: the same fields proven", n, name)
			assert.Equal(t, base.Coverage.Body, a.Coverage.Body, "case %d, %s: the same body coverage", n, name)
		}
	}
}

// TestVisibleEditsNeverAuthentic: a change to what a reader sees (a
// displayed field the signature covers, the body text) never leaves the
// message authentic with that element proven.
func TestVisibleEditsNeverAuthentic(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 19))
	c := testChecker()
	for n := range generatedCases {
		msg := genSigned(t, r)
		edits := map[string]struct {
			raw []byte
			key string // the Coverage.Fields key of the edited field, "" for the body
		}{}
		for _, f := range []struct{ header, key string }{{"Subject", "subject"}, {"From", "from"}, {"To", "to"}, {"Date", "date"}} {
			if i := bytes.Index(msg, []byte("\r\n"+f.header+": ")); i >= 0 {
				j := i + len(f.header) + 4
				edited := slices.Concat(msg[:j], []byte("X"), msg[j:])
				edits["edit "+f.header] = struct {
					raw []byte
					key string
				}{edited, f.key}
			}
		}
		if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 && i+4 < len(msg)-2 {
			p := i + 4 + r.IntN(len(msg)-i-6)
			edited := slices.Clone(msg)
			edited[p] ^= 0x20
			if edited[p] != '\r' && edited[p] != '\n' && msg[p] != '\r' && msg[p] != '\n' && msg[p] != ' ' && edited[p] != ' ' {
				edits["edit body"] = struct {
					raw []byte
					key string
				}{edited, ""}
			}
		}
		for name, e := range edits {
			a := c.Check(t.Context(), eml("edited.eml", e.raw))
			if a.Verdict != VerdictAuthentic {
				continue
			}
			if e.key == "" {
				assert.NotEqual(t, BodyFull, a.Coverage.Body, "case %d, %s: an edited body is never proven; evidence %v", n, name, codesOf(a))
			} else {
				assert.NotEqual(t, FieldSigned, a.Coverage.Fields[e.key], "case %d, %s: an edited field is never proven; evidence %v", n, name, codesOf(a))
			}
		}
	}
}

// TestVerdictIndependentOfOrderAndTrace: the verdict, confidence and
// coverage do not depend on the order of the signatures, on trace fields a
// receiver adds, or on the file format the message was read from.
func TestVerdictIndependentOfOrderAndTrace(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 19))
	c := testChecker()
	for n := range generatedCases {
		k1, k2 := genKeys[r.IntN(len(genKeys))], genKeys[r.IntN(len(genKeys))]
		m := testmail.Message{From: k1.from, Subject: genText(r, 3), Body: genText(r, 10) + "\n"}
		first := signed(t, m, k1.key, nil)
		both := signRaw(t, first, k2.key, nil)
		// The same two signatures, the other way round.
		sigs, rest := splitSignatures(both)
		require.Len(t, sigs, 2, "case %d: two signatures", n)
		swapped := slices.Concat([]byte(sigs[1]), []byte(sigs[0]), rest)
		traced := prepend(prepend(both, "Received: from a.example by b.example; Tue, 1 Mar 2016 10:00:07 +0000"), "X-Original-To: bob@example.org")

		base := c.Check(t.Context(), eml("both.eml", both))
		for name, raw := range map[string][]byte{"swapped": swapped, "traced": traced} {
			a := c.Check(t.Context(), eml(name+".eml", raw))
			assert.Equal(t, base.Verdict, a.Verdict, "case %d, %s: verdict; evidence %v vs %v", n, name, codesOf(base), codesOf(a))
			assert.Equal(t, base.Confidence, a.Confidence, "case %d, %s: confidence", n, name)
			assert.Equal(t, base.Coverage.Fields, a.Coverage.Fields, "case %d, %s: fields proven", n, name)
		}
		for _, format := range []archive.Format{"mbox", "mboxo", "mboxrd", "mboxcl", "mboxcl2"} {
			a := c.Check(t.Context(), &archive.Message{File: "box", Index: 1, Format: format, Raw: testmail.LF(both)})
			assert.Equal(t, base.Verdict, a.Verdict, "case %d, stored as %s: verdict", n, format)
			assert.Equal(t, base.Coverage.Fields, a.Coverage.Fields, "case %d, stored as %s: fields proven", n, format)
		}
	}
}

// splitSignatures cuts the DKIM-Signature fields off the top of msg (each
// with its folded lines) and returns them and the rest.
func splitSignatures(msg []byte) ([]string, []byte) {
	var sigs []string
	for bytes.HasPrefix(msg, []byte("DKIM-Signature:")) {
		end := 0
		for {
			i := bytes.Index(msg[end:], []byte("\r\n"))
			end += i + 2
			if end >= len(msg) || (msg[end] != ' ' && msg[end] != '\t') {
				break
			}
		}
		sigs = append(sigs, string(msg[:end]))
		msg = msg[end:]
	}
	return sigs, msg
}

// TestGeneratedCasesAreVaried guards the generator itself: the properties
// above are only as strong as what it draws.
func TestGeneratedCasesAreVaried(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	seen := map[string]bool{}
	for range generatedCases {
		msg := genSigned(t, r)
		for _, c := range genCanon {
			if bytes.Contains(msg, []byte("c="+c+";")) {
				seen[c] = true
			}
		}
		if bytes.Contains(msg, []byte("multipart/mixed")) {
			seen["attachment"] = true
		}
		if bytes.Contains(msg, []byte("a=ed25519")) {
			seen["ed25519"] = true
		}
	}
	assert.Len(t, seen, len(genCanon)+2, "every canonicalization, attachments and Ed25519 are drawn: %v", fmt.Sprint(seen))
}
