// Command genmbox writes a large mbox of signed test messages, and the key
// file that verifies them, for the measurements of docs/performance.md:
//
//	go run ./bench/genmbox -out /tmp/lpbench -size 1GiB
//	go run ./bench/genmbox -out /tmp/lpmixed -mixed [-messages 10000] [-seed 1]
//
// With -mixed it writes the mixed corpus bench/run.sh measures (see
// bench/internal/corpus): -messages distinct messages (default 10,000, about 408 MB) of
// mixed sizes and keys, some altered after signing or signed under a key
// that is not published, drawn from -seed; besides the mbox and the keys,
// truth.json (the counts every verifier must reproduce) and truth.jsonl
// (each message's expected result, and the digest and signature of its
// one public-key operation).
//
// Without -mixed it writes OUT/bench.mbox and OUT/keys.jsonl. The mbox holds a pool of
// -unique distinct messages, signed by internal/testmail with the committed
// test keys, repeated in order until the file reaches -size bytes (or holds
// exactly -messages messages). Message i of the pool has a body of 1 to 8
// KB of text (every 25th: 100 KB), every 7th a 20 KB attachment; three in
// four are signed with RSA-2048 and one in four with Ed25519; every 10th
// had its body changed after signing, so it is altered. Messages are stored
// as most archives store mail: LF line endings, a separator line before
// each, a blank line after each. The same flags always give the same bytes.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leakproof/leakproof/bench/internal/corpus"
	"github.com/leakproof/leakproof/internal/testmail"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags ask for.
type config struct {
	out      string
	size     int64  // bytes of mbox to write, when messages is 0
	messages int    // messages to write, if > 0
	unique   int    // distinct messages in the pool
	mixed    bool   // write the mixed corpus instead of the pool
	seed     uint64 // seed of the mixed corpus
}

// run is main without the process: it parses args, writes the files and
// returns the exit status (0, 1 on failure, 2 on usage errors).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genmbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var size string
	fs.StringVar(&cfg.out, "out", "", "directory to write bench.mbox and keys.jsonl to (created if missing)")
	fs.StringVar(&size, "size", "1GiB", "mbox size to reach: bytes, or a number with KiB, MiB or GiB")
	fs.IntVar(&cfg.messages, "messages", 0, "write exactly this many messages instead of -size bytes")
	fs.IntVar(&cfg.unique, "unique", 5000, "distinct messages, repeated in order to fill the mbox")
	fs.BoolVar(&cfg.mixed, "mixed", false, "write the mixed corpus (default 10000 messages) and its truth files")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the mixed corpus")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if cfg.size, err = parseSize(size); err != nil || cfg.out == "" || cfg.unique < 1 || cfg.messages < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: genmbox -out DIR [-size N[KiB|MiB|GiB]] [-messages N] [-unique N]")
		fmt.Fprintln(stderr, "       genmbox -out DIR -mixed [-messages N] [-seed N]")
		return 2
	}
	if cfg.mixed {
		if cfg.messages == 0 {
			cfg.messages = 10000
		}
		sum, err := corpus.Write(ctx, cfg.out, cfg.messages, cfg.seed)
		if err != nil {
			fmt.Fprintf(stderr, "genmbox: error: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: %d messages, %d bytes, %d pass, %d fail (seed %d); keys in %s, truth in %s\n",
			filepath.Join(cfg.out, "bench.mbox"), sum.Messages, sum.Bytes, sum.Pass, sum.Fail, sum.Seed,
			filepath.Join(cfg.out, "keys.jsonl"), filepath.Join(cfg.out, "truth.json"))
		return 0
	}
	st, err := generate(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "genmbox: error: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d messages (%d distinct, %d altered), %d bytes; keys in %s\n",
		filepath.Join(cfg.out, "bench.mbox"), st.messages, min(cfg.unique, st.messages), st.altered, st.bytes,
		filepath.Join(cfg.out, "keys.jsonl"))
	return 0
}

// parseSize reads "1073741824", "512MiB", "1GiB", "64KiB".
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("genmbox: bad size %q", s)
	}
	return n * mult, nil
}

// stats is what generate wrote.
type stats struct {
	messages, altered int
	bytes             int64
}

// generate writes cfg.out/bench.mbox and cfg.out/keys.jsonl.
func generate(ctx context.Context, cfg config) (stats, error) {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return stats{}, err
	}
	keys := testmail.KeyFile(testmail.MustKey("rsa2048").Entry(), testmail.MustKey("ed25519").Entry())
	if err := os.WriteFile(filepath.Join(cfg.out, "keys.jsonl"), keys, 0o644); err != nil {
		return stats{}, err
	}
	pool, err := signPool(ctx, cfg.unique)
	if err != nil {
		return stats{}, err
	}
	f, err := os.Create(filepath.Join(cfg.out, "bench.mbox"))
	if err != nil {
		return stats{}, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	st, werr := writeMbox(w, pool, cfg)
	if err := errors.Join(werr, w.Flush(), f.Close()); err != nil {
		return st, err
	}
	return st, nil
}

// writeMbox writes the pool's entries in order, round and round, until
// cfg.messages entries or cfg.size bytes are written.
func writeMbox(w io.Writer, pool []entry, cfg config) (stats, error) {
	var st stats
	for i := 0; ; i++ {
		if cfg.messages > 0 && st.messages == cfg.messages || cfg.messages == 0 && st.bytes >= cfg.size {
			return st, nil
		}
		e := pool[i%len(pool)]
		n, err := w.Write(e.stored)
		st.bytes += int64(n)
		if err != nil {
			return st, err
		}
		st.messages++
		if e.altered {
			st.altered++
		}
	}
}

// entry is one pool message as the mbox stores it.
type entry struct {
	stored  []byte // separator line, LF message, blank line
	altered bool
}

// signPool signs the n pool messages on all cores.
func signPool(ctx context.Context, n int) ([]entry, error) {
	pool := make([]entry, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				pool[i], errs[i] = poolMessage(i)
			}
		})
	}
	var err error
	for i := range n {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return pool, errors.Join(append(errs, err)...)
}

// text returns size bytes of mail text, with the space runs and trailing
// blanks relaxed canonicalization rewrites. It ends with a line feed, and
// no line starts with "From ".
func text(size int) string {
	const para = "The figures for the quarter are attached; revenue is up 4% on last year.\n" +
		"Costs are flat.  Please keep this to yourself until the board has met. \n\n"
	return strings.Repeat(para, size/len(para)+1)[:size-1] + "\n"
}

// poolMessage makes pool message i (see the package documentation).
func poolMessage(i int) (entry, error) {
	size := 1<<10 + (i*1237)%(7<<10)
	if i%25 == 24 {
		size = 100 << 10
	}
	key := "rsa2048"
	if i%4 == 3 {
		key = "ed25519"
	}
	date := time.Unix(testmail.DefaultDate, 0).Add(time.Duration(i) * time.Minute).UTC()
	m := testmail.Message{
		Subject: fmt.Sprintf("Board minutes %d", i+1),
		Date:    date,
		Body:    text(size),
	}
	if i%7 == 6 {
		m.Attachments = []testmail.Attachment{{Name: fmt.Sprintf("figures-%d.pdf", i+1), Data: bytes.Repeat([]byte{byte(i), 0x25, 0x50, 0x44, 0x46}, 4<<10)}}
	}
	signed, err := testmail.Sign(m.Bytes(), testmail.MustKey(key), &testmail.SignOptions{Time: date.Add(5 * time.Second)})
	if err != nil {
		return entry{}, fmt.Errorf("pool message %d: %w", i+1, err)
	}
	altered := i%10 == 9
	if altered {
		signed = bytes.Replace(signed, []byte("up 4%"), []byte("up 40%"), 1)
	}
	var b bytes.Buffer
	b.WriteString("From alice@example.com " + date.Format("Mon Jan _2 15:04:05 2006") + "\n")
	b.Write(testmail.LF(signed))
	b.WriteString("\n")
	return entry{stored: b.Bytes(), altered: altered}, nil
}
