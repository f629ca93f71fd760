// Package mailsyntax reads the structured header fields a verdict rests
// on: the From address, dates and Received fields, and
// Authentication-Results. It knows nothing of DKIM or of verdicts; its
// callers decide what a parsed value proves.
//
// The parsers read leaked mail, which is hostile input. Each one caps what
// it reads (16 KiB for a From, date or Received value, 64 KiB for an
// Authentication-Results value), never panics, and turns what it cannot
// read into an error or a reason, never into a guess. Each has a fuzz
// target stating its invariants.
//
// # From
//
// [ParseFrom] reads the value of a From field under RFC 5322 §3.4, with
// RFC 2047 encoded words in the display name and RFC 6532 UTF-8, and
// accepts it only when it names exactly one mailbox that a reader sees
// unambiguously. It is strict where a lenient reading could show a reader
// one address while the mail system used another: it refuses lists, group
// and route syntax, an address (or an "@domain") in the display name or a
// comment that differs from the real one, encoded words inside the
// addr-spec, comments or folding next to the "@", address literals, and
// domains that are not fully qualified host names once converted to
// A-labels. A refusal comes with a plain-language reason. It is lenient
// only where nothing can mislead: obsolete "." in a display name ("John Q.
// Public"), and an unquoted display name that is the very address in the
// angle brackets. [Domain] takes the domain of the address it returns, and
// [IsHostName] is the test its domain passes.
//
// The display name is read as a reader sees it, in this order: every
// encoded word decoded (any charset golang.org/x/text knows, and UTF-7);
// the text laid out in display order by the Unicode bidirectional
// algorithm, so that an address written backwards under a right-to-left
// override is found, as well as in stored order; default-ignorable code
// points (zero-width characters, joiners, the soft hyphen, the byte-order
// mark, variation selectors, tag characters, bidirectional controls) and
// spaces narrower than a normal one dropped; NFKC applied; and the result
// folded to its UTS #39 confusable skeleton, case-insensitively, so that
// look-alike letters and dots (Cyrillic "а", the small full stop, the Lisu
// tone mark, the Arabic-Indic zero) read as what they imitate. The sender's
// own address, in either form of its domain, may be shown.
//
// # Dates and Received
//
// [ParseDate] reads an RFC 5322 §3.3 date-time as real mail writes it,
// including the obsolete forms of §4.3 (two- and three-digit years, zone
// names), asctime order, dashed dates, fractional seconds, AM/PM and
// "GMT+hh:mm". A missing or unknown zone is taken as UTC and flagged; a
// numeric zone no clock uses (beyond ±14 hours, or off the quarter hour)
// is kept and flagged: no real clock wrote that time.
//
// [ParseReceived] reads one Received field (RFC 5321 §4.4, RFC 5322
// §3.6.7): the clauses (from, by, via, with, id, for) leniently, as words
// after their keywords with comments skipped, since every server writes
// them its own way; and the date after the last ";" outside comments with
// ParseDate.
//
// # Authentication-Results
//
// [ParseAuthResults] reads Authentication-Results (RFC 8601) and
// ARC-Authentication-Results (RFC 8617 §4.1.1) values. Beyond the grammar it
// takes what receivers actually write: comments anywhere, nested and holding
// ";"; CFWS around "=", "." and "/"; a missing authserv-id (Microsoft
// Exchange Online); missing or doubled ";"; unquoted values with characters
// the RFC reserves (a full base64 header.b); properties without a ptype
// ("action=none"); and methods outside the IANA registry. What is not a
// result is skipped; what cannot be read ends the parse with an error and
// the results read before it.
//
// # Also
//
// [DecodeWords] decodes RFC 2047 encoded words in an unstructured value,
// and [MessageID] takes the identifier out of a Message-ID value.
package mailsyntax
