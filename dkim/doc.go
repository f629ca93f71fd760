// Package dkim verifies DKIM signatures (RFC 6376, RFC 8463) the way an
// investigation of years-old mail needs: every signature gets a result that
// says exactly what is and is not proven, never just an error.
//
// # Verifying
//
// [Verify] (or [VerifyBytes] for a message in memory) returns a
// [Verification]: one [Signature] per DKIM-Signature field, top to bottom,
// the header findings read from the raw bytes ([Finding]) and the
// DomainKey-Signature fields ([DomainKey], RFC 4870, reported, not
// verified). For each signature the body hash and the header signature are
// computed independently: the header signature is checked even when the
// body does not match, and the body hash is computed even without a key.
// [Signature.Result] then names the outcome with DESIGN.md's vocabulary
// ([ResultPass], [ResultFail], [ResultWeakKey], ...) and [Signature.Err]
// wraps a sentinel saying why it is not a pass.
//
// # Old mail
//
// Rules other verifiers apply to fresh mail would write off an archive:
//   - x= is reported ([Signature.Expires]), never a failure; t= is reported
//     and a t= after [Options.Time] is flagged.
//   - rsa-sha1 is verified and reported; what it is worth is policy.
//   - RSA keys of any size are checked, with plain big-integer arithmetic
//     below 1024 bits, and reported as [ResultWeakKey] under
//     [Options.MinRSABits].
//   - l= is honoured; canonical body bytes past it are counted in
//     [Signature.UnsignedBodyBytes].
//   - Signatures of the pre-RFC drafts (no v=, or v=0.5) are verified as
//     Mail::DKIM verifies them and flagged ([Signature.Draft]); their q=dns
//     and quoted-printable i= are accepted.
//   - A key record's g= (RFC 4871, dropped by RFC 6376) is still enforced,
//     as it was when those signatures were made.
//
// # Several keys under one selector
//
// Selectors are reused with new keys, and key files gather records from
// many years and sources. Every usable record of a selector is tried, and
// the outcome never depends on their order: a key marked published, or
// t=y, in any record holding it makes [ResultPublishedKey] or
// [ResultTestingKey]; among records that verify, the worst outcome wins
// (published, then testing, then weak, then pass), and [Signature.Key]
// names the record that decided.
//
// A key that cannot have made b= at all (for RSA, s^e mod n is not a PKCS
// #1 v1.5 block: a key rotated under the selector, or a damaged or made-up
// b=) is told apart from a signature over bytes that changed:
// [Signature.KeyMismatch] is set, and the reason wraps [ErrKeyMismatch].
// The result stays [ResultFail] with [HeaderInvalid], as other verifiers
// and their test suites have it. Ed25519 cannot tell the two apart.
//
// # Hostile input
//
// d= and s= must be letters, digits and hyphens, or U-labels (RFC 8616)
// that convert to such A-labels under strict IDNA2008 rules; the key lookup
// name is built only from validated labels. Tag lists, h= lists, signatures per
// message ([Options.MaxSignatures]), header size and message size
// ([MaxMessageBytes]) are capped. No input panics.
//
// # Pieces for ARC
//
// ARC (RFC 8617) reuses [ParseTagList], [AppendCanonicalHeader],
// [NewBodyHasher], [SelectSignedFields], [AppendHeaderHashInput] and
// [StripSignatureValue], so there is one canonicalization in the module.
//
// # Conformance
//
// The tests run the Mail::DKIM corpus (56 of 79 outcomes agree; the other
// 23 are 17 DomainKeys-only messages and 6 explained cases), dkimpy's
// stored messages (3 of 3) and a differential grid against go-msgauth
// (every outcome agrees where both verify; each known divergence is pinned
// by its own test).
package dkim
