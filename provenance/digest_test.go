package provenance

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestCheckDigestOnePass: with archive.Options.DeferDigest, Check computes
// each readable message's chain-of-custody digest in one pass with its DKIM
// body hash, for a CRLF .eml, a CRLF mbox, an LF mbox and a zip alike, and
// every record reads exactly as with the digest computed by the walk. A
// message that is not checked (one over the size cap, a cancelled context)
// still gets its digest, the plain way.
func TestCheckDigestOnePass(t *testing.T) {
	var onePass int
	testHookOnePass = func() { onePass++ }
	defer func() { testHookOnePass = nil }()

	dir := t.TempDir()
	attached := testmail.Message{Subject: "Q3", Attachments: []testmail.Attachment{{Name: "q3.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16)}}}
	crlf := [][]byte{
		signed(t, testmail.Message{Subject: "Figures", Body: "The figures are final.\n"}, "rsa2048", nil),
		signed(t, attached, "ed25519", nil),
		signed(t, testmail.Message{Subject: "Simple", Body: "a  b\t\n\n\n"}, "rsa2048", &testmail.SignOptions{Canonicalization: "simple/simple"}),
		signed(t, testmail.Message{Subject: "Old", Body: "SHA-1 only.\n"}, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}),
		testmail.Message{Subject: "Unsigned"}.Bytes(),
	}
	var crlfMbox, lfMbox bytes.Buffer
	for _, msg := range crlf {
		crlfMbox.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
		crlfMbox.Write(msg)
		crlfMbox.WriteString("\n")
		lfMbox.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
		lfMbox.Write(testmail.LF(msg))
		lfMbox.WriteString("\n")
	}
	files := map[string][]byte{
		"crlf.mbox": crlfMbox.Bytes(),
		"lf.mbox":   lfMbox.Bytes(),
		"a.eml":     crlf[0],
		"b.eml":     append([]byte("\xEF\xBB\xBF"), crlf[1]...),
		"dump.zip":  zipped(t, "1.eml", crlf[2], "x.mbox", crlfMbox.Bytes()),
		"big.mbox":  []byte("From alice@example.com Tue Mar  1 10:00:00 2016\n" + string(bytes.Repeat([]byte("x"), 300<<10))),
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644), "writing %s", name)
	}

	c := testChecker()
	opts := &archive.Options{MaxMessageSize: 200 << 10}
	var want []string
	for m := range archive.Walk(t.Context(), dir, opts) {
		want = append(want, reportedAs(c.Check(t.Context(), m)))
	}
	assert.Zero(t, onePass, "messages hashed by the walk are not hashed again")

	deferred := &archive.Options{MaxMessageSize: opts.MaxMessageSize, DeferDigest: true}
	var got []string
	checked := 0
	for m := range archive.Walk(t.Context(), dir, deferred) {
		if m.Err == nil {
			checked++
		}
		got = append(got, reportedAs(c.Check(t.Context(), m)))
	}
	require.Equal(t, want, got, "records with the digest left to Check")
	assert.Equal(t, 5+5+1+1+1+5, checked, "readable messages")
	assert.Equal(t, checked, onePass, "readable messages hashed in one pass with their body")

	onePass = 0
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	i := 0
	for m := range archive.Walk(t.Context(), dir, deferred) {
		a := c.Check(ctx, m)
		if m.Err == nil {
			assert.ErrorIs(t, a.Err, context.Canceled, "record %d: Check with a cancelled context", i+1)
		}
		assert.Contains(t, want[i], a.ID+" "+a.SHA256+" ", "record %d: custody fields with a cancelled context", i+1)
		assert.NotEmpty(t, a.SHA256, "record %d: SHA256", i+1)
		i++
	}
	assert.Zero(t, onePass, "no one-pass hash for a message not checked")
}

// zipped returns a zip of the name and content pairs given.
func zipped(t *testing.T, namesAndData ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i < len(namesAndData); i += 2 {
		f, err := w.Create(namesAndData[i].(string))
		require.NoError(t, err, "zip entry")
		_, err = f.Write(namesAndData[i+1].([]byte))
		require.NoError(t, err, "zip entry")
	}
	require.NoError(t, w.Close(), "zip")
	return b.Bytes()
}

// BenchmarkCheckDigest measures Check on a CRLF .eml with a 100 KiB
// attachment whose digest the walk left to the checker: "one-pass" hashes
// the stored bytes with the DKIM body, "separate" (what Check did before)
// hashes them apart with archive.Message.Digest, then the body again.
func BenchmarkCheckDigest(b *testing.B) {
	attached := testmail.Message{Subject: "Q3", Attachments: []testmail.Attachment{{Name: "q3.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16)}}}
	raw, err := testmail.Sign(attached.Bytes(), testmail.MustKey("rsa2048"), nil)
	require.NoError(b, err, "testmail.Sign")
	path := filepath.Join(b.TempDir(), "q3.eml")
	require.NoError(b, os.WriteFile(path, raw, 0o644), "writing the message")
	opts := &archive.Options{DeferDigest: true}
	c := testChecker()
	for _, separate := range []bool{false, true} {
		b.Run(map[bool]string{false: "one-pass", true: "separate"}[separate], func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for range b.N {
				b.StopTimer()
				var m *archive.Message
				for m = range archive.Walk(b.Context(), path, opts) {
				}
				b.StartTimer()
				if separate {
					m.Digest()
				}
				if a := c.Check(b.Context(), m); a.Verdict != VerdictAuthentic {
					b.Fatalf("verdict %s: %s", a.Verdict, a.Summary)
				}
			}
		})
	}
}
