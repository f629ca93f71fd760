package report_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

func exampleAssessment() *provenance.Assessment {
	return &provenance.Assessment{
		ID:   archive.MessageID("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "inbox.mbox", 0, 1),
		File: "inbox.mbox", Index: 1, Offset: 44, Size: 812, Format: "mbox",
		SHA256:    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		MessageID: "1@example.com", From: "Alice <alice@example.com>", FromAddress: "alice@example.com",
		Subject: "Hello", Date: time.Date(2016, 3, 4, 12, 0, 0, 0, time.UTC),
		Verdict: provenance.VerdictAuthentic, Confidence: provenance.ConfidenceHigh, Signer: "example.com",
		Summary: "Sent as shown by example.com's mail system.",
		Signatures: []provenance.SignatureResult{{Aligned: true, Signature: dkim.Signature{
			Domain: "example.com", Selector: "s1", Algorithm: "rsa-sha256", Canonicalization: "relaxed/relaxed",
			HeaderSignature: dkim.HeaderValid, BodyHash: dkim.BodyMatch, Result: dkim.ResultPass,
			KeyBits: 2048, KeySource: "keys.jsonl", SignedHeaders: []string{"from"}, BodyLength: -1,
		}}},
		Explanation: provenance.Explanation{
			Meaning: `"Authentic" means the message was sent as shown by the signing domain's mail system; it does not mean that what the message says is true.`,
			Signatures: []provenance.SignatureAccount{{
				Summary: "Signature 1, by example.com (selector s1, rsa-sha256, relaxed/relaxed), speaks for the From domain: verifies with a 2048-bit RSA key from keys.jsonl. It covers From and the whole body; Subject, Date and Message-ID are not covered.",
				Details: []string{
					"Header signature valid: the signed header fields are as they were sent.",
					"Body hash match: the signed body is as it was sent.",
				},
			}},
			Proven: []string{
				"Proven as sent: From and the whole body.",
				"Not proven: Subject, Date and Message-ID are not covered by the signature, so do not quote them as sent.",
			},
		},
	}
}

func ExampleNewJSONWriter() {
	w := report.NewJSONWriter(os.Stdout)
	_ = w.Write(&provenance.Assessment{File: "gone.mbox", Err: os.ErrNotExist})
	_ = w.Close()
	// Output:
	// {"id":"","file":"gone.mbox","entry":0,"index":0,"offset":0,"size":0,"sha256":"","format":"","message_id":"","from":"","from_address":"","to":"","cc":"","subject":"","date":"","in_reply_to":"","references":[],"verdict":"","confidence":"","summary":"","signatures":[],"arc":{"chain":"none","failed_instance":0,"instances":[]},"coverage":{"fields":{"cc":"","date":"","from":"","message_id":"","reply_to":"","subject":"","to":""},"body":"","attachments":[]},"evidence":[],"error":"file does not exist"}
}

func ExampleNewCSVWriter() {
	w := report.NewCSVWriter(os.Stdout)
	_ = w.Write(exampleAssessment())
	_ = w.Close()
	// Output:
	// id,file,entry,index,offset,size,sha256,format,message_id,from,from_address,subject,date,verdict,confidence,signer,evidence_codes,summary,error
	// 6bb808d659eb606e5d4a16b9ee4e9b6cd9aae3dd01eac77f777462dd3e9071da,inbox.mbox,0,1,44,812,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,mbox,1@example.com,Alice <alice@example.com>,alice@example.com,Hello,2016-03-04T12:00:00Z,authentic,high,example.com,,Sent as shown by example.com's mail system.,
}

func ExampleWriteExplanation() {
	a := exampleAssessment()
	a.Coverage = provenance.Coverage{Body: provenance.BodyFull, Fields: map[string]provenance.FieldStatus{
		"from": provenance.FieldSigned, "to": provenance.FieldAbsent, "cc": provenance.FieldAbsent,
		"subject": provenance.FieldUnsigned, "date": provenance.FieldUnsigned,
		"message_id": provenance.FieldUnsigned, "reply_to": provenance.FieldAbsent,
	}}
	_ = report.WriteExplanation(os.Stdout, a)
	// Output:
	// Message 1 of inbox.mbox
	//   ID          6bb808d659eb606e5d4a16b9ee4e9b6cd9aae3dd01eac77f777462dd3e9071da
	//   Location    byte offset 44, 812 bytes, stored as mbox
	//   SHA-256     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	//   From        Alice <alice@example.com>
	//   Subject     Hello
	//   Date        2016-03-04T12:00:00Z
	//   Message-ID  1@example.com
	//
	// Verdict: AUTHENTIC (high confidence)
	// Sent as shown by example.com's mail system.
	//
	// "Authentic" means the message was sent as shown by the signing domain's mail
	// system; it does not mean that what the message says is true.
	//
	// Signatures (1, top to bottom):
	//   Signature 1, by example.com (selector s1, rsa-sha256, relaxed/relaxed),
	//     speaks for the From domain: verifies with a 2048-bit RSA key from
	//     keys.jsonl. It covers From and the whole body; Subject, Date and
	//     Message-ID are not covered.
	//       Header signature valid: the signed header fields are as they were
	//         sent.
	//       Body hash match: the signed body is as it was sent.
	//
	// What is proven:
	//   Proven as sent: From and the whole body.
	//   Not proven: Subject, Date and Message-ID are not covered by the signature,
	//     so do not quote them as sent.
	//
	// Evidence: none.
	//
	// Remember: "authentic" means sent as shown by the signing domain's mail system,
	// not that the content is true; a signature proves the account, not the person.
}

func ExampleNewTextWriter() {
	w := report.NewTextWriter(os.Stdout)
	_ = w.Write(exampleAssessment())
	w.NotMail("notes.txt")
	_ = w.Close()
	// Output:
	// MESSAGE                       VERDICT       CONF    SIGNER            FROM                      SUBJECT
	// inbox.mbox#1                  authentic     high    example.com       alice@example.com         Hello
	//
	// 1 message: 1 authentic, 0 altered, 0 unverifiable; 1 non-mail file skipped
	// "authentic" means sent as shown by the signing domain's mail system, not that the content is true; a
	// signature proves the account, not the person. Run "leakproof explain" on a message for the details.
}

func ExampleNewHTMLWriter() {
	var page strings.Builder
	w := report.NewHTMLWriter(&page)
	_ = w.Write(exampleAssessment())
	_ = w.Close()
	// One self-contained page; the counts are at the top when it is shown.
	fmt.Println(strings.HasPrefix(page.String(), "<!DOCTYPE html>"), strings.Contains(page.String(), "<script"))
	fmt.Println(w.Tally())
	// Output:
	// true false
	// 1 message: 1 authentic, 0 altered, 0 unverifiable
}

// A report of more messages than fit on a page is an index page and page
// files, here two messages to a page, in a folder beside the index.
func ExampleNewPagedHTMLWriter() {
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	pages := filepath.Join(dir, "report.pages")
	if err := os.Mkdir(pages, 0o755); err != nil {
		panic(err)
	}
	index, err := os.Create(filepath.Join(dir, "report.html"))
	if err != nil {
		panic(err)
	}
	defer index.Close()
	w := report.NewPagedHTMLWriter(index, report.HTMLPages{
		Create: func(name string) (io.WriteCloser, error) { return os.Create(filepath.Join(pages, name)) },
		Folder: "report.pages",
		Index:  "report.html",
		Size:   2,
	})
	for i := range 5 {
		a := exampleAssessment()
		a.Index = i + 1
		if err := w.Write(a); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	entries, _ := os.ReadDir(pages)
	for _, e := range entries {
		fmt.Println("report.pages/" + e.Name())
	}
	// Output:
	// report.pages/page-0001.html
	// report.pages/page-0002.html
	// report.pages/page-0003.html
}
