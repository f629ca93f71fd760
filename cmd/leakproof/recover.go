package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

func keysRecover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys recover", flag.ContinueOnError)
	var keyFiles stringList
	fs.Var(&keyFiles, "keys", "")
	out := fs.String("out", "", "")
	if code, done := keysFlags(fs, args, stdout, stderr); done {
		return code
	}
	paths, srcs, code := archiveArgs("keys recover", fs.Args(), keyFiles, stderr)
	if code >= 0 {
		return code
	}

	var kr dkim.KeyRecovery
	var notMail skipped
	unreadable := 0
	for m := range mailOnly(walkAll(ctx, paths, nil), &notMail) {
		if m.Err != nil {
			if unreadable < maxErrorLines {
				errorf(stderr, m.Err.Error())
			}
			unreadable++
			continue
		}
		kr.Add(dkim.ParseHeader(m.Raw), recoveryID(m))
	}
	if unreadable > maxErrorLines {
		errorf(stderr, fmt.Sprintf("... and %d more", unreadable-maxErrorLines))
	}
	for _, f := range notMail.names() {
		fmt.Fprintf(stderr, "leakproof: note: skipped %s: not mail\n", printable(f))
	}
	if err := ctx.Err(); err != nil {
		return keysFail(stderr, 1, "interrupted; nothing was recovered")
	}

	start := time.Now()
	opts := &dkim.RecoverOptions{Source: "recovered by leakproof keys recover from " + strings.Join(paths, ", ")}
	if len(srcs) > 0 {
		opts.Keys = dkim.KeySources(srcs...)
	}
	results, err := kr.Recover(ctx, opts)
	var buf bytes.Buffer
	recovered := 0
	for _, r := range results {
		name := printable(r.Selector + "._domainkey." + r.Domain)
		if len(r.Keys) == 0 {
			fmt.Fprintf(stderr, "leakproof: %s: no key from %d %d-bit signatures (made with different keys, or an exponent other than 65537)\n",
				name, r.Signatures, r.Bits)
			continue
		}
		for _, k := range r.Keys {
			line, err := k.MarshalJSON()
			if err != nil {
				return keysFail(stderr, 1, fmt.Sprintf("encoding %s: %v", name, err))
			}
			buf.Write(line)
			buf.WriteByte('\n')
			recovered++
			fmt.Fprintf(stderr, "leakproof: %s: recovered a %d-bit key from %d of %d signatures\n",
				name, r.Bits, len(k.RecoveredFrom), r.Signatures)
		}
		if r.Unexplained > 0 {
			fmt.Fprintf(stderr, "leakproof: %s: %d signatures verify with no recovered key\n", name, r.Unexplained)
		}
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return keysFail(stderr, 1, fmt.Sprintf("writing the key file: %v", err))
		}
	} else if err := keysWriteFile(*out, buf.Bytes()); err != nil {
		return keysFail(stderr, 1, err.Error(), "check that the folder of --out exists and is writable")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return keysFail(stderr, 1, "interrupted; the key file holds the keys recovered so far")
	}
	fmt.Fprintf(stderr, "leakproof: %d keys recovered for %d selectors in %s\n", recovered, len(results), time.Since(start).Round(time.Second))
	if recovered > 0 {
		fmt.Fprintln(stderr, "leakproof: note: a recovered key shows that its messages were signed with one key, not whose key it is;"+
			" verify counts it only when an independent record (a key archive, DNS) holds the same key")
	}
	if unreadable > 0 {
		return keysFail(stderr, 1, fmt.Sprintf("%s could not be read", plural(unreadable, "input", "inputs")),
			"the keys come from the messages that could be read")
	}
	return 0
}

// recoveryID names a message in a recovered key's recovered_from: its
// Message-ID, else where it is stored.
func recoveryID(m *archive.Message) string {
	ph := dkim.ParseHeader(m.Raw)
	for i := range ph.Len() {
		f := ph.Field(i)
		if strings.EqualFold(f.Name(), "Message-ID") {
			if id := mailsyntax.MessageID(string(f.Value())); id != "" {
				return id
			}
			break
		}
	}
	return m.ID
}
