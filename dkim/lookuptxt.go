package dkim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// NewLookupTXTSource returns a KeySource that asks lookup for the TXT
// records of selector._domainkey.domain, for a program that already has a
// resolver: net.Resolver's LookupTXT plugs in as it is,
//
//	keys := dkim.NewLookupTXTSource(net.DefaultResolver.LookupTXT)
//
// as does a cache, a DNS-over-HTTPS client or a test's map. lookup gets the
// name fully qualified, with its final dot ("s1._domainkey.example.com."),
// so that a resolver does not try it under its search domains, and returns
// one string per TXT record, its character-strings joined (as
// net.Resolver does). The name is built only from labels that pass the
// checks of [DNSSource]; an invalid one gives an error wrapping
// [ErrDNSName] and lookup is not called.
//
// Failures are answers, as a DNSSource gives them: an error that is a
// *net.DNSError becomes one record with DNSError "NXDOMAIN" (IsNotFound),
// "TIMEOUT" (IsTimeout) or "SERVFAIL" (any other), and a nil error. Any
// other error of lookup, and the end of ctx, is returned as an error.
// Records have Source "dns"; Seen is left zero (the source keeps no clock).
//
// Like a DNSSource, the source is used only where the caller puts it (as
// provenance.Options.DNS, say), asks each name once in its life and keeps
// the answer, failures included, for every later Lookup; concurrent
// lookups of one name share one call. Errors are not kept: the next Lookup
// of that name calls lookup again. It is safe for concurrent use when
// lookup is.
func NewLookupTXTSource(lookup func(ctx context.Context, name string) ([]string, error)) KeySource {
	return &txtSource{lookup: lookup, answers: map[string]*txtFlight{}}
}

type txtSource struct {
	lookup  func(ctx context.Context, name string) ([]string, error)
	mu      sync.Mutex
	answers map[string]*txtFlight // by lookup name
}

// A txtFlight is one name's lookup: done is closed when recs is set or the
// lookup failed (failed set; the next asker tries again).
type txtFlight struct {
	done   chan struct{}
	recs   []KeyRecord
	failed bool
}

func (s *txtSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	domain, selector = dkimcore.NormalName(domain), dkimcore.NormalName(selector)
	fqdn := selector + "._domainkey." + domain + "."
	if _, err := dnsName(fqdn); err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		f, ok := s.answers[fqdn]
		if !ok {
			f = &txtFlight{done: make(chan struct{})}
			s.answers[fqdn] = f
		}
		s.mu.Unlock()
		if !ok {
			return s.ask(ctx, f, fqdn, domain, selector)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !f.failed {
			return slices.Clone(f.recs), nil
		}
	}
}

// ask calls lookup for one name on behalf of every caller waiting on f.
func (s *txtSource) ask(ctx context.Context, f *txtFlight, fqdn, domain, selector string) ([]KeyRecord, error) {
	txts, err := s.lookup(ctx, fqdn)
	var dnsErr *net.DNSError
	var recs []KeyRecord
	switch {
	case err == nil:
		for _, t := range txts {
			recs = append(recs, KeyRecord{Domain: domain, Selector: selector, TXT: t, Source: "dns"})
		}
		if len(recs) == 0 {
			// No TXT record under the name: what a DNSSource calls NXDOMAIN.
			recs = []KeyRecord{{Domain: domain, Selector: selector, DNSError: "NXDOMAIN", Source: "dns"}}
		}
	case ctx.Err() != nil:
		// The caller gave up: not the name's answer.
	case errors.As(err, &dnsErr):
		code := "SERVFAIL"
		switch {
		case dnsErr.IsNotFound:
			code = "NXDOMAIN"
		case dnsErr.IsTimeout:
			code = "TIMEOUT"
		}
		recs, err = []KeyRecord{{Domain: domain, Selector: selector, DNSError: code, Source: "dns"}}, nil
	}
	if err != nil {
		s.mu.Lock()
		delete(s.answers, fqdn)
		s.mu.Unlock()
		f.failed = true
		close(f.done)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("dkim: looking up %s: %w", fqdn[:len(fqdn)-1], err)
	}
	f.recs = recs
	close(f.done)
	return slices.Clone(recs), nil
}
