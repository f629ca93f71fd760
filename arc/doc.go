// Package arc verifies Authenticated Received Chains (RFC 8617): the
// ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results sets that
// receivers such as Google and Microsoft add when they forward mail, each
// recording what that receiver saw on arrival.
//
// [Verify] returns the chain validation status ("none", "pass", "fail"),
// which instance broke the chain and why, and, for every instance, the
// outcome of its seal and its message signature in the vocabulary of the
// dkim package ([dkim.Result]: a weak or testing key is visible there).
//
// # Validation
//
// Verify follows RFC 8617 §5.2:
//
//  1. Collect the ARC sets. More than 50 sets, an instance of 0 or above 50,
//     a gap in the numbering 1..N, or an instance without exactly one
//     ARC-Authentication-Results, one ARC-Message-Signature and one ARC-Seal
//     fail the chain. A malformed tag list, a missing required tag, an
//     unknown algorithm, an ARC-Seal carrying h= or an ARC-Message-Signature
//     that signs ARC-Seal fail it too. These checks need no cryptography, so
//     a hostile 10,000-instance header costs no more than reading it.
//  2. When the latest ARC-Seal says cv=fail, the chain is failed: an earlier
//     receiver already saw it broken.
//  3. The latest ARC-Message-Signature must verify. Older ones are verified
//     and reported too (up to [dkim.Options.MaxSignatures] per message,
//     counted from the latest; the rest are ResultSkipped), but they are
//     expected to break when a later hop changes the message, so they do not
//     decide the chain.
//  4. Every ARC-Seal, from N down to 1, must verify, and its cv= must be
//     "none" for instance 1 and "pass" for every later instance. A seal
//     signs, with relaxed header canonicalization, the ARC sets 1..i in
//     order (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal),
//     its own b= value emptied. (A seal that records cv=fail signs only its
//     own set, as dkimpy and the suite's signing cases do; it is reported,
//     but the chain has failed anyway.)
//
// The seals share one running hash of the sets below them, so the work is
// linear in the size of the header however many sets it holds.
//
// A chain passes only when every signature that decides it has the result
// [dkim.ResultPass]. The ValiMail ARC test suite expects a chain signed with
// rsa-sha1 or with a 512-bit key to fail; Verify goes one step further and
// also fails a chain that rests on a testing key (t=y, which RFC 6376 §3.6.1
// says must be treated as unsigned) or on a key whose private half was
// published. The per-instance results say which of these it was.
//
// A seal's t= is reported ([Instance.SealTime]), never a failure: in an
// archive every timestamp is in the past, and a clock that was wrong then
// says nothing about the chain.
//
// # Keys
//
// Keys come from [dkim.Options] exactly as for [dkim.Verify] (key files
// first, DNS only when the caller supplies a DNS source and the files have
// no usable record), and each name is asked at most once per call. With no
// key at all every signature is ResultNoKey and the chain fails.
//
// Canonicalization, body hashing, tag lists, header selection and the key
// rules are those [dkim.Verify] applies, shared through an internal
// package, so there is one canonicalization in the module; this package
// only adds the ARC rules.
package arc
