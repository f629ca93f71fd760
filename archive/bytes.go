package archive

import (
	"bytes"
	"context"
)

// NewMessage returns the record of one message whose stored bytes are raw,
// as they would lie in a file of their own named name (an uploaded .eml, a
// message taken from a database): the record Walk yields for such a file,
// with its chain of custody filled in. File is name; Index is 1; Size and
// SHA256 are those of Raw; ID is [MessageID] of the SHA-256 and name's last
// element, as Walk computes it for a file it is given.
//
// Format is detected from the content: [FormatEMLX] for Apple Mail's
// framing (a length line, the message, a plist; Raw is then the message
// inside it and Offset its start), [FormatEML] otherwise. An mbox
// separator line or Exchange's preamble above the header stays in Raw, as
// it does in an .eml file, and the verifier sets it aside ([LeadingLine]).
// Bytes that do not look like mail at all are still read as one message,
// with Forced set and a note, since the caller says they are one: a
// verdict on them deserves less weight.
//
// NewMessage reads raw as a single message whatever it holds; to read bytes
// that may hold several (an mbox, a zip), use [WalkReaderAt]. Raw is not
// copied: the record's Raw is a slice of raw, which the caller must not
// change while the record is in use. A message over [DefaultMaxMessageSize] gives
// a record wrapping [ErrTooLarge], as Walk's does.
func NewMessage(name string, raw []byte) *Message {
	var m *Message
	w := &walker{ctx: context.Background(), root: name, yield: func(r *Message) bool {
		m = r
		return false
	}}
	head := raw[:min(len(raw), SniffSize)]
	kind := Detect(head)
	switch kind {
	case KindEmlx:
	case KindEML, KindMbox:
		kind = KindEML
	default:
		kind = KindEML
		w.entryNote = "the bytes do not look like mail; they were read as one message because they were given as one"
		w.forced = true
	}
	w.readStream(name, kind, bytes.NewReader(raw), int64(len(raw)))
	if m.Err == nil && m.Raw != nil && m.Offset+m.Size <= int64(len(raw)) {
		// readRaw copied the bytes into a buffer of its own: give back the
		// caller's, as documented, so the message is not held twice.
		m.Raw = raw[m.Offset : m.Offset+m.Size : m.Offset+m.Size]
	}
	return m
}
