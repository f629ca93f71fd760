package dkimcore_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
)

func ExampleParseTagList() {
	tags, err := dkimcore.ParseTagList("v=1; a=rsa-sha256;\r\n\td=example.com ; s = 2016;")
	if err != nil {
		panic(err)
	}
	for _, t := range tags {
		fmt.Printf("%s=%q\n", t.Name, t.Value)
	}
	_, err = dkimcore.ParseTagList("v=1; v=1")
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
	fmt.Printf("%q\n", dkimcore.AppendCanonicalHeader(nil, field, dkimcore.Relaxed))
	fmt.Printf("%q\n", dkimcore.AppendCanonicalHeader(nil, field, dkimcore.Simple))
	// Output:
	// "subject:Quarterly figures\r\n"
	// "Subject :  Quarterly\r\n\tfigures  \r\n"
}

func ExampleNewBodyHasher() {
	// l=7 signs "Hello\r\n"; the rest is unsigned content.
	h := dkimcore.NewBodyHasher(crypto.SHA256, dkimcore.Relaxed, 7)
	h.Write([]byte("Hello  \r\nAppended later.\r\n\r\n"))
	sum, unsigned := h.Sum()
	fmt.Println(base64.StdEncoding.EncodeToString(sum))
	fmt.Println(unsigned, "bytes past l=")
	// Output:
	// Ba3gj8+xBPQLJTahTfzW6RbWQ/XPgESxkCi2B66PSQg=
	// 17 bytes past l=
}

// A message stored with CRLF line endings, its body already canonical:
// the custody digest and the body hash come from one pass over its bytes.
func ExampleCustodyAndBodyHash() {
	raw := []byte("From: alice@example.com\r\nSubject: Hi\r\n\r\nSee you at noon.\r\n\r\n")
	body := raw[bytes.Index(raw, []byte("\r\n\r\n"))+4:]
	custody, bh, unsigned := dkimcore.CustodyAndBodyHash(raw, body, dkimcore.Relaxed, -1)
	fmt.Printf("custody %x\n", custody)
	fmt.Println("bh=" + base64.StdEncoding.EncodeToString(bh))
	fmt.Println(unsigned, "bytes past l=")

	// The same digests, one at a time.
	want, _ := dkimcore.BodyHash(crypto.SHA256, dkimcore.Relaxed, -1, body)
	fmt.Println(custody == sha256.Sum256(raw), bytes.Equal(bh, want))
	// Output:
	// custody b1a735366e2b64efedab7ca19836bc92314715899301825537781750a96a2476
	// bh=TjKZT04mnAOMz6zeirMp9SIBYuN0X0AfX3RUOWqXMOU=
	// 0 bytes past l=
	// true true
}

// Lookup tells why a selector has no usable key.
func ExampleResolver_Lookup() {
	archive := `{"domain":"example.com","selector":"old","txt":"v=DKIM1; p=","source":"2019 crawl"}
{"domain":"example.com","selector":"gone","txt":null,"dns_error":"NXDOMAIN"}
{"domain":"example.com","selector":"flaky","txt":null,"dns_error":"SERVFAIL"}
{"domain":"example.com","selector":"odd","txt":"v=DKIM1; k=dsa; p=AAAA"}
`
	f, err := dkim.ReadKeyFile(strings.NewReader(archive), "keys.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := &dkimcore.Resolver{Keys: f}
	for _, sel := range []string{"old", "gone", "flaky", "odd", "never-seen"} {
		l := r.Lookup(context.Background(), "example.com", sel)
		fmt.Printf("%s: %s\n", sel, dkim.Result(l.Result))
	}
	// Output:
	// old: revoked
	// gone: no_key
	// flaky: temperror
	// odd: permerror
	// never-seen: no_key
}
