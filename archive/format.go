package archive

import (
	"fmt"

	"github.com/leakproof/leakproof/mbox"
)

// Format is how a message was stored: as a file of its own or in one of the
// mbox variants. Its value is the contract's word for it, which MarshalText
// writes and UnmarshalText reads back. The zero value, "", is no format: a
// record for a file that could not be read as any.
type Format string

const (
	FormatEML     Format = "eml"                      // a file holding one RFC 5322 message (a .eml file, a Maildir file)
	FormatEMLX    Format = "emlx"                     // Apple Mail's .emlx: a length line, the message and a plist
	FormatMbox    Format = Format(mbox.FormatMbox)    // an mbox that cannot tell mboxo from mboxrd
	FormatMboxo   Format = Format(mbox.FormatMboxo)   // mboxo: "From " escaped as ">From "
	FormatMboxrd  Format = Format(mbox.FormatMboxrd)  // mboxrd: every ">*From " line escaped with one more ">"
	FormatMboxcl  Format = Format(mbox.FormatMboxcl)  // mboxcl: framed by Content-Length, escaped as mboxo
	FormatMboxcl2 Format = Format(mbox.FormatMboxcl2) // mboxcl2: framed by Content-Length, nothing escaped
)

// String returns the format's word ("eml", "mboxrd", ...), "" for none.
func (f Format) String() string { return string(f) }

// MarshalText implements encoding.TextMarshaler with the word of String.
// A value that is none of the constants (nor "") is an error.
func (f Format) MarshalText() ([]byte, error) {
	if !f.known() {
		return nil, fmt.Errorf("archive: invalid Format %q", string(f))
	}
	return []byte(f), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (f *Format) UnmarshalText(text []byte) error {
	g := Format(text)
	if !g.known() {
		return fmt.Errorf("archive: unknown format %q", text)
	}
	*f = g
	return nil
}

func (f Format) known() bool {
	switch f {
	case "", FormatEML, FormatEMLX, FormatMbox, FormatMboxo, FormatMboxrd, FormatMboxcl, FormatMboxcl2:
		return true
	}
	return false
}
