package dkim_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/leakproof/leakproof/dkim"
)

// exampleKeys reads the key archive of the repository's sample mail.
func exampleKeys() *dkim.KeyFile {
	f, err := os.Open("../testdata/keys.jsonl")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	keys, err := dkim.ReadKeyFile(f, "keys.jsonl")
	if err != nil {
		panic(err)
	}
	return keys
}

func ExampleVerify() {
	// A message signed in 2016 with a 2048-bit key, then the same message
	// with one figure of its body changed.
	signed, err := os.ReadFile("../testdata/formats/eml/Inbox/quarterly-figures.eml")
	if err != nil {
		panic(err)
	}
	altered := bytes.Replace(signed, []byte("Revenue is up 4%"), []byte("Revenue is up 40%"), 1)

	opts := &dkim.Options{
		Keys: exampleKeys(),
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
	// d=example.com pass: header valid, body match, 2048-bit key from testmail, signed 2016-03-01
	// d=example.com fail: header valid, body mismatch, 2048-bit key from testmail, signed 2016-03-01
}

func ExampleVerifyHeader() {
	// Split the header once, read the fields a mail client shows, and
	// verify with the same split.
	msg, err := os.ReadFile("../testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		panic(err)
	}
	h := dkim.ParseHeader(msg)
	for i := range h.Len() {
		if f := h.Field(i); f.Name() == "Subject" {
			fmt.Printf("Subject:%s\n", f.Value())
		}
	}
	v, err := dkim.VerifyHeader(context.Background(), h, &dkim.Options{Keys: exampleKeys()})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Signatures[0].Result, h.BodyOffset() < len(msg))
	// Output:
	// Subject: Board pack
	// pass true
}
