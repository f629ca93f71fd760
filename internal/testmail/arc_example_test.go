package testmail_test

import (
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/internal/testmail"
)

// ExampleSeal adds two ARC sets to a message, the second one by a
// receiver that breaks its own seal.
func ExampleSeal() {
	msg := testmail.Message{Subject: "Hello"}.Bytes()
	msg = testmail.MustSeal(msg, testmail.MustKey("rsa2048b"), nil)
	msg = testmail.MustSeal(msg, testmail.MustKey("rsa2048"), &testmail.SealOptions{BreakSeal: true})
	header, _ := testmail.Split(msg)
	for _, line := range strings.Split(string(header), "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(name, "ARC-") {
			tags := strings.SplitN(strings.TrimSpace(value), ";", 2)
			fmt.Println(name, tags[0])
		}
	}
	// Output:
	// ARC-Seal i=2
	// ARC-Message-Signature a=rsa-sha256
	// ARC-Authentication-Results i=2
	// ARC-Seal i=1
	// ARC-Message-Signature a=rsa-sha256
	// ARC-Authentication-Results i=1
}
