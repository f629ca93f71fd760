package dkim

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

func TestParseDomainKey(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		canon    string
		headers  []string
		err      error
	}{
		{"yahoo", "a=rsa-sha1; q=dns; c=nofws; s=s1024; d=yahoo.com; h=Message-ID:Received:Date:From; b=ZGVm", "nofws", []string{"message-id", "received", "date", "from"}, nil},
		{"defaults", "s=s; d=example.com; b=ZGVm", "simple", nil, nil},
		{"upper case values", "a=RSA-SHA1; q=DNS; c=NoFWS; s=s; d=example.com; b=ZGVm", "nofws", nil, nil},
		{"empty h=", "s=s; d=example.com; h=; b=ZGVm", "simple", []string{}, nil},
		{"empty q=", "q=; s=s; d=example.com; b=ZGVm", "simple", nil, ErrUnsupportedQuery},
		{"q=dns/txt", "q=dns/txt; s=s; d=example.com; b=ZGVm", "simple", nil, ErrUnsupportedQuery},
		{"relaxed", "c=relaxed; s=s; d=example.com; b=ZGVm", "relaxed", nil, ErrUnsupportedCanonicalization},
		{"sha256", "a=rsa-sha256; s=s; d=example.com; b=ZGVm", "simple", nil, ErrUnsupportedAlgorithm},
		{"no d=", "s=s; b=ZGVm", "simple", nil, ErrMissingTag},
		{"bad s=", "s=a..b; d=example.com; b=ZGVm", "simple", nil, ErrInvalidSelector},
		{"no b=", "s=s; d=example.com", "simple", nil, ErrMissingTag},
		{"bad b=", "s=s; d=example.com; b=!!", "simple", nil, ErrBadBase64},
		{"duplicate tag", "s=s; s=t; d=example.com; b=ZGVm", "simple", nil, ErrMalformedTags},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseDomainKey(tt.in)
			require.ErrorIs(t, err, tt.err, "parseDomainKey(%q)", tt.in)
			if err == nil || tt.err != ErrMalformedTags {
				assert.Equal(t, tt.canon, p.canonText, "parseDomainKey(%q) c=", tt.in)
			}
			if err == nil {
				assert.Equal(t, tt.headers, p.headers, "parseDomainKey(%q) h=", tt.in)
			}
		})
	}
}

func TestFirstAddress(t *testing.T) {
	for in, want := range map[string]string{
		" Jason Long <jlong@Messiah.Edu>": "jlong@Messiah.Edu",
		" jlong@messiah.edu (Jason Long)": "jlong@messiah.edu",
		" (a@b.example) c@d.example":      "c@d.example",
		" a@b.example, c@d.example":       "a@b.example",
		" evil doer":                      "",
		" <>":                             "",
		"":                                "",
	} {
		assert.Equal(t, want, firstAddress(in), "firstAddress(%q)", in)
	}
}

func TestWithinDomain(t *testing.T) {
	assert.True(t, withinDomain("a@Example.COM", "example.com"), "letter case ignored")
	assert.True(t, withinDomain("a@mail.example.com", "example.com"), "subdomain of d=")
	assert.False(t, withinDomain("a@badexample.com", "example.com"), "suffix that is not a subdomain")
	assert.False(t, withinDomain("a@example.com", "mail.example.com"), "parent of d=")
	assert.False(t, withinDomain("", "example.com"), "no address")
	assert.True(t, withinDomain("a@B\u00dcCHER.example", "xn--bcher-kva.example"), "U-label in upper case, against its A-label")
	assert.True(t, withinDomain("a@xn--bcher-kva.example", "b\u00fccher.example"), "A-label against a U-label d=")
	assert.False(t, withinDomain("a@\u212Aey.example", "key.example"), "the Kelvin sign is not k")
	assert.False(t, withinDomain("a@\u0130nfo.example", "info.example"), "the dotted capital I is not i")
}

func FuzzParseDomainKey(f *testing.F) {
	f.Add("a=rsa-sha1; q=dns; c=nofws; s=beta; d=gmail.com; h=received:message-id:date:from:to:subject; b=ZGVm")
	f.Add("s=s; d=example.com; b=ZGVm")
	f.Add("q=; c=RELAXED; a=rsa-md5; d=exa(mple.com; s=; h=::; b=!")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseDomainKey(s)
		require.NotNil(t, p, "params are never nil")
		if p.domain != "" {
			require.True(t, dkimcore.ValidDomain(p.domain), "reported d= %q is valid", p.domain)
		}
		if p.selector != "" {
			require.True(t, dkimcore.ValidDomain(p.selector), "reported s= %q is valid", p.selector)
		}
		if name := p.lookupName(); name != "" {
			require.Equal(t, strings.ToLower(name), name, "lookup name is lower-case")
		}
		require.LessOrEqual(t, len(p.headers), maxSignedHeaders, "h= capped")
		for _, h := range p.headers {
			require.NotEmpty(t, h, "no empty h= name")
			require.Equal(t, strings.ToLower(h), h, "h= lower-cased")
		}
		if err != nil {
			return
		}
		require.NotEmpty(t, p.domain, "a valid signature has d=")
		require.NotEmpty(t, p.selector, "a valid signature has s=")
		require.NotEmpty(t, p.b, "a valid signature has b=")
		require.Equal(t, "rsa-sha1", p.algorithm, "the one algorithm")
		require.Contains(t, []string{"simple", "nofws"}, p.canonText, "a known canonicalization")
		require.Equal(t, p.canon.String(), p.canonText, "c= text names the algorithm used")
	})
}
