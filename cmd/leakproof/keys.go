package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/report"
)

const keysUsage = `Usage:
    leakproof keys needed [--keys FILE]... [--format text|json] PATH...
    leakproof keys import [--out FILE] FILE...
    leakproof keys recover [--out FILE] [--keys FILE]... PATH...
    leakproof keys lookup [--dns-server ADDR] [--record FILE] SELECTOR DOMAIN

keys needed lists every key the signatures of the archive need (DKIM and
DomainKeys): domain, selector, how many messages cite it, the date range
of their Date fields and t= tags, and whether the key files (--keys) hold
a usable key for it; then where to look for the missing ones. It verifies
nothing and asks no one: it only reads the signatures. --format json
writes one JSON object a line: domain, selector, messages, first_date and
last_date (RFC 3339, or ""), have_key.

keys import reads key files, told apart by content: JSON Lines key
archives, BIND zone files, the JSON that archive.zk.email's API serves
([{"domain", "selector", "value", "firstSeenAt", "lastSeenAt"}]) and
mailauth's DNS cache file ({"NAME": {"TXT": [["..."]]}}; names that are
not DKIM keys are skipped). It writes one clean JSON Lines key file: names
lower-cased, records sorted by domain and selector, duplicates merged (the
earliest first_seen, the latest last_seen and seen, every source kept);
different keys under one selector stay separate records. A record without
a "source" gets the kind and path of the file it came from. An
archive.zk.email row last seen on the day of the import, or on the day the
file was saved, is a live DNS answer of that day, not history: it is kept
with "seen" instead of first_seen/last_seen, and its source says so.
Warnings (exit status 0) name a record whose p= is not a key (often a key
cut short when it was copied) and a record marked private_key_published
that holds no key material.

keys recover computes the public key of each selector for which the
archive holds two or more RSA signatures and the key files (--keys) no
usable key: the modulus is the GCD of s^65537 - m over two signatures,
checked against every signature of the selector, so signatures made with
different keys give no key, never a wrong one. It writes a JSON Lines key
file whose records are marked "recovered", with "recovered_from" naming
the messages (Message-ID). A recovered key shows that those messages were
signed with one key, not whose key it is: verify counts a signature it
verifies (result recovered_key) only when an independent record holds the
same key. It takes about a minute of CPU per 1024-bit selector and about
two per 2048-bit one (docs/performance.md).

keys lookup asks DNS, live, for the TXT record of
SELECTOR._domainkey.DOMAIN and prints it, one line per record (what kind
of key it holds goes to standard error). The domain's
operator can see that someone asked. Today's record may differ from the one
in use when a message was sent: keep what you look up with --record.

Options:
    --out FILE          Write the key file to FILE (via a temporary file,
                        renamed when complete) instead of standard output.
    --dns-server ADDR   DNS server to ask, as HOST or HOST:PORT. Default: the
                        first nameserver in /etc/resolv.conf.
    --record FILE       Append the answer, failures included, with the time it
                        was seen, to the JSON Lines key file FILE, so that
                        "leakproof verify --keys FILE" can use it offline.

Exit status: 0 on success (warnings included), 1 when a file cannot be
read or written or DNS gives no record, 2 on usage errors.

Examples:
    $ leakproof keys needed leak.mbox
    $ leakproof keys import --out keys.jsonl example.com.zone old-keys.jsonl zk-example.com.json
    $ leakproof keys recover --out recovered.jsonl leak.mbox
    $ leakproof keys lookup --record keys.jsonl 20161025 gmail.com
`

// runKeys runs "leakproof keys ...". args are the arguments after "keys".
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return keysUsageError(stderr, "keys needs a subcommand: needed, import, recover or lookup")
	}
	switch args[0] {
	case "needed":
		return keysNeeded(ctx, args[1:], stdout, stderr)
	case "import":
		return keysImport(args[1:], stdout, stderr)
	case "recover":
		return keysRecover(ctx, args[1:], stdout, stderr)
	case "lookup":
		return keysLookup(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, keysUsage)
		return 0
	}
	return keysUsageError(stderr, fmt.Sprintf("unknown keys subcommand %q", args[0]))
}

// keysFail prints an error with hints and returns code.
func keysFail(stderr io.Writer, code int, msg string, hints ...string) int {
	errorf(stderr, msg, hints...)
	return code
}

func keysUsageError(stderr io.Writer, msg string) int {
	return keysFail(stderr, 2, msg, `run "leakproof keys --help" for usage`)
}

// keysFlags parses flags for a keys subcommand. It returns done with the
// exit code when the command must stop (help or a usage error).
func keysFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, keysUsage)
			return 0, true
		}
		return keysUsageError(stderr, err.Error()), true
	}
	return 0, false
}

func keysImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys import", flag.ContinueOnError)
	out := fs.String("out", "", "")
	if code, done := keysFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() == 0 {
		return keysUsageError(stderr, "keys import needs at least one key file")
	}
	var all []dkim.KeyRecord
	now := time.Now()
	for _, path := range fs.Args() {
		recs, code := keysReadFile(path, now, stderr)
		if code != 0 {
			return code
		}
		all = append(all, recs...)
	}
	merged := dkim.MergeKeyRecords(all)
	for _, w := range importWarnings(merged) {
		fmt.Fprintf(stderr, "leakproof: warning: %s\n", printable(w))
	}

	var buf bytes.Buffer
	for _, r := range merged {
		line, err := r.MarshalJSON()
		if err != nil {
			return keysFail(stderr, 1, fmt.Sprintf("encoding %s._domainkey.%s: %v", r.Selector, r.Domain, err))
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return keysFail(stderr, 1, fmt.Sprintf("writing the key file: %v", err))
		}
	} else if err := keysWriteFile(*out, buf.Bytes()); err != nil {
		return keysFail(stderr, 1, err.Error(), "check that the folder of --out exists and is writable")
	}
	fmt.Fprintf(stderr, "leakproof: %d records from %d files (%d duplicates merged)\n",
		len(merged), fs.NArg(), len(all)-len(merged))
	return 0
}

// keysReadFile reads one key file of any kind keys import knows,
// reporting failures on stderr. now is the day of the import, which tells
// archive.zk.email's live DNS rows from its history.
func keysReadFile(path string, now time.Time, stderr io.Writer) ([]dkim.KeyRecord, int) {
	f, err := os.Open(path)
	if err != nil {
		return nil, keysFail(stderr, 1, err.Error(), "check the path of the key file")
	}
	defer f.Close()
	var saved time.Time
	if fi, err := f.Stat(); err == nil {
		saved = fi.ModTime()
	}
	data, err := io.ReadAll(io.LimitReader(f, dkim.MaxKeyFileSize+1))
	if err != nil {
		return nil, keysFail(stderr, 1, fmt.Sprintf("reading %s: %v", path, err), "check that the file is readable")
	}
	if len(data) > dkim.MaxKeyFileSize {
		return nil, keysFail(stderr, 1, fmt.Sprintf("%s: larger than %d bytes", path, dkim.MaxKeyFileSize), "split the file")
	}
	var recs []dkim.KeyRecord
	switch importKind(data) {
	case importZK:
		recs, err = parseZKArchive(data, path, now, saved)
	case importMailauth:
		var skipped int
		recs, skipped, err = parseMailauthCache(data, path)
		if err == nil && skipped > 0 {
			fmt.Fprintf(stderr, "leakproof: note: %s: skipped %s that are not DKIM keys (_dmarc, SPF, MX, ...)\n",
				printable(path), plural(skipped, "name", "names"))
		}
	default:
		var kf *dkim.KeyFile
		if kf, err = dkim.ReadKeyFile(bytes.NewReader(data), path); err == nil {
			recs = kf.Records()
		}
	}
	if err != nil {
		var kfe *dkim.KeyFileError
		var ie *importError
		switch {
		case errors.As(err, &kfe):
			return nil, keysFail(stderr, 1, err.Error(),
				fmt.Sprintf("fix line %d of %s, or leave the file out", kfe.Line, path),
				"keys import reads JSON Lines key files, zone files, archive.zk.email's JSON and mailauth's DNS cache")
		case errors.As(err, &ie):
			return nil, keysFail(stderr, 1, fmt.Sprintf("%s: %v", path, err), "fix the file, or leave it out")
		}
		return nil, keysFail(stderr, 1, err.Error(), "check that the file is readable")
	}
	return recs, 0
}

// keysWriteFile writes data to path through a temporary file in the same
// folder, renamed when complete, so that a reader never sees half a file.
func keysWriteFile(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func keysLookup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys lookup", flag.ContinueOnError)
	server := fs.String("dns-server", "", "")
	record := fs.String("record", "", "")
	if code, done := keysFlags(fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 2 {
		return keysUsageError(stderr, fmt.Sprintf("keys lookup needs SELECTOR and DOMAIN, got %d arguments", fs.NArg()))
	}
	selector, domain := fs.Arg(0), fs.Arg(1)
	for _, n := range []struct{ what, v string }{{"selector", selector}, {"domain", domain}} {
		if !keysValidName(n.v) {
			return keysUsageError(stderr, fmt.Sprintf("%s %q is not a domain name (letters, digits, hyphens and underscores, dot-separated)", n.what, n.v))
		}
	}
	if *server == "" {
		s, err := systemResolver("/etc/resolv.conf")
		if err != nil {
			return keysFail(stderr, 1, err.Error(), "name a DNS server with --dns-server ADDR")
		}
		*server = s
	}
	opts := &dkim.DNSOptions{}
	var rec *os.File
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return keysFail(stderr, 1, err.Error(), "check that the --record file can be written")
		}
		rec = f
		opts.Record = f
	}
	src := dkim.NewDNSSource(*server, opts)
	recs, err := src.Lookup(ctx, domain, selector)
	code := 0
	name := strings.ToLower(strings.TrimSuffix(selector, ".") + "._domainkey." + strings.TrimSuffix(domain, "."))
	switch {
	case err != nil:
		code = keysFail(stderr, 1, fmt.Sprintf("looking up %s: %v", name, err))
	default:
		for _, r := range recs {
			if r.DNSError == "" {
				// The record is whatever the server sent: it must not drive
				// the terminal or reorder the line.
				fmt.Fprintln(stdout, report.Clean(r.TXT))
				fmt.Fprintf(stderr, "leakproof: %s\n", report.Clean(keysDescribe(r.TXT)))
				continue
			}
			hint := "check the selector and domain (s= and d= of the signature)"
			if r.DNSError != "NXDOMAIN" {
				hint = fmt.Sprintf("the DNS server %s did not answer properly: try again later or another --dns-server", src.Server())
			}
			code = keysFail(stderr, 1, fmt.Sprintf("%s: %s", name, r.DNSError), hint)
		}
	}
	if rec != nil {
		if err := cmp.Or(src.RecordErr(), rec.Close()); err != nil {
			code = keysFail(stderr, 1, fmt.Sprintf("recording to %s: %v", *record, err), "check that the --record file can be written")
		}
	}
	return code
}

// keysDescribe says in a few words what a key record is.
func keysDescribe(txt string) string {
	k, err := dkim.ParseKey(txt)
	switch {
	case err != nil:
		return "not a usable key: " + strings.TrimPrefix(err.Error(), "dkim: ")
	case k.Revoked():
		return "a revoked key (empty p=): signatures made with it cannot be checked"
	}
	d := fmt.Sprintf("%s key, %d bits", k.Type(), k.Bits())
	if k.Testing() {
		d += ", testing (t=y)"
	}
	return d
}

// keysValidName reports whether s is dot-separated labels of letters,
// digits, hyphens and underscores (a final dot allowed).
func keysValidName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c|0x20 && c|0x20 <= 'z') && !('0' <= c && c <= '9') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}
