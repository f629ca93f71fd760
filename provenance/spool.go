package provenance

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/leakproof/leakproof/archive"
)

// A Spool keeps assessments outside memory until the archive pass has
// seen every message: Write appends one to an io.ReadWriteSeeker, usually
// a temporary file, and All reads them back in the order written, with
// what the archive pass needs (their position in an ArchivePass, their
// reader's view fingerprint). The file is the Spool's own: a compact
// binary form, without reflection, that only the build that wrote it
// reads back (a stream that outlives the run is a SpoolEncoder's).
//
// Errors read back keep their text and what callers branch on: errors.Is
// on Assessment.Err or a signature's Err still finds the sentinels of
// archive, mbox, dkim, arc and provenance (and of io/fs, archive/zip,
// compress/gzip, archive/tar) that the error wrapped; an
// *archive.PathError comes back as one, with its fields, and an
// *archive.UnsupportedError too. Other error types come back as text.
//
// A Spool is not safe for concurrent use. Writing after All has begun is
// an error.
type Spool struct {
	rw      io.ReadWriteSeeker
	bw      *bufio.Writer
	buf     []byte // Write's record, reused
	reading bool
	err     error
}

// spoolRecord is one assessment as a spool stream stores it: its errors
// with their identity, the unexported fields the archive pass uses, and
// the caller's Aux bytes.
type spoolRecord struct {
	A       *Assessment
	Err     *spoolErr
	SigErrs []spoolErr // the zero value for a signature without one
	Seq     int
	View    *spoolView
	Aux     []byte
}

// spoolView is a viewPrint with exported fields, for gob.
type spoolView struct {
	Whole  [16]byte
	Elems  [numElements]uint16
	Paras  []uint64
	Quotes []uint64
	// Doubled is viewPrint.doubled.
	Doubled bool
}

// NewSpool returns a Spool that writes to rw from its current offset and
// reads back from offset 0.
func NewSpool(rw io.ReadWriteSeeker) *Spool {
	return &Spool{rw: rw, bw: bufio.NewWriterSize(rw, 256<<10)}
}

// Write appends a to the spool. The first error sticks.
func (s *Spool) Write(a *Assessment) error {
	if s.err != nil {
		return s.err
	}
	s.buf = appendAssessment(s.buf[:0], a)
	return s.writeRecord(a.passSeq, s.buf)
}

// writeRecord appends the record of an assessment at pass position seq
// whose appendAssessment bytes are rec. The first error sticks.
func (s *Spool) writeRecord(seq int, rec []byte) error {
	if s.err != nil {
		return s.err
	}
	if s.reading {
		s.err = errors.New("provenance: Spool.Write after All")
		return s.err
	}
	var head [2 * binary.MaxVarintLen64]byte
	h := binary.AppendUvarint(head[:0], uint64(seq))
	h = binary.AppendUvarint(h, uint64(len(rec)))
	if _, err := s.bw.Write(h); err != nil {
		s.err = fmt.Errorf("provenance: spool: %w", err)
		return s.err
	}
	if _, err := s.bw.Write(rec); err != nil {
		s.err = fmt.Errorf("provenance: spool: %w", err)
	}
	return s.err
}

// A SpoolEncoder writes assessments to a stream with what a Spool keeps
// of them (in gob, with the archive pass's fingerprint of each and their
// errors' identity), each with bytes of the caller's own (aux): the records of
// "verify --shard" are written with it, and a SpoolDecoder reads them
// back, with the same build or a later one of the same spool format
// (docs/scale.md). A SpoolEncoder is not safe for concurrent use.
type SpoolEncoder struct {
	enc *gob.Encoder
}

// NewSpoolEncoder returns a SpoolEncoder writing to w. It does not buffer.
func NewSpoolEncoder(w io.Writer) *SpoolEncoder {
	return &SpoolEncoder{enc: gob.NewEncoder(w)}
}

// Encode writes a, and aux (which may be nil), to the stream.
func (e *SpoolEncoder) Encode(a *Assessment, aux []byte) error {
	c := *a
	r := spoolRecord{A: &c, Seq: a.passSeq, Err: packErr(a.Err), Aux: aux}
	c.Err = nil
	if len(a.Signatures) > 0 {
		c.Signatures = slices.Clone(a.Signatures)
		r.SigErrs = make([]spoolErr, len(a.Signatures))
		for i := range c.Signatures {
			if e := packErr(c.Signatures[i].Err); e != nil {
				r.SigErrs[i] = *e
			}
			c.Signatures[i].Err = nil
		}
	}
	if v := a.view; v != nil {
		r.View = &spoolView{Whole: v.whole, Elems: v.elems, Paras: packParagraphs(v.paras), Quotes: packParagraphs(v.quotes), Doubled: v.doubled}
	}
	if err := e.enc.Encode(&r); err != nil {
		return fmt.Errorf("provenance: spool: %w", err)
	}
	return nil
}

// A SpoolDecoder reads back what a SpoolEncoder wrote. It is not safe for
// concurrent use.
type SpoolDecoder struct {
	dec *gob.Decoder
}

// NewSpoolDecoder returns a SpoolDecoder reading from r. It may read past
// the last record; wrap r in a bufio.Reader for speed.
func NewSpoolDecoder(r io.Reader) *SpoolDecoder {
	return &SpoolDecoder{dec: gob.NewDecoder(r)}
}

// Decode reads the next assessment and its aux bytes, as Check makes them
// (empty, not nil, slices and maps), with the archive pass's fingerprint.
// At the end of the stream it returns io.EOF.
func (d *SpoolDecoder) Decode() (*Assessment, []byte, error) {
	var r spoolRecord
	err := d.dec.Decode(&r)
	if err == io.EOF {
		return nil, nil, io.EOF
	}
	if err == nil && r.A == nil {
		err = errors.New("empty record")
	}
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			err = errors.New("the stream ends inside a record")
		}
		return nil, nil, fmt.Errorf("provenance: spool: %w", err)
	}
	return r.restore(), r.Aux, nil
}

func packParagraphs(ps []paragraph) []uint64 {
	out := make([]uint64, len(ps))
	for i, p := range ps {
		out[i] = uint64(p)
	}
	return out
}

func unpackParagraphs(v []uint64) []paragraph {
	var out []paragraph
	for _, p := range v {
		out = append(out, paragraph(p))
	}
	return out
}

// All flushes what was written and returns an iterator over the
// assessments, in the order written. It is single-use; if reading fails,
// the final pair holds a nil *Assessment and the error.
func (s *Spool) All() iter.Seq2[*Assessment, error] {
	return func(yield func(*Assessment, error) bool) {
		br, err := s.rewind()
		if err != nil {
			yield(nil, err)
			return
		}
		var buf []byte
		for {
			a, err := readRecord(br, &buf)
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("provenance: spool: %w", err))
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// rewind flushes what was written and returns a reader of the spool from
// its start. It is called once: the spool is read once.
func (s *Spool) rewind() (*bufio.Reader, error) {
	if s.err == nil && !s.reading {
		s.reading = true
		if err := s.bw.Flush(); err != nil {
			s.err = fmt.Errorf("provenance: spool: %w", err)
		} else if _, err := s.rw.Seek(0, io.SeekStart); err != nil {
			s.err = fmt.Errorf("provenance: spool: %w", err)
		}
	} else if s.err == nil {
		s.err = errors.New("provenance: Spool.All called twice")
	}
	if s.err != nil {
		return nil, s.err
	}
	return bufio.NewReaderSize(s.rw, 256<<10), nil
}

// readRecord reads the next record that writeRecord wrote, into *buf
// (grown as needed and reused), and decodes it. It returns io.EOF at the
// end of r, between records.
func readRecord(r *bufio.Reader, buf *[]byte) (*Assessment, error) {
	seq, rec, err := readRawRecord(r, (*buf)[:0])
	*buf = rec
	if err != nil {
		return nil, err
	}
	a, err := readAssessment(rec)
	if err != nil {
		return nil, err
	}
	a.passSeq = seq
	return a, nil
}

// readRawRecord reads the next record that writeRecord wrote, appending
// its bytes to dst, and returns its pass position and the extended slice.
// It returns io.EOF at the end of r, between records.
func readRawRecord(r *bufio.Reader, dst []byte) (int, []byte, error) {
	seq, err := binary.ReadUvarint(r)
	if err == io.EOF {
		return 0, dst, io.EOF
	}
	var n uint64
	if err == nil {
		n, err = binary.ReadUvarint(r)
	}
	if err == nil && n > math.MaxInt32 {
		err = errSpoolRecord
	}
	if err == nil {
		dst = slices.Grow(dst, int(n))
		_, err = io.ReadFull(r, dst[len(dst):len(dst)+int(n)])
		dst = dst[:len(dst)+int(n)]
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return 0, dst, errors.New("the stream ends inside a record")
	}
	return int(seq), dst, err
}

// restore rebuilds the assessment of r, with empty (not nil) slices and
// maps, as Check makes them.
func (r *spoolRecord) restore() *Assessment {
	a := r.A
	a.Err = unpackErr(r.Err)
	for i := range a.Signatures {
		if i < len(r.SigErrs) {
			a.Signatures[i].Err = unpackErr(&r.SigErrs[i])
		}
	}
	a.passSeq = r.Seq
	if v := r.View; v != nil {
		a.view = &viewPrint{whole: v.Whole, elems: v.Elems, paras: unpackParagraphs(v.Paras), quotes: unpackParagraphs(v.Quotes), doubled: v.Doubled}
	}
	normalize(a)
	return a
}

// normalize gives a read-back assessment the empty (not nil) slices and
// maps that Check makes, and every displayed field in its coverage.
func normalize(a *Assessment) {
	for i := range a.Signatures {
		if a.Signatures[i].SignedHeaders == nil {
			a.Signatures[i].SignedHeaders = []string{}
		}
	}
	if a.References == nil {
		a.References = []string{}
	}
	if a.Signatures == nil {
		a.Signatures = []SignatureResult{}
	}
	if a.Evidence == nil {
		a.Evidence = []Evidence{}
	}
	if a.Related == nil {
		a.Related = []Related{}
	}
	if a.Coverage.Fields == nil {
		a.Coverage.Fields = map[string]FieldStatus{}
	}
	for _, f := range DisplayedFields {
		if _, ok := a.Coverage.Fields[f.Key]; !ok {
			a.Coverage.Fields[f.Key] = FieldNone
		}
	}
	if a.Coverage.Attachments == nil {
		a.Coverage.Attachments = []Attachment{}
	}
	if a.ARC.Instances == nil {
		a.ARC.Instances = []ARCInstance{}
	}
}

// RunArchive checks every message of msgs as Run does, then runs the
// archive pass over them and calls emit with each Assessment, in archive
// order, once the pass has seen them all. The assessments wait in spool
// (see Spool) meanwhile, so that memory stays bounded by the pass's
// fingerprints, not by the archive; spool is written from its current
// offset and read back from offset 0. checked, if not nil, is called with
// each assessment as it is decided (for progress), before the pass.
//
// The goroutines are Run's (each record is encoded for the spool, as
// RunEncoded does), and once the pass has seen every message, the same
// again over the spool: one reads it back, the workers decode its records
// and add the pass's findings to each (the pass only reads what it found
// then), and emit is called from the caller's goroutine, in archive
// order. RunArchive returns the pass's summary, and the first error of
// Run, of the spool, of paras or of emit, or ctx.Err() when ctx is done.
//
// If paras is not nil, the pass keeps the paragraphs of the messages
// there (see ArchivePass.SetParagraphStore), a second temporary file for
// one, rather than in memory.
func (c *Checker) RunArchive(ctx context.Context, msgs iter.Seq[*archive.Message], spool io.ReadWriteSeeker, paras ParagraphStore,
	checked func(*Assessment), emit func(*Assessment) error) (ArchiveSummary, error) {
	return c.runArchive(ctx, msgs, spool, paras, checked, nil, func(a *Assessment, _ []byte) error { return emit(a) })
}

// RunArchiveEncoded is RunArchive with each record encoded, once the pass
// has added its findings, by the worker that read it back from the spool:
// encode appends the bytes of a's record to dst, and emit gets each
// Assessment with its record, in archive order, as RunEncoded gives them.
// encode is called from several goroutines at once and must be safe for
// concurrent use; it must not keep dst. rec is valid only until emit
// returns.
func (c *Checker) RunArchiveEncoded(ctx context.Context, msgs iter.Seq[*archive.Message], spool io.ReadWriteSeeker, paras ParagraphStore,
	checked func(*Assessment), encode func(dst []byte, a *Assessment) []byte, emit func(a *Assessment, rec []byte) error) (ArchiveSummary, error) {
	return c.runArchive(ctx, msgs, spool, paras, checked, encode, emit)
}

// runArchive is RunArchive and RunArchiveEncoded; encode may be nil.
func (c *Checker) runArchive(ctx context.Context, msgs iter.Seq[*archive.Message], spool io.ReadWriteSeeker, paras ParagraphStore,
	checked func(*Assessment), encode func([]byte, *Assessment) []byte, emit func(*Assessment, []byte) error) (ArchiveSummary, error) {
	pass := NewArchivePass()
	defer pass.release() // at once, not when the collector finds it unreachable
	pass.SetParagraphStore(paras)
	sp := NewSpool(spool)
	// Each assessment is encoded for the spool by the worker that checked
	// it; the emitter only adds it to the pass and writes the bytes.
	err := c.run(ctx, msgs, appendAssessment, func(a *Assessment, rec []byte) error {
		if checked != nil {
			checked(a)
		}
		pass.Add(a)
		if err := pass.Err(); err != nil {
			return err // a failing paragraph store ends the run now, not after the last message
		}
		return sp.writeRecord(a.passSeq, rec)
	})
	if err != nil {
		return ArchiveSummary{}, err
	}
	if err := sp.replay(ctx, pass, c.workers(), min(c.windowBytes(), replayWindowBytes), encode, emit); err != nil {
		return ArchiveSummary{}, err
	}
	return pass.Summary(), nil
}

// Replay reads the spool back, as All does, once pass has seen every
// assessment written to it, and calls emit with each, in the order
// written, after pass.Apply, with its record when encode is not nil. The
// records are decoded, given the pass's findings and encoded on workers
// goroutines (zero: runtime.GOMAXPROCS(0)), as RunArchive does after the
// checking: encode must be safe for concurrent use and must not keep dst;
// emit is called from the caller's goroutine, and rec is valid only until
// it returns. Replay returns the first error of the spool, of the pass
// (ArchivePass.Err) or of emit, or ctx.Err(). Like All, it may be called
// once.
func (s *Spool) Replay(ctx context.Context, pass *ArchivePass, workers int, encode func(dst []byte, a *Assessment) []byte,
	emit func(a *Assessment, rec []byte) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return s.replay(ctx, pass, workers, replayWindowBytes, encode, emit)
}

// replayWindowBytes bounds the spool records replay holds at once, read
// and not yet emitted (in RunArchive, Options.WindowBytes when smaller). Records are
// small and quick to decode: a few megabytes keep every worker busy, and
// the reader, much faster than the workers, would otherwise fill the
// whole window with records read ahead, which the peak memory of a run
// would show.
const replayWindowBytes = 4 << 20

// replay is Replay with workers goroutines and a window of windowBytes.
// Its goroutines are Checker.run's: a reader gathers the spool records in
// batches, the workers decode them, apply the pass and encode them, and
// the emitter (the caller's goroutine) takes the batches in order. The
// pass is finished before the workers start, so that they only read it.
func (s *Spool) replay(ctx context.Context, pass *ArchivePass, workers int, windowBytes int64, encode func([]byte, *Assessment) []byte,
	emit func(*Assessment, []byte) error) error {
	br, err := s.rewind()
	if err != nil {
		return err
	}
	pass.finish()
	if err := pass.Err(); err != nil {
		return err // the findings are incomplete: no record is emitted without them
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: defers run last in, first out
	defer cancel()

	win := newWindow(windowBytes)
	d := newDispatch()
	var bufs sync.Pool // record buffers, back from the emitter to the workers
	// Spool record buffers, back from the workers to the reader: a batch's
	// records are read into one that held a batch before.
	var spooled sync.Pool
	newBatch := func() *batch {
		b := &batch{done: make(chan struct{})}
		if p, ok := spooled.Get().(*[]byte); ok {
			b.spooled = (*p)[:0]
		} else {
			b.spooled = make([]byte, 0, batchBytes+batchBytes/4)
		}
		return b
	}
	var readErr error // the reader's, set before it closes order

	wg.Go(func() { // the reader
		defer d.close()
		var b *batch
		send := func() bool { ok := d.send(ctx, b); b = nil; return ok }
		for {
			if b != nil && (len(b.seqs) >= batchMessages || len(b.spooled) >= batchBytes) {
				if !send() {
					return
				}
			}
			if b == nil {
				b = newBatch()
			}
			start := len(b.spooled)
			seq, rec, err := readRawRecord(br, b.spooled)
			b.spooled = rec
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = fmt.Errorf("provenance: spool: %w", err)
				break
			}
			cost := int64(len(rec)-start) + messageOverhead
			if !win.tryAcquire(cost) {
				// The record is read; before waiting for room, hand over the
				// records before it, which may be what the window waits for.
				last := b.spooled[start:]
				b.spooled = b.spooled[:start]
				if len(b.seqs) > 0 && !send() {
					return
				}
				if b == nil {
					b = newBatch()
				}
				b.spooled = append(b.spooled, last...)
				if !win.acquire(ctx, cost) {
					return
				}
			}
			b.seqs = append(b.seqs, seq)
			b.spoolEnds = append(b.spoolEnds, len(b.spooled))
			b.cost += cost
			if d.offer(b) { // an idle worker takes the batch as it is
				b = nil
			}
		}
		if b != nil && len(b.seqs) > 0 {
			send()
		}
	})
	for range workers {
		wg.Go(func() { // a worker
			for b := range d.jobs {
				b.out = make([]*Assessment, 0, len(b.seqs))
				if encode != nil {
					if p, ok := bufs.Get().(*[]byte); ok {
						b.recs = (*p)[:0]
					}
					b.ends = make([]int, 0, len(b.seqs))
				}
				start := 0
				for i, end := range b.spoolEnds {
					a, err := readAssessment(b.spooled[start:end])
					start = end
					if err != nil {
						b.err = fmt.Errorf("provenance: spool: %w", err)
						break
					}
					a.passSeq = b.seqs[i]
					pass.Apply(a)
					b.out = append(b.out, a)
					if encode != nil {
						b.recs = encode(b.recs, a)
						b.ends = append(b.ends, len(b.recs))
					}
				}
				if cap(b.spooled) <= 4*batchBytes { // a huge record's buffer is not kept
					sb := b.spooled[:0]
					spooled.Put(&sb)
				}
				b.spooled = nil // the assessments hold none of it
				close(b.done)
			}
		})
	}

	if err := emitInOrder(ctx, &d.order, win, &bufs, encode != nil, emit); err != nil { // in the caller's goroutine
		return err
	}
	return readErr
}
