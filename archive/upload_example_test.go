package archive_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/leakproof/leakproof/archive"
)

// A message held in memory, an upload or a row of a database, gets the
// chain of custody a file of its own would give it.
func ExampleNewMessage() {
	raw, err := os.ReadFile("../testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m := archive.NewMessage("board-pack.eml", raw)
	fmt.Println(m.File, m.Index, m.Format, m.Size)
	fmt.Println("sha256:", m.SHA256)
	fmt.Println("id:    ", m.ID)
	// Output:
	// board-pack.eml 1 eml 1353
	// sha256: b8a0002da32f77d48ed9f0f13f525a35aa3bec21bc1a8a2622188167d05a42c0
	// id:     d59c154c260af3c52da0206ff51e56e11d02aed2d9f522bc990b6ffc3a38dc0c
}

// An uploaded mbox or zip is walked from memory, under the name the
// records should carry: no temporary file, and no temporary name in them.
func ExampleWalkReaderAt() {
	data, err := os.ReadFile("../testdata/formats/archive.zip")
	if err != nil {
		fmt.Println(err)
		return
	}
	for m := range archive.WalkReaderAt(context.Background(), "upload.zip", bytes.NewReader(data), int64(len(data)), nil) {
		fmt.Println(m.File, m.Index, m.Format, m.Err)
	}
	// Output:
	// upload.zip/Mail/eml/1.eml 1 eml <nil>
	// upload.zip/Mail/eml/2.eml 1 eml <nil>
	// upload.zip/Mail/inbox.mbox 1 mbox <nil>
	// upload.zip/Mail/inbox.mbox 2 mbox <nil>
	// upload.zip/Mail/inbox.mbox 3 mbox <nil>
	// upload.zip/Mail/notes.txt 0  archive: upload.zip/Mail/notes.txt: not a mail file
}

// Any fs.FS can be walked: os.DirFS, an embed.FS, a testing/fstest.MapFS.
// MailOnly drops the files that are not mail and says which they were.
func ExampleWalkFS() {
	fsys := os.DirFS("../testdata/formats")
	msgs := archive.MailOnly(archive.WalkFS(context.Background(), fsys, nil), func(m *archive.Message) {
		fmt.Println("skipped:", m.File)
	})
	n := 0
	for m := range msgs {
		if n++; n <= 3 {
			fmt.Println(m.File, m.Index, m.Format)
		}
	}
	fmt.Println(n, "messages")
	// Output:
	// apple/4012.emlx 1 emlx
	// archive.zip/Mail/eml/1.eml 1 eml
	// archive.zip/Mail/eml/2.eml 1 eml
	// skipped: archive.zip/Mail/notes.txt
	// skipped: notes.txt
	// 30 messages
}
