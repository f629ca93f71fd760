package dkim

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

const goodSig = " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.com; s=sel-1;\r\n" +
	"\th=From:To : subject; i=joe@mail.example.COM; l=10; t=1456826405; x=1456912805;\r\n" +
	"\tbh=YWJj; b=ZGVm\r\n ZGVm"

func TestParseSignature(t *testing.T) {
	p, err := parseSignature(goodSig)
	require.NoError(t, err, "parseSignature(goodSig)")
	assert.Equal(t, "1", p.version, "v=")
	assert.False(t, p.draft, "v=1 is not a draft")
	assert.Equal(t, "rsa-sha256", p.algorithm, "a=")
	assert.Equal(t, crypto.SHA256, p.hash, "hash of a=")
	assert.Equal(t, "rsa", p.keyType, "key type of a=")
	assert.Equal(t, dkimcore.Relaxed, p.hc, "header canonicalization")
	assert.Equal(t, dkimcore.Simple, p.bc, "body canonicalization")
	assert.Equal(t, "relaxed/simple", p.canon, "canonicalization text")
	assert.Equal(t, "Example.com", p.domain, "d= as written")
	assert.Equal(t, "sel-1", p.selector, "s=")
	assert.Equal(t, "sel-1._domainkey.example.com", p.lookupName(), "lookup name")
	assert.Equal(t, []string{"from", "to", "subject"}, p.headers, "h= lower-cased, FWS removed")
	assert.Equal(t, "joe@mail.example.COM", p.identity, "i=")
	assert.Equal(t, int64(10), p.length, "l=")
	assert.Equal(t, time.Unix(1456826405, 0).UTC(), p.timestamp, "t=")
	assert.Equal(t, time.Unix(1456912805, 0).UTC(), p.expires, "x=")
	assert.Equal(t, []byte("abc"), p.bh, "bh= decoded")
	assert.Equal(t, []byte("defdef"), p.b, "b= decoded across folding")
	assert.Equal(t, "ZGVmZGVm", p.bText, "b= text without whitespace")
}

func TestParseSignatureErrors(t *testing.T) {
	base := map[string]string{
		"v": "1", "a": "rsa-sha256", "d": "example.com", "s": "sel",
		"h": "from:to", "bh": "YWJj", "b": "ZGVm",
	}
	build := func(edit map[string]string) string {
		var b strings.Builder
		for _, k := range []string{"v", "a", "c", "d", "s", "h", "i", "q", "l", "t", "x", "bh", "b"} {
			v, ok := base[k]
			if e, eok := edit[k]; eok {
				v, ok = e, e != "-"
			}
			if ok {
				b.WriteString(k + "=" + v + "; ")
			}
		}
		return b.String()
	}
	for _, tt := range []struct {
		name  string
		edit  map[string]string
		err   error
		draft bool
	}{
		{"valid", nil, nil, false},
		{"no v is a draft", map[string]string{"v": "-"}, nil, true},
		{"v=0.5 is a draft", map[string]string{"v": "0.5"}, nil, true},
		{"unknown v", map[string]string{"v": "5"}, ErrUnsupportedVersion, false},
		{"missing a", map[string]string{"a": "-"}, ErrMissingTag, false},
		{"missing b", map[string]string{"b": "-"}, ErrMissingTag, false},
		{"missing bh", map[string]string{"bh": "-"}, ErrMissingTag, false},
		{"missing d", map[string]string{"d": "-"}, ErrMissingTag, false},
		{"missing s", map[string]string{"s": "-"}, ErrMissingTag, false},
		{"missing h", map[string]string{"h": "-"}, ErrMissingTag, false},
		{"bad base64 b", map[string]string{"b": "!!!"}, ErrBadBase64, false},
		{"empty b", map[string]string{"b": ""}, ErrBadBase64, false},
		{"bad base64 bh", map[string]string{"bh": "a"}, ErrBadBase64, false},
		{"rsa-md5", map[string]string{"a": "rsa-md5"}, ErrUnsupportedAlgorithm, false},
		{"ed25519 ok", map[string]string{"a": "ed25519-sha256"}, nil, false},
		{"c=future", map[string]string{"c": "future"}, ErrUnsupportedCanonicalization, false},
		{"h without from", map[string]string{"h": "to:subject"}, ErrFromNotSigned, false},
		{"i outside d", map[string]string{"i": "jon@example.org"}, ErrIdentityMismatch, false},
		{"i suffix trick", map[string]string{"i": "jon@badexample.com"}, ErrIdentityMismatch, false},
		{"i without at", map[string]string{"i": "example.com"}, ErrIdentityMismatch, false},
		{"i subdomain ok", map[string]string{"i": "@sub.EXAMPLE.com"}, nil, false},
		{"i quoted-printable", map[string]string{"i": "jon=40example=2Ecom"}, nil, false},
		{"q=dns/txt", map[string]string{"q": "dns/txt"}, nil, false},
		{"q list", map[string]string{"q": "foo/bar:dns/txt"}, nil, false},
		{"q=dns (drafts)", map[string]string{"q": "dns"}, nil, false},
		{"q=http", map[string]string{"q": "http"}, ErrUnsupportedQuery, false},
		{"q=dns/special", map[string]string{"q": "dns/special"}, ErrUnsupportedQuery, false},
		{"d with parenthesis", map[string]string{"d": "example.com(x)"}, ErrInvalidDomain, false},
		{"d with quote", map[string]string{"d": `exa"mple.com`}, ErrInvalidDomain, false},
		{"d with trailing dot", map[string]string{"d": "example.com."}, ErrInvalidDomain, false},
		{"d with underscore", map[string]string{"d": "ex_ample.com"}, ErrInvalidDomain, false},
		{"s with slash", map[string]string{"s": "a/b"}, ErrInvalidSelector, false},
		{"s with dots ok", map[string]string{"s": "2016.mail"}, nil, false},
		{"l not digits", map[string]string{"l": "12a"}, ErrBadTagValue, false},
		{"l overflows", map[string]string{"l": strings.Repeat("9", 30)}, ErrBadTagValue, false},
		{"t not digits", map[string]string{"t": "-1"}, ErrBadTagValue, false},
		{"duplicate tag", map[string]string{"x": "1; x=2"}, dkimcore.ErrDuplicateTag, false},
		{"kilobyte value", map[string]string{"s": strings.Repeat("a", 2000)}, ErrInvalidSelector, false},
		{"ten thousand h entries", map[string]string{"h": "from" + strings.Repeat(":to", 10000)}, ErrTooManySignedHeaders, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := build(tt.edit)
			p, err := parseSignature(in)
			require.NotNil(t, p, "params are never nil")
			if tt.err == nil {
				require.NoError(t, err, "parseSignature(%q)", in)
			} else {
				require.ErrorIs(t, err, tt.err, "parseSignature(%q)", clip(in))
			}
			assert.Equal(t, tt.draft, p.draft, "draft flag")
		})
	}
}

func TestParseSignatureReportsSignerOnError(t *testing.T) {
	p, err := parseSignature("v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=YWJj; b=ZGVm")
	require.ErrorIs(t, err, ErrUnsupportedAlgorithm, "a=rsa-md5")
	assert.Equal(t, "example.com", p.domain, "d= still reported")
	assert.Equal(t, "sel", p.selector, "s= still reported")
	assert.Equal(t, "sel._domainkey.example.com", p.lookupName(), "lookup name still reported")

	p, err = parseSignature("v=1; a=rsa-sha256; d=exa\\mple.com; s=sel; h=from; bh=YWJj; b=ZGVm")
	require.ErrorIs(t, err, ErrInvalidDomain, "backslash in d=")
	assert.Empty(t, p.domain, "an invalid d= is not reported as a domain")
	assert.Empty(t, p.lookupName(), "no lookup name from an invalid d=")
	assert.Contains(t, err.Error(), `exa\\mple.com`, "the error names the exact d=")
}

func TestDecodeQP(t *testing.T) {
	for in, want := range map[string]string{
		"jlong=40messiah.edu": "jlong@messiah.edu",
		"a=2Eb":               "a.b",
		"=6Along":             "jlong",
		"plain":               "plain",
		"bad=zz":              "bad=zz",
		"trailing=4":          "trailing=4",
	} {
		assert.Equal(t, want, decodeQP(in), "decodeQP(%q)", in)
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add(goodSig)
	f.Add("v=0.5; a=rsa-sha1; d=messiah.edu; s=s; h=from; i=jlong=40messiah.edu; q=dns; bh=YWJj; b=ZGVm")
	f.Add("a=rsa-md5; d=exa(mple.com; s=; h=to; bh=!; b=")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSignature(s)
		require.NotNil(t, p, "params are never nil")
		if p.domain != "" {
			require.True(t, dkimcore.ValidDomain(p.domain), "reported d= %q is valid", p.domain)
		}
		if p.selector != "" {
			require.True(t, dkimcore.ValidDomain(p.selector), "reported s= %q is valid", p.selector)
		}
		if name := p.lookupName(); name != "" {
			require.NotContainsf(t, name, "\x00", "lookup name %q", name)
			require.Equal(t, strings.ToLower(name), name, "lookup name is lower-case")
		}
		require.LessOrEqual(t, len(p.headers), maxSignedHeaders, "h= capped")
		if err != nil {
			return
		}
		require.NotEmpty(t, p.domain, "a valid signature has d=")
		require.NotEmpty(t, p.selector, "a valid signature has s=")
		require.Contains(t, p.headers, "from", "a valid signature signs From")
		require.NotEmpty(t, p.b, "a valid signature has b=")
		require.NotEmpty(t, p.bh, "a valid signature has bh=")
		require.True(t, p.hash == crypto.SHA1 || p.hash == crypto.SHA256, "hash from a=")
		require.Equal(t, p.draft, p.version != "1", "draft exactly when v= is not 1")
	})
}
