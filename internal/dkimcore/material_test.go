package dkimcore

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// TestKeySameMaterial: records with the same key and other flags hold the
// same material; other keys, types and revoked keys do not.
func TestKeySameMaterial(t *testing.T) {
	k := newTestRSAKey(t, 512)
	plain, err := ParseKey(k.record(""))
	require.NoError(t, err, "ParseKey")
	flagged, err := ParseKey(k.record("t=y; h=sha1; "))
	require.NoError(t, err, "ParseKey with flags")
	other, err := ParseKey(newTestRSAKey(t, 768).record(""))
	require.NoError(t, err, "ParseKey(768)")
	ed, err := ParseKey("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	require.NoError(t, err, "ParseKey(ed25519)")
	ed2, err := ParseKey("k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	require.NoError(t, err, "ParseKey(ed25519 t=y)")
	revoked, err := ParseKey("p=")
	require.NoError(t, err, "ParseKey(revoked)")
	assert.True(t, plain.sameMaterial(flagged), "flags do not change the key material")
	assert.True(t, ed.sameMaterial(ed2), "Ed25519 keys with the same bytes")
	assert.False(t, plain.sameMaterial(other), "another modulus")
	assert.False(t, plain.sameMaterial(ed), "another type")
	assert.False(t, revoked.sameMaterial(plain), "a revoked key holds no material")
}

// TestRecordMaterial: a record marked published taints its key even when
// strict parsing refuses the record; the same key reads the same whatever
// its form.
func TestRecordMaterial(t *testing.T) {
	rsa := testmail.MustKey("rsa2048")
	ed := testmail.MustKey("ed25519")
	edPub := ed.Private.Public().(ed25519.PublicKey)
	spki, err := x509.MarshalPKIXPublicKey(edPub)
	require.NoError(t, err, "Ed25519 SubjectPublicKeyInfo")
	rsaKey, err := ParseKey(rsa.Record())
	require.NoError(t, err, "the RSA record parses")
	edKey, err := ParseKey(ed.Record())
	require.NoError(t, err, "the Ed25519 record parses")
	for _, tt := range []struct {
		name, txt string
		want      string
	}{
		{"RSA record", rsa.Record(), rsaKey.material()},
		{"RSA with a junk tag after the key", rsa.Record() + "; junk", rsaKey.material()},
		{"RSA with a duplicate k=", "v=DKIM1; k=rsa; k=rsa; p=" + rsa.PublicBase64(), rsaKey.material()},
		{"RSA under v=DKIM2", "v=DKIM2; k=rsa; p=" + rsa.PublicBase64(), rsaKey.material()},
		{"bare RSA key", rsa.PublicBase64(), rsaKey.material()},
		{"Ed25519 record", ed.Record(), edKey.material()},
		{"Ed25519 in SubjectPublicKeyInfo form", "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(spki), edKey.material()},
		{"dig output pasted with its quotes", `"v=DKIM1; k=rsa; " "p=` + rsa.PublicBase64()[:40] + `" "` + rsa.PublicBase64()[40:] + `"`, rsaKey.material()},
		{"a zone file line", `s._domainkey IN TXT ( "v=DKIM1; k=rsa; " "p=` + rsa.PublicBase64() + `" )`, rsaKey.material()},
		{"PEM armour", "v=DKIM1; k=rsa; p=-----BEGIN PUBLIC KEY-----\n" + rsa.PublicBase64() + "\n-----END PUBLIC KEY-----", rsaKey.material()},
		{"dig output cut mid-key", `v=DKIM1; k=rsa; p=` + rsa.PublicBase64()[:40] + `" "` + rsa.PublicBase64()[40:], rsaKey.material()},
		{"upper-case tag names", "V=DKIM1; K=rsa; P=" + rsa.PublicBase64(), rsaKey.material()},
		{"URL-safe base64", "v=DKIM1; k=rsa; p=" + strings.NewReplacer("+", "-", "/", "_").Replace(rsa.PublicBase64()), rsaKey.material()},
		{"the key, then an empty p=", "v=DKIM1; k=rsa; p=" + rsa.PublicBase64() + "; p=", rsaKey.material()},
		{"the leaked private key in PEM", string(pemPrivate(t, rsa)), rsaKey.material()},
		{"the public key in hex", "v=DKIM1; k=rsa; p=" + hexOf(t, rsa.PublicBase64()), rsaKey.material()},
		{"revoked", "v=DKIM1; k=rsa; p=", ""},
		{"junk", "v=DKIM1; p=BARF", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			assert.Equal(t, want, RecordMaterials(tt.txt), "material of %q", tt.txt)
		})
	}
	assert.NotEmpty(t, rsaKey.material(), "a key has material")
}

// FuzzRecordMaterial: RecordMaterials, the lenient reader of published records never
// panics, and finds the same material as ParseKey when ParseKey succeeds.
func FuzzRecordMaterial(f *testing.F) {
	for _, s := range []string{"v=DKIM1; k=rsa; p=BARF", "v=DKIM1; p=", "p=;p=", "MCowBQYDK2VwAyEA", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		ms := RecordMaterials(txt)
		if k, err := ParseKey(txt); err == nil && k.material() != "" && (len(ms) != 1 || ms[0] != k.material()) {
			t.Fatalf("RecordMaterials(%q) = %q, ParseKey's key has %q", txt, ms, k.material())
		}
	})
}

// pemPrivate returns k's private key as PKCS #1 PEM.
func pemPrivate(t *testing.T, k *testmail.Key) []byte {
	t.Helper()
	priv, ok := k.Private.(*rsa.PrivateKey)
	require.True(t, ok, "%s is an RSA key", k.Name)
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
}

// hexOf re-encodes base64 text in hex.
func hexOf(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err, "test key base64")
	return hex.EncodeToString(b)
}
