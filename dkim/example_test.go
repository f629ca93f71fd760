package dkim_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
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

func ExampleParseTagList() {
	tags, err := dkim.ParseTagList("v=1; a=rsa-sha256;\r\n\td=example.com ; s = 2016;")
	if err != nil {
		panic(err)
	}
	for _, t := range tags {
		fmt.Printf("%s=%q\n", t.Name, t.Value)
	}
	_, err = dkim.ParseTagList("v=1; v=1")
	fmt.Println(err)
	// Output:
	// v="1"
	// a="rsa-sha256"
	// d="example.com"
	// s="2016"
	// dkim: malformed tag list: duplicate tag "v"
}

func ExampleAppendCanonicalHeader() {
	field := []byte("Subject :  Quarterly\r\n\tfigures  \r\n")
	fmt.Printf("%q\n", dkim.AppendCanonicalHeader(nil, field, dkim.Relaxed))
	fmt.Printf("%q\n", dkim.AppendCanonicalHeader(nil, field, dkim.Simple))
	// Output:
	// "subject:Quarterly figures\r\n"
	// "Subject :  Quarterly\r\n\tfigures  \r\n"
}

func ExampleNewBodyHasher() {
	// l=7 signs "Hello\r\n"; the rest is unsigned content.
	h := dkim.NewBodyHasher(crypto.SHA256, dkim.Relaxed, 7)
	h.Write([]byte("Hello  \r\nAppended later.\r\n\r\n"))
	sum, unsigned := h.Sum()
	fmt.Println(base64.StdEncoding.EncodeToString(sum))
	fmt.Println(unsigned, "bytes past l=")
	// Output:
	// Ba3gj8+xBPQLJTahTfzW6RbWQ/XPgESxkCi2B66PSQg=
	// 17 bytes past l=
}
