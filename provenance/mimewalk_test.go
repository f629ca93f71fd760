package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	mathrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileMIME returns the MIME shapes whose reading the walk must keep:
// what a forger or a broken mailer writes, each as stored (the LF form of
// the CRLF ones is added by TestMIMEWalkPinned).
func hostileMIME() []struct {
	name string
	msg  string
} {
	b64 := func(s string) string {
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		var out strings.Builder
		for len(enc) > 76 {
			out.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		return out.String() + enc + "\r\n"
	}
	long := strings.Repeat("0123456789abcdef", 4096) // 64 KiB of data
	part := func(b, name, cte, body string) string {
		return "--" + b + "\r\nContent-Type: application/octet-stream; name=\"" + name + "\"\r\nContent-Transfer-Encoding: " + cte +
			"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + body + "\r\n"
	}
	text := func(b, body string) string {
		return "--" + b + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
	}
	top := func(ct, body string) string {
		return "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: " + ct + "\r\n\r\n" + body
	}
	mixed := func(body string) string { return top(`multipart/mixed; boundary="B"`, body) }
	var deep strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&deep, "--d%d\r\nContent-Type: multipart/mixed; boundary=\"d%d\"\r\n\r\n", i, i+1)
	}
	deep.WriteString(part("d10000", "deep.bin", "base64", b64("deep")))
	for i := 10000; i >= 0; i-- {
		fmt.Fprintf(&deep, "--d%d--\r\n", i)
	}
	var many strings.Builder
	for i := range 300 {
		many.WriteString(part("B", fmt.Sprintf("f%d.bin", i), "base64", b64(fmt.Sprint(i))))
	}
	many.WriteString("--B--\r\n")
	var parts strings.Builder
	for range 1100 {
		parts.WriteString(text("B", "x"))
	}
	parts.WriteString(part("B", "late.bin", "base64", b64("late")) + "--B--\r\n")
	return []struct {
		name string
		msg  string
	}{
		{"plain", mixed(text("B", "Hello.") + part("B", "a.bin", "base64", b64("attachment one")) + "--B--\r\n")},
		{"long base64", mixed(text("B", "Hello.") + part("B", "long.bin", "base64", b64(long)) + "--B--\r\n")},
		{"two attachments", mixed(part("B", "a.bin", "base64", b64("one")) + part("B", "b.bin", "quoted-printable", "caf=C3=A9 =\r\nsoft") + "--B--\r\n")},
		{"deep nesting", top(`multipart/mixed; boundary="d0"`, deep.String())},
		{"many attachments", mixed(many.String())},
		{"many parts", mixed(parts.String())},
		{"no closing boundary", mixed(text("B", "Hello.") + part("B", "a.bin", "base64", b64("unclosed")))},
		{"no boundary parameter", top("multipart/mixed", text("B", "Hello.")+part("B", "a.bin", "base64", b64("x"))+"--B--\r\n")},
		{"boundary matches nothing", top(`multipart/mixed; boundary="Z"`, text("B", "Hello.")+part("B", "a.bin", "base64", b64("x"))+"--B--\r\n")},
		{"boundary inside base64 text", top(`multipart/mixed; boundary="QUJD"`, part("QUJD", "a.bin", "base64", "QUJD--QUJDQUJD\r\nQUJD\r\n")+"--QUJD--\r\n")},
		{"boundary prefix lines", mixed(part("B", "a.bin", "base64", b64("x")+"--Bx\r\n--B-\r\n") + "--B--\r\n")},
		{"boundary with padding", mixed(text("B", "Hello.") + strings.Replace(part("B", "a.bin", "base64", b64("pad")), "--B\r\n", "--B \t\r\n", 1) + "--B--  \r\n")},
		{"bad base64 byte", mixed(part("B", "a.bin", "base64", "QUJD!REVG\r\nR0hJ\r\n") + "--B--\r\n")},
		{"padding mid-stream", mixed(part("B", "a.bin", "base64", "QQ==\r\nQkM=\r\nREVG\r\n") + "--B--\r\n")},
		{"truncated base64", mixed(part("B", "a.bin", "base64", "QUJDREV\r\n") + "--B--\r\n")},
		{"base64 with spaces", mixed(part("B", "a.bin", "base64", " QUJD REVG\r\n\tR0hJ\r\n") + "--B--\r\n")},
		{"base64 long line", mixed(part("B", "a.bin", "base64", strings.ReplaceAll(b64(long), "\r\n", "")+"\r\n") + "--B--\r\n")},
		{"bad quoted-printable", mixed(part("B", "a.bin", "quoted-printable", "a=ZZb =\r\nc=3 d=\r\n=41=4a=\r\nend=") + "--B--\r\n")},
		{"quoted-printable long line", mixed(part("B", "a.bin", "quoted-printable", long) + "--B--\r\n")},
		{"unknown encoding", mixed(part("B", "a.uu", "x-uuencode", "begin 644 a\r\n`\r\nend") + "--B--\r\n")},
		{"binary", mixed(part("B", "a.bin", "binary", "\x00\x01\r\n\xff") + "--B--\r\n")},
		{"name only in content-type", mixed("--B\r\nContent-Type: image/png; name=\"=?utf-8?q?caf=C3=A9?=.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("png") + "--B--\r\n")},
		{"rfc 2231 filename", mixed("--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("pdf") + "--B--\r\n")},
		{"text attachment with charset", mixed(text("B", "Hello.") + "--B\r\nContent-Type: text/plain; charset=iso-8859-1; name=\"n.txt\"\r\nContent-Disposition: attachment; filename=\"n.txt\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n--B--\r\n")},
		{"part without header", mixed("--B\r\nno header here\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"header that never ends", mixed("--B\r\nContent-Type: application/octet-stream; name=a.bin\r\nX-A: b\r\n--B--\r\n")},
		{"part header line without colon", mixed("--B\r\nContent-Disposition: attachment; filename=a.bin\r\nbroken line\r\n\r\nQUJD\r\n--B--\r\n")},
		{"empty part body", mixed("--B\r\nContent-Disposition: attachment; filename=e.bin\r\n\r\n--B--\r\n")},
		{"text after closing boundary", mixed(part("B", "a.bin", "base64", b64("x")) + "--B--\r\n--B\r\nContent-Disposition: attachment; filename=hidden.bin\r\n\r\nQUJD\r\n--B--\r\n")},
		{"preamble with fake boundary", mixed("--Bfake\r\n--B-\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"inner boundary prefixes outer", top(`multipart/mixed; boundary="B"`, "--B\r\nContent-Type: multipart/mixed; boundary=\"B2\"\r\n\r\n"+part("B2", "in.bin", "base64", b64("inner"))+"--B2--\r\n"+part("B", "out.bin", "base64", b64("outer"))+"--B--\r\n")},
		{"outer boundary prefixes inner", top(`multipart/mixed; boundary="B2"`, "--B2\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"+part("B", "in.bin", "base64", b64("inner"))+"--B--\r\n"+part("B2", "out.bin", "base64", b64("outer"))+"--B2--\r\n")},
		{"encoded multipart", top(`multipart/mixed; boundary="B"`+"\r\nContent-Transfer-Encoding: base64", b64(part("B", "a.bin", "base64", b64("x"))+"--B--\r\n"))},
		{"message/rfc822 part", mixed("--B\r\nContent-Type: message/rfc822\r\n\r\n" + mixed(part("B", "inner.bin", "base64", b64("x"))+"--B--\r\n") + "\r\n--B--\r\n")},
		{"single part attachment", "From: a@example.com\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"one.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("single")},
		{"single part text attachment", "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=\"t.txt\"\r\n\r\nText.\r\n"},
		{"mixed line endings", mixed(text("B", "Hello.") + strings.ReplaceAll(part("B", "a.bin", "base64", b64("mixed")), "\r\n", "\n") + "--B--\r\n")},
		{"header over 4 KiB", mixed("--B\r\nContent-Disposition: attachment; filename=\"" + strings.Repeat("n", 5000) + "\"\r\n\r\nQUJD\r\n--B--\r\n")},
		{"preamble line over 4 KiB", mixed(strings.Repeat("p", 5000) + "\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		// Lines outside the parts that overrun go-message's buffer: a mail
		// client still shows the parts after them.
		{"preamble line over 4 KiB before text", mixed(strings.Repeat("p", 5000) + "\r\n" + text("B", "Hello there.") + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"base64 text after a long preamble line", mixed(strings.Repeat("p", 5000) + "\r\n--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("Hello there.") + "--B--\r\n")},
		{"delimiter line with white space over 4 KiB", mixed(text("B", "Hello there.") + "--B" + strings.Repeat(" ", 5000) + "\r\n" + "Content-Disposition: attachment; filename=a.bin\r\n\r\nQUJD\r\n--B--\r\n")},
		{"nested preamble line over 4 KiB", mixed("--B\r\nContent-Type: multipart/alternative; boundary=\"C\"\r\n\r\n" + strings.Repeat("q", 5000) + "\r\n" + text("C", "Hello there.") + "--C--\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		// The same after shapes the walk over the bytes otherwise leaves
		// to go-message: a long line must not hide their parts either.
		{"no closing boundary after a long preamble line", mixed(strings.Repeat("p", 5000) + "\r\n" + text("B", "Hello there.") + part("B", "a.bin", "base64", b64("unclosed")))},
		{"padding mid-stream after a long preamble line", mixed(strings.Repeat("p", 5000) + "\r\n" + text("B", "Hello there.") + part("B", "a.bin", "base64", "QQ==\r\nQkM=\r\nREVG\r\n") + "--B--\r\n")},
		{"boundary over 200 bytes after a long preamble line", top(`multipart/mixed; boundary="`+strings.Repeat("b", 201)+`"`, strings.Repeat("p", 5000)+"\r\n"+text(strings.Repeat("b", 201), "Hello there.")+part(strings.Repeat("b", 201), "a.bin", "base64", b64("x"))+"--"+strings.Repeat("b", 201)+"--\r\n")},
		{"delimiter line with white space over 4 KiB, no closing boundary", mixed(text("B", "Hello there.") + "--B" + strings.Repeat(" ", 5000) + "\r\n" + "Content-Disposition: attachment; filename=a.bin\r\n\r\nQUJD\r\n")},
		{"delimiter line with text over 4 KiB", mixed(text("B", "Hello there.") + "--B " + strings.Repeat("x", 5000) + "\r\n" + "Content-Disposition: attachment; filename=a.bin\r\n\r\nQUJD\r\n--B--\r\n")},
		{"closing line with white space over 4 KiB", mixed(text("B", "Hello there.") + part("B", "a.bin", "base64", b64("x")) + "--B--" + strings.Repeat("\t", 5000))},
		// Lines go-message ends a part at but that are no delimiter lines
		// for a mail client (RFC 2046's grammar, found line by line): a
		// client reads on, and lists the parts after them.
		{"text after the boundary", mixed(text("B", "Hello.") + "--B junk\r\nmore text\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"text after the boundary, no closing boundary", mixed(text("B", "Hello.") + "--B junk\r\nmore text\r\n" + part("B", "a.bin", "base64", b64("x")))},
		{"tab and text after the boundary", mixed(text("B", "Hello.") + "--B\tjunk\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"dash and text after the boundary", mixed(text("B", "Hello.") + "--B-x\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"text after the closing boundary's dashes", mixed(text("B", "Hello.") + "--B--x\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"text after the boundary in base64", mixed(part("B", "a.bin", "base64", b64("attachment one")+"--B junk\r\nContent-Disposition: attachment; filename=b.bin\r\n\r\nQUJD\r\n") + "--B--\r\n")},
		{"text after the boundary in a nested part", mixed("--B\r\nContent-Type: multipart/alternative; boundary=\"C\"\r\n\r\n" + text("C", "Hello there.") + "--C junk\r\n" + text("C", "Hi.") + "--C--\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"text after the boundary in the preamble", mixed("--B junk\r\n" + text("B", "Hello.") + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"delimiter line ending in CR CR LF", mixed(text("B", "Hello.") + strings.Replace(part("B", "a.bin", "base64", b64("x")), "--B\r\n", "--B\r\r\n", 1) + "--B--\r\n")},
		{"first delimiter line ending in CR CR LF", mixed("--B\r\r\nContent-Type: text/plain\r\n\r\nHello.\r\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		// Bare LF among CRLF line endings, as stored: go-message does not
		// fail on these, so its reading stands here; the Checker reads
		// every message with CRLF line endings (TestPrimaryViewHasNoBareLF).
		{"bare LF before a delimiter line", mixed("--B\r\nContent-Type: text/plain\r\n\r\nHello.\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\r\n")},
		{"delimiter line ending in a bare LF", mixed(text("B", "Hello.") + strings.Replace(part("B", "a.bin", "base64", b64("x")), "--B\r\n", "--B\n", 1) + "--B--\r\n")},
		{"CRLF delimiter line after a first in bare LF", mixed("--B\nContent-Type: text/plain\n\nHello.\n" + part("B", "a.bin", "base64", b64("x")) + "--B--\n")},
		{"empty boundary", top(`multipart/mixed; boundary=""`, "--\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nQUJD\r\n----\r\n")},
		{"no body", "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=B\r\n"},
	}
}

// TestMIMEWalkPinned pins what the MIME walk reads of hostile shapes: the
// attachments (name and SHA-256), whether a cap stopped it, and the body
// as displayed, in the CRLF and the LF form of each. The golden file was
// written by the go-message walk; a faster walk must read the same.
func TestMIMEWalkPinned(t *testing.T) {
	var got strings.Builder
	tb := new(textBuffers) // reused from message to message, as readerView's are
	for _, c := range hostileMIME() {
		for _, form := range []string{"crlf", "lf"} {
			msg := []byte(c.msg)
			if form == "lf" {
				msg = bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
			}
			fmt.Fprintf(&got, "%s (%s):\n", c.name, form)
			atts, truncated, odd, _, _ := readAttachments(msg)
			fmt.Fprintf(&got, "  attachments %d, truncated %v\n", len(atts), truncated)
			if odd != nil {
				fmt.Fprintf(&got, "  readings differ at %q\n", odd)
			}
			for i, a := range atts {
				if i < 3 || i >= len(atts)-2 {
					fmt.Fprintf(&got, "  %.60q %s\n", a.Name, a.SHA256)
				}
			}
			h := splitHeader(msg)
			all, first := displayedTextRead(h, msg, tb, odd != nil)
			fmt.Fprintf(&got, "  displayed %x (%d bytes), first %x\n", sha256.Sum256(all), len(all), sha256.Sum256(first))
			if h.body <= len(msg) {
				for _, m := range bodyFit(h, msg[h.body:]) {
					fmt.Fprintf(&got, "  misfit %s: %.80s\n", m.field, m.reason)
				}
			}
		}
	}
	path := filepath.Join("testdata", "mimewalk.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got.String()), 0o644), "writing %s", path)
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s (go test -run TestMIMEWalkPinned -update writes it)", path)
	assert.Equal(t, string(want), got.String(), "the MIME walk's reading of hostile shapes")
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A large body is never decoded whole only to be looked at in part: the
// fit check decodes only a text body, and the reader's view decodes no
// more than it keeps.
func TestLargeBodyNotDecodedWhole(t *testing.T) {
	data := bytes.Repeat([]byte("The figures for the quarter, in full.\n"), 16<<20/38)
	enc := []byte(base64.StdEncoding.EncodeToString(data))
	qp := bytes.Repeat([]byte("caf=C3=A9 au lait =3D 2 =\r\n"), 16<<20/27)
	for _, c := range []struct {
		name      string
		ct, cte   string
		body      []byte
		fit, view uint64 // bounds on the bytes allocated
	}{
		{"base64 attachment", "application/pdf", "base64", enc, 1 << 20, 1 << 20},
		{"quoted-printable attachment", "application/octet-stream", "quoted-printable", qp, 1 << 20, 1 << 20},
		{"base64 text", "text/plain; charset=utf-8", "base64", enc, 2 * uint64(len(data)), maxViewText + 8<<20},
		{"quoted-printable text", "text/plain; charset=utf-8", "quoted-printable", qp, 2 * uint64(len(qp)), maxViewText + 8<<20},
	} {
		t.Run(c.name, func(t *testing.T) {
			fit := allocated(func() { mimeFit(c.ct, c.cte, "", c.body) })
			assert.Less(t, fit, c.fit, "bytes the fit check allocates over %d bytes of body", len(c.body))
			if strings.HasPrefix(c.ct, "text/") {
				view := allocated(func() { decodeText(c.body, c.cte, "utf-8") })
				assert.Less(t, view, c.view, "bytes the reader's view allocates over %d bytes of body", len(c.body))
			}
		})
	}
}

// Decoding that stops at a limit gives a prefix of the whole decoding, so
// the reader's view is the same as when the body was decoded whole.
func TestLimitedDecodingIsAPrefix(t *testing.T) {
	r := mathrand.New(mathrand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n=3D=C3=A9=\r\n"
	for range 2000 {
		b := make([]byte, r.IntN(200))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		limit := r.IntN(120)
		whole := decodeBase64(b, -1)
		part := decodeBase64(b, limit)
		require.Equal(t, string(whole[:min(limit, len(whole))]), string(part[:min(limit, len(part))]), "base64 %q limit %d", b, limit)
		wholeQP, _, _, _ := scanQP(b, nil, true, -1)
		partQP, _, _, _ := scanQP(b, nil, true, limit)
		require.Equal(t, string(wholeQP[:min(limit, len(wholeQP))]), string(partQP[:min(limit, len(partQP))]), "quoted-printable %q limit %d", b, limit)
	}
}

// sameAttachments fails t unless the walk over the bytes reads msg as
// go-message's walk does, or leaves it to go-message; it reports whether
// the walk over the bytes read it.
func sameAttachments(t testing.TB, msg []byte) bool {
	t.Helper()
	got, gotTrunc, err := sliceAttachments(msg)
	if err != nil {
		return false
	}
	want, wantTrunc := goMessageAttachments(msg)
	if fmt.Sprint(got, gotTrunc) != fmt.Sprint(want, wantTrunc) {
		t.Fatalf("the walk over the bytes reads %q as %v (truncated %v), go-message as %v (truncated %v)", msg, got, gotTrunc, want, wantTrunc)
	}
	return true
}

// sameWhenLinesFit fails t unless the walks that read as a mail client
// does read msg as the others do wherever those read it without failing
// and the client walk met no line the two readings split at differently:
// they differ only where go-message gives up, or reads a delimiter line
// otherwise than a mail client.
func sameWhenLinesFit(t testing.TB, msg []byte) {
	t.Helper()
	if out, truncated, err := sliceAttachments(msg); err == nil {
		lout, ltruncated, found, err := sliceAttachmentsLong(msg, true)
		if found.odd != nil {
			return
		}
		if err != nil || fmt.Sprint(out, truncated) != fmt.Sprint(lout, ltruncated) {
			t.Fatalf("reading long lines, the walk over the bytes reads %q as %v (truncated %v, %v), without as %v (truncated %v)", msg, lout, ltruncated, err, out, truncated)
		}
	}
	view := func(w *textWalk) string {
		first := "no text/plain part"
		if w.seen {
			first = string(w.all[w.first[0]:w.first[1]])
		}
		return fmt.Sprintf("%q, first %q, parts %d", w.all, first, w.parts)
	}
	gw := goMessageText(msg, new(textBuffers))
	if gw == nil || gw.failed {
		return
	}
	if lw, ok := clientText(msg, new(textBuffers)); ok && lw.found.odd == nil {
		if l, g := view(lw), view(gw); l != g {
			t.Fatalf("reading long lines, the text walk over the bytes reads %q as %s, go-message as %s", msg, l, g)
		}
	}
}

// The walk over the bytes reads every message of the corpus, and every
// hostile shape and every edit of one, as go-message's walk does; and it
// reads the shapes mailers write itself, without go-message's walk.
func TestSliceWalkMatchesGoMessage(t *testing.T) {
	var msgs [][]byte
	for _, f := range testmail.Corpus() {
		msgs = append(msgs, f.Data)
	}
	for _, c := range append(testmail.AdversarialCases(), testmail.BenignCases()...) {
		msgs = append(msgs, c.Data)
	}
	for _, c := range hostileMIME() {
		msgs = append(msgs, []byte(c.msg), bytes.ReplaceAll([]byte(c.msg), []byte("\r\n"), []byte("\n")))
	}
	r := mathrand.New(mathrand.NewPCG(3, 4))
	const bytesOfMIME = "-\r\n=:; \tB\"aQ"
	n := len(msgs)
	for _, m := range msgs[:n] {
		if len(m) > 1<<16 {
			continue
		}
		for range 20 {
			e := bytes.Clone(m)
			for range 1 + r.IntN(3) {
				if len(e) > 0 {
					e[r.IntN(len(e))] = bytesOfMIME[r.IntN(len(bytesOfMIME))]
				}
			}
			msgs = append(msgs, e)
		}
	}
	read := 0
	for _, m := range msgs {
		splitsAsClient(t, m)
		if sameAttachments(t, m) {
			read++
		}
		sameWhenLinesFit(t, m)
	}
	t.Logf("%d of %d messages read over the bytes", read, len(msgs))
	for _, c := range []string{"plain", "long base64", "two attachments", "many attachments", "deep nesting", "boundary with padding", "rfc 2231 filename", "single part attachment"} {
		for _, m := range hostileMIME() {
			if m.name == c {
				_, _, err := sliceAttachments([]byte(m.msg))
				assert.NoError(t, err, "%s: read over the bytes", c)
				_, _, err = sliceAttachments(bytes.ReplaceAll([]byte(m.msg), []byte("\r\n"), []byte("\n")))
				assert.NoError(t, err, "%s (LF): read over the bytes", c)
			}
		}
	}
}

func FuzzSliceWalk(f *testing.F) {
	for _, c := range hostileMIME() {
		if len(c.msg) < 1<<14 {
			f.Add([]byte(c.msg))
		}
	}
	f.Add(contractMessage().Bytes())
	f.Add(nestedMessage())
	f.Fuzz(func(t *testing.T, msg []byte) {
		sameAttachments(t, msg)
		sameWhenLinesFit(t, msg)
		splitsAsClient(t, msg)
	})
}

// clientParts is a reference for the splitter's reading as a mail client,
// written from RFC 2046's grammar on its own: it splits data, a multipart
// body, at the lines that are "--" boundary, with "--" after it for the
// closing one, and only spaces, tabs and CRs after that, and returns the
// offsets of each part (header and body): from after its delimiter line
// to the line break before the next one, or to the end of the data. A
// last line without a line break ends the part it is in if it is a
// delimiter line, and starts none.
func clientParts(data []byte, boundary string) (parts [][2]int, closed bool) {
	start := -1
	for at := 0; at < len(data); {
		end := bytes.IndexByte(data[at:], '\n')
		last := end < 0
		if last {
			end = len(data)
		} else {
			end += at
		}
		line := strings.TrimRight(string(data[at:end]), " \t\r")
		isOpen, isClose := line == "--"+boundary, line == "--"+boundary+"--"
		if isOpen || isClose {
			if start >= 0 {
				brk := at
				if brk > start && data[brk-1] == '\n' {
					brk--
					if brk > start && data[brk-1] == '\r' {
						brk--
					}
				}
				parts = append(parts, [2]int{start, brk})
				start = -1
			}
			if isClose || last {
				return parts, true
			}
			start = end + 1
		}
		at = end + 1
	}
	if start >= 0 {
		parts = append(parts, [2]int{start, len(data)})
	}
	return parts, false
}

// splitsAsClient fails t unless the splitter reading as a mail client
// splits the top-level multipart body of msg as clientParts does, where
// it reads it: as many parts, each body ending where the reference's
// part does (at the end of the data, but for a last line break).
func splitsAsClient(t testing.TB, msg []byte) {
	t.Helper()
	e, data, ok := sliceTop(msg)
	if !ok {
		return
	}
	mt, params, _ := e.Header.ContentType()
	boundary := params["boundary"]
	if !strings.HasPrefix(mt, "multipart/") || boundary == "" || strings.TrimRight(boundary, " \t\r") != boundary {
		return
	}
	var got [][2]int
	_, err := eachPart(data, boundary, true, func(_ *message.Entity, body []byte) error {
		off := cap(data) - cap(body)
		got = append(got, [2]int{off, off + len(body)})
		return nil
	})
	if err != nil {
		return
	}
	want, closed := clientParts(data, boundary)
	if len(got) != len(want) {
		t.Fatalf("the client reading splits %q into %d parts %v, the reference into %d %v", data, len(got), got, len(want), want)
	}
	for i := range got {
		g, w := got[i], want[i]
		// The reference takes a CR before the LF for the delimiter's,
		// the splitter only when the line break is CRLF.
		end := g[1] == w[1] || g[1] == w[1]+1 && data[w[1]] == '\r' ||
			!closed && i == len(got)-1 && g[1] <= w[1] && w[1]-g[1] <= 2
		if g[0] == g[1] {
			// An empty body right after the header: the line break
			// before the delimiter line ended the header too.
			end = g[1] <= w[1]+2
		}
		if g[0] < w[0] || g[0] > max(w[1], g[1]) || !end {
			t.Fatalf("the client reading reads part %d of %q at %v, the reference at %v", i+1, data, g, w)
		}
	}
}

// BenchmarkAttachments hashes a 16 MiB base64 attachment, over the bytes
// and through go-message's walk.
func BenchmarkAttachments(b *testing.B) {
	data := make([]byte, 16<<20)
	_, _ = mathrand.NewChaCha8([32]byte{}).Read(data)
	msg := testmail.LF(testmail.Message{Attachments: []testmail.Attachment{{Name: "scan.bin", Data: data}}}.Bytes())
	for _, c := range []struct {
		name string
		walk func([]byte) ([]Attachment, bool)
	}{
		{"bytes", attachments},
		{"go-message", goMessageAttachments},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if atts, _ := c.walk(msg); len(atts) != 1 {
					b.Fatalf("%d attachments", len(atts))
				}
			}
		})
	}
}

// What Check allocates for a message does not grow with its attachment:
// a signed .eml (CRLF, so no CRLF view is copied) with a 16 MiB
// attachment is checked within 4 MiB of allocations, its attachment hashed
// as decoded. An mbox message stored with LF line endings costs one CRLF
// copy of the message more (views.go).
func TestLargeAttachmentAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 22 MB message")
	}
	data := make([]byte, 16<<20)
	_, _ = mathrand.NewChaCha8([32]byte{7}).Read(data)
	key := testmail.MustKey("rsa2048")
	msg := testmail.MustSign(testmail.Message{Attachments: []testmail.Attachment{{Name: "scan.bin", Data: data}}}.Bytes(), key, nil)
	m := &archive.Message{File: "scan.eml", Index: 1, Raw: msg, Size: int64(len(msg)), Format: archive.FormatEML}
	c := NewChecker(&Options{Keys: dkim.NewKeyFile([]dkim.KeyRecord{{Domain: key.Domain, Selector: key.Selector, TXT: key.Record(), Source: "test"}})})
	var a *Assessment
	n := allocated(func() { a = c.Check(t.Context(), m) })
	require.NoError(t, a.Err, "check")
	assert.Equal(t, VerdictAuthentic, a.Verdict, "verdict")
	require.Len(t, a.Coverage.Attachments, 1, "attachments")
	assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256(data)), a.Coverage.Attachments[0].SHA256, "attachment SHA-256")
	t.Logf("%d MB message, %d KB allocated", len(msg)>>20, n>>10)
	assert.Less(t, n, uint64(4<<20), "bytes allocated checking a %d-byte message", len(msg))
}

// hashBase64Reference is the reference hashBase64 must agree with: the
// careful path alone (hashBase64Stream, what hashBase64 was before plain
// lines were decoded straight from the message), which classifies every
// byte. hashBase64 must give the same hash and the same error for every
// input; hashBase64Cases pins what the careful path itself gives.
func hashBase64Reference(sum hash.Hash, data []byte) error {
	return hashBase64Stream(sum, data)
}

// wrapBase64 encodes data as base64 in lines of width characters, each
// ended by eol.
func wrapBase64(data []byte, width int, eol string) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > width {
		b.WriteString(enc[:width] + eol)
		enc = enc[width:]
	}
	b.WriteString(enc + eol)
	return b.String()
}

// hashBase64Cases are base64 bodies as mailers write them and as forgers
// and broken mailers do: with ok, the bytes each decodes to; without,
// hashBase64 leaves the body to go-message.
func hashBase64Cases() []struct {
	name, text string
	want       []byte
	ok         bool
} {
	data := make([]byte, 200<<10)
	_, _ = mathrand.NewChaCha8([32]byte{3}).Read(data)
	short := data[:1000]
	crlf := wrapBase64(short, 76, "\r\n")
	return []struct {
		name, text string
		want       []byte
		ok         bool
	}{
		{"empty", "", nil, true},
		{"only line breaks", "\r\n\n\r\n", nil, true},
		{"CRLF lines of 76", crlf, short, true},
		{"LF lines of 76", wrapBase64(short, 76, "\n"), short, true},
		{"no final line break", strings.TrimSuffix(crlf, "\r\n"), short, true},
		{"one padding sign", wrapBase64(short[:998], 76, "\r\n"), short[:998], true},
		{"two padding signs", wrapBase64(short[:997], 76, "\r\n"), short[:997], true},
		{"lines of 64", wrapBase64(short, 64, "\n"), short, true},
		{"lines of 73", wrapBase64(short, 73, "\n"), short, true},
		{"one long line", wrapBase64(data, len(data)*2, "\n"), data, true},
		{"lines of 40,000", wrapBase64(data, 40000, "\r\n"), data, true},
		{"200 KB in lines of 76", wrapBase64(data, 76, "\r\n"), data, true},
		{"blank lines between", strings.ReplaceAll(crlf, "\r\n", "\r\n\r\n"), short, true},
		{"trailing white space", strings.ReplaceAll(crlf, "\r\n", " \t\r\n"), short, true},
		{"space inside a line", crlf[:20] + " " + crlf[20:], short, true},
		{"CR inside lines", strings.Replace(crlf, "A", "A\r", 4), short, true},
		{"CR alone ends lines", strings.ReplaceAll(crlf, "\r\n", "\r"), short, true},
		{"trailing blank lines", crlf + "\r\n\r\n  \r\n", short, true},
		{"padding then text", "QUJD\r\nQQ==\r\nQUJD\r\n", nil, false},
		{"padding mid-line", "QQ==QUJD\r\n", nil, false},
		{"three padding signs", "QQ===\r\n", nil, false},
		{"four padding signs", "QUJD====\r\n", nil, false},
		{"padding alone", "=\r\n", nil, false},
		{"padding split by a line break", "QQ=\r\n=\r\n", []byte("A"), true},
		{"incomplete group", "QUJDR\r\n", nil, false},
		{"URL alphabet", "QUJD-_\r\n", nil, false},
		{"bad byte deep in", wrapBase64(data, 76, "\r\n")[:150000] + "*" + wrapBase64(data, 76, "\r\n")[150000:], nil, false},
		{"eight-bit byte", "QUJD\xc3\xa9\r\n", nil, false},
		{"vertical tab", "QUJD\vQUJD\r\n", nil, false},
		{"NUL", "QUJD\x00\r\n", nil, false},
		{"non-zero trailing bits", "QUI=\r\n", []byte("AB"), true},
	}
}

func TestHashBase64(t *testing.T) {
	for _, c := range hashBase64Cases() {
		t.Run(c.name, func(t *testing.T) {
			got := sha256.New()
			gotErr := hashBase64(got, []byte(c.text))
			ref := sha256.New()
			refErr := hashBase64Reference(ref, []byte(c.text))
			require.Equal(t, refErr, gotErr, "error against the reference")
			if !c.ok {
				assert.ErrorIs(t, gotErr, errPlainWalk)
				return
			}
			require.NoError(t, gotErr)
			assert.Equal(t, sha256.Sum256(c.want), [32]byte(got.Sum(nil)), "hash of the decoded bytes")
			assert.Equal(t, ref.Sum(nil), got.Sum(nil), "hash against the reference")
		})
	}
}

// hashBase64Lines decodes the plain lines itself and leaves only what
// follows the first other line to hashBase64Stream.
func TestHashBase64Lines(t *testing.T) {
	data := make([]byte, 3*34000+1)
	_, _ = mathrand.NewChaCha8([32]byte{4}).Read(data)
	padded := wrapBase64(data, 76, "\r\n")
	for _, c := range []struct{ name, text, rest string }{
		{"CRLF, padding on the last line", padded, padded[strings.LastIndex(padded[:len(padded)-2], "\n")+1:]},
		{"LF, no padding", wrapBase64(data[:len(data)-1], 76, "\n"), ""},
		{"space ending a line", "QUJD\nQUJD \nQUJD\n", "QUJD \nQUJD\n"},
		{"CR inside a line", "QUJD\nQU\rJD\nQUJD\n", "QU\rJD\nQUJD\n"},
		{"bad byte", "QUJD\nQU*D\nQUJD\n", "QU*D\nQUJD\n"},
		{"CR inside a line of eight bytes", "QUJD\nQU\rJDQUJ\nQUJD\n", "QU\rJDQUJ\nQUJD\n"},
		{"padding between plain lines", "QUJD\nQQ==\nQUJD\n", "QQ==\nQUJD\n"},
		{"a line longer than the buffers", "QUJD\n" + strings.Repeat("QUJD", 20) + "\nQU=D\n", "QU=D\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := sha256.New()
			refErr := hashBase64Reference(ref, []byte(c.text))
			// 24- and 3-byte buffers (in is used up to 24 and 4 bytes) make
			// batches of a few lines and of none: a line is then decoded in
			// pieces, and what is left may start inside the line that is
			// not plain. Either way the rest, read by hashBase64Stream,
			// completes the reference's reading.
			for _, size := range []int{32 << 10, 24, 3} {
				sum := sha256.New()
				rest := hashBase64Lines(sum, []byte(c.text), make([]byte, size), make([]byte, size))
				if size == 32<<10 {
					assert.Equal(t, c.rest, string(rest), "%d-byte buffers", size)
				} else {
					assert.True(t, strings.HasSuffix(c.rest, string(rest)), "%d-byte buffers: rest %q is not within %q", size, rest, c.rest)
				}
				assert.Equal(t, refErr, hashBase64Stream(sum, rest), "%d-byte buffers: error", size)
				if refErr == nil {
					assert.Equal(t, ref.Sum(nil), sum.Sum(nil), "%d-byte buffers: hash", size)
				}
			}
		})
	}
}

// FuzzHashBase64 checks hashBase64 against the reference: the same error
// (which base64Canonical foretells), and on success the same hash, with
// its own 32 KB buffers and with buffers of 4 to 92 and 3 to 66 bytes, so
// that plain lines cross many buffer boundaries and batches.
func FuzzHashBase64(f *testing.F) {
	for _, c := range hashBase64Cases() {
		if len(c.text) < 4<<10 {
			f.Add([]byte(c.text), uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, text []byte, size uint8) {
		ref := sha256.New()
		refErr := hashBase64Reference(ref, text)
		got := sha256.New()
		if err := hashBase64(got, text); err != refErr {
			t.Fatalf("hashBase64: error %v, reference %v", err, refErr)
		}
		// The attachment walk takes hashBase64's error for a part's
		// base64 shape, and base64Canonical judges the parts it does not
		// hash: the two must agree.
		if canon := base64Canonical(text); canon != (refErr == nil) {
			t.Fatalf("base64Canonical %v, hashBase64's error %v", canon, refErr)
		}
		if refErr == nil && !bytes.Equal(got.Sum(nil), ref.Sum(nil)) {
			t.Fatalf("hashBase64: hash %x, reference %x", got.Sum(nil), ref.Sum(nil))
		}
		small := sha256.New()
		rest := hashBase64Lines(small, text, make([]byte, 4+int(size)%89), make([]byte, 3+int(size)%64))
		if !bytes.HasSuffix(text, rest) {
			t.Fatalf("hashBase64Lines returned %q, not a suffix of its input", rest)
		}
		if err := hashBase64Stream(small, rest); err != refErr {
			t.Fatalf("with a %d-byte buffer: error %v, reference %v", 3+int(size)%64, err, refErr)
		}
		if refErr == nil && !bytes.Equal(small.Sum(nil), ref.Sum(nil)) {
			t.Fatalf("with a %d-byte buffer: hash %x, reference %x", 3+int(size)%64, small.Sum(nil), ref.Sum(nil))
		}
	})
}
