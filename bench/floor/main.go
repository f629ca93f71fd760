// Command floor measures the floor of DKIM verification on a mixed corpus of
// bench/genmbox: SHA-256 over every byte of the mbox, plus one public-key
// verification per signature whose key is in the key file, on all cores. No
// verifier can do less work, so bench/run.sh states every tool's speed as a
// share of this one's:
//
//	go run ./bench/floor -dir DIR [-workers N] [-contract]
//	floor messages=N signatures=S verified=V workers=W seconds=T msgs_per_s=R mb_per_s=M
//
// DIR holds bench.mbox, keys.jsonl and truth.jsonl. The signatures and the
// digests they sign come from truth.jsonl (the generator kept them), the
// keys from keys.jsonl; each message's share of the file (from its
// separator line to the next) is read with one pread into a buffer of its
// worker and hashed. Every verification must succeed: the exit status is 1
// otherwise. Timing covers the reading, hashing and verifying, not loading
// truth.jsonl and the keys.
//
// With -contract it measures the floor of what leakproof's output contract
// obliges on top (docs/json.md): the DKIM body hash, a second SHA-256 over
// each message's body (taken beside the first in one pass), and the SHA-256 of every attachment's decoded bytes,
// each base64 part decoded with encoding/base64 after its line endings are
// dropped. It is still a floor: the body is hashed as stored (no
// canonicalization), parts are found by the generator's own spelling of
// their header (no MIME parsing), and nothing else leakproof does (headers,
// the reader's view, evidence, the archive pass, the report) is done. The
// result line then reads "floor mode=contract ... parts=P decoded_mb=D",
// and every message the generator gave an attachment must have a part
// decoded, or the run fails.
package main

import (
	"bytes"
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
	"github.com/leakproof/leakproof/internal/sha256x"
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
	contract := fs.Bool("contract", false, "also hash each body and decode and hash each attachment")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || *workers < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: floor -dir DIR [-workers N] [-contract]")
		return 2
	}
	if *workers == 0 {
		*workers = runtime.GOMAXPROCS(0)
	}
	res, err := measure(ctx, *dir, *workers, *contract)
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
	contract                                bool
	parts                                   int   // base64 parts decoded (-contract)
	decoded                                 int64 // their decoded bytes
}

func (r result) String() string {
	mode := ""
	if r.contract {
		mode = "mode=contract "
	}
	s := fmt.Sprintf("floor %smessages=%d signatures=%d verified=%d workers=%d seconds=%.3f msgs_per_s=%.0f mb_per_s=%.1f",
		mode, r.messages, r.signatures, r.verified, r.workers, r.seconds,
		float64(r.messages)/r.seconds, float64(r.bytes)/r.seconds/1e6)
	if r.contract {
		s += fmt.Sprintf(" parts=%d decoded_mb=%.1f", r.parts, float64(r.decoded)/1e6)
	}
	return s
}

// task is one message's work: the bytes to hash, and the signature to check
// (pub nil when the key is not in the key file).
type task struct {
	start, end int64
	attached   bool // the generator gave the message an attachment
	pub        crypto.PublicKey
	digest     []byte
	sig        []byte
}

// measure loads the corpus in dir and times the floor's work over it.
func measure(ctx context.Context, dir string, workers int, contract bool) (result, error) {
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
	r := result{messages: len(tasks), workers: workers, bytes: st.Size(), contract: contract}
	for _, t := range tasks {
		if t.pub != nil {
			r.signatures++
		}
	}

	var next, verified, parts, decoded atomic.Int64
	errs := make([]error, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf []byte
			var cw contractWork
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
				if !contract {
					sum := sha256.Sum256(buf[:n])
					sums += int(sum[0])
				} else {
					p, d, err := cw.do(buf[:n])
					if err == nil && p == 0 && t.attached {
						err = errors.New("no base64 part found in a message with an attachment")
					}
					if err != nil {
						errs[w] = fmt.Errorf("message %d: %w", i+1, err)
						return
					}
					parts.Add(int64(p))
					decoded.Add(d)
					sums += int(cw.sum)
				}
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
	r.parts, r.decoded = int(parts.Load()), decoded.Load()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return r, err
	}
	return r, nil
}

// contractWork is one worker's state for -contract.
type contractWork struct {
	in, out []byte // base64 characters of a part, and their decoding
	sum     byte   // folded from every digest, so that none is optimised away
}

// base64Header is how the generator marks a base64 part.
var base64Header = []byte("\nContent-Transfer-Encoding: base64\n")

// do hashes msg and its body, as two streams in one pass (the fastest
// pair of digests this module has, internal/sha256x), and decodes and
// hashes each base64 part of it, returning how many parts and decoded
// bytes.
func (c *contractWork) do(msg []byte) (parts int, decoded int64, err error) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return 0, 0, errors.New("no end of header")
	}
	body := msg[i+2:]
	custody, bh := sha256x.Sum2(msg, body)
	c.sum += custody[0] + bh[0]
	for {
		j := bytes.Index(body, base64Header)
		if j < 0 {
			return parts, decoded, nil
		}
		body = body[j+len(base64Header):]
		k := bytes.Index(body, []byte("\n\n"))
		if k < 0 {
			return parts, decoded, errors.New("a base64 part with no end of header")
		}
		body = body[k+2:]
		// The part's lines, up to an empty line or a delimiter line.
		c.in = c.in[:0]
		for len(body) > 0 && body[0] != '\n' && body[0] != '-' {
			line := body
			if e := bytes.IndexByte(body, '\n'); e >= 0 {
				line, body = body[:e], body[e+1:]
			} else {
				body = nil
			}
			c.in = append(c.in, bytes.TrimSuffix(line, []byte("\r"))...)
		}
		if need := base64.StdEncoding.DecodedLen(len(c.in)); cap(c.out) < need {
			c.out = make([]byte, need)
		}
		n, err := base64.StdEncoding.Decode(c.out[:cap(c.out)], c.in)
		if err != nil {
			return parts, decoded, fmt.Errorf("base64 part %d: %w", parts+1, err)
		}
		ah := sha256.Sum256(c.out[:n])
		c.sum += ah[0]
		parts++
		decoded += int64(n)
	}
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
		attached := t.Class == corpus.ClassAttachment || t.Class == corpus.ClassLarge
		tasks[i] = task{start: t.Start, end: end, attached: attached, pub: keys[strings.ToLower(t.Selector+"._domainkey."+t.Domain)], digest: digest, sig: sig}
	}
	return tasks, nil
}
