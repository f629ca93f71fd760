package provenance

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

// TestHeaderRules: a malformed or unsigned displayed field decides
// before any signature: an unsigned extra From is altered, a finding on a
// displayed field blocks authentic, an unsigned Cc is only noted.
func TestHeaderRules(t *testing.T) {
	twoFrom := "From: Mallory <ceo@example.com>\r\n" + plainMsg
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	runRuleCases(t, []ruleCase{
		{
			name: "rule 1: unsigned extra From above the signed one", raw: twoFrom,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com", coverage("from", 2, 2))}},
			verdict: VerdictAltered, confidence: ConfidenceHigh, signer: "example.com",
			codes: []string{"header.unsigned_duplicate_from"}, summary: "From field was added",
		},
		{
			name: "From with a space before the colon", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingSpaceBeforeColon, Name: "from", Offset: 0}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.space_before_colon"}, summary: "malformed",
		},
		{
			name: "leading whitespace", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingLeadingWhitespace, Name: "from"}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.leading_whitespace"},
		},
		{
			// Some readers (Python's email package) end the header at
			// such a line and show it, and what follows, as the body.
			name: "a space before the colon of an undisplayed field blocks", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingSpaceBeforeColon, Name: "x-mailer"}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.space_before_colon"},
		},
		{
			name: "a folded undisplayed name blocks", raw: plainMsg,
			ver: dkim.Verification{
				Signatures: []dkim.Signature{sig("example.com")},
				Findings:   []dkim.Finding{{Kind: dkim.FindingFoldedName, Name: "x-mailer"}},
			},
			verdict: VerdictUnverifiable, codes: []string{"header.folded_name"},
		},
		{
			name: "Cc present and unsigned", raw: withCc,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, codes: []string{"header.unsigned_field"},
		},
	})
}

// TestStrayLineAfterDisplayedField: a line with no colon slipped in after
// a signed From is outside every field for DKIM, so the signature still
// verifies; but readers that fold a line starting with a vertical tab, a
// form feed or a Unicode space show it as part of From (mailauth's
// header-smuggling tests). It must not be authentic. The same line after
// a field nobody displays is only noted.
func TestStrayLineAfterDisplayedField(t *testing.T) {
	msg := signed(t, baseMessage(), "rsa2048", nil)
	from := bytes.Index(msg, []byte("\r\nFrom:")) + 2
	end := from + bytes.Index(msg[from:], []byte("\r\n")) + 2
	insertAfter := func(at int, line string) []byte {
		out := append([]byte{}, msg[:at]...)
		out = append(out, line+"\r\n"...)
		return append(out, msg[at:]...)
	}
	lines := []string{}
	for _, lead := range []string{"\x0b", "\x0c", "\xa0", "\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\xa8", "\xe2\x81\x9f", "x"} {
		lines = append(lines, lead+", evil@attacker.test")
	}
	// With a colon the line reads as a field with an odd name to a
	// lenient parser.
	lines = append(lines, "\x0b, undisclosed:evil@attacker.test;", "\x0c, evil@attacker.test (a:b)", "\xc2\xa0, evil@attacker.test (a:b)")
	for _, line := range lines {
		t.Run(fmt.Sprintf("%q", line), func(t *testing.T) {
			a := testChecker().Check(t.Context(), eml("smuggled.eml", insertAfter(end, line)))
			assertWellFormed(t, a)
			require.Equal(t, dkim.ResultPass, a.Signatures[0].Result, "DKIM itself passes: the line is outside every signed field")
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "not authentic as displayed; summary: %s", a.Summary)
			assert.Contains(t, codesOf(a), "header.stray_line", "the line is named as evidence")
			assert.Regexp(t, "not (a|a proper) field follows the From field", a.Summary, "the summary says why")
		})
	}
	t.Run("after an undisplayed field", func(t *testing.T) {
		// The DKIM-Signature field is first; the line goes right after
		// it. Many readers end the header at such a line and show the rest
		// as the body: not authentic either.
		sigEnd := bytes.Index(msg, []byte("\r\nFrom:")) + 2
		a := testChecker().Check(t.Context(), eml("noted.eml", insertAfter(sigEnd, "URGENT - the amount is now 900000 EUR")))
		assert.Equal(t, VerdictUnverifiable, a.Verdict, "summary: %s", a.Summary)
		assert.Contains(t, codesOf(a), "header.no_colon", "the line is named")
		assert.NotContains(t, codesOf(a), "header.stray_line", "it follows no displayed field")
	})
}

// TestLookalikeFieldName: "From\v: Mallory" above a signed From is a field
// DKIM ignores, but readers that trim Unicode spaces from names show two
// From fields. It must not be authentic.
func TestLookalikeFieldName(t *testing.T) {
	msg := signed(t, baseMessage(), "rsa2048", nil)
	from := bytes.Index(msg, []byte("\r\nFrom:")) + 2
	for _, pad := range []string{"\x0b", "\x0c", "\xa0", "\xc2\xa0", "\x00", "\xe2\x80\x8b"} {
		t.Run(fmt.Sprintf("%q", pad), func(t *testing.T) {
			raw := append(append(append([]byte{}, msg[:from]...), "From"+pad+": Mallory <m@evil.example>\r\n"...), msg[from:]...)
			a := testChecker().Check(t.Context(), eml("lookalike.eml", raw))
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), "header.lookalike_name", "the field is named as evidence")
		})
	}
}
