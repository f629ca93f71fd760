package testmail

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignVerifies(t *testing.T) {
	msg := Message{}.Bytes()
	multipart := Message{
		Subject:     "Board pack",
		Attachments: []Attachment{{Name: "figures.csv", ContentType: "text/csv", Data: []byte("q,revenue\n1,100\n")}},
	}.Bytes()
	for _, tt := range []struct {
		name string
		key  string
		msg  []byte
		o    *SignOptions
	}{
		{"default rsa2048", "rsa2048", msg, nil},
		{"default ed25519", "ed25519", msg, nil},
		{"rsa1024", "rsa1024", msg, nil},
		{"rsa768 math/big", "rsa768", msg, nil},
		{"rsa512 math/big", "rsa512", msg, &SignOptions{Algorithm: "rsa-sha1"}},
		{"rsa-sha1", "rsa2048", msg, &SignOptions{Algorithm: "rsa-sha1"}},
		{"simple/simple", "rsa2048", msg, &SignOptions{Canonicalization: "simple/simple"}},
		{"relaxed/simple", "rsa2048b", msg, &SignOptions{Canonicalization: "relaxed/simple"}},
		{"simple/relaxed", "ed25519b", msg, &SignOptions{Canonicalization: "simple/relaxed"}},
		{"single word c=", "rsa2048", msg, &SignOptions{Canonicalization: "relaxed"}},
		{"c omitted is simple/simple", "rsa2048", msg, &SignOptions{Canonicalization: "relaxed/relaxed", Omit: []string{"c"}}},
		{"oversigned", "rsa2048", msg, &SignOptions{Headers: []string{"From", "from", "Subject", "subject", "To", "Date", "Cc"}}},
		{"l= whole body", "rsa2048", msg, &SignOptions{BodyLength: WholeBody}},
		{"l= prefix", "rsa2048", msg, &SignOptions{BodyLength: 20, Canonicalization: "simple/simple"}},
		{"l=0", "rsa2048", msg, &SignOptions{BodyLength: ZeroLength}},
		{"t= x= i=", "rsa2048", msg, &SignOptions{Time: time.Unix(1000000000, 0), Expiration: time.Unix(1000086400, 0), Identity: "alice@example.com"}},
		{"no v= (draft-01)", "rsa2048", msg, &SignOptions{Omit: []string{"v"}, Algorithm: "rsa-sha1"}},
		{"v=0.5", "rsa2048", msg, &SignOptions{Version: "0.5"}},
		{"extra tags", "rsa2048", msg, &SignOptions{Extra: []Tag{{"q", "dns/txt"}, {"z", "From:alice@example.com"}}}},
		{"multipart", "rsa2048", multipart, nil},
		{"header-only message", "rsa2048", []byte("From: a@example.com\r\nSubject: x\r\n"), nil},
		{"empty body simple", "rsa2048", []byte("From: a@example.com\r\n\r\n"), &SignOptions{Canonicalization: "simple/simple"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := MustKey(tt.key)
			signed, err := Sign(tt.msg, k, tt.o)
			require.NoError(t, err, "Sign")
			require.True(t, bytes.HasSuffix(signed, tt.msg), "Sign keeps the message after the new field")
			assert.NoError(t, verifyTest(signed, 0, k.Public()), "signature verifies:\n%s", signed[:len(signed)-len(tt.msg)])
			again, err := Sign(tt.msg, k, tt.o)
			require.NoError(t, err, "second Sign")
			assert.Equal(t, signed, again, "Sign is deterministic")
			for _, line := range strings.Split(string(signed[:len(signed)-len(tt.msg)]), "\r\n") {
				assert.LessOrEqual(t, len(line), 78, "signature line %q fits in 78 columns", line)
			}
		})
	}
}

func TestSignDetectsChanges(t *testing.T) {
	k := MustKey("rsa2048")
	msg := Message{}.Bytes()
	oversigned := MustSign(msg, k, &SignOptions{Headers: []string{"from", "to", "subject", "subject", "date"}})
	partial := MustSign(msg, k, &SignOptions{BodyLength: WholeBody})
	for _, tt := range []struct {
		name   string
		msg    []byte
		passes bool
	}{
		{"untouched", MustSign(msg, k, nil), true},
		{"body changed", ReplaceBody(MustSign(msg, k, nil), "Hi Bob,\n\nRevenue is down.\n"), false},
		{"subject changed", bytes.Replace(MustSign(msg, k, nil), []byte("Subject: Quarterly figures"), []byte("Subject: Quarterly figure"), 1), false},
		{"unsigned field on top", Prepend(MustSign(msg, k, nil), "X-Relay", "mx.example.org"), true},
		// DKIM picks the bottom instance: an added field on top is caught only by header findings.
		{"extra Subject on top, not oversigned", Prepend(MustSign(msg, k, nil), "Subject", "Other"), true},
		{"extra Subject on oversigned", Prepend(oversigned, "Subject", "Other"), false},
		{"text past l=", append(bytes.Clone(partial), "P.S. appended\r\n"...), true},
		{"relaxed whitespace change", bytes.Replace(MustSign(msg, k, nil), []byte("Revenue is up"), []byte("Revenue  is up"), 1), true},
		{"simple whitespace change", bytes.Replace(MustSign(msg, k, &SignOptions{Canonicalization: "simple/simple"}), []byte("Revenue is up"), []byte("Revenue  is up"), 1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyTest(tt.msg, 0, k.Public())
			if tt.passes {
				assert.NoError(t, err, "signature still verifies")
			} else {
				assert.Error(t, err, "signature no longer verifies")
			}
		})
	}
}

func TestSignMalformed(t *testing.T) {
	k := MustKey("rsa2048")
	msg := Message{}.Bytes()
	for _, tt := range []struct {
		name string
		o    *SignOptions
		want []string // substrings of the unfolded field
		not  []string
	}{
		{"duplicate d=", &SignOptions{Extra: []Tag{{"d", "example.org"}}}, []string{"d=example.com;", "d=example.org;"}, nil},
		{"bad base64 b=", &SignOptions{Signature: "!!not*base64!!"}, []string{"b=!!not*base64!!"}, nil},
		{"bad base64 bh=", &SignOptions{BodyHash: "%%%"}, []string{"bh=%%%;"}, nil},
		{"d= with parenthesis", &SignOptions{Domain: "example.com(evil)"}, []string{"d=example.com(evil);"}, nil},
		{"h= without from", &SignOptions{Headers: []string{"to", "subject"}}, []string{"h=to:subject;"}, []string{"from"}},
		{"no v=", &SignOptions{Omit: []string{"v"}}, []string{"a=rsa-sha256;"}, []string{"v="}},
		{"no t=", &SignOptions{Omit: []string{"t"}}, nil, []string{"t="}},
		{"raw garbage tag", &SignOptions{Extra: []Tag{{"", "garbage"}}}, []string{"; garbage;"}, nil},
		{"override s=", &SignOptions{Selector: "revoked"}, []string{"s=revoked;"}, []string{"s=s2048"}},
		{"X-Google field name", &SignOptions{FieldName: "X-Google-DKIM-Signature"}, []string{"X-Google-DKIM-Signature: v=1;"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			field, err := SignatureField(msg, k, tt.o)
			require.NoError(t, err, "SignatureField")
			unfolded := strings.ReplaceAll(field, "\r\n\t", " ")
			for _, s := range tt.want {
				assert.Contains(t, unfolded, s, "field contains %q", s)
			}
			for _, s := range tt.not {
				assert.NotContains(t, unfolded, s, "field lacks %q", s)
			}
		})
	}
	_, err := Sign(LF(msg), k, nil)
	assert.ErrorIs(t, err, ErrBareLF, "Sign refuses bare LF")
	_, err = Sign(msg, k, &SignOptions{Canonicalization: "loose/simple"})
	assert.Error(t, err, "Sign refuses an unknown canonicalization")
	_, err = Sign(msg, k, &SignOptions{BodyLength: -3})
	assert.Error(t, err, "Sign refuses a negative BodyLength other than the constants")
}

func TestTransplant(t *testing.T) {
	k := MustKey("rsa2048")
	a := Message{Body: "The deal is off.\n"}.Bytes()
	b := Message{Body: "The deal is on.\n"}.Bytes()
	field, err := SignatureField(a, k, nil)
	require.NoError(t, err, "SignatureField")
	assert.NoError(t, verifyTest(append([]byte(field), a...), 0, k.Public()), "field verifies on its own message")
	assert.Error(t, verifyTest(append([]byte(field), b...), 0, k.Public()), "field fails on another body")
}
