package provenance

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// plainMessages yields n unsigned LF messages, counting how many were
// yielded.
func plainMessages(n int, yielded *atomic.Int64) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for i := 1; i <= n; i++ {
			raw := fmt.Appendf(nil, "From: a%d@example.com\nSubject: %d\n\nbody %d\n", i, i, i)
			m := &archive.Message{File: "t.mbox", Index: i, Format: "eml", Raw: raw, Size: int64(len(raw))}
			if i%7 == 0 {
				m.Err = errors.New("archive: damaged")
			}
			if yielded != nil {
				yielded.Add(1)
			}
			if !yield(m) {
				return
			}
		}
	}
}

func TestRunOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			c := NewChecker(&Options{Workers: workers})
			var got []int
			err := c.Run(t.Context(), plainMessages(300, nil), func(a *Assessment) error {
				got = append(got, a.Index)
				if a.Index%7 == 0 {
					assert.Error(t, a.Err, "message %d: the archive error is carried", a.Index)
					assert.Equal(t, VerdictNone, a.Verdict, "message %d: an unreadable message has no verdict", a.Index)
				} else {
					assert.NoError(t, a.Err, "message %d", a.Index)
					assert.Equal(t, VerdictUnverifiable, a.Verdict, "message %d: unsigned is unverifiable", a.Index)
				}
				return nil
			})
			require.NoError(t, err, "Run")
			require.Len(t, got, 300, "every message is emitted")
			for i, idx := range got {
				require.Equal(t, i+1, idx, "emitted in archive order at position %d", i)
			}
		})
	}
}

// slowKeys is testKeys with a pause before each lookup: random, or until
// hold is closed for the selector held.
type slowKeys struct {
	keys  dkim.KeySource
	delay func() time.Duration
	held  string
	hold  chan struct{}
	other atomic.Int64 // lookups of the selectors not held
}

func (s *slowKeys) Lookup(ctx context.Context, domain, selector string) ([]dkim.KeyRecord, error) {
	if s.delay != nil {
		time.Sleep(s.delay())
	}
	if selector != s.held {
		s.other.Add(1)
	}
	if s.hold != nil && selector == s.held {
		select {
		case <-s.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.keys.Lookup(ctx, domain, selector)
}

// signedMessages returns n signed messages whose sizes size(i) chooses, in
// archive order; key(i) names the test key that signs message i.
func signedMessages(t testing.TB, n int, size func(i int) int, key func(i int) string) []*archive.Message {
	line := "The quarterly figures are attached; revenue is up and costs are flat.\n"
	msgs := make([]*archive.Message, n)
	for i := range msgs {
		body := strings.Repeat(line, max(1, size(i+1)/len(line)))
		signed, err := testmail.Sign(testmail.Message{Subject: fmt.Sprint(i + 1), Body: body}.Bytes(), testmail.MustKey(key(i+1)), nil)
		require.NoError(t, err, "testmail.Sign")
		raw := testmail.LF(signed)
		msgs[i] = &archive.Message{File: "t.mbox", Index: i + 1, Format: "mbox", Raw: raw, Size: int64(len(raw))}
	}
	return msgs
}

func TestRunOrderUnderRandomDelays(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	msgs := signedMessages(t, 200, func(int) int { return 500 + rng.IntN(40<<10) }, func(int) string { return "ed25519" })
	var mu sync.Mutex
	keys := &slowKeys{keys: testKeys(), delay: func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(rng.IntN(2000)) * time.Microsecond
	}}
	for _, workers := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			c := NewChecker(&Options{Keys: keys, Time: checkTime, Workers: workers, WindowBytes: 100 << 10})
			next := 1
			err := c.Run(t.Context(), slices.Values(msgs), func(a *Assessment) error {
				require.Equal(t, next, a.Index, "emitted in archive order")
				assert.Equal(t, VerdictAuthentic, a.Verdict, "message %d: %s", a.Index, a.Summary)
				next++
				return nil
			})
			require.NoError(t, err, "Run")
			assert.Equal(t, len(msgs)+1, next, "every message is emitted")
		})
	}
}

// countingMessages yields msgs and checks, as it yields each, that the
// messages yielded and not yet emitted fit the window: emitted counts
// what emit has seen, in bytes and messages (the window releases a
// message only after it is emitted, so this view never exceeds the
// window's own count).
type countingMessages struct {
	msgs                       []*archive.Message
	yieldedBytes, emittedBytes atomic.Int64
	yieldedN, emittedN         atomic.Int64
	maxBytes                   atomic.Int64
	overWindowAlone            atomic.Int64 // times the window was exceeded by one message alone
	violations                 atomic.Int64 // times it was exceeded by several
}

func (cm *countingMessages) all(window int64) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for _, m := range cm.msgs {
			held := cm.yieldedBytes.Load() - cm.emittedBytes.Load()
			n := cm.yieldedN.Load() - cm.emittedN.Load()
			if held > cm.maxBytes.Load() {
				cm.maxBytes.Store(held)
			}
			if held > window {
				if n == 1 {
					cm.overWindowAlone.Add(1)
				} else {
					cm.violations.Add(1)
				}
			}
			cm.yieldedBytes.Add(messageCost(m))
			cm.yieldedN.Add(1)
			if !yield(m) {
				return
			}
		}
	}
}

func (cm *countingMessages) emitted(a *Assessment) {
	cm.emittedBytes.Add(messageCost(cm.msgs[a.Index-1]))
	cm.emittedN.Add(1)
}

func TestRunWindowInBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := make([]int, 400)
	for i := range sizes {
		sizes[i] = 200 + rng.IntN(20<<10)
	}
	// A few messages larger than the window, among the small ones.
	for _, i := range []int{50, 51, 200, 399} {
		sizes[i] = 300 << 10
	}
	var raws []*archive.Message
	for i, size := range sizes {
		raw := fmt.Appendf(nil, "From: a%d@example.com\nSubject: %d\n\n%s\n", i+1, i+1, strings.Repeat("x", size))
		raws = append(raws, &archive.Message{File: "t.mbox", Index: i + 1, Format: "mbox", Raw: raw, Size: int64(len(raw))})
	}
	const window = 128 << 10
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			cm := &countingMessages{msgs: raws}
			c := NewChecker(&Options{Workers: workers, WindowBytes: window})
			next := 1
			err := c.Run(t.Context(), cm.all(window), func(a *Assessment) error {
				require.Equal(t, next, a.Index, "emitted in archive order")
				next++
				cm.emitted(a)
				return nil
			})
			require.NoError(t, err, "Run")
			assert.Equal(t, len(raws)+1, next, "every message is emitted")
			assert.Zero(t, cm.violations.Load(), "several messages held beyond the %d-byte window (at most %d held)", window, cm.maxBytes.Load())
			assert.NotZero(t, cm.overWindowAlone.Load(), "a message larger than the window is admitted alone")
		})
	}
}

func TestRunLargeMessageDoesNotHoldBackOthers(t *testing.T) {
	// Message 5 is large and its check is held until 100 of the small
	// messages after it have been checked: with a window counted in
	// messages, the other worker would stop and the run never end.
	msgs := signedMessages(t, 300, func(i int) int {
		if i == 5 {
			return 2 << 20
		}
		return 3 << 10
	}, func(i int) string {
		if i == 5 {
			return "ed25519b"
		}
		return "ed25519"
	})
	hold := make(chan struct{})
	keys := &slowKeys{keys: testKeys(), held: testmail.MustKey("ed25519b").Selector, hold: hold}
	c := NewChecker(&Options{Keys: keys, Time: checkTime, Workers: 2})
	done := make(chan error, 1)
	var got []int
	go func() {
		done <- c.Run(t.Context(), slices.Values(msgs), func(a *Assessment) error {
			got = append(got, a.Index)
			return nil
		})
	}()
	// The messages after 5 are checked while 5 waits (each looks its
	// key up once): watch them go by.
	deadline := time.After(20 * time.Second)
	for keys.other.Load()-4 < 100 {
		select {
		case <-deadline:
			n := keys.other.Load() - 4
			close(hold)
			<-done
			t.Fatalf("only %d messages after the large one were checked while it was", n)
		case <-time.After(time.Millisecond):
		}
	}
	close(hold)
	require.NoError(t, <-done, "Run")
	require.Len(t, got, len(msgs), "every message is emitted")
	for i, idx := range got {
		require.Equal(t, i+1, idx, "emitted in archive order at position %d", i)
	}
}

func TestRunCancelMidBatch(t *testing.T) {
	// Thousands of tiny messages make batches of hundreds; cancelling in
	// the middle of one stops the run at once.
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var yielded atomic.Int64
			n := 0
			err := NewChecker(&Options{Workers: workers}).Run(ctx, plainMessages(100000, &yielded), func(a *Assessment) error {
				n++
				if n == 100 {
					cancel()
				}
				return nil
			})
			require.ErrorIs(t, err, context.Canceled, "Run returns ctx.Err()")
			assert.Equal(t, 100, n, "emit is not called after the context is done")
			assert.Less(t, yielded.Load(), int64(100000), "the reader stops after cancel")
		})
	}
}

func TestRunEncoded(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := make([]int, 600)
	for i := range sizes {
		sizes[i] = rng.IntN(8 << 10)
	}
	sizes[100] = 400 << 10 // a message and a record that go alone
	var msgs []*archive.Message
	for i, size := range sizes {
		raw := fmt.Appendf(nil, "From: a%d@example.com\nSubject: %d\n\n%s\n", i+1, i+1, strings.Repeat("x", size))
		msgs = append(msgs, &archive.Message{File: "t.mbox", Index: i + 1, Format: "mbox", Raw: raw, Size: int64(len(raw))})
	}
	// A record as long as its message, so some records span batches' worth of bytes.
	encode := func(dst []byte, a *Assessment) []byte {
		dst = fmt.Appendf(dst, "%d %s ", a.Index, a.Verdict)
		dst = append(dst, strings.Repeat("r", int(a.Size)%(64<<10))...)
		return append(dst, '\n')
	}
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			c := NewChecker(&Options{Workers: workers, WindowBytes: 256 << 10})
			var kept [][]byte
			next := 1
			err := c.RunEncoded(t.Context(), slices.Values(msgs), encode, func(a *Assessment, rec []byte) error {
				require.Equal(t, next, a.Index, "emitted in archive order")
				next++
				assert.Equal(t, string(encode(nil, a)), string(rec), "message %d: the record the worker encoded", a.Index)
				kept = append(kept, rec)
				return nil
			})
			require.NoError(t, err, "RunEncoded")
			assert.Equal(t, len(msgs)+1, next, "every message is emitted")
			// Each record is a slice capped at its own end: appending to it
			// never writes over the next record.
			for i, rec := range kept {
				assert.Equal(t, len(rec), cap(rec), "record %d: capacity ends with the record", i+1)
			}
		})
	}
}

func TestRunStops(t *testing.T) {
	stop := errors.New("stop")
	t.Run("emit error", func(t *testing.T) {
		var yielded atomic.Int64
		n := 0
		// A window of 64 KiB holds about 60 of these messages.
		err := NewChecker(&Options{Workers: 3, WindowBytes: 64 << 10}).Run(t.Context(), plainMessages(1000, &yielded), func(a *Assessment) error {
			n++
			if n == 5 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop, "Run returns emit's error")
		assert.Equal(t, 5, n, "emit is not called after it failed")
		assert.Less(t, yielded.Load(), int64(100), "the reader stops soon after emit fails")
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		n := 0
		err := NewChecker(&Options{Workers: 2}).Run(ctx, plainMessages(1000, nil), func(a *Assessment) error {
			n++
			if n == 3 {
				cancel()
			}
			return nil
		})
		require.ErrorIs(t, err, context.Canceled, "Run returns ctx.Err()")
		assert.Less(t, n, 1000, "Run stops emitting after cancel")
	})
	t.Run("empty", func(t *testing.T) {
		called := false
		err := NewChecker(nil).Run(t.Context(), plainMessages(0, nil), func(*Assessment) error { called = true; return nil })
		require.NoError(t, err, "Run on no messages")
		assert.False(t, called, "emit is not called without messages")
	})
}

func TestRunLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 5 {
		_ = NewChecker(&Options{Workers: 4}).Run(t.Context(), plainMessages(50, nil), func(a *Assessment) error {
			if a.Index == 10 {
				return errors.New("stop")
			}
			return nil
		})
	}
	// Run waits for its goroutines; allow the runtime a moment to reap them.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine outlives Run")
}

// benchMessage is a signed message of about size bytes, stored with LF
// line endings.
func benchMessage(b *testing.B, size int) *archive.Message {
	line := "The quarterly figures are attached; revenue is up and costs are flat.\n"
	body := strings.Repeat(line, max(1, size/len(line)))
	msg, err := testmail.Sign(testmail.Message{Body: body}.Bytes(), testmail.MustKey("rsa2048"), nil)
	require.NoError(b, err, "testmail.Sign")
	raw := testmail.LF(msg)
	return &archive.Message{File: "b.mbox", Index: 1, Format: "mbox", Raw: raw, Size: int64(len(raw))}
}

func BenchmarkCheck(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			m := benchMessage(b, size)
			c := NewChecker(&Options{Keys: testKeys(), Time: checkTime})
			b.SetBytes(int64(len(m.Raw)))
			for b.Loop() {
				if a := c.Check(b.Context(), m); a.Verdict != VerdictAuthentic {
					b.Fatalf("verdict %s: %s", a.Verdict, a.Summary)
				}
			}
		})
	}
}

// BenchmarkRun measures Run over signed messages: 2,048 small ones (4 KiB),
// and 500 in a mix as leaks hold them (2 to 20 KiB, every 50th 100 KiB,
// every 250th 1.5 MiB), with one worker and with two.
func BenchmarkRun(b *testing.B) {
	small := signedMessages(b, 2048, func(int) int { return 4 << 10 }, func(int) string { return "rsa2048" })
	rng := rand.New(rand.NewPCG(5, 6))
	mixed := signedMessages(b, 500, func(i int) int {
		switch {
		case i%250 == 0:
			return 1536 << 10
		case i%50 == 0:
			return 100 << 10
		}
		return 2<<10 + rng.IntN(18<<10)
	}, func(i int) string { return [...]string{"rsa2048", "rsa1024", "ed25519"}[i%3] })
	for _, corpus := range []struct {
		name string
		msgs []*archive.Message
	}{{"small", small}, {"mixed", mixed}} {
		size := 0
		for _, m := range corpus.msgs {
			size += len(m.Raw)
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", corpus.name, workers), func(b *testing.B) {
				c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, Workers: workers})
				b.SetBytes(int64(size))
				for b.Loop() {
					err := c.Run(b.Context(), slices.Values(corpus.msgs), func(*Assessment) error { return nil })
					require.NoError(b, err, "Run")
				}
				b.ReportMetric(float64(len(corpus.msgs)*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

// Run over an mbox file whose large messages the walk leaves in the file
// (archive.Options.DeferLarge) gives the same records as a walk that
// keeps every message, with any number of workers: Run reads each one once
// it is admitted, and the buffers a run of large messages reuses (the
// walk's, and the Checker's CRLF copy over 4 MiB) never show one
// message's bytes in another's record.
func TestRunDeferLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := func(i int) int {
		switch {
		case i%17 == 0:
			return 4<<20 + rng.IntN(2<<20) // a CRLF copy over 4 MiB
		case i%5 == 0:
			return 20<<10 + rng.IntN(200<<10)
		}
		return 300 + rng.IntN(6<<10)
	}
	msgs := signedMessages(t, 60, sizes, func(i int) string { return []string{"ed25519", "rsa1024", "rsa2048"}[i%3] })
	// Alter one large message's body after signing: its record must say
	// so, and its neighbours' must not.
	raw := msgs[34].Raw
	k := len(raw) - 40
	msgs[34].Raw = append(append(raw[:k:k], 'Z'), raw[k+1:]...)
	var file []byte
	for _, m := range msgs {
		file = append(file, "From alice@example.com Tue Mar  1 10:00:00 2016\n"...)
		file = append(file, m.Raw...)
		file = append(file, '\n')
	}
	path := t.TempDir() + "/t.mbox"
	require.NoError(t, os.WriteFile(path, file, 0o600), "write the mbox")

	summary := func(a *Assessment) string {
		return fmt.Sprintf("%d %s %s %s %d %v", a.Index, a.ID, a.SHA256, a.Verdict, a.Size, a.Evidence)
	}
	records := func(opts *archive.Options, workers int) []string {
		c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, Workers: workers, WindowBytes: 64 << 10})
		var out []string
		err := c.Run(t.Context(), archive.Walk(t.Context(), path, opts), func(a *Assessment) error {
			out = append(out, summary(a))
			return nil
		})
		require.NoError(t, err, "Run")
		return out
	}
	want := records(&archive.Options{}, 1)
	require.Len(t, want, len(msgs), "records")
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			got := records(&archive.Options{DeferLarge: 16 << 10, DeferDigest: true}, workers)
			assert.Equal(t, want, got, "records with large messages deferred")
		})
	}
	for i, rec := range want {
		if i == 34 {
			assert.Contains(t, rec, " "+VerdictAltered.String()+" ", "the altered large message")
		} else {
			assert.NotContains(t, rec, " "+VerdictAltered.String()+" ", "message %d", i+1)
		}
	}
}
