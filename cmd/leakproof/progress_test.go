package main

import (
	"bytes"
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
	assert.Nil(t, startProgress(&b), "no progress display on a buffer")
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err, "creating a file")
	defer f.Close()
	assert.False(t, isTerminal(f), "a regular file is not a terminal")
	assert.Nil(t, startProgress(f), "no progress display on a file")

	var p *progress // a nil display does nothing, safely
	p.add(1)
	p.print(func() { b.WriteString("x") })
	p.stop()
	assert.Equal(t, "x", b.String(), "print on a nil display still prints")
}

func TestProgressDisplay(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, time.Millisecond)
	p.add(41)
	p.add(1)
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		shown := strings.Contains(b.String(), "42 messages checked")
		p.mu.Unlock()
		if shown || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	p.print(func() { b.WriteString("leakproof: error: x\n") })
	p.stop()
	out := b.String()
	assert.Contains(t, out, "\rleakproof: 42 messages checked", "the count is drawn")
	assert.Contains(t, out, "\r\x1b[Kleakproof: error: x\n", "the line is erased before another message")
}
