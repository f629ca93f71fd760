// Command floor measures the floor of DKIM verification on a mixed corpus of
// bench/genmbox: SHA-256 over every byte of the mbox, plus one public-key
// verification per signature whose key is in the key file, on all cores. No
// verifier can do less work, so bench/run.sh states every tool's speed as a
// share of this one's:
//
//	go run ./bench/floor -dir DIR [-workers N]
//	floor messages=N signatures=S verified=V workers=W seconds=T msgs_per_s=R mb_per_s=M
//
// DIR holds bench.mbox, keys.jsonl and truth.jsonl. The signatures and the
// digests they sign come from truth.jsonl (the generator kept them), the
// keys from keys.jsonl; each message's share of the file (from its
// separator line to the next) is read with one pread into a buffer of its
// worker and hashed. Every verification must succeed: the exit status is 1
// otherwise. Timing covers the reading, hashing and verifying, not loading
// truth.jsonl and the keys.
package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof/bench/internal/corpus"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: 0 on success, 1 on failure, 2 on usage
// errors.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "corpus directory written by genmbox -mixed")
	workers := fs.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || *workers < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: floor -dir DIR [-workers N]")
		return 2
	}
	if *workers == 0 {
		*workers = runtime.GOMAXPROCS(0)
	}
	res, err := measure(ctx, *dir, *workers)
	if err != nil {
		fmt.Fprintf(stderr, "floor: error: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, res)
	return 0
}

// result is what measure did.
type result struct {
	messages, signatures, verified, workers int
	bytes                                   int64
	seconds                                 float64
}

func (r result) String() string {
	return fmt.Sprintf("floor messages=%d signatures=%d verified=%d workers=%d seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f",
		r.messages, r.signatures, r.verified, r.workers, r.seconds,
		float64(r.messages)/r.seconds, float64(r.bytes)/r.seconds/1e6)
}

// task is one message's work: the bytes to hash, and the signature to check
// (pub nil when the key is not in the key file).
type task struct {
	start, end int64
	pub        crypto.PublicKey
	digest     []byte
	sig        []byte
}

// measure loads the corpus in dir and times the floor's work over it.
func measure(ctx context.Context, dir string, workers int) (result, error) {
	keys, err := readKeys(filepath.Join(dir, "keys.jsonl"))
	if err != nil {
		return result{}, err
	}
	f, err := os.Open(filepath.Join(dir, "bench.mbox"))
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return result{}, err
	}
	tasks, err := readTasks(filepath.Join(dir, "truth.jsonl"), keys, st.Size())
	if err != nil {
		return result{}, err
	}
	if len(tasks) == 0 {
		return result{}, errors.New("no messages in truth.jsonl")
	}
	r := result{messages: len(tasks), workers: workers, bytes: st.Size()}
	for _, t := range tasks {
		if t.pub != nil {
			r.signatures++
		}
	}

	var next, verified atomic.Int64
	errs := make([]error, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf []byte
			sums := 0 // keeps the hashing from being optimised away
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) || ctx.Err() != nil {
					break
				}
				t := &tasks[i]
				n := int(t.end - t.start)
				if cap(buf) < n {
					buf = make([]byte, n)
				}
				if _, err := f.ReadAt(buf[:n], t.start); err != nil {
					errs[w] = err
					return
				}
				sum := sha256.Sum256(buf[:n])
				sums += int(sum[0])
				if t.pub == nil {
					continue
				}
				if err := verify(t.pub, t.digest, t.sig); err != nil {
					errs[w] = fmt.Errorf("message %d: %w", i+1, err)
					return
				}
				verified.Add(1)
			}
			runtime.KeepAlive(sums)
		})
	}
	wg.Wait()
	r.seconds = time.Since(start).Seconds()
	r.verified = int(verified.Load())
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return r, err
	}
	return r, nil
}

// verify is the one public-key operation of a signature.
func verify(pub crypto.PublicKey, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig)
	case ed25519.PublicKey:
		if !ed25519.Verify(k, digest, sig) {
			return errors.New("ed25519: invalid signature")
		}
		return nil
	}
	return fmt.Errorf("unexpected key type %T", pub)
}

// readKeys reads the key records of a JSON Lines key file (docs/keys.md),
// by selector._domainkey.domain.
func readKeys(path string) (map[string]crypto.PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys := map[string]crypto.PublicKey{}
	dec := json.NewDecoder(f)
	for {
		var e struct {
			Domain, Selector string
			TXT              *string
		}
		if err := dec.Decode(&e); err == io.EOF {
			return keys, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if e.TXT == nil {
			continue
		}
		pub, err := parseRecord(*e.TXT)
		if err != nil {
			return nil, fmt.Errorf("%s: %s._domainkey.%s: %w", path, e.Selector, e.Domain, err)
		}
		keys[strings.ToLower(e.Selector+"._domainkey."+e.Domain)] = pub
	}
}

// parseRecord reads the k= and p= of a DKIM key record.
func parseRecord(txt string) (crypto.PublicKey, error) {
	kind, p := "rsa", ""
	for tag := range strings.SplitSeq(txt, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(tag), "=")
		switch strings.TrimSpace(name) {
		case "k":
			kind = strings.TrimSpace(value)
		case "p":
			p = strings.Join(strings.Fields(value), "")
		}
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return nil, errors.New("bad Ed25519 key")
		}
		return ed25519.PublicKey(der), nil
	case "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, err
		}
		if _, ok := pub.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("k=rsa holds a %T", pub)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("unknown key type %q", kind)
}

// readTasks reads truth.jsonl into one task per message; size is the mbox's.
func readTasks(path string, keys map[string]crypto.PublicKey, size int64) ([]task, error) {
	ts, err := corpus.ReadTruth(path)
	if err != nil {
		return nil, err
	}
	tasks := make([]task, len(ts))
	for i, t := range ts {
		end := size
		if i+1 < len(ts) {
			end = ts[i+1].Start
		}
		if i == 0 && t.Start != 0 || t.Start > end || end > size {
			return nil, fmt.Errorf("%s: message %d at %d to %d is not its share of a %d-byte mbox", path, t.Index, t.Start, end, size)
		}
		digest, err1 := hex.DecodeString(t.Digest)
		sig, err2 := base64.StdEncoding.DecodeString(t.Signature)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s: message %d: %w", path, t.Index, err)
		}
		tasks[i] = task{start: t.Start, end: end, pub: keys[strings.ToLower(t.Selector+"._domainkey."+t.Domain)], digest: digest, sig: sig}
	}
	return tasks, nil
}
