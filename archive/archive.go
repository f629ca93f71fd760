package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"sync/atomic"

	"github.com/leakproof/leakproof/mbox"
)

// A Message is one message found in an archive, or a file that could not be
// read (Index 0, Err set).
type Message struct {
	// ID identifies the message however the walk's root was typed: see
	// [MessageID]. Records of files that are not mail or could not be
	// read have one too.
	// It is "" until Digest is called when Options.DeferDigest is set.
	ID        string
	File      string // path as given joined with "/" and the path inside it
	Index     int    // 1-based position within File; 0 for a file-level error record
	Offset    int64  // where Raw starts within File (within the uncompressed zip entry)
	Size      int64  // len(Raw) as stored
	SHA256    string // hex SHA-256 of Raw; "" until Digest is called when Options.DeferDigest is set
	Format    Format // how the message was stored: eml, emlx, or the mbox variant
	Separator string // the mbox separator line, "" otherwise
	Raw       []byte // the stored bytes, still escaped
	Notes     []string
	Err       error // why the message or file could not be read

	// BOM is set when a UTF-8 byte-order mark sits at the start of the
	// file or of the message: a storage artifact that Windows tools
	// write, not part of the message. Raw keeps the stored bytes, so a
	// mark at the start of the message is still Raw's first three bytes
	// (a verifier sets it aside); one before an mbox file's separator line
	// is in no message's Raw and is reported on the message after it.
	BOM bool
	// ContentLengthConflict says why the message's Content-Length field
	// was overruled by the mbox separator lines, "" when it was not (see
	// mbox.Message.ContentLengthConflict).
	ContentLengthConflict string

	// Entry and Entries are set on the records of a zip entry whose name
	// other entries of the same zip share (File alone cannot tell them
	// apart): Entry is its 1-based place among them in the zip's directory
	// order, Entries how many there are. Both are 0 otherwise.
	Entry, Entries int

	// Forced is set when the file did not look like mail and was read as
	// one message only because it was named directly: a verdict on it
	// deserves less weight (it may be a log or a note quoting a message).
	Forced bool

	// Lines holds what the mbox reader learnt of Raw's lines while it
	// split the file (the blank line the mbox writer added, bare LF line
	// endings, escaped "From " lines), so that a verifier need not scan
	// Raw again: see mbox.Lines. It is nil for a message that was not
	// read from an mbox file, whose lines the verifier looks at itself.
	Lines *mbox.Lines

	digestPending bool          // SHA256 and ID are left to Digest
	idPath        string        // the path MessageID takes, for Digest
	mbox          *mbox.Message // the mbox reader's message Raw is a slice of, until Release
	place         *place        // where Load reads Raw from (Options.DeferLarge), until it does
	loaded        bool          // Raw was read by Load: Release drops it
	free          chan []byte   // where Release gives Raw's buffer back, when loaded
}

// A place is where a deferred message's bytes lie: Size bytes at off in
// ra, the open file (or zip) the walk read it from.
type place struct {
	ra   io.ReaderAt
	off  int64
	free chan []byte // the walk's spare buffer for Load, given back by Release
	// sum is the keyed hash (with seed, the walk's, unknown outside the
	// process) of the bytes the walk passed over: reading them again must
	// give the same bytes, or the message's Lines, Size and SHA256 would
	// describe other bytes than the ones judged. An unkeyed checksum
	// would not do: an adversary who rewrites the file while it is read
	// could make a change that keeps it.
	sum  uint64
	seed maphash.Seed
}

// errChangedAt is Load's error when the bytes at pl are not those the
// walk passed over.
func (m *Message) errChangedAt(pl *place, n int, err error) error {
	if errors.Is(err, os.ErrClosed) {
		// Not a change: the caller broke Load's contract.
		return &PathError{Path: m.File, Index: m.Index, Offset: m.Offset, Err: fmt.Errorf(
			"the message was loaded after the walk moved past it, when its file was closed (Message.Load must be called before the walk yields the next record): %w", err)}
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return &PathError{Path: m.File, Index: m.Index, Offset: m.Offset, Err: fmt.Errorf(
			"%w: %d bytes of the message were read again at offset %d, %d were there before: %w",
			ErrChanged, n, pl.off, m.Size, err)}
	}
	return &PathError{Path: m.File, Index: m.Index, Offset: m.Offset, Err: fmt.Errorf(
		"%w: the %d bytes of the message read again at offset %d are not those read before", ErrChanged, m.Size, pl.off)}
}

// Deferred reports whether the walk left Raw for Load to read
// (Options.DeferLarge) and Load has not yet done it.
func (m *Message) Deferred() bool { return m != nil && m.place != nil }

// Load reads Raw of a message the walk deferred (Options.DeferLarge) from
// its place, in one piece of its exact size; for any other message it
// does nothing. Call it before asking the walk for the next record: the
// file is open until then (called later, it fails with an error that
// says so). If the bytes can no longer be read as the walk saw them (the
// file shrank, or was written over in place: the walk checks the bytes it
// reads again against a keyed hash of those it passed over), Err is set
// to a [*PathError] wrapping ErrChanged and Raw holds what was read; Load
// returns that error.
// Load is not safe to call concurrently for the same Message.
func (m *Message) Load() error {
	if m == nil || m.place == nil {
		return nil
	}
	pl := m.place
	m.place = nil
	var buf []byte
	select {
	case b := <-pl.free:
		if int64(cap(b)) >= m.Size {
			buf = b[:m.Size]
		}
	default:
	}
	if buf == nil {
		buf = make([]byte, m.Size)
	}
	n, err := pl.ra.ReadAt(buf, pl.off)
	if n == len(buf) {
		err = nil
	}
	m.Raw, m.loaded, m.free = buf[:n], true, pl.free
	if err != nil || maphash.Bytes(pl.seed, buf) != pl.sum {
		m.Err = m.errChangedAt(pl, n, err)
		m.Size = int64(n)
		return m.Err
	}
	return nil
}

// Release tells the walk that the caller is done with Raw, whose memory
// may then hold later messages: neither Raw nor anything sliced from it
// may be used after. It fills in SHA256 and ID first if they are still
// left to Digest. An mbox message's Raw is a slice of the mbox reader's
// buffer: Release gives it back and sets Raw to nil; any other message
// keeps its Raw. Calling it is optional: a message never
// released keeps its Raw, which the garbage collector frees once unused;
// releasing lets a walk over a large mbox reuse its read buffers instead
// of allocating new ones. provenance.Checker.Run releases each message
// once it is checked. Release is not safe to call concurrently for the
// same Message; a second call, or one on a nil Message, does nothing.
func (m *Message) Release() {
	if m == nil {
		return
	}
	m.Digest()
	if m.loaded {
		// The buffer Load read into serves the walk's next large message:
		// a run of them reuses one buffer.
		select {
		case m.free <- m.Raw[:0]:
		default:
		}
		m.Raw, m.loaded, m.free = nil, false, nil
		return
	}
	if m.mbox == nil {
		return
	}
	m.mbox.Release()
	m.mbox, m.Raw = nil, nil
}

// Digest fills in SHA256 and ID, the SHA-256 of Raw and the [MessageID]
// made from it, when the walk left them empty because Options.DeferDigest
// is set; otherwise it does nothing. It hashes Raw once: a later call does
// nothing. provenance.Checker.Check calls it, so a caller that hands the
// walk's messages to the checker need not. Digest is not safe to call
// concurrently for the same Message.
func (m *Message) Digest() {
	if !m.digestPending {
		return
	}
	m.digestPending = false
	if pl := m.place; pl != nil {
		// Hashed from its place, so that the walk does not hold it.
		h := sha256.New()
		var f maphash.Hash
		f.SetSeed(pl.seed)
		n, err := io.Copy(io.MultiWriter(h, &f), io.NewSectionReader(pl.ra, pl.off, m.Size))
		if err != nil || n != m.Size || f.Sum64() != pl.sum {
			// Not the bytes the walk passed over: Load says why, and
			// SHA256 is that of what it read.
			_ = m.Load()
			m.SHA256 = custodyDigest(m.Raw)
		} else {
			m.SHA256 = hex.EncodeToString(h.Sum(nil))
		}
		m.ID = MessageID(m.SHA256, m.idPath, m.Entry, m.Index)
		return
	}
	m.SHA256 = custodyDigest(m.Raw)
	m.ID = MessageID(m.SHA256, m.idPath, m.Entry, m.Index)
}

// DigestWith is Digest with the SHA-256 of Raw computed by sum, which must
// return exactly sha256.Sum256(raw) for the raw it is given: for a caller
// that hashes Raw together with something else in one pass over it.
// sum is called with Raw only when Digest would hash it, and at most once.
// DigestWith is not safe to call concurrently for the same Message.
func (m *Message) DigestWith(sum func(raw []byte) [sha256.Size]byte) {
	if !m.digestPending {
		return
	}
	if m.place != nil {
		_ = m.Load()
	}
	m.digestPending = false
	d := sum(m.Raw)
	m.SHA256 = hex.EncodeToString(d[:])
	m.ID = MessageID(m.SHA256, m.idPath, m.Entry, m.Index)
}

// custodyDigest returns the chain-of-custody digest of a message's stored
// bytes: their SHA-256 in lower-case hex. Every record's SHA256 that is
// not streamed past the size cap comes from here.
func custodyDigest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Errors a Message's Err wraps (with the path, and the offset where there is
// one), for callers to branch on with errors.Is.
var (
	// ErrNotMail marks a file the walk reads no mail from: the CLI counts
	// and omits it. A file in a mail format the walk recognises but cannot
	// read (an Outlook .pst) is one too; its error is then also an
	// [*UnsupportedError] naming the format.
	ErrNotMail = errors.New("archive: not a mail file")
	// ErrTooLarge marks a message over Options.MaxMessageSize. Its record
	// still has Index, Offset and Size, and the SHA256 of the stored bytes
	// when they had to be read anyway (an mbox message, a zip entry); a
	// single-message file known to be too large is not read and has no
	// SHA256. Raw is nil.
	ErrTooLarge = errors.New("archive: message larger than the size cap")
	// ErrZipEntryTooLarge marks a zip entry or a gzip or bzip2 stream
	// that declares or yields more than Options.MaxZipEntrySize bytes, or
	// a container whose nested containers inflate to more than that in
	// total.
	ErrZipEntryTooLarge = errors.New("archive: entry larger than the size cap")
	// ErrZipRatio marks a zip entry or a gzip or bzip2 stream that expands
	// more than Options.MaxZipRatio times its compressed size (a zip
	// bomb), the containers nested in it counted in.
	ErrZipRatio = errors.New("archive: compression ratio above the cap")
	// ErrTooManyEntries marks a zip or tar with more than
	// Options.MaxZipEntries entries; none of them is read.
	ErrTooManyEntries = errors.New("archive: archive has more entries than the cap")
	// ErrTooDeep marks a container (zip, tar, gzip or bzip2 file) nested
	// deeper than Options.MaxDepth levels; it is not opened.
	ErrTooDeep = errors.New("archive: containers nested deeper than the cap")
	// ErrNestedTooLarge marks a container inside a compressed one that is
	// larger than Options.MaxNestedSize: reading it needs random access or
	// a second pass, so it would have to be held in memory.
	ErrNestedTooLarge = errors.New("archive: nested archive too large to hold in memory")
	// ErrInflatedTotal marks a zip whose entries inflate to more than
	// Options.MaxZipTotal bytes in all, or a walk that inflated more
	// than Options.MaxInflatedTotal: the entry that crosses the cap and
	// every container after it get a record wrapping it.
	ErrInflatedTotal = errors.New("archive: more bytes inflated than the total cap")
	// ErrOverlap marks a zip entry whose compressed data shares bytes
	// with another entry's: no zip tool writes that, and a zip bomb
	// does, to inflate the same stream many times. No such entry is read.
	ErrOverlap = errors.New("archive: zip entries overlap")
	// ErrCentralDirectory marks a zip whose central directory is larger
	// than Options.MaxCentralDirectory; it is refused before it is parsed.
	ErrCentralDirectory = errors.New("archive: zip central directory larger than the cap")
	// ErrZipEntrySize marks a zip entry whose declared sizes cannot both
	// be true: a stored (uncompressed) entry whose compressed and
	// uncompressed sizes differ.
	ErrZipEntrySize = errors.New("archive: zip entry sizes disagree")
	// ErrTooManyFiles marks the file at which a walk reached
	// Options.MaxFiles; the walk ends there.
	ErrTooManyFiles = errors.New("archive: more files than the cap")
	// ErrPathTooDeep marks a folder nested deeper than
	// Options.MaxPathDepth below the walk's root; it is not entered.
	ErrPathTooDeep = errors.New("archive: folders nested deeper than the cap")
	// ErrChanged marks a file whose size or modification time changed
	// while it was read: its records may be incomplete or mixed from two
	// versions, and the file is no longer the evidence that was read.
	ErrChanged = errors.New("archive: file changed while it was read")
	// ErrUnsupported marks a file in a mail format the walk recognises but
	// cannot read; the error is an [*UnsupportedError] naming the format.
	ErrUnsupported = errors.New("archive: mail format not supported")
)

// Default caps, used where an Options field is zero.
const (
	DefaultMaxMessageSize  = 100 << 20
	DefaultMaxZipEntrySize = 16 << 30
	DefaultMaxZipRatio     = 1000
	DefaultMaxZipEntries   = 1 << 20
	DefaultMaxDepth        = 3
	DefaultMaxNestedSize   = 256 << 20

	DefaultMaxZipTotal         = 64 << 30
	DefaultMaxInflatedTotal    = 1 << 40
	DefaultMaxCentralDirectory = 64 << 20
	DefaultMaxFiles            = 16 << 20
	DefaultMaxPathDepth        = 100
)

// Options configures Walk. A nil *Options is the same as &Options{}.
type Options struct {
	// MaxMessageSize caps Raw. A larger message becomes a record wrapping
	// ErrTooLarge (with its Size and SHA256, without Raw) and the walk goes
	// on. If zero, DefaultMaxMessageSize (100 MiB).
	MaxMessageSize int64
	// MaxZipEntrySize caps the uncompressed bytes read from one zip entry
	// or gzip or bzip2 stream, and the bytes inflated in total by the
	// containers nested in it. If zero, DefaultMaxZipEntrySize (16 GiB).
	MaxZipEntrySize int64
	// MaxZipRatio caps how many times larger than its compressed size a zip
	// entry or gzip or bzip2 stream may be, the containers nested in it
	// counted in. If zero, DefaultMaxZipRatio (1000).
	MaxZipRatio int64
	// MaxZipEntries caps the entries of one zip or tar. If zero,
	// DefaultMaxZipEntries (1 Mi).
	MaxZipEntries int
	// MaxDepth caps how deeply containers (zip, tar, gzip and bzip2
	// files) are opened inside each other: 1 opens a zip but no zip in
	// it. A compressed tar (.tar.gz) counts as one level. If zero,
	// DefaultMaxDepth (3).
	MaxDepth int
	// MaxNestedSize caps a container that must be held in memory to be
	// read: a zip (which needs random access) or a tar or compressed file
	// (which is read twice) found inside a compressed zip entry or a
	// compressed tar. If zero, DefaultMaxNestedSize (256 MiB).
	MaxNestedSize int64
	// MaxZipTotal caps the bytes inflated from one zip's entries in all,
	// the containers nested in them counted in, and both passes over
	// each entry (see "Containers" in the package doc) counted. If zero,
	// DefaultMaxZipTotal (64 GiB).
	MaxZipTotal int64
	// MaxInflatedTotal caps the bytes inflated from every zip entry and
	// gzip or bzip2 stream of one walk (one range over Walk's iterator),
	// or of every walk sharing Inflated. If zero, DefaultMaxInflatedTotal
	// (1 TiB).
	MaxInflatedTotal int64
	// Inflated, when not nil, counts the bytes inflated by the walks
	// given these Options, so that MaxInflatedTotal bounds a run over
	// several roots walked one after another. If nil, each walk counts
	// its own.
	Inflated *atomic.Int64
	// MaxCentralDirectory caps a zip's central directory (the list of
	// its entries, which archive/zip holds in memory), checked from the
	// end-of-central-directory record before the directory is parsed.
	// If zero, DefaultMaxCentralDirectory (64 MiB).
	MaxCentralDirectory int64
	// MaxFiles caps the files one walk reads: the files under a folder
	// and the entries of every zip and tar, each counted once. The file
	// past the cap gets a record wrapping ErrTooManyFiles and the walk
	// ends. If zero, DefaultMaxFiles (16 Mi).
	MaxFiles int
	// MaxPathDepth caps how many folders deep below the root the walk
	// goes; a deeper folder gets a record wrapping ErrPathTooDeep and is
	// not entered. If zero, DefaultMaxPathDepth (100).
	MaxPathDepth int
	// Mbox configures the mbox reader (the variant, its buffer). If nil,
	// mbox's defaults: the variant is detected per message.
	Mbox *mbox.Options
	// DeferDigest, if set, leaves SHA256 and ID empty on each message
	// whose Raw the walk holds, for the caller to fill in with
	// Message.Digest where the messages are checked in parallel:
	// provenance.Checker.Check does, so hashing does not run in the
	// walk's one goroutine. If false, the walk fills them in. A message
	// over MaxMessageSize, streamed through without Raw, always has both.
	DeferDigest bool
	// DeferLarge, when positive, keeps the walk from holding a large
	// message in memory: a message of an mbox that can be read again at
	// its place (a file on disk, or of fsys or r for WalkFS and
	// WalkReaderAt; not one inside a zip, tar or compressed file) and is
	// larger than DeferLarge bytes is passed over through the mbox
	// reader's buffer, and yielded with Size and Lines set but Raw nil,
	// until Load reads it from its place in one piece of its exact size.
	// Load must be called before the walk is asked for the next record,
	// while the file is still open: provenance.Checker.Run calls it once
	// the message is admitted to its window, so that the large messages
	// in memory are those the window holds. If zero, every message is
	// read into Raw as the walk yields it.
	DeferLarge int64
	// Share, when not nil, makes the walk yield only one of several
	// shares of the records, for one of several machines (see [Share]).
	// If nil, the walk yields every record.
	Share *Share
}

func (o *Options) deferDigest() bool { return o != nil && o.DeferDigest }

// DeferLargeSize is the Options.DeferLarge of leakproof's Verify functions
// and of the leakproof command: 1 MiB, the mbox reader's window, so that
// the walk learns a message is large without growing a buffer for it.
// Reading such a message twice (once to find its end, once to load it)
// costs a copy from the operating system's file cache, small beside
// hashing it.
const DeferLargeSize = 1 << 20

func (o *Options) deferLarge() int64 {
	if o == nil || o.DeferLarge <= 0 {
		return 0
	}
	return o.DeferLarge
}

// maxCap is the largest cap a walk honours as given: it reads one byte
// past a message's or nested container's cap to learn it is over, and a
// cap of math.MaxInt64 (a caller's "no cap") would overflow that count
// and read nothing.
const maxCap = math.MaxInt64 - 1

func (o *Options) maxMessageSize() int64 {
	if o == nil || o.MaxMessageSize <= 0 {
		return DefaultMaxMessageSize
	}
	return min(o.MaxMessageSize, maxCap)
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

func (o *Options) maxDepth() int {
	if o == nil || o.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return o.MaxDepth
}

func (o *Options) maxNestedSize() int64 {
	if o == nil || o.MaxNestedSize <= 0 {
		return DefaultMaxNestedSize
	}
	return min(o.MaxNestedSize, maxCap)
}

func (o *Options) maxZipTotal() int64 {
	if o == nil || o.MaxZipTotal <= 0 {
		return DefaultMaxZipTotal
	}
	return o.MaxZipTotal
}

func (o *Options) maxInflatedTotal() int64 {
	if o == nil || o.MaxInflatedTotal <= 0 {
		return DefaultMaxInflatedTotal
	}
	return o.MaxInflatedTotal
}

func (o *Options) maxCentralDirectory() int64 {
	if o == nil || o.MaxCentralDirectory <= 0 {
		return DefaultMaxCentralDirectory
	}
	return o.MaxCentralDirectory
}

func (o *Options) maxFiles() int {
	if o == nil || o.MaxFiles <= 0 {
		return DefaultMaxFiles
	}
	return o.MaxFiles
}

func (o *Options) maxPathDepth() int {
	if o == nil || o.MaxPathDepth <= 0 {
		return DefaultMaxPathDepth
	}
	return o.MaxPathDepth
}

func (o *Options) mbox() *mbox.Options {
	if o == nil {
		return nil
	}
	return o.Mbox
}
