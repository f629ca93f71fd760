// Command truthcheck holds a tool's results on a mixed corpus of
// bench/genmbox to the generator's truth, for bench/run.sh:
//
//	truthcheck -truth DIR/truth.jsonl -leakproof OUT.jsonl
//	truthcheck -truth DIR/truth.jsonl -result "go-msgauth messages=N pass=P fail=F ..."
//
// With -leakproof it reads the JSON Lines of `leakproof verify --format
// json` and compares every message's verdict with the expected one (by
// index; records without an index, such as errors, are mismatches). With
// -result it reads a result line of bench/msgauth, bench/floor,
// bench/dkimpy/verify_mbox.py or bench/dkimverify (NAME key=value ...) and
// compares its messages, pass and fail with the truth's counts; for the floor,
// its verified count with the signatures whose key is published.
//
// It prints one line, "NAME messages=N pass=P fail=F: matches the truth", and
// exits 0; on a mismatch it says what differs and exits 1.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/bench/internal/corpus"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: 0 when the results match, 1 when they
// do not or cannot be read, 2 on usage errors.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("truthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	truthPath := fs.String("truth", "", "truth.jsonl of the corpus")
	lpPath := fs.String("leakproof", "", "JSON Lines written by leakproof verify --format json")
	line := fs.String("result", "", "result line of another tool")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *truthPath == "" || (*lpPath == "") == (*line == "") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: truthcheck -truth FILE (-leakproof FILE | -result LINE)")
		return 2
	}
	truth, err := readTruth(*truthPath)
	if err != nil {
		fmt.Fprintf(stderr, "truthcheck: error: %v\n", err)
		return 1
	}
	var msg string
	if *lpPath != "" {
		msg, err = checkLeakproof(truth, *lpPath)
	} else {
		msg, err = checkResult(truth, *line)
	}
	if err != nil {
		fmt.Fprintf(stderr, "truthcheck: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, msg)
	return 0
}

// truth is truth.jsonl, in index order, with its counts.
type truth struct {
	messages            []corpus.Truth
	pass, fail, withKey int
}

func readTruth(path string) (*truth, error) {
	ts, err := corpus.ReadTruth(path)
	if err != nil {
		return nil, err
	}
	t := &truth{messages: ts}
	for _, e := range ts {
		if e.DKIM == "pass" {
			t.pass++
		} else {
			t.fail++
		}
		if e.Case != corpus.CaseNoKey {
			t.withKey++
		}
	}
	return t, nil
}

// checkLeakproof compares leakproof's verdicts with the truth, message by
// message.
func checkLeakproof(t *truth, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	seen := make([]bool, len(t.messages))
	var problems []string
	problem := func(format string, a ...any) {
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, a...))
		} else if len(problems) == 10 {
			problems = append(problems, "...")
		}
	}
	pass, n := 0, 0
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for {
		var rec struct {
			Index   int    `json:"index"`
			Verdict string `json:"verdict"`
			Summary string `json:"summary"`
		}
		if err := dec.Decode(&rec); err == io.EOF {
			break
		} else if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		n++
		if rec.Index < 1 || rec.Index > len(t.messages) {
			problem("record %d has index %d, not a message of the corpus (%q)", n, rec.Index, rec.Summary)
			continue
		}
		if seen[rec.Index-1] {
			problem("message %d has two records", rec.Index)
			continue
		}
		seen[rec.Index-1] = true
		want := t.messages[rec.Index-1]
		if rec.Verdict != want.Verdict {
			problem("message %d (%s): verdict %s, want %s (%q)", rec.Index, want.Case, rec.Verdict, want.Verdict, rec.Summary)
		}
		if rec.Verdict == "authentic" {
			pass++
		}
	}
	for i, ok := range seen {
		if !ok {
			problem("message %d has no record", i+1)
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("leakproof does not match the truth (%d pass, %d fail expected):\n  %s",
			t.pass, t.fail, strings.Join(problems, "\n  "))
	}
	return fmt.Sprintf("leakproof messages=%d pass=%d fail=%d: matches the truth", n, pass, n-pass), nil
}

// checkResult compares a tool's result line with the truth's counts.
func checkResult(t *truth, line string) (string, error) {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return "", fmt.Errorf("not a result line: %q", line)
	}
	name := fields[0]
	got := map[string]int{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", fmt.Errorf("not a result line: %q", line)
		}
		if n, err := strconv.Atoi(v); err == nil {
			got[k] = n
		}
	}
	want := map[string]int{"messages": len(t.messages), "pass": t.pass, "fail": t.fail}
	keys := []string{"messages", "pass", "fail"}
	if name == "floor" {
		want = map[string]int{"messages": len(t.messages), "signatures": t.withKey, "verified": t.withKey}
		keys = []string{"messages", "signatures", "verified"}
	}
	var errs []error
	for _, k := range keys {
		g, ok := got[k]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s= missing", k))
		case g != want[k]:
			errs = append(errs, fmt.Errorf("%s=%d, want %d", k, g, want[k]))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("%s does not match the truth: %s", name, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, got[k])
	}
	return fmt.Sprintf("%s %s: matches the truth", name, strings.Join(parts, " ")), nil
}
