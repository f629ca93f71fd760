package testmail

import (
	"bytes"
	"errors"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msgauthVerify returns go-msgauth's verdict on the message's first
// signature: nil for a pass.
func msgauthVerify(t *testing.T, msg []byte, entries ...KeyEntry) error {
	t.Helper()
	verifs, err := msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: TXTLookup(entries...)})
	require.NoError(t, err, "go-msgauth Verify")
	require.NotEmpty(t, verifs, "go-msgauth finds a signature")
	return verifs[0].Err
}

func TestSignAgreesWithMsgauth(t *testing.T) {
	msg := Message{Cc: "Carol <carol@example.net>"}.Bytes()
	multipart := Message{Attachments: []Attachment{{Name: "a.pdf", Data: bytes.Repeat([]byte{0, 1, 2, 255}, 300)}}}.Bytes()
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	var cases []struct {
		name string
		key  string
		msg  []byte
		o    *SignOptions
	}
	add := func(name, key string, msg []byte, o *SignOptions) {
		cases = append(cases, struct {
			name string
			key  string
			msg  []byte
			o    *SignOptions
		}{name, key, msg, o})
	}
	for _, key := range []string{"rsa2048", "rsa1024", "ed25519"} {
		for _, c := range []string{"relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"} {
			add(key+" "+c, key, msg, &SignOptions{Canonicalization: c})
		}
	}
	add("oversigned", "rsa2048", msg, &SignOptions{Headers: []string{"From", "To", "Cc", "Subject", "Subject", "Date", "Reply-To"}})
	add("i= and future x=", "ed25519b", msg, &SignOptions{Identity: "alice@example.org", Expiration: future})
	add("multipart", "rsa2048b", multipart, nil)
	// Not here: a header-only message (no empty line), which go-msgauth
	// cannot read ("failed to read header: EOF"), a known divergence.

	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			k := MustKey(tt.key)
			ours, err := Sign(tt.msg, k, tt.o)
			require.NoError(t, err, "Sign")
			theirs, err := SignMsgauth(tt.msg, k, tt.o)
			require.NoError(t, err, "SignMsgauth")
			assert.NoError(t, msgauthVerify(t, ours, k.Entry()), "go-msgauth verifies our signature")
			assert.NoError(t, msgauthVerify(t, theirs, k.Entry()), "go-msgauth verifies its own signature")
			assert.NoError(t, verifyTest(theirs, 0, k.Public()), "our test verifier accepts go-msgauth's signature")

			changed := ReplaceBody(ours, "changed\n")
			changedTheirs := ReplaceBody(theirs, "changed\n")
			if bytes.Equal(changed, ours) {
				return
			}
			assert.Error(t, msgauthVerify(t, changed, k.Entry()), "go-msgauth rejects our signature on a changed body")
			assert.Error(t, msgauthVerify(t, changedTheirs, k.Entry()), "go-msgauth rejects its signature on a changed body")
		})
	}
}

func TestSignMsgauthUnsupported(t *testing.T) {
	msg := Message{}.Bytes()
	for _, tt := range []struct {
		name string
		key  string
		o    *SignOptions
	}{
		{"rsa-sha1", "rsa2048", &SignOptions{Algorithm: "rsa-sha1"}},
		{"768-bit key", "rsa768", nil},
		{"l=", "rsa2048", &SignOptions{BodyLength: WholeBody}},
		{"no v=", "rsa2048", &SignOptions{Omit: []string{"v"}}},
		{"extra tags", "rsa2048", &SignOptions{Extra: []Tag{{"d", "x"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SignMsgauth(msg, MustKey(tt.key), tt.o)
			assert.True(t, errors.Is(err, ErrMsgauthUnsupported), "SignMsgauth returns ErrMsgauthUnsupported, got %v", err)
		})
	}
}

// TestCorpusVerifiesWithMsgauth checks the generated archives' signed
// messages against go-msgauth where it verifies (rsa-sha256 and ed25519,
// keys of 1024 bits or more, no l=).
func TestCorpusVerifiesWithMsgauth(t *testing.T) {
	// Only the keys' own records: go-msgauth refuses a name with several
	// TXT records ("multiple TXT records found for key"), which the reused
	// selector s2048 of keys.jsonl has (a known divergence).
	var entries []KeyEntry
	for _, k := range Keys() {
		entries = append(entries, k.Entry())
	}
	lookup := TXTLookup(entries...)
	verify := func(msg []byte) error {
		verifs, err := msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: lookup})
		require.NoError(t, err, "go-msgauth Verify")
		require.NotEmpty(t, verifs, "go-msgauth finds a signature")
		return verifs[0].Err
	}
	msgs := splitMbox(t, sampleMbox(), "mboxo")
	for i, want := range map[int]bool{0: true, 2: false, 3: false, 6: true, 7: true} {
		err := verify(msgs[i])
		assert.Equal(t, want, err == nil, "go-msgauth on sample.mbox message %d: %v", i+1, err)
	}
	for _, c := range AdversarialCases() {
		if c.File == "prepended_from.eml" || c.File == "oversigned_extra_subject.eml" || c.File == "transplanted_signature.eml" {
			err := verify(c.Data)
			want := c.File == "prepended_from.eml" // go-msgauth passes a prepended unsigned From
			assert.Equal(t, want, err == nil, "go-msgauth on %s: %v", c.File, err)
		}
	}
}
