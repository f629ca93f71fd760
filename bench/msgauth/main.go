// Command msgauth is the go-msgauth loop of bench/run.sh: what a Go
// programmer writes to verify an mbox with github.com/emersion/go-msgauth's
// dkim.Verify, on as many goroutines as asked, keys from a key file:
//
//	go run ./bench/msgauth -keys DIR/keys.jsonl [-workers N] DIR/bench.mbox
//	go-msgauth messages=N pass=P fail=F workers=W seconds=S msgs_per_s=R mb_per_s=M
//
// One goroutine reads the mbox and splits it at "From " separator lines that
// follow a blank line (the mbox of bench/genmbox escapes nothing, so nothing
// is unescaped); each message, its LF line endings made CRLF and the blank
// line before the next separator dropped, goes to a worker. A message passes
// when its first signature verifies. The time covers the whole loop,
// reading included.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-msgauth/dkim"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// maxMessage caps each message read from the mbox.
const maxMessage = 100 << 20

// run is main without the process: 0 on success, 1 on failure, 2 on usage
// errors.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("msgauth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keys := fs.String("keys", "", "key file (JSON Lines)")
	workers := fs.Int("workers", 0, "goroutines that verify (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keys == "" || *workers < 0 || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: msgauth -keys FILE [-workers N] MBOX")
		return 2
	}
	if *workers == 0 {
		*workers = runtime.GOMAXPROCS(0)
	}
	res, err := verifyMbox(ctx, *keys, fs.Arg(0), *workers)
	if err != nil {
		fmt.Fprintf(stderr, "msgauth: error: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, res)
	return 0
}

// result is what verifyMbox measured.
type result struct {
	messages, passed, workers int
	bytes                     int64
	seconds                   float64
}

func (r result) String() string {
	return fmt.Sprintf("go-msgauth messages=%d pass=%d fail=%d workers=%d seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f",
		r.messages, r.passed, r.messages-r.passed, r.workers, r.seconds,
		float64(r.messages)/r.seconds, float64(r.bytes)/r.seconds/1e6)
}

// verifyMbox verifies every message of the mbox at path on workers
// goroutines with the keys of keyPath.
func verifyMbox(ctx context.Context, keyPath, path string, workers int) (result, error) {
	lookup, err := readKeys(keyPath)
	if err != nil {
		return result{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	opts := &dkim.VerifyOptions{LookupTXT: lookup}

	start := time.Now()
	msgs := make(chan []byte, 2*workers)
	var passed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for m := range msgs {
				v, err := dkim.VerifyWithOptions(bytes.NewReader(m), opts)
				if err == nil && len(v) > 0 && v[0].Err == nil {
					passed.Add(1)
				}
			}
		})
	}
	r := result{workers: workers}
	rerr := split(ctx, f, func(m []byte) {
		r.messages++
		r.bytes += int64(len(m))
		msgs <- m
	})
	close(msgs)
	wg.Wait()
	r.seconds = time.Since(start).Seconds()
	r.passed = int(passed.Load())
	if rerr != nil {
		return r, rerr
	}
	if r.messages == 0 {
		return r, fmt.Errorf("no messages in %s", path)
	}
	return r, nil
}

// split reads an mbox and calls emit with each message, CRLF, without its
// separator line and without the blank line that ends it.
func split(ctx context.Context, r io.Reader, emit func([]byte)) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var cur []byte
	in, blank := false, true
	flush := func() {
		if in {
			// The blank line before a separator belongs to the mbox.
			if bytes.HasSuffix(cur, []byte("\r\n\r\n")) {
				cur = cur[:len(cur)-2]
			}
			emit(cur)
		}
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			if blank && bytes.HasPrefix(line, []byte("From ")) {
				if err := ctx.Err(); err != nil {
					return err
				}
				flush()
				cur, in = make([]byte, 0, 32<<10), true
			} else if in {
				body := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
				cur = append(append(cur, body...), '\r', '\n')
				if len(cur) > maxMessage {
					return fmt.Errorf("a message is larger than %d bytes", maxMessage)
				}
			} else {
				return errors.New("not an mbox: no separator line first")
			}
			blank = len(bytes.TrimRight(line, "\r\n")) == 0
		}
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readKeys reads a JSON Lines key file (docs/keys.md) into a LookupTXT for
// go-msgauth: a name not in the file is an error, as NXDOMAIN would be.
func readKeys(path string) (func(string) ([]string, error), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	records := map[string][]string{}
	dec := json.NewDecoder(f)
	for {
		var e struct {
			Domain, Selector string
			TXT              *string
		}
		if err := dec.Decode(&e); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if e.TXT != nil {
			name := strings.ToLower(e.Selector + "._domainkey." + e.Domain)
			records[name] = append(records[name], *e.TXT)
		}
	}
	return func(name string) ([]string, error) {
		if txt, ok := records[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
			return txt, nil
		}
		return nil, fmt.Errorf("no key record for %s", name)
	}, nil
}
