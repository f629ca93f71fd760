package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgressOnlyOnTerminal(t *testing.T) {
	var b bytes.Buffer
	assert.Nil(t, startProgress(t.Context(), &b, nil), "no progress display on a buffer")
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err, "creating a file")
	defer f.Close()
	assert.False(t, isTerminal(f), "a regular file is not a terminal")
	assert.Nil(t, startProgress(t.Context(), f, nil), "no progress display on a file")

	var p *progress // a nil display does nothing, safely
	p.add(1)
	p.print(func() { b.WriteString("x") })
	p.stop()
	assert.Equal(t, "x", b.String(), "print on a nil display still prints")
}

// fakeTerminal is a stderr that records what the display draws; the
// display's lock guards it.
type fakeTerminal struct{ bytes.Buffer }

func TestProgressDisplay(t *testing.T) {
	var term fakeTerminal
	p := newProgress(&term, time.Millisecond)
	p.setTotal(10e6, false)
	for range 42 {
		p.add(50_000)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		shown := strings.Contains(term.String(), "42 messages, 2.1 MB of 10 MB (21%)")
		p.mu.Unlock()
		if shown || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	p.print(func() { term.WriteString("leakproof: error: x\n") })
	p.stop()
	out := term.String()
	assert.Contains(t, out, "\rleakproof: 42 messages, 2.1 MB of 10 MB (21%)", "the counts are drawn from the start of the line")
	assert.Contains(t, out, "\x1b[K", "the rest of an earlier, longer line is erased")
	assert.Contains(t, out, "\r\x1b[Kleakproof: error: x\n", "the line is erased before another message")
	assert.True(t, strings.HasSuffix(out, "\r\x1b[K") || strings.HasSuffix(out, "x\n"), "stop leaves no progress line: %q", out[max(0, len(out)-40):])
}

func TestProgressStatus(t *testing.T) {
	for _, tt := range []struct {
		name    string
		n       int
		bytes   int64
		total   int64
		guess   bool
		elapsed time.Duration
		want    string
	}{
		{"nothing yet", 0, 0, 0, false, 0, "0 messages, 0.0 MB"},
		{"total unknown", 1200, 48e6, 0, false, 10 * time.Second, "1,200 messages, 48 MB, 120 messages/s"},
		{"known total", 1200, 48e6, 408e6, false, 10 * time.Second,
			"1,200 messages, 48 MB of 408 MB (11%), 120 messages/s, about 1m15s left"},
		{"estimated total", 1, 1.5e6, 3e6, true, 2 * time.Second,
			"1 message, 1.5 MB of about 3.0 MB (50%), 0 messages/s, about 2s left"},
		{"past an estimate", 5000, 5e9, 4e9, true, 100 * time.Second,
			"5,000 messages, 5,000 MB of about 4,000 MB, 50 messages/s"},
		{"hours left", 1_000_000, 1e9, 40e9, false, 10 * time.Minute,
			"1,000,000 messages, 1,000 MB of 40,000 MB (2%), 1,666 messages/s, about 6h30m0s left"},
		{"under a second", 3, 10_000, 1e6, false, 500 * time.Millisecond, "3 messages, 0.0 MB of 1.0 MB (1%)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &progress{n: tt.n, bytes: tt.bytes, total: tt.total, guess: tt.guess}
			assert.Equal(t, tt.want, p.status(tt.elapsed), "status after %s", tt.elapsed)
		})
	}
}

// writeZip writes a zip of the named entries, each of size bytes (stored
// deflated, so the file is smaller than their sum).
func writeZip(t *testing.T, name string, entries []string, size int) {
	f, err := os.Create(name)
	require.NoError(t, err, "creating %s", name)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		w, err := zw.Create(e)
		require.NoError(t, err, "zip entry %s", e)
		_, err = w.Write(bytes.Repeat([]byte("From: a@example.com\n\nbody\n"), size/26))
		require.NoError(t, err, "zip entry %s", e)
	}
	require.NoError(t, zw.Close(), "closing the zip")
	require.NoError(t, f.Close(), "closing %s", name)
}

func TestInputSize(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tree", "sub"), 0o755), "mkdir")
	write := func(name string, n int) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte("x"), n), 0o644), "writing %s", name)
	}
	write("a.mbox", 1000)
	write("tree/1.eml", 300)
	write("tree/sub/2.eml", 200)
	zipName := filepath.Join(dir, "leak.zip")
	writeZip(t, zipName, []string{"1.eml", "2.eml", "inbox.mbox"}, 100*26<<10)
	fi, err := os.Stat(zipName)
	require.NoError(t, err, "stat zip")
	require.Less(t, fi.Size(), int64(100*26<<10), "the zip is compressed")
	entries := int64(3 * (100 * 26 << 10 / 26) * 26)
	// A zip of many entries has a large directory.
	manyName := filepath.Join(dir, "many.zip")
	var names []string
	for i := range 3000 {
		names = append(names, fmt.Sprintf("folder/%04d.eml", i))
	}
	writeZip(t, manyName, names, 26)
	many, err := os.Stat(manyName)
	require.NoError(t, err, "stat zip")

	for _, tt := range []struct {
		name      string
		paths     []string
		maxDir    int64
		want      int64
		wantGuess bool
	}{
		{"a file", []string{"a.mbox"}, maxZipDirectory, 1000, false},
		{"a folder", []string{"tree"}, maxZipDirectory, 500, false},
		{"several", []string{"a.mbox", "tree"}, maxZipDirectory, 1500, false},
		{"a zip, from its entries", []string{"leak.zip"}, maxZipDirectory, entries, true},
		{"a zip of many entries", []string{"many.zip"}, maxZipDirectory, 3000 * 26, true},
		{"a zip whose directory is too large to read", []string{"many.zip"}, 10 << 10, many.Size(), false},
		{"missing", []string{"nothing.mbox"}, maxZipDirectory, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(dir, p))
			}
			got, guess := inputSize(t.Context(), paths, tt.maxDir)
			assert.Equal(t, tt.want, got, "inputSize(%v)", tt.paths)
			assert.Equal(t, tt.wantGuess, guess, "inputSize(%v): estimated", tt.paths)
		})
	}
}
