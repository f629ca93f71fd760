package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testenv"
)

// replayRecord is what the replay tests compare of an assessment: every
// exported field, and the evidence the archive pass added.
func replayRecord(t testing.TB, a *Assessment) string {
	b, err := json.Marshal(a)
	require.NoError(t, err, "marshal %s", a.ID)
	errText := ""
	if a.Err != nil {
		errText = a.Err.Error()
	}
	return fmt.Sprintf("%s err=%q", b, errText)
}

// archiveMessages reads testdata/archive whole, so that each run below
// checks the same messages.
func archiveMessages(t *testing.T) []*archive.Message {
	dir := filepath.Join(testenv.ModuleRoot(t), "testdata", "archive")
	var msgs []*archive.Message
	for m := range archive.Walk(t.Context(), dir, nil) {
		_ = m.Load()
		m.Digest()
		c := *m
		c.Raw = slices.Clone(m.Raw)
		msgs = append(msgs, &c)
	}
	require.NotEmpty(t, msgs, "messages of testdata/archive")
	return msgs
}

// clones returns copies of msgs that a run may release.
func clones(msgs []*archive.Message) []*archive.Message {
	out := make([]*archive.Message, len(msgs))
	for i, m := range msgs {
		c := *m
		c.Raw = slices.Clone(m.Raw)
		out[i] = &c
	}
	return out
}

// TestRunArchiveReplay: the records the archive pass emits, read back
// from the spool, decoded and given the pass's findings by several
// workers, are those of one goroutine doing it all in order (Check, Add,
// then Apply), record for record and in archive order, whatever the
// workers and the window; and RunArchiveEncoded hands each with the bytes
// encode made of exactly that assessment.
func TestRunArchiveReplay(t *testing.T) {
	msgs := archiveMessages(t)
	ref := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime})
	pass := NewArchivePass()
	var want []*Assessment
	for _, m := range clones(msgs) {
		a := ref.Check(t.Context(), m)
		pass.Add(a)
		want = append(want, a)
	}
	var wantLines []string
	for _, a := range want {
		pass.Apply(a)
		wantLines = append(wantLines, replayRecord(t, a))
	}
	pass.release()
	changed := 0
	for _, a := range want {
		if len(a.Related) > 0 {
			changed++
		}
	}
	require.Positive(t, changed, "the pass links some messages of testdata/archive: the test would not see a pass left out")

	encode := func(dst []byte, a *Assessment) []byte {
		return append(dst, replayRecord(t, a)...)
	}
	for _, tc := range []struct {
		name    string
		workers int
		window  int64
	}{
		{"one worker", 1, 0},
		{"two workers", 2, 0},
		{"four workers, a window of one byte", 4, 1},
		{"three workers, a window of 20 KiB", 3, 20 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime, Workers: tc.workers, WindowBytes: tc.window})
			for _, encoded := range []bool{false, true} {
				spool, err := os.CreateTemp(t.TempDir(), "spool-*")
				require.NoError(t, err, "create spool")
				var got []string
				if encoded {
					_, err = c.RunArchiveEncoded(t.Context(), slices.Values(clones(msgs)), spool, nil, nil, encode, func(a *Assessment, rec []byte) error {
						line := replayRecord(t, a)
						require.Equal(t, line, string(rec), "the record handed with %s is its own", a.ID)
						got = append(got, line)
						return nil
					})
				} else {
					_, err = c.RunArchive(t.Context(), slices.Values(clones(msgs)), spool, nil, nil, func(a *Assessment) error {
						got = append(got, replayRecord(t, a))
						return nil
					})
				}
				require.NoError(t, err, "encoded %v", encoded)
				spool.Close()
				assert.Equal(t, wantLines, got, "encoded %v: the records, in order", encoded)
			}
		})
	}
}

// shortSpool is a spool file whose reading ends early: at cut bytes after
// it was rewound, as a disk that lost the end of the file would.
type shortSpool struct {
	*os.File
	cut, read int
	rewound   bool
}

func (s *shortSpool) Seek(off int64, whence int) (int64, error) {
	s.rewound = true
	return s.File.Seek(off, whence)
}

func (s *shortSpool) Read(p []byte) (int, error) {
	if !s.rewound {
		return s.File.Read(p)
	}
	if s.read >= s.cut {
		return 0, io.EOF
	}
	p = p[:min(len(p), s.cut-s.read)]
	n, err := s.File.Read(p)
	s.read += n
	return n, err
}

// TestRunArchiveReplayStops: a spool cut short, an emit that fails and a
// context cancelled while the records are emitted each end the replay
// with their error, after the records before it, in order; and no
// goroutine is left running (the race detector and the test's end would
// see one use the spool or the pass after RunArchive returned).
func TestRunArchiveReplayStops(t *testing.T) {
	msgs := archiveMessages(t)
	c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime, Workers: 3, WindowBytes: 8 << 10})
	var all []string
	spool, err := os.CreateTemp(t.TempDir(), "spool-*")
	require.NoError(t, err, "create spool")
	_, err = c.RunArchive(t.Context(), slices.Values(clones(msgs)), spool, nil, nil, func(a *Assessment) error {
		all = append(all, a.ID)
		return nil
	})
	require.NoError(t, err, "RunArchive")
	size, err := spool.Seek(0, io.SeekEnd)
	require.NoError(t, err, "spool size")
	spool.Close()
	require.Greater(t, len(all), 10, "messages of testdata/archive")

	t.Run("spool cut short", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "spool-*")
		require.NoError(t, err, "create spool")
		defer f.Close()
		var got []string
		_, err = c.RunArchive(t.Context(), slices.Values(clones(msgs)), &shortSpool{File: f, cut: int(size / 2)}, nil, nil, func(a *Assessment) error {
			got = append(got, a.ID)
			return nil
		})
		require.Error(t, err, "a spool cut in half")
		assert.Contains(t, err.Error(), "provenance: spool: the stream ends inside a record", "the error")
		assert.NotEmpty(t, got, "the records before the cut are emitted")
		assert.Less(t, len(got), len(all), "not every record")
		assert.Equal(t, all[:len(got)], got, "the records before the cut, in order")
	})
	t.Run("emit fails", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "spool-*")
		require.NoError(t, err, "create spool")
		defer f.Close()
		stop := errors.New("disk full")
		var got []string
		_, err = c.RunArchive(t.Context(), slices.Values(clones(msgs)), f, nil, nil, func(a *Assessment) error {
			if len(got) == 5 {
				return stop
			}
			got = append(got, a.ID)
			return nil
		})
		assert.ErrorIs(t, err, stop, "emit's error is RunArchive's")
		assert.Equal(t, all[:5], got, "no record after the one emit refused")
	})
	t.Run("cancelled while emitting", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "spool-*")
		require.NoError(t, err, "create spool")
		defer f.Close()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var got []string
		_, err = c.RunArchive(ctx, slices.Values(clones(msgs)), f, nil, nil, func(a *Assessment) error {
			got = append(got, a.ID)
			if len(got) == 3 {
				cancel()
			}
			return nil
		})
		assert.ErrorIs(t, err, context.Canceled, "a cancelled replay")
		assert.Equal(t, all[:3], got, "no record after the cancellation")
	})
}

// TestSpoolReplay: Spool.Replay, as merge calls it over records written
// with Spool.Write (not through RunArchive), gives the records of one
// goroutine doing it all in order, with any number of workers.
func TestSpoolReplay(t *testing.T) {
	msgs := archiveMessages(t)
	c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime})
	var checked []*Assessment
	for _, m := range clones(msgs) {
		checked = append(checked, c.Check(t.Context(), m))
	}
	ref := NewArchivePass()
	var want []string
	for _, a := range checked {
		ref.Add(a)
	}
	for _, a := range checked {
		b := *a
		b.Evidence, b.Related = slices.Clone(a.Evidence), slices.Clone(a.Related)
		ref.Apply(&b)
		want = append(want, replayRecord(t, &b))
	}
	ref.release()
	for _, workers := range []int{0, 1, 3} {
		f, err := os.CreateTemp(t.TempDir(), "spool-*")
		require.NoError(t, err, "create spool")
		pass := NewArchivePass()
		sp := NewSpool(f)
		for _, a := range checked {
			pass.Add(a)
			require.NoError(t, sp.Write(a), "Write")
		}
		var got []string
		err = sp.Replay(t.Context(), pass, workers, nil, func(a *Assessment, rec []byte) error {
			assert.Nil(t, rec, "no record without encode")
			got = append(got, replayRecord(t, a))
			return nil
		})
		require.NoError(t, err, "Replay with %d workers", workers)
		assert.Equal(t, want, got, "Replay with %d workers: the records, in order", workers)
		assert.Error(t, sp.Replay(t.Context(), pass, workers, nil, func(*Assessment, []byte) error { return nil }), "a second Replay")
		pass.release()
		f.Close()
	}
}
