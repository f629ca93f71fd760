package dkim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Errors of LookupKeys, beside ErrKeyRevoked and the ParseKey errors.
var (
	// ErrNoKey: no source has a record for the name (or a recorded NXDOMAIN).
	ErrNoKey = errors.New("dkim: no key record")
	// ErrKeyTempFail: the lookup failed in a way that may pass (a recorded
	// or live SERVFAIL, TIMEOUT or REFUSED, or a failing source).
	ErrKeyTempFail = errors.New("dkim: key lookup failed temporarily")
)

// A KeyLookup is the outcome of resolving one selector by DESIGN.md's rule.
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

// LookupKeys resolves selector._domainkey.domain from opts.Keys, and from
// opts.DNS only when the key files hold no usable record.
//
// Every usable record becomes a candidate, in source order; the verifier
// tries each and reports which verified (keys are rotated under reused
// selectors). With no usable record, Result is ResultRevoked if a record
// has an empty p=, else ResultPermError if a record is malformed or
// unsupported, else ResultTempError if a failure other than NXDOMAIN was
// recorded or a source failed, else ResultNoKey. Records are not filtered by
// time. A nil opts, or one without sources, gives ResultNoKey.
//
// Parsed keys are cached by record text, so that the same record is parsed
// once however many messages cite it. LookupKeys is safe for concurrent use
// when the sources are.
func LookupKeys(ctx context.Context, opts *Options, domain, selector string) KeyLookup {
	var st lookupState
	if opts != nil && opts.Keys != nil {
		st.ask(ctx, opts.Keys, domain, selector)
	}
	if len(st.out.Candidates) == 0 && opts != nil && opts.DNS != nil {
		st.ask(ctx, opts.DNS, domain, selector)
	}
	return st.result()
}

// lookupState gathers what the sources said for one name.
type lookupState struct {
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
		k, err := parseKeyCached(r.TXT)
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

// keyCache memoises ParseKey by record text. Keys are immutable, so one
// parsed Key is shared by every goroutine. The cache is bounded: when full
// it is emptied, which only costs a re-parse.
var keyCache struct {
	sync.RWMutex
	m map[string]keyCacheEntry
}

type keyCacheEntry struct {
	key *Key
	err error
}

const keyCacheMax = 4096

func parseKeyCached(txt string) (*Key, error) {
	if len(txt) > 8<<10 {
		return ParseKey(txt) // not worth a cache slot
	}
	keyCache.RLock()
	e, ok := keyCache.m[txt]
	keyCache.RUnlock()
	if ok {
		return e.key, e.err
	}
	k, err := ParseKey(txt)
	keyCache.Lock()
	if keyCache.m == nil || len(keyCache.m) >= keyCacheMax {
		keyCache.m = make(map[string]keyCacheEntry)
	}
	keyCache.m[txt] = keyCacheEntry{k, err}
	keyCache.Unlock()
	return k, err
}

// KeySources combines sources into one that asks each in order and
// returns all their records, in order. A failing source does not hide the
// others: its error is returned, joined with any others, beside the records
// that were found. Nil sources are skipped.
func KeySources(srcs ...KeySource) KeySource {
	var list multiSource
	for _, s := range srcs {
		if s != nil {
			list = append(list, s)
		}
	}
	return list
}

type multiSource []KeySource

func (m multiSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	var recs []KeyRecord
	var errs []error
	for _, s := range m {
		r, err := s.Lookup(ctx, domain, selector)
		recs = append(recs, r...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return recs, errors.Join(errs...)
}

func (m multiSource) anyPublished() bool {
	for _, s := range m {
		if pi, ok := s.(publishedIndex); ok && pi.anyPublished() {
			return true
		}
	}
	return false
}

// publishedMaterial asks every source that keeps a published-key index;
// the earliest publication wins.
func (m multiSource) publishedMaterial(key string) (KeyRecord, bool) {
	var best KeyRecord
	found := false
	for _, s := range m {
		if pi, ok := s.(publishedIndex); ok {
			if r, ok := pi.publishedMaterial(key); ok && (!found || r.PrivateKeyPublished.Before(best.PrivateKeyPublished)) {
				best, found = r, true
			}
		}
	}
	return best, found
}
