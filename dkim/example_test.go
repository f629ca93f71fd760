package dkim_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func ExampleVerify() {
	// A message signed in 2016 with a 2048-bit key, then a body edit.
	key := testmail.MustKey("rsa2048")
	msg := testmail.Message{Subject: "Quarterly figures", Body: "Revenue is up 4%.\n"}.Bytes()
	signed, err := testmail.Sign(msg, key, nil)
	if err != nil {
		panic(err)
	}
	altered := testmail.ReplaceBody(signed, "Revenue is up 40%.\n")

	opts := &dkim.Options{
		Keys: dkim.NewKeyFile([]dkim.KeyRecord{{
			Domain: key.Domain, Selector: key.Selector, TXT: key.Record(), Source: "keys.jsonl",
		}}),
		Time: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
	}
	for _, m := range [][]byte{signed, altered} {
		v, err := dkim.Verify(context.Background(), bytes.NewReader(m), opts)
		if err != nil {
			panic(err)
		}
		s := v.Signatures[0]
		fmt.Printf("d=%s %s: header %v, body %v, %d-bit key from %s, signed %s\n",
			s.Domain, s.Result, s.HeaderSignature, s.BodyHash, s.KeyBits, s.KeySource, s.Timestamp.Format(time.DateOnly))
	}
	// Output:
	// d=example.com pass: header valid, body match, 2048-bit key from keys.jsonl, signed 2016-03-01
	// d=example.com fail: header valid, body mismatch, 2048-bit key from keys.jsonl, signed 2016-03-01
}

func ExampleVerifyHeader() {
	// Split the header once, read the fields a mail client shows, and
	// verify with the same split.
	key := testmail.MustKey("rsa2048")
	msg := testmail.MustSign(testmail.Message{Subject: "Board pack", Body: "Attached.\n"}.Bytes(), key, nil)
	h := dkim.ParseHeader(msg)
	for i := range h.Len() {
		if f := h.Field(i); f.Name() == "Subject" {
			fmt.Printf("Subject:%s\n", f.Value())
		}
	}
	opts := &dkim.Options{Keys: dkim.NewKeyFile([]dkim.KeyRecord{{Domain: key.Domain, Selector: key.Selector, TXT: key.Record()}})}
	v, err := dkim.VerifyHeader(context.Background(), h, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Signatures[0].Result, h.BodyOffset() < len(msg))
	// Output:
	// Subject: Board pack
	// pass true
}
