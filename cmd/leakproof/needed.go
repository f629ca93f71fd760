package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
	"github.com/leakproof/leakproof/report"
)

// A neededKey is one line of "keys needed": a key record that signatures
// of the archive need, with the messages that cite it.
type neededKey struct {
	Domain    string `json:"domain"`
	Selector  string `json:"selector"`
	Messages  int    `json:"messages"`
	FirstDate string `json:"first_date"` // RFC 3339, "" when no message has a date
	LastDate  string `json:"last_date"`
	HaveKey   bool   `json:"have_key"`

	first, last time.Time
	answered    bool // the key files hold a record for the name, usable or not
}

// add widens the date range to take in t.
func (k *neededKey) add(t time.Time) {
	if t.IsZero() {
		return
	}
	if k.first.IsZero() || t.Before(k.first) {
		k.first = t
	}
	if k.last.IsZero() || t.After(k.last) {
		k.last = t
	}
}

func keysNeeded(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys needed", flag.ContinueOnError)
	var keyFiles stringList
	fs.Var(&keyFiles, "keys", "")
	format := fs.String("format", "text", "")
	if code, done := keysFlags(fs, args, stdout, stderr); done {
		return code
	}
	switch *format {
	case "text", "json":
	default:
		return keysUsageError(stderr, fmt.Sprintf("--format %q: keys needed writes text or json", *format))
	}
	paths, srcs, code := archiveArgs("keys needed", fs.Args(), keyFiles, stderr)
	if code >= 0 {
		return code
	}
	keys := dkim.KeySources(srcs...)

	needed := map[string]*neededKey{}
	var notMail skipped
	unreadable, read := 0, 0
	for m := range mailOnly(walkAll(ctx, paths, nil), &notMail) {
		if m.Err != nil {
			if unreadable < maxErrorLines {
				errorf(stderr, m.Err.Error())
			}
			unreadable++
			continue
		}
		read++
		neededByMessage(m, needed)
	}
	if err := ctx.Err(); err != nil {
		return keysFail(stderr, 1, "interrupted; the list is incomplete")
	}

	rows := make([]*neededKey, 0, len(needed))
	for _, k := range needed {
		k.HaveKey, k.answered = haveKey(ctx, keys, k.Domain, k.Selector)
		if !k.first.IsZero() {
			k.FirstDate, k.LastDate = k.first.Format(time.RFC3339), k.last.Format(time.RFC3339)
		}
		rows = append(rows, k)
	}
	slices.SortFunc(rows, func(a, b *neededKey) int {
		return cmp.Or(cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Selector, b.Selector))
	})

	bw := bufio.NewWriter(stdout)
	if *format == "json" {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for _, k := range rows {
			_ = enc.Encode(k)
		}
	} else if len(rows) > 0 || read > 0 {
		writeNeededText(bw, rows)
	}
	if err := bw.Flush(); err != nil {
		return keysFail(stderr, 1, fmt.Sprintf("writing the list: %v", err))
	}
	if unreadable > maxErrorLines {
		errorf(stderr, fmt.Sprintf("... and %d more", unreadable-maxErrorLines))
	}
	for _, f := range notMail.names() {
		fmt.Fprintf(stderr, "leakproof: note: skipped %s: not mail\n", printable(f))
	}
	if unreadable > 0 {
		return keysFail(stderr, 1, fmt.Sprintf("%s could not be read", plural(unreadable, "input", "inputs")),
			"the list covers the messages that could be read")
	}
	return 0
}

// neededByMessage adds the keys one message's signatures need. A message
// counts once per key, however many of its signatures cite it; the dates
// are its Date field and the t= of those signatures.
func neededByMessage(m *archive.Message, needed map[string]*neededKey) {
	ph := dkim.ParseHeader(m.Raw)
	var date time.Time
	for i := range ph.Len() {
		f := ph.Field(i)
		if strings.EqualFold(f.Name(), "Date") {
			if t, _, err := mailsyntax.ParseDate(string(f.Value())); err == nil {
				date = t
			}
			break
		}
	}
	seen := map[string]bool{}
	for _, n := range dkim.KeysNeeded(ph) {
		d, s := strings.ToLower(n.Domain), strings.ToLower(n.Selector)
		name := s + "._domainkey." + d
		k := needed[name]
		if k == nil {
			k = &neededKey{Domain: d, Selector: s}
			needed[name] = k
		}
		if !seen[name] {
			seen[name] = true
			k.Messages++
			k.add(date)
		}
		k.add(n.Timestamp)
	}
}

// haveKey reports whether the key files hold a usable key for the name (a
// record whose text parses as a key that is not revoked), and whether they
// hold any record for it (a revoked or damaged key, a recorded DNS failure).
func haveKey(ctx context.Context, keys dkim.KeySource, domain, selector string) (usable, any bool) {
	recs, _ := keys.Lookup(ctx, domain, selector)
	for _, r := range recs {
		if r.DNSError != "" {
			continue
		}
		if k, err := dkim.ParseKey(r.TXT); err == nil && !k.Revoked() {
			return true, true
		}
	}
	return false, len(recs) > 0
}

// writeNeededText writes the table and, when keys are missing, where to
// look for them.
func writeNeededText(w io.Writer, rows []*neededKey) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "No message in these files carries a DKIM or DomainKeys signature: there is no key to look for.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tSELECTOR\tMESSAGES\tFIRST DATE\tLAST DATE\tKEY")
	missing := 0
	for _, k := range rows {
		have := "yes"
		switch {
		case k.HaveKey:
		case k.answered:
			// Revoked, damaged, or a recorded DNS failure: look further.
			have, missing = "unusable", missing+1
		default:
			have, missing = "missing", missing+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", report.Clean(k.Domain), report.Clean(k.Selector), k.Messages,
			neededDay(k.first), neededDay(k.last), have)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if missing == 0 {
		fmt.Fprintf(w, "The key files hold a key for each of the %s.\n", plural(len(rows), "selector", "selectors"))
		return
	}
	fmt.Fprintf(w, "No usable key in the key files for %d of the %s. Where to look (docs/keys.md, \"Getting keys for an old leak\"):\n",
		missing, plural(len(rows), "selector", "selectors"))
	fmt.Fprint(w, neededAdvice)
}

// neededAdvice says where keys for old mail are found, in the order a
// reporter should try them.
const neededAdvice = `  1. Public key archives, which kept keys as they were published, with dates:
     save https://archive.zk.email/api/key?domain=DOMAIN (a JSON list) and
     run "leakproof keys import --out keys.jsonl FILE".
  2. Key files from colleagues or earlier investigations (JSON Lines, zone
     files, a mailauth DNS cache): "leakproof keys import" merges them.
  3. DNS today: "leakproof keys lookup --record keys.jsonl SELECTOR DOMAIN".
     The domain's operator can see the lookup, and today's key is often not
     the one in use when the mail was sent.
Then run "leakproof verify --keys keys.jsonl PATH...".
`

// neededDay is the date of t as YYYY-MM-DD, or "-" when unknown.
func neededDay(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// keyFileHint is the advice for a key file that cannot be read.
func keyFileHint(err error, path string) string {
	var kfe *dkim.KeyFileError
	switch {
	case errors.Is(err, errNeedsImport):
		return "convert it first: leakproof keys import --out keys.jsonl " + path
	case errors.As(err, &kfe):
		return "fix the line named above; a key archive is JSON Lines or a BIND zone file (see README.md)"
	}
	return "check the path of the key file"
}

// archiveArgs checks the PATH arguments of a keys subcommand that reads an
// archive (name is "keys needed" or "keys recover") and reads its key
// files. code is the exit status to end with, or -1 to go on.
func archiveArgs(name string, paths, keyFiles []string, stderr io.Writer) (_ []string, _ []dkim.KeySource, code int) {
	if len(paths) == 0 {
		return nil, nil, keysUsageError(stderr, name+" needs at least one PATH (an mbox, a message file, a folder or a zip)")
	}
	for _, a := range paths {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return nil, nil, keysUsageError(stderr, fmt.Sprintf("option %s comes after a path", a))
		}
	}
	var srcs []dkim.KeySource
	for _, path := range keyFiles {
		src, _, err := readKeyFile(path)
		if err != nil {
			return nil, nil, keysFail(stderr, 1, err.Error(), keyFileHint(err, path))
		}
		srcs = append(srcs, src)
	}
	return paths, srcs, -1
}
