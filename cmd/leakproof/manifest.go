package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/report"
)

// now is time.Now; the tests fix it, so that a manifest is stable.
var now = time.Now

// timestamp formats t for a manifest: RFC 3339 in UTC, to the second.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// hashInputs hashes every file under the PATH arguments that the walk
// reads, in the walk's order and under the names it gives them, and sends
// the list on the returned channel when done (or when ctx is done, with
// what it had).
//
// The archive package opens and reads the files itself, so this is a second
// streaming pass over each file, with a 1 MiB buffer and nothing kept. It
// runs beside the walk: SHA-256 is many times faster than verification, so
// it reads each file ahead of the walk and the walk then finds it in the
// page cache; the extra cost is one SHA-256 over the input, not a second
// read from disk, whenever the files fit in memory.
func hashInputs(ctx context.Context, paths []string) <-chan []report.ManifestInput {
	ch := make(chan []report.ManifestInput, 1)
	go func() {
		var inputs []report.ManifestInput
		for _, in := range scanInputs(ctx, paths, true) {
			inputs = append(inputs, in.ManifestInput)
		}
		ch <- append([]report.ManifestInput{}, inputs...)
	}()
	return ch
}

// scanInputs lists every file under the PATH arguments that the walk
// reads, in the walk's order and under the names it gives them, with its
// size and modification time, and with its SHA-256 when hash is set.
func scanInputs(ctx context.Context, paths []string, hash bool) []inputFile {
	h := &inputHasher{ctx: ctx, hash: hash}
	if hash {
		h.buf = make([]byte, 1<<20)
	}
	for _, p := range paths {
		h.path(p)
	}
	return h.inputs
}

// An inputFile is one file read by a run, as a manifest records it.
type inputFile struct {
	report.ManifestInput
	ModTime string `json:"mtime"` // RFC 3339 in UTC, to the nanosecond
}

type inputHasher struct {
	ctx    context.Context
	hash   bool
	buf    []byte
	inputs []inputFile

	// With share set (verify --shard), only the files of that share (of
	// shares) are listed, each with its place among all the files (seqs).
	share, shares int
	seq           int
	seqs          []int
}

// skips reports whether the file rel (relative to its PATH, as
// archive.ShareOf takes it) is another share's, counting it.
func (h *inputHasher) skips(rel string) bool {
	h.seq++
	return h.share > 0 && archive.ShareOf(rel, h.shares) != h.share
}

// path hashes one PATH argument: the file, or every file the walk reads
// under the folder. A file that cannot be read is left out: the report
// has its error record, and the manifest lists what was read.
func (h *inputHasher) path(p string) {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
	case fi.IsDir():
		h.dir(p)
	case fi.Mode().IsRegular():
		if h.skips(filepath.Base(p)) {
			return
		}
		f, err := os.Open(p)
		if err == nil {
			h.file(p, f)
			f.Close()
		}
	}
}

// dir hashes the files of a folder tree as archive.Walk reads them: through
// os.OpenRoot (no link leads out of the tree), in name order, links to
// folders not followed, and a Maildir's tmp/ skipped.
func (h *inputHasher) dir(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	fsys := root.FS()
	_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if h.ctx.Err() != nil {
			return fs.SkipAll
		}
		if err != nil || name == "." {
			return nil
		}
		if d.IsDir() {
			if path.Base(name) == "tmp" && isMaildir(fsys, path.Dir(name)) {
				return fs.SkipDir
			}
			return nil
		}
		if fi, err := d.Info(); err != nil || !fi.Mode().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if h.skips(name) {
			return nil
		}
		f, err := root.Open(name)
		if err != nil {
			return nil
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			h.file(strings.TrimRight(dir, "/")+"/"+name, f)
		}
		return nil
	})
}

// isMaildir reports whether dir holds cur/ and new/ folders, as a Maildir
// does (the walk skips the tmp/ beside them).
func isMaildir(fsys fs.FS, dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		fi, err := fs.Stat(fsys, path.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// file hashes one open file, unless the run was interrupted.
func (h *inputHasher) file(name string, f *os.File) {
	fi, err := f.Stat()
	if err != nil {
		return
	}
	in := inputFile{ManifestInput: report.ManifestInput{Path: name, Size: fi.Size()}, ModTime: fi.ModTime().UTC().Format(time.RFC3339Nano)}
	if h.hash {
		sum := sha256.New()
		n, err := io.CopyBuffer(sum, ctxReader{h.ctx, f}, h.buf)
		if err != nil {
			return
		}
		in.Size, in.SHA256 = n, hex.EncodeToString(sum.Sum(nil))
	}
	h.inputs = append(h.inputs, in)
	h.seqs = append(h.seqs, h.seq)
}

// ctxReader stops reading once ctx is done: an interrupt must not wait
// for the hash of a file of many gigabytes.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// policy returns the policy flags in force, as a manifest records them.
func (c *checkFlags) policy() report.ManifestPolicy {
	p := report.ManifestPolicy{
		MinRSABits:   c.minRSABits,
		NoSHA1:       c.noSHA1,
		TrustSealers: append([]string{}, c.trustSealers...),
		DNS:          c.dnsSource != nil,
	}
	if p.DNS {
		p.DNSServer = c.dnsServerUsed
	}
	return p
}

// writeManifest writes m as indented JSON to path, under a temporary name
// renamed into place when complete.
func writeManifest(path string, m *report.Manifest) error {
	f, err := createAtomic("--manifest", path)
	if err != nil {
		return err
	}
	defer f.abort()
	if err := encodeManifest(f, m); err != nil {
		return fmt.Errorf("--manifest: %w", err)
	}
	return f.commit()
}

// encodeManifest writes m as indented JSON, with <, > and & as they are.
func encodeManifest(w io.Writer, m *report.Manifest) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
