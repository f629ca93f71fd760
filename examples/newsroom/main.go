// Command newsroom is what a data desk writes on top of leakproof: it
// checks a leaked archive, keeps the messages that are authentic and sent
// from the domains a story is about, and writes them to a CSV file for the
// reporters.
//
//	go run ./examples/newsroom --keys testdata/keys.jsonl --domains example.com,news.example --out authentic.csv testdata/sample.mbox
//
// A message is kept when its verdict is authentic and its From address is
// at one of the domains, or below one (mail.example.com for example.com).
// The CSV has the columns of "leakproof verify --format csv" (report.CSVColumns),
// with a cell that a spreadsheet would run as a formula made safe. What was
// left out, and why, is counted on standard error: a reporter must know
// that the CSV is a selection.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// counts says what became of the messages.
type counts struct {
	kept, otherDomain, notAuthentic, unreadable, notMail int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("newsroom", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var keys list
	fs.Var(&keys, "keys", "key archive `FILE` (repeatable)")
	domains := fs.String("domains", "", "comma-separated sender `DOMAINS` to keep")
	out := fs.String("out", "", "write the CSV to `FILE` (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	keep := parseDomains(*domains)
	if fs.NArg() == 0 || len(keep) == 0 {
		fmt.Fprintln(stderr, "usage: newsroom --keys FILE --domains example.com,example.org [--out FILE] PATH...")
		return 2
	}
	if len(keys) == 0 {
		fmt.Fprintln(stderr, "newsroom: warning: no --keys: no message can be authentic without its signer's key")
	}
	src, err := leakproof.ReadKeyFiles(keys...)
	if err != nil {
		fmt.Fprintln(stderr, "newsroom:", err)
		return 1
	}

	dst := stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(stderr, "newsroom:", err)
			return 1
		}
		defer f.Close()
		dst = f
	}
	bw := bufio.NewWriter(dst)
	w := report.NewCSVWriter(bw)

	var c counts
	opts := &leakproof.Options{
		Check:   provenance.Options{Keys: src},
		NotMail: func(*archive.Message) { c.notMail++ },
	}
	for _, path := range fs.Args() {
		err = leakproof.Verify(ctx, path, opts, func(a *provenance.Assessment) error {
			switch {
			case a.Err != nil:
				c.unreadable++
			case a.Verdict != provenance.VerdictAuthentic:
				c.notAuthentic++
			case !fromDomain(a.FromAddress, keep):
				c.otherDomain++
			default:
				c.kept++
				return w.Write(a)
			}
			return nil
		})
		if err != nil {
			break
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted; the CSV is incomplete")
		}
		fmt.Fprintln(stderr, "newsroom:", err)
		return 1
	}
	fmt.Fprintf(stderr, "newsroom: kept %d authentic messages from %s; left out %d authentic from other domains, %d not authentic, %d unreadable, %d files that are not mail\n",
		c.kept, strings.Join(keep, ", "), c.otherDomain, c.notAuthentic, c.unreadable, c.notMail)
	return 0
}

// parseDomains splits a comma-separated list into lower-case domains.
func parseDomains(s string) []string {
	var out []string
	for d := range strings.SplitSeq(s, ",") {
		if d = strings.ToLower(strings.Trim(strings.TrimSpace(d), ".")); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// fromDomain reports whether addr (lower case, as Assessment.FromAddress
// holds it) is at one of domains or below one.
func fromDomain(addr string, domains []string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	host := addr[at+1:]
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
