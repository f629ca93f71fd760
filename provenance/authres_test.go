package provenance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
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
		want     authResults
	}{
		{"google", googleAR, authResults{
			AuthServID: "mx.google.com",
			Results: []authResult{
				{Method: "dkim", Result: "pass", Props: []authProp{
					{"header", "i", "@example.com"}, {"header", "s", "20161025"}, {"header", "b", "AbCd1234"}}},
				{Method: "spf", Result: "pass",
					Comment: "google.com: domain of alice@example.com designates 192.0.2.1 as permitted sender",
					Props:   []authProp{{"smtp", "mailfrom", "alice@example.com"}}},
				{Method: "dmarc", Result: "pass", Comment: "p=NONE sp=NONE dis=NONE",
					Props: []authProp{{"header", "from", "example.com"}}},
			}}},
		{"microsoft without authserv-id", microsoftAR, authResults{
			Results: []authResult{
				{Method: "spf", Result: "pass", Comment: "sender IP is 192.0.2.7",
					Props: []authProp{{"smtp", "mailfrom", "example.com"}}},
				{Method: "dkim", Result: "pass", Comment: "signature was verified",
					Props: []authProp{{"header", "d", "example.com"}}},
				{Method: "dmarc", Result: "pass",
					Props: []authProp{{"", "action", "none"}, {"header", "from", "example.com"}}},
				{Method: "compauth", Result: "pass", Reason: "100"},
			}}},
		{"opendkim", openDKIMAR, authResults{
			AuthServID: "relay.example.net",
			Results: []authResult{
				{Method: "dkim", Result: "pass", Comment: "2048-bit key; unprotected", Props: []authProp{
					{"header", "d", "example.com"}, {"header", "i", "@example.com"}, {"header", "b", "AbCd1234"}}},
				{Method: "dkim-atps", Result: "neutral"},
			}}},
		{"arc", googleAAR, authResults{
			Instance: 1, AuthServID: "mx.google.com",
			Results: []authResult{
				{Method: "dkim", Result: "pass", Props: []authProp{
					{"header", "i", "@example.com"}, {"header", "s", "sel1"}, {"header", "b", "Zz9+/abcdEF"}}},
				{Method: "arc", Result: "none"},
			}}},
		{"microsoft with recipient domains between results",
			"spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=example.com; example.net; dkim=none (message not signed)\r\n header.d=none;example.net; dmarc=none action=none header.from=example.com;", authResults{
				Results: []authResult{
					{Method: "spf", Result: "pass", Comment: "sender IP is 192.0.2.7", Props: []authProp{{"smtp", "mailfrom", "example.com"}}},
					{Method: "dkim", Result: "none", Comment: "message not signed", Props: []authProp{{"header", "d", "none"}}},
					{Method: "dmarc", Result: "none", Props: []authProp{{"", "action", "none"}, {"header", "from", "example.com"}}},
				}}},
		{"yahoo style", "mta1001.mail.example.com  from=example.com; domainkeys=neutral (no sig);  from=example.com; dkim=pass (ok)", authResults{
			AuthServID: "mta1001.mail.example.com",
			Results: []authResult{
				{Method: "from", Result: "example.com"},
				{Method: "domainkeys", Result: "neutral", Comment: "no sig"},
				{Method: "from", Result: "example.com"},
				{Method: "dkim", Result: "pass", Comment: "ok"},
			}}},
		{"old gmail", "mx.google.com; spf=pass (google.com: best guess record for domain of alice@example.com designates 192.0.2.1 as permitted sender) smtp.mail=alice@example.com; dkim=pass (test mode) header.i=@example.com", authResults{
			AuthServID: "mx.google.com",
			Results: []authResult{
				{Method: "spf", Result: "pass", Comment: "google.com: best guess record for domain of alice@example.com designates 192.0.2.1 as permitted sender",
					Props: []authProp{{"smtp", "mail", "alice@example.com"}}},
				{Method: "dkim", Result: "pass", Comment: "test mode", Props: []authProp{{"header", "i", "@example.com"}}},
			}}},
		{"version and none", "example.org 1; none", authResults{AuthServID: "example.org", Version: "1", None: true}},
		{"quoted authserv-id", `"mx example"; dkim=fail reason="bad signature" header.d=example.com`, authResults{
			AuthServID: "mx example",
			Results: []authResult{{Method: "dkim", Result: "fail", Reason: "bad signature",
				Props: []authProp{{"header", "d", "example.com"}}}}}},
		{"cfws around equals and dots", "mx.example.net; dkim (x) = (y) pass header . d = example.com", authResults{
			AuthServID: "mx.example.net",
			Results: []authResult{{Method: "dkim", Result: "pass",
				Props: []authProp{{"header", "d", "example.com"}}}}}},
		{"method version", "mx.example.net; dkim/1=PASS Header.D=Example.com", authResults{
			AuthServID: "mx.example.net",
			Results: []authResult{{Method: "dkim", MethodVersion: "1", Result: "pass",
				Props: []authProp{{"header", "d", "Example.com"}}}}}},
		{"nested comment with semicolon", "mx.example.net; dkim=pass (ok (really; yes)) header.d=example.com", authResults{
			AuthServID: "mx.example.net",
			Results: []authResult{{Method: "dkim", Result: "pass", Comment: "ok (really; yes)",
				Props: []authProp{{"header", "d", "example.com"}}}}}},
		{"full base64 header.b", "mx.example.net; dkim=pass header.b=ab+/cd==", authResults{
			AuthServID: "mx.example.net",
			Results:    []authResult{{Method: "dkim", Result: "pass", Props: []authProp{{"header", "b", "ab+/cd=="}}}}}},
		{"doubled and trailing semicolons", "mx.example.net;; spf=none;", authResults{
			AuthServID: "mx.example.net", Results: []authResult{{Method: "spf", Result: "none"}}}},
		{"stray words skipped", "mx.example.net; garbage; dkim=pass unprotected header.d=example.com", authResults{
			AuthServID: "mx.example.net",
			Results: []authResult{{Method: "dkim", Result: "pass",
				Props: []authProp{{"header", "d", "example.com"}}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAuthResults(tt.in)
			require.NoError(t, err, "parseAuthResults(%q)", tt.in)
			assert.Equal(t, tt.want, got, "parseAuthResults(%q)", tt.in)
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
			got, err := parseAuthResults(tt.in)
			require.ErrorIs(t, err, tt.err, "parseAuthResults(%.60q) error", tt.in)
			assert.True(t, strings.HasPrefix(err.Error(), "provenance: "), "error %q starts with the package name", err)
			assert.Len(t, got.Results, tt.partial, "parseAuthResults(%.60q) partial results", tt.in)
		})
	}
}

func TestAuthResultProp(t *testing.T) {
	ar, err := parseAuthResults(microsoftAR)
	require.NoError(t, err, "parseAuthResults(microsoftAR)")
	require.Len(t, ar.Results, 4, "results in microsoftAR")
	assert.Equal(t, "example.com", ar.Results[1].prop("Header.D"), "prop is case-insensitive")
	assert.Equal(t, "none", ar.Results[2].prop("action"), "prop without a ptype")
	assert.Equal(t, "", ar.Results[2].prop("header.d"), "missing prop")
}

func TestMatchAuthResult(t *testing.T) {
	sigs := []dkim.Signature{
		{Domain: "example.com", Selector: "s1", B: "AbCd1234xyzREST"},
		{Domain: "Example.com", Selector: "s2", B: "QQQQ5678abcREST"},
		{Domain: "list.example.org", Selector: "k1", B: "ZZZZ0000"},
	}
	dkimRes := func(props ...authProp) authResult {
		return authResult{Method: "dkim", Result: "pass", Props: props}
	}
	for _, tt := range []struct {
		name string
		r    authResult
		want int
		by   string
	}{
		{"header.b prefix", dkimRes(authProp{"header", "b", "AbCd1234"}), 0, matchByHeaderB},
		{"header.b decides over d=", dkimRes(authProp{"header", "d", "list.example.org"}, authProp{"header", "b", "QQQQ5678"}), 1, matchByHeaderB},
		{"header.b with folding space", dkimRes(authProp{"header", "b", "QQQQ 5678a"}), 1, matchByHeaderB},
		{"header.b of a signature no longer there", dkimRes(authProp{"header", "d", "example.com"}, authProp{"header", "s", "s1"}, authProp{"header", "b", "Gone1234"}), -1, ""},
		{"header.b too short falls back", dkimRes(authProp{"header", "b", "AbCd"}, authProp{"header", "d", "example.com"}, authProp{"header", "s", "s1"}), 0, matchByDomainS},
		{"header.b case matters", dkimRes(authProp{"header", "b", "abcd1234"}), -1, ""},
		{"d and s", dkimRes(authProp{"header", "d", "EXAMPLE.com."}, authProp{"header", "s", "s2"}), 1, matchByDomainS},
		{"header.i domain and s", dkimRes(authProp{"header", "i", "@example.com"}, authProp{"header", "s", "s1"}), 0, matchByDomainS},
		{"header.i subdomain of d", dkimRes(authProp{"header", "i", "alice@news.list.example.org"}), 2, matchByDomain},
		{"header.d subdomain is not d", dkimRes(authProp{"header", "d", "news.list.example.org"}), -1, ""},
		{"header.i parent of d", dkimRes(authProp{"header", "i", "@example.org"}), -1, ""},
		{"d alone unique", dkimRes(authProp{"header", "d", "list.example.org"}), 2, matchByDomain},
		{"d alone ambiguous", dkimRes(authProp{"header", "d", "example.com"}), -1, matchAmbiguous},
		{"unknown domain", dkimRes(authProp{"header", "d", "other.example"}), -1, ""},
		{"unknown selector", dkimRes(authProp{"header", "d", "example.com"}, authProp{"header", "s", "s9"}), -1, ""},
		{"no identifiers", dkimRes(), -1, ""},
		{"not dkim", authResult{Method: "spf", Result: "pass", Props: []authProp{{"header", "d", "example.com"}}}, -1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, by := matchAuthResult(tt.r, sigs)
			assert.Equal(t, tt.want, got, "matchAuthResult(%+v) index", tt.r)
			assert.Equal(t, tt.by, by, "matchAuthResult(%+v) how", tt.r)
		})
	}

	dup := []dkim.Signature{{Domain: "a.example", B: "SameSame1"}, {Domain: "b.example", B: "SameSame2"}}
	got, by := matchAuthResult(dkimRes(authProp{"header", "b", "SameSame"}), dup)
	assert.Equal(t, -1, got, "a header.b prefix shared by two signatures matches neither")
	assert.Equal(t, matchAmbiguous, by, "a shared header.b prefix is reported as ambiguous")
}

// FuzzParseAuthResults checks that any input parses without panic within
// the caps, that every result has a lower-case method and result, and
// that an error comes with the package prefix.
func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{googleAR, microsoftAR, openDKIMAR, googleAAR, "x; none",
		"mx; dkim=pass (a (b) c) header.b=\"q\\\"x\"", "i=1;", "=;=;(", "a/=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ar, err := parseAuthResults(in)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "provenance: "), "parseAuthResults(%q) error %q has the package prefix", in, err)
		}
		require.LessOrEqual(t, len(ar.Results), maxAuthResResults, "parseAuthResults(%q) results within cap", in)
		for _, r := range ar.Results {
			require.NotEmpty(t, r.Method, "parseAuthResults(%q) result with an empty method", in)
			require.Equal(t, strings.ToLower(r.Method), r.Method, "parseAuthResults(%q) method lower-case", in)
			require.Equal(t, strings.ToLower(r.Result), r.Result, "parseAuthResults(%q) result lower-case", in)
			require.LessOrEqual(t, len(r.Props), maxAuthResProps, "parseAuthResults(%q) props within cap", in)
			for _, p := range r.Props {
				require.NotEmpty(t, p.Name, "parseAuthResults(%q) property with an empty name", in)
			}
		}
		if err == nil {
			require.True(t, ar.None || len(ar.Results) > 0, "parseAuthResults(%q) succeeded with nothing", in)
		}
		// Matching never panics, and its answer is a valid index.
		sigs := []dkim.Signature{{Domain: "example.com", Selector: "s", B: "AbCd1234"}}
		for _, r := range ar.Results {
			i, _ := matchAuthResult(r, sigs)
			require.True(t, i == -1 || i == 0, "matchAuthResult index %d in range", i)
		}
	})
}
