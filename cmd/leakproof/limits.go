package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/leakproof/leakproof/archive"
)

// limitFlags are verify's caps on what a hostile archive may cost: each
// sets a field of archive.Options, and 0 (the default) keeps the
// library's default.
type limitFlags struct {
	maxMessage, maxZipTotal, maxTotal, maxDirectory sizeFlag
	maxZipEntries, maxFiles, maxPathDepth           int
}

func (l *limitFlags) register(fs *flag.FlagSet) {
	fs.Var(&l.maxMessage, "max-message-size", "largest message read, as `SIZE` (100M)")
	fs.Var(&l.maxZipTotal, "max-zip-total", "bytes one zip may inflate in all, as `SIZE` (64G)")
	fs.Var(&l.maxTotal, "max-total", "bytes the run may inflate in all, as `SIZE` (1T)")
	fs.Var(&l.maxDirectory, "max-zip-directory", "largest zip central directory, as `SIZE` (64M)")
	fs.IntVar(&l.maxZipEntries, "max-zip-entries", 0, "entries per zip or tar (1048576)")
	fs.IntVar(&l.maxFiles, "max-files", 0, "files and entries read per PATH (16777216)")
	fs.IntVar(&l.maxPathDepth, "max-path-depth", 0, "folders deep below a PATH (100)")
}

// validate reports a usage error, or "" when there is none.
func (l *limitFlags) validate() string {
	for _, f := range []struct {
		name string
		v    int
	}{{"max-zip-entries", l.maxZipEntries}, {"max-files", l.maxFiles}, {"max-path-depth", l.maxPathDepth}} {
		if f.v < 0 {
			return fmt.Sprintf("--%s %d: must be 0 (the default) or more", f.name, f.v)
		}
	}
	return ""
}

// options returns the walk's options, with one counter of inflated bytes
// shared by the walks of every PATH, so that --max-total bounds the run.
func (l *limitFlags) options() *archive.Options {
	return &archive.Options{
		MaxMessageSize:      int64(l.maxMessage),
		MaxZipTotal:         int64(l.maxZipTotal),
		MaxInflatedTotal:    int64(l.maxTotal),
		MaxCentralDirectory: int64(l.maxDirectory),
		MaxZipEntries:       l.maxZipEntries,
		MaxFiles:            l.maxFiles,
		MaxPathDepth:        l.maxPathDepth,
		Inflated:            new(atomic.Int64),
		// The checker's workers hash each message, not the walk.
		DeferDigest: true,
		// A large message is read in one piece once the checker is ready
		// for it, not held by the walk.
		DeferLarge: archive.DeferLargeSize,
	}
}

// sizeFlag is a byte count written as a number with an optional binary
// suffix: 512, 64K, 100M, 2G, 1T (K, M, G and T are powers of 1024; KiB
// and KB read the same).
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

func parseSize(v string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(v))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	shift := 0
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		}
	}
	if shift > 0 {
		t = t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return 0, fmt.Errorf("%q is not a size: write a number of bytes, or one with K, M, G or T after it (100M)", v)
	}
	return n << shift, nil
}
