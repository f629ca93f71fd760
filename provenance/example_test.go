package provenance_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// exampleKeys reads the key archive of the repository's sample mail.
func exampleKeys() dkim.KeySource {
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

// exampleMessage is a message signed by example.com, as an .eml file holds
// it; tampered, its body says otherwise.
func exampleMessage(tampered bool) *archive.Message {
	raw, err := os.ReadFile("../testdata/formats/eml/Inbox/quarterly-figures.eml")
	if err != nil {
		panic(err)
	}
	if tampered {
		raw = bytes.Replace(raw, []byte("Revenue is up 4%"), []byte("Revenue is up 40%"), 1)
	}
	return archive.NewMessage("leak/1.eml", raw)
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

// Run checks a whole archive in parallel and hands the assessments back in
// archive order, on the calling goroutine.
func ExampleChecker_Run() {
	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys(), Workers: 2})
	msgs := archive.MailOnly(archive.Walk(context.Background(), "../testdata/sample.mbox", nil), nil)
	err := c.Run(context.Background(), msgs, func(a *provenance.Assessment) error {
		fmt.Printf("#%d %s: %s\n", a.Index, a.Subject, a.Verdict)
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// #1 Quarterly figures: authentic
	// #2 Embargoed: council budget: authentic
	// #3 Re: Quarterly figures: altered
	// #4 Payment on Friday: altered
	// #5 No signature here: unverifiable
	// #6 Old selector: unverifiable
	// #7 Minutes: authentic
	// #8 Board pack: authentic
	// error: <nil>
}

// Records encoded in the workers: the caller's goroutine only writes them,
// in archive order (report's JSON, CSV and text writers are encoders).
func ExampleChecker_RunEncoded() {
	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys(), Workers: 2})
	msgs := archive.MailOnly(archive.Walk(context.Background(), "../testdata/sample.mbox", nil), nil)
	encode := func(dst []byte, a *provenance.Assessment) []byte {
		return fmt.Appendf(dst, "#%d %s\n", a.Index, a.Verdict)
	}
	err := c.RunEncoded(context.Background(), msgs, encode, func(_ *provenance.Assessment, rec []byte) error {
		_, err := os.Stdout.Write(rec)
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// #1 authentic
	// #2 authentic
	// #3 altered
	// #4 altered
	// #5 unverifiable
	// #6 unverifiable
	// #7 authentic
	// #8 authentic
	// error: <nil>
}

// An ArchivePass weighs each message against the rest of the archive: here
// a tampered copy of a message whose authentic copy is also in the leak.
// Feed it every assessment, then apply it to each; Release frees its
// memory once done.
func ExampleArchivePass() {
	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys()})
	ctx := context.Background()
	original := c.Check(ctx, exampleMessage(false))
	copied := c.Check(ctx, exampleMessage(true))
	copied.File, copied.Index = "leak/2.eml", 2

	pass := provenance.NewArchivePass()
	defer pass.Release()
	for _, a := range []*provenance.Assessment{original, copied} {
		pass.Add(a)
	}
	for _, a := range []*provenance.Assessment{original, copied} {
		pass.Apply(a)
		fmt.Print(a.File, " ", a.Verdict)
		for _, e := range a.Evidence {
			if strings.HasPrefix(e.Code, "copies.") {
				fmt.Print(" ", e.Code)
			}
		}
		fmt.Println()
	}
	fmt.Println("copy groups:", pass.Summary().CopyGroups)
	// Output:
	// leak/1.eml authentic
	// leak/2.eml altered copies.conflict
	// copy groups: 1
}

// A pass over a large archive can keep the paragraphs of its messages,
// which only the thread rules read, in a temporary file the caller owns
// rather than in memory; Err then says whether the file failed it.
func ExampleArchivePass_SetParagraphStore() {
	f, err := os.CreateTemp("", "paragraphs-*")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()

	c := provenance.NewChecker(&provenance.Options{Keys: exampleKeys()})
	ctx := context.Background()
	original := c.Check(ctx, exampleMessage(false))
	copied := c.Check(ctx, exampleMessage(true))
	copied.File, copied.Index = "leak/2.eml", 2

	pass := provenance.NewArchivePass()
	defer pass.Release()
	pass.SetParagraphStore(f)
	for _, a := range []*provenance.Assessment{original, copied} {
		pass.Add(a)
	}
	for _, a := range []*provenance.Assessment{original, copied} {
		pass.Apply(a)
		fmt.Println(a.File, a.Verdict)
	}
	fmt.Println("error:", pass.Err())
	// Output:
	// leak/1.eml authentic
	// leak/2.eml altered
	// error: <nil>
}
