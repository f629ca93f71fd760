package dkim

import "github.com/leakproof/leakproof/internal/dkimcore"

// A Key is a parsed key record (RFC 6376 §3.6.1): its Type ("rsa" or
// "ed25519"), Bits, and the record's flags (Revoked, Testing, Strict) and
// restrictions (AllowsHash, AllowsEmail, Granularity). A Key is immutable
// and safe for concurrent use. Get one from [ParseKey].
type Key = dkimcore.Key

// ParseKey parses key record text: the TXT record of
// selector._domainkey.domain, its strings already joined.
//
// It follows RFC 6376 §3.6.1. v= must be "DKIM1" when present (anywhere in
// the record, as OpenDKIM and dkimpy accept it). k= is "rsa" (the default)
// or "ed25519" (RFC 8463). Unknown tags and t= flags are ignored.
// Whitespace anywhere inside p= is removed (records are folded). An RSA p=
// is a SubjectPublicKeyInfo, or a bare PKCS #1 RSAPublicKey as some real
// records hold, of any size up to 16384 bits; an Ed25519 p= is the raw
// 32-byte key.
//
// An empty p= gives a Key whose Revoked method reports true, and a nil
// error. Errors wrap ErrKeyMalformed or ErrKeyUnsupported.
func ParseKey(txt string) (*Key, error) { return dkimcore.ParseKey(txt) }
