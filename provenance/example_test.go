package provenance_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/provenance"
)

// exampleKeys publishes the test key of example.com, as a key archive would.
func exampleKeys() dkim.KeySource {
	k := testmail.MustKey("rsa2048")
	return dkim.NewKeyFile([]dkim.KeyRecord{{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "example keys"}})
}

// exampleMessage is a message signed by example.com, stored with LF line
// endings as most archives store mail; tampered, its body says otherwise.
func exampleMessage(tampered bool) *archive.Message {
	msg := testmail.MustSign(testmail.Message{Subject: "Quarterly figures"}.Bytes(), testmail.MustKey("rsa2048"), nil)
	if tampered {
		msg = bytes.Replace(msg, []byte("Revenue is up 4%"), []byte("Revenue is up 40%"), 1)
	}
	return &archive.Message{File: "leak/1.eml", Index: 1, Format: "eml", Raw: testmail.LF(msg)}
}

func ExampleNewChecker() {
	// A newsroom policy: keys from a key archive, no DNS, RSA keys of at
	// least 2048 bits, rsa-sha1 refused, and one receiver trusted to seal.
	c := provenance.NewChecker(&provenance.Options{
		Keys:           exampleKeys(),
		MinRSABits:     2048,
		NoSHA1:         true,
		TrustedSealers: []string{"mx.example.org"},
	})
	a := c.Check(context.Background(), exampleMessage(false))
	fmt.Println(a.Verdict, a.Confidence)
	// Output:
	// authentic high
}

func ExampleChecker_Check() {
	c := provenance.NewChecker(&provenance.Options{
		Keys: exampleKeys(),
		Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	})
	a := c.Check(context.Background(), exampleMessage(false))
	fmt.Println(a.Verdict, a.Confidence, a.Signer)
	fmt.Println(a.Summary)
	fmt.Println("from:", a.Coverage.Fields["from"], "body:", a.Coverage.Body)
	// Output:
	// authentic high example.com
	// Authentic: sent as shown by example.com's mail system, whose signature covers From, To, Subject, Date and Message-ID and the whole body; this shows who sent it, not that the content is true.
	// from: signed body: full
}

func ExampleChecker_Check_altered() {
	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys()})
	a := c.Check(context.Background(), exampleMessage(true))
	fmt.Println(a.Verdict, a.Confidence)
	fmt.Println(a.Summary)
	// Output:
	// altered high
	// Altered: the headers are as sent by example.com's mail system; the body was changed after signing.
}

func ExampleChecker_Run() {
	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys(), Workers: 2})
	msgs := slices.Values([]*archive.Message{
		exampleMessage(false),
		{File: "leak/2.eml", Index: 1, Format: "eml", Raw: []byte("From: bob@example.org\nSubject: hi\n\nNo signature.\n")},
	})
	err := c.Run(context.Background(), msgs, func(a *provenance.Assessment) error {
		fmt.Printf("%s: %s\n", a.File, a.Verdict)
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// leak/1.eml: authentic
	// leak/2.eml: unverifiable
	// error: <nil>
}
