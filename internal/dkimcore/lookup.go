package dkimcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Errors of Resolver.Lookup, beside ErrKeyRevoked and the ParseKey errors.
var (
	// ErrNoKey: no source has a record for the name (or a recorded NXDOMAIN).
	ErrNoKey = errors.New("dkim: no key record")
	// ErrKeyTempFail: the lookup failed in a way that may pass (a recorded
	// or live SERVFAIL, TIMEOUT, REFUSED or TRUNCATED, or a failing source).
	ErrKeyTempFail = errors.New("dkim: key lookup failed temporarily")
)

// A KeyLookup is the outcome of resolving one selector.
type KeyLookup struct {
	Candidates []KeyCandidate // usable records, each with its parsed key, in source order
	// Result is ResultNone when there are candidates; otherwise
	// ResultRevoked, ResultPermError, ResultTempError or ResultNoKey.
	Result Result
	// Err says why there is no candidate, wrapping ErrKeyRevoked,
	// ErrKeyMalformed or ErrKeyUnsupported, ErrKeyTempFail or ErrNoKey
	// (matching Result); nil when there are candidates.
	Err error
	// Records are all records the sources returned, usable or not, in
	// source order: key files first, then DNS when it was asked.
	Records []KeyRecord
}

// A KeyCandidate is one usable key record: it has text, the text parses,
// and the key is not revoked.
type KeyCandidate struct {
	Record KeyRecord
	Key    *Key
}

// A Resolver finds the key records of a selector and checks signatures
// with them, by the rules DKIM and ARC share. Its methods are safe for
// concurrent use when its sources are.
type Resolver struct {
	// Keys finds key records (key files). If nil, none are used.
	Keys KeySource
	// DNS is asked only when Keys holds no usable record. If nil, never.
	DNS KeySource
	// Published returns the record that marks key material (Key.material)
	// published earliest, under whatever name; nil when no key is marked.
	Published func(material string) (KeyRecord, bool)
	// MinRSABits is the RSA key size below which a key is weak. If zero, 1024.
	MinRSABits int
	// Cache keeps parsed keys by record text. If nil, every record is
	// parsed when it is looked up.
	Cache *KeyCache
}

func (r *Resolver) minRSABits() int {
	if r.MinRSABits <= 0 {
		return 1024
	}
	return r.MinRSABits
}

// Lookup resolves selector._domainkey.domain from r.Keys, and from r.DNS
// only when the key files hold no usable record other than recovered keys
// (KeyRecord.Recovered).
//
// Every usable record becomes a candidate, in source order; the check
// tries each and reports which verified (keys are rotated under reused
// selectors). With no usable record, Result is ResultRevoked if a record
// has an empty p=, else ResultPermError if a record is malformed or
// unsupported, else ResultTempError if a failure other than NXDOMAIN was
// recorded or a source failed, else ResultNoKey. Records are not filtered by
// time. Without sources the result is ResultNoKey.
func (r *Resolver) Lookup(ctx context.Context, domain, selector string) KeyLookup {
	st := lookupState{cache: r.Cache}
	if r.Keys != nil {
		st.ask(ctx, r.Keys, domain, selector)
	}
	if !st.independent() && r.DNS != nil {
		st.ask(ctx, r.DNS, domain, selector)
	}
	return st.result()
}

// lookupState gathers what the sources said for one name.
type lookupState struct {
	cache     *KeyCache
	out       KeyLookup
	revoked   error
	malformed error
	tempfail  error
}

func (st *lookupState) ask(ctx context.Context, src KeySource, domain, selector string) {
	recs, err := src.Lookup(ctx, domain, selector)
	if err != nil && st.tempfail == nil {
		st.tempfail = fmt.Errorf("%w: %w", ErrKeyTempFail, err)
	}
	for _, r := range recs {
		st.out.Records = append(st.out.Records, r)
		if r.DNSError != "" {
			if !strings.EqualFold(r.DNSError, "NXDOMAIN") && st.tempfail == nil {
				st.tempfail = fmt.Errorf("%w: %s for %s._domainkey.%s (%s)", ErrKeyTempFail, r.DNSError, selector, domain, r.Source)
			}
			continue
		}
		k, err := st.cache.Parse(r.TXT)
		switch {
		case err != nil:
			if st.malformed == nil {
				st.malformed = fmt.Errorf("key record from %s: %w", r.Source, err)
			}
		case k.Revoked():
			if st.revoked == nil {
				st.revoked = fmt.Errorf("key record from %s: %w", r.Source, ErrKeyRevoked)
			}
		default:
			st.out.Candidates = append(st.out.Candidates, KeyCandidate{Record: r, Key: k})
		}
	}
}

// independent reports whether a usable record was found that is not a
// recovered key: DNS is asked when the key files hold none, since a key
// recovered from the archive's signatures needs a second source.
func (st *lookupState) independent() bool {
	for _, c := range st.out.Candidates {
		if !c.Record.Recovered {
			return true
		}
	}
	return false
}

func (st *lookupState) result() KeyLookup {
	out := st.out
	switch {
	case len(out.Candidates) > 0:
		out.Result = ResultNone
	case st.revoked != nil:
		out.Result, out.Err = ResultRevoked, st.revoked
	case st.malformed != nil:
		out.Result, out.Err = ResultPermError, st.malformed
	case st.tempfail != nil:
		out.Result, out.Err = ResultTempError, st.tempfail
	default:
		out.Result, out.Err = ResultNoKey, ErrNoKey
	}
	return out
}

// A KeyCache memoises ParseKey by record text, so that a record cited by
// many messages is parsed once. Keys are immutable, so one parsed Key is
// shared by every goroutine. The cache is bounded: when full it is
// emptied, which only costs a re-parse. The zero KeyCache is empty and
// ready; a nil *KeyCache parses every time. It is safe for concurrent use.
type KeyCache struct {
	mu sync.RWMutex
	m  map[string]keyCacheEntry
}

type keyCacheEntry struct {
	key *Key
	err error
}

const keyCacheMax = 4096

// Parse returns ParseKey(txt), from the cache when it was parsed before.
func (c *KeyCache) Parse(txt string) (*Key, error) {
	if c == nil || len(txt) > 8<<10 {
		return ParseKey(txt) // not worth a cache slot
	}
	c.mu.RLock()
	e, ok := c.m[txt]
	c.mu.RUnlock()
	if ok {
		return e.key, e.err
	}
	k, err := ParseKey(txt)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= keyCacheMax {
		c.m = make(map[string]keyCacheEntry)
	}
	c.m[txt] = keyCacheEntry{k, err}
	c.mu.Unlock()
	return k, err
}
