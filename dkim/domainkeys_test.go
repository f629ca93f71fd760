package dkim_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// TestVerifyDomainKeys verifies messages signed by testmail's DomainKeys
// signer, intact and altered, in both canonicalizations.
func TestVerifyDomainKeys(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	base := testmail.Message{Body: "Figures attached.\n\nRegards,\nAlice\n"}.Bytes()
	replace := func(old, new string) func([]byte) []byte {
		return func(m []byte) []byte { return bytes.Replace(m, []byte(old), []byte(new), 1) }
	}
	for _, tt := range []struct {
		name   string
		opts   testmail.DKOptions
		edit   func([]byte) []byte // applied after signing
		record string              // extra key record tags
		result dkim.Result
		header dkim.HeaderStatus
		err    error
	}{
		{"simple intact", testmail.DKOptions{}, nil, "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"nofws intact", testmail.DKOptions{Canonicalization: "nofws"}, nil, "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"simple with h=", testmail.DKOptions{Headers: []string{"from", "to", "subject", "date"}}, nil, "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"nofws with h=", testmail.DKOptions{Canonicalization: "nofws", Headers: []string{"From", "Subject"}}, nil, "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"no q=, dns by default", testmail.DKOptions{Omit: []string{"q", "a", "c"}}, nil, "", dkim.ResultPass, dkim.HeaderValid, nil},

		{"simple body changed", testmail.DKOptions{}, replace("Figures attached", "Figures deleted"), "", dkim.ResultFail, dkim.HeaderInvalid, dkim.ErrHeaderSignature},
		{"nofws body changed", testmail.DKOptions{Canonicalization: "nofws"}, replace("Figures attached", "Figures deleted"), "", dkim.ResultFail, dkim.HeaderInvalid, dkim.ErrHeaderSignature},
		{"simple subject changed", testmail.DKOptions{}, replace("Subject: Quarterly", "Subject: Annual"), "", dkim.ResultFail, dkim.HeaderInvalid, dkim.ErrHeaderSignature},
		{"nofws subject changed", testmail.DKOptions{Canonicalization: "nofws"}, replace("Subject: Quarterly", "Subject: Annual"), "", dkim.ResultFail, dkim.HeaderInvalid, dkim.ErrHeaderSignature},
		{"field outside h= changed", testmail.DKOptions{Headers: []string{"from", "subject"}}, replace("To: Bob", "To: Mallory"), "", dkim.ResultPass, dkim.HeaderValid, nil},

		// nofws ignores whitespace, simple does not.
		{"simple whitespace", testmail.DKOptions{}, replace("Figures attached.", "Figures  attached."), "", dkim.ResultFail, dkim.HeaderInvalid, dkim.ErrHeaderSignature},
		{"nofws whitespace", testmail.DKOptions{Canonicalization: "nofws"}, replace("Figures attached.", "Figures  attached. "), "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"nofws refolded subject", testmail.DKOptions{Canonicalization: "nofws"}, replace("Subject: Quarterly figures", "Subject: Quarterly\r\n figures"), "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"empty lines added at the end", testmail.DKOptions{}, func(m []byte) []byte { return append(m, "\r\n\r\n"...) }, "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"field added above the signature", testmail.DKOptions{}, func(m []byte) []byte { return testmail.Prepend(m, "Received", "by mx.example.org") }, "", dkim.ResultPass, dkim.HeaderValid, nil},

		// The sending domain: Sender if signed, else From.
		{"unsigned Sender added with h=", testmail.DKOptions{Headers: []string{"from", "subject"}}, replace("Subject:", "Sender: someone@elsewhere.example\r\nSubject:"), "", dkim.ResultPass, dkim.HeaderValid, nil},
		{"Sender added without h=", testmail.DKOptions{}, replace("Subject:", "Sender: someone@elsewhere.example\r\nSubject:"), "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrSendingDomain},
		{"d= of another domain", testmail.DKOptions{Domain: "example.org"}, nil, "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrSendingDomain},
		{"From not signed", testmail.DKOptions{Headers: []string{"subject"}}, nil, "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrSendingDomain},

		{"q=dns/txt", testmail.DKOptions{Query: "dns/txt"}, nil, "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrUnsupportedQuery},
		{"c=relaxed", testmail.DKOptions{}, replace("c=simple", "c=relaxed"), "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrUnsupportedCanonicalization},
		{"a=rsa-sha256", testmail.DKOptions{}, replace("a=rsa-sha1", "a=rsa-sha256"), "", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrUnsupportedAlgorithm},

		// Key records: g= against the sending address's local part.
		{"g= matches", testmail.DKOptions{}, nil, "; g=al*", dkim.ResultPass, dkim.HeaderValid, nil},
		{"empty g= matches all", testmail.DKOptions{}, nil, "; g=", dkim.ResultPass, dkim.HeaderValid, nil},
		{"g= excludes", testmail.DKOptions{}, nil, "; g=bob", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrKeyRestriction},
		{"h=sha256 key", testmail.DKOptions{}, nil, "; h=sha256", dkim.ResultPermError, dkim.HeaderUnchecked, dkim.ErrKeyRestriction},
		{"testing key", testmail.DKOptions{}, nil, "; t=y", dkim.ResultTestingKey, dkim.HeaderValid, dkim.ErrTestingKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := testmail.MustSignDomainKey(base, rsa, &tt.opts)
			if tt.edit != nil {
				msg = tt.edit(msg)
			}
			v, err := dkim.VerifyBytes(t.Context(), msg, keysOf(record(rsa, tt.record)))
			require.NoError(t, err, "VerifyBytes")
			assert.Empty(t, v.Signatures, "no DKIM-Signature")
			require.Len(t, v.DomainKeys, 1, "one DomainKey-Signature")
			s := v.DomainKeys[0]
			assert.Equal(t, dkim.SignatureDomainKeys, s.Type, "type")
			assert.Equal(t, tt.result, s.Result, "result (err %v)", s.Err)
			assert.Equal(t, tt.header, s.HeaderSignature, "header signature")
			assert.Equal(t, dkim.BodyUnchecked, s.BodyHash, "body hash: DomainKeys has none")
			if tt.err != dkim.ErrUnsupportedAlgorithm {
				assert.Equal(t, "rsa-sha1", s.Algorithm, "algorithm")
			}
			assert.Equal(t, int64(-1), s.BodyLength, "no l=")
			if tt.err == nil {
				assert.NoError(t, s.Err, "reason")
			} else {
				assert.ErrorIs(t, s.Err, tt.err, "reason")
			}
			assert.False(t, s.KeyMismatch, "the key on file made the signature")
		})
	}
}

func TestVerifyDomainKeysFields(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	msg := testmail.MustSignDomainKey(testmail.Message{}.Bytes(), rsa, &testmail.DKOptions{Canonicalization: "nofws"})
	v, err := dkim.VerifyBytes(t.Context(), msg, keysOf(record(rsa, "")))
	require.NoError(t, err, "VerifyBytes")
	require.Len(t, v.DomainKeys, 1, "one DomainKey-Signature")
	s := v.DomainKeys[0]
	assert.Equal(t, "alice@example.com", s.Identity, "the sending address")
	assert.Equal(t, "nofws", s.Canonicalization, "c=")
	assert.Equal(t, []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding"}, s.SignedHeaders, "every field below the signature, in order")
	assert.Equal(t, "s2048._domainkey.example.com", s.LookupName, "lookup name")
	assert.Equal(t, 2048, s.KeyBits, "key bits")
	assert.Equal(t, "test:rsa2048", s.KeySource, "key source")
	require.NotEmpty(t, s.Coverage, "coverage")
	assert.Equal(t, dkim.FieldCoverage{Name: "from", Count: 1, Signed: []int{1}}, s.Coverage[0], "From covered")
}

// TestVerifyDomainKeysKeys covers the outcomes that depend on the key on
// file rather than the message.
func TestVerifyDomainKeysKeys(t *testing.T) {
	rsa, other := testmail.MustKey("rsa2048"), testmail.MustKey("rsa2048b")
	msg := testmail.MustSignDomainKey(testmail.Message{}.Bytes(), rsa, nil)
	for _, tt := range []struct {
		name     string
		recs     []dkim.KeyRecord
		result   dkim.Result
		mismatch bool
	}{
		{"no key", nil, dkim.ResultNoKey, false},
		{"rotated key", []dkim.KeyRecord{{Domain: rsa.Domain, Selector: rsa.Selector, TXT: other.Record()}}, dkim.ResultFail, true},
		{"revoked", []dkim.KeyRecord{{Domain: rsa.Domain, Selector: rsa.Selector, TXT: "k=rsa; p="}}, dkim.ResultRevoked, false},
		{"old and new key", []dkim.KeyRecord{{Domain: rsa.Domain, Selector: rsa.Selector, TXT: other.Record()}, record(rsa, "")}, dkim.ResultPass, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := dkim.VerifyBytes(t.Context(), msg, keysOf(tt.recs...))
			require.NoError(t, err, "VerifyBytes")
			require.Len(t, v.DomainKeys, 1, "one DomainKey-Signature")
			s := v.DomainKeys[0]
			assert.Equal(t, tt.result, s.Result, "result (err %v)", s.Err)
			assert.Equal(t, tt.mismatch, s.KeyMismatch, "key mismatch")
		})
	}

	t.Run("weak key", func(t *testing.T) {
		k := testmail.MustKey("rsa768")
		v, err := dkim.VerifyBytes(t.Context(), testmail.MustSignDomainKey(testmail.Message{From: "a@example.net"}.Bytes(), k, nil), keysOf(record(k, "")))
		require.NoError(t, err, "VerifyBytes")
		assert.Equal(t, dkim.ResultWeakKey, v.DomainKeys[0].Result, "768-bit key")
		assert.Equal(t, dkim.HeaderValid, v.DomainKeys[0].HeaderSignature, "arithmetic still reported")
	})

	t.Run("cap", func(t *testing.T) {
		m := msg
		for range 3 {
			m = testmail.MustSignDomainKey(m, rsa, nil)
		}
		opts := keysOf(record(rsa, ""))
		opts.MaxSignatures = 2
		v, err := dkim.VerifyBytes(t.Context(), m, opts)
		require.NoError(t, err, "VerifyBytes")
		require.Len(t, v.DomainKeys, 4, "every DomainKey-Signature reported")
		for i, s := range v.DomainKeys {
			assert.Equal(t, i, s.Index, "index")
			want := dkim.ResultPass
			if i >= 2 {
				want = dkim.ResultSkipped
			}
			assert.Equal(t, want, s.Result, "signature %d", i)
		}
	})
}
