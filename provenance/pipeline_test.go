package provenance

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
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

func BenchmarkRun(b *testing.B) {
	m := benchMessage(b, 4<<10)
	msgs := make([]*archive.Message, 256)
	for i := range msgs {
		mm := *m
		mm.Index = i + 1
		msgs[i] = &mm
	}
	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime})
	b.SetBytes(int64(len(m.Raw) * len(msgs)))
	for b.Loop() {
		err := c.Run(b.Context(), slices.Values(msgs), func(*Assessment) error { return nil })
		require.NoError(b, err, "Run")
	}
}
