package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// progress shows on stderr, only when stderr is a terminal, how far a run
// is: the messages checked and their bytes, of how many bytes the inputs
// hold (known for plain files, estimated for a zip from its entries'
// uncompressed sizes), messages per second and the time left. Piped or
// redirected, it stays silent. The methods of a nil *progress do nothing.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	n     int   // messages checked
	bytes int64 // their stored bytes
	total int64 // bytes of the inputs; 0 while unknown
	guess bool  // total is an estimate
	start time.Time
	tick  *time.Ticker
	done  chan struct{}
	wg    sync.WaitGroup
	line  bool // a progress line is on the screen
	// cancel stops the measuring of the inputs, when the run ends first.
	cancel context.CancelFunc
}

// startProgress starts a progress display on stderr if it is a terminal,
// and measures the inputs in the background for its total.
func startProgress(ctx context.Context, stderr io.Writer, paths []string) *progress {
	if !isTerminal(stderr) {
		return nil
	}
	p := newProgress(stderr, 250*time.Millisecond)
	ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Go(func() {
		total, guess := inputSize(ctx, paths, maxZipDirectory)
		p.setTotal(total, guess)
	})
	return p
}

// newProgress starts a display on w that is redrawn every interval.
func newProgress(w io.Writer, every time.Duration) *progress {
	p := &progress{w: w, start: time.Now(), tick: time.NewTicker(every), done: make(chan struct{})}
	p.wg.Go(func() {
		for {
			select {
			case <-p.done:
				return
			case <-p.tick.C:
				p.mu.Lock()
				fmt.Fprintf(p.w, "\rleakproof: %s\x1b[K", p.status(time.Since(p.start)))
				p.line = true
				p.mu.Unlock()
			}
		}
	})
	return p
}

// add counts a checked message of size bytes.
func (p *progress) add(size int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.n++
	p.bytes += max(size, 0)
	p.mu.Unlock()
}

// setTotal sets the bytes the inputs hold; guess says it is an estimate.
func (p *progress) setTotal(total int64, guess bool) {
	p.mu.Lock()
	p.total, p.guess = total, guess
	p.mu.Unlock()
}

// status is the progress line after elapsed, for example
// "1,200 messages, 48 MB of 408 MB (12%), 3,400 messages/s, about 1m45s left".
// The caller holds p.mu.
func (p *progress) status(elapsed time.Duration) string {
	s := thousands(int64(p.n)) + " messages, " + megabytes(p.bytes)
	if p.n == 1 {
		s = "1 message, " + megabytes(p.bytes)
	}
	if p.total > 0 {
		of := " of "
		if p.guess {
			of = " of about "
		}
		s += of + megabytes(p.total)
		if p.bytes <= p.total {
			s += fmt.Sprintf(" (%d%%)", p.bytes*100/p.total)
		}
	}
	secs := elapsed.Seconds()
	if secs < 1 || p.n == 0 {
		return s
	}
	s += ", " + thousands(int64(float64(p.n)/secs)) + " messages/s"
	if p.total > 0 && p.bytes > 0 && p.bytes < p.total {
		left := time.Duration(float64(p.total-p.bytes) / (float64(p.bytes) / secs) * float64(time.Second))
		s += ", about " + roughDuration(left) + " left"
	}
	return s
}

// megabytes writes n bytes in megabytes (10^6), with one decimal under 10.
func megabytes(n int64) string {
	if n < 10e6 {
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return thousands(n/1e6) + " MB"
}

// thousands writes n (0 if negative) with commas between groups of three
// digits.
func thousands(n int64) string {
	s := strconv.FormatInt(max(n, 0), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// roughDuration writes d to the second under an hour, to the minute past.
func roughDuration(d time.Duration) string {
	if d >= time.Hour {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
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

// stop ends the display, and the measuring of the inputs if it is still
// going on, and erases its line.
func (p *progress) stop() {
	if p == nil {
		return
	}
	if p.cancel != nil {
		p.cancel()
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

// maxZipDirectory caps the central directory inputSize reads of one zip;
// past it the zip counts for its own size. A hostile zip's directory can
// be hundreds of megabytes: the display must not cost what the walk does.
const maxZipDirectory = 8 << 20

// inputSize returns how many bytes the walk of paths reads: the size of
// each file it reads, and for a zip the sum of its entries' uncompressed
// sizes, in which case the total is an estimate (guess): the directory
// may not tell the truth, and the non-mail entries are skipped. A zip in a
// zip, a tar or a compressed file count for their stored sizes.
func inputSize(ctx context.Context, paths []string, maxDirectory int64) (total int64, guess bool) {
	for _, in := range scanInputs(ctx, paths, false) {
		n := in.Size
		// The walk knows a zip by its content; opening every file of a
		// Maildir of millions to look would cost the display too much, and
		// a small zip changes the total little.
		if n >= 1<<20 || strings.EqualFold(path.Ext(in.Path), ".zip") {
			if u, ok := zipSize(in.Path, n, maxDirectory); ok {
				n, guess = u, true
			}
		}
		total += n
	}
	return total, guess
}

// errDirectoryTooLarge stops zip.NewReader past maxDirectory bytes.
var errDirectoryTooLarge = errors.New("zip directory too large to measure")

// zipSize returns the sum of the uncompressed sizes of the entries of the
// zip at name, or false when it is not a zip, cannot be read, or its
// directory is over maxDirectory bytes.
func zipSize(name string, size, maxDirectory int64) (int64, bool) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || string(magic[:]) != "PK\x03\x04" {
		return 0, false
	}
	// zip.NewReader reads the end record (searching the last 64 KiB for
	// it, past a comment) and then the whole directory: more than that
	// means a directory too large.
	r, err := zip.NewReader(&cappedReader{r: f, left: maxDirectory + 70<<10}, size)
	if err != nil {
		return 0, false
	}
	var total int64
	for _, e := range r.File {
		total += int64(min(e.UncompressedSize64, 1<<62))
	}
	return total, true
}

// A cappedReader reads at most left bytes from r, then fails.
type cappedReader struct {
	r    io.ReaderAt
	left int64
}

func (c *cappedReader) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errDirectoryTooLarge
	}
	c.left -= int64(len(p))
	return c.r.ReadAt(p, off)
}
