package dkim_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestVerifyInternationalizedDomain: RFC 8616 §4 lets an internationalized
// message write d=, s= and i= as U-labels; the key is looked up under the
// A-label form. Names IDNA2008 does not allow (full-width letters, which a
// lenient mapping would turn into ASCII look-alikes) stay permerrors.
func TestVerifyInternationalizedDomain(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	msg := testmail.Message{From: "Jörg <joerg@bücher.example>", Subject: "Grüße", Body: "Hallo.\n"}.Bytes()
	rec := dkim.KeyRecord{Domain: "xn--bcher-kva.example", Selector: "schlüssel", TXT: rsa.Record(), Source: "test"}
	recA := dkim.KeyRecord{Domain: "xn--bcher-kva.example", Selector: "xn--schlssel-95a", TXT: rsa.Record(), Source: "test"}
	for _, tt := range []struct {
		name     string
		domain   string
		selector string
		identity string
		keys     []dkim.KeyRecord
		want     dkim.Result
		wantErr  error
		lookup   string
	}{
		{"U-labels", "bücher.example", "schlüssel", "@bücher.example", []dkim.KeyRecord{recA}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"A-labels", "xn--bcher-kva.example", "xn--schlssel-95a", "", []dkim.KeyRecord{recA}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"upper-case U-label", "Bücher.example", "xn--schlssel-95a", "", []dkim.KeyRecord{recA}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"i= in U-labels, d= in A-labels", "xn--bcher-kva.example", "xn--schlssel-95a", "joerg@bücher.example", []dkim.KeyRecord{recA}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"key file written in U-labels", "bücher.example", "schlüssel", "", []dkim.KeyRecord{rec}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"key file in U-labels, signature in A-labels", "xn--bcher-kva.example", "xn--schlssel-95a", "", []dkim.KeyRecord{rec}, dkim.ResultPass, nil, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"full-width look-alike", "ｅｘａｍｐｌｅ.com", "s2048", "", nil, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"Kelvin sign for k", "example\u212A.com", "s2048", "", nil, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"ideographic full stop", "bücher。example", "s2048", "", nil, dkim.ResultPermError, dkim.ErrInvalidDomain, ""},
		{"i= with a Kelvin sign for k", "bücher.example", "schlüssel", "@sub\u212A.bücher.example", []dkim.KeyRecord{recA}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
		{"i= outside d=", "bücher.example", "schlüssel", "@other.example", []dkim.KeyRecord{recA}, dkim.ResultPermError, dkim.ErrIdentityMismatch, "xn--schlssel-95a._domainkey.xn--bcher-kva.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			signed := sign(t, msg, "rsa2048", &testmail.SignOptions{Domain: tt.domain, Selector: tt.selector, Identity: tt.identity})
			v, err := dkim.VerifyBytes(t.Context(), signed, keysOf(tt.keys...))
			require.NoError(t, err, "VerifyBytes")
			require.Len(t, v.Signatures, 1, "one signature")
			s := v.Signatures[0]
			assert.Equal(t, tt.want, s.Result, "result; err %v", s.Err)
			if tt.wantErr != nil {
				assert.True(t, errors.Is(s.Err, tt.wantErr), "err %v wraps %v", s.Err, tt.wantErr)
			}
			assert.Equal(t, tt.lookup, s.LookupName, "the key is looked up under A-labels")
			if tt.lookup != "" {
				assert.Equal(t, "xn--bcher-kva.example", s.Domain, "Domain is the A-label form")
			}
		})
	}
}
