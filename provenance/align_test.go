package provenance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAlignReason(t *testing.T) {
	for _, tt := range []struct {
		name, sig, from, want string
	}{
		{"equal", "example.com", "example.com", alignSameDomain},
		{"case and trailing dot", "Example.COM.", "example.com", alignSameDomain},
		{"from trailing dot", "example.com", "example.com.", alignSameDomain},
		{"subdomain signer", "mail.example.com", "example.com", alignSameOrg},
		{"subdomain from", "example.com", "news.example.com", alignSameOrg},
		{"sibling subdomains", "a.example.co.uk", "b.example.co.uk", alignSameOrg},
		{"google workspace proxy", "example-com.20150623.gappssmtp.com", "example.com", alignGoogleProxy},
		{"google proxy upper case", "Example-Com.20210101.GAPPSSMTP.com", "example.com", alignGoogleProxy},
		{"google proxy for subdomain from", "example-com.20150623.gappssmtp.com", "mail.example.com", alignGoogleProxy},

		{"unrelated", "evil.com", "example.com", ""},
		{"suffix lookalike", "example.com.evil.com", "example.com", ""},
		{"different registrable under co.uk", "other.co.uk", "example.co.uk", ""},
		{"private suffix siblings", "alice.github.io", "bob.github.io", ""},
		{"bare public suffix equal", "com", "com", ""},
		{"bare ccsld equal", "co.uk", "co.uk", ""},
		{"bare private suffix", "github.io", "github.io", ""},
		{"signer is public suffix", "co.uk", "example.co.uk", ""},
		{"empty signer", "", "example.com", ""},
		{"empty from", "example.com", "", ""},
		{"invalid signer", "exa(mple).com", "example.com", ""},
		{"gappssmtp itself", "gappssmtp.com", "example.com", ""},
		{"proxy wrong date", "example-com.2015062.gappssmtp.com", "example.com", ""},
		{"proxy letters in date", "example-com.2015062x.gappssmtp.com", "example.com", ""},
		{"proxy other customer", "other-com.20150623.gappssmtp.com", "example.com", ""},
		{"proxy extra label", "x.example-com.20150623.gappssmtp.com", "example.com", ""},
		{"proxy ambiguous ccsld", "bank-co-uk.20150623.gappssmtp.com", "bank.co.uk", ""},
		{"proxy ambiguous hyphen", "my-bank-com.20150623.gappssmtp.com", "my-bank.com", ""},
		{"proxy ambiguous subdomain", "mail-bank-com.20150623.gappssmtp.com", "mail-bank.com", ""},
		{"proxy not for lookalike", "bank-com.20150623.gappssmtp.com", "bank-com.net", ""},
		{"onmicrosoft not a proxy", "example.onmicrosoft.com", "example.com", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, alignReason(tt.sig, tt.from), "alignReason(%q, %q)", tt.sig, tt.from)
			assert.Equal(t, tt.want != "", aligned(tt.sig, tt.from), "aligned(%q, %q)", tt.sig, tt.from)
		})
	}
}

func TestProxyLabelUnambiguous(t *testing.T) {
	for _, tt := range []struct {
		label, domain string
		want          bool
	}{
		{"example-com", "example.com", true},
		{"bank-co-uk", "bank.co.uk", false},       // bank-co.uk is someone else's
		{"mail-bank-com", "mail.bank.com", false}, // mail-bank.com is someone else's
		{"a-b-c-d-e-f-g-h-i-j-k-com", "a.b.c.d.e.f.g.h.i.j.k.com", false},
	} {
		assert.Equal(t, tt.want, proxyLabelUnambiguous(tt.label, tt.domain),
			"proxyLabelUnambiguous(%q, %q)", tt.label, tt.domain)
	}
}
