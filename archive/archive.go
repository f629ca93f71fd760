package archive

import (
	"errors"

	"github.com/leakproof/leakproof/mbox"
)

// A Message is one message found in an archive, or a file that could not be
// read (Index 0, Err set).
type Message struct {
	// ID identifies the message however the walk's root was typed: see
	// [MessageID]. Records of files that are not mail or could not be
	// read have one too.
	ID        string
	File      string // path as given joined with "/" and the path inside it
	Index     int    // 1-based position within File; 0 for a file-level error record
	Offset    int64  // where Raw starts within File (within the uncompressed zip entry)
	Size      int64  // len(Raw) as stored
	SHA256    string // hex SHA-256 of Raw
	Format    Format // how the message was stored: eml, emlx, or the mbox variant
	Separator string // the mbox separator line, "" otherwise
	Raw       []byte // the stored bytes, still escaped
	Notes     []string
	Err       error // why the message or file could not be read

	// Entry and Entries are set on the records of a zip entry whose name
	// other entries of the same zip share (File alone cannot tell them
	// apart): Entry is its 1-based place among them in the zip's directory
	// order, Entries how many there are. Both are 0 otherwise.
	Entry, Entries int

	// Forced is set when the file did not look like mail and was read as
	// one message only because it was named directly: a verdict on it
	// deserves less weight (it may be a log or a note quoting a message).
	Forced bool
}

// Errors a Message's Err wraps (with the path, and the offset where there is
// one), for callers to branch on with errors.Is.
var (
	// ErrNotMail marks a file that holds no mail: the CLI counts and omits it.
	ErrNotMail = errors.New("archive: not a mail file")
	// ErrTooLarge marks a message over Options.MaxMessageSize. Its record
	// still has Index, Offset and Size, and the SHA256 of the stored bytes
	// when they had to be read anyway (an mbox message, a zip entry); a
	// single-message file known to be too large is not read and has no
	// SHA256. Raw is nil.
	ErrTooLarge = errors.New("archive: message larger than the size cap")
	// ErrZipEntryTooLarge marks a zip entry that declares or yields more
	// than Options.MaxZipEntrySize bytes.
	ErrZipEntryTooLarge = errors.New("archive: zip entry larger than the size cap")
	// ErrZipRatio marks a zip entry that expands more than
	// Options.MaxZipRatio times (a zip bomb).
	ErrZipRatio = errors.New("archive: zip entry compression ratio above the cap")
	// ErrTooManyEntries marks a zip with more than Options.MaxZipEntries
	// entries; none of them is read.
	ErrTooManyEntries = errors.New("archive: zip has more entries than the cap")
	// ErrNestedZip marks a zip inside a zip: only one level is opened.
	ErrNestedZip = errors.New("archive: zip inside a zip not opened")
)

// Default caps, used where an Options field is zero.
const (
	DefaultMaxMessageSize  = 100 << 20
	DefaultMaxZipEntrySize = 16 << 30
	DefaultMaxZipRatio     = 1000
	DefaultMaxZipEntries   = 1 << 20
)

// Options configures Walk. A nil *Options is the same as &Options{}.
type Options struct {
	// MaxMessageSize caps Raw. A larger message becomes a record wrapping
	// ErrTooLarge (with its Size and SHA256, without Raw) and the walk goes
	// on. If zero, DefaultMaxMessageSize (100 MiB).
	MaxMessageSize int64
	// MaxZipEntrySize caps the uncompressed bytes read from one zip entry.
	// If zero, DefaultMaxZipEntrySize (16 GiB).
	MaxZipEntrySize int64
	// MaxZipRatio caps how many times larger than its compressed size a zip
	// entry may be. If zero, DefaultMaxZipRatio (1000).
	MaxZipRatio int64
	// MaxZipEntries caps the entries of one zip. If zero,
	// DefaultMaxZipEntries (1 Mi).
	MaxZipEntries int
	// Mbox configures the mbox reader (the variant, its buffer). If nil,
	// mbox's defaults: the variant is detected per message.
	Mbox *mbox.Options
}

func (o *Options) maxMessageSize() int64 {
	if o == nil || o.MaxMessageSize <= 0 {
		return DefaultMaxMessageSize
	}
	return o.MaxMessageSize
}

func (o *Options) maxZipEntrySize() int64 {
	if o == nil || o.MaxZipEntrySize <= 0 {
		return DefaultMaxZipEntrySize
	}
	return o.MaxZipEntrySize
}

func (o *Options) maxZipRatio() int64 {
	if o == nil || o.MaxZipRatio <= 0 {
		return DefaultMaxZipRatio
	}
	return o.MaxZipRatio
}

func (o *Options) maxZipEntries() int {
	if o == nil || o.MaxZipEntries <= 0 {
		return DefaultMaxZipEntries
	}
	return o.MaxZipEntries
}

func (o *Options) mbox() *mbox.Options {
	if o == nil {
		return nil
	}
	return o.Mbox
}
