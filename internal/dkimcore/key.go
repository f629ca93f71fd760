package dkimcore

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// This file holds key records: the Key type, ParseKey and what a record
// says beyond its key (flags, h=, s=, g=).

// Errors of key records and key arithmetic. ParseKey and Key.Verify wrap
// them, so callers branch with errors.Is.
var (
	// ErrKeyMalformed: the key record breaks the syntax of RFC 6376 §3.6.1
	// (a tag without "=", a duplicate tag, no p=, bad base64, p= that is not
	// a public key of the k= type).
	ErrKeyMalformed = errors.New("dkim: malformed key record")
	// ErrKeyUnsupported: the key record is well formed but names a version
	// (v=) or key type (k=) this package does not know, or is too large.
	ErrKeyUnsupported = errors.New("dkim: unsupported key record")
	// ErrKeyRevoked: the key record has an empty p=, the signer's way to
	// revoke a key (RFC 6376 §3.6.1).
	ErrKeyRevoked = errors.New("dkim: key revoked")
	// ErrKeyHash: the hash algorithm cannot be used with this key
	// (an Ed25519 key takes only SHA-256; RSA takes SHA-1 and SHA-256).
	ErrKeyHash = errors.New("dkim: hash algorithm not usable with this key")
	// ErrVerification: the signature does not verify with the key.
	ErrVerification = errors.New("dkim: signature does not verify with the key")
	// ErrKeyMismatch: the key cannot have made the signature at all (for
	// RSA, s^e mod n is not a PKCS #1 v1.5 signature block): the key on file
	// is not the one that signed, as after a key rotated under a reused
	// selector, or b= was damaged or made up. Key.Verify wraps it together
	// with ErrVerification. It is no evidence that signed content changed.
	ErrKeyMismatch = errors.New("dkim: the key on file is not the one that made this signature")
)

const (
	// maxRSABits caps the modulus size so that a hostile record cannot make
	// one verification arbitrarily slow. Real DKIM keys stop at 4096 bits.
	maxRSABits = 16384
	// maxKeyRecord caps the record text; a TXT RRset cannot exceed 64 KiB.
	maxKeyRecord = 64 << 10
)

// A Key is a parsed key record (RFC 6376 §3.6.1). A Key is immutable and
// safe for concurrent use. The zero Key is not useful; get one from
// [ParseKey].
type Key struct {
	typ      string // "rsa" or "ed25519"
	revoked  bool
	testing  bool     // t=y
	strict   bool     // t=s
	hashes   []string // h=, lower-cased, unknown names kept; nil when absent
	services []string // s=, lower-cased; nil when absent
	gran     string   // g=, "*" when absent
	hasGran  bool

	rsaN, rsaE *big.Int
	rsaStd     *rsa.PublicKey // for crypto/rsa, when it accepts the key
	ed         ed25519.PublicKey
}

// ParseKey parses key record text: the TXT record of
// selector._domainkey.domain, its strings already joined.
//
// It follows RFC 6376 §3.6.1, with the tag-list syntax of ParseTagList
// (tag names are case-sensitive). v= must be "DKIM1" when present (RFC 6376
// wants it first; like OpenDKIM and dkimpy, a v= elsewhere is accepted).
// k= is "rsa" (the default) or "ed25519" (RFC 8463). h=, s= and t= are
// colon-separated lists; unknown entries are kept for AllowsHash and
// AllowsEmail but have no effect of their own, unknown t= flags and unknown
// tags are ignored. Whitespace anywhere inside p= is removed (records are
// folded). An RSA p= is a SubjectPublicKeyInfo, or a bare PKCS #1
// RSAPublicKey as some real records hold, of any size up to 16384 bits; an
// Ed25519 p= is the raw 32-byte key.
//
// An empty p= gives a Key whose Revoked method reports true, and a nil
// error. Errors wrap ErrKeyMalformed or ErrKeyUnsupported.
func ParseKey(txt string) (*Key, error) {
	if len(txt) > maxKeyRecord {
		return nil, fmt.Errorf("%w: record longer than %d bytes", ErrKeyMalformed, maxKeyRecord)
	}
	tags, err := ParseTagList(txt)
	if err != nil {
		return nil, keyTagError{err}
	}
	k := &Key{typ: "rsa", gran: "*"}
	var p *string
	for _, t := range tags {
		switch t.Name {
		case "v":
			// RFC 6376 §3.6.1: "Records beginning with a v= tag with any
			// other value MUST be discarded." A wrong v= elsewhere is no
			// better, so it is refused wherever it stands.
			if t.Value != "DKIM1" {
				return nil, fmt.Errorf("%w: v=%s (want DKIM1)", ErrKeyUnsupported, ClipValue(t.Value))
			}
		case "k":
			switch strings.ToLower(t.Value) {
			case "rsa":
				k.typ = "rsa"
			case "ed25519":
				k.typ = "ed25519"
			default:
				return nil, fmt.Errorf("%w: key type k=%s", ErrKeyUnsupported, ClipValue(t.Value))
			}
		case "h":
			k.hashes = keyColonList(t.Value)
		case "s":
			k.services = keyColonList(t.Value)
		case "t":
			for _, f := range keyColonList(t.Value) {
				switch f {
				case "y":
					k.testing = true
				case "s":
					k.strict = true
				}
			}
		case "g":
			// RFC 4871 granularity, removed by RFC 6376 but still tested by
			// Mail::DKIM's corpus: kept for Granularity and MatchesGranularity.
			k.gran, k.hasGran = keyRemoveFWS(t.Value), true
		case "p":
			v := t.Value
			p = &v
		}
	}
	if p == nil {
		return nil, fmt.Errorf("%w: no p= tag", ErrKeyMalformed)
	}
	b64 := keyRemoveFWS(*p)
	if b64 == "" {
		k.revoked = true
		return k, nil
	}
	der, err := keyDecodeBase64(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: p= is not base64: %w", ErrKeyMalformed, err)
	}
	switch k.typ {
	case "ed25519":
		// RFC 8463 §4.2: p= is the raw 32-byte public key, never DER.
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: ed25519 p= holds %d bytes, not the raw %d-byte key", ErrKeyMalformed, len(der), ed25519.PublicKeySize)
		}
		k.ed = ed25519.PublicKey(der)
	default:
		n, e, err := parseRSAPublicKey(der)
		if err != nil {
			return nil, err
		}
		if n.BitLen() > maxRSABits {
			return nil, fmt.Errorf("%w: %d-bit RSA key (the limit is %d)", ErrKeyUnsupported, n.BitLen(), maxRSABits)
		}
		k.rsaN, k.rsaE = n, e
		// crypto/rsa refuses keys under 1024 bits and unusual exponents;
		// those are verified with plain math/big (see Verify).
		if n.BitLen() >= 1024 && e.IsInt64() && e.Int64() <= 1<<31-1 && e.Bit(0) == 1 && n.Bit(0) == 1 {
			k.rsaStd = &rsa.PublicKey{N: n, E: int(e.Int64())}
		}
	}
	return k, nil
}

// The algorithm OIDs of a SubjectPublicKeyInfo: rsaEncryption (PKCS #1) and
// Ed25519 (RFC 8410).
var (
	keyOIDRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	keyOIDEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// parseRSAPublicKey reads a SubjectPublicKeyInfo holding an RSA key, or a
// bare PKCS #1 RSAPublicKey. It is more lenient than crypto/x509 on purpose
// (absent NULL parameters, exponents of any size): old records are evidence.
func parseRSAPublicKey(der []byte) (n, e *big.Int, err error) {
	inner := der
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err == nil {
		switch {
		case spki.Algorithm.Algorithm.Equal(keyOIDRSA):
			inner = spki.PublicKey.RightAlign()
		case spki.Algorithm.Algorithm.Equal(keyOIDEd25519):
			return nil, nil, fmt.Errorf("%w: k=rsa but p= holds an Ed25519 key", ErrKeyMalformed)
		default:
			return nil, nil, fmt.Errorf("%w: p= holds a public key of type %v, not RSA", ErrKeyMalformed, spki.Algorithm.Algorithm)
		}
	}
	var pk struct{ N, E *big.Int }
	if _, err := asn1.Unmarshal(inner, &pk); err != nil {
		// The asn1 package's text ("structure error: tags don't match (16
		// vs {class:0 ...}) @2") means nothing to an editor; the length
		// says enough to tell a cut-off record from junk.
		return nil, nil, fmt.Errorf("%w: p= is not an RSA public key (%d bytes that are neither a SubjectPublicKeyInfo nor a PKCS #1 key)", ErrKeyMalformed, len(der))
	}
	if pk.N == nil || pk.E == nil || pk.N.Sign() <= 0 || pk.E.Cmp(big.NewInt(1)) <= 0 {
		return nil, nil, fmt.Errorf("%w: RSA modulus or exponent out of range", ErrKeyMalformed)
	}
	if pk.E.BitLen() > pk.N.BitLen() {
		return nil, nil, fmt.Errorf("%w: RSA exponent larger than the modulus", ErrKeyMalformed)
	}
	return pk.N, pk.E, nil
}

// Type returns "rsa" or "ed25519" (k=, "rsa" when absent).
func (k *Key) Type() string { return k.typ }

// Bits returns the RSA modulus length in bits, 256 for Ed25519, and 0 for
// a revoked key (or a zero Key).
func (k *Key) Bits() int {
	switch {
	case k.revoked:
		return 0
	case k.typ == "ed25519":
		return 256
	case k.rsaN == nil:
		return 0 // a zero Key
	}
	return k.rsaN.BitLen()
}

// Revoked reports whether the record has an empty p= (RFC 6376 §3.6.1:
// the key was revoked).
func (k *Key) Revoked() bool { return k.revoked }

// Testing reports whether the record has the t=y flag: the domain is
// testing DKIM, and a signature must not be treated differently from an
// unsigned message.
func (k *Key) Testing() bool { return k.testing }

// Strict reports whether the record has the t=s flag: the i= domain of a
// signature must equal d=, not be a subdomain of it.
func (k *Key) Strict() bool { return k.strict }

// AllowsHash reports whether the record's h= list admits the hash
// algorithm name ("sha1", "sha256"), compared case-insensitively. A record
// without h= admits every hash. Unknown names in h= are ignored, so h=md5
// admits none of ours.
func (k *Key) AllowsHash(name string) bool {
	if k.hashes == nil {
		return true
	}
	name = strings.ToLower(name)
	for _, h := range k.hashes {
		if h == name {
			return true
		}
	}
	return false
}

// AllowsEmail reports whether the record's s= service list is "*" or lists
// "email". A record without s= allows every service.
func (k *Key) AllowsEmail() bool {
	if k.services == nil {
		return true
	}
	for _, s := range k.services {
		if s == "*" || s == "email" {
			return true
		}
	}
	return false
}

// Granularity returns the record's g= value (RFC 4871 §3.6.1; RFC 6376
// removed the tag) and whether the record has one. Without g= it returns
// "*", false. An empty g= matches no local part.
func (k *Key) Granularity() (string, bool) { return k.gran, k.hasGran }

// MatchesGranularity reports whether the local part of a signature's i=
// matches the record's g= as RFC 4871 §3.6.1 defines it: case-sensitively,
// with at most one "*" matching any run of characters. A record without g=
// matches every local part. RFC 6376 verifiers ignore g=; Mail::DKIM and
// its corpus still apply it.
func (k *Key) MatchesGranularity(local string) bool {
	g := k.gran
	before, after, wild := strings.Cut(g, "*")
	if !wild {
		return g == local
	}
	return len(local) >= len(before)+len(after) &&
		strings.HasPrefix(local, before) && strings.HasSuffix(local, after)
}

// keyTagError is a tag-list syntax error in a key record: it wraps both
// ErrKeyMalformed and the ParseTagList error, without repeating "dkim:".
type keyTagError struct{ err error }

func (e keyTagError) Error() string {
	return ErrKeyMalformed.Error() + ": " + strings.TrimPrefix(e.err.Error(), "dkim: ")
}

func (e keyTagError) Unwrap() []error { return []error{ErrKeyMalformed, e.err} }

func keyIsFWS(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// keyRemoveFWS removes every space, tab, CR and LF.
func keyRemoveFWS(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if keyIsFWS(r) {
			return -1
		}
		return r
	}, s)
}

// keyColonList splits a colon-separated list, trimming and lower-casing
// each entry and dropping empty ones. It never returns nil.
func keyColonList(s string) []string {
	out := []string{}
	for e := range strings.SplitSeq(s, ":") {
		if e = strings.ToLower(keyRemoveFWS(e)); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// keyDecodeBase64 decodes standard base64, with or without padding.
func keyDecodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ClipValue shortens a key record or key-file value for an error message.
func ClipValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
