package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

func TestMatchAuthResult(t *testing.T) {
	sigs := []dkim.Signature{
		{Domain: "example.com", Selector: "s1", B: "AbCd1234xyzREST"},
		{Domain: "Example.com", Selector: "s2", B: "QQQQ5678abcREST"},
		{Domain: "list.example.org", Selector: "k1", B: "ZZZZ0000"},
	}
	prop := func(typ, name, value string) mailsyntax.AuthProp {
		return mailsyntax.AuthProp{Type: typ, Name: name, Value: value}
	}
	dkimRes := func(props ...mailsyntax.AuthProp) mailsyntax.AuthResult {
		return mailsyntax.AuthResult{Method: "dkim", Result: "pass", Props: props}
	}
	for _, tt := range []struct {
		name string
		r    mailsyntax.AuthResult
		want int
		by   string
	}{
		{"header.b prefix", dkimRes(prop("header", "b", "AbCd1234")), 0, matchByHeaderB},
		{"header.b decides over d=", dkimRes(prop("header", "d", "list.example.org"), prop("header", "b", "QQQQ5678")), 1, matchByHeaderB},
		{"header.b with folding space", dkimRes(prop("header", "b", "QQQQ 5678a")), 1, matchByHeaderB},
		{"header.b of a signature no longer there", dkimRes(prop("header", "d", "example.com"), prop("header", "s", "s1"), prop("header", "b", "Gone1234")), -1, ""},
		{"header.b too short falls back", dkimRes(prop("header", "b", "AbCd"), prop("header", "d", "example.com"), prop("header", "s", "s1")), 0, matchByDomainS},
		{"header.b case matters", dkimRes(prop("header", "b", "abcd1234")), -1, ""},
		{"d and s", dkimRes(prop("header", "d", "EXAMPLE.com."), prop("header", "s", "s2")), 1, matchByDomainS},
		{"header.i domain and s", dkimRes(prop("header", "i", "@example.com"), prop("header", "s", "s1")), 0, matchByDomainS},
		{"header.i subdomain of d", dkimRes(prop("header", "i", "alice@news.list.example.org")), 2, matchByDomain},
		{"header.d subdomain is not d", dkimRes(prop("header", "d", "news.list.example.org")), -1, ""},
		{"header.i parent of d", dkimRes(prop("header", "i", "@example.org")), -1, ""},
		{"d alone unique", dkimRes(prop("header", "d", "list.example.org")), 2, matchByDomain},
		{"d alone ambiguous", dkimRes(prop("header", "d", "example.com")), -1, matchAmbiguous},
		{"unknown domain", dkimRes(prop("header", "d", "other.example")), -1, ""},
		{"unknown selector", dkimRes(prop("header", "d", "example.com"), prop("header", "s", "s9")), -1, ""},
		{"no identifiers", dkimRes(), -1, ""},
		{"not dkim", mailsyntax.AuthResult{Method: "spf", Result: "pass", Props: []mailsyntax.AuthProp{prop("header", "d", "example.com")}}, -1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, by := matchAuthResult(tt.r, sigs)
			assert.Equal(t, tt.want, got, "matchAuthResult(%+v) index", tt.r)
			assert.Equal(t, tt.by, by, "matchAuthResult(%+v) how", tt.r)
		})
	}

	dup := []dkim.Signature{{Domain: "a.example", B: "SameSame1"}, {Domain: "b.example", B: "SameSame2"}}
	got, by := matchAuthResult(dkimRes(prop("header", "b", "SameSame")), dup)
	assert.Equal(t, -1, got, "a header.b prefix shared by two signatures matches neither")
	assert.Equal(t, matchAmbiguous, by, "a shared header.b prefix is reported as ambiguous")
}

// FuzzMatchAuthResult checks that matching whatever results a field yields
// never panics and answers with a valid index.
func FuzzMatchAuthResult(f *testing.F) {
	for _, s := range []string{
		"mx.google.com; dkim=pass header.i=@example.com header.s=s header.b=AbCd1234; spf=pass smtp.mailfrom=alice@example.com",
		"spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=example.com; dkim=pass header.d=example.com",
		"i=1; mx; dkim=pass header.i=@sub.example.com", "x; none", "=;=;(", "a/=b",
	} {
		f.Add(s)
	}
	sigs := []dkim.Signature{{Domain: "example.com", Selector: "s", B: "AbCd1234"}}
	f.Fuzz(func(t *testing.T, in string) {
		ar, _ := mailsyntax.ParseAuthResults(in)
		for _, r := range ar.Results {
			i, _ := matchAuthResult(r, sigs)
			require.True(t, i == -1 || i == 0, "matchAuthResult index %d in range", i)
		}
	})
}
