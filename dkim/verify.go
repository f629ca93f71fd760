package dkim

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// MaxMessageBytes is the size above which Verify refuses a message
// (DESIGN.md: the message-size cap, 100 MiB).
const MaxMessageBytes = 100 << 20

// Reasons a signature is not a pass, beside the permerror reasons of
// signature.go and the key errors of key.go and lookup.go. Each is wrapped
// in [Signature.Err].
var (
	ErrBodyHashMismatch = errors.New("dkim: body hash does not match")
	ErrHeaderSignature  = errors.New("dkim: header signature does not verify")
	ErrKeyRestriction   = errors.New("dkim: key record does not allow this signature")
	ErrWeakKey          = errors.New("dkim: RSA key shorter than the policy minimum")
	ErrTestingKey       = errors.New("dkim: key record is in testing mode (t=y)")
	ErrPublishedKey     = errors.New("dkim: the private key was published")
	ErrSkipped          = errors.New("dkim: past the per-message signature cap")
	ErrMessageTooLarge  = errors.New("dkim: message too large")
)

// Verify checks every DKIM signature of the message read from r (the message
// as its format defines it: header, blank line, body; LF or CRLF).
// r is read to the end. A bad signature is a finding, not an error: the
// error is for a failing reader, a message over MaxMessageBytes (wrapping
// ErrMessageTooLarge) or a header over rawheader's caps, or a cancelled ctx.
// Verify is safe for concurrent use; see VerifyBytes for the rules.
func Verify(ctx context.Context, r io.Reader, opts *Options) (*Verification, error) {
	buf := readBuffers.Get().(*bytes.Buffer)
	defer func() {
		// VerifyBytes retains nothing of msg, so the buffer can serve the
		// next message; a very large one is left to the collector.
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			readBuffers.Put(buf)
		}
	}()
	if l, ok := r.(interface{ Len() int }); ok && l.Len() <= MaxMessageBytes {
		buf.Grow(l.Len() + 1) // one allocation for bytes.Reader and the like
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxMessageBytes+1)); err != nil {
		return nil, fmt.Errorf("dkim: reading message: %w", err)
	}
	msg := buf.Bytes()
	if len(msg) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrMessageTooLarge, MaxMessageBytes)
	}
	return VerifyBytes(ctx, msg, opts)
}

// readBuffers holds Verify's read buffers between calls: allocating and
// clearing a fresh buffer cost about a fifth of the time of verifying a
// 1 MB message. Buffers that grew past maxPooledBuffer are not kept.
var readBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

// VerifyBytes is Verify on a message already in memory; msg is not
// modified or retained.
//
// Every DKIM-Signature field gets one [Signature], top to bottom: the body
// hash and the header signature are computed independently (the header
// signature is checked even when the body hash does not match, and the
// body hash is computed even without a key), then [Signature.Result] says
// what they prove, as DESIGN.md defines it. Only the first
// Options.MaxSignatures signatures that parse are checked; later ones are
// parsed and reported with ResultSkipped. DomainKey-Signature fields go to
// [Verification.DomainKeys]; other names (X-Google-DKIM-Signature) are
// ignored. Signatures sharing a body canonicalization, hash and l= share
// one body hash computation.
func VerifyBytes(ctx context.Context, msg []byte, opts *Options) (*Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h, err := rawheader.Split(msg, nil)
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	v := &Verification{Findings: Findings(h), Signatures: []Signature{}, DomainKeys: []DomainKey{}}

	type pending struct {
		field int // index in h.Fields
		checked
	}
	var checks []pending
	for i := range h.Fields {
		f := &h.Fields[i]
		switch {
		case f.NameEqualFold("DKIM-Signature"):
			sig, c := parseField(f, len(v.Signatures), opts)
			if sig.Result == ResultNone && len(checks) >= opts.maxSignatures() {
				sig.Result = ResultSkipped
				sig.Err = fmt.Errorf("%w of %d", ErrSkipped, opts.maxSignatures())
			}
			if sig.Result == ResultNone {
				checks = append(checks, pending{i, c})
			}
			v.Signatures = append(v.Signatures, sig)
		case f.NameEqualFold("DomainKey-Signature"):
			dk := DomainKey{Offset: f.Offset}
			if tags, err := ParseTagList(string(f.Value())); err == nil {
				dk.Domain, _ = lookupTag(tags, "d")
				dk.Selector, _ = lookupTag(tags, "s")
			}
			v.DomainKeys = append(v.DomainKeys, dk)
		}
	}
	if len(checks) == 0 {
		return v, nil
	}

	// One body pass per distinct (hash, body canonicalization, l=).
	type bodyKey struct {
		h     crypto.Hash
		c     Canonicalization
		limit int64
	}
	type bodySum struct {
		sum      []byte
		unsigned int64
	}
	body := msg[h.BodyOffset:]
	sums := map[bodyKey]bodySum{}
	keys := map[string]KeyLookup{}
	var buf []byte
	for _, c := range checks {
		sig := &v.Signatures[c.index]
		p := c.p
		bk := bodyKey{p.hash, p.bc, p.length}
		bs, ok := sums[bk]
		if !ok {
			bh := acquireBodyHasher(p.hash, p.bc, p.length)
			bh.Write(body)
			bs.sum, bs.unsigned = bh.Sum()
			releaseBodyHasher(bh)
			sums[bk] = bs
		}
		sig.UnsignedBodyBytes = bs.unsigned
		sig.BodyHash = BodyMismatch
		if bytes.Equal(bs.sum, p.bh) {
			sig.BodyHash = BodyMatch
		}

		selected := SelectSignedFields(h.Fields, p.headers, c.field)
		sig.Coverage = coverage(h.Fields, p.headers, selected, c.field)
		buf = AppendHeaderHashInput(buf[:0], h.Fields, selected, h.Fields[c.field].Raw, p.hc)
		hh := p.hash.New()
		hh.Write(buf)
		digest := hh.Sum(nil)

		name := sig.LookupName
		lk, ok := keys[name]
		if !ok {
			lk = LookupKeys(ctx, opts, strings.ToLower(p.domain), strings.ToLower(p.selector))
			keys[name] = lk
		}
		if len(lk.Candidates) == 0 {
			sig.Result, sig.Err = lk.Result, lk.Err
			if sig.Result == ResultNone { // a lookup that names no outcome
				sig.Result, sig.Err = ResultNoKey, ErrNoKey
			}
			if len(lk.Records) > 0 {
				rec := lk.Records[len(lk.Records)-1]
				sig.Key, sig.KeySource = &rec, rec.Source
			}
			continue
		}
		checkWithKeys(sig, p, digest, lk.Candidates, opts)
	}
	if err := ctx.Err(); err != nil {
		return v, err
	}
	return v, nil
}

// checked pairs a parsed signature with its index in Verification.Signatures.
type checked struct {
	index int
	p     *sigParams
}

// parseField parses one DKIM-Signature field into its Signature. Result is
// ResultPermError when it cannot be checked, else ResultNone.
func parseField(f *rawheader.Field, index int, opts *Options) (Signature, checked) {
	p, err := parseSignature(string(f.Value()))
	sig := Signature{
		Index:             index,
		Domain:            p.domain,
		Selector:          p.selector,
		Identity:          p.identity,
		Algorithm:         p.algorithm,
		Canonicalization:  p.canon,
		Version:           p.version,
		Draft:             p.draft,
		LookupName:        p.lookupName(),
		SignedHeaders:     p.headers,
		BodyLength:        p.length,
		Timestamp:         p.timestamp,
		Expires:           p.expires,
		B:                 p.bText,
		Coverage:          []FieldCoverage{},
		UnsignedBodyBytes: 0,
	}
	if sig.SignedHeaders == nil {
		sig.SignedHeaders = []string{}
	}
	if !p.timestamp.IsZero() && p.timestamp.After(opts.now()) {
		sig.FutureTimestamp = true
	}
	if err != nil {
		sig.Result, sig.Err = ResultPermError, err
	}
	return sig, checked{index, p}
}

// How much a candidate record's check proves, from least to most telling.
const (
	rankRestrictedNotMade = iota // a restriction forbids it and the key cannot have made b= (or is of another type)
	rankMismatch                 // checked: the key cannot have made b= (KeyMismatch)
	rankRestrictedMade           // a restriction forbids it, though the key made b= (or may have: Ed25519)
	rankOtherBytes               // checked: the key signed other bytes (or may have: Ed25519)
	rankValid                    // checked and verifies
)

// checkWithKeys checks the signature with every usable key record of its
// selector (keys are rotated under reused selectors) and sets the result.
// The Result and the reason never depend on the order of the records:
//
//   - The standing of a key is read from every candidate record holding
//     the same key material, whatever their restrictions: the key is
//     published when any of them has PrivateKeyPublished (the earliest
//     date is the one reported), testing when any of them has t=y.
//   - When candidates verify, the one with the worst outcome wins:
//     published_key, then testing_key, then weak_key, then pass.
//   - Else the most telling failure wins: a key that signed other bytes
//     (fail), then a key whose restrictions forbid a signature it made
//     (permerror), then a key that cannot have made b= (fail with
//     KeyMismatch, so set only when every candidate cannot have made it),
//     then a restriction on a key that cannot have made it (permerror);
//     among equals the worst standing.
//
// Key and KeySource name the record that decides: the one marking the key
// published (earliest date), else the t=y one for testing_key, else the
// winning record; between records of equal standing, the first that
// verifies, or the last tried when none does.
func checkWithKeys(sig *Signature, p *sigParams, digest []byte, cands []KeyCandidate, opts *Options) {
	type outcome struct {
		cand        KeyCandidate
		restriction error
		verr        error
		rank        int
		published   *KeyRecord // the same-key record published earliest; nil if none
		testing     *KeyRecord // the first same-key record with t=y; nil if none
	}
	standing := func(o *outcome) Result {
		switch {
		case o.published != nil:
			return ResultPublishedKey
		case o.cand.Key.Type() == "rsa" && o.cand.Key.Bits() < opts.minRSABits():
			return ResultWeakKey
		case o.testing != nil:
			return ResultTestingKey
		}
		return ResultPass
	}
	worse := func(r Result) int { // the worst outcome wins among candidates
		switch r {
		case ResultPublishedKey:
			return 3
		case ResultTestingKey:
			return 2
		case ResultWeakKey:
			return 1
		}
		return 0
	}
	var best *outcome
	for _, c := range cands {
		o := &outcome{cand: c}
		o.restriction = keyRestriction(c.Key, p)
		if c.Key.Type() == p.keyType {
			o.verr = c.Key.Verify(p.hash, digest, p.b)
		}
		made := c.Key.Type() == p.keyType && !errors.Is(o.verr, ErrKeyMismatch)
		switch {
		case o.restriction != nil && made:
			o.rank = rankRestrictedMade
		case o.restriction != nil:
			o.rank = rankRestrictedNotMade
		case o.verr == nil:
			o.rank = rankValid
		case made:
			o.rank = rankOtherBytes
		default:
			o.rank = rankMismatch
		}
		for _, other := range cands {
			if !c.Key.sameMaterial(other.Key) {
				continue
			}
			r := other.Record
			if !r.PrivateKeyPublished.IsZero() && (o.published == nil || r.PrivateKeyPublished.Before(o.published.PrivateKeyPublished)) {
				o.published = &r
			}
			if other.Key.Testing() && o.testing == nil {
				o.testing = &r
			}
		}
		// The same key marked published under another selector or domain.
		if pi, ok := opts.keys().(publishedIndex); ok && pi.anyPublished() {
			if r, ok := pi.publishedMaterial(c.Key.material()); ok && (o.published == nil || r.PrivateKeyPublished.Before(o.published.PrivateKeyPublished)) {
				o.published = &r
			}
		}
		switch {
		case best == nil, o.rank > best.rank:
			best = o
		case o.rank < best.rank:
		case worse(standing(o)) > worse(standing(best)):
			best = o
		case worse(standing(o)) == worse(standing(best)) && o.rank != rankValid:
			best = o // ties between failures: the last tried, as Signature.Key says
		}
	}
	rec := best.cand.Record
	st := standing(best)
	switch {
	case st == ResultPublishedKey:
		rec = *best.published
	case st == ResultTestingKey:
		rec = *best.testing
	}
	sig.Key, sig.KeySource = &rec, rec.Source
	sig.KeyBits = best.cand.Key.Bits()
	if best.restriction != nil {
		sig.Result, sig.Err = ResultPermError, best.restriction
		return
	}
	sig.HeaderSignature = HeaderInvalid
	if best.rank == rankValid {
		sig.HeaderSignature = HeaderValid
	}
	sig.KeyMismatch = best.rank == rankMismatch
	var arith error
	switch {
	case best.rank == rankMismatch:
		// One sentence in plain words, every sentinel.
		arith = &reasons{
			text: ErrHeaderSignature.Error() + ": the key on file is not the one that made this signature" +
				" (a key rotated under the same selector, or a damaged or made-up b=); this is no evidence of a change",
			errs: []error{ErrHeaderSignature, ErrVerification, ErrKeyMismatch},
		}
	case best.rank != rankValid && best.verr == ErrVerification:
		// The plain arithmetic failure: one sentence, both sentinels.
		arith = &reasons{text: ErrHeaderSignature.Error(), errs: []error{ErrHeaderSignature, ErrVerification}}
	case best.rank != rankValid:
		arith = fmt.Errorf("%w: %w", ErrHeaderSignature, best.verr)
	}
	if sig.BodyHash == BodyMismatch {
		if arith == nil {
			arith = ErrBodyHashMismatch
		} else {
			arith = joinReasons(arith, ErrBodyHashMismatch)
		}
	}
	k := best.cand.Key
	switch st {
	case ResultPublishedKey:
		sig.Result = ResultPublishedKey
		where := ""
		if keyName(rec.Domain, rec.Selector) != keyName(p.domain, p.selector) {
			where = fmt.Sprintf(", as the key of %s._domainkey.%s", rec.Selector, rec.Domain)
		}
		sig.Err = joinArith(fmt.Errorf("%w (%s%s)", ErrPublishedKey, rec.PrivateKeyPublished.Format("2006-01-02"), where), arith)
	case ResultWeakKey:
		sig.Result = ResultWeakKey
		sig.Err = joinArith(fmt.Errorf("%w: %d bits, minimum %d", ErrWeakKey, k.Bits(), opts.minRSABits()), arith)
	case ResultTestingKey:
		sig.Result = ResultTestingKey
		sig.Err = joinArith(ErrTestingKey, arith)
	default:
		if arith != nil {
			sig.Result, sig.Err = ResultFail, arith
		} else {
			sig.Result, sig.Err = ResultPass, nil
		}
	}
}

func joinArith(reason, arith error) error {
	if arith == nil {
		return reason
	}
	return joinReasons(reason, arith)
}

// reasons is an error made of several, written on one line (a reason
// ends up in one JSON string) and unwrapping to each.
type reasons struct {
	text string
	errs []error
}

func (r *reasons) Error() string   { return r.text }
func (r *reasons) Unwrap() []error { return r.errs }

// joinReasons joins errors as "a; b", keeping errors.Is on each.
func joinReasons(errs ...error) error {
	texts := make([]string, len(errs))
	for i, e := range errs {
		texts[i] = e.Error()
	}
	return &reasons{text: strings.Join(texts, "; "), errs: errs}
}

// keyRestriction checks the key record's restrictions on the signature
// (RFC 6376 §3.6.1, §6.1.2): k= against a=, h= against a=, s= against
// "email", t=s against i=, and the g= granularity of RFC 4871 §3.6.1.
func keyRestriction(k *Key, p *sigParams) error {
	if k.Type() != p.keyType {
		return fmt.Errorf("%w: k=%s key for a=%s", ErrKeyRestriction, k.Type(), p.algorithm)
	}
	hashName := "sha256"
	if p.hash == crypto.SHA1 {
		hashName = "sha1"
	}
	if !k.AllowsHash(hashName) {
		return fmt.Errorf("%w: h= of the key excludes %s", ErrKeyRestriction, hashName)
	}
	if !k.AllowsEmail() {
		return fmt.Errorf("%w: s= of the key excludes email", ErrKeyRestriction)
	}
	local, idDomain := "", p.domain
	if at := strings.LastIndexByte(p.identity, '@'); at >= 0 {
		local, idDomain = p.identity[:at], p.identity[at+1:]
	}
	if k.Strict() && !strings.EqualFold(idDomain, p.domain) {
		return fmt.Errorf("%w: t=s forbids i= in a subdomain of d=", ErrKeyRestriction)
	}
	// RFC 4871 §3.6.1 g= (granularity) was dropped by RFC 6376, but it was
	// the rule from 2007 to 2011, when the signatures of old archives were
	// made, and Mail::DKIM still applies it. A key without g= allows all;
	// "an empty g= value never matches any addresses" (RFC 4871 §3.6.1),
	// not even the empty local part of a default i=.
	if g, has := k.Granularity(); has && (g == "" || !k.MatchesGranularity(local)) {
		return fmt.Errorf("%w: g= of the key does not match the i= local part %q", ErrKeyRestriction, local)
	}
	return nil
}
