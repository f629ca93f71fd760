package provenance

import (
	"context"
	"iter"
	"sync"

	"github.com/leakproof/leakproof/archive"
)

// Run checks every message of msgs and calls emit with each Assessment, in
// the order msgs yields them (archive order), from the goroutine that
// called Run, one at a time: emit need not be safe for concurrent use.
//
// Goroutines: Run starts one reader, which ranges over msgs, and
// Options.Workers workers (default GOMAXPROCS), which call Check. The
// reader hands each message to the emitter (the caller's goroutine) and to
// a worker; the emitter waits for the oldest message's result, so at most
// a window of 2×Workers messages, plus one per worker, are in memory at
// once, however large the archive. All of them have returned when Run
// returns: nothing outlives the call.
//
// Each message is released (archive.Message.Release) once it is checked:
// a message handed to Run is Run's, and its Raw must not be used after.
//
// Run stops early, and returns, when emit returns an error (that error) or
// ctx is done (ctx.Err()); msgs is then not ranged any further. A message
// that cannot be read is not an error: it is emitted with Assessment.Err.
func (c *Checker) Run(ctx context.Context, msgs iter.Seq[*archive.Message], emit func(*Assessment) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: defers run last in, first out
	defer cancel()

	type job struct {
		m    *archive.Message
		done chan *Assessment // buffered: a worker never blocks on it
	}
	workers := c.workers()
	jobs := make(chan job)
	pending := make(chan job, 2*workers) // archive order; its capacity is the window

	wg.Go(func() { // the reader
		defer close(jobs)
		defer close(pending)
		for m := range msgs {
			j := job{m: m, done: make(chan *Assessment, 1)}
			select {
			case pending <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() { // a worker
			for j := range jobs {
				a := c.Check(ctx, j.m)
				j.m.Release() // the Assessment holds no slice of Raw
				j.done <- a
			}
		})
	}

	for j := range pending { // the emitter, in the caller's goroutine
		select {
		case a := <-j.done:
			if err := emit(a); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
