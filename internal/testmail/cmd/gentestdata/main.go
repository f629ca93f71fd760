// Command gentestdata writes the synthetic test corpus into testdata/ at the
// module root:
//
//	go run ./internal/testmail/cmd/gentestdata
//
// It is deterministic: running it again gives no diff. Files it no longer
// makes are removed from the folders it owns (testdata/formats, adversarial
// and benign). It also writes testdata/arc through
// testmail.WriteARCTestdata (the ARC test sealer's cases); nothing else under
// testdata/ is touched. A test in
// internal/testmail fails when the committed files differ from what it
// makes, so never edit them by hand.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/leakproof/leakproof/internal/testmail"
)

func main() {
	dir := flag.String("dir", "", "output folder (default: testdata/ at the module root)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gentestdata: error:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		dir = filepath.Join(root, "testdata")
	}
	files := testmail.Corpus()
	want := make(map[string]bool, len(files))
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[path] = true
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if old, err := os.ReadFile(path); err == nil && string(old) == string(f.Data) {
			continue
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	for _, sub := range testmail.GeneratedDirs() {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || want[path] {
				return err
			}
			return os.Remove(path)
		})
		if err != nil {
			return err
		}
	}
	if err := testmail.WriteARCTestdata(dir); err != nil {
		return err
	}
	fmt.Printf("gentestdata: %d files and arc/ in %s\n", len(files), dir)
	return nil
}

// moduleRoot returns the nearest folder above the working directory that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
