package dkimcore

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
)

// Reasons a signature is not a pass that the key check gives, each wrapped
// in the error it returns. Package dkim exports them under the same names.
var (
	ErrBodyHashMismatch = errors.New("dkim: body hash does not match")
	ErrHeaderSignature  = errors.New("dkim: header signature does not verify")
	ErrKeyRestriction   = errors.New("dkim: key record does not allow this signature")
	ErrWeakKey          = errors.New("dkim: RSA key shorter than the policy minimum")
	ErrTestingKey       = errors.New("dkim: key record is in testing mode (t=y)")
	ErrPublishedKey     = errors.New("dkim: the private key was published")
	ErrRecoveredKey     = errors.New("dkim: the key was recovered from signatures of the archive, and no independent record holds it")
)

// ErrUnsupportedAlgorithm: a= names no algorithm this package verifies.
// ErrUnsupportedCanonicalization: c= names an unknown algorithm.
var (
	ErrUnsupportedAlgorithm        = errors.New("dkim: unsupported algorithm")
	ErrUnsupportedCanonicalization = errors.New("dkim: unsupported canonicalization")
)

// Result is the outcome of one signature check. Its values are those of
// dkim.Result, in the same order, so that dkim and arc convert one into the
// other; a test in dkim holds the two lists together.
type Result int

// The results, as dkim.Result documents them.
const (
	ResultNone Result = iota
	ResultPass
	ResultFail
	ResultNoKey
	ResultRevoked
	ResultWeakKey
	ResultTestingKey
	ResultPublishedKey
	ResultPermError
	ResultTempError
	ResultSkipped
	ResultRecoveredKey
)

// HeaderStatus is the outcome of the header signature's arithmetic, with
// the values of dkim.HeaderStatus in the same order.
type HeaderStatus int

// The header statuses, as dkim.HeaderStatus documents them.
const (
	HeaderUnchecked HeaderStatus = iota
	HeaderValid
	HeaderInvalid
)

// Signed is what the key check needs of one signature.
type Signed struct {
	Algorithm        string      // a=, lower-cased ("rsa-sha256")
	Hash             crypto.Hash // the hash of a=
	KeyType          string      // the key type of a=: "rsa" or "ed25519"
	Domain, Selector string      // d= and s=, validated
	Identity         string      // i=, decoded; "" when absent
	B                []byte      // b=, decoded
	Digest           []byte      // the header hash the signature is over
	BodyMismatch     bool        // the body hash was computed and differs from bh=
	// DomainKeys marks a DomainKey-Signature (RFC 4870): Identity is then
	// the Sender, else From, address; t=s does not apply, and an empty g=
	// matches every local part, as Mail::DKIM has it.
	DomainKeys bool
}

// A KeyCheck is the outcome of checking one signature with the key records
// of its selector, in the vocabulary of dkim.Signature.
type KeyCheck struct {
	Header      HeaderStatus
	Result      Result
	Err         error      // why Result is not ResultPass; nil on pass
	KeyBits     int        // 0 without a key
	KeySource   string     // the deciding record's source
	Key         *KeyRecord // the deciding record; nil when none
	KeyMismatch bool       // no record's key can have made the signature
}

// Check checks s with the records lk found for its selector. Without a
// usable record the result is lk's, and Key names the last record found.
func (r *Resolver) Check(lk KeyLookup, s *Signed) KeyCheck {
	var kc KeyCheck
	if len(lk.Candidates) == 0 {
		kc.Result, kc.Err = lk.Result, lk.Err
		if kc.Result == ResultNone { // a lookup that names no outcome
			kc.Result, kc.Err = ResultNoKey, ErrNoKey
		}
		if len(lk.Records) > 0 {
			rec := lk.Records[len(lk.Records)-1]
			kc.Key, kc.KeySource = &rec, rec.Source
		}
		return kc
	}
	r.checkWithKeys(&kc, s, lk.Candidates)
	return kc
}

// CheckDigest looks up selector._domainkey.domain and checks sig, a
// signature over digest made with algorithm ("rsa-sha256", "rsa-sha1" or
// "ed25519-sha256"), with every usable record, by the rules of Check.
// bodyMismatch says the caller computed a body hash that does not match; a
// signature that covers no body (an ARC-Seal) passes false. An unknown
// algorithm gives ResultPermError.
func (r *Resolver) CheckDigest(ctx context.Context, domain, selector, algorithm string, digest, sig []byte, bodyMismatch bool) KeyCheck {
	s := &Signed{Algorithm: algorithm, Domain: domain, Selector: selector, B: sig, Digest: digest, BodyMismatch: bodyMismatch}
	switch algorithm {
	case "rsa-sha256":
		s.Hash, s.KeyType = crypto.SHA256, "rsa"
	case "rsa-sha1":
		s.Hash, s.KeyType = crypto.SHA1, "rsa"
	case "ed25519-sha256":
		s.Hash, s.KeyType = crypto.SHA256, "ed25519"
	default:
		return KeyCheck{Result: ResultPermError, Err: fmt.Errorf("%w: a=%q", ErrUnsupportedAlgorithm, algorithm)}
	}
	return r.Check(r.Lookup(ctx, domain, selector), s)
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
//   - A key is recovered when every candidate record holding it is marked
//     Recovered: computed from the archive's own signatures, with no
//     independent record (another key file's, DNS) to say whose it is.
//   - When candidates verify, the one with the worst outcome wins:
//     published_key, then testing_key, then weak_key, then recovered_key,
//     then pass.
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
func (r *Resolver) checkWithKeys(kc *KeyCheck, s *Signed, cands []KeyCandidate) {
	type outcome struct {
		cand        KeyCandidate
		restriction error
		verr        error
		rank        int
		published   *KeyRecord // the same-key record published earliest; nil if none
		testing     *KeyRecord // the first same-key record with t=y; nil if none
		recovered   bool       // every record holding the key was recovered from signatures
	}
	standing := func(o *outcome) Result {
		switch {
		case o.published != nil:
			return ResultPublishedKey
		case o.cand.Key.Type() == "rsa" && o.cand.Key.Bits() < r.minRSABits():
			return ResultWeakKey
		case o.testing != nil:
			return ResultTestingKey
		case o.recovered:
			return ResultRecoveredKey
		}
		return ResultPass
	}
	worse := func(r Result) int { // the worst outcome wins among candidates
		switch r {
		case ResultPublishedKey:
			return 4
		case ResultTestingKey:
			return 3
		case ResultWeakKey:
			return 2
		case ResultRecoveredKey:
			return 1
		}
		return 0
	}
	var best *outcome
	for _, c := range cands {
		o := &outcome{cand: c}
		o.restriction = keyRestriction(c.Key, s)
		if c.Key.Type() == s.KeyType {
			o.verr = c.Key.Verify(s.Hash, s.Digest, s.B)
		}
		made := c.Key.Type() == s.KeyType && !errors.Is(o.verr, ErrKeyMismatch)
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
		o.recovered = true
		for _, other := range cands {
			if !c.Key.sameMaterial(other.Key) {
				continue
			}
			rec := other.Record
			if !rec.Recovered {
				o.recovered = false // an independent record holds the key
			}
			if !rec.PrivateKeyPublished.IsZero() && (o.published == nil || rec.PrivateKeyPublished.Before(o.published.PrivateKeyPublished)) {
				o.published = &rec
			}
			if other.Key.Testing() && o.testing == nil {
				o.testing = &rec
			}
		}
		// The same key marked published under another selector or domain.
		if r.Published != nil {
			if rec, ok := r.Published(c.Key.material()); ok && (o.published == nil || rec.PrivateKeyPublished.Before(o.published.PrivateKeyPublished)) {
				o.published = &rec
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
	kc.Key, kc.KeySource = &rec, rec.Source
	kc.KeyBits = best.cand.Key.Bits()
	if best.restriction != nil {
		kc.Result, kc.Err = ResultPermError, best.restriction
		return
	}
	kc.Header = HeaderInvalid
	if best.rank == rankValid {
		kc.Header = HeaderValid
	}
	kc.KeyMismatch = best.rank == rankMismatch
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
	if s.BodyMismatch {
		if arith == nil {
			arith = ErrBodyHashMismatch
		} else {
			arith = joinReasons(arith, ErrBodyHashMismatch)
		}
	}
	k := best.cand.Key
	switch st {
	case ResultPublishedKey:
		kc.Result = ResultPublishedKey
		where := ""
		if KeyName(rec.Domain, rec.Selector) != KeyName(s.Domain, s.Selector) {
			where = fmt.Sprintf(", as the key of %s._domainkey.%s", rec.Selector, rec.Domain)
		}
		kc.Err = joinArith(fmt.Errorf("%w (%s%s)", ErrPublishedKey, rec.PrivateKeyPublished.Format("2006-01-02"), where), arith)
	case ResultWeakKey:
		kc.Result = ResultWeakKey
		kc.Err = joinArith(fmt.Errorf("%w: %d bits, minimum %d", ErrWeakKey, k.Bits(), r.minRSABits()), arith)
	case ResultTestingKey:
		kc.Result = ResultTestingKey
		kc.Err = joinArith(ErrTestingKey, arith)
	case ResultRecoveredKey:
		kc.Result = ResultRecoveredKey
		kc.Err = joinArith(ErrRecoveredKey, arith)
	default:
		if arith != nil {
			kc.Result, kc.Err = ResultFail, arith
		} else {
			kc.Result, kc.Err = ResultPass, nil
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
func keyRestriction(k *Key, s *Signed) error {
	if k.Type() != s.KeyType {
		return fmt.Errorf("%w: k=%s key for a=%s", ErrKeyRestriction, k.Type(), s.Algorithm)
	}
	hashName := "sha256"
	if s.Hash == crypto.SHA1 {
		hashName = "sha1"
	}
	if !k.AllowsHash(hashName) {
		return fmt.Errorf("%w: h= of the key excludes %s", ErrKeyRestriction, hashName)
	}
	if !k.AllowsEmail() {
		return fmt.Errorf("%w: s= of the key excludes email", ErrKeyRestriction)
	}
	local, idDomain := "", s.Domain
	if at := strings.LastIndexByte(s.Identity, '@'); at >= 0 {
		local, idDomain = s.Identity[:at], s.Identity[at+1:]
	}
	if k.Strict() && !s.DomainKeys && !strings.EqualFold(idDomain, s.Domain) {
		return fmt.Errorf("%w: t=s forbids i= in a subdomain of d=", ErrKeyRestriction)
	}
	// RFC 4871 §3.6.1 g= (granularity) was dropped by RFC 6376, but it was
	// the rule from 2007 to 2011, when the signatures of old archives were
	// made, and Mail::DKIM still applies it. A key without g= allows all;
	// "an empty g= value never matches any addresses" (RFC 4871 §3.6.1),
	// not even the empty local part of a default i=.
	// DomainKeys keys took an empty g= as "*" (Mail::DKIM's verifier, and
	// its corpus, still do).
	if g, has := k.Granularity(); has && (g == "" && !s.DomainKeys || g != "" && !k.MatchesGranularity(local)) {
		return fmt.Errorf("%w: g= of the key does not match the i= local part %q", ErrKeyRestriction, local)
	}
	return nil
}
