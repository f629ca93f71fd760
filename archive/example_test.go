package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/leakproof/leakproof/archive"
)

func ExampleWalk() {
	dir, err := os.MkdirTemp("", "leak")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"inbox.mbox": "From alice@example.com Tue Mar  1 10:00:00 2016\n" +
			"From: alice@example.com\nSubject: one\n\nHello.\n\n" +
			"From bob@example.org Tue Mar  1 11:00:00 2016\n" +
			"From: bob@example.org\nSubject: two\n\nBye.\n",
		"Maildir/cur/1456826400.M1P1.host:2,S": "From: carol@example.net\r\nSubject: three\r\n\r\nHi.\r\n",
		"notes.txt":                            "Not an email.\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Println(err)
			return
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			fmt.Println(err)
			return
		}
	}
	for m := range archive.Walk(context.Background(), dir, nil) {
		name, _ := filepath.Rel(dir, m.File)
		switch {
		case errors.Is(m.Err, archive.ErrNotMail):
			fmt.Printf("%s: not mail\n", name)
		case m.Err != nil:
			fmt.Printf("%s: error\n", name)
		default:
			fmt.Printf("%s #%d %s offset %d size %d sha256 %s…\n", name, m.Index, m.Format, m.Offset, m.Size, m.SHA256[:12])
		}
	}
	// Output:
	// Maildir/cur/1456826400.M1P1.host:2,S #1 eml offset 0 size 48 sha256 f5e79c6e962f…
	// inbox.mbox #1 mbox offset 48 size 46 sha256 45d6022ca4c2…
	// inbox.mbox #2 mbox offset 140 size 41 sha256 bbef2086ebb0…
	// notes.txt: not mail
}

// A message's ID can be recomputed from its JSON record: the hex SHA-256
// of its sha256, its path below the PATH the walk was given, its entry and
// its index, each followed by a NUL byte.
func ExampleMessageID() {
	fmt.Println(archive.MessageID("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "inbox.mbox", 0, 3))
	// Output:
	// ef2eac559ffd8bbb18315dd17fdceba0a4bdce463d47630a947ae52a95802152
}

// A walk whose messages are hashed where they are checked, in parallel:
// with DeferDigest the walk leaves SHA256 and ID to Digest, which
// provenance.Checker.Check calls. A caller ranging over the walk itself
// calls Digest before it reads either.
func ExampleMessage_Digest() {
	dir, err := os.MkdirTemp("", "leak")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	mbox := "From alice@example.com Tue Mar  1 10:00:00 2016\n" +
		"From: alice@example.com\nSubject: one\n\nHello.\n\n" +
		"From bob@example.org Tue Mar  1 11:00:00 2016\n" +
		"From: bob@example.org\nSubject: two\n\nBye.\n"
	if err := os.WriteFile(filepath.Join(dir, "inbox.mbox"), []byte(mbox), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	for m := range archive.Walk(context.Background(), dir, &archive.Options{DeferDigest: true}) {
		fmt.Printf("#%d before: %q", m.Index, m.SHA256)
		m.Digest() // in a worker goroutine, which then owns m
		fmt.Printf(", after: %s… id %s…\n", m.SHA256[:12], m.ID[:12])
	}
	// Output:
	// #1 before: "", after: 45d6022ca4c2… id 89ccae8015b0…
	// #2 before: "", after: bbef2086ebb0… id 1366aee531a2…
}

// A caller that reads Raw anyway (a verifier hashing the body) can give the
// digest to DigestWith from that same pass; SHA256 and ID come out as
// Digest makes them.
func ExampleMessage_DigestWith() {
	dir, err := os.MkdirTemp("", "leak")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	mbox := "From alice@example.com Tue Mar  1 10:00:00 2016\n" +
		"From: alice@example.com\nSubject: one\n\nHello.\n\n" +
		"From bob@example.org Tue Mar  1 11:00:00 2016\n" +
		"From: bob@example.org\nSubject: two\n\nBye.\n"
	if err := os.WriteFile(filepath.Join(dir, "inbox.mbox"), []byte(mbox), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	for m := range archive.Walk(context.Background(), dir, &archive.Options{DeferDigest: true}) {
		var lines int
		m.DigestWith(func(raw []byte) [sha256.Size]byte {
			lines = bytes.Count(raw, []byte("\n")) // the caller's own work on raw
			return sha256.Sum256(raw)
		})
		fmt.Printf("#%d: %d lines, %s… id %s…\n", m.Index, lines, m.SHA256[:12], m.ID[:12])
	}
	// Output:
	// #1: 5 lines, 45d6022ca4c2… id 89ccae8015b0…
	// #2: 4 lines, bbef2086ebb0… id 1366aee531a2…
}
