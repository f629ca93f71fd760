// Differential tests against go-msgauth's verifier.

package dkim_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// both verifies msg with our verifier and go-msgauth's, with the same keys.
func both(t *testing.T, msg []byte, entries []testmail.KeyEntry) (ours *dkim.Verification, theirs []*msgauth.Verification, theirErr error) {
	t.Helper()
	recs := make([]dkim.KeyRecord, len(entries))
	for i, e := range entries {
		recs[i] = dkim.KeyRecord{Domain: e.Domain, Selector: e.Selector, TXT: e.TXT, DNSError: e.DNSError, Source: "test"}
	}
	ours, err := dkim.VerifyBytes(t.Context(), msg, &dkim.Options{Keys: dkim.NewKeyFile(recs), Time: time.Now()})
	require.NoError(t, err, "our VerifyBytes")
	theirs, theirErr = msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: testmail.TXTLookup(entries...)})
	return ours, theirs, theirErr
}

// TestDifferentialMsgauth generates messages where both verifiers claim
// to verify (rsa-sha256 or ed25519-sha256, keys of 1024 bits or more, no
// l=, no x= in the past), signed by go-msgauth and by testmail, then
// changed in ways that do or do not break a signature, and requires the
// pass/fail outcome of every signature to agree exactly.
func TestDifferentialMsgauth(t *testing.T) {
	bodies := []string{
		"",
		"Hi.\n",
		"a  b \t\n\n\n",
		"no final line break",
		"\n\n",
		" leading space\n\ttabbed\tline \n",
		strings.Repeat("The quick brown fox jumps over the lazy dog.  \n", 50),
	}
	type mutation struct {
		name string
		f    func([]byte) []byte
	}
	mutations := []mutation{
		{"unchanged", func(m []byte) []byte { return m }},
		{"blank lines appended", func(m []byte) []byte { return append(bytes.Clone(m), "\r\n\r\n"...) }},
		{"body word changed", func(m []byte) []byte { return append(bytes.Clone(m), "P.S. wire the money.\r\n"...) }},
		{"body spaces doubled", func(m []byte) []byte {
			i := bytes.Index(m, []byte("\r\n\r\n")) + 4
			return append(bytes.Clone(m[:i]), bytes.ReplaceAll(m[i:], []byte(" "), []byte("  "))...)
		}},
		{"subject name case", func(m []byte) []byte { return bytes.Replace(m, []byte("\r\nSubject: "), []byte("\r\nSUBJECT: "), 1) }},
		{"subject refolded", func(m []byte) []byte {
			return bytes.Replace(m, []byte("\r\nSubject: "), []byte("\r\nSubject:\r\n  "), 1)
		}},
		{"subject changed", func(m []byte) []byte {
			return bytes.Replace(m, []byte("\r\nSubject: Report"), []byte("\r\nSubject: Rep0rt"), 1)
		}},
		{"from prepended", func(m []byte) []byte { return testmail.Prepend(m, "From", "Mallory <m@example.com>") }},
		{"to appended", func(m []byte) []byte {
			i := bytes.Index(m, []byte("\r\n\r\n")) + 2
			return append(append(bytes.Clone(m[:i]), "To: eve@example.net\r\n"...), m[i:]...)
		}},
	}
	headerSets := [][]string{nil, {"from", "from", "to", "to", "subject", "subject", "date"}}
	agree, total, passes := 0, 0, 0
	for _, keyName := range []string{"rsa2048", "rsa1024", "ed25519"} {
		key := testmail.MustKey(keyName)
		entries := []testmail.KeyEntry{key.Entry()}
		for _, canon := range []string{"relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"} {
			for hi, headers := range headerSets {
				for bi, body := range bodies {
					msg := testmail.Message{Subject: "Report", Body: body}.Bytes()
					if body == "" {
						msg = testmail.ReplaceBody(msg, "")
					}
					o := &testmail.SignOptions{Canonicalization: canon, Headers: headers}
					signers := map[string]func() ([]byte, error){
						"msgauth":  func() ([]byte, error) { return testmail.SignMsgauth(msg, key, o) },
						"testmail": func() ([]byte, error) { return testmail.Sign(msg, key, o) },
					}
					for signer, signFn := range signers {
						signed, err := signFn()
						require.NoError(t, err, "%s signs %s %s", signer, keyName, canon)
						for _, m := range mutations {
							name := fmt.Sprintf("%s/%s/%s/h%d/body%d/%s", keyName, canon, signer, hi, bi, m.name)
							mutated := m.f(signed)
							ours, theirs, err := both(t, mutated, entries)
							require.NoError(t, err, "%s: go-msgauth read the message", name)
							require.Len(t, ours.Signatures, 1, "%s: our signature count", name)
							require.Len(t, theirs, 1, "%s: go-msgauth signature count", name)
							total++
							ourPass := ours.Signatures[0].Result == dkim.ResultPass
							theirPass := theirs[0].Err == nil
							if ourPass {
								passes++
							}
							if assert.Equal(t, theirPass, ourPass, "%s: pass agrees (ours %v %v, go-msgauth %v)",
								name, ours.Signatures[0].Result, ours.Signatures[0].Err, theirs[0].Err) {
								agree++
							}
						}
					}
				}
			}
		}
	}
	t.Logf("differential: %d of %d outcomes agree with go-msgauth (%d passes)", agree, total, passes)
	assert.Greater(t, passes, total/4, "the grid has passes")
	assert.Less(t, passes, total*3/4, "the grid has failures")
	assert.Equal(t, total, agree, "every outcome agrees")
	assert.Greater(t, total, 1000, "a broad grid")
}

// The known divergences, each pinned: what we report and what go-msgauth
// does, on messages where the difference is the point.
func TestDivergenceMsgauth(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	msg := testmail.Message{}.Bytes()
	past := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name       string
		msg        []byte
		entries    []testmail.KeyEntry
		ours       dkim.Result
		theirsText string // part of go-msgauth's error
	}{
		// RFC 6376 §3.5 l=: we verify the signed part and report the rest;
		// go-msgauth refuses l= outright.
		{"l=", mustSign(t, msg, rsa, &testmail.SignOptions{BodyLength: testmail.WholeBody}), []testmail.KeyEntry{rsa.Entry()},
			dkim.ResultPass, "insecure body length"},
		// rsa-sha1 (RFC 8301 forbids it now; old archives are full of it):
		// we verify and report; go-msgauth refuses.
		{"rsa-sha1", mustSign(t, msg, rsa, &testmail.SignOptions{Algorithm: "rsa-sha1"}), []testmail.KeyEntry{rsa.Entry()},
			dkim.ResultPass, "hash algorithm too weak"},
		// x= in the past: reported, never a failure (docs/json.md); go-msgauth
		// fails every expired signature, so every signature of an old archive.
		{"expired x=", mustSign(t, msg, rsa, &testmail.SignOptions{Time: past, Expiration: past.Add(time.Hour)}), []testmail.KeyEntry{rsa.Entry()},
			dkim.ResultPass, "expired"},
		// A 768-bit key: we check it with big-integer arithmetic and report
		// weak_key with the outcome; go-msgauth refuses keys under 1024 bits.
		{"short key", mustSign(t, msg, testmail.MustKey("rsa768"), nil), []testmail.KeyEntry{testmail.MustKey("rsa768").Entry()},
			dkim.ResultWeakKey, "key is too short"},
		// i= compared with d= case-insensitively (domain names are, RFC
		// 4343); go-msgauth compares bytes and reports a domain mismatch.
		{"i= letter case", mustSign(t, msg, rsa, &testmail.SignOptions{Identity: "alice@" + strings.ToUpper(rsa.Domain)}), []testmail.KeyEntry{rsa.Entry()},
			dkim.ResultPass, "domain mismatch"},
		// Key t=s with i= in a subdomain (RFC 6376 §3.6.1): permerror for
		// us; go-msgauth ignores the flag and passes.
		{"t=s", mustSign(t, msg, rsa, &testmail.SignOptions{Identity: "alice@mail." + rsa.Domain}),
			[]testmail.KeyEntry{func() testmail.KeyEntry { e := rsa.Entry(); e.TXT += "; t=s"; return e }()},
			dkim.ResultPermError, ""},
		// A z= value holding "b=" text: RFC 6376 §3.7 empties only the b=
		// tag; go-msgauth's regular expression also cuts "b=cd" inside z=,
		// so it hashes other bytes than the signer did.
		{"b= inside z=", mustSign(t, msg, rsa, &testmail.SignOptions{Extra: []testmail.Tag{{Name: "z", Value: "Subject:ab=cd|To:x"}}}), []testmail.KeyEntry{rsa.Entry()},
			dkim.ResultPass, "signature did not verify"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs, err := both(t, tt.msg, tt.entries)
			require.NoError(t, err, "go-msgauth read the message")
			require.Len(t, ours.Signatures, 1, "our signature count")
			require.Len(t, theirs, 1, "go-msgauth signature count")
			s := ours.Signatures[0]
			assert.Equal(t, tt.ours, s.Result, "our result (err %v)", s.Err)
			if tt.theirsText == "" {
				assert.NoError(t, theirs[0].Err, "go-msgauth passes")
			} else {
				require.Error(t, theirs[0].Err, "go-msgauth fails")
				assert.Contains(t, theirs[0].Err.Error(), tt.theirsText, "go-msgauth's reason")
			}
			if tt.ours == dkim.ResultWeakKey {
				assert.Equal(t, dkim.HeaderValid, s.HeaderSignature, "weak key: arithmetic still reported")
				assert.Equal(t, dkim.BodyMatch, s.BodyHash, "weak key: body hash still reported")
			}
		})
	}

	// A header-only message (no blank line): go-msgauth cannot read it;
	// we verify it (its body is empty).
	t.Run("header-only", func(t *testing.T) {
		headerOnly := testmail.ReplaceBody(msg, "")
		headerOnly = headerOnly[:len(headerOnly)-2] // drop the blank line
		signed := mustSign(t, headerOnly, rsa, nil)
		ours, _, err := both(t, signed, []testmail.KeyEntry{rsa.Entry()})
		assert.Error(t, err, "go-msgauth fails to read a header without a blank line")
		require.Len(t, ours.Signatures, 1, "our signature count")
		assert.Equal(t, dkim.ResultPass, ours.Signatures[0].Result, "we verify it (err %v)", ours.Signatures[0].Err)
	})
}

func mustSign(t *testing.T, msg []byte, k *testmail.Key, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(msg, k, o)
	require.NoError(t, err, "testmail.Sign")
	return out
}

// BenchmarkMsgauthVerify is go-msgauth verifying the messages of
// BenchmarkVerify, for comparison in the same run.
func BenchmarkMsgauthVerify(b *testing.B) {
	rsa := testmail.MustKey("rsa2048")
	lookup := testmail.TXTLookup(rsa.Entry())
	for _, sz := range benchSizes {
		for _, canon := range benchCanons {
			b.Run(fmt.Sprintf("%s/%s", sz.name, strings.ReplaceAll(canon, "/", "-")), func(b *testing.B) {
				msg := benchMessage(b, sz.size, canon)
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				for b.Loop() {
					v, err := msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: lookup})
					if err != nil || v[0].Err != nil {
						b.Fatalf("go-msgauth Verify: %v %v", err, v[0].Err)
					}
				}
			})
		}
	}
}
