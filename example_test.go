package leakproof_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// exampleOptions loads the sample key archive, as every program starts.
func exampleOptions() *leakproof.Options {
	keys, err := leakproof.ReadKeyFiles("testdata/keys.jsonl")
	if err != nil {
		panic(err)
	}
	return &leakproof.Options{Check: provenance.Options{
		Keys: keys,
		Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), // fixed, for the output below
	}}
}

// One message, as an upload or a database row holds it.
func ExampleVerifyMessage() {
	raw, err := os.ReadFile("testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	a := leakproof.VerifyMessage(context.Background(), "board-pack.eml", raw, exampleOptions())
	fmt.Println(a.File, a.Verdict, a.Confidence, a.Signer)
	fmt.Println(a.Summary)

	// The same bytes with one word of the body changed.
	edited := bytes.Replace(raw, []byte("board"), []byte("Board"), 1)
	a = leakproof.VerifyMessage(context.Background(), "edited.eml", edited, exampleOptions())
	fmt.Println(a.File, a.Verdict, a.Confidence)
	// Output:
	// board-pack.eml authentic high example.com
	// Authentic: sent as shown by example.com's mail system, whose signature covers From, To, Cc, Subject, Date and Message-ID and the whole body; this shows who sent it, not that the content is true.
	// edited.eml altered high
}

// Without a key archive every signed message is unverifiable: the key is
// what a signature is checked with.
func ExampleVerifyMessage_noKeys() {
	raw, err := os.ReadFile("testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	a := leakproof.VerifyMessage(context.Background(), "board-pack.eml", raw, nil)
	fmt.Println(a.Verdict, a.Signatures[0].Result)
	// Output:
	// unverifiable no_key
}

// An archive on disk, checked in parallel and reported in archive order.
func ExampleVerify() {
	err := leakproof.Verify(context.Background(), "testdata/sample.mbox", exampleOptions(), func(a *provenance.Assessment) error {
		fmt.Printf("%s#%d %s %s %s\n", a.File, a.Index, a.Verdict, a.Confidence, a.FromAddress)
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// testdata/sample.mbox#1 authentic high alice@example.com
	// testdata/sample.mbox#2 authentic medium desk@news.example
	// testdata/sample.mbox#3 altered high carol@example.org
	// testdata/sample.mbox#4 altered high alice@example.com
	// testdata/sample.mbox#5 unverifiable low dave@example.net
	// testdata/sample.mbox#6 unverifiable low alice@example.com
	// testdata/sample.mbox#7 authentic high carol@example.org
	// testdata/sample.mbox#8 authentic high alice@example.com
	// error: <nil>
}

// Any fs.FS: here a folder of .eml files; File is the path in the FS.
func ExampleVerifyFS() {
	opts := exampleOptions()
	// NotMail is called from the walk's goroutine, which reads ahead of
	// emit: keep the names and say them at the end.
	var skipped []string
	opts.NotMail = func(m *archive.Message) { skipped = append(skipped, m.File) }
	err := leakproof.VerifyFS(context.Background(), os.DirFS("testdata/formats"), opts, func(a *provenance.Assessment) error {
		if strings.HasPrefix(a.File, "eml/") {
			fmt.Println(a.File, a.Verdict)
		}
		return nil
	})
	for _, f := range skipped { // VerifyFS has returned: the walk is over
		fmt.Println("not mail:", f)
	}
	fmt.Println("error:", err)
	// Output:
	// eml/Inbox/2016/minutes.eml authentic
	// eml/Inbox/quarterly-figures.eml authentic
	// eml/Sent/board-pack.eml authentic
	// not mail: archive.zip/Mail/notes.txt
	// not mail: notes.txt
	// error: <nil>
}

// An upload held in memory, walked under the name its records should
// carry: a zip's messages are named inside it.
func ExampleVerifyReaderAt() {
	data, err := os.ReadFile("testdata/formats/archive.zip")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = leakproof.VerifyReaderAt(context.Background(), "upload.zip", bytes.NewReader(data), int64(len(data)), exampleOptions(),
		func(a *provenance.Assessment) error {
			fmt.Printf("%s#%d %s\n", a.File, a.Index, a.Verdict)
			return nil
		})
	fmt.Println("error:", err)
	// Output:
	// upload.zip/Mail/eml/1.eml#1 authentic
	// upload.zip/Mail/eml/2.eml#1 authentic
	// upload.zip/Mail/inbox.mbox#1 authentic
	// upload.zip/Mail/inbox.mbox#2 authentic
	// upload.zip/Mail/inbox.mbox#3 authentic
	// error: <nil>
}

// A key source of the program's own: anything with a Lookup method, here
// a newsroom's key store in a map, falling back to the key archive.
func Example_customKeySource() {
	store := keyStore{"s2048._domainkey.example.com": {
		{Domain: "example.com", Selector: "s2048", TXT: sampleTXT("example.com", "s2048"), Source: "desk key store"},
	}}
	raw, err := os.ReadFile("testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := &leakproof.Options{Check: provenance.Options{Keys: store}}
	a := leakproof.VerifyMessage(context.Background(), "board-pack.eml", raw, opts)
	fmt.Println(a.Verdict, a.Signatures[0].KeySource)
	// Output:
	// authentic desk key store
}

// keyStore answers key lookups from memory. Lookup returns no records and
// a nil error for a name it does not know.
type keyStore map[string][]dkim.KeyRecord

func (k keyStore) Lookup(_ context.Context, domain, selector string) ([]dkim.KeyRecord, error) {
	return k[strings.ToLower(selector+"._domainkey."+domain)], nil
}

// sampleTXT returns the record testdata/keys.jsonl holds for a name.
func sampleTXT(domain, selector string) string {
	keys, err := leakproof.ReadKeyFiles("testdata/keys.jsonl")
	if err != nil {
		panic(err)
	}
	recs, err := keys.Lookup(context.Background(), domain, selector)
	if err != nil || len(recs) == 0 {
		panic(fmt.Sprint("no key for ", selector, "._domainkey.", domain, err))
	}
	return recs[0].TXT
}

// JSON Lines, the records of "leakproof verify --format json": one object
// per message, every field always present (docs/json.md).
func Example_jsonLines() {
	var out bytes.Buffer
	w := report.NewJSONWriter(&out)
	err := leakproof.Verify(context.Background(), "testdata/sample.mbox", exampleOptions(), w.Write)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	for line := range strings.Lines(out.String()) {
		var rec struct {
			ID      string `json:"id"`
			Index   int    `json:"index"`
			Verdict string `json:"verdict"`
			Signer  string `json:"signer"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec.Index, rec.Verdict, rec.ID[:16])
	}
	// Output:
	// 1 authentic 584f06b336c52c3d
	// 2 authentic 15caeeb72f424531
	// 3 altered 5d1af5ddf1429c06
	// 4 altered 0aa90bcfea25fac0
	// 5 unverifiable 851dfdabfc01f17a
	// 6 unverifiable 0d9118d8fafd2a7b
	// 7 authentic edcac00a200c5310
	// 8 authentic c0a096f4545d15df
}

// CSV for a spreadsheet, with the columns of report.CSVColumns.
func Example_csv() {
	var out bytes.Buffer
	w := report.NewCSVWriter(&out)
	if err := leakproof.Verify(context.Background(), "testdata/sample.mbox", exampleOptions(), w.Write); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, r := range rows[:4] {
		fmt.Println(r[col["index"]], r[col["verdict"]], r[col["confidence"]], r[col["signer"]])
	}
	// Output:
	// index verdict confidence signer
	// 1 authentic high example.com
	// 2 authentic medium news.example
	// 3 altered high example.org
}

// One self-contained HTML page for an editor: no script, nothing loaded.
func Example_html() {
	var out bytes.Buffer
	w := report.NewHTMLWriter(&out)
	if err := leakproof.Verify(context.Background(), "testdata/sample.mbox", exampleOptions(), w.Write); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	page := out.String()
	fmt.Println(strings.HasPrefix(page, "<!DOCTYPE html>"), strings.Contains(page, "Content-Security-Policy"), strings.Contains(page, "<script"))
	// Output:
	// true true false
}

// A long run with a progress callback, stopped part way: emit sees every
// assessment as it is ready, in archive order, and Verify returns as soon
// as the context is cancelled, its workers stopped.
func Example_progressAndCancel() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	checked := 0
	err := leakproof.Verify(ctx, "testdata/sample.mbox", exampleOptions(), func(a *provenance.Assessment) error {
		checked++
		fmt.Printf("checked %d: %s#%d %s\n", checked, a.File, a.Index, a.Verdict)
		if checked == 3 {
			// The user pressed Stop. Cancelling ctx from any goroutine
			// stops the run; returning an error stops it at once.
			cancel()
			return ctx.Err()
		}
		return nil
	})
	fmt.Println("stopped:", errors.Is(err, context.Canceled), "after", checked)
	// Output:
	// checked 1: testdata/sample.mbox#1 authentic
	// checked 2: testdata/sample.mbox#2 authentic
	// checked 3: testdata/sample.mbox#3 altered
	// stopped: true after 3
}
