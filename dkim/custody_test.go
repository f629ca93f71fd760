package dkim

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// custodyCases are signed messages for TestCustodySHA256: each canonical
// or not, with and without l=, with the first SHA-256 signature first or
// behind others, and one with no SHA-256 signature at all.
func custodyCases(t *testing.T) []struct {
	name string
	msg  []byte
	// seeded: CustodySHA256 computes a body hash VerifyHeader then uses.
	seeded bool
} {
	t.Helper()
	sign := func(msg []byte, key string, o *testmail.SignOptions) []byte {
		t.Helper()
		out, err := testmail.Sign(msg, testmail.MustKey(key), o)
		require.NoError(t, err, "testmail.Sign with %s", key)
		return out
	}
	plain := testmail.Message{Subject: "Figures", Body: "Revenue was up.\nCosts were down.\n"}.Bytes()
	spaced := testmail.Message{Body: "a  b\t\nc \n\n\n"}.Bytes()
	attached := testmail.Message{Attachments: []testmail.Attachment{{Name: "q3.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16)}}}.Bytes()
	noEnd := bytes.TrimSuffix(plain, []byte("\r\n"))
	headerOnly := []byte("From: a@example.com\r\nSubject: x\r\n")
	return []struct {
		name   string
		msg    []byte
		seeded bool
	}{
		{"rsa relaxed", sign(plain, "rsa2048", nil), true},
		{"rsa simple", sign(plain, "rsa2048", &testmail.SignOptions{Canonicalization: "simple/simple"}), true},
		{"ed25519", sign(plain, "ed25519", nil), true},
		{"relaxed body with tabs and runs of spaces", sign(spaced, "rsa2048", nil), true},
		{"simple body with trailing empty lines", sign(spaced, "rsa2048", &testmail.SignOptions{Canonicalization: "relaxed/simple"}), true},
		{"l= part of the body", sign(plain, "rsa2048", &testmail.SignOptions{BodyLength: 10}), true},
		{"l= the whole body", sign(plain, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody}), true},
		{"l= past the body", sign(plain, "rsa2048", &testmail.SignOptions{BodyLength: 1000}), true},
		{"100 KB attachment", sign(attached, "rsa2048", nil), true},
		{"body altered after signing", testmail.ReplaceBody(sign(plain, "rsa2048", nil), "Revenue was down.\r\n"), true},
		{"bare LF", testmail.LF(sign(plain, "rsa2048", nil)), true},
		{"last line without a line ending", sign(noEnd, "rsa2048", nil), true},
		{"header only", sign(headerOnly, "rsa2048", nil), true},
		{"rsa-sha1 on top of rsa-sha256", sign(sign(plain, "rsa2048", nil), "rsa2048b", &testmail.SignOptions{Algorithm: "rsa-sha1"}), true},
		{"two sha256 signatures, different c=", sign(sign(plain, "rsa2048", nil), "ed25519", &testmail.SignOptions{Canonicalization: "simple/simple"}), true},
		{"a malformed signature on top", sign(sign(plain, "rsa2048", nil), "rsa2048b", &testmail.SignOptions{BodyHash: "!!"}), true},
		{"rsa-sha1 only", sign(plain, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}), false},
		{"unsigned", plain, false},
	}
}

// TestCustodySHA256 checks that the digest is sha256.Sum256 of the bytes
// given, and that a verification of a Header that computed a body hash
// with it is the one of a fresh Header, with one body hash fewer.
func TestCustodySHA256(t *testing.T) {
	var hashes int
	testHookBodyHash = func() { hashes++ }
	defer func() { testHookBodyHash = nil }()

	var recs []KeyRecord
	for _, k := range testmail.Keys() {
		recs = append(recs, KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "testkeys"})
	}
	opts := &Options{Keys: NewKeyFile(recs), Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	for _, tc := range custodyCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			// The stored bytes: the message behind a byte-order mark and
			// before an mbox writer's blank line, as the checker sees them.
			stored := append(append([]byte("\xEF\xBB\xBF"), tc.msg...), '\n')
			for _, raw := range [][]byte{tc.msg, stored} {
				msg := raw
				if len(raw) != len(tc.msg) {
					msg = raw[3 : len(raw)-1]
				}
				h := ParseHeader(msg)
				assert.Equal(t, tc.msg, h.Message(), "the header is the message's")
				assert.Equal(t, sha256.Sum256(raw), h.CustodySHA256(raw), "digest")

				hashes = 0
				got, err := VerifyHeader(t.Context(), h, opts)
				require.NoError(t, err, "VerifyHeader after CustodySHA256")
				seededHashes := hashes
				hashes = 0
				want, err := VerifyHeader(t.Context(), ParseHeader(tc.msg), opts)
				require.NoError(t, err, "VerifyHeader")
				assert.Equal(t, want, got, "verification")
				if tc.name == "rsa relaxed" {
					require.Len(t, got.Signatures, 1)
					assert.Equal(t, ResultPass, got.Signatures[0].Result, "a good signature passes")
				}
				if tc.seeded {
					assert.Equal(t, hashes-1, seededHashes, "body hashes computed after CustodySHA256")
				} else {
					assert.Equal(t, hashes, seededHashes, "body hashes computed after CustodySHA256")
				}
			}
		})
	}
}

// TestCustodySHA256TooLarge: a header past the caps computes no body hash
// but still gives the digest.
func TestCustodySHA256TooLarge(t *testing.T) {
	msg := []byte(strings.Repeat("X-A: b\r\n", 20001) + "\r\nbody\r\n")
	h := ParseHeader(msg)
	require.Error(t, h.Err(), "header past the caps")
	assert.Equal(t, sha256.Sum256(msg), h.CustodySHA256(msg), "digest")
	assert.Nil(t, h.body.sum, "no body hash kept")
}
