package mbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.mbox and *.golden")

// gBOM is the UTF-8 byte-order mark.
const gBOM = UTF8BOM

const (
	gSepA = "From alice@example.com Tue Mar  1 10:00:00 2016"
	gSepB = "From carol@example.org Tue Mar  1 11:00:00 2016"
	gSepT = "From 1527958493458712345@xxx Tue Mar 01 10:00:00 +0000 2016"
)

// escapeO escapes "From " lines as mboxo does; escapeRD as mboxrd does.
func escapeO(msg []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(msg, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("From ")) {
			b.WriteByte('>')
		}
		b.Write(line)
	}
	return b.Bytes()
}

func escapeRD(msg []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(msg, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
			b.WriteByte('>')
		}
		b.Write(line)
	}
	return b.Bytes()
}

// withCL adds a Content-Length field counting body bytes to msg.
func withCL(msg []byte, eol string) []byte {
	i := bytes.Index(msg, []byte(eol+eol))
	body := msg[i+2*len(eol):]
	return append(append(append([]byte{}, msg[:i]...), eol+"Content-Length: "+strconv.Itoa(len(body))...), msg[i:]...)
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// msg renders a small synthetic message with LF line endings. The golden
// fixtures build their own messages so that they never change under them.
func msg(subject, body string) []byte {
	return []byte("From: Alice Example <alice@example.com>\nTo: Bob Example <bob@example.org>\n" +
		"Subject: " + subject + "\nDate: Tue, 01 Mar 2016 10:00:00 +0000\n" +
		"Message-ID: <" + strings.ReplaceAll(strings.ToLower(subject), " ", "-") + "@example.com>\n\n" + body)
}

func crlf(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }

// goldenCases builds each fixture: synthetic messages in the mbox shapes
// real archives have.
func goldenCases() map[string][]byte {
	plain := msg("Quarterly figures", "Hi Bob,\n\nThe figures are attached.\n\nAlice\n")
	quoting := msg("Minutes", "Agreed.\n\nFrom the chair: thanks.\n>From the minutes of last year.\n")
	short := msg("Short", "Ok.\n")
	crlfQuoting := crlf(msg("Minutes", "Agreed.\n\nFrom the chair: thanks.\n"))
	separatorInBody := msg("Forwarded mbox", "See below.\n\n"+gSepB+"\nnot a message\n")
	return map[string][]byte{
		"mboxo":  join([]byte(gSepA+"\n"), escapeO(plain), []byte("\n"+gSepB+"\n"), escapeO(quoting), []byte("\n"+gSepA+"\n"), short, []byte("\n")),
		"mboxrd": join([]byte(gSepA+"\n"), escapeRD(plain), []byte("\n"+gSepB+"\n"), escapeRD(quoting), []byte("\n")),
		"crlf": join([]byte(gSepA+"\r\n"), escapeRD(crlfQuoting), []byte("\r\n"+gSepB+"\r\n"),
			crlf(short), []byte("\r\n")),
		"mboxcl":  join([]byte(gSepA+"\n"), withCL(escapeO(quoting), "\n"), []byte("\n"+gSepB+"\n"), withCL(short, "\n"), []byte("\n")),
		"mboxcl2": join([]byte(gSepA+"\n"), withCL(separatorInBody, "\n"), []byte("\n"+gSepB+"\n"), withCL(quoting, "\n"), []byte("\n")),
		"lying_content_length": join([]byte(gSepA+"\n"), bytes.Replace(withCL(short, "\n"), []byte("Content-Length: 4"), []byte("Content-Length: 2"), 1),
			[]byte("\n"+gSepB+"\n"), withCL(plain, "\n")[:len(plain)-50]),
		"takeout": join([]byte(gSepT+"\r\n"), []byte("X-GM-THRID: 1527958493458712345\r\nX-Gmail-Labels: Inbox,Opened\r\n"),
			crlf(plain), []byte("\r\n"+strings.Replace(gSepT, "12345@", "12346@", 1)+"\r\n"),
			[]byte("X-GM-THRID: 1527958493458712346\r\nX-Gmail-Labels: Sent\r\n"), crlf(short)),
		"no_blank_line": join([]byte(gSepA+"\n"), short, []byte(gSepB+"\n"), short, []byte("\n")),
		"bom": join([]byte(gBOM+gSepA+"\r\n"), crlf(short), []byte("\r\n"+gSepB+"\r\n"+gBOM), crlf(plain),
			[]byte("\r\n"+gBOM+gSepA+"\r\n"), crlf(short)),
		"java_separators": join([]byte("From alice@example.com Tue Mar 01 11:00:00 GMT+01:00 2016\n"), short,
			[]byte("\nFrom alice at example.com  Tue Mar  1 10:00:00 2016\n"), escapeO(quoting),
			[]byte("\nFrom alice@example.com Tue Mar 01 11:00:00 CET 2016\n"), short),
		"stretched_content_length": join([]byte(gSepA+"\n"), bytes.Replace(withCL(short, "\n"), []byte("Content-Length: 4"),
			[]byte("Content-Length: "+strconv.Itoa(4+1+len(gSepB)+1+len(plain))), 1), []byte("\n"+gSepB+"\n"), plain),
		"truncated": join([]byte(gSepA+"\n"), short, []byte("\n"+gSepB+"\n"), plain[:len(plain)/2]),
	}
}

// describe renders what a Reader finds in in as stable text.
func describe(t *testing.T, in []byte) string {
	var b strings.Builder
	rd := NewReader(bytes.NewReader(in), nil)
	for m, err := range rd.All() {
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			break
		}
		raw, err := io.ReadAll(m.Body)
		require.NoError(t, err, "message %d body", m.Index)
		sum := sha256.Sum256(raw)
		fmt.Fprintf(&b, "#%d offset=%d size=%d format=%s sha256=%s\n   separator=%q\n", m.Index, m.Offset, m.Size, m.Format,
			hex.EncodeToString(sum[:]), m.Separator)
		if m.BOM {
			fmt.Fprintf(&b, "   byte-order mark before the separator line\n")
		}
		if m.ContentLengthConflict != "" {
			fmt.Fprintf(&b, "   content-length conflict: %s\n", m.ContentLengthConflict)
		}
		for _, n := range m.Notes {
			fmt.Fprintf(&b, "   note: %s\n", n)
		}
		for _, v := range Views(raw, m.Format) {
			fmt.Fprintf(&b, "   view %s: %d bytes\n", v.Format, len(v.Data))
		}
	}
	return b.String()
}

// TestGolden reads each fixture in testdata/ (made by goldenCases; rewrite
// both with go test -update) and compares what it finds with its .golden.
func TestGolden(t *testing.T) {
	for name, in := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			mboxPath := filepath.Join("testdata", name+".mbox")
			goldenPath := filepath.Join("testdata", name+".golden")
			got := describe(t, in)
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755), "mkdir testdata")
				require.NoError(t, os.WriteFile(mboxPath, in, 0o644), "write %s", mboxPath)
				require.NoError(t, os.WriteFile(goldenPath, []byte(got), 0o644), "write %s", goldenPath)
			}
			stored, err := os.ReadFile(mboxPath)
			require.NoError(t, err, "read %s (run go test -update to write it)", mboxPath)
			assert.Equal(t, string(in), string(stored), "%s is what goldenCases makes (run go test -update)", mboxPath)
			want, err := os.ReadFile(goldenPath)
			require.NoError(t, err, "read %s (run go test -update to write it)", goldenPath)
			assert.Equal(t, string(want), describe(t, stored), "reading %s", mboxPath)
		})
	}
}
