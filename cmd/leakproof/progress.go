package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows a running count of checked messages on stderr, only when
// stderr is a terminal: piped or redirected, it stays silent. The methods
// of a nil *progress do nothing.
type progress struct {
	w    io.Writer
	mu   sync.Mutex
	n    int
	tick *time.Ticker
	done chan struct{}
	wg   sync.WaitGroup
	line bool // a progress line is on the screen
}

// startProgress starts a progress display on stderr if it is a terminal.
func startProgress(stderr io.Writer) *progress {
	if !isTerminal(stderr) {
		return nil
	}
	return newProgress(stderr, 250*time.Millisecond)
}

// newProgress starts a display on w that is redrawn every interval.
func newProgress(w io.Writer, every time.Duration) *progress {
	p := &progress{w: w, tick: time.NewTicker(every), done: make(chan struct{})}
	p.wg.Go(func() {
		for {
			select {
			case <-p.done:
				return
			case <-p.tick.C:
				p.mu.Lock()
				fmt.Fprintf(p.w, "\rleakproof: %d messages checked", p.n)
				p.line = true
				p.mu.Unlock()
			}
		}
	})
	return p
}

func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.n += n
	p.mu.Unlock()
}

// clear erases the progress line so that another message can be printed.
func (p *progress) clear() { p.print(func() {}) }

// print erases the progress line and runs f, which writes to stderr,
// without the display writing in between.
func (p *progress) print(f func()) {
	if p == nil {
		f()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.line = false
	}
	f()
}

// stop ends the display and erases its line.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.tick.Stop()
	close(p.done)
	p.wg.Wait()
	p.clear()
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
