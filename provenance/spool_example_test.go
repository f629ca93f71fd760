package provenance_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
)

// A record written on one machine and read back on another keeps what the
// archive pass needs, and its error's identity: here the file and place of
// a message over the size cap.
func ExampleSpoolEncoder() {
	var stream bytes.Buffer
	enc := provenance.NewSpoolEncoder(&stream)
	c := provenance.NewChecker(nil)
	for m := range archive.Walk(context.Background(), "../testdata/sample.mbox", &archive.Options{MaxMessageSize: 1000}) {
		if err := enc.Encode(c.Check(context.Background(), m), []byte("machine 1")); err != nil {
			fmt.Println(err)
			return
		}
	}
	dec := provenance.NewSpoolDecoder(&stream)
	for {
		a, aux, err := dec.Decode()
		if err != nil {
			break
		}
		if p, ok := a.Err.(*archive.PathError); ok {
			fmt.Printf("%s: message %d at offset %d of %s: too large: %v\n", aux, p.Index, p.Offset, a.File, errors.Is(a.Err, archive.ErrTooLarge))
		}
	}
	// Output:
	// machine 1: message 8 at offset 5748 of ../testdata/sample.mbox: too large: true
}
