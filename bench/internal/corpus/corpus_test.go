package corpus

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/provenance"
)

// TestDrawProportions holds the draws of 100,000 messages to the shares the
// package documentation promises, within a percentage point.
func TestDrawProportions(t *testing.T) {
	const n = 100000
	classes, keys, cases := map[string]int{}, map[string]int{}, map[string]int{}
	sizes := map[string][2]int{ClassText: {2 << 10, 20 << 10}, ClassAttachment: {50 << 10, 200 << 10}, ClassLarge: {1 << 20, 2 << 20}}
	for i := range n {
		tr, total, from, _ := draw(1, i)
		classes[tr.Class]++
		keys[tr.Key]++
		cases[tr.Case]++
		lo, hi := sizes[tr.Class][0], sizes[tr.Class][1]
		if total < lo || total > hi {
			t.Fatalf("message %d: %s of %d bytes, outside %d to %d", i+1, tr.Class, total, lo, hi)
		}
		if !strings.HasSuffix(from, "@"+tr.Domain+">") {
			t.Fatalf("message %d: From %q is not of the signing domain %s", i+1, from, tr.Domain)
		}
	}
	for _, tt := range []struct {
		got     map[string]int
		name    string
		percent float64
	}{
		{classes, ClassText, 87}, {classes, ClassAttachment, 12}, {classes, ClassLarge, 1},
		{keys, "rsa2048", 55}, {keys, "rsa1024", 20}, {keys, "ed25519", 25},
		{cases, CaseIntact, 88}, {cases, CaseBodyAltered, 6}, {cases, CaseHeaderAltered, 3}, {cases, CaseNoKey, 3},
	} {
		assert.InDelta(t, tt.percent, float64(tt.got[tt.name])*100/n, 1, "share of %s", tt.name)
	}
}

func TestMixedText(t *testing.T) {
	for _, size := range []int{2 << 10, 5000, 20 << 10} {
		_, _, _, r := draw(3, size)
		text := mixedText(r, 41, size)
		assert.GreaterOrEqual(t, len(text), size, "mixedText(%d) is at least as long as asked", size)
		assert.Less(t, len(text), size+200, "mixedText(%d) stops near the size asked", size)
		assert.True(t, strings.HasPrefix(text, "The figures for quarter 42 are attached; revenue is up 4% on last year.\n"), "mixedText(%d) starts with the line a body alteration changes", size)
		assert.True(t, strings.HasSuffix(text, "\n"), "mixedText(%d) ends with a line feed", size)
		assert.NotContains(t, "\n"+text, "\nFrom ", "mixedText(%d) has no line an mbox must escape", size)
		assert.Contains(t, text, "  ", "mixedText(%d) has double spaces for relaxed canonicalization", size)
	}
}

// writeCorpus writes a corpus of n messages of seed 5 into a new folder.
func writeCorpus(t *testing.T, n int) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Write(t.Context(), dir, n, 5)
	require.NoError(t, err, "Write(%d messages)", n)
	return dir, sum
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err, "reading %s", name)
	return b
}

// TestWrite checks a small corpus against everything its truth says: the
// places of the messages, the counts of truth.json, each digest and
// signature, go-msgauth's results and leakproof's verdicts.
func TestWrite(t *testing.T) {
	const n = 40
	dir, sum := writeCorpus(t, n)
	mb := readFile(t, dir, "bench.mbox")
	truth, err := ReadTruth(filepath.Join(dir, "truth.jsonl"))
	require.NoError(t, err, "ReadTruth")
	require.Len(t, truth, n, "truth.jsonl lines")

	var fromFile Summary
	require.NoError(t, json.Unmarshal(readFile(t, dir, "truth.json"), &fromFile), "truth.json")
	assert.Equal(t, sum, fromFile, "truth.json holds the summary Write returned")
	assert.Equal(t, int64(len(mb)), sum.Bytes, "Summary.Bytes is the mbox's size")

	recount := Summary{Verdicts: map[string]int{}, Cases: map[string]int{}, Classes: map[string]int{}, Algorithms: map[string]Counts{}}
	for _, tr := range truth {
		recount.count(tr)
	}
	assert.Equal(t, recount.Verdicts, sum.Verdicts, "verdict counts")
	assert.Equal(t, recount.Algorithms, sum.Algorithms, "counts per algorithm")
	assert.Equal(t, n, sum.Pass+sum.Fail, "every message passes or fails")
	assert.Equal(t, sum.Verdicts["authentic"], sum.Pass, "a message passes exactly when it is authentic")

	lookup := testmail.TXTLookup(testmail.MustKey("rsa2048").Entry(), testmail.MustKey("rsa1024").Entry(), testmail.MustKey("ed25519").Entry())
	for i, tr := range truth {
		end := int64(len(mb))
		if i+1 < n {
			end = truth[i+1].Start
		}
		sep := mb[tr.Start:tr.Offset]
		assert.True(t, bytes.HasPrefix(sep, []byte("From ")) && bytes.HasSuffix(sep, []byte("\n")) && bytes.Count(sep, []byte("\n")) == 1,
			"message %d: a separator line comes before it (%q)", tr.Index, sep)
		assert.Equal(t, end, tr.Offset+int64(tr.Size)+1, "message %d: only the blank line follows it", tr.Index)
		msg := mb[tr.Offset : tr.Offset+int64(tr.Size)]

		key := testmail.MustKey(tr.Key)
		digest, err1 := hex.DecodeString(tr.Digest)
		sig, err2 := base64.StdEncoding.DecodeString(tr.Signature)
		require.NoError(t, err1, "message %d digest", tr.Index)
		require.NoError(t, err2, "message %d signature", tr.Index)
		switch pub := key.Public().(type) {
		case *rsa.PublicKey:
			assert.NoError(t, testmail.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig), "message %d: the recorded signature signs the recorded digest", tr.Index)
		case ed25519.PublicKey:
			assert.True(t, ed25519.Verify(pub, digest, sig), "message %d: the recorded signature signs the recorded digest", tr.Index)
		}
		assert.Contains(t, string(msg), base64.StdEncoding.EncodeToString(sig)[:40], "message %d carries the recorded signature", tr.Index)

		v, err := msgauth.VerifyWithOptions(bytes.NewReader(testmail.CRLF(msg)), &msgauth.VerifyOptions{LookupTXT: lookup})
		require.NoError(t, err, "message %d: go-msgauth", tr.Index)
		require.Len(t, v, 1, "message %d has one signature", tr.Index)
		assert.Equal(t, tr.DKIM == "pass", v[0].Err == nil, "message %d (%s): go-msgauth passes it exactly when the truth says pass (%v)", tr.Index, tr.Case, v[0].Err)
	}

	keys, err := os.Open(filepath.Join(dir, "keys.jsonl"))
	require.NoError(t, err, "opening keys.jsonl")
	defer keys.Close()
	kf, err := dkim.ReadKeyFile(keys, "keys.jsonl")
	require.NoError(t, err, "reading keys.jsonl")
	c := provenance.NewChecker(&provenance.Options{Keys: kf, Time: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
	i := 0
	for m := range archive.Walk(t.Context(), filepath.Join(dir, "bench.mbox"), nil) {
		require.NoError(t, m.Err, "message %d of bench.mbox", m.Index)
		require.Less(t, i, n, "no more messages than the truth has")
		a := c.Check(t.Context(), m)
		assert.Equal(t, truth[i].Verdict, a.Verdict.String(), "message %d (%s, %s): verdict (%s)", m.Index, truth[i].Case, truth[i].Key, a.Summary)
		i++
	}
	assert.Equal(t, n, i, "messages in bench.mbox")
}

// TestWriteDeterministic checks that the same seed gives the same bytes and
// that a smaller corpus is the start of a larger one.
func TestWriteDeterministic(t *testing.T) {
	big, _ := writeCorpus(t, 16)
	again, _ := writeCorpus(t, 16)
	small, _ := writeCorpus(t, 6)
	for _, name := range []string{"bench.mbox", "truth.jsonl", "truth.json", "keys.jsonl"} {
		assert.Equal(t, readFile(t, big, name), readFile(t, again, name), "%s is the same for the same seed", name)
	}
	for _, name := range []string{"bench.mbox", "truth.jsonl"} {
		assert.True(t, bytes.HasPrefix(readFile(t, big, name), readFile(t, small, name)), "the 6-message %s starts the 16-message one", name)
	}
	other := t.TempDir()
	_, err := Write(t.Context(), other, 6, 6)
	require.NoError(t, err, "Write with another seed")
	assert.NotEqual(t, readFile(t, small, "bench.mbox"), readFile(t, other, "bench.mbox"), "another seed gives another corpus")
}

func TestWriteCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := t.TempDir()
	_, err := Write(ctx, dir, 50, 1)
	require.Error(t, err, "Write with a canceled context")
	_, err = os.Stat(filepath.Join(dir, "truth.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "an incomplete corpus has no truth.json")
}

func TestReadTruthErrors(t *testing.T) {
	line := func(i int) string { return `{"index":` + string(rune('0'+i)) + `,"verdict":"authentic"}` + "\n" }
	for _, tt := range []struct{ name, text, want string }{
		{"empty", "", "no messages"},
		{"not JSON", "index 1\n", "invalid character"},
		{"skips one", line(1) + line(3), "message 3 follows message 1"},
		{"starts at 2", line(2), "message 2 follows message 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "truth.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(tt.text), 0o644), "writing truth.jsonl")
			_, err := ReadTruth(path)
			require.Error(t, err, "ReadTruth(%q)", tt.text)
			assert.Contains(t, err.Error(), tt.want, "ReadTruth(%q) says why", tt.text)
		})
	}
	_, err := ReadTruth(filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist, "ReadTruth of a missing file")
}
