// Package mbox reads mboxo, mboxrd, mboxcl and mboxcl2 archives (RFC 4155).
package mbox

import "io"

// Format is an mbox variant: "mboxo", "mboxrd", "mboxcl", "mboxcl2", or
// "mbox" when the file cannot tell mboxo from mboxrd.
type Format string

const (
	FormatMbox    Format = "mbox"
	FormatMboxo   Format = "mboxo"
	FormatMboxrd  Format = "mboxrd"
	FormatMboxcl  Format = "mboxcl"
	FormatMboxcl2 Format = "mboxcl2"
)

// A Message is one message of an mbox file. Body is valid until the next
// call to Reader.Next.
type Message struct {
	Index     int    // 1-based position within the file
	Offset    int64  // byte offset of the first byte after the separator line
	Separator string // the separator line, without its line ending
	Body      io.Reader
	Notes     []string // non-fatal findings (a lying Content-Length, a truncated message)
}

// A View is one candidate unescaped form of a stored message.
type View struct {
	Format Format // the unescaping rule that produced Data
	Data   []byte
}

// Views returns each candidate unescaped view of raw, the format's own first
// (DESIGN.md, A message). Data may alias raw when nothing changes.
func Views(raw []byte, format Format) []View { return []View{{Format: format, Data: raw}} }
