// Command leakproof tells whether the emails in a leaked archive are
// authentic, altered or unverifiable.
//
// Run "leakproof -h" for the usage; README.md has a quickstart and
// docs/json.md the output contract. This command only parses flags, opens
// files and prints: the work is done by the provenance, archive, dkim and
// report packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

func main() {
	// SIGINT and SIGTERM stop the walk; what was read is still checked
	// and written. A second signal ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses (docs/json.md, "Exit statuses").
const (
	exitOK    = 0 // the run finished, whatever the verdicts
	exitInput = 1 // some input could not be read; the rest was reported
	exitUsage = 2 // the command line is wrong

	exitInterrupted = 3 // a signal stopped the run; every record written is complete
)

// run is the whole command: it parses args (without the program name),
// writes results to stdout and diagnostics to stderr, and returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError(stderr, "no command", `start with "leakproof verify PATH"`)
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "verify":
		return runVerify(ctx, rest, stdout, stderr)
	case "merge":
		return runMerge(ctx, rest, stdout, stderr)
	case "explain":
		return runExplain(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "bundle":
		return runBundle(ctx, rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "--version", "-version", "version":
		if len(rest) > 0 {
			return usageError(stderr, fmt.Sprintf("%s takes no arguments", cmd))
		}
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	default:
		return usageError(stderr, fmt.Sprintf("unknown command %q", cmd),
			`the commands are "verify", "merge", "explain", "bundle" and "keys"; run "leakproof -h" for the usage`)
	}
}

// errorf prints "leakproof: error: ..." and then one "leakproof: hint: ..."
// line per hint, in the manner of age.
func errorf(stderr io.Writer, msg string, hints ...string) {
	fmt.Fprintf(stderr, "leakproof: error: %s\n", printable(msg))
	for _, h := range hints {
		fmt.Fprintf(stderr, "leakproof: hint: %s\n", printable(h))
	}
}

// printable replaces what a terminal would act on (control characters,
// bidi controls) with U+FFFD: error messages quote file names and header
// text from the archive, which are hostile input.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return utf8.RuneError
	}, s)
}

// usageError reports a usage error and returns exitUsage.
func usageError(stderr io.Writer, msg string, hints ...string) int {
	errorf(stderr, msg, hints...)
	return exitUsage
}

// parseFlags parses args with fs, whose output is discarded: errors are
// reported in leakproof's own words. It returns the exit status to end with
// when parsing did not succeed (-1 when it did); -h prints the usage to
// stdout and ends with exitOK.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return usageError(stderr, err.Error(), `run "leakproof -h" for the usage`)
	}
	// flag stops at the first path; a flag after it would be taken for a
	// path and fail later with a confusing "file not found".
	for _, a := range fs.Args() {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return usageError(stderr, fmt.Sprintf("option %s comes after a path", a),
				"options come before the paths: leakproof "+fs.Name()+" [options] PATH...")
		}
	}
	return -1
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
