package archive_test

import (
	"context"
	"fmt"

	"github.com/leakproof/leakproof/archive"
)

// Two machines share an mbox: each walks it with its Share and gets the
// messages of its byte range, numbered from 1 in the range; Unit says
// where each range starts, so that the records can be put back in order.
func ExampleShare() {
	for i := 1; i <= 2; i++ {
		opts := &archive.Options{Share: &archive.Share{I: i, N: 2, SplitAbove: 1 << 10, Unit: func(u archive.Unit) {
			fmt.Printf("share %d: range %d of %s, bytes %d to %d\n", i, u.Range, u.Path, u.Start, u.End)
		}}}
		for m := range archive.Walk(context.Background(), "../testdata/sample.mbox", opts) {
			fmt.Printf("  #%d at offset %d\n", m.Index, m.Offset)
		}
	}
	// Output:
	// share 1: range 1 of sample.mbox, bytes 0 to 3651
	//   #1 at offset 48
	//   #2 at offset 1074
	//   #3 at offset 1831
	//   #4 at offset 2780
	// share 2: range 2 of sample.mbox, bytes 3651 to 7063
	//   #1 at offset 3698
	//   #2 at offset 4093
	//   #3 at offset 5028
	//   #4 at offset 5748
}
