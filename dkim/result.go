package dkim

import (
	"fmt"
	"slices"
	"time"
)

// Result is the outcome of one signature check, named as docs/json.md names it.
// The zero value, ResultNone, means no outcome was computed.
type Result int

const (
	ResultNone         Result = iota // not computed
	ResultPass                       // header signature valid and body hash matches, with an acceptable key
	ResultFail                       // header signature invalid or body hash mismatch, checked with a key
	ResultNoKey                      // no key record in any source, or a recorded NXDOMAIN
	ResultRevoked                    // the key record has an empty p=
	ResultWeakKey                    // RSA key shorter than the policy minimum; arithmetic in HeaderSignature/BodyHash
	ResultTestingKey                 // key record has t=y; arithmetic in HeaderSignature/BodyHash
	ResultPublishedKey               // the key archive says the private half was published
	ResultPermError                  // malformed or unsupported signature or key record, or a key restriction broken
	ResultTempError                  // a recorded or live SERVFAIL, TIMEOUT, REFUSED or TRUNCATED, or a spent DNS budget
	ResultSkipped                    // past the per-message signature cap
	ResultRecoveredKey               // verified only by a key recovered from the archive's signatures; arithmetic in HeaderSignature/BodyHash
)

var resultNames = [...]string{"", "pass", "fail", "no_key", "revoked", "weak_key", "testing_key", "published_key", "permerror", "temperror", "skipped", "recovered_key"}

// String returns the name docs/json.md gives r ("pass", "no_key", ...), or "" for ResultNone.
func (r Result) String() string {
	if r < 0 || int(r) >= len(resultNames) {
		return fmt.Sprintf("Result(%d)", int(r))
	}
	return resultNames[r]
}

// MarshalText implements encoding.TextMarshaler with the name of String
// ("" for ResultNone). A value outside the constants is an error.
func (r Result) MarshalText() ([]byte, error) { return marshalName(resultNames[:], int(r), "Result") }

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the names
// MarshalText writes and rejects any other.
func (r *Result) UnmarshalText(text []byte) error {
	return unmarshalName(resultNames[:], text, "result", (*int)(r))
}

// HeaderStatus is the outcome of the cryptographic check of the header hash.
// It marshals as "unchecked", "valid" or "invalid"; the zero value is
// HeaderUnchecked.
type HeaderStatus int

const (
	HeaderUnchecked HeaderStatus = iota // no usable key, or the signature could not be parsed
	HeaderValid                         // the key verifies b= over the signed header fields
	HeaderInvalid                       // checked with a key, and b= does not verify
)

var headerStatusNames = []string{"unchecked", "valid", "invalid"}

// String returns "unchecked", "valid" or "invalid" (and "unchecked" for a
// value outside the constants).
func (s HeaderStatus) String() string {
	if s < 0 || int(s) >= len(headerStatusNames) {
		return "unchecked"
	}
	return headerStatusNames[s]
}

// MarshalText implements encoding.TextMarshaler with the name of String.
// A value outside the constants is an error.
func (s HeaderStatus) MarshalText() ([]byte, error) {
	return marshalName(headerStatusNames, int(s), "HeaderStatus")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the names
// MarshalText writes and rejects any other.
func (s *HeaderStatus) UnmarshalText(text []byte) error {
	return unmarshalName(headerStatusNames, text, "header status", (*int)(s))
}

// BodyStatus is the outcome of comparing the computed body hash with bh=.
// It marshals as "unchecked", "match" or "mismatch"; the zero value is
// BodyUnchecked.
type BodyStatus int

const (
	BodyUnchecked BodyStatus = iota // not compared: the signature could not be parsed or was skipped, or it covers no body
	BodyMatch                       // the computed body hash equals bh=
	BodyMismatch                    // the computed body hash differs from bh=
)

var bodyStatusNames = []string{"unchecked", "match", "mismatch"}

// String returns "unchecked", "match" or "mismatch" (and "unchecked" for a
// value outside the constants).
func (s BodyStatus) String() string {
	if s < 0 || int(s) >= len(bodyStatusNames) {
		return "unchecked"
	}
	return bodyStatusNames[s]
}

// MarshalText implements encoding.TextMarshaler with the name of String.
// A value outside the constants is an error.
func (s BodyStatus) MarshalText() ([]byte, error) {
	return marshalName(bodyStatusNames, int(s), "BodyStatus")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the names
// MarshalText writes and rejects any other.
func (s *BodyStatus) UnmarshalText(text []byte) error {
	return unmarshalName(bodyStatusNames, text, "body status", (*int)(s))
}

// marshalName returns names[i], or an error naming typ when i is not one
// of its constants.
func marshalName(names []string, i int, typ string) ([]byte, error) {
	if i < 0 || i >= len(names) {
		return nil, fmt.Errorf("dkim: invalid %s %d", typ, i)
	}
	return []byte(names[i]), nil
}

// unmarshalName sets *dst to the position of text in names, or returns an
// error naming what when text is none of them.
func unmarshalName(names []string, text []byte, what string, dst *int) error {
	i := slices.Index(names, string(text))
	if i < 0 {
		return fmt.Errorf("dkim: unknown %s %q", what, text)
	}
	*dst = i
	return nil
}

// SignatureType says which kind of field a Signature is. It marshals as
// "dkim" or "domainkeys"; the zero value is SignatureDKIM.
type SignatureType int

const (
	SignatureDKIM       SignatureType = iota // a DKIM-Signature (RFC 6376, or a pre-RFC draft)
	SignatureDomainKeys                      // a DomainKey-Signature (RFC 4870)
)

var signatureTypeNames = []string{"dkim", "domainkeys"}

// String returns "dkim" or "domainkeys" (and "dkim" for a value outside
// the constants).
func (t SignatureType) String() string {
	if t < 0 || int(t) >= len(signatureTypeNames) {
		return "dkim"
	}
	return signatureTypeNames[t]
}

// MarshalText implements encoding.TextMarshaler with the name of String.
// A value outside the constants is an error.
func (t SignatureType) MarshalText() ([]byte, error) {
	return marshalName(signatureTypeNames, int(t), "SignatureType")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the names
// MarshalText writes and rejects any other.
func (t *SignatureType) UnmarshalText(text []byte) error {
	return unmarshalName(signatureTypeNames, text, "signature type", (*int)(t))
}

// A Signature is the outcome for one DKIM-Signature field, with its
// evidence, or for one DomainKey-Signature field (Type
// SignatureDomainKeys; see [Verification.DomainKeys] for how its fields
// read then).
type Signature struct {
	Type             SignatureType
	Index            int    // 0-based position among the fields of its Type, top to bottom
	Domain           string // d= as written, internationalized labels in A-label form (empty when it is not a valid domain)
	Selector         string // s=, the same way
	Identity         string // i=, decoded; "" when absent
	Algorithm        string // a=, lower-cased ("rsa-sha256")
	Canonicalization string // "header/body", defaults filled in ("relaxed/simple")
	Version          string // v= as written; "" when absent (pre-RFC draft)
	Draft            bool   // a pre-RFC draft signature (no v=, or v=0.5), verified as Mail::DKIM does
	LookupName       string // selector._domainkey.domain built from validated labels, "" when invalid

	HeaderSignature HeaderStatus
	BodyHash        BodyStatus
	Result          Result
	Err             error // why Result is not ResultPass; wraps a sentinel; nil on pass

	KeyBits   int        // RSA modulus bits, 256 for Ed25519, 0 without a key
	KeySource string     // the deciding record's source, or the key file path, or "dns"
	Key       *KeyRecord // the deciding record: the one that verified, or that marks the key published or t=y, else the most telling failure (see the package doc); nil when none

	SignedHeaders     []string        // h=, lower-cased, in order
	Coverage          []FieldCoverage // for each distinct name in h=, which instances were signed
	BodyLength        int64           // l=, -1 when absent
	UnsignedBodyBytes int64           // canonical body bytes beyond l=
	Timestamp         time.Time       // t=, zero when absent
	FutureTimestamp   bool            // t= is later than the verification time
	Expires           time.Time       // x=, zero when absent; never a failure
	B                 string          // b= with whitespace removed, for matching Authentication-Results header.b
	// KeyMismatch is set with HeaderInvalid when the key cannot have made
	// this b= at all (for RSA: the recovered block is not a PKCS#1 v1.5
	// signature block), as opposed to a real signature over other bytes: a
	// key rotated under a reused selector, or a damaged or made-up b=. It
	// is no evidence that signed content changed. Ed25519 cannot tell the
	// two apart and never sets it.
	KeyMismatch bool
}

// FieldCoverage says, for one field name listed in h=, how many instances
// the header has and which of them the signature covered (RFC 6376 §5.4.2
// picks them bottom up).
type FieldCoverage struct {
	Name       string // lower-case
	Count      int    // instances of the field in the header
	Signed     []int  // 1-based positions (top to bottom among same-named fields) of the signed instances
	Oversigned bool   // h= lists the name more often than it occurs: an added instance breaks the signature
}

// FindingKind classifies a header anomaly read from the raw bytes.
type FindingKind int

const (
	FindingSpaceBeforeColon  FindingKind = iota + 1 // "From : x"
	FindingLeadingWhitespace                        // the first header line starts with whitespace
	FindingFoldedName                               // a field name folded onto the next line
	FindingNonASCIIName                             // bytes outside printable ASCII in a field name
	FindingNoColon                                  // a header line that is not a field at all
)

// String returns a stable snake_case name.
func (k FindingKind) String() string {
	switch k {
	case FindingSpaceBeforeColon:
		return "space_before_colon"
	case FindingLeadingWhitespace:
		return "leading_whitespace"
	case FindingFoldedName:
		return "folded_name"
	case FindingNonASCIIName:
		return "non_ascii_name"
	case FindingNoColon:
		return "no_colon"
	}
	return fmt.Sprintf("FindingKind(%d)", int(k))
}

// A Finding is one header anomaly, with where it was found.
type Finding struct {
	Kind   FindingKind
	Name   string // the field name as a lenient reader would take it, lower-cased ("from")
	Offset int    // byte offset of the field within the message
}

// Verification is everything Verify found in one message.
type Verification struct {
	Signatures []Signature // the DKIM-Signature fields, in header order, top to bottom
	Findings   []Finding   // header anomalies, in header order
	// DomainKeys holds one Signature per DomainKey-Signature field (RFC
	// 4870), in header order, with Type SignatureDomainKeys. They are kept
	// apart from Signatures because their arithmetic differs: one rsa-sha1
	// signature over the header fields and the body together. For them,
	// HeaderSignature is that one check (valid means the signed fields and
	// the body are as signed), BodyHash is always BodyUnchecked, Identity
	// is the Sender (else From) address whose domain d= must match,
	// Canonicalization is "simple" or "nofws", SignedHeaders names the
	// fields hashed in the order hashed (h=, or every field below the
	// signature), BodyLength is -1 and there is no t=, x= or v=.
	DomainKeys []Signature
}
