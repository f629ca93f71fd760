package provenance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestExplanationNeverContradictsItself: the account of a signature
// checked without a key whose body hash does not match must not say the
// body was changed (anyone can write such a bh=), while the explanation
// says that no signature proves anything; each sentence has one author.
func TestExplanationNeverContradictsItself(t *testing.T) {
	keyless := sig("example.com", noKey, func(s *dkim.Signature) { s.BodyHash = dkim.BodyMismatch })
	a := judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{keyless}})
	require.Equal(t, VerdictUnverifiable, a.Verdict, "precondition: a keyless failure proves nothing")
	require.Len(t, a.Explanation.Signatures, 1, "one account per signature")
	details := strings.Join(a.Explanation.Signatures[0].Details, "\n")
	assert.Contains(t, details, "with no key to check the signature that hash proves nothing", "the body hash is worded as proving nothing")
	all := strings.Join(a.Explanation.Paragraphs(), "\n") + "\n" + details
	assert.Contains(t, all, "No signature proves any part of this message", "the coverage says nothing is proven")
	assert.NotContains(t, all, "changed after signing", "nothing claims a change")
}

// TestDuplicateMIMEFieldSummaryNamesTheField: the summary of a message
// altered by an unsigned extra Content-Type names that field.
func TestDuplicateMIMEFieldSummaryNamesTheField(t *testing.T) {
	msg := signed(t, withField(baseMessage(), "Content-Type", "text/plain; charset=utf-8"), "rsa2048",
		&testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}})
	a := testChecker().Check(t.Context(), eml("case.eml", prepend(msg, "Content-Type: text/html")))
	require.Equal(t, VerdictAltered, a.Verdict, "precondition: altered; evidence %v", codesOf(a))
	assert.Equal(t, "Altered: a Content-Type field was added after example.com signed the message, and a mail client may show it instead of the signed one.", a.Summary, "summary")
}
