package provenance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testenv"
)

// paras returns n distinct paragraphs of 10 words, distinct per seed.
func attackParas(seed, n int) []paragraph {
	out := make([]paragraph, n)
	for i := range out {
		out[i] = paragraph(uint64(seed*1000+i+1)<<16 | 10)
	}
	return out
}

// TestArchivePassParagraphChunkFull adds messages whose paragraphs fill
// the first paragraph chunk exactly, then a message with a Message-ID and
// a view but no paragraph (an empty body), which a reply already added
// answers. The empty message's paragraphs start at the end of the full
// chunk, where no chunk is yet: reading its zero paragraphs must not
// index past the chunks, in memory or with a paragraph store.
func TestArchivePassParagraphChunkFull(t *testing.T) {
	for _, store := range []bool{false, true} {
		t.Run(fmt.Sprint("store=", store), func(t *testing.T) { testParagraphChunkFull(t, store) })
	}
}

func testParagraphChunkFull(t *testing.T, store bool) {
	const per = 16 // paragraphs per message: paraChunk is a multiple
	p := NewArchivePass()
	defer p.Release()
	if store {
		f, err := os.CreateTemp(t.TempDir(), "paras-*")
		require.NoError(t, err, "create the paragraph store")
		defer f.Close()
		p.SetParagraphStore(f)
	}
	var all []*Assessment
	for i := range paraChunk/per - 1 {
		a := &Assessment{ID: fmt.Sprint(i), File: "a.mbox", Index: i, Verdict: VerdictUnverifiable, MessageID: fmt.Sprintf("<m%d@x>", i)}
		a.view = &viewPrint{whole: [16]byte{byte(i), byte(i >> 8)}, paras: attackParas(i, per)}
		all = append(all, a)
	}
	// The last message to fill the chunk is an authentic reply to the
	// empty message, own paragraphs and quoted ones together.
	reply := &Assessment{ID: "reply", File: "a.mbox", Index: len(all), Verdict: VerdictAuthentic, MessageID: "<reply@x>", InReplyTo: "<empty@x>"}
	reply.view = &viewPrint{whole: [16]byte{1}, paras: attackParas(-1, per/2), quotes: attackParas(-2, per/2)}
	all = append(all, reply)
	empty := &Assessment{ID: "empty", File: "a.mbox", Index: len(all), Verdict: VerdictUnverifiable, MessageID: "<empty@x>"}
	empty.view = &viewPrint{whole: [16]byte{2}}
	all = append(all, empty)
	for _, a := range all {
		p.Add(a)
	}
	require.Len(t, p.paras.chunks, 1, "the first chunk holds every paragraph")
	require.Equal(t, paraChunk, len(p.paras.chunks[0]), "the first chunk is full")
	var sum ArchiveSummary
	require.NotPanics(t, func() { sum = p.Summary() })
	require.NoError(t, p.Err(), "the paragraph store's error")
	assert.Equal(t, len(all), sum.Messages)
	assert.Zero(t, sum.QuoteConflicts, "an empty message contradicts no quote")
	assert.Zero(t, sum.QuotedBy, "an empty message is not quoted word for word")
	for _, a := range all {
		p.Apply(a)
	}
}

// TestArchivePassManyReleased runs thousands of passes in one process, as
// a long-lived library user does, none released but by the garbage
// collector, some concurrently while collections run: every pass's
// memory outside the heap must come back, and no pass may read a chunk
// another pass's cleanup unmapped (run with -race).
func TestArchivePassManyReleased(t *testing.T) {
	if m := mapChunk(1); m == nil {
		t.Skip("no memory outside the heap on this system")
	} else {
		unmapChunk(m)
	}
	const workers, passes = 4, 500
	pools := make([][]*chunkPool, workers)
	stop := make(chan struct{})
	collector := make(chan struct{})
	go func() {
		defer close(collector)
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range passes {
				p := NewArchivePass()
				pools[w] = append(pools[w], p.pool)
				var all []*Assessment
				for j := range 20 {
					a := &Assessment{ID: fmt.Sprint(w, "-", i, "-", j), File: fmt.Sprint("f", j%3), Index: j, Verdict: Verdict(1 + j%3),
						MessageID: fmt.Sprintf("<m%d@x>", j%7), InReplyTo: fmt.Sprintf("<m%d@x>", (j+1)%5)}
					a.view = &viewPrint{whole: [16]byte{byte(j % 4)}, paras: attackParas(j, 3), quotes: attackParas(j+1, 2)}
					p.Add(a)
					all = append(all, a)
				}
				for _, a := range all {
					p.Apply(a)
				}
				if sum := p.Summary(); sum.Messages != len(all) {
					t.Errorf("pass %d/%d: %d messages, want %d", w, i, sum.Messages, len(all))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-collector
	left := func() (n int64) {
		for _, list := range pools {
			for _, pool := range list {
				n += pool.mapped.Load()
			}
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for left() != 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Zero(t, left(), "bytes still mapped by %d unreachable passes", workers*passes)
}

// TestRunArchiveStoppedMidway stops RunArchive at every point of a run
// over testdata/archive, by an emit error and by cancelling its context
// while messages are checked, with collections running: the pass's
// memory is released while the run unwinds, and nothing may read it
// after (a fault, or a report from -race). A full run afterwards gives
// the records of a full run before.
func TestRunArchiveStoppedMidway(t *testing.T) {
	dir := filepath.Join(testenv.ModuleRoot(t), "testdata", "archive")
	c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime, Workers: 2})
	run := func(ctx context.Context, checked func(*Assessment), emit func(*Assessment) error) (ArchiveSummary, error) {
		spool, err := os.CreateTemp(t.TempDir(), "spool-*")
		require.NoError(t, err, "create spool")
		defer spool.Close()
		return c.RunArchive(ctx, archive.Walk(ctx, dir, nil), spool, nil, checked, emit)
	}
	var want []string
	full, err := run(t.Context(), nil, func(a *Assessment) error {
		want = append(want, fmt.Sprintf("%s#%d %s %d %d", a.File, a.Index, a.Verdict, len(a.Evidence), len(a.Related)))
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, want)
	stop := errors.New("stop")
	for k := range len(want) + 1 {
		n := 0
		_, err := run(t.Context(), nil, func(a *Assessment) error {
			if n++; n > k {
				return stop
			}
			return nil
		})
		if k < len(want) {
			require.ErrorIs(t, err, stop, "emit fails at record %d", k)
		}
		ctx, cancel := context.WithCancel(t.Context())
		m := 0
		_, err = run(ctx, func(*Assessment) {
			if m++; m > k {
				cancel()
			}
		}, func(*Assessment) error { return nil })
		cancel()
		if k < len(want) {
			require.ErrorIs(t, err, context.Canceled, "cancelled after %d checked", k)
		}
		runtime.GC()
	}
	var got []string
	sum, err := run(t.Context(), nil, func(a *Assessment) error {
		got = append(got, fmt.Sprintf("%s#%d %s %d %d", a.File, a.Index, a.Verdict, len(a.Evidence), len(a.Related)))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, want, got, "the records of a full run after runs stopped midway")
	assert.Equal(t, full, sum, "the summary of a full run after runs stopped midway")
}

// TestArchivePassIDsKeptAsGiven gives the pass copies whose assessment
// IDs stand near the line between those it keeps as 32 bytes (SHA-256 in
// lower-case hex) and those it keeps as text: Related and the evidence
// must name each copy by its ID exactly as given, and Apply must find
// each assessment by it.
func TestArchivePassIDsKeptAsGiven(t *testing.T) {
	hex64 := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ids := map[string]string{
		"sha256 hex":         hex64,
		"upper case":         strings.ToUpper(hex64),
		"one upper digit":    hex64[:63] + "F",
		"63 digits":          hex64[:63],
		"65 digits":          hex64 + "0",
		"not hex":            hex64[:63] + "g",
		"empty":              "",
		"NUL bytes":          "\x00\x00" + hex64[2:],
		"UTF-8":              "é" + hex64[2:],
		"hex of other bytes": strings.Repeat("ff", 32),
	}
	for name, authID := range ids {
		for other, copyID := range ids {
			t.Run(name+"/"+other, func(t *testing.T) {
				p := NewArchivePass()
				auth := &Assessment{ID: authID, File: "a.mbox", Index: 1, Verdict: VerdictAuthentic, Signer: "example.com", MessageID: "<m@x>"}
				auth.view = &viewPrint{whole: [16]byte{7}}
				cp := &Assessment{ID: copyID, File: "b.mbox", Index: 2, Verdict: VerdictUnverifiable, MessageID: "<m@x>"}
				cp.view = &viewPrint{whole: [16]byte{7}}
				p.Add(auth)
				p.Add(cp)
				p.Apply(auth)
				p.Apply(cp)
				require.Equal(t, VerdictAuthentic, cp.Verdict, "the copy is corroborated")
				require.Len(t, cp.Related, 1)
				assert.Equal(t, authID, cp.Related[0].ID, "Related names the authentic copy by its ID as given")
				assert.Contains(t, cp.Evidence[len(cp.Evidence)-1].Message, "(id "+authID+")")
			})
		}
	}
}

// FuzzArchivePassThreads builds an archive from data: filler messages
// that bring the paragraphs the pass keeps to within a few of a chunk's
// end, then messages with or without a Message-ID, replying or not, with
// any number of paragraphs and quotes (matching the message they answer,
// or not). The pass's thread findings must be what matchQuote says of
// every reply and every message holding the Message-ID it answers, taken
// straight from the assessments: whatever the pass keeps or leaves out,
// wherever its chunks end, and whether they wait in memory or in a
// paragraph store, it decides as the rule does.
func FuzzArchivePassThreads(f *testing.F) {
	f.Add(uint8(0), []byte{1, 0, 16, 0, 0, 2, 1, 8, 8, 1, 1, 0, 0, 0, 1})
	f.Add(uint8(3), []byte{0, 0, 0, 0, 0, 1, 0, 5, 0, 1, 2, 1, 3, 4, 2})
	f.Add(uint8(40), []byte{2, 3, 30, 30, 3, 3, 2, 0, 9, 2, 1, 1, 1, 1, 0})
	// A reply whose paragraphs end the chunk, then the empty message it answers.
	f.Add(uint8(16), []byte{1, 1, 8, 8, 1, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, slack uint8, data []byte) {
		type msg struct {
			a              *Assessment
			msgID, inReply string
		}
		var msgs []msg
		for i := 0; i+5 <= len(data) && len(msgs) < 200; i += 5 {
			d := data[i : i+5]
			m := msg{a: &Assessment{ID: fmt.Sprint("m", len(msgs)), File: "a.mbox", Index: len(msgs), Verdict: Verdict(1 + d[4]%3)}}
			if d[0]%4 != 0 {
				m.msgID = fmt.Sprintf("<%d@x>", d[0]%5)
			}
			if d[1]%3 != 0 {
				m.inReply = fmt.Sprintf("<%d@x>", d[1]%5)
			}
			m.a.MessageID, m.a.InReplyTo = m.msgID, m.inReply
			v := &viewPrint{whole: [16]byte{d[0]}, paras: attackParas(int(d[0]%5), int(d[2]%30))}
			// Quotes of the message answered, one changed when d[3] says.
			v.quotes = attackParas(int(d[1]%5), int(d[3]%30))
			if len(v.quotes) > 0 && d[3]&0x40 != 0 {
				v.quotes[len(v.quotes)/2] ^= 1 << 40
			}
			m.a.view = v
			msgs = append(msgs, m)
		}
		pass := func(store ParagraphStore) ArchiveSummary {
			p := NewArchivePass()
			defer p.Release()
			p.SetParagraphStore(store)
			// Filler: 24 paragraphs each (all kept), up to slack short of
			// a full chunk, then what remains one by one.
			target := paraChunk - int(slack)
			for kept, i := 0, 0; kept < target; i++ {
				n := min(maxParagraphs, target-kept)
				a := &Assessment{ID: fmt.Sprint("f", i), File: "f.mbox", Index: i, Verdict: VerdictUnverifiable, MessageID: fmt.Sprintf("<fill%d@x>", i)}
				a.view = &viewPrint{whole: [16]byte{0xff}, paras: attackParas(1000+i, n)}
				p.Add(a)
				kept += n
			}
			for _, m := range msgs {
				p.Add(m.a)
			}
			sum := p.Summary()
			require.NoError(t, p.Err(), "the paragraph store's error")
			return sum
		}
		f, err := os.CreateTemp(t.TempDir(), "paras-*")
		require.NoError(t, err, "create the paragraph store")
		defer f.Close()
		sum := pass(nil)
		require.Equal(t, sum, pass(f), "the pass's summary with a paragraph store")
		quoted, conflicts := map[int]bool{}, map[int]bool{}
		for ri, r := range msgs {
			if r.inReply == "" {
				continue
			}
			q := r.a.view.quotes[:min(len(r.a.view.quotes), maxParagraphs)]
			if len(q) == 0 {
				continue
			}
			for pi, pm := range msgs {
				if pi == ri || pm.msgID != r.inReply {
					continue
				}
				matched, contradicted := matchQuote(q, pm.a.view.paras[:min(len(pm.a.view.paras), maxParagraphs)])
				switch {
				case contradicted:
					conflicts[pi], conflicts[ri] = true, true
				case matched > 0 && r.a.Verdict == VerdictAuthentic:
					quoted[pi] = true
				}
			}
		}
		require.Equal(t, len(quoted), sum.QuotedBy, "messages quoted word for word")
		require.Equal(t, len(conflicts), sum.QuoteConflicts, "messages with a quote conflict")
	})
}
