package provenance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestARCResult(t *testing.T) {
	sealed := time.Unix(testmail.DefaultUnix, 0).UTC()
	in := arc.Instance{
		Instance: 1, Sealer: "example.org", Selector: "s1", CV: "none",
		Seal: dkim.ResultPass, MessageSignature: dkim.ResultWeakKey, SealTime: sealed,
		AuthenticationResults: "i=1; mx.example.org; dkim=pass header.d=example.com",
	}
	for _, tt := range []struct {
		name string
		in   *arc.Result
		want ARCResult
	}{
		{"nil", nil, ARCResult{Chain: arc.ChainNone, Instances: []ARCInstance{}}},
		{"none", &arc.Result{Chain: arc.ChainNone, Instances: []arc.Instance{}}, ARCResult{Chain: arc.ChainNone, Instances: []ARCInstance{}}},
		{"fail", &arc.Result{Chain: arc.ChainFail, FailedInstance: 1, Reason: "why", Instances: []arc.Instance{in}},
			ARCResult{Chain: arc.ChainFail, FailedInstance: 1, Reason: "why", Instances: []ARCInstance{{
				Instance: 1, Sealer: "example.org", Selector: "s1", CV: "none",
				Seal: dkim.ResultPass, MessageSignature: dkim.ResultWeakKey, Timestamp: sealed,
				AuthenticationResults: "i=1; mx.example.org; dkim=pass header.d=example.com",
			}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, arcResult(tt.in), "arcResult(%+v)", tt.in)
		})
	}
}

func TestARCEvidence(t *testing.T) {
	keys := dkim.NewKeyFile([]dkim.KeyRecord{
		{Domain: "example.org", Selector: "s2048b", TXT: testmail.MustKey("rsa2048b").Record(), Source: "test"},
		{Domain: "example.com", Selector: "s2048", TXT: testmail.MustKey("rsa2048").Record(), Source: "test"},
	})
	msg := testmail.MustSign(testmail.Message{}.Bytes(), testmail.MustKey("rsa2048"), nil)
	one := testmail.MustSeal(msg, testmail.MustKey("rsa2048b"), nil)
	two := testmail.MustSeal(one, testmail.MustKey("rsa2048"), nil)
	for _, tt := range []struct {
		name  string
		msg   []byte
		codes []string
		text  []string // substrings of the messages, in order
	}{
		{"no ARC", msg, nil, nil},
		{"intact", two, []string{"arc.chain_pass", "arc.sealed", "arc.sealed"},
			[]string{"intact ARC chain of 2 sets", "ARC set 1 was sealed by example.org on 2016-03-01T10:01:05Z (seal: pass, message signature: pass) and records: mx.example.org; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com.", "ARC set 2 was sealed by example.com"}},
		{"body changed", testmail.ReplaceBody(two, "changed\n"), []string{"arc.chain_fail", "arc.sealed", "arc.sealed"},
			[]string{"The ARC chain is broken at set 2: ARC-Message-Signature i=2: fail: body hash does not match.", "ARC set 1", "message signature: fail"}},
		{"sealer's key missing", testmail.MustSeal(msg, testmail.MustKey("rsa2048b"), &testmail.SealOptions{Selector: "gone"}), []string{"arc.chain_fail", "arc.sealed"},
			[]string{"The ARC chain could not be validated at set 1 (no usable key for the sealer, so nothing was shown to be changed)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := arc.Verify(t.Context(), tt.msg, &dkim.Options{Keys: keys})
			require.NoError(t, err, "arc.Verify")
			ev := arcEvidence(r)
			var codes []string
			for _, e := range ev {
				codes = append(codes, e.Code)
				_, known := LookupCode(e.Code)
				assert.True(t, known, "evidence code %q is registered", e.Code)
				assert.True(t, strings.HasSuffix(e.Message, "."), "evidence message %q is a sentence", e.Message)
			}
			assert.Equal(t, tt.codes, codes, "evidence codes")
			for i, s := range tt.text {
				if assert.Less(t, i, len(ev), "evidence item %d", i) {
					assert.Contains(t, ev[i].Message, s, "evidence item %d", i)
				}
			}
		})
	}
	assert.Nil(t, arcEvidence(nil), "arcEvidence(nil)")
}

func TestAARPayload(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"prefix removed", "i=1; mx.example.org; dkim=pass", "mx.example.org; dkim=pass"},
		{"unfolded", "i=2;\r\n  mx.example.org;\r\n\tdkim=pass", "mx.example.org; dkim=pass"},
		{"no prefix", "mx.example.org; dkim=pass", "mx.example.org; dkim=pass"},
		{"capped", "i=1; " + strings.Repeat("x", 300), strings.Repeat("x", maxAARInMessage) + "..."},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, aarPayload(tt.in), "aarPayload(%q)", tt.in)
		})
	}
}

// TestARCGapIsBroken: a chain with sets 1 and 3, set 3's key missing, is
// broken at set 2 (a removed set is what tampering looks like), not "could
// not be validated" for want of a key.
func TestARCGapIsBroken(t *testing.T) {
	msg := signed(t, baseMessage(), "rsa2048", nil)
	sealer := testmail.MustKey("rsa2048b")
	one := testmail.MustSeal(msg, sealer, nil)
	gap := testmail.MustSeal(one, sealer, &testmail.SealOptions{Instance: 3, Selector: "gone"})
	keys := dkim.NewKeyFile([]dkim.KeyRecord{{Domain: sealer.Domain, Selector: sealer.Selector, TXT: sealer.Record(), Source: "t"}})
	r, err := arc.Verify(t.Context(), gap, &dkim.Options{Keys: keys})
	require.NoError(t, err, "arc.Verify")
	var chain string
	for _, e := range arcEvidence(r) {
		if e.Code == "arc.chain_fail" {
			chain = e.Message
		}
	}
	assert.Contains(t, chain, "The ARC chain is broken at set 2", "a missing set breaks the chain")
	assert.NotContains(t, chain, "nothing was shown to be changed", "and is not excused as a missing key")
}
