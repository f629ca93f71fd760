package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// writeTestMbox writes an mbox of n signed messages, LF line endings, the
// message at index bad (0-based) changed after signing, and the key file.
func writeTestMbox(t *testing.T, n, bad int) (mboxPath, keyPath string) {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	for i := range n {
		key := testmail.MustKey([]string{"rsa2048", "ed25519"}[i%2])
		msg := testmail.MustSign(testmail.Message{Subject: fmt.Sprintf("Message %d", i+1)}.Bytes(), key, nil)
		if i == bad {
			msg = bytes.Replace(msg, []byte("Revenue is up 4%"), []byte("Revenue is up 40%"), 1)
		}
		b.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
		b.Write(testmail.LF(msg))
		b.WriteString("\n")
	}
	mboxPath, keyPath = filepath.Join(dir, "test.mbox"), filepath.Join(dir, "keys.jsonl")
	require.NoError(t, os.WriteFile(mboxPath, b.Bytes(), 0o644), "writing the mbox")
	keys := testmail.KeyFile(testmail.MustKey("rsa2048").Entry(), testmail.MustKey("ed25519").Entry())
	require.NoError(t, os.WriteFile(keyPath, keys, 0o644), "writing the key file")
	return mboxPath, keyPath
}

func TestRun(t *testing.T) {
	mboxPath, keyPath := writeTestMbox(t, 6, 3)
	for _, tt := range []struct {
		name string
		args []string
		want string // prefix of stdout
	}{
		{"all", []string{"-keys", keyPath, "-limit", "0", mboxPath}, "dkim messages=6 pass=5 fail=1 "},
		{"limit", []string{"-keys", keyPath, "-limit", "3", mboxPath}, "dkim messages=3 pass=3 fail=0 "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run(t.Context(), tt.args, &stdout, &stderr), "run(%q) exit status (stderr %s)", tt.args, stderr.String())
			assert.Contains(t, stdout.String(), tt.want, "run(%q) result line", tt.args)
			assert.Contains(t, stdout.String(), "msgs_per_s=", "run(%q) reports a rate", tt.args)
		})
	}
}

func TestRunErrors(t *testing.T) {
	mboxPath, keyPath := writeTestMbox(t, 1, -1)
	empty := filepath.Join(t.TempDir(), "empty.mbox")
	require.NoError(t, os.WriteFile(empty, nil, 0o644), "writing an empty mbox")
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"no keys", []string{mboxPath}, 2},
		{"no mbox", []string{"-keys", keyPath}, 2},
		{"negative limit", []string{"-keys", keyPath, "-limit", "-1", mboxPath}, 2},
		{"unknown flag", []string{"-fast", mboxPath}, 2},
		{"missing key file", []string{"-keys", keyPath + ".gone", mboxPath}, 1},
		{"missing mbox", []string{"-keys", keyPath, mboxPath + ".gone"}, 1},
		{"empty mbox", []string{"-keys", keyPath, empty}, 1},
		{"not an mbox", []string{"-keys", keyPath, keyPath}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(t.Context(), tt.args, &stdout, &stderr), "run(%q) exit status", tt.args)
			assert.Empty(t, stdout.String(), "run(%q) prints no result", tt.args)
			assert.Contains(t, stderr.String(), "dkimverify", "run(%q) says what went wrong", tt.args)
		})
	}
}

func TestCRLF(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\r\nb\n", "a\r\nb\r\n"},
		{"a\rb", "a\rb"},
		{"", ""},
	} {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, string(crlf([]byte(tt.in))), "crlf(%q)", tt.in)
		})
	}
}
