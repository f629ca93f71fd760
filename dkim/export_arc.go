package dkim

import (
	"context"
	"crypto"
	"fmt"
)

// This file exports, for the arc package (RFC 8617), thin wrappers around
// the verifier's internals, so that ARC has no second copy of the key
// rules or of the domain-label check. It adds no logic of its own.

// ValidDomain reports whether s is a valid d= or s= value: dot-separated
// labels of letters, digits and hyphens, as the key lookup name is built
// only from validated labels (DESIGN.md, "Signatures").
func ValidDomain(s string) bool { return validDomain(s) }

// A DigestCheck is the outcome of checking one signature's header hash with
// the key records of its selector, in the vocabulary of [Signature].
type DigestCheck struct {
	HeaderSignature HeaderStatus
	Result          Result
	Err             error      // why Result is not ResultPass; nil on pass
	KeyBits         int        // 0 without a key
	KeySource       string     // the deciding record's source
	Key             *KeyRecord // the record used; nil when none
	KeyMismatch     bool       // as [Signature.KeyMismatch]: no record's key can have made sig
}

// CheckDigest looks up selector._domainkey.domain as [Verify] does and
// checks sig, a signature over digest made with algorithm ("rsa-sha256",
// "rsa-sha1" or "ed25519-sha256"), with every usable record, applying the
// same key restrictions (k=, h=, s=, t=s, g=) and the same result rules
// (published, weak and testing keys; a body that does not match) as Verify.
// body is the body hash outcome already computed by the caller, or
// BodyUnchecked for a signature that covers no body (an ARC-Seal).
// An unknown algorithm gives ResultPermError.
func CheckDigest(ctx context.Context, opts *Options, domain, selector, algorithm string, digest, sig []byte, body BodyStatus) DigestCheck {
	p := &sigParams{algorithm: algorithm, domain: domain, selector: selector, b: sig}
	switch algorithm {
	case "rsa-sha256":
		p.hash, p.keyType = crypto.SHA256, "rsa"
	case "rsa-sha1":
		p.hash, p.keyType = crypto.SHA1, "rsa"
	case "ed25519-sha256":
		p.hash, p.keyType = crypto.SHA256, "ed25519"
	default:
		return DigestCheck{Result: ResultPermError, Err: fmt.Errorf("%w: a=%q", ErrUnsupportedAlgorithm, algorithm)}
	}
	s := &Signature{BodyHash: body}
	lk := LookupKeys(ctx, opts, domain, selector)
	if len(lk.Candidates) == 0 {
		s.Result, s.Err = lk.Result, lk.Err
		if s.Result == ResultNone {
			s.Result, s.Err = ResultNoKey, ErrNoKey
		}
		if len(lk.Records) > 0 {
			rec := lk.Records[len(lk.Records)-1]
			s.Key, s.KeySource = &rec, rec.Source
		}
	} else {
		checkWithKeys(s, p, digest, lk.Candidates, opts)
	}
	return DigestCheck{
		HeaderSignature: s.HeaderSignature, Result: s.Result, Err: s.Err,
		KeyBits: s.KeyBits, KeySource: s.KeySource, Key: s.Key, KeyMismatch: s.KeyMismatch,
	}
}
