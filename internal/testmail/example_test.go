package testmail_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/internal/testmail"
)

func ExampleSign() {
	key := testmail.MustKey("rsa2048")
	msg := testmail.Message{Subject: "Quarterly figures", Body: "Revenue is up.\n"}.Bytes()

	signed, err := testmail.Sign(msg, key, &testmail.SignOptions{
		Algorithm:        "rsa-sha1",
		Canonicalization: "simple/simple",
		BodyLength:       testmail.WholeBody,
	})
	if err != nil {
		panic(err)
	}
	field, _, _ := bytes.Cut(signed, []byte("\r\n\t"))
	fmt.Println(string(field))
	fmt.Println(key.Domain, key.Selector, strings.HasPrefix(key.Record(), "v=DKIM1; k=rsa; p=MIIB"))
	// Output:
	// DKIM-Signature: v=1; a=rsa-sha1; c=simple/simple; d=example.com;
	// example.com s2048 true
}

func ExampleKeyFileLine() {
	k := testmail.MustKey("ed25519")
	fmt.Print(testmail.KeyFileLine(k, func(e *testmail.KeyEntry) {
		e.Selector = "2016"
		e.TXT = "v=DKIM1; k=ed25519; p="
		e.Source = "revoked in 2017"
	}))
	// Output:
	// {"domain":"example.com","selector":"2016","txt":"v=DKIM1; k=ed25519; p=","source":"revoked in 2017"}
}
