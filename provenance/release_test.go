package provenance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestRunReleasedMessages: Run hashes each message in its workers and
// releases it once checked, so the mbox reader reuses its buffers for
// later messages while other workers still check earlier ones. Every
// record must come out as Check gives it on a walk that hashes and keeps
// every message: same sha256, id, verdict and evidence.
func TestRunReleasedMessages(t *testing.T) {
	var distinct [][]byte
	for i := range 40 {
		body := strings.Repeat(fmt.Sprintf("Line %d of the minutes, figures attached.\n", i), 20+i*37)
		msg := signed(t, testmail.Message{Subject: fmt.Sprintf("Minutes %d", i), Body: body}, "rsa2048", nil)
		if i%5 == 4 {
			msg = bytes.Replace(msg, []byte("figures"), []byte("numbers"), 1)
		}
		distinct = append(distinct, testmail.LF(msg))
	}
	var in bytes.Buffer
	for in.Len() < 6<<20 { // a few of the reader's 2 MiB chunks
		for _, msg := range distinct {
			in.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
			in.Write(msg)
			in.WriteString("\n")
		}
	}
	path := filepath.Join(t.TempDir(), "big.mbox")
	require.NoError(t, os.WriteFile(path, in.Bytes(), 0o444), "writing the mbox")

	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, Workers: 4})
	var want []string
	for m := range archive.Walk(t.Context(), path, nil) {
		want = append(want, reportedAs(c.Check(t.Context(), m)))
	}
	var got []string
	err := c.Run(t.Context(), archive.Walk(t.Context(), path, &archive.Options{DeferDigest: true}), func(a *Assessment) error {
		got = append(got, reportedAs(a))
		return nil
	})
	require.NoError(t, err, "Run over %s", path)
	require.Equal(t, len(want), len(got), "records")
	for i := range want {
		require.Equal(t, want[i], got[i], "record %d", i+1)
	}
	assert.Greater(t, len(got), 100, "messages checked")
}

// reportedAs is what a report shows of a: custody fields, verdict, evidence and
// explanation (not the key, a pointer).
func reportedAs(a *Assessment) string {
	return fmt.Sprintf("%s %s %s#%d@%d+%d %s %s %q %+v %+v %v",
		a.ID, a.SHA256, a.File, a.Index, a.Offset, a.Size, a.Verdict, a.Confidence, a.Summary, a.Evidence, a.Explanation, a.Err)
}
