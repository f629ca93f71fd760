package provenance

// The archive pass: what the messages of an archive say about each other.
// One message alone often cannot be verified, but a leak is thousands of
// messages that vouch for or against each other: the same email in the
// sender's Sent folder and the recipient's Inbox, a domain whose every
// other message verifies, a reply that quotes the message it answers.
//
// The pass runs after every message has been checked. ArchivePass.Add
// keeps a small fingerprint per message (about 150 bytes, and 8 per
// paragraph: where it is, its verdict, who signed it, its dates and the
// hashes of its reader's view, view.go; the paragraphs in memory or in a
// file the caller gives it), never the message;
// ArchivePass.Apply then adds to each assessment what the others say. Its
// rules:
//
//   - Copies, messages sharing a Message-ID, compared on their reader's
//     view. A copy that is not authentic and whose view differs from an
//     authentic copy's becomes altered (copies.conflict, naming that copy
//     and what differs). An unverifiable copy whose view is identical to
//     an authentic copy's (the sender's Sent-folder copy, stored before it
//     was signed) becomes authentic (copies.corroborated), at that copy's
//     confidence and for the elements that copy's signature proves. An
//     authentic copy is never overturned: authentic copies that differ
//     (a mailing list's copy, with its footer, signed by the list) get
//     copies.differ, caution; so do differing copies none of which is
//     authentic. These are the only verdicts the pass changes; a copy's
//     own signatures and evidence stay beside.
//   - Cohorts, evidence only. A message whose signature fails where the
//     same selector verifies at least 9 in 10 of its other messages dated
//     within 30 days (5 of them at least) gets cohort.selector_outlier; a
//     message with no signature from a From domain that signs all of its
//     other messages in the archive (3 at least) gets
//     cohort.unsigned_outlier; a message dated outside the dates the key
//     archive saw its selector's key published, when no verifying
//     signature already says so, gets cohort.outside_key_dates.
//   - Threads, evidence only. A reply's quoted paragraphs (quote marks
//     removed, lines re-wrapped) are matched with the paragraphs of the
//     message it answers (In-Reply-To, else the last References entry).
//     When the reply is authentic and every quoted paragraph is found,
//     the earlier message gets thread.quoted_by. A quoted paragraph that
//     stands where the earlier message has another one of about its
//     length (within a fifth of its words, or two) contradicts it:
//     thread.quote_conflict on both. Messages the archive refers to but
//     does not hold are counted in the Summary.

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/leakproof/leakproof/dkim"
)

// Thresholds of the cohort rules.
const (
	cohortWindow       = 30 * 24 * time.Hour // a message's neighbours are dated within this of it
	cohortMinNeighbors = 5                   // fewer neighbours say nothing
	unsignedMinOthers  = 3                   // a domain's other messages needed to call one unsigned message odd
	maxNamed           = 3                   // other messages named per finding kind
)

// An ArchivePass is the archive-wide check: feed it every assessment of a
// run with Add, in archive order, then call Apply on each of them (in any
// order) to add what the other messages say. Apply may change the verdict
// of a copy of another message (copies.* evidence) and adds cohort and
// thread evidence; the package documentation lists the rules.
//
// It keeps a fingerprint of about 150 bytes per message, and 8 bytes per
// paragraph of its text (up to 24 of its own and 24 it quotes), so that an
// archive of millions of messages can be checked with bounded memory when
// the assessments themselves wait elsewhere (a [Spool]). The paragraphs
// can wait elsewhere too, in a [ParagraphStore] (SetParagraphStore), read
// back only when the pass runs. On Linux, macOS and the BSDs the
// fingerprints are kept in memory mapped outside the Go heap, which the
// garbage collector neither scans nor doubles; it is returned to the
// system when the pass becomes unreachable. Add records the assessment's
// position in the assessment itself; an assessment read back from a Spool
// keeps it.
//
// The zero value is not usable: call NewArchivePass. An ArchivePass is not
// safe for concurrent use.
type ArchivePass struct {
	_      noCopy       // a copy would share chunks that the original's release or cleanup frees
	pool   *chunkPool   // owns the chunks below
	chunks [][]fprint   // the fingerprints, in chunks of printChunk: no slice doubles past what it holds
	ids    [][][32]byte // each fingerprint's assessment ID, in chunks of printChunk (see push)
	count  int
	text   textArena           // file names, and IDs that are not SHA-256 hex
	paras  paraArena           // the paragraphs of every message
	files  []strRef            // the file names, in the order met
	names  []string            // interned strings: domains, selectors
	nameOf map[string]uint32   // names' positions
	refs   []uint64            // Message-IDs referenced by In-Reply-To and References
	refsOK int                 // refs[:refsOK] is sorted and distinct
	keys   map[uint32][2]int64 // selector: the union of its key records' seen dates (unix seconds; 0 open)

	byID []int32 // during the pass: the prints with a Message-ID, by its hash, then in archive order

	done    bool
	changes map[int32]passChange
	found   map[int32][]finding
	summary ArchiveSummary
}

// ArchiveSummary counts what an ArchivePass found.
type ArchiveSummary struct {
	Messages          int // messages fed to the pass
	CopyGroups        int // Message-IDs held by more than one message
	Corroborated      int // copies made authentic by an identical authentic copy
	Conflicts         int // copies made altered by a differing authentic copy
	Differ            int // messages with copies.differ evidence
	CohortOutliers    int // messages with cohort evidence
	QuotedBy          int // messages an authentic reply quotes word for word
	QuoteConflicts    int // messages with thread.quote_conflict evidence
	MissingReferences int // distinct Message-IDs referred to (In-Reply-To, References) that no message of the archive has
}

// fprint is the fingerprint of one message, laid out to stay small (120
// bytes; its ID and paragraphs are kept beside). It holds no pointer: the
// chunks that hold it may lie outside the Go heap.
type fprint struct {
	msgID   uint64
	parent  uint64 // the Message-ID it replies to, 0 when none
	date    int64  // unix seconds; math.MinInt64 when unknown
	view    [16]byte
	file    uint32 // its file name: an index into the pass's files
	entry   int32
	index   int32
	signer  uint32
	fromDom uint32
	textAt  uint32               // where its paragraphs start in the pass's paragraph arena: own ones, then quoted ones
	sels    [maxSigPrints]uint32 // the first signatures' interned "domain selector", for the cohorts
	elems   [numElements]uint16  // a short hash per view element
	fields  uint16               // the FieldStatus of each DisplayedFields entry, 2 bits each
	proven  uint16               // the view elements its own verdict proves (authentic only)
	verdict uint8                // a Verdict
	conf    uint8                // a Confidence
	body    uint8                // a BodyCoverage
	nSigs   uint8                // the signatures in sels
	results uint8                // each signature's result in sels, 2 bits each: sigPass, sigFail or 0
	nOwn    uint8                // its own paragraphs
	nQuoted uint8                // the paragraphs it quotes
	flags   uint8                // fpSigned, fpKeyDated, fpHasView, fpTextID, fpDoubled
}

const (
	fpSigned   = 1 << iota // carries a DKIM or DomainKeys signature
	fpKeyDated             // already has dkim.key_outside_seen_dates
	fpHasView              // view, elems and the paragraphs are set
	fpTextID               // its ID is kept in the text arena, not as SHA-256 bytes
	fpDoubled              // its view reads doubled line endings as CRLF (viewPrint.doubled): never corroborated
)

// Results of a signature, for the cohorts.
const (
	sigPass = 1 // verifies
	sigFail = 2 // fails, checked with a key (not a key mismatch)
)

func (f *fprint) verdictOf() Verdict         { return Verdict(f.verdict) }
func (f *fprint) confidence() Confidence     { return Confidence(f.conf) }
func (f *fprint) bodyCoverage() BodyCoverage { return BodyCoverage(f.body) }
func (f *fprint) signed() bool               { return f.flags&fpSigned != 0 }
func (f *fprint) keyDated() bool             { return f.flags&fpKeyDated != 0 }
func (f *fprint) hasView() bool              { return f.flags&fpHasView != 0 }
func (f *fprint) doubled() bool              { return f.flags&fpDoubled != 0 }

// sig returns its i-th signature: the interned "domain selector" and its
// result (sigPass, sigFail or 0).
func (f *fprint) sig(i int) (sel uint32, result uint8) {
	return f.sels[i], f.results >> (2 * i) & 3
}

// maxSigPrints caps the signatures per message the cohorts look at.
const maxSigPrints = 3

// printChunk is how many fingerprints a chunk holds.
const printChunk = 4096

// at returns the fingerprint at position i.
func (p *ArchivePass) at(i int32) *fprint { return &p.chunks[i/printChunk][i%printChunk] }

// push appends fp, with the assessment ID id: as 32 bytes when it is
// SHA-256 hex (an archive.MessageID), else in the text arena, its strRef
// in those bytes.
func (p *ArchivePass) push(fp fprint, id string) {
	if p.count%printChunk == 0 {
		p.chunks = append(p.chunks, chunkOf[fprint](p.pool, printChunk))
		p.ids = append(p.ids, chunkOf[[32]byte](p.pool, printChunk))
	}
	var idb [32]byte
	if !putHexID(&idb, id) {
		fp.flags |= fpTextID
		r := p.text.put(p.pool, id)
		binary.LittleEndian.PutUint32(idb[0:], r.chunk)
		binary.LittleEndian.PutUint32(idb[4:], r.off)
		binary.LittleEndian.PutUint32(idb[8:], r.n)
	}
	c := &p.chunks[len(p.chunks)-1]
	*c = append(*c, fp)
	d := &p.ids[len(p.ids)-1]
	*d = append(*d, idb)
	p.count++
}

// putHexID stores id in b when it is 64 lowercase hexadecimal digits, so
// that encoding b gives id back, and reports whether it did.
func putHexID(b *[32]byte, id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	for i := range b {
		b[i] = unhex(id[2*i])<<4 | unhex(id[2*i+1])
	}
	return true
}

// idText returns the ID of print i, written into buf (64 bytes) when it
// is SHA-256 hex, else in the text arena: valid while the pass is.
func (p *ArchivePass) idText(i int32, buf *[64]byte) []byte {
	b := &p.ids[i/printChunk][i%printChunk]
	if p.at(i).flags&fpTextID == 0 {
		hex.Encode(buf[:], b[:])
		return buf[:]
	}
	return p.text.bytes(strRef{chunk: binary.LittleEndian.Uint32(b[0:]), off: binary.LittleEndian.Uint32(b[4:]), n: binary.LittleEndian.Uint32(b[8:])})
}

// id returns the ID of print i.
func (p *ArchivePass) id(i int32) string {
	var buf [64]byte
	return string(p.idText(i, &buf))
}

// A strRef is a string kept in a textArena.
type strRef struct{ chunk, off, n uint32 }

// A textArena keeps strings in large byte chunks, without a string header
// or an allocation per string.
type textArena struct{ chunks [][]byte }

const arenaChunk = 1 << 20

func (t *textArena) put(pool *chunkPool, s string) strRef {
	if len(s) > 1<<16 {
		s = s[:1<<16] // a hostile zip entry name; the start names it well enough
	}
	n := len(t.chunks)
	if n == 0 || len(t.chunks[n-1])+len(s) > cap(t.chunks[n-1]) {
		t.chunks = append(t.chunks, chunkOf[byte](pool, max(arenaChunk, len(s))))
		n++
	}
	c := &t.chunks[n-1]
	r := strRef{chunk: uint32(n - 1), off: uint32(len(*c)), n: uint32(len(s))}
	*c = append(*c, s...)
	return r
}

// A ParagraphStore is where an [ArchivePass] keeps the paragraph hashes of
// the messages it is given, so that they need not stay in memory until
// the pass runs: an *os.File, for one, which the caller creates and
// removes. Add writes blocks of up to 512 KiB at offsets from 0 up; the pass
// reads small pieces back when it runs (the first Apply or Summary), and
// not after. What it writes means something to that pass only.
type ParagraphStore interface {
	io.ReaderAt
	io.WriterAt
}

// A paraArena keeps the paragraphs of every message in chunks of paraChunk.
// Without a store every chunk stays in memory; with one, each chunk is
// written to it (at 8 bytes per paragraph from the start of the arena, so
// that a paragraph's position gives its offset) when the next one begins,
// and its buffer is reused: only the last chunk is in memory, the ones
// before are nil.
type paraArena struct {
	chunks [][]paragraph
	store  ParagraphStore
	err    error // the store's first error, which ends its use
}

// paraChunk is how many paragraphs a chunk holds: at least a message's
// own and quoted ones together (2*maxParagraphs). Tests make it small, to
// cross chunks often; nothing else changes it.
var paraChunk = 1 << 16

// put stores own and quoted one after the other and returns where.
func (t *paraArena) put(pool *chunkPool, own, quoted []paragraph) uint32 {
	size := paraChunk
	n := len(t.chunks)
	if n == 0 || len(t.chunks[n-1])+len(own)+len(quoted) > size {
		var c []paragraph
		if n > 0 && t.store != nil {
			c = t.chunks[n-1]
			if t.err == nil {
				if _, err := t.store.WriteAt(paraBytes(c), int64(n-1)*int64(size)*8); err != nil {
					t.err = fmt.Errorf("provenance: paragraph store: %w", err)
				}
			}
			t.chunks[n-1] = nil
		} else {
			c = chunkOf[paragraph](pool, size)
		}
		t.chunks = append(t.chunks, c[:0])
		n++
	}
	c := &t.chunks[n-1]
	at := uint32((n-1)*size + len(*c))
	*c = append(append(*c, own...), quoted...)
	return at
}

// get returns the n paragraphs stored from at: in memory, or read from the
// store into buf. A message without paragraphs may have at just past a
// full last chunk, where no chunk is.
func (t *paraArena) get(at uint32, n uint8, buf *[maxParagraphs]paragraph) ([]paragraph, error) {
	if n == 0 {
		return nil, nil
	}
	size := paraChunk
	if c := t.chunks[int(at)/size]; c != nil {
		i := int(at) % size
		return c[i : i+int(n)], nil
	}
	if t.err != nil {
		return nil, t.err
	}
	out := buf[:n]
	if k, err := t.store.ReadAt(paraBytes(out), int64(at)*8); k < len(out)*8 {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		t.err = fmt.Errorf("provenance: paragraph store: %w", err)
		return nil, t.err
	}
	return out, nil
}

// paraBytes returns the memory of c as bytes, in the machine's byte order:
// the store is scratch space that only the pass which wrote it reads.
func paraBytes(c []paragraph) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(c))), len(c)*8)
}

func (t *textArena) get(r strRef) string { return string(t.bytes(r)) }

// bytes returns the bytes of r, in the arena: valid while the arena is.
func (t *textArena) bytes(r strRef) []byte {
	if int(r.chunk) >= len(t.chunks) {
		return nil
	}
	return t.chunks[r.chunk][r.off : r.off+r.n]
}

// passChange is a verdict the pass changes, and the copy that decides it.
type passChange struct {
	verdict Verdict
	other   int32
}

// passCode is an evidence code of the pass, in one byte.
type passCode uint8

const (
	pcConflict passCode = iota
	pcCorroborated
	pcDiffer
	pcSelectorOutlier
	pcUnsignedOutlier
	pcOutsideKeyDates
	pcQuotedBy
	pcQuoteConflict
)

var passCodes = []string{"copies.conflict", "copies.corroborated", "copies.differ",
	"cohort.selector_outlier", "cohort.unsigned_outlier", "cohort.outside_key_dates",
	"thread.quoted_by", "thread.quote_conflict"}

func (c passCode) String() string { return passCodes[c] }

// finding is one piece of evidence the pass adds to a message.
type finding struct {
	other int32  // the message it names, -1 when none
	n, m  int32  // counts for the words
	sel   uint32 // the selector or domain concerned
	more  int32  // further messages of the same kind, not named
	elems uint16 // view elements that differ, or that are proven
	code  passCode
}

// NewArchivePass returns an empty ArchivePass.
func NewArchivePass() *ArchivePass {
	p := &ArchivePass{
		names:  []string{""},
		nameOf: map[string]uint32{"": 0},
		keys:   map[uint32][2]int64{},
	}
	p.pool = newChunkPool(p)
	return p
}

// Release returns the memory the pass keeps its fingerprints in to the
// system now, rather than when the garbage collector finds the pass
// unreachable (on unix that memory is mapped outside the Go heap, so the
// collector neither counts it nor hurries to free it). Call it once the
// last Apply is done; the pass must not be used after. RunArchive releases
// its own pass.
func (p *ArchivePass) Release() { p.release() }

// release is Release.
func (p *ArchivePass) release() {
	p.pool.release()
	p.chunks, p.ids, p.text, p.paras, p.files = nil, nil, textArena{}, paraArena{}, nil
	p.count = 0
}

func (p *ArchivePass) intern(s string) uint32 {
	if i, ok := p.nameOf[s]; ok {
		return i
	}
	i := uint32(len(p.names))
	p.names = append(p.names, s)
	p.nameOf[s] = i
	return i
}

// idHash hashes a Message-ID (as Assessment.MessageID holds it); "" is 0.
func idHash(id string) uint64 {
	if id == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	if s := h.Sum64(); s != 0 {
		return s
	}
	return 1
}

// Add records the fingerprint of a. Every assessment of the run is added
// once, before the first Apply; Add after Apply panics (a caller bug).
func (p *ArchivePass) Add(a *Assessment) {
	if p.done {
		panic("provenance: ArchivePass.Add after Apply")
	}
	defer runtime.KeepAlive(p) // the chunks are released when p is unreachable
	a.passSeq = p.count + 1
	if n := len(p.files); n == 0 || string(p.text.bytes(p.files[n-1])) != a.File {
		p.files = append(p.files, p.text.put(p.pool, a.File))
	}
	fp := fprint{
		file: uint32(len(p.files) - 1), entry: int32(a.Entry), index: int32(a.Index),
		date: math.MinInt64, verdict: uint8(a.Verdict), conf: uint8(a.Confidence),
	}
	if a.Err != nil || a.Verdict == VerdictNone {
		fp.verdict = uint8(VerdictNone)
		p.push(fp, a.ID)
		return
	}
	if !a.Date.IsZero() {
		fp.date = a.Date.Unix()
	}
	fp.signer = p.intern(a.Signer)
	if _, dom, ok := strings.Cut(a.FromAddress, "@"); ok {
		fp.fromDom = p.intern(dom)
	}
	fp.body = uint8(a.Coverage.Body)
	for i, df := range DisplayedFields {
		fp.fields |= uint16(a.Coverage.Fields[df.Key]&3) << (2 * i)
	}
	if a.Verdict == VerdictAuthentic {
		fp.proven = provenElements(a)
	}
	for _, e := range a.Evidence {
		if e.Code == "dkim.key_outside_seen_dates" {
			fp.flags |= fpKeyDated
		}
	}
	if len(a.Signatures) > 0 {
		fp.flags |= fpSigned
	}
	for i := range a.Signatures {
		s := &a.Signatures[i]
		sel := p.intern(s.Domain + " " + s.Selector)
		if fp.nSigs < maxSigPrints {
			switch {
			case s.Result == dkim.ResultPass:
				fp.results |= sigPass << (2 * fp.nSigs)
			case s.Result == dkim.ResultFail && !s.KeyMismatch:
				fp.results |= sigFail << (2 * fp.nSigs)
			}
			fp.sels[fp.nSigs] = sel
			fp.nSigs++
		}
		if k := s.Key; k != nil && (!k.FirstSeen.IsZero() || !k.LastSeen.IsZero()) {
			r, seen := p.keys[sel]
			if first := unixOrZero(k.FirstSeen); !seen || r[0] != 0 && (first == 0 || first < r[0]) {
				r[0] = first
			}
			if last := unixOrZero(k.LastSeen); !seen || r[1] != 0 && (last == 0 || last > r[1]) {
				r[1] = last
			}
			p.keys[sel] = r
		}
	}
	fp.msgID = idHash(a.MessageID)
	switch {
	case a.InReplyTo != "":
		fp.parent = idHash(a.InReplyTo)
	case len(a.References) > 0:
		fp.parent = idHash(a.References[len(a.References)-1])
	}
	if v := a.view; v != nil {
		fp.flags |= fpHasView
		if v.doubled {
			fp.flags |= fpDoubled
		}
		fp.view, fp.elems = v.whole, v.elems
		// Only a message with a Message-ID can be found as the one a
		// reply answers, and only a reply's quotes are matched: the
		// other paragraphs would never be read.
		if fp.msgID != 0 {
			fp.nOwn = uint8(min(len(v.paras), maxParagraphs))
		}
		if fp.parent != 0 {
			fp.nQuoted = uint8(min(len(v.quotes), maxParagraphs))
		}
		fp.textAt = p.paras.put(p.pool, v.paras[:fp.nOwn], v.quotes[:fp.nQuoted])
	}
	if fp.parent != 0 {
		p.addRef(fp.parent)
	}
	for _, r := range a.References {
		p.addRef(idHash(r))
	}
	p.push(fp, a.ID)
}

// addRef records that a message refers to the Message-ID hash h. The list
// is sorted and made distinct whenever it has doubled since it last was,
// so that it holds at most about twice the distinct references (a long
// thread's every message repeats its References).
func (p *ArchivePass) addRef(h uint64) {
	p.refs = append(p.refs, h)
	if len(p.refs) >= 2*p.refsOK+1024 {
		p.compactRefs()
	}
}

// compactRefs sorts p.refs and drops repeats.
func (p *ArchivePass) compactRefs() {
	slices.Sort(p.refs)
	p.refs = slices.Compact(p.refs)
	p.refsOK = len(p.refs)
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// provenElements returns the view elements an authentic assessment's
// deciding signature proves: its signed displayed fields, the body when
// the whole of it is signed, the attachments when every one is covered.
func provenElements(a *Assessment) uint16 {
	var m uint16
	for i, e := range viewElements[:elemBody] {
		if a.Coverage.Fields[strings.ReplaceAll(e.field, "-", "_")] == FieldSigned {
			m |= 1 << i
		}
	}
	if a.Coverage.Body == BodyFull {
		m |= 1 << elemBody
	}
	all := true
	for _, at := range a.Coverage.Attachments {
		all = all && at.Covered
	}
	if all && a.Coverage.Body == BodyFull {
		m |= 1 << elemAttachments
	}
	return m
}

// SetParagraphStore makes p keep the paragraphs of the messages it is
// given (8 bytes each, up to 24 of a message's own and 24 it quotes) in
// store, all but the last 512 KiB, rather than in memory, and read them
// back when the pass runs. Call it before the first Add: paragraphs added
// before stay in memory. The store must stay usable until the first Apply
// or Summary returns; its errors are Err's. A nil store, the default,
// keeps them in memory.
func (p *ArchivePass) SetParagraphStore(store ParagraphStore) { p.paras.store = store }

// Err returns the first error of the paragraph store (SetParagraphStore),
// or nil. After such an error the thread rules are not applied, or only
// in part, and the pass's findings are incomplete: the caller should
// treat the run as failed. Spool.Replay and RunArchive return it.
func (p *ArchivePass) Err() error { return p.paras.err }

// Summary returns what the pass found. It runs the pass if Apply has not.
func (p *ArchivePass) Summary() ArchiveSummary {
	p.finish()
	return p.summary
}

// finish runs the pass over the fingerprints, once.
func (p *ArchivePass) finish() {
	if p.done {
		return
	}
	defer runtime.KeepAlive(p) // the chunks are released when p is unreachable
	p.done = true
	p.changes = map[int32]passChange{}
	p.found = map[int32][]finding{}
	p.summary.Messages = p.count
	p.indexIDs()
	p.copies()
	p.cohorts()
	p.threads()
	p.compactRefs()
	for _, id := range p.refs {
		if len(p.group(id)) == 0 {
			p.summary.MissingReferences++
		}
	}
	// The index, the keys and the references are not needed any more.
	p.byID, p.refs, p.keys = nil, nil, nil
}

// indexIDs sorts the prints that have a Message-ID by its hash, and those
// that share one in archive order, into p.byID.
func (p *ArchivePass) indexIDs() {
	n := 0
	for s := range int32(p.count) {
		if p.at(s).msgID != 0 {
			n++
		}
	}
	p.byID = make([]int32, 0, n)
	for s := range int32(p.count) {
		if p.at(s).msgID != 0 {
			p.byID = append(p.byID, s)
		}
	}
	slices.SortFunc(p.byID, func(a, b int32) int {
		return cmp.Or(cmp.Compare(p.at(a).msgID, p.at(b).msgID), cmp.Compare(a, b))
	})
}

// group returns the prints whose Message-ID hash is h, in archive order.
func (p *ArchivePass) group(h uint64) []int32 {
	i, found := slices.BinarySearchFunc(p.byID, h, func(s int32, h uint64) int { return cmp.Compare(p.at(s).msgID, h) })
	if !found {
		return nil
	}
	return p.byID[i:p.groupEnd(i)]
}

// groupEnd returns the end of the run of p.byID that starts at i and
// shares a Message-ID.
func (p *ArchivePass) groupEnd(i int) int {
	h := p.at(p.byID[i]).msgID
	j := i + 1
	for j < len(p.byID) && p.at(p.byID[j]).msgID == h {
		j++
	}
	return j
}

// add records a finding for seq, at most maxNamed of one code naming
// other messages; the rest are counted in the last one's more.
func (p *ArchivePass) add(seq int32, f finding) {
	list := p.found[seq]
	if f.other >= 0 {
		n := 0
		for i := range list {
			if list[i].code == f.code && list[i].other >= 0 {
				if n++; n == maxNamed {
					list[i].more++
					return
				}
			}
		}
	}
	p.found[seq] = append(list, f)
}

func (p *ArchivePass) has(seq int32, code passCode) bool {
	for _, f := range p.found[seq] {
		if f.code == code {
			return true
		}
	}
	return false
}

// diff returns the view elements in which x and y differ.
func diff(x, y *fprint) uint16 {
	var m uint16
	for i := range numElements {
		if x.elems[i] != y.elems[i] {
			m |= 1 << i
		}
	}
	if m == 0 && x.view != y.view {
		// The per-element hashes are short; the whole-view hash is not.
		m = 1<<numElements - 1
	}
	return m
}

// copies applies the rules for messages sharing a Message-ID.
func (p *ArchivePass) copies() {
	for i := 0; i < len(p.byID); {
		j := p.groupEnd(i)
		g := p.byID[i:j]
		i = j
		if len(g) < 2 {
			continue
		}
		p.summary.CopyGroups++
		// Distinct views: the authentic copies of each, and one copy of
		// each, so that a Message-ID held ten thousand times is compared
		// view by view, not pair by pair.
		type class struct {
			view      [16]byte
			first     int32 // the first copy with this view
			authentic int32 // the first authentic copy with this view, -1 when none
		}
		var classes []class
		for _, s := range g {
			x := p.at(s)
			if !x.hasView() {
				continue
			}
			i := slices.IndexFunc(classes, func(c class) bool { return c.view == x.view })
			if i < 0 {
				classes = append(classes, class{view: x.view, first: s, authentic: -1})
				i = len(classes) - 1
			}
			if x.verdictOf() == VerdictAuthentic && classes[i].authentic < 0 {
				classes[i].authentic = s
			}
		}
		anyAuthentic := slices.ContainsFunc(classes, func(c class) bool { return c.authentic >= 0 })
		for _, s := range g {
			x := p.at(s)
			if !x.hasView() {
				continue
			}
			var own *class
			for i := range classes {
				if classes[i].view == x.view {
					own = &classes[i]
				}
			}
			switch {
			case x.verdictOf() == VerdictAuthentic:
				for _, c := range classes {
					if c.authentic >= 0 && c.view != x.view {
						p.add(s, finding{code: pcDiffer, other: c.authentic, elems: diff(x, p.at(c.authentic))})
					}
				}
			// A copy stored with doubled line endings shows, to a client
			// that ends a line at each CR, its header as body text the
			// view does not hold: it shows the same as the authentic copy
			// only to other clients, so it is not corroborated (and,
			// showing the same to them, not in conflict either: the next
			// case).
			case own.authentic >= 0 && x.verdictOf() == VerdictUnverifiable && !x.doubled():
				p.changes[s] = passChange{verdict: VerdictAuthentic, other: own.authentic}
				p.add(s, finding{code: pcCorroborated, other: own.authentic, elems: p.at(own.authentic).proven})
				p.summary.Corroborated++
			case own.authentic >= 0:
				// An altered copy that shows what an authentic one shows:
				// its own evidence of a change (outside the reader's view)
				// stands.
			case anyAuthentic:
				first := true
				for _, c := range classes {
					if c.authentic < 0 {
						continue
					}
					if first && x.verdictOf() != VerdictAltered {
						// An altered copy keeps its own verdict and
						// confidence; the conflict stands beside.
						p.changes[s] = passChange{verdict: VerdictAltered, other: c.authentic}
						p.summary.Conflicts++
					}
					first = false
					p.add(s, finding{code: pcConflict, other: c.authentic, elems: diff(x, p.at(c.authentic))})
				}
			default:
				for _, c := range classes {
					if c.view != x.view {
						p.add(s, finding{code: pcDiffer, other: c.first, elems: diff(x, p.at(c.first))})
					}
				}
			}
			if p.has(s, pcDiffer) {
				p.summary.Differ++
			}
		}
	}
}

// cohorts applies the rules for signing domains and selectors.
func (p *ArchivePass) cohorts() {
	type entry struct {
		date int64
		seq  int32
		pass bool
	}
	bySel := map[uint32][]entry{}
	type domCount struct{ total, signed int }
	byDom := map[uint32]domCount{}
	for s := range int32(p.count) {
		x := p.at(s)
		if x.verdictOf() == VerdictNone {
			continue
		}
		if x.fromDom != 0 {
			c := byDom[x.fromDom]
			c.total++
			if x.signed() {
				c.signed++
			}
			byDom[x.fromDom] = c
		}
		if x.date == math.MinInt64 {
			continue
		}
		for i := range int(x.nSigs) {
			if sel, result := x.sig(i); result != 0 {
				bySel[sel] = append(bySel[sel], entry{x.date, int32(s), result == sigPass})
			}
		}
	}
	flagged := map[int32]bool{}
	window := int64(cohortWindow / time.Second)
	for sel, list := range bySel {
		slices.SortFunc(list, func(a, b entry) int { return cmp.Compare(a.date, b.date) })
		passes := make([]int, len(list)+1) // passes[i]: passing entries before i
		for i, e := range list {
			passes[i+1] = passes[i]
			if e.pass {
				passes[i+1]++
			}
		}
		for _, e := range list {
			if e.pass {
				continue
			}
			lo, _ := slices.BinarySearchFunc(list, e.date-window, func(a entry, t int64) int { return cmp.Compare(a.date, t) })
			hi, _ := slices.BinarySearchFunc(list, e.date+window+1, func(a entry, t int64) int { return cmp.Compare(a.date, t) })
			m := hi - lo - 1 // the neighbours, itself aside
			n := passes[hi] - passes[lo]
			if m >= cohortMinNeighbors && n*10 >= m*9 && !p.hasSel(e.seq, pcSelectorOutlier, sel) {
				p.add(e.seq, finding{code: pcSelectorOutlier, other: -1, n: int32(n), m: int32(m), sel: sel})
				flagged[e.seq] = true
			}
		}
	}
	for s := range int32(p.count) {
		x := p.at(s)
		seq := int32(s)
		if x.verdictOf() == VerdictNone {
			continue
		}
		if c := byDom[x.fromDom]; x.fromDom != 0 && !x.signed() && p.changes[seq].verdict != VerdictAuthentic &&
			c.total-1 >= unsignedMinOthers && c.signed == c.total-1 {
			p.add(seq, finding{code: pcUnsignedOutlier, other: -1, n: int32(c.total - 1), sel: x.fromDom})
			flagged[seq] = true
		}
		if x.keyDated() || x.date == math.MinInt64 {
			continue
		}
		for i := range int(x.nSigs) {
			sel, _ := x.sig(i)
			r, ok := p.keys[sel]
			if !ok {
				continue
			}
			grace := int64(keySeenGrace / time.Second)
			if r[0] != 0 && x.date < r[0]-grace || r[1] != 0 && x.date > r[1]+grace {
				p.add(seq, finding{code: pcOutsideKeyDates, other: -1, sel: sel, n: int32(r[0] / 86400), m: int32(r[1] / 86400)})
				flagged[seq] = true
				break
			}
		}
	}
	p.summary.CohortOutliers = len(flagged)
}

func (p *ArchivePass) hasSel(seq int32, code passCode, sel uint32) bool {
	for _, f := range p.found[seq] {
		if f.code == code && f.sel == sel {
			return true
		}
	}
	return false
}

// threads applies the rules for replies that quote the message they
// answer.
// A paragraph store that failed leaves them unapplied: Err says so.
func (p *ArchivePass) threads() {
	quoted, conflicts := map[int32]bool{}, map[int32]bool{}
	var qbuf, tbuf [maxParagraphs]paragraph // a reply's quotes and its parent's text, read from the store
	for s := range int32(p.count) {
		r := p.at(s)
		if r.parent == 0 || r.nQuoted == 0 || r.verdictOf() == VerdictNone {
			continue
		}
		var quote []paragraph
		for _, ps := range p.group(r.parent) {
			parent := p.at(ps)
			if ps == int32(s) || !parent.hasView() || parent.verdictOf() == VerdictNone {
				continue
			}
			var err error
			if quote == nil {
				quote, err = p.paras.get(r.textAt+uint32(r.nOwn), r.nQuoted, &qbuf)
			}
			var text []paragraph
			if err == nil {
				text, err = p.paras.get(parent.textAt, parent.nOwn, &tbuf)
			}
			if err != nil {
				return
			}
			matched, contradicted := matchQuote(quote, text)
			switch {
			case contradicted:
				p.add(ps, finding{code: pcQuoteConflict, other: int32(s)})
				p.add(int32(s), finding{code: pcQuoteConflict, other: ps, n: 1})
				conflicts[ps], conflicts[int32(s)] = true, true
			case matched > 0 && r.verdictOf() == VerdictAuthentic:
				p.add(ps, finding{code: pcQuotedBy, other: int32(s), n: int32(matched), m: int32(parent.nOwn)})
				quoted[ps] = true
			}
		}
	}
	p.summary.QuotedBy, p.summary.QuoteConflicts = len(quoted), len(conflicts)
}

// matchQuote matches the paragraphs a reply quotes with those of the
// message it answers. matched counts the quoted paragraphs found word for
// word, and is 0 unless all of them (and at least 8 words) are found.
// contradicted is set when a quoted paragraph that is not found stands
// where the earlier message has one of about its length that the quote
// does not hold: between the same found neighbours, in the same place.
func matchQuote(quote, text []paragraph) (matched int, contradicted bool) {
	at := make([]int, len(quote)) // the text paragraph each quoted one is, or -1
	used := make([]bool, len(text))
	found, words := 0, uint32(0)
	next := 0
	for i, q := range quote {
		at[i] = -1
		// In order: a quote follows the text it quotes.
		for j := next; j < len(text); j++ {
			if !used[j] && text[j].hash() == q.hash() {
				at[i], used[j], next = j, true, j+1
				found++
				words += q.words()
				break
			}
		}
	}
	for i := 0; i < len(quote); {
		if at[i] >= 0 {
			i++
			continue
		}
		// A run of unmatched quoted paragraphs between two anchors.
		j := i
		for j < len(quote) && at[j] < 0 {
			j++
		}
		lo, hi := -1, len(text)
		if i > 0 {
			lo = at[i-1]
		}
		if j < len(quote) {
			hi = at[j]
		}
		var slot []int
		for k := lo + 1; k < hi; k++ {
			if !used[k] {
				slot = append(slot, k)
			}
		}
		if len(slot) == j-i {
			for k := range slot {
				q, t := quote[i+k], text[slot[k]]
				if near(q.words(), t.words()) {
					contradicted = true
				}
			}
		}
		i = j
	}
	if found == len(quote) && words >= 8 {
		matched = found
	}
	return matched, contradicted
}

// near reports whether a quoted paragraph of q words can stand for a
// paragraph of t words with a word or a number changed: within a fifth of
// t, or two words.
func near(q, t uint32) bool {
	d := int64(q) - int64(t)
	if d < 0 {
		d = -d
	}
	return d <= max(2, int64(t)/5)
}

// Apply adds to a what the other messages of the archive say about it: its
// copies, its cohort, its thread. It changes a's verdict only as the
// package documentation says (copies). a must have been added to p (as
// itself, or read back from a Spool); an assessment p does not know is
// left as it is. The first Apply runs the pass.
func (p *ArchivePass) Apply(a *Assessment) {
	p.finish()
	defer runtime.KeepAlive(p) // the chunks are released when p is unreachable
	seq := int32(a.passSeq - 1)
	if seq < 0 || int(seq) >= p.count || a.Err != nil {
		return
	}
	var buf [64]byte
	if string(p.idText(seq, &buf)) != a.ID {
		return
	}
	ch, changed := p.changes[seq]
	list := p.found[seq]
	if !changed && len(list) == 0 {
		return
	}
	for _, f := range list {
		a.Evidence = append(a.Evidence, p.words(a, f))
		if f.other >= 0 {
			o := p.at(f.other)
			kind := "copy"
			switch {
			case f.code == pcQuotedBy, f.code == pcQuoteConflict && f.n == 0:
				kind = "quoted_by"
			case f.code == pcQuoteConflict:
				kind = "quotes"
			}
			rel := Related{Kind: kind, ID: p.id(f.other), File: p.text.get(p.files[o.file]), Entry: int(o.entry), Index: int(o.index), Position: int(f.other) + 1}
			if !slices.Contains(a.Related, rel) {
				a.Related = append(a.Related, rel)
			}
		}
	}
	if changed {
		o := p.at(ch.other)
		signer := p.names[o.signer]
		switch ch.verdict {
		case VerdictAuthentic:
			a.Verdict, a.Confidence, a.Signer = VerdictAuthentic, o.confidence(), signer
			a.Coverage = corroboratedCoverage(a.Coverage, o)
			a.Summary = fmt.Sprintf("Authentic, by another copy: this copy shows a reader exactly what %s shows, which was sent as shown by %s's mail system (its signature proves %s); this shows who sent it, not that the content is true.",
				p.where(ch.other), signer, elementList(o.proven))
			a.Explanation.Meaning = "\"Authentic\" means the message was sent as shown by the signing domain's mail system; it does not mean that what the message says is true. Here it rests on another copy of the message, whose signature verifies and whose reader's view is identical to this one's."
			// What is proven is what the other copy's signature proves:
			// the words this copy's own (absent or failing) signatures
			// gave would contradict the verdict.
			a.Explanation.Proven = []string{fmt.Sprintf("Proven as sent, by the identical authentic copy %s: %s.", p.where(ch.other), elementList(o.proven))}
			for _, at := range a.Coverage.Attachments {
				state := "is not covered"
				if at.Covered {
					state = "is covered"
				}
				a.Explanation.Proven = append(a.Explanation.Proven, fmt.Sprintf("Attachment %q (SHA-256 %s) %s.", at.Name, at.SHA256, state))
			}
		case VerdictAltered:
			x := p.at(seq)
			a.Verdict, a.Confidence = VerdictAltered, o.confidence()
			a.Summary = fmt.Sprintf("Altered: it differs in %s from another copy of the message, %s, which was sent as shown by %s's mail system.",
				elementList(diff(x, o)), p.where(ch.other), signer)
		}
	}
	a.Explanation.Next = nextSteps(a.Evidence)
}

// corroboratedCoverage is what a copy's signature proves of a copy whose
// reader's view is identical: the fields, body and attachments it proves.
func corroboratedCoverage(c Coverage, o *fprint) Coverage {
	out := Coverage{Fields: map[string]FieldStatus{}, Body: o.bodyCoverage(), Attachments: slices.Clone(c.Attachments)}
	for i, df := range DisplayedFields {
		out.Fields[df.Key] = FieldStatus(o.fields >> (2 * i) & 3)
	}
	for i := range out.Attachments {
		out.Attachments[i].Covered = o.proven&(1<<elemAttachments) != 0
	}
	if out.Attachments == nil {
		out.Attachments = []Attachment{}
	}
	return out
}

// nextSteps lists one step per distinct evidence code that is not mere
// context, most serious first, as explain does.
func nextSteps(ev []Evidence) []NextStep {
	var out []NextStep
	seen := map[string]bool{}
	for _, sev := range []Severity{SeverityAlteration, SeverityCaution} {
		for _, e := range ev {
			if e.Severity != sev || seen[e.Code] {
				continue
			}
			seen[e.Code] = true
			if c, ok := LookupCode(e.Code); ok {
				out = append(out, NextStep{Code: e.Code, Text: c.Next})
			}
		}
	}
	return out
}

// where names print i for a sentence: its place and its id.
func (p *ArchivePass) where(i int32) string {
	o := p.at(i)
	s := p.text.get(p.files[o.file])
	if o.entry > 0 {
		s += fmt.Sprintf(" (entry %d)", o.entry)
	}
	if o.index > 0 {
		s += fmt.Sprintf("#%d", o.index)
	}
	return fmt.Sprintf("%s (id %s)", s, p.id(i))
}

// elementList names the view elements of mask: "the Subject and the body".
func elementList(mask uint16) string {
	var names []string
	for i, e := range viewElements {
		if mask&(1<<i) != 0 {
			n := e.name
			if i < elemBody {
				n = "the " + n
			}
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "nothing a reader sees"
	}
	return listFields(names)
}

// words writes the evidence item of one finding about a.
func (p *ArchivePass) words(a *Assessment, f finding) Evidence {
	var o *fprint
	more := ""
	if f.other >= 0 {
		o = p.at(f.other)
		if f.more > 0 {
			more = fmt.Sprintf(" (and %d more such %s)", f.more, plural(int(f.more), "message", "messages"))
		}
	}
	switch f.code {
	case pcConflict:
		return evidence(f.code.String(), "Another copy of this message (the same Message-ID), %s, is authentic, signed by %s, and this copy differs from it in what a reader sees: %s%s. This copy was changed after it was sent, or it is another message under the same Message-ID.",
			p.where(f.other), p.names[o.signer], elementList(f.elems), more)
	case pcCorroborated:
		return evidence(f.code.String(), "Another copy of this message (the same Message-ID), %s, is authentic at %s confidence, signed by %s, and this copy shows a reader exactly what it shows (trace fields such as Received aside): its signature proves %s of this copy too. This copy's own signatures are listed beside.",
			p.where(f.other), o.confidence(), p.names[o.signer], elementList(f.elems))
	case pcDiffer:
		if a.Verdict == VerdictAuthentic {
			return evidence(f.code.String(), "Another copy of this message (the same Message-ID), %s, is authentic too, signed by %s, but differs from this one in what a reader sees: %s%s. Each is as its signer's mail system sent it (a mailing list adds a footer and signs again, for one).",
				p.where(f.other), p.names[o.signer], elementList(f.elems), more)
		}
		return evidence(f.code.String(), "Another copy of this message (the same Message-ID), %s, differs from this one in what a reader sees: %s%s. No copy is authentic, so nothing here says which one, if any, shows what was sent.",
			p.where(f.other), elementList(f.elems), more)
	case pcSelectorOutlier:
		return evidence(f.code.String(), "The signature by %s fails here, unlike %d of its %d neighbours: the other messages the same selector signed within 30 days of this one's Date verify.",
			selectorWords(p.names[f.sel]), f.n, f.m)
	case pcUnsignedOutlier:
		return evidence(f.code.String(), "%s signs all %d of its other messages in this archive, but this one, From the same domain, carries no signature.",
			p.names[f.sel], f.n)
	case pcOutsideKeyDates:
		rec := &dkim.KeyRecord{}
		if f.n != 0 {
			rec.FirstSeen = time.Unix(int64(f.n)*86400, 0)
		}
		if f.m != 0 {
			rec.LastSeen = time.Unix(int64(f.m)*86400, 0)
		}
		return evidence(f.code.String(), "The message is dated %s, outside the dates the key archive saw the key of %s published (%s): the selector was in use then only if the key archive's history is incomplete, or the Date is not what it was.",
			fmtDay(a.Date), selectorWords(p.names[f.sel]), seenRange(rec))
	case pcQuotedBy:
		extra := ""
		if f.n < f.m {
			extra = fmt.Sprintf(" (%d of its %d paragraphs)", f.n, f.m)
		}
		return evidence(f.code.String(), "An authentic reply, %s, quotes this message's text word for word%s%s, once its quote marks are removed and its lines re-wrapped: the quoted text is what the replier received, as the replier's mail system sent it.",
			p.where(f.other), extra, more)
	case pcQuoteConflict:
		if f.n == 0 {
			return evidence(f.code.String(), "A reply, %s, quotes this message, but a quoted paragraph differs from the one that stands in its place here: this message or the reply was changed, or the replier edited the quote.", p.where(f.other))
		}
		return evidence(f.code.String(), "This message quotes %s, the message it answers, but a quoted paragraph differs from the one that stands in its place there: that message or this one was changed, or the quote was edited.", p.where(f.other))
	}
	return evidence(f.code.String(), "The archive pass noted %s.", f.code.String())
}

// selectorWords words an interned "domain selector" as "example.com
// (selector s1)".
func selectorWords(s string) string {
	d, sel, _ := strings.Cut(s, " ")
	return d + " (selector " + sel + ")"
}
