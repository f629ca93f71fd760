package mailsyntax

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Synthetic headers in the shapes Google, Microsoft and OpenDKIM write.
const (
	googleAR = "mx.google.com;\r\n" +
		"       dkim=pass header.i=@example.com header.s=20161025 header.b=AbCd1234;\r\n" +
		"       spf=pass (google.com: domain of alice@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=alice@example.com;\r\n" +
		"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com"
	microsoftAR = "spf=pass (sender IP is 192.0.2.7)\r\n" +
		" smtp.mailfrom=example.com; dkim=pass (signature was verified)\r\n" +
		" header.d=example.com;dmarc=pass action=none\r\n" +
		" header.from=example.com;compauth=pass reason=100"
	openDKIMAR = "relay.example.net; dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.b=\"AbCd1234\"; dkim-atps=neutral"
	googleAAR  = "i=1; mx.google.com;\r\n" +
		"       dkim=pass header.i=@example.com header.s=sel1 header.b=Zz9+/abcdEF;\r\n" +
		"       arc=none"
)

func TestParseAuthResults(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     AuthResults
	}{
		{"google", googleAR, AuthResults{
			AuthServID: "mx.google.com",
			Results: []AuthResult{
				{Method: "dkim", Result: "pass", Props: []AuthProp{
					{"header", "i", "@example.com"}, {"header", "s", "20161025"}, {"header", "b", "AbCd1234"}}},
				{Method: "spf", Result: "pass",
					Comment: "google.com: domain of alice@example.com designates 192.0.2.1 as permitted sender",
					Props:   []AuthProp{{"smtp", "mailfrom", "alice@example.com"}}},
				{Method: "dmarc", Result: "pass", Comment: "p=NONE sp=NONE dis=NONE",
					Props: []AuthProp{{"header", "from", "example.com"}}},
			}}},
		{"microsoft without authserv-id", microsoftAR, AuthResults{
			Results: []AuthResult{
				{Method: "spf", Result: "pass", Comment: "sender IP is 192.0.2.7",
					Props: []AuthProp{{"smtp", "mailfrom", "example.com"}}},
				{Method: "dkim", Result: "pass", Comment: "signature was verified",
					Props: []AuthProp{{"header", "d", "example.com"}}},
				{Method: "dmarc", Result: "pass",
					Props: []AuthProp{{"", "action", "none"}, {"header", "from", "example.com"}}},
				{Method: "compauth", Result: "pass", Reason: "100"},
			}}},
		{"opendkim", openDKIMAR, AuthResults{
			AuthServID: "relay.example.net",
			Results: []AuthResult{
				{Method: "dkim", Result: "pass", Comment: "2048-bit key; unprotected", Props: []AuthProp{
					{"header", "d", "example.com"}, {"header", "i", "@example.com"}, {"header", "b", "AbCd1234"}}},
				{Method: "dkim-atps", Result: "neutral"},
			}}},
		{"arc", googleAAR, AuthResults{
			Instance: 1, AuthServID: "mx.google.com",
			Results: []AuthResult{
				{Method: "dkim", Result: "pass", Props: []AuthProp{
					{"header", "i", "@example.com"}, {"header", "s", "sel1"}, {"header", "b", "Zz9+/abcdEF"}}},
				{Method: "arc", Result: "none"},
			}}},
		{"microsoft with recipient domains between results",
			"spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=example.com; example.net; dkim=none (message not signed)\r\n header.d=none;example.net; dmarc=none action=none header.from=example.com;", AuthResults{
				Results: []AuthResult{
					{Method: "spf", Result: "pass", Comment: "sender IP is 192.0.2.7", Props: []AuthProp{{"smtp", "mailfrom", "example.com"}}},
					{Method: "dkim", Result: "none", Comment: "message not signed", Props: []AuthProp{{"header", "d", "none"}}},
					{Method: "dmarc", Result: "none", Props: []AuthProp{{"", "action", "none"}, {"header", "from", "example.com"}}},
				}}},
		{"yahoo style", "mta1001.mail.example.com  from=example.com; domainkeys=neutral (no sig);  from=example.com; dkim=pass (ok)", AuthResults{
			AuthServID: "mta1001.mail.example.com",
			Results: []AuthResult{
				{Method: "from", Result: "example.com"},
				{Method: "domainkeys", Result: "neutral", Comment: "no sig"},
				{Method: "from", Result: "example.com"},
				{Method: "dkim", Result: "pass", Comment: "ok"},
			}}},
		{"old gmail", "mx.google.com; spf=pass (google.com: best guess record for domain of alice@example.com designates 192.0.2.1 as permitted sender) smtp.mail=alice@example.com; dkim=pass (test mode) header.i=@example.com", AuthResults{
			AuthServID: "mx.google.com",
			Results: []AuthResult{
				{Method: "spf", Result: "pass", Comment: "google.com: best guess record for domain of alice@example.com designates 192.0.2.1 as permitted sender",
					Props: []AuthProp{{"smtp", "mail", "alice@example.com"}}},
				{Method: "dkim", Result: "pass", Comment: "test mode", Props: []AuthProp{{"header", "i", "@example.com"}}},
			}}},
		{"version and none", "example.org 1; none", AuthResults{AuthServID: "example.org", Version: "1", None: true}},
		{"quoted authserv-id", `"mx example"; dkim=fail reason="bad signature" header.d=example.com`, AuthResults{
			AuthServID: "mx example",
			Results: []AuthResult{{Method: "dkim", Result: "fail", Reason: "bad signature",
				Props: []AuthProp{{"header", "d", "example.com"}}}}}},
		{"cfws around equals and dots", "mx.example.net; dkim (x) = (y) pass header . d = example.com", AuthResults{
			AuthServID: "mx.example.net",
			Results: []AuthResult{{Method: "dkim", Result: "pass",
				Props: []AuthProp{{"header", "d", "example.com"}}}}}},
		{"method version", "mx.example.net; dkim/1=PASS Header.D=Example.com", AuthResults{
			AuthServID: "mx.example.net",
			Results: []AuthResult{{Method: "dkim", MethodVersion: "1", Result: "pass",
				Props: []AuthProp{{"header", "d", "Example.com"}}}}}},
		{"nested comment with semicolon", "mx.example.net; dkim=pass (ok (really; yes)) header.d=example.com", AuthResults{
			AuthServID: "mx.example.net",
			Results: []AuthResult{{Method: "dkim", Result: "pass", Comment: "ok (really; yes)",
				Props: []AuthProp{{"header", "d", "example.com"}}}}}},
		{"full base64 header.b", "mx.example.net; dkim=pass header.b=ab+/cd==", AuthResults{
			AuthServID: "mx.example.net",
			Results:    []AuthResult{{Method: "dkim", Result: "pass", Props: []AuthProp{{"header", "b", "ab+/cd=="}}}}}},
		{"doubled and trailing semicolons", "mx.example.net;; spf=none;", AuthResults{
			AuthServID: "mx.example.net", Results: []AuthResult{{Method: "spf", Result: "none"}}}},
		{"stray words skipped", "mx.example.net; garbage; dkim=pass unprotected header.d=example.com", AuthResults{
			AuthServID: "mx.example.net",
			Results: []AuthResult{{Method: "dkim", Result: "pass",
				Props: []AuthProp{{"header", "d", "example.com"}}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthResults(tt.in)
			require.NoError(t, err, "ParseAuthResults(%q)", tt.in)
			assert.Equal(t, tt.want, got, "ParseAuthResults(%q)", tt.in)
		})
	}
}

func TestParseAuthResultsErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		err      error
		partial  int // results expected back with the error
	}{
		{"empty", "", errAuthResEmpty, 0},
		{"blank", " \r\n ", errAuthResEmpty, 0},
		{"id only", "mx.example.net", errAuthResSyntax, 0},
		{"no results", "mx.example.net; ;", errAuthResSyntax, 0},
		{"unclosed comment", "mx.example.net; dkim=pass (oops", errAuthResSyntax, 0},
		{"unclosed quote after result", "mx.example.net; spf=pass; dkim=pass header.b=\"abc", errAuthResSyntax, 1},
		{"bad arc instance", "i=x; mx.example.net; dkim=pass", errAuthResSyntax, 0},
		{"arc instance without semicolon", "i=1 mx.example.net; dkim=pass", errAuthResSyntax, 0},
		{"too long", "mx; dkim=pass (" + strings.Repeat("x", maxAuthResLen) + ")", errAuthResTooLong, 0},
		{"too many results", "mx;" + strings.Repeat(" spf=none;", maxAuthResResults+1), errAuthResSyntax, maxAuthResResults},
		{"too many props", "mx; dkim=pass" + strings.Repeat(" a.b=c", maxAuthResProps+1), errAuthResSyntax, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthResults(tt.in)
			require.ErrorIs(t, err, tt.err, "ParseAuthResults(%.60q) error", tt.in)
			assert.True(t, strings.HasPrefix(err.Error(), "mailsyntax: "), "error %q starts with the package name", err)
			assert.Len(t, got.Results, tt.partial, "ParseAuthResults(%.60q) partial results", tt.in)
		})
	}
}

func TestAuthResultProp(t *testing.T) {
	ar, err := ParseAuthResults(microsoftAR)
	require.NoError(t, err, "ParseAuthResults(microsoftAR)")
	require.Len(t, ar.Results, 4, "results in microsoftAR")
	assert.Equal(t, "example.com", ar.Results[1].Prop("Header.D"), "Prop is case-insensitive")
	assert.Equal(t, "none", ar.Results[2].Prop("action"), "Prop without a ptype")
	assert.Equal(t, "", ar.Results[2].Prop("header.d"), "missing prop")
}

// formatAuthResults writes ar back as a field value: every value quoted,
// every property with its ptype (".action" for one without), the method
// version after " / ", so that re-parsing reads each part where it came from.
func formatAuthResults(ar AuthResults) string {
	quote := func(v string) string {
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(v); i++ {
			if strings.IndexByte("\"\\\r\n", v[i]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(v[i])
		}
		b.WriteByte('"')
		return b.String()
	}
	var b strings.Builder
	if ar.Instance != 0 {
		fmt.Fprintf(&b, "i=%d; ", ar.Instance)
	}
	b.WriteString(quote(ar.AuthServID))
	if ar.Version != "" {
		b.WriteString(" " + ar.Version)
	}
	if ar.None {
		b.WriteString("; none")
	}
	for _, r := range ar.Results {
		b.WriteString("; " + r.Method)
		if r.MethodVersion != "" {
			b.WriteString(" / " + r.MethodVersion)
		}
		b.WriteString("=" + quote(r.Result))
		if r.Comment != "" {
			var c strings.Builder
			for i := 0; i < len(r.Comment); i++ {
				if strings.IndexByte("()\\", r.Comment[i]) >= 0 {
					c.WriteByte('\\')
				}
				c.WriteByte(r.Comment[i])
			}
			b.WriteString(" (" + c.String() + ")")
		}
		if r.Reason != "" {
			b.WriteString(" reason=" + quote(r.Reason))
		}
		for _, p := range r.Props {
			b.WriteString(" " + p.Type + "." + p.Name + "=" + quote(p.Value))
		}
	}
	return b.String()
}

func TestFormatAuthResultsRoundTrip(t *testing.T) {
	for _, in := range []string{googleAR, microsoftAR, openDKIMAR, googleAAR, "example.org 1; none",
		`"mx example"; dkim=fail reason="bad \\ \"signature\"" header.d=example.com`} {
		ar, err := ParseAuthResults(in)
		require.NoError(t, err, "ParseAuthResults(%q)", in)
		out := formatAuthResults(ar)
		again, err := ParseAuthResults(out)
		require.NoError(t, err, "ParseAuthResults(%q), the formatted %q", out, in)
		assert.Equal(t, ar, again, "ParseAuthResults(%q) round trip through %q", in, out)
	}
}

// FuzzParseAuthResults checks that any input parses without panic within
// the caps; that every result has a lower-case method and result and every
// property a name; that an error comes with the package prefix and a
// success with at least one result or "none"; and that a parsed field,
// written back with every value quoted, parses to the same results.
func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{googleAR, microsoftAR, openDKIMAR, googleAAR, "x; none",
		"mx; dkim=pass (a (b) c) header.b=\"q\\\"x\"", "i=1;", "=;=;(", "a/=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ar, err := ParseAuthResults(in)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "mailsyntax: "), "ParseAuthResults(%q) error %q has the package prefix", in, err)
		}
		require.LessOrEqual(t, len(ar.Results), maxAuthResResults, "ParseAuthResults(%q) results within cap", in)
		for _, r := range ar.Results {
			require.NotEmpty(t, r.Method, "ParseAuthResults(%q) result with an empty method", in)
			require.Equal(t, strings.ToLower(r.Method), r.Method, "ParseAuthResults(%q) method lower-case", in)
			require.Equal(t, strings.ToLower(r.Result), r.Result, "ParseAuthResults(%q) result lower-case", in)
			require.LessOrEqual(t, len(r.Props), maxAuthResProps, "ParseAuthResults(%q) props within cap", in)
			for _, p := range r.Props {
				require.NotEmpty(t, p.Name, "ParseAuthResults(%q) property with an empty name", in)
			}
		}
		if err != nil {
			return
		}
		require.True(t, ar.None || len(ar.Results) > 0, "ParseAuthResults(%q) succeeded with nothing", in)
		out := formatAuthResults(ar)
		if len(out) > maxAuthResLen {
			return // quoting made it longer than the cap
		}
		again, err := ParseAuthResults(out)
		require.NoError(t, err, "ParseAuthResults(%q), written back from %q", out, in)
		require.Equal(t, ar, again, "ParseAuthResults(%q) round trip through %q", in, out)
	})
}
