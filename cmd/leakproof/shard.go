package main

import (
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"sync"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// The shard file format (docs/scale.md, "The shard file"): a first line
// naming the format and its version, a line of JSON (shardHeader), then a
// stream of provenance.SpoolEncoder records compressed with DEFLATE, each
// with a JSON key in its aux bytes (shardKey), ending with one whose aux is
// the trailer (shardTrailer), and a last line with the hex SHA-256 of the
// compressed stream.
const (
	shardMagic         = "leakproof-shard"
	shardFormatVersion = 1
	shardFooterLen     = 2*sha256.Size + 1 // the hex SHA-256 of the records and "\n"
)

// shardSpec is --shard I/N.
type shardSpec struct{ i, n int }

func (s *shardSpec) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

func (s *shardSpec) Set(v string) error {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > maxShards {
		return fmt.Errorf("%q is not a share: write I/N, with N from 1 to %d and I from 1 to N (2/8 is the second of eight)", v, maxShards)
	}
	s.i, s.n = i, n
	return nil
}

// maxShards bounds N: merge holds one record of each shard at a time.
const maxShards = 100000

// shardHeader is the second line of a shard file.
type shardHeader struct {
	Format           string   `json:"format"`         // "leakproof-shard"
	FormatVersion    int      `json:"format_version"` // 1
	LeakproofVersion string   `json:"leakproof_version"`
	Commit           string   `json:"commit"`
	Run              string   `json:"run"` // hex SHA-256 of what every shard of one run shares
	Shard            int      `json:"shard"`
	Shards           int      `json:"shards"`
	SplitAbove       int64    `json:"split_above"`
	Command          []string `json:"command"` // as this shard was run
	// Verify is Command without --shard, --split-above, --out and
	// --format shard; the options merge is given go in at FormatAt.
	Verify      []string                 `json:"verify"`
	FormatAt    int                      `json:"format_at"`
	Paths       []string                 `json:"paths"`
	KeyFiles    []report.ManifestKeyFile `json:"key_files"`
	Policy      report.ManifestPolicy    `json:"policy"`
	ArchivePass bool                     `json:"archive_pass"`
	Started     string                   `json:"started"`
}

// shardKey places a record in the whole run: the PATH (R, 0-based), the
// file of the walk (U, archive.Unit.Seq), the byte range of a split mbox
// (G, 0 for a whole file) and, for a range, the file's path relative to
// PATH (P), which the record's id is computed from.
type shardKey struct {
	R int    `json:"r"`
	U int    `json:"u"`
	G int    `json:"g,omitempty"`
	P string `json:"p,omitempty"`
}

func (k shardKey) less(o shardKey) bool {
	if k.R != o.R {
		return k.R < o.R
	}
	if k.U != o.U {
		return k.U < o.U
	}
	return k.G < o.G
}

// shardTrailer is the aux of a shard file's last record.
type shardTrailer struct {
	End     bool           `json:"end"`
	Records int            `json:"records"`
	Inputs  []shardInput   `json:"inputs"`   // the input files this share hashed
	Skipped []shardSkipped `json:"skipped"`  // the first files not mail, of each kind
	NotMail map[string]int `json:"not_mail"` // files not mail, per unsupported format ("" for plain)
}

// shardInput is one input file, with its place among all the inputs.
type shardInput struct {
	Seq int `json:"seq"`
	report.ManifestInput
}

// shardSkipped is a file that is not mail, as the first ones are named.
type shardSkipped struct {
	Key    shardKey `json:"key"`
	Order  int      `json:"order"` // within the shard
	File   string   `json:"file"`
	Format string   `json:"format"` // of an unsupported mail format, "" for plain
}

// runDigest is the hex SHA-256 of what the shards of one run must share:
// the build, the flags other than --shard and --out (in name order), the
// paths and the key files' digests.
func runDigest(fs *flag.FlagSet, paths []string, keys []report.ManifestKeyFile) string {
	ver, commit := version()
	var flags [][2]string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "shard" && f.Name != "out" {
			flags = append(flags, [2]string{f.Name, f.Value.String()})
		}
	})
	b, _ := json.Marshal(struct {
		Version, Commit string
		Flags           [][2]string
		Paths           []string
		Keys            []report.ManifestKeyFile
	}{ver, commit, flags, paths, keys})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// shardRun is verify --shard: it checks its share of the inputs and
// writes the records, decided before the archive pass, with the pass's
// fingerprints, to the shard file.
type shardRun struct {
	spec       shardSpec
	splitAbove int64
	header     shardHeader

	mu    sync.Mutex
	keys  []shardKey // of the messages read and not yet written, in order
	cur   shardKey   // of the unit being walked
	root  int
	order int
	skips []shardSkipped
	count map[string]int
}

// walk walks every PATH with its share, noting the key of each record.
func (s *shardRun) walk(ctx context.Context, paths []string, opts *archive.Options) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for i, p := range paths {
			o := *opts
			o.Share = &archive.Share{I: s.spec.i, N: s.spec.n, SplitAbove: s.splitAbove, Unit: func(u archive.Unit) {
				s.cur = shardKey{R: i, U: u.Seq, G: u.Range}
				if u.Range > 0 {
					s.cur.P = u.Path
				}
			}}
			for m := range archive.Walk(ctx, p, &o) {
				if !yield(m) {
					return
				}
			}
		}
	}
}

// mailOnly drops the records of files that are not mail, keeping the
// first names of each kind with their keys, and queues the key of every
// other record.
func (s *shardRun) mailOnly(msgs iter.Seq[*archive.Message]) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for m := range msgs {
			s.order++
			if errors.Is(m.Err, archive.ErrNotMail) {
				format := ""
				if u, ok := errors.AsType[*archive.UnsupportedError](m.Err); ok {
					format = u.Format
				}
				s.mu.Lock()
				if s.count[format]++; s.count[format] <= maxSkippedNames {
					s.skips = append(s.skips, shardSkipped{Key: s.cur, Order: s.order, File: m.File, Format: format})
				}
				s.mu.Unlock()
				continue
			}
			s.mu.Lock()
			s.keys = append(s.keys, s.cur)
			s.mu.Unlock()
			if !yield(m) {
				return
			}
		}
	}
}

// next returns the key of the next record decided.
func (s *shardRun) next() shardKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[0]
	s.keys = s.keys[1:]
	return k
}

// runShard runs verify --shard: fs holds the parsed flags, paths the PATHs.
// args are verify's arguments as typed.
func runShard(ctx context.Context, s *shardRun, fs *flag.FlagSet, args []string, cf *checkFlags, lf *limitFlags, opts *provenance.Options, out string, paths []string, stderr io.Writer) int {
	started := now()
	ver, commit := version()
	s.count = map[string]int{}
	s.header = shardHeader{
		Format: shardMagic, FormatVersion: shardFormatVersion, LeakproofVersion: ver, Commit: commit,
		Run: runDigest(fs, paths, cf.keyFiles), Shard: s.spec.i, Shards: s.spec.n, SplitAbove: s.splitAbove,
		Command: append([]string{"leakproof", "verify"}, args...), Paths: paths, KeyFiles: cf.keyFiles,
		Policy: cf.policy(), ArchivePass: !noArchivePass(fs), Started: timestamp(started),
	}
	s.header.Verify, s.header.FormatAt = unsharded(fs, args)
	f, err := createAtomic("--out", out)
	if err != nil {
		errorf(stderr, err.Error(), "check that the folder of --out exists and can be written")
		return exitInput
	}
	defer f.abort()
	bw := bufio.NewWriterSize(f, 256<<10)
	hb, _ := json.Marshal(s.header)
	fmt.Fprintf(bw, "%s %d\n%s\n", shardMagic, shardFormatVersion, hb)
	body := sha256.New()
	zw, _ := flate.NewWriter(io.MultiWriter(bw, body), flate.BestSpeed) // records are text: about a sixth of their size
	enc := provenance.NewSpoolEncoder(zw)

	// The inputs this share owns are hashed beside the walk, for the
	// manifest merge writes.
	inputs := make(chan []shardInput, 1)
	go func() {
		h := &inputHasher{ctx: ctx, hash: true, buf: make([]byte, 1<<20), share: s.spec.i, shares: s.spec.n}
		for _, p := range paths {
			h.path(p)
		}
		list := make([]shardInput, len(h.inputs))
		for i, in := range h.inputs {
			list[i] = shardInput{Seq: h.seqs[i], ManifestInput: in.ManifestInput}
		}
		inputs <- list
	}()

	checker := provenance.NewChecker(opts)
	records, unreadable := 0, 0
	var last shardKey
	runErr := checker.Run(context.WithoutCancel(ctx), s.mailOnly(s.walk(ctx, paths, lf.options())), func(a *provenance.Assessment) error {
		k := s.next()
		if a.Err != nil {
			unreadable++
		}
		aux := k
		if k == last && records > 0 {
			aux.P = "" // said once per range
		}
		last = k
		b, _ := json.Marshal(aux)
		records++
		return enc.Encode(a, b)
	})
	in := <-inputs
	if ctx.Err() != nil && runErr == nil {
		errorf(stderr, fmt.Sprintf("interrupted; the shard file %s was not written", printable(out)), "run the same command again")
		return exitInterrupted
	}
	if runErr == nil {
		nm := map[string]int{}
		for k, v := range s.count {
			nm[k] = v
		}
		tb, _ := json.Marshal(shardTrailer{End: true, Records: records, Inputs: in, Skipped: s.skips, NotMail: nm})
		runErr = enc.Encode(&provenance.Assessment{}, tb)
	}
	if runErr == nil {
		runErr = zw.Close()
	}
	if runErr == nil {
		_, runErr = fmt.Fprintf(bw, "%x\n", body.Sum(nil))
	}
	if runErr == nil {
		runErr = bw.Flush()
	}
	if err := cf.close(); runErr == nil {
		runErr = err
	}
	if runErr == nil {
		runErr = f.commit()
	}
	if runErr != nil {
		errorf(stderr, runErr.Error(), "the shard file was not written")
		return exitInput
	}
	fmt.Fprintf(stderr, "leakproof: shard %d/%d: %s written to %s (%s could not be read); \"leakproof merge\" puts the shards together\n",
		s.spec.i, s.spec.n, plural(records, "record", "records"), printable(out), plural(unreadable, "record", "records"))
	if unreadable > 0 {
		return exitInput
	}
	return exitOK
}

// noArchivePass reports whether --no-archive-pass was given.
func noArchivePass(fs *flag.FlagSet) bool {
	f := fs.Lookup("no-archive-pass")
	return f != nil && f.Value.String() == "true"
}

// shardUsage checks the flags that go with --shard, and returns the usage
// error and its hint, or "" when there is none.
func shardUsage(fs *flag.FlagSet, format string, shard shardSpec, out string) (string, string) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case shard.n > 0 && format != "shard":
		return "--shard goes with --format shard", "a shard's records wait for \"leakproof merge\", which writes the report in any format: leakproof verify --shard I/N --format shard --out FILE PATH..."
	case format == "shard" && shard.n == 0:
		return "--format shard goes with --shard I/N", "for one machine, run verify without them"
	case shard.n > 0 && out == "":
		return "--shard goes with --out FILE", "the shard file is binary, for leakproof merge"
	case set["split-above"] && shard.n == 0:
		return "--split-above goes with --shard", ""
	}
	for _, name := range []string{"resume", "manifest", "csv-bom", "datashare-project"} {
		if shard.n > 0 && set[name] {
			return fmt.Sprintf("--%s does not go with --shard", name), "give the output options to leakproof merge, which writes the report"
		}
	}
	return "", ""
}

// unsharded returns verify's command line args (flags, then paths, as
// typed) without --shard, --split-above, --out and --format shard, and
// where --format stood: the command one verify run would have been given,
// but for its output options.
func unsharded(fs *flag.FlagSet, args []string) ([]string, int) {
	out := []string{"leakproof", "verify"}
	at := -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			out = append(out, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		takesValue := f != nil && !isBoolFlag(f) && !hasValue
		switch name {
		case "shard", "split-above", "out", "format":
			if name == "format" {
				at = len(out)
			}
			if takesValue {
				i++
			}
			continue
		}
		out = append(out, a)
		if takesValue && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	if at < 0 {
		at = len(out)
	}
	return out, at
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
