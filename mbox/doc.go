// Package mbox reads mboxo, mboxrd, mboxcl and mboxcl2 archives (RFC 4155).
//
// A [Reader] yields one [Message] at a time, exactly as stored and with its
// byte offset, so a finding can be traced to the bytes of the source file. It
// keeps archive/tar's contract: [Reader.Next] skips what the caller left
// unread, returns io.EOF at the end, and keeps the first error sticky;
// [Reader.All] is a range-over-func layer on top.
//
// # Messages and separators
//
// A message starts after a separator line: "From " followed by a plausible
// envelope sender and date ([IsSeparator], which takes the dates real tools
// write: asctime with or without a zone, numeric and named zones, Java's
// "GMT+01:00", a UUCP "remote from" tail), at the start of the input (after
// optional blank lines) or after a blank line. Where the previous line is
// not blank (a writer that left a message's last line without its line
// ending), the separator line still ends the message when a header field
// follows it, except in a file named mboxcl2, which escapes nothing: every
// other variant escapes the "From " lines of a body. Any other "From " line,
// or one whose date does not read as one, is body text. The message's bytes
// (its Body) run up to the next separator line or the end of the input,
// still escaped, line endings untouched (LF and CRLF files alike); they
// include the blank line that the mbox writer puts before the next
// separator.
//
// A UTF-8 byte-order mark ([UTF8BOM]) that Windows tools write at the start
// of a text file is a storage artifact: one before a separator line (at the
// start of the input, or of a file appended to another) is set aside and
// reported with Message.BOM; one right after a separator line is the first
// thing Body yields, because Body holds the stored bytes, and a verifier
// sets it aside.
//
// A second, looser test, [LeadingSeparatorLen], answers another question:
// whether a single message's bytes (an .eml cut out of an mbox) start with
// a separator line the cutting tool left there. Any "From " line with more
// than blanks after it counts, dated or not, unless a colon comes first
// ("From : x" is a From field): no other such line can be a header field.
// The Reader splits messages only at lines [IsSeparator] accepts.
//
// # Content-Length
//
// A message whose header has exactly one Content-Length field is framed by
// it when the file agrees: where the counted body ends, the input must end
// or a separator line must follow (after at most one blank line). A "From "
// separator-like line inside the counted body is then body text (mboxcl2
// does not escape), unless a header field follows it: a message starts
// there, and a count stretched over it must not make it vanish. Where the
// file disagrees (the count stops short of the next separator line or of
// the end of the input, or reaches over a separator line that starts a
// message), the Content-Length is overruled, the separator lines frame the
// message and Message.ContentLengthConflict says why; where the input ends
// before the counted body does, a note says the message is truncated. A
// count reaching further ahead than the buffer cannot be checked: the
// separator lines frame the message, with a note.
//
// # Formats
//
// Each Message reports the variant it was read as (Message.Format):
//
//   - with Options.Format set, that variant;
//   - framed by an agreeing Content-Length: mboxcl2 when its counted body
//     holds an unescaped "From " line, mboxcl when it holds a ">From " line,
//     else what an earlier message of the file showed (mboxcl2 once one did),
//     else mboxcl;
//   - otherwise mboxrd when the message or an earlier one of the file has a
//     ">>From " line, else mbox: mboxo and mboxrd cannot be told apart, and
//     [Views] gives both readings. The mboxrd label is a likely reading, not
//     a proof: mboxrd escaping makes a ">>From " line, but an mboxo writer
//     also keeps one that the text itself held.
//
// A message without any "From " or ">From " line has one view whatever its
// variant, so the label matters only where the file shows evidence.
//
// # Views
//
// A message's stored bytes are still escaped. [Views] gives the candidate
// unescaped messages, the format's own view first ([OwnView] alone, for the
// cost of one unescaping), then the other variants' readings a verifier may
// try when a signature fails; [ParseFormat] tells an mbox variant's name
// from another format's. A variant that cannot tell a quoted ">From " line
// from an escaped one ([Format.Ambiguous]) allows every mix of such body
// lines read as written or unescaped: [MixedViews], at most
// 1<<[MaxMixedLines] of them. [HasEscapedLine] finds the lines any
// unescaping touches, which a verifier must not read differently in a
// header. No view changes line endings or is longer than the stored bytes.
//
// # Bounds
//
// A Reader read through Body holds one buffer of Options.BufferSize bytes
// (default 1 MiB) and never a whole message: memory does not depend on
// message size or line length. [Message.Bytes] hands out a message as one
// slice of the buffer instead, without a copy; the Reader then moves on to
// a new buffer twice that size rather than write over it, and only a
// message that straddles two buffers, or is larger than one, is copied.
// [Message.Lines] tells what the split learnt of the message's lines (the
// blank line its writer added, bare LF line endings, escaped lines), so a
// verifier need not scan the bytes again. A 2 GB input without a newline streams through as one message
// body (a note reports lines longer than Options.MaxLineLength); a separator
// line is at most [MaxSeparatorLength] bytes. The header searched for
// Content-Length and the Content-Length look-ahead are bounded by the buffer.
//
// Malformed input (truncation, a lying Content-Length, long lines) gives
// notes or Message fields, never errors: only an input that does not start with a separator
// ([ErrNoSeparator]) or an I/O error ends the reading.
package mbox
