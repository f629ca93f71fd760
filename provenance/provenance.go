// Package provenance turns a message into an assessment: a verdict
// (authentic, altered or unverifiable), its confidence, the evidence with
// stable codes, and what the signatures prove, field by field.
//
// # Checking
//
// A [Checker] made by [NewChecker] holds the key sources and the policy
// ([Options]). [Checker.Check] assesses one message; [Checker.Run] checks a
// whole archive in parallel and hands the results back in archive order.
//
// # How one message is judged
//
// [Checker.Check] follows one message through four steps, each a function
// whose output is plain data for the next:
//
//   - Views (views.go): the message as its format defines it (mbox
//     escaping undone, line endings made CRLF), checked by package dkim;
//     only when a signature fails are repairs tried, in a fixed, bounded
//     order, each removing only bytes the archive format or a copy tool
//     adds. A repair that makes the checks come out better is kept and
//     recorded as repair.* evidence.
//   - Facts (facts.go): everything observed, once: the header, the fields a
//     reader sees, the sender's identity, each signature with its
//     alignment, header anomalies, the ARC chain, what receivers recorded,
//     the attachments. Nothing is decided here.
//   - Decision (decide.go): a pure function of the facts and the policy:
//     which rule applies, the deciding signature, the verdict, its
//     confidence, and what is proven (the [Coverage]).
//   - Words (words.go, explain.go): the evidence, the one-sentence summary
//     and the [Explanation], a pure function of facts and decision. Every
//     sentence an editor reads is written here; package report only lays
//     it out.
//
// # Verdicts
//
// The rules are applied in order, the first that matches deciding (one
// file per rule family: rule1.go, signatures.go, sealer.go, with
// identity.go, headers.go and receiver.go for what they weigh):
//
//  1. altered, on direct evidence of a change after signing: an unsigned
//     extra instance of a displayed field, text past an aligned
//     signature's l=, a receiver's recorded pass for a signature that
//     fails now;
//  2. authentic, when aligned passing signatures with acceptable keys
//     cover From and the whole body, From is one mailbox with no header
//     anomaly that could show a reader another sender, and every unsigned
//     top-level MIME field (Content-Type with its boundary and charset,
//     Content-Transfer-Encoding, Content-Disposition) fits the signed
//     body bytes, so that what a reader sees of them is proven;
//  3. authentic, on the word of a trusted ARC sealer (only when
//     Options.TrustedSealers lists it), at medium confidence at most;
//  4. altered, when a signature checked with a key fails;
//  5. unverifiable otherwise.
//
// "Authentic" means sent as shown by the signing domain's mail system,
// never that the content is true. What receivers recorded
// (Authentication-Results, ARC-Authentication-Results) never makes a
// message authentic on its own. docs/verdicts.md states the rules in full
// for users; decide.go states them beside the code, with the confidence
// grades.
//
// # Policy
//
// The zero [Options] is the newsroom default: key files only (no DNS unless
// Options.DNS is set: a lookup tells the domain's owner someone is
// checking), RSA keys of at least 1024 bits, rsa-sha1 accepted at medium
// confidence, full body coverage required, no trusted ARC sealer.
// Confidence is high for an Ed25519 or 2048-bit RSA key with sha256 and no
// l=, medium for 1024 to 2047 bits, rsa-sha1, an l= or a trusted sealer's
// word, low otherwise.
//
// # Evidence
//
// Every [Evidence] item has a code from [Codes], documented in
// docs/evidence.md with what a reporter should do next.
//
// # Concurrency
//
// A Checker is safe for concurrent use. The package starts goroutines only
// in [Checker.Run], which documents them; none outlives the call.
package provenance
