package dkim

import (
	"errors"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// Reasons a signature is not a pass, beside the permerror reasons of a
// DKIM-Signature and the key errors. Each is wrapped in [Signature.Err].
var (
	ErrBodyHashMismatch = dkimcore.ErrBodyHashMismatch
	ErrHeaderSignature  = dkimcore.ErrHeaderSignature
	ErrKeyRestriction   = dkimcore.ErrKeyRestriction // k=, h=, s=, t=s or g= of the record forbids the signature
	ErrWeakKey          = dkimcore.ErrWeakKey
	ErrTestingKey       = dkimcore.ErrTestingKey
	ErrPublishedKey     = dkimcore.ErrPublishedKey
	ErrRecoveredKey     = dkimcore.ErrRecoveredKey // only a key recovered from the archive's signatures verifies
	ErrSkipped          = errors.New("dkim: past the per-message signature cap")
	ErrMessageTooLarge  = errors.New("dkim: message too large")
)

// ErrMalformedTags is wrapped when the tag list of a DKIM-Signature or of a
// key record breaks RFC 6376 §3.2 (a duplicate or invalid tag name, a spec
// without "=", control characters in a value, more than 256 tags).
var ErrMalformedTags = dkimcore.ErrMalformedTags

// Errors of key records and key arithmetic, wrapped by ParseKey and
// Key.Verify and reported in [Signature.Err]; callers branch with errors.Is.
var (
	// ErrKeyMalformed: the key record breaks the syntax of RFC 6376 §3.6.1
	// (a tag without "=", a duplicate tag, no p=, bad base64, p= that is not
	// a public key of the k= type).
	ErrKeyMalformed = dkimcore.ErrKeyMalformed
	// ErrKeyUnsupported: the key record is well formed but names a version
	// (v=) or key type (k=) this package does not know, or is too large.
	ErrKeyUnsupported = dkimcore.ErrKeyUnsupported
	// ErrKeyRevoked: the key record has an empty p=, the signer's way to
	// revoke a key (RFC 6376 §3.6.1).
	ErrKeyRevoked = dkimcore.ErrKeyRevoked
	// ErrKeyHash: the hash algorithm cannot be used with this key
	// (an Ed25519 key takes only SHA-256; RSA takes SHA-1 and SHA-256).
	ErrKeyHash = dkimcore.ErrKeyHash
	// ErrVerification: the signature does not verify with the key.
	ErrVerification = dkimcore.ErrVerification
	// ErrKeyMismatch: the key cannot have made the signature at all (for
	// RSA, s^e mod n is not a PKCS #1 v1.5 signature block): the key on file
	// is not the one that signed, as after a key rotated under a reused
	// selector, or b= was damaged or made up. It comes with
	// ErrVerification and is no evidence that signed content changed.
	ErrKeyMismatch = dkimcore.ErrKeyMismatch
	// ErrNoKey: no source has a record for the name (or a recorded NXDOMAIN).
	ErrNoKey = dkimcore.ErrNoKey
	// ErrKeyTempFail: the lookup failed in a way that may pass (a recorded
	// or live SERVFAIL, TIMEOUT, REFUSED or TRUNCATED, or a failing source).
	ErrKeyTempFail = dkimcore.ErrKeyTempFail
)
