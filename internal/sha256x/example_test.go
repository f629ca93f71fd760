package sha256x_test

import (
	"fmt"

	"github.com/leakproof/leakproof/internal/sha256x"
)

func ExampleSum2() {
	msg := []byte("Subject: Hi\r\n\r\nSee you at noon.\r\n")
	body := msg[15:] // a slice of the same bytes
	// The digests are those sha256sum prints for the two byte strings.
	custody, bodySum := sha256x.Sum2(msg, body)
	fmt.Printf("%x\n%x\n", custody, bodySum)
	// Output:
	// 896eae29767102165afbadad0bf58085632fe71eca220559c0be6c39099f0247
	// 4e32994f4e269c038ccfacde8ab329f5220162e3745f401f5f7454396a9730e5
}

func ExamplePair() {
	var p sha256x.Pair
	// Stream A gets a message in two pieces, stream B only its last line
	// and then a line ending of its own.
	p.Write2([]byte("Subject: Hi\r\n\r\n"), nil)
	p.Write2([]byte("See you at noon.\r\n"), []byte("See you at noon."))
	p.Write2(nil, []byte("\r\n"))
	a, b := p.Sums()
	fmt.Printf("%x\n%x\n", a, b)
	// Output:
	// 896eae29767102165afbadad0bf58085632fe71eca220559c0be6c39099f0247
	// 4e32994f4e269c038ccfacde8ab329f5220162e3745f401f5f7454396a9730e5
}
