package mbox_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakproof/leakproof/mbox"
)

func ExampleReader() {
	const archive = "From alice@example.com Tue Mar  1 10:00:00 2016\n" +
		"Subject: one\n\nHello.\n>From the archive.\n\n" +
		"From bob@example.org Tue Mar  1 11:00:00 2016\n" +
		"Subject: two\n\nBye.\n"
	rd := mbox.NewReader(strings.NewReader(archive), nil)
	for m, err := range rd.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		raw, err := io.ReadAll(m.Body)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%d: offset %d, %d bytes, %s, %q\n", m.Index, m.Offset, m.Size, m.Format, m.Separator)
		for _, v := range mbox.Views(raw, m.Format) {
			fmt.Printf("   %-7s %q\n", v.Format, v.Data)
		}
	}
	// Output:
	// 1: offset 48, 41 bytes, mbox, "From alice@example.com Tue Mar  1 10:00:00 2016"
	//    mboxrd  "Subject: one\n\nHello.\nFrom the archive.\n\n"
	//    mboxcl2 "Subject: one\n\nHello.\n>From the archive.\n\n"
	// 2: offset 135, 19 bytes, mbox, "From bob@example.org Tue Mar  1 11:00:00 2016"
	//    mboxrd  "Subject: two\n\nBye.\n"
}

func ExampleIsSeparator() {
	for _, line := range []string{
		"From 1234567890123456789@xxx Mon Jan 01 00:00:00 +0000 2018",
		"From the Jan 2018 meeting at 10:30",
	} {
		fmt.Println(mbox.IsSeparator([]byte(line)))
	}
	// Output:
	// true
	// false
}

// Messages kept after the Reader moves on: Bytes hands out each one as a
// slice of the Reader's buffer, without a copy, and with what the Reader
// learnt of its lines. The second message is CRLF; the blank line its
// writer put after it ends in a bare LF, which Lines sets apart.
func ExampleMessage_Bytes() {
	const archive = "From alice@example.com Tue Mar  1 10:00:00 2016\n" +
		"Subject: one\n\n>From the archive.\n\n" +
		"From bob@example.org Tue Mar  1 11:00:00 2016\n" +
		"Subject: two\r\n\r\nBye.\r\n\n"
	rd := mbox.NewReader(strings.NewReader(archive), nil)
	var kept [][]byte
	for m, err := range rd.All() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		raw, err := m.Bytes(1 << 20)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		kept = append(kept, raw)
		fmt.Printf("%d: %+v\n", m.Index, m.Lines)
	}
	for _, raw := range kept {
		fmt.Printf("%q\n", raw)
	}
	// Output:
	// 1: {Trailer:1 BareLF:true Escaped:true}
	// 2: {Trailer:1 BareLF:false Escaped:false}
	// "Subject: one\n\n>From the archive.\n\n"
	// "Subject: two\r\n\r\nBye.\r\n\n"
}
