package mbox

import (
	"errors"
	"fmt"
	"io"
)

// Format is an mbox variant: "mboxo", "mboxrd", "mboxcl", "mboxcl2", or
// "mbox" when the file cannot tell mboxo from mboxrd.
type Format string

// The mbox variants, by the names Message.Format reports.
const (
	// FormatMbox is an mbox file that cannot tell mboxo from mboxrd: it has
	// no line that only mboxrd escaping produces (">>From ").
	FormatMbox Format = "mbox"
	// FormatMboxo escapes "From " as ">From " and cannot be undone exactly.
	FormatMboxo Format = "mboxo"
	// FormatMboxrd escapes every ">*From " line with one more ">".
	FormatMboxrd Format = "mboxrd"
	// FormatMboxcl frames messages by Content-Length and escapes as mboxo.
	FormatMboxcl Format = "mboxcl"
	// FormatMboxcl2 frames messages by Content-Length and escapes nothing.
	FormatMboxcl2 Format = "mboxcl2"
)

// ParseFormat returns the mbox variant named s and true, or "" and false
// when s names none (an "eml" or "emlx" file, say). Names are exact and
// lower-case, as Message.Format gives them.
func ParseFormat(s string) (Format, bool) {
	switch f := Format(s); f {
	case FormatMbox, FormatMboxo, FormatMboxrd, FormatMboxcl, FormatMboxcl2:
		return f, true
	}
	return "", false
}

// Errors returned by the Reader, wrapped in a [*ParseError] where an offset
// is known.
// UTF8BOM is the UTF-8 byte-order mark (U+FEFF), which Windows tools write
// at the start of a text file.
const UTF8BOM = "\xef\xbb\xbf"

var (
	// ErrNoSeparator means the input does not start with a "From " separator
	// line (after optional blank lines).
	ErrNoSeparator = errors.New("mbox: missing From separator")
)

// A ParseError reports input that is not an mbox file and where it was found.
type ParseError struct {
	Offset int64 // byte offset in the input
	Err    error // a sentinel such as ErrNoSeparator
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("mbox: offset %d: %v", e.Offset, e.Err)
}

// Unwrap returns the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

// A Message is one message of an mbox file. Body is valid until the next
// call to Reader.Next; it yields the stored bytes: the bytes after the
// separator line up to the next separator line or the end of the input,
// still escaped, line endings untouched.
//
// Size, Format and Notes are complete once Body has returned io.EOF (or the
// Reader has moved on): what they say depends on bytes not yet read when
// Next returns.
type Message struct {
	Index     int    // 1-based position within the file
	Offset    int64  // byte offset of the first byte after the separator line
	Separator string // the separator line, without its line ending
	Body      io.Reader
	Notes     []string // non-fatal findings (a truncated message, a long line)

	// BOM is set when a UTF-8 byte-order mark came before the separator
	// line, at the start of the file or of a file concatenated onto
	// another: a storage artifact, set aside and in no message's bytes.
	// (A mark right after the separator line is the first thing Body
	// yields: the Reader never drops stored bytes of a message.)
	BOM bool
	// ContentLengthConflict says why the message's Content-Length field
	// was overruled, "" when it was not: the count ends short of the next
	// separator line (or of the end of the input), or reaches over a
	// separator line that starts another message. The separator lines
	// frame the message either way. It is final when Body is exhausted.
	ContentLengthConflict string

	// Size is the number of bytes Body yields. It is final when Body is
	// exhausted.
	Size int64
	// Format is the variant this message was read as; see the package
	// documentation, "Formats". It is final when Body is exhausted.
	Format Format
	// Lines holds what the Reader learnt of the message's lines while
	// it split the file. It is final when Body is exhausted.
	Lines Lines

	ck *chunk // the buffer Bytes handed out a slice of, until Release
}

// Lines are facts about the lines of a message's stored bytes that the
// Reader gathers as it splits the file, so that a verifier need not scan
// the bytes again to learn them: whether a copy with other line endings
// or unescaped lines is needed at all.
type Lines struct {
	// Trailer is the length of the blank line ("\n", "\r\n" or "\r\r\n")
	// that ends the stored bytes right before the next separator line or
	// the end of the input, 0 when they do not end in one: the blank line
	// an mbox writer puts after each message, which a writer of a CRLF
	// file often ends with a bare LF. It is framing; a signature never
	// depends on it (canonicalization drops empty lines at the end of a
	// body, RFC 6376 section 3.4).
	Trailer int
	// BareLF is set when a line before the Trailer ends in a bare LF
	// rather than CRLF: a verifier reads such a message with CRLF line
	// endings, as mail is sent.
	BareLF bool
	// Escaped is set when a line may start with ">From " after any
	// further '>' ([HasEscapedLine]): when it is false, every view
	// ([Views]) is the stored bytes themselves.
	Escaped bool
}

// A View is one candidate unescaped form of a stored message.
type View struct {
	Format Format // the unescaping rule that produced Data
	Data   []byte
}
