// Package dkim verifies DKIM signatures (RFC 6376, RFC 8463) on stored mail,
// the way an investigation of years-old mail needs: every signature gets a
// result that says exactly what is and is not proven, never just an error.
//
// # Verifying
//
// [Verify] (or [VerifyBytes] for a message in memory) returns a
// [Verification]: one [Signature] per DKIM-Signature field, top to bottom,
// the header anomalies read from the raw bytes ([Finding]) and one
// Signature per DomainKey-Signature field ([Verification.DomainKeys]).
// The body hash and the header signature are computed independently: the
// header signature is checked even when the body does not match, and the
// body hash is computed even without a key. A bad signature is a finding,
// not an error; the error of Verify is for a failing reader, a message over
// [MaxMessageBytes], a header past the caps ([ErrHeaderTooLarge]) or a
// cancelled context.
//
// A program that reads the header itself, or checks ARC too, splits it once
// with [ParseHeader] and passes the [Header] to [VerifyHeader] (and to
// arc.VerifyHeader): the fields it sees are the ones the verifier checked.
//
// # Results
//
// [Signature.HeaderSignature] ([HeaderValid], [HeaderInvalid],
// [HeaderUnchecked]) and [Signature.BodyHash] ([BodyMatch], [BodyMismatch],
// [BodyUnchecked]) are the arithmetic; [Signature.Result] says what they
// prove: [ResultPass] only with an acceptable key, [ResultFail],
// [ResultWeakKey], [ResultTestingKey] and [ResultPublishedKey] (the
// arithmetic stays visible, but such a key proves nothing), [ResultNoKey],
// [ResultRevoked], [ResultPermError], [ResultTempError] and [ResultSkipped]
// (past [Options.MaxSignatures]). [Signature.Err] wraps a sentinel saying
// why the result is not a pass; branch on it with errors.Is.
// [Signature.Coverage] says, for each field name in h=, how many instances
// the header has and which the signature covers (RFC 6376 §5.4.2 picks them
// bottom up), so that an unsigned From added above a signed one shows.
//
// # Old mail
//
// Rules written for fresh mail would write off an archive, so this package
// departs from RFC 6376 where a signature was valid when it was made:
//   - x= is reported ([Signature.Expires]), never a failure; t= is reported
//     and a t= after [Options.Time] is flagged.
//   - rsa-sha1 is verified and reported; what it is worth is policy.
//   - RSA keys of any size are checked, with plain big-integer arithmetic
//     below 1024 bits, and reported as ResultWeakKey under
//     [Options.MinRSABits].
//   - l= is honoured; canonical body bytes past it are counted in
//     [Signature.UnsignedBodyBytes].
//   - Signatures of the pre-RFC drafts (no v=, or v=0.5) are verified as
//     Mail::DKIM verifies them and flagged ([Signature.Draft]).
//   - A key record's g= (RFC 4871, dropped by RFC 6376) is still enforced,
//     as it was when those signatures were made.
//
// # DomainKeys
//
// DomainKeys (RFC 4870), DKIM's predecessor, signed Yahoo's and Gmail's
// mail from 2004 to about 2010, often as the only signature. A
// DomainKey-Signature is verified as Mail::DKIM verifies it: c=simple or
// c=nofws, the fields named in h= (in h= order, every instance) or else
// every field below the signature, then the body without its trailing
// empty lines, all in one rsa-sha1 hash, checked with the key record at
// selector._domainkey.domain (k=rsa; a g= restricts the local part of the
// sending address, an empty g= matches all). Its d= must be the domain, or
// a parent domain, of the signed Sender address, else of the signed From
// address ([ErrSendingDomain]); a q= other than "dns" is
// [ErrUnsupportedQuery]; both are [ResultPermError]. Its one check is in
// [Signature.HeaderSignature]; [Signature.BodyHash] stays [BodyUnchecked].
//
// # Keys
//
// Keys come from a [KeySource]: a [KeyFile] ([ReadKeyFile] reads JSON Lines
// key archives and BIND zone files; [NewKeyFile] holds records a program has
// in memory), several combined with [KeySources], or DNS: a [DNSSource]
// asking a server of the caller's choice ([NewDNSSource]) or the system's
// ([NewSystemDNSSource], which reads /etc/resolv.conf with
// [ParseResolvConf]), or any resolver with net.Resolver's LookupTXT
// signature ([NewLookupTXTSource]). [MergeKeyRecords] merges the records of
// several key files into one clean list. [Options.Keys] is asked first; [Options.DNS] only for a
// name the key files hold no usable record for. There is no network by
// default: today's DNS shows today's keys, not those in use when the mail
// was sent, and a selector lookup tells the domain's operator that someone
// is checking. Record DNS answers with [DNSOptions.Record] to repeat a run
// offline. A DNSSource asks each name once in its life, within a time
// budget ([DNSOptions.Budget]).
//
// A leaked archive arrives without keys: [KeysNeeded] lists the key records
// a message's signatures need (DKIM and DomainKeys) without verifying
// anything, so that a program can say which keys to look for before a run.
//
// Selectors are reused with new keys, and key files gather records from
// many years and sources, so every usable record of a selector is tried and
// the outcome never depends on their order: a key marked published
// ([KeyRecord] PrivateKeyPublished, under any name in a KeyFile) or t=y in
// any record holding it gives ResultPublishedKey or ResultTestingKey; among
// records that verify the worst outcome wins (published, testing, weak,
// pass), and [Signature.Key] names the record that decided. A key that
// cannot have made b= at all (a key rotated under the selector, or a
// damaged b=) sets [Signature.KeyMismatch]: the result stays ResultFail,
// but it is no evidence that signed content changed.
//
// # Hostile input
//
// d= and s= must be letters, digits and hyphens, or U-labels (RFC 8616)
// that convert to such A-labels under strict IDNA2008 rules; the key lookup
// name is built only from validated labels. Tag lists, h= lists,
// signatures per message, header size, message size and key files are
// capped. No input panics. Verify is safe for concurrent use.
package dkim
