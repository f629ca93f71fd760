// Benchmarks of our verifier against go-msgauth and against the floor of
// the performance model (docs/performance.md): SHA-256 over every byte plus one
// public-key operation per signature. docs/performance.md records the
// figures and how to reproduce them.

package dkim_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/leakproof/leakproof/internal/testenv"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// cmpCase is one message of the comparison: a body size, a key and a
// canonicalization.
type cmpCase struct {
	name  string
	body  int // body bytes before signing; 0 means testmail's short default
	key   string
	canon string
}

var cmpCases = []cmpCase{
	{"small/rsa2048/relaxed", 0, "rsa2048", "relaxed/relaxed"},
	{"small/ed25519/relaxed", 0, "ed25519", "relaxed/relaxed"},
	{"100KB/rsa2048/relaxed", 100 << 10, "rsa2048", "relaxed/relaxed"},
	{"100KB/rsa2048/simple", 100 << 10, "rsa2048", "simple/simple"},
	{"100KB/ed25519/relaxed", 100 << 10, "ed25519", "relaxed/relaxed"},
}

// cmpBody returns size bytes of ordinary mail text: lines of about 70
// bytes, some with runs of spaces and trailing blanks that relaxed body
// canonicalization must rewrite.
func cmpBody(size int) string {
	lines := []string{
		"The figures for the quarter are attached; revenue is up 4% on last year.\n",
		"Costs are flat.  Please keep this to yourself until the board has met. \n",
		"\n",
		"> Quoted reply text from the previous message, as mail clients write it.\n",
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(lines[i%len(lines)])
	}
	return b.String()[:size]
}

// cmpMessage signs the message of c with testmail's signer, CRLF.
func cmpMessage(tb testing.TB, c cmpCase) []byte {
	tb.Helper()
	m := testmail.Message{Subject: "Benchmark " + c.name}
	if c.body > 0 {
		m.Body = cmpBody(c.body)
	}
	out, err := testmail.Sign(m.Bytes(), testmail.MustKey(c.key), &testmail.SignOptions{Canonicalization: c.canon})
	require.NoError(tb, err, "testmail.Sign(%s)", c.name)
	return out
}

// cmpEntries are the key records of every key the cases use.
func cmpEntries() []testmail.KeyEntry {
	return []testmail.KeyEntry{testmail.MustKey("rsa2048").Entry(), testmail.MustKey("ed25519").Entry()}
}

// cmpOptions are our verifier's options for cmpEntries.
func cmpOptions() *dkim.Options {
	var recs []dkim.KeyRecord
	for _, e := range cmpEntries() {
		recs = append(recs, dkim.KeyRecord{Domain: e.Domain, Selector: e.Selector, TXT: e.TXT, Source: "bench"})
	}
	return &dkim.Options{Keys: dkim.NewKeyFile(recs), Time: time.Unix(testmail.DefaultUnix, 0)}
}

// TestCompareMessagesVerify makes sure the benchmarks measure what they
// claim: every comparison message passes with both verifiers.
func TestCompareMessagesVerify(t *testing.T) {
	opts := cmpOptions()
	lookup := testmail.TXTLookup(cmpEntries()...)
	for _, c := range cmpCases {
		t.Run(c.name, func(t *testing.T) {
			msg := cmpMessage(t, c)
			if c.body > 0 {
				assert.Greater(t, len(msg), c.body, "message of %s holds its %d-byte body", c.name, c.body)
			}
			ours, err := dkim.Verify(t.Context(), bytes.NewReader(msg), opts)
			require.NoError(t, err, "dkim.Verify(%s)", c.name)
			require.Len(t, ours.Signatures, 1, "our signatures of %s", c.name)
			assert.Equal(t, dkim.ResultPass, ours.Signatures[0].Result, "our result for %s (err %v)", c.name, ours.Signatures[0].Err)
			theirs, err := msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: lookup})
			require.NoError(t, err, "go-msgauth Verify(%s)", c.name)
			require.Len(t, theirs, 1, "go-msgauth signatures of %s", c.name)
			assert.NoError(t, theirs[0].Err, "go-msgauth result for %s", c.name)
		})
	}
}

// BenchmarkCompareVerify verifies each comparison message with our
// dkim.Verify ("ours"), our dkim.VerifyBytes on the message already in
// memory ("ours-bytes", what provenance calls), and go-msgauth's
// dkim.Verify ("msgauth"), and hashes the same bytes with SHA-256
// ("sha256", the byte floor). Each op is one
// message; MB/s is over the whole message. Ours parses a key record once
// and caches the parsed key by record text (dkim/lookup.go); go-msgauth
// parses it on every message (BenchmarkParseKey: what that costs).
func BenchmarkCompareVerify(b *testing.B) {
	opts := cmpOptions()
	lookup := testmail.TXTLookup(cmpEntries()...)
	for _, c := range cmpCases {
		msg := cmpMessage(b, c)
		b.Run(c.name+"/ours", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			testenv.BenchLoop(b, int64(len(msg)), func() {
				v, err := dkim.Verify(b.Context(), bytes.NewReader(msg), opts)
				if err != nil || v.Signatures[0].Result != dkim.ResultPass {
					b.Fatalf("dkim.Verify: %v %v", err, v.Signatures[0].Err)
				}
			})
		})
		b.Run(c.name+"/ours-bytes", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			testenv.BenchLoop(b, int64(len(msg)), func() {
				v, err := dkim.VerifyBytes(b.Context(), msg, opts)
				if err != nil || v.Signatures[0].Result != dkim.ResultPass {
					b.Fatalf("dkim.VerifyBytes: %v %v", err, v.Signatures[0].Err)
				}
			})
		})
		b.Run(c.name+"/msgauth", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			testenv.BenchLoop(b, int64(len(msg)), func() {
				v, err := msgauth.VerifyWithOptions(bytes.NewReader(msg), &msgauth.VerifyOptions{LookupTXT: lookup})
				if err != nil || v[0].Err != nil {
					b.Fatalf("go-msgauth Verify: %v %v", err, v[0].Err)
				}
			})
		})
		b.Run(c.name+"/sha256", func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			testenv.BenchLoop(b, int64(len(msg)), func() { sha256.Sum256(msg) })
		})
	}
}

// BenchmarkFloorPublicKey is the other half of the floor: one signature
// check with the public key already parsed, rsa.VerifyPKCS1v15 for a
// 2048-bit key and ed25519.Verify, both over a SHA-256 digest (RFC 8463:
// Ed25519 signs the SHA-256 digest of the canonical header).
func BenchmarkFloorPublicKey(b *testing.B) {
	digest := sha256.Sum256([]byte("the canonical header fields of a signed message"))
	b.Run("rsa2048", func(b *testing.B) {
		k := testmail.MustKey("rsa2048")
		sig, err := k.Private.Sign(nil, digest[:], crypto.SHA256)
		require.NoError(b, err, "signing with rsa2048")
		pub, ok := k.Public().(*rsa.PublicKey)
		require.True(b, ok, "rsa2048 has an RSA public key")
		testenv.BenchLoop(b, 0, func() {
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatalf("rsa.VerifyPKCS1v15: %v", err)
			}
		})
	})
	b.Run("ed25519", func(b *testing.B) {
		k := testmail.MustKey("ed25519")
		priv, ok := k.Private.(ed25519.PrivateKey)
		require.True(b, ok, "ed25519 has an Ed25519 private key")
		sig := ed25519.Sign(priv, digest[:])
		pub := priv.Public().(ed25519.PublicKey)
		testenv.BenchLoop(b, 0, func() {
			if !ed25519.Verify(pub, digest[:], sig) {
				b.Fatal("ed25519.Verify failed")
			}
		})
	})
}

// BenchmarkParseKey is what parsing a key record costs, paid on each
// message unless parsed keys are cached per (domain, selector).
func BenchmarkParseKey(b *testing.B) {
	for _, name := range []string{"rsa2048", "ed25519"} {
		b.Run(name, func(b *testing.B) {
			txt := testmail.MustKey(name).Record()
			b.ReportAllocs()
			testenv.BenchLoop(b, 0, func() {
				if _, err := dkim.ParseKey(txt); err != nil {
					b.Fatalf("dkim.ParseKey: %v", err)
				}
			})
		})
	}
}
