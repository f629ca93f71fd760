package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestRecoveredKeyNeedsASecondSource holds the policy for keys recovered
// from the archive's own signatures: alone they make no message authentic
// (the signature gets dkim.key_recovered, counting the other messages),
// and an independent record of the same key makes the signature count.
func TestRecoveredKeyNeedsASecondSource(t *testing.T) {
	key := testmail.MustKey("rsa2048")
	m := baseMessage()
	m.MessageID = "<m1@example.com>"
	raw := signed(t, m, "rsa2048", &testmail.SignOptions{Selector: "rec"})
	recovered := dkim.KeyRecord{Domain: "example.com", Selector: "rec", TXT: key.Record(), Source: "recovered",
		Recovered: true, RecoveredFrom: []string{"m1@example.com", "m2@example.com", "m3@example.com"}}
	for _, tt := range []struct {
		name    string
		recs    []dkim.KeyRecord
		verdict Verdict
		result  dkim.Result
	}{
		{"recovered key alone", []dkim.KeyRecord{recovered}, VerdictUnverifiable, dkim.ResultRecoveredKey},
		{"recovered key and an archive's record", []dkim.KeyRecord{recovered,
			{Domain: "example.com", Selector: "rec", TXT: key.Record(), Source: "archive"}}, VerdictAuthentic, dkim.ResultPass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(&Options{Keys: dkim.NewKeyFile(tt.recs), Time: checkTime})
			a := c.Check(t.Context(), eml("m.eml", raw))
			require.Len(t, a.Signatures, 1, "signatures")
			assert.Equal(t, tt.verdict, a.Verdict, "verdict: %s", a.Summary)
			assert.Equal(t, tt.result, a.Signatures[0].Result, "result")
			var ev *Evidence
			for i := range a.Evidence {
				if a.Evidence[i].Code == "dkim.key_recovered" {
					ev = &a.Evidence[i]
				}
			}
			if tt.result != dkim.ResultRecoveredKey {
				assert.Nil(t, ev, "no dkim.key_recovered with an independent record")
				return
			}
			require.NotNil(t, ev, "dkim.key_recovered in %v", a.Evidence)
			assert.Contains(t, ev.Message, "the same key as 2 other messages of this archive", "the message itself is not counted")
			assert.Contains(t, a.Summary, "recovered", "summary")
		})
	}
}
