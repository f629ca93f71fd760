package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"fmt"
	"math/big"
)

// This file holds Key.Verify: Ed25519 verification and PKCS #1 v1.5 RSA
// verification for keys of any size, with the arithmetic that tells a
// signature over other bytes from one the key never made.

// errKeyMismatch is what Verify returns for a block that is not PKCS #1
// v1.5: one sentence, both sentinels.
var errKeyMismatch error = &reasons{
	text: ErrKeyMismatch.Error() + " (the recovered block is not a PKCS #1 v1.5 signature block)",
	errs: []error{ErrVerification, ErrKeyMismatch},
}

// Verify checks sig, a signature over digest (the output of hash h), with
// the key. RSA signatures are PKCS #1 v1.5 (RFC 8017 §8.2) for keys of any
// size: keys under 1024 bits, which crypto/rsa refuses whatever GODEBUG
// says, are checked with plain math/big arithmetic. Ed25519 follows RFC
// 8463: the signature is over the SHA-256 digest itself.
//
// Verify does not apply the record's restrictions (h=, s=, t=s): the caller
// checks those with AllowsHash, AllowsEmail and Strict. It returns nil when
// the signature verifies, an error wrapping ErrVerification when it does
// not, ErrKeyRevoked for a revoked key and ErrKeyHash when h cannot be used.
//
// For RSA, a failure tells two cases apart. When s^e mod n is a
// well-formed PKCS #1 v1.5 block (00 01, at least eight FF bytes, 00, then
// anything: only the holder of the private key can make one; by chance it
// happens once in 2^80) holding another digest, the key made a signature
// over other bytes, and the error wraps ErrVerification only. When it is
// not such a block, or sig is a larger integer than the modulus, the key
// cannot have made sig at all, and the error wraps both ErrVerification
// and ErrKeyMismatch. Ed25519 cannot tell the two apart: its failures
// wrap ErrVerification only.
func (k *Key) Verify(h crypto.Hash, digest, sig []byte) error {
	if k == nil || k.revoked {
		return ErrKeyRevoked
	}
	if k.ed == nil && (k.typ != "rsa" || k.rsaN == nil) {
		return fmt.Errorf("%w: the Key holds no public key (not made by ParseKey)", ErrVerification)
	}
	if !h.Available() || len(digest) != h.Size() {
		return fmt.Errorf("%w: digest of %d bytes for %v", ErrKeyHash, len(digest), h)
	}
	switch k.typ {
	case "ed25519":
		if h != crypto.SHA256 {
			return fmt.Errorf("%w: ed25519 with %v", ErrKeyHash, h)
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k.ed, digest, sig) {
			return ErrVerification
		}
		return nil
	}
	prefix, ok := keyDigestInfoPrefix[h]
	if !ok {
		return fmt.Errorf("%w: rsa with %v", ErrKeyHash, h)
	}
	size := (k.rsaN.BitLen() + 7) / 8
	var tooLong error
	if len(sig) > size {
		trimmed := bytes.TrimLeft(sig, "\x00")
		if len(trimmed) > size {
			return errKeyMismatch // an integer larger than any this modulus gives
		}
		// Extra leading zero bytes: refused, but still told apart below.
		tooLong = fmt.Errorf("%w: %d-byte signature for a %d-byte modulus", ErrVerification, len(sig), size)
		sig = trimmed
	}
	if len(sig) < size {
		// A signature with its leading zero bytes dropped is the same
		// integer; OpenSSL, and so Mail::DKIM, accept it.
		sig = append(make([]byte, size-len(sig), size), sig...)
	}
	if tooLong == nil && k.rsaStd != nil && rsa.VerifyPKCS1v15(k.rsaStd, h, digest, sig) == nil {
		return nil
	}
	// crypto/rsa said no, or refuses the key: the arithmetic decides, and
	// tells a signature over other bytes from one this key never made.
	em := keyRecoverBlock(k.rsaN, k.rsaE, sig)
	switch {
	case em == nil || !keyPKCS1Padded(em):
		return errKeyMismatch
	case tooLong != nil:
		return tooLong
	case !keyPKCS1Matches(em, prefix, digest):
		return ErrVerification
	}
	return nil
}

// keyDigestInfoPrefix holds the DER DigestInfo prefixes of RFC 8017 §9.2 note 1.
var keyDigestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
}

// keyVerifyPKCS1v15Big is RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2)
// with math/big: m = s^e mod n must equal 0x00 0x01 FF..FF 0x00 || T.
// sig has exactly the modulus length. Timing does not matter: everything
// here is public.
func keyVerifyPKCS1v15Big(n, e *big.Int, prefix, digest, sig []byte) bool {
	em := keyRecoverBlock(n, e, sig)
	return em != nil && keyPKCS1Matches(em, prefix, digest)
}

// keyRecoverBlock returns s^e mod n as len(sig) bytes, or nil when the
// integer s is not below n (no key with this modulus gives it).
func keyRecoverBlock(n, e *big.Int, sig []byte) []byte {
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(n) >= 0 {
		return nil
	}
	return new(big.Int).Exp(s, e, n).FillBytes(make([]byte, len(sig)))
}

// keyPKCS1Padded reports whether em has the structure of a PKCS #1 v1.5
// signature block, whatever it holds: 0x00 0x01, at least eight 0xFF
// (RFC 8017 §9.2 step 5), then 0x00.
func keyPKCS1Padded(em []byte) bool {
	if len(em) < 11 || em[0] != 0x00 || em[1] != 0x01 {
		return false
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	return i-2 >= 8 && i < len(em) && em[i] == 0x00
}

// keyPKCS1Matches reports whether em is exactly the PKCS #1 v1.5 block
// 0x00 0x01 FF..FF 0x00 || prefix || digest of its length.
func keyPKCS1Matches(em, prefix, digest []byte) bool {
	size := len(em)
	tLen := len(prefix) + len(digest)
	if size < tLen+11 {
		return false // RFC 8017 §9.2 step 3: "intended encoded message length too short"
	}
	want := make([]byte, size)
	want[1] = 0x01
	for i := 2; i < size-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[size-tLen:], prefix)
	copy(want[size-len(digest):], digest)
	return subtle.ConstantTimeCompare(em, want) == 1
}
