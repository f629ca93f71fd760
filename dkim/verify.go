package dkim

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// MaxMessageBytes is the size above which Verify refuses a message: 100 MiB,
// so that a hostile archive cannot make one message cost unbounded memory.
const MaxMessageBytes = 100 << 20

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
// what they prove (see the package doc). Only the first
// Options.MaxSignatures signatures that parse are checked; later ones are
// parsed and reported with ResultSkipped. DomainKey-Signature fields go to
// [Verification.DomainKeys]; other names (X-Google-DKIM-Signature) are
// ignored. Signatures sharing a body canonicalization, hash and l= share
// one body hash computation.
func VerifyBytes(ctx context.Context, msg []byte, opts *Options) (*Verification, error) {
	return VerifyHeader(ctx, ParseHeader(msg), opts)
}

// VerifyHeader is VerifyBytes on a message whose header was split by
// [ParseHeader]: the message is ph.Message(). A header past the caps is an
// error wrapping ErrHeaderTooLarge, as for VerifyBytes.
func VerifyHeader(ctx context.Context, ph *Header, opts *Options) (*Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ph.err != nil {
		return nil, ph.err
	}
	msg, h := ph.msg, ph.raw
	v := &Verification{Findings: findings(h), Signatures: []Signature{}, DomainKeys: []Signature{}}

	type pending struct {
		field int // index in h.Fields
		checked
	}
	var checks []pending
	var dkFields []int
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
			dkFields = append(dkFields, i)
		}
	}
	res := opts.resolver()
	keys := map[string]dkimcore.KeyLookup{}
	if len(dkFields) > 0 {
		v.DomainKeys = verifyDomainKeys(ctx, h, msg, dkFields, res, keys, opts)
	}
	if len(checks) == 0 {
		return v, ctx.Err()
	}

	// One body pass per distinct (hash, body canonicalization, l=).
	type bodyKey struct {
		h     crypto.Hash
		c     dkimcore.Canonicalization
		limit int64
	}
	type bodySum struct {
		sum      []byte
		unsigned int64
	}
	body := msg[h.BodyOffset:]
	sums := map[bodyKey]bodySum{}
	if ph.body.sum != nil {
		sums[bodyKey{crypto.SHA256, ph.body.c, ph.body.limit}] = bodySum{ph.body.sum, ph.body.unsigned}
	}
	var buf []byte
	for _, c := range checks {
		sig := &v.Signatures[c.index]
		p := c.p
		bk := bodyKey{p.hash, p.bc, p.length}
		bs, ok := sums[bk]
		if !ok {
			if testHookBodyHash != nil {
				testHookBodyHash()
			}
			bs.sum, bs.unsigned = dkimcore.BodyHash(p.hash, p.bc, p.length, body)
			sums[bk] = bs
		}
		sig.UnsignedBodyBytes = bs.unsigned
		sig.BodyHash = BodyMismatch
		if bytes.Equal(bs.sum, p.bh) {
			sig.BodyHash = BodyMatch
		}

		selected := dkimcore.SelectSignedFields(h.Fields, p.headers, c.field)
		sig.Coverage = coverage(h.Fields, p.headers, selected, c.field)
		buf = dkimcore.AppendHeaderHashInput(buf[:0], h.Fields, selected, h.Fields[c.field].Raw, p.hc)
		hh := p.hash.New()
		hh.Write(buf)
		digest := hh.Sum(nil)

		name := sig.LookupName
		lk, ok := keys[name]
		if !ok {
			lk = res.Lookup(ctx, strings.ToLower(p.domain), strings.ToLower(p.selector))
			keys[name] = lk
		}
		kc := res.Check(lk, &dkimcore.Signed{
			Algorithm: p.algorithm, Hash: p.hash, KeyType: p.keyType,
			Domain: p.domain, Selector: p.selector, Identity: p.identity,
			B: p.b, Digest: digest, BodyMismatch: sig.BodyHash == BodyMismatch,
		})
		sig.HeaderSignature, sig.Result, sig.Err = HeaderStatus(kc.Header), Result(kc.Result), kc.Err
		sig.KeyBits, sig.KeySource, sig.Key, sig.KeyMismatch = kc.KeyBits, kc.KeySource, kc.Key, kc.KeyMismatch
	}
	if err := ctx.Err(); err != nil {
		return v, err
	}
	return v, nil
}

// testHookBodyHash, when set by a test, is called for every body hash
// VerifyHeader computes.
var testHookBodyHash func()

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
