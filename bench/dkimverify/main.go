// Command dkimverify is the Go side of the dkimpy comparison: it verifies
// the messages of an mbox with leakproof's dkim.VerifyBytes alone, on one
// goroutine, exactly as bench/dkimpy/verify_mbox.py does with dkimpy, and
// prints the same result line:
//
//	go run ./bench/dkimverify -keys DIR/keys.jsonl -limit 2000 DIR/bench.mbox
//	dkim messages=N pass=P fail=F seconds=S cpu_seconds=C msgs_per_s=R msgs_per_cpu_s=Q mb_per_s=M
//
// Messages are read first (mbox.Reader, the stored bytes with their LF line
// endings made CRLF, as the Python script does); only the VerifyBytes calls
// are timed. A message passes when its first signature's result is pass,
// which is what dkimpy's dkim.verify reports. CPU seconds are this
// process's, from /proc/self/stat (0 where that file does not exist).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/mbox"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// maxMessage caps each message read from the mbox.
const maxMessage = 100 << 20

// run is main without the process: 0 on success, 1 on failure, 2 on usage
// errors.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dkimverify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keys := fs.String("keys", "", "key file (JSON Lines or zone file)")
	limit := fs.Int("limit", 2000, "messages to verify (0: all)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keys == "" || *limit < 0 || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: dkimverify -keys FILE [-limit N] MBOX")
		return 2
	}
	res, err := verifyMbox(ctx, *keys, fs.Arg(0), *limit)
	if err != nil {
		fmt.Fprintf(stderr, "dkimverify: error: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, res)
	return 0
}

// result is what verifyMbox measured.
type result struct {
	messages, passed int
	bytes            int64
	wall, cpu        float64 // seconds
}

func (r result) String() string {
	cpuRate := 0.0
	if r.cpu > 0 {
		cpuRate = float64(r.messages) / r.cpu
	}
	return fmt.Sprintf("dkim messages=%d pass=%d fail=%d seconds=%.3f cpu_seconds=%.3f msgs_per_s=%.0f msgs_per_cpu_s=%.0f mb_per_s=%.2f",
		r.messages, r.passed, r.messages-r.passed, r.wall, r.cpu,
		float64(r.messages)/r.wall, cpuRate, float64(r.bytes)/r.wall/1e6)
}

// verifyMbox reads up to limit messages (0: all) of the mbox at path and
// times VerifyBytes over them with the keys of keyPath.
func verifyMbox(ctx context.Context, keyPath, path string, limit int) (result, error) {
	kf, err := readKeys(keyPath)
	if err != nil {
		return result{}, err
	}
	msgs, err := readMbox(path, limit)
	if err != nil {
		return result{}, err
	}
	if len(msgs) == 0 {
		return result{}, fmt.Errorf("no messages in %s", path)
	}
	opts := &dkim.Options{Keys: kf}
	r := result{messages: len(msgs)}
	for _, m := range msgs {
		r.bytes += int64(len(m))
	}
	cpu0 := cpuSeconds()
	start := time.Now()
	for _, m := range msgs {
		v, err := dkim.VerifyBytes(ctx, m, opts)
		if err != nil {
			return result{}, err
		}
		if len(v.Signatures) > 0 && v.Signatures[0].Result == dkim.ResultPass {
			r.passed++
		}
	}
	r.wall = time.Since(start).Seconds()
	r.cpu = cpuSeconds() - cpu0
	return r, nil
}

func readKeys(path string) (*dkim.KeyFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return dkim.ReadKeyFile(f, path)
}

// readMbox returns up to limit messages of the mbox at path (0: all), each
// with CRLF line endings.
func readMbox(path string, limit int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := mbox.NewReader(f, nil)
	var msgs [][]byte
	for limit == 0 || len(msgs) < limit {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		raw, err := io.ReadAll(io.LimitReader(m.Body, maxMessage+1))
		if err != nil {
			return nil, err
		}
		if len(raw) > maxMessage {
			return nil, fmt.Errorf("%s: message %d is larger than %d bytes", path, m.Index, maxMessage)
		}
		msgs = append(msgs, crlf(raw))
	}
	return msgs, nil
}

// crlf makes every bare LF of b a CRLF.
func crlf(b []byte) []byte {
	lf := bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
}

// cpuSeconds is the CPU time, user plus system, this process has used,
// from /proc/self/stat (USER_HZ ticks, 100 a second on Linux); 0 where that
// file does not exist.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return float64(utime+stime) / 100
}
