package arc

import (
	"bytes"
	"context"
	"crypto"
	"hash"
	"strings"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// verifier holds the state of one Verify call.
type verifier struct {
	ctx      context.Context
	opts     *dkim.Options
	keys     *dkimcore.Resolver
	msg      []byte // CRLF
	hdr      *rawheader.Header
	c        *collection
	bodies   map[bodyKey]bodySum
	prefixes map[crypto.Hash]*prefix
	buf      []byte
}

type bodyKey struct {
	h crypto.Hash
	c dkimcore.Canonicalization
	l int64
}

type bodySum struct {
	sum      []byte
	unsigned int64
}

// run checks every instance and decides the chain by RFC 8617 §5.2.
func (v *verifier) run() *Result {
	inst := v.c.instances()
	for idx := range inst {
		if v.ctx.Err() != nil {
			break
		}
		in := &inst[idx]
		i := in.Instance
		switch af := v.c.one(i, kindAMS); {
		case af != nil && inst[len(inst)-1].Instance-i >= maxSignatures(v.opts):
			// Older message signatures do not decide the chain; past the
			// per-message cap they are not computed, so that a 50-set
			// header whose h= lists every ARC field costs what 16
			// DKIM signatures do.
			// Its tags are still checked: a malformed set fails the
			// chain wherever it is.
			_, c := parseSig(kindAMS, af.tags)
			if !c.malformed {
				c.Result = dkim.ResultSkipped
				c.Err = errf(nil, nil, "older ARC-Message-Signature past the cap of %d checked per message", maxSignatures(v.opts))
			}
			in.MessageCheck = c
		case af != nil:
			in.MessageCheck = v.checkAMS(af)
		default:
			in.MessageCheck = unchecked(errf(ErrMissing, nil, "instance %d has no single ARC-Message-Signature", i))
		}
		if af := v.c.one(i, kindAS); af != nil && v.c.complete(i) {
			in.SealCheck = v.checkAS(i, af)
		} else {
			in.SealCheck = unchecked(errf(ErrMissing, nil, "the sets 1..%d are not complete, so the seal cannot be computed", i))
		}
		in.Seal = in.SealCheck.Result
		in.MessageSignature = in.MessageCheck.Result
		in.SealTime = in.SealCheck.Timestamp
	}

	// Step 1: structure, then fields too malformed to be a signature
	// at all, wherever they are in the chain.
	if at, err := v.c.structure(); err != nil {
		return failed(at, err, inst)
	}
	for idx := range inst {
		in := &inst[idx]
		if in.MessageCheck.malformed {
			return failed(in.Instance, errf(nil, in.MessageCheck.Err, "ARC-Message-Signature i=%d", in.Instance), inst)
		}
		if in.SealCheck.malformed {
			return failed(in.Instance, errf(nil, in.SealCheck.Err, "ARC-Seal i=%d", in.Instance), inst)
		}
	}
	n := len(inst) // structure() guarantees instances 1..n, in order
	latest := &inst[n-1]
	// Step 2: a chain an earlier hop found failed stays failed.
	if latest.CV == "fail" {
		return failed(n, errf(ErrChainFailed, nil, "ARC-Seal i=%d says cv=fail: an earlier receiver found the chain broken", n), inst)
	}
	// Step 3: the latest message signature must verify; older ones are
	// expected to break when a later hop changes the message.
	if latest.MessageSignature != dkim.ResultPass {
		return failed(n, errf(ErrSignature, latest.MessageCheck.Err, "ARC-Message-Signature i=%d: %s", n, latest.MessageSignature), inst)
	}
	// Step 4: every seal, newest first, and its cv= (RFC 8617 §5.1.1:
	// none for the first instance, pass for every later one).
	for i := n; i >= 1; i-- {
		in := &inst[i-1]
		switch {
		case in.Seal != dkim.ResultPass:
			return failed(i, errf(ErrSignature, in.SealCheck.Err, "ARC-Seal i=%d: %s", i, in.Seal), inst)
		case i == 1 && in.CV != "none":
			return failed(i, errf(ErrCV, nil, "ARC-Seal i=1 says cv=%s, not none", in.CV), inst)
		case i > 1 && in.CV != "pass":
			return failed(i, errf(ErrCV, nil, "ARC-Seal i=%d says cv=%s, not pass", i, in.CV), inst)
		}
	}
	return &Result{Chain: ChainPass, Instances: inst}
}

// unchecked is the Check of a signature the chain structure kept from
// being computed.
func unchecked(err error) Check {
	return Check{Result: dkim.ResultPermError, Err: err}
}

// checkAMS verifies one ARC-Message-Signature: a DKIM signature by another
// name (RFC 8617 §4.1.2), hashed with the dkim package.
func (v *verifier) checkAMS(af *arcField) Check {
	s, c := parseSig(kindAMS, af.tags)
	if c.Err != nil {
		return c
	}
	bs := v.bodyHash(s.hash, s.bodyCanon, s.length)
	c.UnsignedBodyBytes = bs.unsigned
	if bytes.Equal(bs.sum, s.bh) {
		c.BodyHash = dkim.BodyMatch
	} else {
		c.BodyHash = dkim.BodyMismatch
	}
	// RFC 6376 §5.4.2: each name in h= takes the next instance of that
	// field from the bottom of the header.
	sel := dkimcore.SelectSignedFields(v.hdr.Fields, s.headers, af.index)
	v.buf = dkimcore.AppendHeaderHashInput(v.buf[:0], v.hdr.Fields, sel, af.field.Raw, s.headerCanon)
	hh := s.hash.New()
	hh.Write(v.buf)
	v.verifyKey(&c, s, hh.Sum(nil))
	return c
}

// checkAS verifies the ARC-Seal of instance i (RFC 8617 §5.1.1): relaxed
// canonicalization of the ARC sets 1..i, each in the order
// ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, with the
// b= value of the seal being checked emptied and its line ending dropped;
// a seal with cv=fail covers its own set only. The caller has made sure
// sets 1..i are complete.
func (v *verifier) checkAS(i int, af *arcField) Check {
	s, c := parseSig(kindAS, af.tags)
	if c.Err != nil {
		return c
	}
	var hh hash.Hash
	if s.cv == "fail" {
		// A sealer that found the chain broken signs only its own set: so
		// do dkimpy and the signing cases of the ARC test suite
		// (i1_base_fail, i2_base_fail), whose expected seals verify only
		// that way. The chain fails either way; this keeps the seal's own
		// result honest.
		hh = s.hash.New()
	} else {
		hh = v.sealPrefix(s.hash, i)
	}
	for k := range kindAS {
		hh.Write(v.relaxed(v.c.one(i, k)))
	}
	v.buf = dkimcore.AppendHeaderHashInput(v.buf[:0], v.hdr.Fields, nil, af.field.Raw, dkimcore.Relaxed)
	hh.Write(v.buf)
	v.verifyKey(&c, s, hh.Sum(nil))
	return c
}

// sealPrefix returns a hash of the relaxed sets 1..i-1 for the seal of
// instance i. Seals are checked in instance order, and each seal's input
// starts with the previous seal's sets, so one running hash per algorithm
// is extended and cloned: the work stays linear in the header size however
// many sets there are. The sets 1..i are complete.
func (v *verifier) sealPrefix(h crypto.Hash, i int) hash.Hash {
	p := v.prefixes[h]
	if p == nil || p.upTo > i-1 {
		p = &prefix{h: h.New()}
		v.prefixes[h] = p
	}
	for ; p.upTo < i-1; p.upTo++ {
		for k := range numKinds {
			p.h.Write(v.relaxed(v.c.one(p.upTo+1, k)))
		}
	}
	if c, ok := p.h.(hash.Cloner); ok {
		if clone, err := c.Clone(); err == nil {
			return clone
		}
	}
	// No cloning (GOFIPS140=v1.0.0): hash the prefix again.
	hh := h.New()
	for j := 1; j < i; j++ {
		for k := range numKinds {
			hh.Write(v.relaxed(v.c.one(j, k)))
		}
	}
	return hh
}

// prefix is a running hash over the relaxed ARC sets 1..upTo.
type prefix struct {
	h    hash.Hash
	upTo int
}

// relaxed returns the relaxed canonical form of an ARC field, computed once.
func (v *verifier) relaxed(af *arcField) []byte {
	if af.relaxed == nil {
		af.relaxed = dkimcore.AppendCanonicalHeader(nil, af.field.Raw, dkimcore.Relaxed)
	}
	return af.relaxed
}

// bodyHash hashes the body once per (hash, canonicalization, l=).
func (v *verifier) bodyHash(h crypto.Hash, c dkimcore.Canonicalization, l int64) bodySum {
	k := bodyKey{h, c, l}
	if bs, ok := v.bodies[k]; ok {
		return bs
	}
	var bs bodySum
	bs.sum, bs.unsigned = dkimcore.BodyHash(h, c, l, v.msg[v.hdr.BodyOffset:])
	v.bodies[k] = bs
	return bs
}

// verifyKey checks the signature of s over digest with the keys for
// s.domain and s.selector, by the dkim package's key rules, and fills c
// with the outcome. The body hash, for a message signature, is already in
// c. On top of the dkim rules, rsa-sha1 is not allowed for ARC.
func (v *verifier) verifyKey(c *Check, s *sig, digest []byte) {
	kc := v.keys.CheckDigest(v.ctx, s.domain, s.selector, s.algorithm, digest, s.b, c.BodyHash == dkim.BodyMismatch)
	c.HeaderSignature, c.Result, c.Err = dkim.HeaderStatus(kc.Header), dkim.Result(kc.Result), kc.Err
	c.KeyBits, c.KeySource = kc.KeyBits, kc.KeySource
	if c.Result == dkim.ResultPass && s.algorithm == "rsa-sha1" {
		// RFC 8617 §4.1.2 and §4.1.3 take DKIM's algorithms as updated by
		// RFC 8301, which forbids rsa-sha1 for signing; the ARC test suite
		// (ams_fields_a_sha1, as_fields_a_sha1) fails such a chain. The
		// arithmetic stays visible in HeaderSignature.
		c.Result = dkim.ResultPermError
		c.Err = errf(ErrAlgorithm, nil, "rsa-sha1 is not allowed for ARC (RFC 8301)")
	}
}

// keyResolver returns the key lookup and check for one Verify call. Its
// sources remember their answers for the length of the call (the seals and
// message signatures of a chain often share a selector, and a live DNS
// source should be asked once per name, not once per signature), and its
// cache parses each key record once. Published stays nil: a key counts as
// published for ARC only when a record of the signing selector says so.
func keyResolver(opts *dkim.Options) *dkimcore.Resolver {
	r := &dkimcore.Resolver{Cache: new(dkimcore.KeyCache)}
	if opts == nil {
		return r
	}
	r.MinRSABits = opts.MinRSABits
	if opts.Keys != nil {
		r.Keys = &memoSource{src: opts.Keys}
	}
	if opts.DNS != nil {
		r.DNS = &memoSource{src: opts.DNS}
	}
	return r
}

// memoSource is a dkim.KeySource that asks src once per name. It is used by
// one goroutine only.
type memoSource struct {
	src  dkim.KeySource
	seen map[[2]string]memoAnswer
}

type memoAnswer struct {
	recs []dkim.KeyRecord
	err  error
}

func (m *memoSource) Lookup(ctx context.Context, domain, selector string) ([]dkim.KeyRecord, error) {
	k := [2]string{strings.ToLower(domain), strings.ToLower(selector)}
	if a, ok := m.seen[k]; ok {
		return a.recs, a.err
	}
	recs, err := m.src.Lookup(ctx, domain, selector)
	if m.seen == nil {
		m.seen = map[[2]string]memoAnswer{}
	}
	m.seen[k] = memoAnswer{recs, err}
	return recs, err
}

// maxSignatures mirrors the default of dkim.Options.MaxSignatures.
func maxSignatures(o *dkim.Options) int {
	if o == nil || o.MaxSignatures <= 0 {
		return 16
	}
	return o.MaxSignatures
}
