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
// # Policy
//
// The zero [Options] is the newsroom default: key files only (no DNS unless
// Options.DNS is set: a lookup tells the domain's owner someone is
// checking), RSA keys of at least 1024 bits, rsa-sha1 accepted at medium
// confidence, full body coverage required, no trusted ARC sealer.
// Confidence is high for an Ed25519 or 2048-bit RSA key with sha256 and no
// l=, medium for 1024 to 2047 bits, rsa-sha1, an l= or a trusted sealer's
// word, low otherwise (verdict.go documents the rules).
//
// # Views and repairs
//
// A message is first checked as its format defines it (mbox escaping undone
// per variant, line endings made CRLF). Only when a signature fails are
// repairs tried, in a fixed, bounded order, each of which only removes
// bytes the archive format or a copy tool adds; a repair that makes the
// checks come out better is kept and recorded as repair.* evidence
// (views.go lists them).
//
// # Verdicts
//
// The rules of DESIGN.md are applied in order, the first that matches
// deciding: altered on direct evidence of a change after signing; authentic
// on a trusted ARC sealer's word; authentic on an aligned, passing
// signature covering From and the whole body; altered on a failing
// signature; unverifiable otherwise. "Authentic" means sent as shown by the
// signing domain's mail system, never that the content is true.
//
// What receivers recorded (Authentication-Results, ARC-Authentication-Results)
// never makes a message authentic on its own; a recorded dkim=pass for a
// signature that fails now is evidence of a change after receipt.
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
