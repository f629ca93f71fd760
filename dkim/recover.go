package dkim

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// ErrNoRecovery is wrapped in Recovery.Err when a selector's signatures
// give no key: fewer than two of them, keys that differ, or an exponent
// other than 65537.
var ErrNoRecovery = errors.New("dkim: no key recovered")

// A KeyRecovery gathers the RSA signatures of an archive's messages and
// recovers the public keys that made them (see [KeyRecovery.Recover]). The
// zero KeyRecovery is empty and ready. It is safe for concurrent use.
type KeyRecovery struct {
	mu     sync.Mutex
	groups map[recoveryGroup][]recoverySample
}

// A recoveryGroup is one selector and signature size: only signatures of
// one size can come from one key.
type recoveryGroup struct {
	domain, selector string
	size             int // len(b=) in bytes
}

type recoverySample struct {
	id string
	dkimcore.RecoverySample
}

// Add gathers the rsa-sha256 and rsa-sha1 DKIM signatures of the message
// whose header is ph, with their header hashes; id names the message in
// the recovered record's RecoveredFrom (its Message-ID, or where it is
// stored). Signatures that cannot be parsed are left out, and so is a
// signature already gathered (the same message twice in an archive).
func (kr *KeyRecovery) Add(ph *Header, id string) {
	if ph.err != nil {
		return
	}
	h := ph.raw
	var buf []byte
	for i := range h.Fields {
		f := &h.Fields[i]
		if !f.NameEqualFold("DKIM-Signature") {
			continue
		}
		p, err := parseSignature(string(f.Value()))
		if err != nil || p.keyType != "rsa" || len(p.b) == 0 {
			continue
		}
		selected := dkimcore.SelectSignedFields(h.Fields, p.headers, i)
		buf = dkimcore.AppendHeaderHashInput(buf[:0], h.Fields, selected, f.Raw, p.hc)
		hh := p.hash.New()
		hh.Write(buf)
		g := recoveryGroup{strings.ToLower(p.domain), strings.ToLower(p.selector), len(p.b)}
		s := recoverySample{id, dkimcore.RecoverySample{Hash: p.hash, Digest: hh.Sum(nil), Sig: p.b}}
		kr.mu.Lock()
		if kr.groups == nil {
			kr.groups = map[recoveryGroup][]recoverySample{}
		}
		if !slices.ContainsFunc(kr.groups[g], func(o recoverySample) bool { return bytes.Equal(o.Sig, s.Sig) }) {
			kr.groups[g] = append(kr.groups[g], s)
		}
		kr.mu.Unlock()
	}
}

// RecoverOptions configures Recover. A nil *RecoverOptions is the same as
// &RecoverOptions{}.
type RecoverOptions struct {
	// Keys holds the keys already known: a selector for which it has a
	// usable record (one that is not itself recovered) is not recovered.
	// If nil, every selector is.
	Keys KeySource
	// MaxAttempts caps the pairs of signatures tried per selector and
	// size; each costs a GCD of numbers of 65537 times the key's bits
	// (about a minute for a 1024-bit key). If zero, 3.
	MaxAttempts int
	// Source is the recovered records' Source. If empty, "recovered by
	// leakproof keys recover".
	Source string
}

func (o *RecoverOptions) maxAttempts() int {
	if o == nil || o.MaxAttempts <= 0 {
		return 3
	}
	return o.MaxAttempts
}

func (o *RecoverOptions) source() string {
	if o == nil || o.Source == "" {
		return "recovered by leakproof keys recover"
	}
	return o.Source
}

// A Recovery is the outcome of key recovery for one selector and
// signature size.
type Recovery struct {
	Domain, Selector string // lower case, as key files store them
	Bits             int    // the signatures' size: 8·len(b=)
	Signatures       int    // the distinct RSA signatures gathered
	// Keys are the keys recovered, each a record marked Recovered whose
	// RecoveredFrom names the messages it verifies: every signature of
	// the selector was checked against it. Several when the selector was
	// reused with new keys; empty when none could be recovered.
	Keys []KeyRecord
	// Unexplained counts the signatures no recovered key verifies.
	Unexplained int
	// Err wraps ErrNoRecovery when Keys is empty; nil otherwise.
	Err error
}

// Recover recovers the public key of every selector for which two or more
// RSA signatures of one size were gathered and opts.Keys holds no usable
// record, in the order of domain, selector and size.
//
// An RSA signature s of message block m satisfies s^e ≡ m (mod n), so n
// divides s^e − m; for two signatures made with one key, the GCD of the
// two is n times a small cofactor, which is divided out. The exponent e is
// taken to be 65537. Every candidate is checked against every signature of
// the selector (s^e mod n = m): signatures made with different keys give
// no key, never a wrong one. A pair that gives none is followed by the
// next, up to opts.MaxAttempts pairs.
//
// Selectors are worked on in parallel, up to GOMAXPROCS at once, and each
// pair computes its two powers in parallel; all goroutines end before
// Recover returns. It returns ctx's error, with the outcomes finished, when
// ctx is done.
//
// A recovered key proves that the messages it verifies were signed with
// one key, not whose key it is: anyone can make a key pair and sign with
// any domain and selector. Verification gives ResultRecoveredKey for a
// signature only a recovered record verifies.
func (kr *KeyRecovery) Recover(ctx context.Context, opts *RecoverOptions) ([]Recovery, error) {
	kr.mu.Lock()
	var groups []recoveryGroup
	for g, ss := range kr.groups {
		if len(ss) >= 2 {
			groups = append(groups, g)
		}
	}
	kr.mu.Unlock()
	slices.SortFunc(groups, func(a, b recoveryGroup) int {
		return cmp.Or(cmp.Compare(a.domain, b.domain), cmp.Compare(a.selector, b.selector), cmp.Compare(a.size, b.size))
	})
	var todo []recoveryGroup
	for _, g := range groups {
		if opts != nil && opts.Keys != nil && haveIndependentKey(ctx, opts.Keys, g.domain, g.selector) {
			continue
		}
		todo = append(todo, g)
	}
	out := make([]Recovery, len(todo))
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, g := range todo {
		kr.mu.Lock()
		ss := slices.Clone(kr.groups[g])
		kr.mu.Unlock()
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i] = recoverGroup(ctx, g, ss, opts)
		})
	}
	wg.Wait()
	return out, ctx.Err()
}

// haveIndependentKey reports whether keys hold a usable record for the
// name that is not a recovered key.
func haveIndependentKey(ctx context.Context, keys KeySource, domain, selector string) bool {
	recs, _ := keys.Lookup(ctx, domain, selector)
	for _, r := range recs {
		if r.DNSError != "" || r.Recovered {
			continue
		}
		if k, err := ParseKey(r.TXT); err == nil && !k.Revoked() {
			return true
		}
	}
	return false
}

func recoverGroup(ctx context.Context, g recoveryGroup, ss []recoverySample, opts *RecoverOptions) Recovery {
	// A fixed order, whatever order the messages were added in.
	slices.SortFunc(ss, func(a, b recoverySample) int { return cmp.Or(cmp.Compare(a.id, b.id), bytes.Compare(a.Sig, b.Sig)) })
	rec := Recovery{Domain: g.domain, Selector: g.selector, Bits: 8 * g.size, Signatures: len(ss)}
	rest, explained := ss, 0
	for attempt := 0; attempt < opts.maxAttempts() && len(rest) >= 2 && ctx.Err() == nil; attempt++ {
		others := make([]*dkimcore.RecoverySample, 0, len(rest)-2)
		for i := range rest[2:] {
			others = append(others, &rest[2+i].RecoverySample)
		}
		n, err := dkimcore.RecoverModulus(ctx, &rest[0].RecoverySample, &rest[1].RecoverySample, others)
		if err != nil {
			break
		}
		var confirmed, unconfirmed []recoverySample
		if n != nil {
			for _, s := range rest {
				if s.Confirms(n) {
					confirmed = append(confirmed, s)
				} else {
					unconfirmed = append(unconfirmed, s)
				}
			}
		}
		if len(confirmed) < 2 {
			rest = rest[1:] // the first may be the odd one out: pair the next
			continue
		}
		txt, err := dkimcore.RecoveredRecord(n)
		if err != nil {
			rest = rest[1:]
			continue
		}
		var ids []string
		for _, s := range confirmed {
			ids = append(ids, s.id)
		}
		slices.Sort(ids)
		rec.Keys = append(rec.Keys, KeyRecord{
			Domain: g.domain, Selector: g.selector, TXT: txt, Source: opts.source(),
			Recovered: true, RecoveredFrom: slices.Compact(ids),
		})
		explained += len(confirmed)
		rest = unconfirmed
	}
	rec.Unexplained = len(ss) - explained
	if len(rec.Keys) == 0 {
		rec.Err = ErrNoRecovery
		if err := ctx.Err(); err != nil {
			rec.Err = errors.Join(ErrNoRecovery, err)
		}
	}
	return rec
}
