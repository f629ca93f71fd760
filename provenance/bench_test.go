// Throughput of the pipeline (Checker.Run) over a generated in-memory
// archive, against the floor of the performance model: SHA-256
// over every byte plus one public-key operation per signature, on the same
// number of cores. docs/performance.md records the figures.

package provenance_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/provenance"
)

// benchArchiveSize is the number of messages of the benchmark archive.
const benchArchiveSize = 200

// benchKeys publishes the two keys the benchmark archive is signed with.
func benchKeys() dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, name := range []string{"rsa2048", "ed25519"} {
		k := testmail.MustKey(name)
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "bench keys"})
	}
	return dkim.NewKeyFile(recs)
}

// benchText returns size bytes of mail text (with the space runs relaxed
// canonicalization rewrites).
func benchText(size int) string {
	const para = "The figures for the quarter are attached; revenue is up 4% on last year.\n" +
		"Costs are flat.  Please keep this to yourself until the board has met.\n\n"
	return strings.Repeat(para, size/len(para)+1)[:size]
}

// benchArchive generates n messages as an mboxrd file stores them (LF line
// endings): body sizes from 1 KB to 8 KB with every 25th message 100 KB,
// three in four signed with RSA-2048 and one in four with Ed25519, and
// every 10th message's body changed after signing (altered, so the checker
// also tries its repairs). It returns the messages and how many were
// changed.
func benchArchive(tb testing.TB, n int) (msgs []*archive.Message, altered int) {
	tb.Helper()
	var offset int64
	for i := range n {
		size := 1<<10 + (i*1237)%(7<<10)
		if i%25 == 24 {
			size = 100 << 10
		}
		key := "rsa2048"
		if i%4 == 3 {
			key = "ed25519"
		}
		m := testmail.Message{
			Subject: fmt.Sprintf("Board minutes %d", i+1),
			Date:    time.Unix(testmail.DefaultDate, 0).Add(time.Duration(i) * time.Hour).UTC(),
			Body:    benchText(size),
		}
		signed, err := testmail.Sign(m.Bytes(), testmail.MustKey(key), nil)
		require.NoError(tb, err, "signing benchmark message %d", i+1)
		if i%10 == 9 {
			signed = bytes.Replace(signed, []byte("up 4%"), []byte("up 40%"), 1)
			altered++
		}
		raw := testmail.LF(signed)
		sum := sha256.Sum256(raw)
		msgs = append(msgs, &archive.Message{
			File: "bench.mbox", Index: i + 1, Offset: offset, Size: int64(len(raw)),
			SHA256: fmt.Sprintf("%x", sum), Format: "mboxrd", Raw: raw,
		})
		offset += int64(len(raw)) + 60
	}
	return msgs, altered
}

// benchBytes is the total stored size of msgs.
func benchBytes(msgs []*archive.Message) int64 {
	var n int64
	for _, m := range msgs {
		n += int64(len(m.Raw))
	}
	return n
}

// TestBenchArchiveVerdicts makes sure BenchmarkRunArchive measures the
// work it claims: every message of the generated archive is checked, in order, and
// is authentic except the changed ones, which are altered.
func TestBenchArchiveVerdicts(t *testing.T) {
	msgs, altered := benchArchive(t, 40)
	c := provenance.NewChecker(&provenance.Options{Keys: benchKeys(), Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)})
	counts := map[provenance.Verdict]int{}
	next := 1
	err := c.Run(t.Context(), slices.Values(msgs), func(a *provenance.Assessment) error {
		assert.Equal(t, next, a.Index, "Run emits in archive order")
		next++
		counts[a.Verdict]++
		return nil
	})
	require.NoError(t, err, "Run over the benchmark archive")
	assert.Equal(t, len(msgs)+1, next, "every message emitted")
	assert.Equal(t, altered, counts[provenance.VerdictAltered], "changed messages are altered")
	assert.Equal(t, len(msgs)-altered, counts[provenance.VerdictAuthentic], "unchanged messages are authentic")
}

// BenchmarkRunArchive runs the pipeline over benchArchiveSize messages
// (about 1.9 MB) with one worker and with GOMAXPROCS workers. MB/s is over
// the stored bytes; msgs/s is reported too. Compare with
// BenchmarkRunArchiveFloor.
func BenchmarkRunArchive(b *testing.B) {
	benchPipeline(b, func(b *testing.B, checker *provenance.Checker, msgs []*archive.Message) func() {
		return func() {
			emitted := 0
			err := checker.Run(b.Context(), slices.Values(msgs), func(a *provenance.Assessment) error {
				if a.Err != nil {
					return a.Err
				}
				emitted++
				return nil
			})
			if err != nil || emitted != len(msgs) {
				b.Fatalf("Run: %v after %d of %d messages", err, emitted, len(msgs))
			}
		}
	})
}

// BenchmarkRunArchiveWithPass is BenchmarkRunArchive through RunArchive,
// as the command runs by default: each record encoded for a spool file,
// the archive pass over the fingerprints, then every record read back in
// archive order. The difference from BenchmarkRunArchive is the pass and
// its spool.
func BenchmarkRunArchiveWithPass(b *testing.B) {
	benchPipeline(b, func(b *testing.B, checker *provenance.Checker, msgs []*archive.Message) func() {
		spool, err := os.CreateTemp(b.TempDir(), "spool")
		require.NoError(b, err, "creating the spool file")
		b.Cleanup(func() { spool.Close() })
		return func() {
			if err := spool.Truncate(0); err != nil {
				b.Fatalf("truncating the spool: %v", err)
			}
			if _, err := spool.Seek(0, io.SeekStart); err != nil {
				b.Fatalf("rewinding the spool: %v", err)
			}
			emitted := 0
			sum, err := checker.RunArchive(b.Context(), slices.Values(msgs), spool, nil, nil, func(a *provenance.Assessment) error {
				if a.Err != nil {
					return a.Err
				}
				emitted++
				return nil
			})
			if err != nil || emitted != len(msgs) || sum.Messages != len(msgs) {
				b.Fatalf("RunArchive: %v after %d of %d messages (pass saw %d)", err, emitted, len(msgs), sum.Messages)
			}
		}
	})
}

// benchPipeline runs, for one worker and for GOMAXPROCS workers, the loop
// body that setup returns for a Checker over the benchmark archive,
// reporting MB/s over the stored bytes and msgs/s.
func benchPipeline(b *testing.B, setup func(b *testing.B, checker *provenance.Checker, msgs []*archive.Message) func()) {
	msgs, _ := benchArchive(b, benchArchiveSize)
	c := provenance.Options{Keys: benchKeys(), Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	for _, workers := range benchWorkers() {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			opts := c
			opts.Workers = workers
			run := setup(b, provenance.NewChecker(&opts), msgs)
			b.SetBytes(benchBytes(msgs))
			b.ReportAllocs()
			testenv.BenchLoop(b, benchBytes(msgs), run)
			b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkRunArchiveFloor is the floor for BenchmarkRunArchive's archive
// on the same number of goroutines: SHA-256 over every stored byte plus one signature
// check (already parsed key) per message, RSA-2048 or Ed25519 as the
// message was signed.
func BenchmarkRunArchiveFloor(b *testing.B) {
	msgs, _ := benchArchive(b, benchArchiveSize)
	digest := sha256.Sum256([]byte("canonical header"))
	rk := testmail.MustKey("rsa2048")
	rsig, err := rk.Private.Sign(nil, digest[:], crypto.SHA256)
	require.NoError(b, err, "signing with rsa2048")
	rpub, ok := rk.Public().(*rsa.PublicKey)
	require.True(b, ok, "rsa2048 has an RSA public key")
	epriv, ok := testmail.MustKey("ed25519").Private.(ed25519.PrivateKey)
	require.True(b, ok, "ed25519 has an Ed25519 private key")
	esig := ed25519.Sign(epriv, digest[:])
	epub := epriv.Public().(ed25519.PublicKey)

	floor := func(i int, m *archive.Message) bool {
		sha256.Sum256(m.Raw)
		if i%4 == 3 { // benchArchive's Ed25519 messages
			return ed25519.Verify(epub, digest[:], esig)
		}
		return rsa.VerifyPKCS1v15(rpub, crypto.SHA256, digest[:], rsig) == nil
	}
	for _, workers := range benchWorkers() {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(benchBytes(msgs))
			testenv.BenchLoop(b, benchBytes(msgs), func() {
				var wg sync.WaitGroup
				next := make(chan int)
				for range workers {
					wg.Go(func() {
						for i := range next {
							if !floor(i, msgs[i]) {
								b.Error("floor signature check failed")
							}
						}
					})
				}
				for i := range msgs {
					next <- i
				}
				close(next)
				wg.Wait()
			})
			b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// benchWorkers is 1 and GOMAXPROCS (when that is more than 1).
func benchWorkers() []int {
	if p := runtime.GOMAXPROCS(0); p > 1 {
		return []int{1, p}
	}
	return []int{1}
}
