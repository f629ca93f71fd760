// Command factcheck-service is a small HTTP service that checks uploaded
// mail with leakproof and answers with its assessments, as a fact-check
// desk embeds the library behind its own API:
//
//	go run ./examples/factcheck-service --addr 127.0.0.1:8080 --keys testdata/keys.jsonl
//
//	curl --data-binary @testdata/formats/eml/Sent/board-pack.eml \
//	     -H 'Content-Type: message/rfc822' http://127.0.0.1:8080/v1/verify
//
// # API
//
// POST /v1/verify takes one file as the request body: a message
// (Content-Type message/rfc822), an mbox (application/mbox) or a zip
// (application/zip). What the body is read as comes from its content, as
// "leakproof verify" reads a file, so a zip sent as an mbox is still read as
// a zip; the type only has to be one of the three. The answer, 200 with
// Content-Type application/jsonl, is JSON Lines: one object per message in
// archive order, exactly the records "leakproof verify --format json"
// writes for a file of the same name holding the same bytes
// (docs/json.md). Files inside a zip that are not mail are left out, as
// the command leaves them out.
//
// The records' "file" (and the "id" computed from it) is the upload's name:
// the filename of a Content-Disposition header, its last path element
// ("attachment; filename=\"leak.mbox\"" gives "leak.mbox", and a zip's
// messages "leak.zip/Sent/1.eml"), or else "upload.eml", "upload.mbox" or
// "upload.zip" after the Content-Type. A client that sends the name of the
// file it uploads gets the ids "leakproof verify" gives for that file.
//
// GET /healthz answers 200 {"status":"ok","in_flight":N,"max_concurrent":M}.
//
// Errors are JSON, {"error": "..."}:
//
//   - 400: an empty body, or one that could not be read (the client went
//     away, a malformed chunk);
//   - 404, 405: another path, or another method (with Allow);
//   - 413: a body over --max-body (default 100 MiB);
//   - 415: a Content-Type other than the three;
//   - 422: a body that holds no mail (not a message, an mbox or a zip of
//     them, or a zip of files that are not mail);
//   - 503: --max-concurrent requests (default 4) are being checked
//     already; Retry-After says when to try again. The request is refused
//     before its body is read.
//
// A failure after the first record has been sent cuts the connection, so
// that a client never takes a partial answer for a whole one.
//
// # Bounds
//
// A request's body is held in memory while it is checked (the library
// reads an upload from an io.ReaderAt, so it needs no temporary file), so
// the service holds at most --max-concurrent times --max-body of bodies,
// plus the library's bounded window of messages per request. The whole
// request must arrive within --read-timeout and the answer be written
// within --write-timeout, which also bounds the checking.
//
// # Keys and DNS
//
// The key archives named by --keys are read once, at start; a service
// without them answers every signed message unverifiable (no_key), and
// says so when it starts. DNS is asked only when configured: --dns uses
// the system's resolver (/etc/resolv.conf), --dns-server ADDR a server of
// your choice; each request gets a DNS source of its own (its own cache
// and time budget), asked only for keys the archives lack. Each lookup
// tells the domain's operator that someone is checking, and shows today's
// keys, not those of the mail's time.
//
// On SIGTERM or SIGINT the service stops accepting connections, finishes
// the requests in progress (for up to --shutdown-timeout) and exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/dkim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr, nil))
}

type keyList []string

func (k *keyList) String() string     { return fmt.Sprint(*k) }
func (k *keyList) Set(v string) error { *k = append(*k, v); return nil }

// run serves until ctx is done, then shuts down gracefully. ready, when
// not nil, is told the address listened on (tests listen on port 0).
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) int {
	fs := flag.NewFlagSet("factcheck-service", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	var keys keyList
	fs.Var(&keys, "keys", "key archive `FILE` (repeatable), read at start")
	useDNS := fs.Bool("dns", false, "ask the system's DNS server for keys missing from the key archives")
	dnsServer := fs.String("dns-server", "", "ask DNS server `ADDR` for keys missing from the key archives")
	maxBody := fs.Int64("max-body", 100<<20, "largest request body, in `BYTES`")
	maxConcurrent := fs.Int("max-concurrent", 4, "requests checked at once; more get 503")
	workers := fs.Int("workers", 0, "messages of one request checked at once (0: one per CPU)")
	readTimeout := fs.Duration("read-timeout", 5*time.Minute, "time to read a whole request")
	writeTimeout := fs.Duration("write-timeout", 10*time.Minute, "time to check and answer a request, from its headers on")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "time given to requests in progress at shutdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *maxBody < 1 || *maxConcurrent < 1 || *workers < 0 {
		fmt.Fprintln(stderr, "factcheck-service: error: bad arguments; see -h")
		return 2
	}

	s := &service{maxBody: *maxBody, slots: make(chan struct{}, *maxConcurrent), timeout: *writeTimeout}
	s.opts.Check.Workers = *workers
	if len(keys) > 0 {
		src, err := leakproof.ReadKeyFiles(keys...)
		if err != nil {
			fmt.Fprintf(stderr, "factcheck-service: error: %v\n", err)
			return 1
		}
		s.opts.Check.Keys = src
	} else {
		fmt.Fprintln(stderr, "factcheck-service: warning: no --keys: every signed message will be unverifiable for want of a key")
	}
	switch {
	case *dnsServer != "":
		server := *dnsServer
		s.dns = func() dkim.KeySource { return dkim.NewDNSSource(server, nil) }
	case *useDNS:
		// Read the system's configuration once, now, so that a bad one
		// stops the service at start rather than failing each request.
		sys, err := dkim.NewSystemDNSSource(nil)
		if err != nil {
			fmt.Fprintf(stderr, "factcheck-service: error: %v (name a server with --dns-server)\n", err)
			return 1
		}
		server := sys.Server()
		s.dns = func() dkim.KeySource { return dkim.NewDNSSource(server, nil) }
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "factcheck-service: error: %v\n", err)
		return 1
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		// Requests end with the service's context, after shutdown's grace.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	fmt.Fprintf(stderr, "factcheck-service: listening on http://%s\n", ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "factcheck-service: error: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "factcheck-service: shutting down; finishing the requests in progress")
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "factcheck-service: error: shutdown: %v\n", err)
		srv.Close()
		return 1
	}
	<-served
	return 0
}
