package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestIDNEvidence(t *testing.T) {
	for _, tt := range []struct {
		name, domain string
		want         []string // fragments of the one message; nil for no evidence
	}{
		{"ASCII", "example.com", nil},
		{"German", "xn--bcher-kva.example", []string{`"bücher.example"`, "xn--bcher-kva.example in DNS"}},
		{"Cyrillic e among Latin letters", "xn--xample-2of.com", []string{`"еxample.com"`, "mixes Latin and Cyrillic letters"}},
		{"all Cyrillic", "xn--e1afmkfd.xn--p1ai", []string{`"пример.рф"`}},
		{"undecodable", "xn--a.example", []string{"does not decode"}},
		{"whole-script Cyrillic look-alike", "xn--80ak6aa92e.com", []string{`"аррӏе.com"`, `The label "аррӏе" is written in Cyrillic letters that each look like a Latin letter`, "at most medium"}},
		{"dotless i among Latin letters", "xn--lnkedin-rfb.com", []string{`"lınkedin.com"`, `The label "lınkedin"`, "at most medium"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := readIDN(tt.domain)
			ev, mixed := idnEvidence(n), n.capsConfidence()
			caps := map[string]bool{"Cyrillic e among Latin letters": true, "undecodable": true, "whole-script Cyrillic look-alike": true, "dotless i among Latin letters": true}
			assert.Equal(t, caps[tt.name], mixed, "mixed scripts, a label that reads as ASCII, or no Unicode form at all, cap the confidence")
			if tt.want == nil {
				assert.Empty(t, ev, "no evidence for %s", tt.domain)
				return
			}
			require.Len(t, ev, 1, "one caution for %s", tt.domain)
			assert.Equal(t, codeIDNFromDomain, ev[0].Code, "code")
			assert.Equal(t, SeverityCaution, ev[0].Severity, "a caution, never alteration")
			for _, w := range tt.want {
				assert.Contains(t, ev[0].Message, w, "message for %s", tt.domain)
			}
			if tt.name == "all Cyrillic" {
				assert.NotContains(t, ev[0].Message, "mixes", "one script is not a mix")
			}
		})
	}
}

// TestIDNFromEndToEnd: an internationalized domain that signs its own mail
// is authentic for its xn-- name, with the caution; a look-alike of
// example.com signed by example.com does not align.
func TestIDNFromEndToEnd(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	keys := dkim.NewKeyFile([]dkim.KeyRecord{
		{Domain: "xn--bcher-kva.example", Selector: rsa.Selector, TXT: rsa.Record(), Source: "test"},
		{Domain: rsa.Domain, Selector: rsa.Selector, TXT: rsa.Record(), Source: "test"},
	})
	c := NewChecker(&Options{Keys: keys, Time: checkTime})
	own := signed(t, testmail.Message{From: "Jörg <joerg@bücher.example>", Subject: "Grüße", Body: "Hallo.\n"}, "rsa2048", &testmail.SignOptions{Domain: "bücher.example"})
	a := c.Check(t.Context(), eml("idn.eml", own))
	assertWellFormed(t, a)
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s", a.Summary)
	assert.Equal(t, "joerg@xn--bcher-kva.example", a.FromAddress, "the address in A-labels")
	assert.Contains(t, codesOf(a), codeIDNFromDomain, "the caution for an internationalized From")
	assert.Contains(t, a.Summary, "xn--bcher-kva.example", "the summary names the DNS form")

	// The look-alike's own signature: authentic for its xn-- name, but at
	// most medium confidence.
	rec := dkim.KeyRecord{Domain: "xn--xample-2of.com", Selector: rsa.Selector, TXT: rsa.Record(), Source: "test"}
	c2 := NewChecker(&Options{Keys: dkim.NewKeyFile([]dkim.KeyRecord{rec}), Time: checkTime})
	own2 := signed(t, testmail.Message{From: "Alice <alice@еxample.com>", Subject: "Deposit", Body: "Wire it.\n"}, "rsa2048", &testmail.SignOptions{Domain: "еxample.com"})
	a = c2.Check(t.Context(), eml("own-lookalike.eml", own2))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s", a.Summary)
	assert.Equal(t, ConfidenceMedium, a.Confidence, "mixed scripts cap the confidence")

	// A whole-script look-alike: every letter Cyrillic, each imitating a
	// Latin one. Authentic for its own xn-- name, at most medium.
	rec = dkim.KeyRecord{Domain: "xn--80ak6aa92e.com", Selector: rsa.Selector, TXT: rsa.Record(), Source: "test"}
	c3 := NewChecker(&Options{Keys: dkim.NewKeyFile([]dkim.KeyRecord{rec}), Time: checkTime})
	own3 := signed(t, testmail.Message{From: "Apple <support@аррӏе.com>", Subject: "Your ID", Body: "Sign in.\n"}, "rsa2048", &testmail.SignOptions{Domain: "аррӏе.com"})
	a = c3.Check(t.Context(), eml("own-wholescript.eml", own3))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s", a.Summary)
	assert.Equal(t, ConfidenceMedium, a.Confidence, "a whole-script confusable caps the confidence")
	assert.Contains(t, codesOf(a), codeIDNFromDomain, "the caution names the look-alike label")

	lookalike := signed(t, testmail.Message{From: "Alice <alice@еxample.com>", Subject: "Deposit", Body: "Wire it.\n"}, "rsa2048", nil)
	a = c.Check(t.Context(), eml("homograph.eml", lookalike))
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "example.com's signature does not vouch for a look-alike; summary: %s", a.Summary)
	assert.Contains(t, codesOf(a), codeIDNFromDomain, "the caution for the look-alike")
	assert.Contains(t, codesOf(a), "dkim.unaligned")
}
