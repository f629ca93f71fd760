package testmail

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sealOf returns the ARC-Seal of instance i from a sealed message and the
// seal's b= value.
func sealOf(t *testing.T, msg []byte, i int) (field, b string) {
	t.Helper()
	header, _ := splitMessage(msg)
	f := arcSets(headerFields(header))[i][2]
	require.NotEmpty(t, f, "ARC-Seal of instance %d", i)
	_, v, _ := strings.Cut(f, "b=")
	return f, strings.Join(strings.Fields(v), "")
}

func TestSeal(t *testing.T) {
	msg := Message{}.Bytes()
	one := MustSeal(msg, MustKey("rsa2048b"), nil)
	two := MustSeal(one, MustKey("rsa2048"), nil)

	assert.Equal(t, two, MustSeal(one, MustKey("rsa2048"), nil), "Seal is deterministic")
	assert.True(t, strings.HasPrefix(string(two), "ARC-Seal: i=2;"), "the new ARC-Seal is on top")
	header, _ := splitMessage(two)
	sets := arcSets(headerFields(header))
	require.Len(t, sets, 2, "instances after two seals")
	for i := 1; i <= 2; i++ {
		for k, name := range []string{"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"} {
			assert.True(t, strings.HasPrefix(sets[i][k], name+":"), "instance %d has its %s", i, name)
		}
	}
	assert.Contains(t, sets[1][2], "cv=none", "cv of instance 1")
	assert.Contains(t, sets[2][2], "cv=pass", "cv of instance 2")
	assert.Contains(t, sets[2][1], "i=2;", "AMS carries the instance as i=")
	assert.NotContains(t, sets[2][1], "v=1", "AMS has no v=")

	// The seal of instance 2 verifies over the relaxed sets 1 and 2, with
	// its own b= empty (RFC 8617 §5.1.1), recomputed here by hand.
	field, b := sealOf(t, two, 2)
	h := sha256.New()
	for _, f := range []string{sets[1][0], sets[1][1], sets[1][2], sets[2][0], sets[2][1]} {
		h.Write([]byte(canonHeader(f, true)))
	}
	unsigned := field[:strings.Index(field, "b=")+2] + "\r\n"
	h.Write([]byte(strings.TrimSuffix(canonHeader(unsigned, true), "\r\n")))
	sig, err := base64.StdEncoding.DecodeString(b)
	require.NoError(t, err, "base64 of the seal's b=")
	pub := MustKey("rsa2048").Public().(*rsa.PublicKey)
	assert.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, h.Sum(nil), sig), "seal 2 verifies with rsa2048")

	broken := MustSeal(one, MustKey("rsa2048"), &SealOptions{BreakSeal: true})
	_, bb := sealOf(t, broken, 2)
	assert.NotEqual(t, b, bb, "BreakSeal changes b=")
	assert.Len(t, bb, len(b), "BreakSeal keeps the length of b=")
}

func TestSealOptions(t *testing.T) {
	msg := Message{}.Bytes()
	for _, tt := range []struct {
		name     string
		o        *SealOptions
		contains []string
		absent   []string
	}{
		{"instance", &SealOptions{Instance: 7}, []string{"ARC-Seal: i=7;", "ARC-Authentication-Results: i=7;", "cv=pass"}, nil},
		{"cv", &SealOptions{CV: "fail"}, []string{"cv=fail"}, nil},
		{"omit", &SealOptions{Omit: []string{"aar", "ams"}}, []string{"ARC-Seal:"}, []string{"ARC-Authentication-Results:", "ARC-Message-Signature:"}},
		{"seal tags", &SealOptions{SealTags: []Tag{{"h", "from"}}}, []string{"h=from;"}, nil},
		{"auth results", &SealOptions{AuthResults: "mx.example.net; dkim=fail"}, []string{"ARC-Authentication-Results: i=1; mx.example.net; dkim=fail\r\n"}, nil},
		{"domain", &SealOptions{Domain: "relay.example", Selector: "sel"}, []string{"d=relay.example;", "s=sel;"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Seal(msg, MustKey("rsa2048"), tt.o)
			require.NoError(t, err, "Seal(%+v)", tt.o)
			for _, s := range tt.contains {
				assert.Contains(t, string(out), s, "Seal(%+v) output", tt.o)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, string(out), s, "Seal(%+v) output", tt.o)
			}
		})
	}
	_, err := Seal(LF(msg), MustKey("rsa2048"), nil)
	assert.ErrorIs(t, err, ErrBareLF, "Seal of a bare-LF message")
}
