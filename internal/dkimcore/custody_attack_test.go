package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomBody returns a body of about n bytes made of pieces that take
// both paths of CustodyAndBodyHash: canonical lines, and lines relaxed or
// the CRLF view rewrites.
func randomBody(rng *rand.Rand, n int) []byte {
	pieces := []string{"word", " ", "  ", "\t", "\r\n", "\r\n", "\n", "\r", "\x00", "\xff",
		strings.Repeat("y", 200), "\r\n\r\n\r\n"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.Bytes()[:n]
}

// TestCustodyAndBodyHashUnrelatedRaw holds CustodyAndBodyHash to the
// digests computed apart when the stored bytes and the body have nothing
// to do with each other: raw empty, shorter or far longer than the body,
// the body a slice of raw at any offset, raw a slice of the body. The
// custody digest must never depend on the body, nor the body hash on raw.
func TestCustodyAndBodyHashUnrelatedRaw(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 1))
	sizes := []int{0, 1, 2, 55, 56, 63, 64, 65, 119, 120, 128, 4095, 4096, 4097, 8191, 32767, 32768, 32769, 70001}
	for range 120 {
		body := randomBody(rng, sizes[rng.IntN(len(sizes))])
		raws := [][]byte{
			nil,
			{},
			randomBody(rng, sizes[rng.IntN(len(sizes))]),
			body,
			body[:len(body)/2],
			append(randomBody(rng, rng.IntN(300)), body...),
			append(append([]byte{}, body...), randomBody(rng, sizes[rng.IntN(len(sizes))])...),
		}
		bodies := [][]byte{body}
		if len(body) > 3 {
			bodies = append(bodies, body[1:len(body)-1])
		}
		for _, raw := range raws {
			for _, b := range bodies {
				for _, c := range []Canonicalization{Simple, Relaxed} {
					_, n := BodyHash(crypto.SHA256, c, 0, b)
					for _, limit := range []int64{-1, 0, 1, n - 1, n, n + 1, rng.Int64N(n + 2)} {
						if limit < -1 {
							continue
						}
						checkCustody(t, raw, b, c, limit)
					}
				}
			}
		}
	}
}

// TestCustodyAndBodyHashConcurrent runs CustodyAndBodyHash from many
// goroutines at once on messages of very different sizes, interleaved
// with BodyHash in SHA-1 and SHA-256 on the same pool of hashers, so that
// a pooled hasher goes from a large message to a small one, from custody
// use to plain use and back. Run it with -race.
func TestCustodyAndBodyHashConcurrent(t *testing.T) {
	type job struct {
		raw, body     []byte
		c             Canonicalization
		limit         int64
		custody       [sha256.Size]byte
		sum, sha1Sum  []byte
		unsigned, un1 int64
	}
	rng := rand.New(rand.NewPCG(24, 2))
	sizes := []int{0, 3, 64, 100, 4097, 40000, 200000}
	var jobs []*job
	for range 300 {
		body := randomBody(rng, sizes[rng.IntN(len(sizes))])
		raw := append(randomBody(rng, rng.IntN(200)), body...)
		body = raw[len(raw)-len(body):]
		if rng.IntN(3) == 0 {
			// Stored with LF: the body hashed is not a slice of raw.
			raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		}
		c := Canonicalization(rng.IntN(2))
		j := &job{raw: raw, body: body, c: c, limit: -1}
		if rng.IntN(2) == 0 {
			j.limit = rng.Int64N(int64(len(body)) + 2)
		}
		j.sum, j.unsigned = BodyHash(crypto.SHA256, c, j.limit, j.body)
		j.sha1Sum, j.un1 = BodyHash(crypto.SHA1, c, j.limit, j.body)
		j.custody = sha256.Sum256(raw)
		jobs = append(jobs, j)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := range 8 {
		wg.Go(func() {
			for k := range 3 * len(jobs) {
				j := jobs[(k*7+w*13)%len(jobs)]
				custody, sum, unsigned := CustodyAndBodyHash(j.raw, j.body, j.c, j.limit)
				if custody != j.custody || !bytes.Equal(sum, j.sum) || unsigned != j.unsigned {
					select {
					case errs <- "CustodyAndBodyHash differs from the digests computed apart":
					default:
					}
				}
				if s, u := BodyHash(crypto.SHA1, j.c, j.limit, j.body); !bytes.Equal(s, j.sha1Sum) || u != j.un1 || len(s) != sha1.Size {
					select {
					case errs <- "BodyHash(SHA-1) differs after the pool served CustodyAndBodyHash":
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestCustodyHasherReleaseDropsMessage checks that a hasher handed back to
// the pool keeps no reference to the message it hashed, and that the
// next custody use of the same hasher starts from empty streams.
func TestCustodyHasherReleaseDropsMessage(t *testing.T) {
	raw := []byte("Subject: x\r\n\r\nsee  you \r\n")
	body := raw[14:]
	bh := acquireCustodyHasher(Relaxed, -1, raw)
	bh.Write(body)
	bh.Sum()
	require.Equal(t, sha256.Sum256(raw), bh.pair.custody)
	releaseBodyHasher(bh)
	assert.Nil(t, bh.pair.raw, "the released hasher still holds the stored message")
	assert.Nil(t, bh.sum, "the released hasher still holds its sum")

	// Hashers handed back and taken again, for messages of other sizes:
	// each starts from empty streams. (sync.Pool may or may not hand back
	// the same hasher, and under the race detector drops some on purpose,
	// so the reuse is exercised by many rounds, not asserted.)
	for i := range 50 {
		raw2 := bytes.Repeat([]byte("a  b \n"), 1+i*37%700)
		bh2 := acquireCustodyHasher(Relaxed, -1, raw2)
		bh2.Write(raw2)
		sum, _ := bh2.Sum()
		want, _ := BodyHash(crypto.SHA256, Relaxed, -1, raw2)
		assert.Equal(t, sha256.Sum256(raw2), bh2.pair.custody, "custody digest after reuse, round %d", i)
		assert.Equal(t, want, sum, "body hash after reuse, round %d", i)
		releaseBodyHasher(bh2)
		assert.Nil(t, bh2.pair.raw, "the released hasher still holds the stored message, round %d", i)
	}
}

// FuzzCustodyAndBodyHashUnrelated holds CustodyAndBodyHash to the digests
// computed apart for any stored bytes and any body, unrelated, each
// repeated to reach past the hasher's buffers.
func FuzzCustodyAndBodyHashUnrelated(f *testing.F) {
	f.Add([]byte(""), []byte("a  b\r\n"), uint8(0), uint8(0), true, int64(-1))
	f.Add([]byte("x"), []byte("a\n\n"), uint8(100), uint8(0), false, int64(5))
	f.Add([]byte("stored\r\n"), []byte("\t\r\n "), uint8(0), uint8(200), true, int64(0))
	f.Fuzz(func(t *testing.T, raw, body []byte, rawRepeat, bodyRepeat uint8, relaxed bool, limit int64) {
		if limit < -1 {
			limit = -1
		}
		c := Simple
		if relaxed {
			c = Relaxed
		}
		checkCustody(t, bytes.Repeat(raw, 1+int(rawRepeat)), bytes.Repeat(body, 1+int(bodyRepeat)), c, limit)
	})
}

// TestCustodyAndBodyHashEdgeBodies checks bodies at the edges: empty, only
// line endings, a single huge line with and without line ending, runs of
// whitespace longer than the hasher's buffers, a trailing lone CR, each
// stored as it is, with LF, and behind a header, at l= cuts around each
// canonical length.
func TestCustodyAndBodyHashEdgeBodies(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	bodies := map[string]string{
		"empty":                   "",
		"CRLF":                    "\r\n",
		"LF":                      "\n",
		"many empty lines":        strings.Repeat("\r\n", 5000),
		"many LF":                 strings.Repeat("\n", 5000),
		"huge line":               huge,
		"huge line CRLF":          huge + "\r\n",
		"huge line spaces":        strings.Repeat("x ", 1<<19) + " \r\n",
		"huge whitespace run":     "a" + strings.Repeat(" \t", 40000) + "b\r\n",
		"whitespace only":         strings.Repeat(" ", 70000),
		"trailing CR":             "abc\r",
		"huge line then trailing": huge + "\r\n\r\n\r\n  \r\n",
		"CR runs":                 strings.Repeat("\r", 9000) + "\n",
	}
	for name, text := range bodies {
		for _, header := range []string{"", "Subject: x\r\n\r\n"} {
			raw := []byte(header + text)
			body := raw[len(header):]
			lf := append([]byte(header), bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))...)
			for _, c := range []Canonicalization{Simple, Relaxed} {
				_, n := BodyHash(crypto.SHA256, c, 0, body)
				for _, limit := range []int64{-1, 0, 1, 64, 4096, n - 1, n, n + 1} {
					if limit < -1 {
						continue
					}
					t.Run(fmt.Sprintf("%s/%d/%v/l=%d", name, len(header), c, limit), func(t *testing.T) {
						checkCustody(t, raw, body, c, limit)
						checkCustody(t, lf, body, c, limit)
						checkCustody(t, nil, body, c, limit)
					})
				}
			}
		}
	}
}

// TestCustodyAndBodyHashEveryLimit cuts a body that needs canonicalizing,
// long enough to cross the hasher's 4 KB buffer twice, at every l= from
// 0 to past its canonical length, stored as it is and with LF.
func TestCustodyAndBodyHashEveryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes the body some 17,000 times")
	}
	rng := rand.New(rand.NewPCG(24, 3))
	header := []byte("Subject: x\r\n\r\n")
	raw := append(header, randomBody(rng, 8500)...)
	body := raw[len(header):]
	lf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	for _, c := range []Canonicalization{Simple, Relaxed} {
		_, n := BodyHash(crypto.SHA256, c, 0, body)
		require.Greater(t, n, int64(8192), "canonical length")
		for limit := int64(-1); limit <= n+1; limit++ {
			checkCustody(t, raw, body, c, limit)
			checkCustody(t, lf, body, c, limit)
		}
	}
}
