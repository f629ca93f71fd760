package dkim_test

import (
	"fmt"

	"github.com/leakproof/leakproof/dkim"
)

func ExampleKeysNeeded() {
	msg := []byte("DomainKey-Signature: a=rsa-sha1; c=nofws; d=yahoo.com; s=s1024; b=dGVzdA==\r\n" +
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2016; t=1456826400;\r\n" +
		"  h=from:subject; bh=dGVzdA==; b=dGVzdA==\r\n" +
		"From: alice@example.com\r\n" +
		"\r\n" +
		"Hello.\r\n")
	for _, n := range dkim.KeysNeeded(dkim.ParseHeader(msg)) {
		fmt.Printf("%s needs %s._domainkey.%s", n.Type, n.Selector, n.Domain)
		if !n.Timestamp.IsZero() {
			fmt.Printf(", signed %s", n.Timestamp.Format("2006-01-02"))
		}
		fmt.Println()
	}
	// Output:
	// domainkeys needs s1024._domainkey.yahoo.com
	// dkim needs s2016._domainkey.example.com, signed 2016-03-01
}
