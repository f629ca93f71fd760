package main

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeSep is the separator line of the mbox files of these tests.
const largeSep = "From alice@example.com Tue Mar  1 10:00:00 2016\n"

// largeMessage renders a signed message of about size bytes whose body
// lines are pseudo-random text (so that gzip does not shrink it past its
// ratio cap), with extra appended to the body before signing.
func largeMessage(t *testing.T, i, size int, extra string) []byte {
	t.Helper()
	r := rand.NewChaCha8([32]byte{byte(i), 17})
	var body strings.Builder
	line := make([]byte, 36)
	for body.Len() < size {
		_, _ = r.Read(line)
		body.WriteString(hex.EncodeToString(line) + "\n")
	}
	body.WriteString(extra)
	msg := testmail.Message{Subject: fmt.Sprintf("Large %d", i), Body: body.String(),
		From: fmt.Sprintf("Alice %d <alice@example.com>", i)}.Bytes()
	return testmail.LF(testmail.MustSign(msg, testmail.MustKey("rsa2048"), nil))
}

// storedLarge returns largeMessage i whose stored bytes in an mbox (the
// message and the blank line after it) are exactly size bytes.
func storedLarge(t *testing.T, i, size int) []byte {
	t.Helper()
	m := largeMessage(t, i, size-4096, "")
	short := size - (len(m) + 1)
	m = largeMessage(t, i, size-4096, strings.Repeat("z", short-1)+"\n")
	require.Equal(t, size, len(m)+1, "stored size of large message %d", i)
	return m
}

// largeMbox writes an mbox whose messages straddle archive.DeferLargeSize
// (the CLI's threshold): one of exactly that size, one a byte over it,
// one with a changed body (and escaped "From " lines when escape is set), one with CRLF line
// endings, one behind a byte-order mark, small ones between, the last
// without a final newline. It returns the file's bytes and the stored
// size of the message one byte over the threshold.
func largeMbox(t *testing.T, escape bool) ([]byte, int) {
	t.Helper()
	var b bytes.Buffer
	add := func(m []byte, bom bool) {
		b.WriteString(largeSep)
		if bom {
			b.WriteString("\xef\xbb\xbf")
		}
		for _, l := range strings.SplitAfter(string(m), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") {
				b.WriteString(">")
			}
			b.WriteString(l)
		}
		b.WriteString("\n")
	}
	small := func(i int) []byte {
		return testmail.LF(testmail.MustSign(testmail.Message{Subject: fmt.Sprintf("Small %d", i)}.Bytes(), testmail.MustKey("rsa2048"), nil))
	}
	add(small(0), false)
	add(storedLarge(t, 1, archive.DeferLargeSize), false)
	over := storedLarge(t, 2, archive.DeferLargeSize+1)
	add(over, false)
	extra := ""
	if escape {
		extra = "From the editor's desk.\n>From a quoted line.\n"
	}
	escaped := largeMessage(t, 3, archive.DeferLargeSize+5000, extra)
	k := bytes.LastIndex(escaped, []byte("0")) // the body changed after signing
	escaped[k] = '1'
	add(escaped, false)
	add(small(4), false)
	crlf := bytes.ReplaceAll(largeMessage(t, 5, archive.DeferLargeSize+100, ""), []byte("\n"), []byte("\r\n"))
	add(crlf, false)
	add(largeMessage(t, 6, archive.DeferLargeSize+200, ""), true)
	add(largeMessage(t, 7, archive.DeferLargeSize+300, ""), false)
	return bytes.TrimRight(b.Bytes(), "\n"), len(over) + 1
}

// withoutNames decodes JSON Lines records and drops the fields that name
// the file (id, file), which differ between an mbox and its gzip.
func withoutNames(t *testing.T, out, name string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(strings.ReplaceAll(out, name, "NAME")), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "record %.200q", line)
		delete(m, "id")
		delete(m, "file")
		recs = append(recs, m)
	}
	return recs
}

// The command's records of an mbox whose large messages it defers are
// those of the same mbox gzipped, which it cannot defer: at the default
// cap, with the cap exactly at a deferred message's size (read), and one
// byte below it (over the cap). Split into shares at every message, the
// merged report is verify's.
func TestRedteamVerifyDeferredAsStreamed(t *testing.T) {
	dir := t.TempDir()
	data, overSize := largeMbox(t, true)
	mbox := filepath.Join(dir, "a.mbox")
	require.NoError(t, os.WriteFile(mbox, data, 0o600), "write the mbox")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(data)
	require.NoError(t, zw.Close(), "gzip")
	gz := filepath.Join(dir, "a.mbox.gz")
	require.NoError(t, os.WriteFile(gz, zb.Bytes(), 0o600), "write the gzip")
	keys := writeKeyFile(t, dir, "keys.jsonl")

	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"default cap", nil},
		{"cap at the message", []string{"--max-message-size", fmt.Sprint(overSize)}},
		{"cap a byte under it", []string{"--max-message-size", fmt.Sprint(overSize - 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--no-archive-pass", "--keys", keys, "--format", "json"}, tc.flags...)
			want := runCLI(t, append(args, gz)...)
			got := runCLI(t, append(args, mbox)...)
			assert.Equal(t, want.code, got.code, "exit status (stderr: %s)", got.stderr)
			w, g := withoutNames(t, want.stdout, gz), withoutNames(t, got.stdout, mbox)
			require.Len(t, g, 8, "records")
			require.Len(t, w, len(g), "records")
			for i := range w {
				assert.Equal(t, w[i], g[i], "record %d", i+1)
			}
			verdicts := make([]any, len(g))
			for i, r := range g {
				verdicts[i] = r["verdict"]
			}
			// The message a byte over the threshold is read whole at a
			// cap of its size, and refused a byte under it; the larger
			// ones are refused at both.
			wantVerdicts := map[string][]any{
				"default cap":         {"authentic", "authentic", "authentic", "altered", "authentic", "authentic", "authentic", "authentic"},
				"cap at the message":  {"authentic", "authentic", "authentic", "", "authentic", "", "", ""},
				"cap a byte under it": {"authentic", "authentic", "", "", "authentic", "", "", ""},
			}[tc.name]
			assert.Equal(t, wantVerdicts, verdicts, "verdicts")
		})
	}

	t.Run("shards", func(t *testing.T) {
		// Without the escaped message: a "From " line escaped mboxrd-style
		// makes the messages after it mboxrd, which a range cannot know,
		// and merge refuses such a file (by design, with a hint).
		plain, _ := largeMbox(t, false)
		mbox := filepath.Join(t.TempDir(), "plain.mbox")
		require.NoError(t, os.WriteFile(mbox, plain, 0o600), "write the mbox")
		args := []string{"verify", "--keys", keys, "--format", "json"}
		want := runCLI(t, append(args, mbox)...)
		require.Equal(t, exitOK, want.code, "verify: %s", want.stderr)
		for _, n := range []int{2, 3} {
			files := runShards(t, t.TempDir(), n, []string{"--keys", keys, "--split-above", "1K"}, []string{mbox})
			got := runCLI(t, append([]string{"merge", "--format", "json"}, files...)...)
			assert.Equal(t, want.code, got.code, "merge of %d shards: exit status (stderr: %s)", n, got.stderr)
			assert.Equal(t, want.stdout, got.stdout, "merge of %d shards writes what verify writes", n)
		}
	})

	t.Run("resume", func(t *testing.T) {
		// A run cut off after each record, resumed, writes the
		// uninterrupted report.
		out := filepath.Join(t.TempDir(), "r.jsonl")
		args := []string{"verify", "--no-archive-pass", "--keys", keys, "--format", "json", "--out", out, "--resume"}
		fresh := runCLI(t, append(args, mbox)...)
		require.Equal(t, exitOK, fresh.code, "fresh run: %s", fresh.stderr)
		want, err := os.ReadFile(out)
		require.NoError(t, err, "the report")
		lines := bytes.SplitAfter(want, []byte("\n"))
		partial, manifest := partialNames(out)
		for _, k := range []int{2, 3} {
			require.NoError(t, os.Remove(out), "remove the report")
			require.NoError(t, os.WriteFile(partial, bytes.Join(lines[:k], nil), 0o644), "the partial report")
			m := partialManifest{Command: append([]string{"leakproof", "verify"}, withoutResume(args[1:])...), Records: k,
				Bytes: int64(len(bytes.Join(lines[:k], nil)))}
			m.Command = append(m.Command, mbox)
			m.Inputs = scanInputs(t.Context(), []string{mbox}, true)
			_, sum, err := readKeyFile(keys)
			require.NoError(t, err, "hash the key file")
			m.KeyFiles = append(m.KeyFiles, report.ManifestKeyFile{Path: keys, SHA256: sum})
			require.NoError(t, (&partialRun{manifest: manifest, m: m}).save(), "the partial manifest")
			res := runCLI(t, append(args, mbox)...)
			require.Equal(t, exitOK, res.code, "resumed after %d records: %s", k, res.stderr)
			got, err := os.ReadFile(out)
			require.NoError(t, err, "the resumed report")
			assert.Equal(t, string(want), string(got), "resumed after %d records", k)
		}
	})
}
