package dkim_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/dkim"
)

// ParseKey reads a key record; the Key checks signatures and says what the
// record allows.
func ExampleParseKey() {
	// A fixed Ed25519 key, published raw as RFC 8463 wants.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	key, err := dkim.ParseKey("v=DKIM1; k=ed25519; t=y; p=" + pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.Type(), key.Bits(), "testing:", key.Testing(), "sha1 allowed:", key.AllowsHash("sha1"))

	digest := sha256.Sum256([]byte("the header hash input"))
	sig := ed25519.Sign(priv, digest[:])
	fmt.Println("verifies:", key.Verify(crypto.SHA256, digest[:], sig) == nil)
	sig[0] ^= 1
	fmt.Println("altered:", key.Verify(crypto.SHA256, digest[:], sig))

	_, err = dkim.ParseKey("v=DKIM1; k=rsa; t; p=MIGf")
	fmt.Println(err)
	// Output:
	// ed25519 256 testing: true sha1 allowed: true
	// verifies: true
	// altered: dkim: signature does not verify with the key
	// dkim: malformed key record: malformed tag list: "t" has no '='
}

// ReadKeyFile reads JSON Lines key archives and BIND zone files alike.
func ExampleReadKeyFile() {
	zone := `$ORIGIN example.com.
sel._domainkey  3600 IN TXT ( "v=DKIM1; k=rsa; "  ; long records are split
                               "p=" )              ; an empty p= revokes the key
`
	f, err := dkim.ReadKeyFile(strings.NewReader(zone), "example.zone")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range f.Records() {
		line, _ := r.MarshalJSON()
		fmt.Println(string(line))
	}
	// Output:
	// {"domain":"example.com","selector":"sel","txt":"v=DKIM1; k=rsa; p=","source":"example.zone"}
}
