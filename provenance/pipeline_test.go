package provenance

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
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

func TestRunOrderAndWindow(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			var yielded atomic.Int64
			c := NewChecker(&Options{Workers: workers})
			var got []int
			maxAhead := int64(0)
			err := c.Run(t.Context(), plainMessages(300, &yielded), func(a *Assessment) error {
				got = append(got, a.Index)
				maxAhead = max(maxAhead, yielded.Load()-int64(len(got)))
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
			// The window: pending (2×workers), one per worker, one in the reader's hands.
			assert.LessOrEqual(t, maxAhead, int64(3*workers+2), "messages in flight stay within the window")
		})
	}
}

func TestRunStops(t *testing.T) {
	stop := errors.New("stop")
	t.Run("emit error", func(t *testing.T) {
		var yielded atomic.Int64
		n := 0
		err := NewChecker(&Options{Workers: 3}).Run(t.Context(), plainMessages(1000, &yielded), func(a *Assessment) error {
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
