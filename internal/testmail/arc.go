package testmail

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is a test ARC sealer (RFC 8617), written with this package's
// own canonicalization, independently of the dkim and arc packages.

// DefaultAuthServID is the authserv-id of the ARC-Authentication-Results
// that Seal writes unless SealOptions.AuthResults says otherwise.
const DefaultAuthServID = "mx.example.org"

// SealOptions configures Seal. A nil *SealOptions, like the zero value,
// adds the next instance (one above the highest already in the message)
// with cv=none for instance 1 and cv=pass after it, an
// ARC-Authentication-Results recording "dkim=pass", an
// ARC-Message-Signature over h=from:to:subject:date:message-id (rsa-sha256
// or ed25519-sha256 by the key, relaxed/relaxed) and an ARC-Seal, both with
// d= and s= of the key and t= DefaultUnix plus 60 seconds per instance.
// The other fields are knobs to make broken chains.
type SealOptions struct {
	// Instance is i=. If zero, one more than the highest instance in the
	// message (so 1 for a message without ARC fields).
	Instance int
	// CV is the ARC-Seal cv=. If empty, "none" for instance 1, else "pass".
	CV string
	// AuthResults is the ARC-Authentication-Results payload after "i=N; ".
	// If empty, DefaultAuthServID + "; dkim=pass header.d=example.com;
	// spf=pass smtp.mailfrom=example.com".
	AuthResults string
	// Headers is the ARC-Message-Signature h=. If nil, DefaultHeaders()
	// and dkim-signature, as Google's sealer signs.
	Headers []string
	// BodyLength is the ARC-Message-Signature l=, as SignOptions.BodyLength
	// (0 for none, WholeBody for the canonical body's length).
	BodyLength int64
	// Canonicalization is the ARC-Message-Signature c=, as
	// SignOptions.Canonicalization. If empty, relaxed/relaxed.
	Canonicalization string
	// Algorithm is a= of both signatures. If empty, the key's own.
	Algorithm string
	// Domain and Selector override d= and s= of both signatures.
	Domain, Selector string
	// Time is t= of both signatures. If zero, DefaultUnix + 60*instance.
	Time time.Time
	// SealTags are extra tags written into the ARC-Seal before b= and
	// signed with it (Tag{"h", "from"} makes a seal RFC 8617 forbids).
	SealTags []Tag
	// BreakSeal and BreakMessageSignature corrupt the b= of the ARC-Seal
	// or the ARC-Message-Signature after signing (one base64 character
	// changed), so that it no longer verifies.
	BreakSeal, BreakMessageSignature bool
	// Omit lists fields of the new set to leave out: "aar", "ams", "as".
	Omit []string
}

// ErrSeal is wrapped by the errors of Seal.
var ErrSeal = errors.New("testmail: cannot seal")

// Seal returns msg with a new ARC set prepended: ARC-Seal on top, then
// ARC-Message-Signature, then ARC-Authentication-Results, as a receiver
// adds them. msg must use CRLF line endings. The seal signs the existing
// ARC sets 1..i-1 as they are (RFC 8617 §5.1.1); an earlier set that is
// missing or duplicated is skipped (the first of duplicates is used), so
// broken chains can be extended. A seal with cv=fail signs only its own
// set, as dkimpy does (the ARC test suite's signing cases expect it).
// Output is deterministic.
func Seal(msg []byte, key *Key, o *SealOptions) ([]byte, error) {
	if o == nil {
		o = &SealOptions{}
	}
	if hasBareLF(msg) {
		return nil, ErrBareLF
	}
	header, _ := splitMessage(msg)
	sets := arcSets(headerFields(header))
	inst := o.Instance
	if inst == 0 {
		for j := range sets {
			inst = max(inst, j)
		}
		inst++
	}
	if inst < 1 {
		return nil, fmt.Errorf("%w: instance %d", ErrSeal, inst)
	}
	cv := o.CV
	if cv == "" {
		cv = "pass"
		if inst == 1 {
			cv = "none"
		}
	}
	alg := o.Algorithm
	if alg == "" {
		alg = key.Algorithm()
	}
	domain, selector := or(o.Domain, key.Domain), or(o.Selector, key.Selector)
	t := o.Time
	if t.IsZero() {
		t = time.Unix(DefaultUnix+60*int64(inst), 0)
	}
	i := strconv.Itoa(inst)

	// ARC-Authentication-Results (RFC 8617 §4.1.1).
	aar := "ARC-Authentication-Results: i=" + i + "; " +
		or(o.AuthResults, DefaultAuthServID+"; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com") + "\r\n"
	withAAR := msg
	if !slices.Contains(o.Omit, "aar") {
		withAAR = append([]byte(aar), msg...)
	}

	// ARC-Message-Signature (RFC 8617 §4.1.2): a DKIM signature without
	// v=, with i= the instance.
	amsOpts := &SignOptions{
		FieldName: "ARC-Message-Signature", Omit: []string{"v"}, Identity: i,
		Algorithm: alg, Headers: amsHeaders(o.Headers), Domain: domain, Selector: selector, Time: t,
		BodyLength: o.BodyLength, Canonicalization: o.Canonicalization,
	}
	ams, err := SignatureField(withAAR, key, amsOpts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSeal, err)
	}
	if o.BreakMessageSignature {
		ams = breakB(ams)
	}

	// ARC-Seal (RFC 8617 §4.1.3): relaxed canonicalization of the sets
	// 1..i, each AAR, AMS, AS, with this seal's b= empty and its CRLF
	// dropped.
	tags := []Tag{{"i", i}, {"a", alg}, {"t", strconv.FormatInt(t.Unix(), 10)}, {"cv", cv}, {"d", domain}, {"s", selector}}
	tags = append(tags, o.SealTags...)
	tags = append(tags, Tag{"b", ""})
	hashFunc := crypto.SHA256
	if strings.HasSuffix(alg, "-sha1") {
		hashFunc = crypto.SHA1
	}
	var hh hash.Hash = sha256.New()
	if hashFunc == crypto.SHA1 {
		hh = sha1.New()
	}
	for j := 1; j < inst && cv != "fail"; j++ {
		for _, f := range sets[j] {
			if f != "" {
				hh.Write([]byte(canonHeader(f, true)))
			}
		}
	}
	if !slices.Contains(o.Omit, "aar") {
		hh.Write([]byte(canonHeader(aar, true)))
	}
	if !slices.Contains(o.Omit, "ams") {
		hh.Write([]byte(canonHeader(ams, true)))
	}
	unsigned := formatField("ARC-Seal", tags)
	hh.Write([]byte(strings.TrimSuffix(canonHeader(unsigned, true), "\r\n")))
	sig, err := signDigest(key, hashFunc, hh.Sum(nil))
	if err != nil {
		return nil, err
	}
	tags[len(tags)-1].Value = base64.StdEncoding.EncodeToString(sig)
	as := formatField("ARC-Seal", tags)
	if o.BreakSeal {
		as = breakB(as)
	}

	var out []byte
	if !slices.Contains(o.Omit, "as") {
		out = append(out, as...)
	}
	if !slices.Contains(o.Omit, "ams") {
		out = append(out, ams...)
	}
	return append(out, withAAR...), nil
}

// MustSeal is Seal for tests: it panics on error.
func MustSeal(msg []byte, key *Key, o *SealOptions) []byte {
	out, err := Seal(msg, key, o)
	if err != nil {
		panic(err)
	}
	return out
}

// signDigest signs a header hash: PKCS #1 v1.5 for RSA, and for Ed25519 the
// SHA-256 digest itself (RFC 8463 §3).
func signDigest(key *Key, h crypto.Hash, digest []byte) ([]byte, error) {
	var opts crypto.SignerOpts = h
	if key.Type() == "ed25519" {
		opts = crypto.Hash(0)
	}
	sig, err := key.Private.Sign(nil, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: signing with %s: %w", ErrSeal, key.Name, err)
	}
	return sig, nil
}

// breakB changes the first base64 character of the b= value of a field
// written by formatField, so the signature no longer verifies.
func breakB(field string) string {
	i := strings.LastIndex(field, "b=")
	if i < 0 || i+2 >= len(field) {
		return field
	}
	c := byte('A')
	if field[i+2] == 'A' {
		c = 'B'
	}
	return field[:i+2] + string(c) + field[i+3:]
}

// arcSets returns the ARC fields of a header by instance: for each i, the
// AAR, AMS and AS fields ("" where missing; the first of duplicates).
func arcSets(fields []string) map[int][3]string {
	sets := map[int][3]string{}
	for _, f := range fields {
		k := -1
		switch strings.ToLower(fieldName(f)) {
		case "arc-authentication-results":
			k = 0
		case "arc-message-signature":
			k = 1
		case "arc-seal":
			k = 2
		default:
			continue
		}
		inst := arcInstance(f)
		if inst < 1 {
			continue
		}
		s := sets[inst]
		if s[k] == "" {
			s[k] = f
		}
		sets[inst] = s
	}
	return sets
}

// arcInstance reads i= from an ARC field: the first tag of an
// ARC-Authentication-Results, or the i tag of the others; 0 when absent.
func arcInstance(field string) int {
	_, v, _ := strings.Cut(field, ":")
	for spec := range strings.SplitSeq(v, ";") {
		name, value, ok := strings.Cut(spec, "=")
		if ok && strings.TrimSpace(name) == "i" {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil {
				return 0
			}
			return n
		}
	}
	return 0
}

// amsHeaders is the AMS h= of SealOptions.Headers.
func amsHeaders(h []string) []string {
	if h != nil {
		return h
	}
	return append(DefaultHeaders(), "dkim-signature")
}
