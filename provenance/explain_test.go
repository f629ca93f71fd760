package provenance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

func TestExplanation(t *testing.T) {
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	for _, tt := range []struct {
		name string
		raw  string
		ver  dkim.Verification
		want []string // substrings of the joined explanation
	}{
		{"authentic with an unsigned Cc", withCc, dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}}, []string{
			"sent as shown by the signing domain's mail system; it does not mean that what the message says is true",
			"Signature 1, by example.com (selector s1, rsa-sha256, relaxed/relaxed), speaks for the From domain: verifies with a 2048-bit RSA key from keys.jsonl",
			"Cc is not covered",
			"Proven as sent: From, To, Subject, Date, Message-ID and the whole body.",
			"Not proven: Cc is not covered by the signature, so do not quote it as sent.",
		}},
		{"body changed", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bodyMismatch)}}, []string{
			"the headers are as sent; the body was changed",
			"Not proven: the body; do not quote it as sent.",
			"What to do next (dkim.body_hash_mismatch): Compare the text with another copy",
		}},
		{"key missing", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", noKey, func(s *dkim.Signature) { s.Selector = "s2015" })}}, []string{
			"the key for selector s2015 is not in your key archive; it may be in a public DKIM key archive",
			"No signature proves any part of this message",
		}},
		{"l= leaves text unsigned", plainMsg, dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) { s.BodyLength, s.UnsignedBodyBytes = 4, 4 })}}, []string{
			"only the first 4 bytes of the body (4 bytes after them are not signed)",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := judgeSynthetic(t, nil, tt.raw, &tt.ver)
			paras := a.Explanation.Paragraphs()
			require.NotEmpty(t, paras, "explanation")
			assert.NotContains(t, paras, a.Summary, "the explanation does not repeat the summary")
			all := strings.Join(paras, "\n")
			for _, w := range tt.want {
				assert.Contains(t, all, w, "explanation")
			}
		})
	}
}

// TestWiderFailureExplanation: when a wider signature's failure makes the
// message altered, the explanation still says what the narrower passing
// signature proves and names the fields that changed.
func TestWiderFailureExplanation(t *testing.T) {
	a := judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{
		sig("example.com", headerInvalid),
		sig("example.com", signs("from")),
	}})
	require.Equal(t, VerdictAltered, a.Verdict, "precondition: altered")
	assert.Contains(t, a.Explanation.Proven, "Still proven by the narrower signature by example.com (selector s1): From and the whole body; changed after signing: one of To, Subject, Date and Message-ID.",
		"the explanation keeps what the passing signature proves")
}
