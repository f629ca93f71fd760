// Command verify is the smallest complete program on top of leakproof's
// packages: it checks every message of an archive against a key archive and
// prints one verdict per line.
//
//	go run ./examples/verify testdata/keys.jsonl testdata/sample.mbox
//
// The leakproof command does the same with flags, progress, and the report
// formats; this shows the three calls an embedder needs.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: verify KEYFILE PATH")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, keyPath, path string) error {
	// 1. Keys: a key archive (JSON Lines or a BIND zone file). No DNS.
	f, err := os.Open(keyPath)
	if err != nil {
		return err
	}
	defer f.Close()
	keys, err := dkim.ReadKeyFile(f, keyPath)
	if err != nil {
		return err
	}

	// 2. A checker with the default policy.
	checker := provenance.NewChecker(&provenance.Options{Keys: keys})

	// 3. Every message of the archive, checked in parallel and reported
	// in archive order.
	return checker.Run(ctx, archive.Walk(ctx, path, nil), func(a *provenance.Assessment) error {
		switch {
		case a.Err != nil:
			fmt.Printf("%s#%d\terror: %v\n", a.File, a.Index, a.Err)
		default:
			fmt.Printf("%s#%d\t%s\t%s\t%s\n", a.File, a.Index, a.Verdict, a.FromAddress, a.Summary)
		}
		return nil
	})
}
