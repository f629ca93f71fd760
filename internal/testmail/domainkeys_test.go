package testmail

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignDomainKey(t *testing.T) {
	rsa := MustKey("rsa2048")
	msg := Message{}.Bytes()
	out, err := SignDomainKey(msg, rsa, &DKOptions{Canonicalization: "nofws", Headers: []string{"from", "subject"}})
	require.NoError(t, err, "SignDomainKey")
	field, _, _ := cutField(string(out))
	assert.Contains(t, field, "DomainKey-Signature: a=rsa-sha1; q=dns; c=nofws; s=s2048; d=example.com;", "tags in order")
	assert.Contains(t, field, "h=from:subject;", "h= as given")
	again, err := SignDomainKey(msg, rsa, &DKOptions{Canonicalization: "nofws", Headers: []string{"from", "subject"}})
	require.NoError(t, err, "SignDomainKey again")
	assert.Equal(t, out, again, "deterministic")

	_, err = SignDomainKey(msg, MustKey("ed25519"), nil)
	assert.Error(t, err, "DomainKeys has no Ed25519")
	_, err = SignDomainKey([]byte("From: a@example.com\n\nbody\n"), rsa, nil)
	assert.ErrorIs(t, err, ErrBareLF, "bare LF refused")
	_, err = SignDomainKey(msg, rsa, &DKOptions{Canonicalization: "relaxed"})
	assert.Error(t, err, "relaxed is DKIM's")
}

func TestDKBody(t *testing.T) {
	for _, tt := range []struct {
		body  string
		nofws bool
		want  string
	}{
		{"", false, ""},
		{"\r\n\r\n", false, ""},
		{"a b\r\n\r\n", false, "\r\na b\r\n"},
		{"a b\r\n \r\n", true, "\r\nab\r\n"},
		{"x\r\n\r\ny", false, "\r\nx\r\n\r\ny"},
	} {
		assert.Equal(t, tt.want, string(dkBody([]byte(tt.body), tt.nofws)), "dkBody(%q, nofws=%v)", tt.body, tt.nofws)
	}
}

// cutField splits off the first header field (with its folding).
func cutField(msg string) (field, rest string, ok bool) {
	fields := headerFields([]byte(msg))
	if len(fields) == 0 {
		return "", msg, false
	}
	return fields[0], msg[len(fields[0]):], true
}
