// Package dkimcore holds the pieces of the DKIM algorithm (RFC 6376) that
// package dkim and package arc (RFC 8617, which signs and verifies the
// same way under other field names) share, so that the module has one
// canonicalization and one set of key rules.
//
//   - Tag lists: [ParseTagList] (RFC 6376 §3.2).
//   - Canonicalization and hashing: [ParseCanonicalization],
//     [AppendCanonicalHeader], [BodyHash] and [NewBodyHasher] (§3.4),
//     [CustodyAndBodyHash] (the body hash and the chain-of-custody SHA-256
//     of the stored bytes in one pass), and the header hash input,
//     [SelectSignedFields], [AppendHeaderHashInput] and
//     [StripSignatureValue] (§3.7, §5.4.2).
//   - Names: [ValidDomain] and [ASCIIDomain] for d= and s= (RFC 8616).
//   - Keys: [ParseKey] and [Key.Verify] (§3.6.1, RFC 8463; RSA of any size),
//     [KeyRecord] and [KeySource], and a [Resolver], which looks up a
//     selector's records, key files before DNS, and checks a signature
//     with each usable one ([Resolver.Check], [Resolver.CheckDigest]),
//     applying the key restrictions (k=, h=, s=, t=s, g=) and the rules for
//     published, testing and weak keys. A [KeyCache] keeps parsed keys for
//     whoever owns it.
//
// Users see these through package dkim: its Verify, Options, results and
// key sources. [Result] and [HeaderStatus] have the values of dkim.Result
// and dkim.HeaderStatus, which dkim and arc convert by value. Error texts
// start with "dkim: ", as dkim re-exports the sentinels.
package dkimcore
