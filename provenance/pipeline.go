package provenance

import (
	"context"
	"iter"
	"sync"

	"github.com/leakproof/leakproof/archive"
)

// The pipeline's batch and window sizes. A batch of many small messages
// makes one channel operation and one wake-up per few hundred kilobytes,
// not per message; the window of results awaiting their turn is counted in
// bytes, so a large message on one worker does not stop the others, which
// go on through the small messages after it.
const (
	// batchBytes is the size at which the reader hands a batch to a
	// worker; a message this large or larger goes alone.
	batchBytes = 256 << 10
	// batchMessages caps the messages of one batch, for archives of
	// records without bytes (unreadable files, empty messages).
	batchMessages = 256
	// messageOverhead is what a message costs in the window besides its
	// stored bytes: its assessment, its record and the bookkeeping.
	messageOverhead = 1 << 10
	// DefaultWindowBytes is the window when Options.WindowBytes is zero.
	DefaultWindowBytes = 32 << 20
)

// messageCost is what m counts for in the window.
func messageCost(m *archive.Message) int64 {
	if m == nil {
		return messageOverhead
	}
	if m.Deferred() {
		return m.Size + messageOverhead // read once admitted
	}
	return int64(len(m.Raw)) + messageOverhead
}

// Run checks every message of msgs and calls emit with each Assessment, in
// the order msgs yields them (archive order), from the goroutine that
// called Run, one at a time: emit need not be safe for concurrent use.
//
// Goroutines: Run starts one reader, which ranges over msgs, and
// Options.Workers workers (default GOMAXPROCS), which call Check. The
// reader hands messages to the workers in batches: at once to an idle
// worker, and while every worker is busy, gathered up to about 256 KiB (a
// larger message goes alone); the emitter (the caller's goroutine) takes
// the batches in archive order as they are done. All of them have returned
// when Run returns: nothing outlives the call.
//
// # Memory
//
// The messages read and not yet emitted are counted in a window of
// Options.WindowBytes (default [DefaultWindowBytes]): each counts its
// stored bytes (len(Raw)) plus 1 KiB. When the window is full the reader
// waits for the emitter. A message larger than the whole window is
// admitted alone, once every message before it has been emitted. So Run
// holds at most the window's bytes of messages, or one message larger than
// it, plus the one message the reader has taken from msgs and waits to
// admit; however large the archive, and whatever its mix of sizes.
//
// Each message is released (archive.Message.Release) once it is checked:
// a message handed to Run is Run's, and its Raw must not be used after.
//
// Run stops early, and returns, when emit returns an error (that error) or
// ctx is done (ctx.Err()); msgs is then not ranged any further. A message
// that cannot be read is not an error: it is emitted with Assessment.Err.
func (c *Checker) Run(ctx context.Context, msgs iter.Seq[*archive.Message], emit func(*Assessment) error) error {
	return c.run(ctx, msgs, nil, func(a *Assessment, _ []byte) error { return emit(a) })
}

// RunEncoded is Run with each record encoded in the worker that checked
// its message: encode appends the bytes of a's record to dst and returns
// the extended slice, and emit gets each Assessment with its record, in
// archive order, from the caller's goroutine. So the encoding of records
// (JSON, CSV) takes all the cores, and emit only writes bytes in order.
//
// encode is called from several goroutines at once and must be safe for
// concurrent use; it must not keep dst. rec is valid only until emit
// returns: RunEncoded reuses its memory. Goroutines, memory, ctx and errors
// are as for Run; the window counts the messages, not their records.
func (c *Checker) RunEncoded(ctx context.Context, msgs iter.Seq[*archive.Message], encode func(dst []byte, a *Assessment) []byte,
	emit func(a *Assessment, rec []byte) error) error {
	return c.run(ctx, msgs, encode, emit)
}

// A batch is a run of consecutive messages, checked by one worker, or of
// consecutive spool records, decoded by one worker (replay).
type batch struct {
	msgs []*archive.Message // dropped by the worker once checked
	out  []*Assessment
	recs []byte // the records, one after another, when encoding
	ends []int  // where each record ends in recs
	cost int64  // what the batch holds of the window
	done chan struct{}

	spooled   []byte // replay: the spool records, one after another
	spoolEnds []int  // where each ends in spooled
	seqs      []int  // the pass position of each
	err       error  // replay: the first record that could not be decoded, after out
}

// run is Run and RunEncoded; encode may be nil.
func (c *Checker) run(ctx context.Context, msgs iter.Seq[*archive.Message], encode func([]byte, *Assessment) []byte,
	emit func(*Assessment, []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: defers run last in, first out
	defer cancel()

	win := newWindow(c.windowBytes())
	d := newDispatch()
	// Record buffers go back from the emitter to the workers.
	var bufs sync.Pool

	wg.Go(func() { // the reader
		defer d.close()
		var b *batch
		send := func() bool { ok := d.send(ctx, b); b = nil; return ok }
		for m := range msgs {
			cost := messageCost(m)
			if b != nil && (len(b.msgs) >= batchMessages || b.cost+cost > batchBytes) {
				if !send() {
					return
				}
			}
			// Admit m to the window. Before waiting, hand over the batch
			// gathered so far: its bytes may be the ones the window waits for.
			if !win.tryAcquire(cost) {
				if !send() || !win.acquire(ctx, cost) {
					return
				}
			}
			// A message the walk left in its file (archive.Options.DeferLarge)
			// is read now, in the window, before the walk moves on.
			_ = m.Load() // a failure is m.Err, reported as its record
			if b == nil {
				b = &batch{done: make(chan struct{})}
			}
			b.msgs = append(b.msgs, m)
			b.cost += cost
			// An idle worker takes the batch as it is: batches fill up only
			// while every worker is busy, so that a reader slower than the
			// workers never keeps them waiting for a full batch, and the
			// work is shared evenly to the end.
			if d.offer(b) {
				b = nil
			}
		}
		send()
	})
	for range c.workers() {
		wg.Go(func() { // a worker
			for b := range d.jobs {
				b.out = make([]*Assessment, len(b.msgs))
				if encode != nil {
					if p, ok := bufs.Get().(*[]byte); ok {
						b.recs = (*p)[:0]
					}
					b.ends = make([]int, len(b.msgs))
				}
				for i, m := range b.msgs {
					a := c.Check(ctx, m)
					m.Release() // the Assessment holds no slice of Raw
					b.out[i] = a
					b.msgs[i] = nil // the stored bytes may go before the record is written
					if encode != nil {
						b.recs = encode(b.recs, a)
						b.ends[i] = len(b.recs)
					}
				}
				close(b.done)
			}
		})
	}

	return emitInOrder(ctx, &d.order, win, &bufs, encode != nil, emit) // in the caller's goroutine
}

// emitInOrder is the emitter of run and replay: it takes the batches in
// the order the reader made them, waits for each to be done, and calls
// emit with its assessments, and their records when encoded; then it
// gives the batch's room in the window back and its record buffer to
// bufs. It returns nil at the end of the queue, the first error of emit
// or of a batch (after the assessments before it), or ctx.Err().
func emitInOrder(ctx context.Context, order *orderQueue, win *window, bufs *sync.Pool, encoded bool, emit func(*Assessment, []byte) error) error {
	for {
		b, ok := order.pop(ctx)
		if !ok {
			return ctx.Err()
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		start := 0
		for i, a := range b.out {
			var rec []byte
			if encoded {
				rec = b.recs[start:b.ends[i]:b.ends[i]]
				start = b.ends[i]
			}
			if err := ctx.Err(); err != nil {
				return err // not the rest of the batch either
			}
			if err := emit(a, rec); err != nil {
				return err
			}
			b.out[i] = nil
		}
		if b.err != nil {
			return b.err
		}
		if b.recs != nil && cap(b.recs) <= 4*batchBytes { // a huge record's buffer is not kept
			rb := b.recs[:0]
			bufs.Put(&rb)
		}
		win.release(b.cost)
	}
}

func (c *Checker) windowBytes() int64 {
	if c.opts.WindowBytes > 0 {
		return c.opts.WindowBytes
	}
	return DefaultWindowBytes
}

// A window counts the bytes of messages in flight against a budget. One
// goroutine acquires (the reader), another releases (the emitter).
type window struct {
	mu   sync.Mutex
	size int64
	used int64
	wake chan struct{} // a token after each release, for the waiting reader
}

func newWindow(size int64) *window {
	return &window{size: size, wake: make(chan struct{}, 1)}
}

// tryAcquire takes n bytes if they fit, or if nothing is in flight (a
// message larger than the whole window goes alone).
func (w *window) tryAcquire(n int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.used > 0 && w.used+n > w.size {
		return false
	}
	w.used += n
	return true
}

// acquire waits until n bytes fit and takes them; it reports false if ctx
// is done first.
func (w *window) acquire(ctx context.Context, n int64) bool {
	for !w.tryAcquire(n) {
		select {
		case <-w.wake:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

func (w *window) release(n int64) {
	w.mu.Lock()
	w.used -= n
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // a token is already waiting
	}
}

// A dispatch hands the batches a reader makes to the workers (jobs) and,
// in the same order, to the emitter (order). The reader alone sends, and
// pushes each batch to order right after a worker took it, so the emitter
// sees the batches in the order they were made.
type dispatch struct {
	jobs  chan *batch
	order orderQueue
}

func newDispatch() *dispatch {
	d := &dispatch{jobs: make(chan *batch)}
	d.order.init()
	return d
}

// send hands b, if not nil, to a worker, waiting for one; it reports
// false if ctx is done first.
func (d *dispatch) send(ctx context.Context, b *batch) bool {
	if b == nil {
		return true
	}
	select {
	case d.jobs <- b:
		d.order.push(b)
		return true
	case <-ctx.Done():
		return false
	}
}

// offer hands b to a worker if one is idle, and reports whether it did:
// batches fill up only while every worker is busy, so that a reader
// slower than the workers never keeps them waiting for a full batch.
func (d *dispatch) offer(b *batch) bool {
	select {
	case d.jobs <- b:
		d.order.push(b)
		return true
	default:
		return false
	}
}

// close tells the workers and the emitter that no batch follows.
func (d *dispatch) close() {
	d.order.close()
	close(d.jobs)
}

// An orderQueue hands batches from the reader to the emitter in the order
// the reader made them. It needs no bound of its own: the window bounds
// what it can hold.
type orderQueue struct {
	mu     sync.Mutex
	items  []*batch
	closed bool
	ready  chan struct{} // a token after each push and at close
}

func (q *orderQueue) init() { q.ready = make(chan struct{}, 1) }

func (q *orderQueue) push(b *batch) {
	q.mu.Lock()
	q.items = append(q.items, b)
	q.mu.Unlock()
	q.signal()
}

func (q *orderQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *orderQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop returns the oldest batch, waiting for one; it reports false once the
// queue is closed and empty, or when ctx is done.
func (q *orderQueue) pop(ctx context.Context) (*batch, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			b := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			q.mu.Unlock()
			return b, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}
