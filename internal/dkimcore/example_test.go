package dkimcore_test

import (
	"context"
	"crypto"
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
