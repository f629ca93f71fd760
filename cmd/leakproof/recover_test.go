package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeysRecoverNoKey runs keys recover where no key can come out: two
// signatures too short to hold a PKCS #1 block, one selector with a
// single signature, and a selector the key file answers. Nothing is
// written, exit status 0, and standard error says why.
func TestKeysRecoverNoKey(t *testing.T) {
	dir := t.TempDir()
	mbox := writeTestFile(t, dir, "leak.mbox", strings.Join([]string{
		"From a@example.com Mon Mar  1 10:00:00 2010",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=alone; h=from; bh=AAAA; b=AAAA",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=known; h=from; bh=AAAA; b=AAAA",
		"From: a@example.com",
		"Message-ID: <1@example.com>",
		"",
		"one",
		"",
		"From b@example.com Tue Mar  2 10:00:00 2010",
		"DKIM-Signature: v=1; a=rsa-sha1; d=EXAMPLE.com; s=SEL; h=from; bh=AAAA; b=AAAB",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=known; h=from; bh=AAAA; b=AAAB",
		"From: b@example.com",
		"",
		"two",
		"",
	}, "\n"))
	keys := writeTestFile(t, dir, "keys.jsonl", `{"domain":"example.org","selector":"known","txt":"p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK3oVFD2H8Bb7ULBqVzgDYF/8GXmvCTrcNtUYmoLUDYjhQGbbgDtTp8Nz6E1m4ujETAoMYFJbS1IONKRw9qf+AECAwEAAQ=="}`+"\n")
	r := runCLI(t, "keys", "recover", "--keys", keys, mbox)
	require.Equal(t, 0, r.code, "exit status; stderr %s", r.stderr)
	assert.Empty(t, r.stdout, "no key written")
	assert.Contains(t, r.stderr, "sel._domainkey.example.com: no key from 2 24-bit signatures", "the pair that gives no key")
	assert.NotContains(t, r.stderr, "alone", "a single signature is not tried")
	assert.NotContains(t, r.stderr, "known", "a selector the key file answers is not tried")
	assert.Contains(t, r.stderr, "0 keys recovered for 1 selectors", "summary")
}

func TestKeysRecoverUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no path", []string{"keys", "recover"}, "keys recover needs at least one PATH"},
		{"option after path", []string{"keys", "recover", "leak.mbox", "--out", "x"}, "option --out comes after a path"},
		{"unknown flag", []string{"keys", "recover", "--dns", "leak.mbox"}, "flag provided but not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			assert.Equal(t, 2, r.code, "exit status")
			assert.Contains(t, r.stderr, tt.want, "stderr")
		})
	}
}
