// Package leakproof tells whether the emails of a leaked archive are
// genuine. For every message it gives a verdict, authentic, altered or
// unverifiable, with a confidence, the evidence behind it under stable
// codes, and a plain-language explanation an editor can read. It checks
// the DKIM signatures of the messages exactly as they were stored, offline,
// with the signing domains' keys taken from a key archive.
//
// This package holds the few calls most programs need: [VerifyMessage]
// for one message in memory, [Verify] for an archive on disk (an mbox, a
// Maildir, a folder of .eml files, a zip or tar of them), [VerifyFS] for an
// fs.FS, and [VerifyReaderAt] for an upload held in memory, under the name
// its records should carry; [ReadKeyFiles] loads key archives. The packages
// below do the work, and a program that needs more calls them directly.
//
// # What a verdict proves
//
// Authentic means sent as shown by the signing domain's mail system: a
// signature of the From domain verifies with a key that domain published,
// and covers the From field and the whole body. It does not mean that the
// content is true, nor that the person named wrote it: a gmail.com
// signature proves which account sent the message, not who typed it, and
// fields the signature does not cover (the Coverage of the assessment names
// them, often Cc) are not proven.
//
// Altered means something a signer covered was changed after signing (the
// body, a signed header), or a field a mail client shows was added
// unsigned. It does not say who changed it or when: forwarders, mailing
// lists and archive tools change mail too. The evidence says what changed.
//
// Unverifiable means nothing in the message vouches for it either way: no
// signature, no key for it in the key archive, a key too short. It is not a
// sign of forgery; most mail from before about 2010 has no signature.
//
// docs/verdicts.md states the rules in full, and docs/evidence.md every
// evidence code with what a reporter should do next.
//
// # Keys
//
// A signature is checked with the public key its domain published in DNS
// when the mail was sent. Keys are rotated, so for old mail today's DNS
// usually no longer has them: keys come from key archives (JSON Lines or
// BIND zone files; docs/keys.md) that [ReadKeyFiles] loads into
// Options.Check.Keys. The zero Options has no key archive, so every signed
// message comes out unverifiable with evidence dkim.no_key: that is the
// commonest surprise, and dkim.KeysNeeded, or "leakproof keys needed",
// lists the keys to look for.
//
// Nothing here touches the network unless the caller hands it a DNS
// source as Options.Check.DNS: dkim.NewSystemDNSSource (the system's
// resolver), dkim.NewDNSSource (a server of the caller's choice) or
// dkim.NewLookupTXTSource (net.Resolver.LookupTXT, or any resolver of that
// shape). A lookup tells the domain's operator that someone is checking mail
// signed with that selector, and DNS shows today's keys, not those in use
// when the mail was sent.
//
// # The flow
//
// Every call here is the same three steps, each a package of its own:
//
//  1. archive reads the input into archive.Message records, byte-exact,
//     each with its chain of custody: its file, its place in it (entry,
//     index, offset, size) and its SHA-256, so that anyone can find the
//     same bytes with standard tools. Files that are not mail are left out
//     (archive.MailOnly); Options.NotMail hears of each.
//  2. provenance checks each message (views, facts, decision, words) and
//     gives a provenance.Assessment: the verdict and everything behind it.
//     Archives are checked in parallel and reported in archive order.
//  3. report lays assessments out: JSON Lines (the contract of docs/json.md,
//     the same records "leakproof verify --format json" writes), CSV, a
//     text table, a self-contained HTML page, and the explanation of one
//     message.
//
// # Which package for what
//
//   - archive: walk a path, an fs.FS or an io.ReaderAt; make a record from a
//     message's bytes (archive.NewMessage); message IDs.
//   - provenance: the verdict, its policy (provenance.Options), the
//     parallel pipeline (Checker.Run), the evidence codes.
//   - report: JSON Lines, CSV, HTML, text and the explanation.
//   - dkim: DKIM and DomainKeys signatures on their own, key records, key
//     files and key sources (files, memory, DNS, a LookupTXT function).
//   - arc: ARC chains (RFC 8617).
//   - mbox: the streaming mbox reader underneath archive.
//
// # Concurrency and limits
//
// Every function here is safe for concurrent use; a call to Verify,
// VerifyFS or VerifyReaderAt checks Options.Check.Workers messages at once
// (default GOMAXPROCS) and lets no goroutine outlive it. Memory does not
// grow with the archive: the walk holds one message at a time and the
// pipeline a window of Options.Check.WindowBytes of them (default 32 MiB;
// provenance.Checker.Run says how it counts). The archive package
// documents the caps. Input is never written.
package leakproof
