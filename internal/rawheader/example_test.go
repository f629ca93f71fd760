package rawheader_test

import (
	"fmt"

	"github.com/leakproof/leakproof/internal/rawheader"
)

func ExampleSplit() {
	msg := []byte("From: a@example.com\nFrom\n : evil@example.net\nSubject: hi\n there\n\nbody\n")
	h, err := rawheader.Split(msg, nil)
	if err != nil {
		panic(err)
	}
	for _, f := range h.Fields {
		fmt.Printf("%d %s folded-name=%v raw=%q\n", f.Offset, f.Name(), f.FoldedName(), f.Raw)
	}
	fmt.Printf("body at %d: %q\n", h.BodyOffset, msg[h.BodyOffset:])
	// Output:
	// 0 From folded-name=false raw="From: a@example.com\n"
	// 20 From folded-name=true raw="From\n : evil@example.net\n"
	// 45 Subject folded-name=false raw="Subject: hi\n there\n"
	// body at 65: "body\n"
}
