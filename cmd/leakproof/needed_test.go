package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysNeededGolden(t *testing.T) {
	dir := inRoot(t)
	needFile(t, "testdata/sample.mbox")
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"needed_text_no_keys", []string{"keys", "needed", "testdata/sample.mbox"}},
		{"needed_text_keys", []string{"keys", "needed", "--keys", "testdata/keys.jsonl", "testdata/sample.mbox"}},
		{"needed_json_keys", []string{"keys", "needed", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/sample.mbox", "testdata/adversarial"}},
		{"needed_missing_path", []string{"keys", "needed", "testdata/no-such.mbox"}},
		{"needed_bad_format", []string{"keys", "needed", "--format", "csv", "testdata/sample.mbox"}},
		{"needed_no_path", []string{"keys", "needed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, dir, tt.name, runCLI(t, tt.args...))
		})
	}
}

// TestKeysNeededJSON holds the contract of docs/keys.md: every field on
// every line, dates in RFC 3339 or "", and a message counted once per key
// however many of its signatures cite it.
func TestKeysNeededJSON(t *testing.T) {
	dir := t.TempDir()
	mbox := writeTestFile(t, dir, "leak.mbox", strings.Join([]string{
		"From a@example.com Mon Mar  1 10:00:00 2010",
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; t=1267437600; h=from; bh=AAAA; b=AAAA",
		"DKIM-Signature: v=1; a=rsa-sha256; d=EXAMPLE.com; s=SEL; t=1267441200; h=from; bh=AAAA; b=AAAA",
		"DomainKey-Signature: a=rsa-sha1; c=nofws; d=yahoo.example; s=old; b=AAAA",
		"From: a@example.com",
		"Date: Mon, 1 Mar 2010 12:00:00 +0100",
		"",
		"one",
		"",
		"From b@example.com Tue Mar  2 10:00:00 2010",
		"DomainKey-Signature: a=rsa-sha1; c=simple; d=yahoo.example; s=old; b=AAAA",
		"From: b@yahoo.example",
		"Date: not a date",
		"",
		"two",
		"",
		"From c@example.com Tue Mar  2 10:00:00 2010",
		"From: c@example.com",
		"",
		"unsigned",
		"",
	}, "\n"))
	keys := writeTestFile(t, dir, "keys.jsonl", `{"domain":"yahoo.example","selector":"old","txt":"p="}`+"\n")
	r := runCLI(t, "keys", "needed", "--keys", keys, "--format", "json", mbox)
	require.Equal(t, 0, r.code, "exit status; stderr %s", r.stderr)
	var got []map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	for dec.More() {
		var m map[string]any
		require.NoError(t, dec.Decode(&m), "decoding %s", r.stdout)
		got = append(got, m)
	}
	assert.Equal(t, []map[string]any{
		{"domain": "example.com", "selector": "sel", "messages": float64(1), "first_date": "2010-03-01T10:00:00Z", "last_date": "2010-03-01T12:00:00+01:00", "have_key": false},
		{"domain": "yahoo.example", "selector": "old", "messages": float64(2), "first_date": "2010-03-01T12:00:00+01:00", "last_date": "2010-03-01T12:00:00+01:00", "have_key": false},
	}, got, "keys needed --format json")
	assert.Empty(t, r.stderr, "stderr")

	text := runCLI(t, "keys", "needed", "--keys", keys, mbox)
	assert.Contains(t, text.stdout, "yahoo.example  old       2         2010-03-01  2010-03-01  unusable", "a revoked record is unusable, not missing")
	assert.Contains(t, text.stdout, "example.com    sel       1         2010-03-01  2010-03-01  missing", "no record is missing")
}
