package main

import (
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// runMerge is leakproof merge: it reads the shard files of one run, in any
// order, runs the archive pass over their records and writes the report
// one verify run over the same inputs would have written.
func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: text, json, csv, html or ftm")
	out := fs.String("out", "", "write the report to `FILE`")
	manifest := fs.String("manifest", "", "write the run's manifest to `FILE`")
	csvBOM := fs.Bool("csv-bom", false, "start the CSV with a UTF-8 byte-order mark")
	pageSize := fs.Int("page-size", defaultPageSize, "with --format html and --out: messages per page file (0: one page)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	switch *format {
	case "text", "json", "csv", "html", "ftm":
	case "datashare", "join":
		return usageError(stderr, fmt.Sprintf("merge cannot write --format %s", *format),
			"its records need digests of each message's bytes that shard files do not hold; run verify on one machine for it, or join the JSON records on sha256")
	default:
		return usageError(stderr, fmt.Sprintf("--format %q: unknown format", *format), "the formats are text, json, csv, html and ftm")
	}
	if *csvBOM && *format != "csv" {
		return usageError(stderr, "--csv-bom goes with --format csv")
	}
	pageSizeSet, msg, hints := checkPageSize(fs, *format, *out, *pageSize)
	if msg != "" {
		return usageError(stderr, msg, hints...)
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageError(stderr, "no shard FILE to merge", "name the files that leakproof verify --shard I/N --format shard --out FILE wrote: leakproof merge [options] FILE...")
	}
	shards, err := openShards(files)
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			errorf(stderr, r.msg, r.hint)
			return exitInput
		}
		errorf(stderr, err.Error())
		return exitInput
	}
	defer func() {
		for _, s := range shards {
			s.f.Close()
		}
	}()
	h := shards[0].h

	dst := stdout
	var outFile *atomicFile
	var pages *htmlPages // the page files of an HTML report too large for one page
	if *out != "" {
		var ok bool
		if outFile, pages, ok = openReport(stderr, *out, *format, *pageSize); !ok {
			return exitInput
		}
		defer outFile.abort()
		defer pages.abort()
		dst = outFile
	}
	bw := bufio.NewWriterSize(dst, 64<<10)
	w := newReportWriter(*format, bw, *csvBOM, &digests{}, pages.paging(*out, *pageSize))
	flushEach := isTerminal(dst)

	var st runState
	emit := func(a *provenance.Assessment) error {
		st.Tally.Add(a)
		if n := countNoKey(a); n > 0 {
			st.NoKeySigs += n
			st.NoKeyMsgs++
		}
		if a.Err != nil {
			if st.ErrLines < maxErrorLines {
				errorf(stderr, a.Err.Error())
			}
			st.ErrLines++
		}
		if errors.Is(a.Err, archive.ErrChanged) {
			st.Changed++
		}
		if err := w.Write(a); err != nil {
			return err
		}
		if flushEach {
			return bw.Flush()
		}
		return nil
	}
	var pass *provenance.ArchiveSummary
	if h.ArchivePass {
		pass, err = mergePass(ctx, shards, *out, emit)
		if err == nil {
			if sw, ok := w.(interface {
				SetArchiveSummary(provenance.ArchiveSummary)
			}); ok {
				sw.SetArchiveSummary(*pass)
			}
		}
	} else {
		err = mergeRecords(ctx, shards, func(a *provenance.Assessment) error { return emit(a) })
	}
	if err != nil {
		var r *refusal
		switch {
		case errors.Is(err, context.Canceled):
			errorf(stderr, "interrupted; nothing was written")
			return exitInterrupted
		case errors.As(err, &r):
			errorf(stderr, r.msg, r.hint)
		default:
			errorf(stderr, err.Error(), "nothing was written")
		}
		return exitInput
	}

	var notMail skipped
	notMail.merge(shards)
	tally := st.Tally
	tally.NotMail = notMail.count()
	if nm, ok := w.(interface{ NotMail(string) }); ok {
		for range tally.NotMail {
			nm.NotMail("")
		}
	}
	var man *report.Manifest
	if *manifest != "" || *format == "html" {
		man = mergedManifest(shards, args[:len(args)-len(files)], tally)
		if hm, ok := w.(interface{ SetManifest(*report.Manifest) }); ok {
			hm.SetManifest(man)
		}
	}
	err = w.Close()
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = commitReport(outFile, pages)
	}
	if err == nil && *manifest != "" {
		err = writeManifest(*manifest, man)
	}
	if err != nil {
		errorf(stderr, err.Error(), "the report is incomplete")
		return exitInput
	}
	return closeRun(stderr, runEnd{w: w, format: *format, out: *out, errLines: st.ErrLines, notMail: &notMail, noKeySigs: st.NoKeySigs,
		noKeyMsgs: st.NoKeyMsgs, pass: pass, tally: tally, paths: len(h.Paths), changed: st.Changed,
		onePageHTML: *format == "html" && pages == nil && !pageSizeSet})
}

// A refusal is why merge will not merge, and what to do.
type refusal struct{ msg, hint string }

func (r *refusal) Error() string { return r.msg }

// A shardFile is one open shard file.
type shardFile struct {
	name    string
	f       *os.File
	h       shardHeader
	body    int64 // where the records start
	end     int64 // and end
	trailer shardTrailer
}

// openShards opens the shard files and checks that they are the N shards
// of one run, each once.
func openShards(names []string) ([]*shardFile, error) {
	var shards []*shardFile
	fail := func(err error) ([]*shardFile, error) {
		for _, s := range shards {
			s.f.Close()
		}
		return nil, err
	}
	for _, name := range names {
		s, err := openShard(name)
		if err != nil {
			return fail(err)
		}
		shards = append(shards, s)
	}
	first := shards[0]
	byIndex := map[int]*shardFile{}
	for _, s := range shards {
		if s.h.Run != first.h.Run || s.h.Shards != first.h.Shards {
			return fail(&refusal{
				msg: fmt.Sprintf("%s and %s come from different runs", printable(first.name), printable(s.name)),
				hint: fmt.Sprintf("every shard must be made by the same leakproof build with the same options, PATHs and key files, apart from --shard and --out; they were made by %q (%s, %s) and %q (%s, %s)",
					strings.Join(first.h.Command, " "), first.h.LeakproofVersion, first.h.Commit, strings.Join(s.h.Command, " "), s.h.LeakproofVersion, s.h.Commit),
			})
		}
		if o, ok := byIndex[s.h.Shard]; ok {
			return fail(&refusal{
				msg:  fmt.Sprintf("%s and %s are both shard %d/%d", printable(o.name), printable(s.name), s.h.Shard, s.h.Shards),
				hint: "name each shard file once",
			})
		}
		byIndex[s.h.Shard] = s
	}
	var missing []string
	for i := 1; i <= first.h.Shards && len(shards)+len(missing) < first.h.Shards; i++ {
		if byIndex[i] == nil {
			missing = append(missing, fmt.Sprintf("%d/%d", i, first.h.Shards))
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		if len(missing) > 10 {
			list = fmt.Sprintf("%s and %d more", strings.Join(missing[:10], ", "), len(missing)-10)
		}
		return fail(&refusal{
			msg:  fmt.Sprintf("shard %s of the run is missing", list),
			hint: fmt.Sprintf("merge needs all %d shard files of the run; run leakproof verify --shard I/%d for each one missing", first.h.Shards, first.h.Shards),
		})
	}
	for i := range shards {
		shards[i] = byIndex[i+1]
	}
	// Read each trailer first: a shard cut short is refused before
	// anything is written.
	for _, s := range shards {
		if err := s.readTrailer(); err != nil {
			return fail(err)
		}
	}
	return shards, nil
}

// openShard opens a shard file and reads its header.
func openShard(name string) (*shardFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	magic, _ := br.ReadString('\n')
	var version int
	if _, err := fmt.Sscanf(magic, shardMagic+" %d\n", &version); err != nil {
		f.Close()
		return nil, &refusal{msg: fmt.Sprintf("%s is not a shard file", printable(name)), hint: "leakproof verify --shard I/N --format shard --out FILE writes one"}
	}
	if version != shardFormatVersion {
		f.Close()
		return nil, &refusal{msg: fmt.Sprintf("%s is a shard file of format version %d; this leakproof reads version %d", printable(name), version, shardFormatVersion),
			hint: "merge with the leakproof build that wrote the shards"}
	}
	line, err := br.ReadBytes('\n')
	s := &shardFile{name: name, f: f, body: int64(len(magic) + len(line))}
	if err != nil || json.Unmarshal(line, &s.h) != nil || s.h.Format != shardMagic || s.h.Shards < 1 || s.h.Shards > maxShards || s.h.Shard < 1 || s.h.Shard > s.h.Shards {
		f.Close()
		return nil, &refusal{msg: fmt.Sprintf("%s: the shard file's header is damaged", printable(name)), hint: "run its shard again"}
	}
	if err := s.checkSum(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// checkSum checks the records of s against the SHA-256 on its last line,
// so that a shard file cut short or damaged is refused before any record
// is decoded.
func (s *shardFile) checkSum() error {
	bad := &refusal{msg: fmt.Sprintf("%s: the shard file was cut short or damaged (its records do not match their SHA-256)", printable(s.name)), hint: "run its shard again"}
	fi, err := s.f.Stat()
	if err != nil {
		return err
	}
	s.end = fi.Size() - shardFooterLen
	if s.end < s.body {
		return bad
	}
	footer := make([]byte, shardFooterLen)
	if _, err := s.f.ReadAt(footer, s.end); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(s.f, s.body, s.end-s.body)); err != nil {
		return err
	}
	if string(footer) != fmt.Sprintf("%x\n", h.Sum(nil)) {
		return bad
	}
	return nil
}

// records returns an iterator over the records of s with their keys, up
// to the trailer, which it keeps in s.trailer.
func (s *shardFile) records() iter.Seq2[shardRec, error] {
	return func(yield func(shardRec, error) bool) {
		zr := flate.NewReader(bufio.NewReaderSize(io.NewSectionReader(s.f, s.body, s.end-s.body), 256<<10))
		defer zr.Close()
		dec := provenance.NewSpoolDecoder(bufio.NewReaderSize(zr, 256<<10))
		var unit shardKey
		for n := 0; ; n++ {
			a, aux, err := dec.Decode()
			if err == io.EOF {
				err = errors.New("the file ends before its trailer")
			}
			if err != nil {
				yield(shardRec{}, &refusal{msg: fmt.Sprintf("%s: the shard file was cut short or damaged (%v)", printable(s.name), err), hint: "run its shard again"})
				return
			}
			var t shardTrailer
			if json.Unmarshal(aux, &t) == nil && t.End {
				if t.Records != n {
					yield(shardRec{}, fmt.Errorf("%s: %d records where its trailer says %d", s.name, n, t.Records))
					return
				}
				s.trailer = t
				return
			}
			var k shardKey
			if err := json.Unmarshal(aux, &k); err != nil {
				yield(shardRec{}, fmt.Errorf("%s: record %d: %w", s.name, n+1, err))
				return
			}
			if k.G > 0 && k.P == "" && k.R == unit.R && k.U == unit.U && k.G == unit.G {
				k.P = unit.P
			}
			unit = k
			if !yield(shardRec{a, k}, nil) {
				return
			}
		}
	}
}

// readTrailer reads s to its end, checking every record, and keeps its
// trailer.
func (s *shardFile) readTrailer() error {
	for _, err := range s.records() {
		if err != nil {
			return err
		}
	}
	return nil
}

// mergeRecords calls emit with every record of the shards, in the order
// of one verify run: by PATH, then file, then range, each range's messages
// renumbered in the file.
func mergeRecords(ctx context.Context, shards []*shardFile, emit func(*provenance.Assessment) error) error {
	type head struct {
		next func() (shardRec, error, bool)
		shardRec
		ok bool
	}
	heads := make([]*head, len(shards))
	for i, s := range shards {
		next, stop := iter.Pull2(s.records())
		defer stop()
		h := &head{next: next}
		var err error
		h.shardRec, err, h.ok = next()
		if err != nil {
			return err
		}
		heads[i] = h
	}
	var ren renumber
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var min *head
		for _, h := range heads {
			if h.ok && (min == nil || h.k.less(min.k)) {
				min = h
			}
		}
		if min == nil {
			return nil
		}
		a, k := min.a, min.k
		var err error
		min.shardRec, err, min.ok = min.next()
		if err != nil {
			return err
		}
		if err := ren.fix(a, k); err != nil {
			return err
		}
		if err := emit(a); err != nil {
			return err
		}
	}
}

// A shardRec is a record of a shard file and its key.
type shardRec struct {
	a *provenance.Assessment
	k shardKey
}

// renumber gives the messages of a split mbox their Index (and so their
// id) in the whole file: each range counts from 1, and follows the one
// before it. It refuses a range read without the variant evidence of the
// ranges before it (see archive.Share).
type renumber struct {
	unit    shardKey
	rng     int
	base    int // messages in the file's earlier ranges
	top     int // the highest Index of the current range
	rd, cl2 bool
	rdAt    int64
	cl2At   int64
}

func (r *renumber) fix(a *provenance.Assessment, k shardKey) error {
	if k.G == 0 {
		return nil
	}
	if k.R != r.unit.R || k.U != r.unit.U {
		*r = renumber{unit: k, rng: k.G}
	} else if k.G != r.rng {
		r.base += r.top
		r.top, r.rng = 0, k.G
	}
	if a.Index > 0 {
		r.top = max(r.top, a.Index)
		if k.G > 1 {
			switch {
			case r.rd && a.Format == archive.FormatMbox:
				return mboxEvidence(a, "mboxrd", r.rdAt)
			case r.cl2 && a.Format == archive.FormatMboxcl:
				return mboxEvidence(a, "mboxcl2", r.cl2At)
			}
		}
		a.Index += r.base
		a.ID = archive.MessageID(a.SHA256, k.P, a.Entry, a.Index)
		if p, ok := a.Err.(*archive.PathError); ok && p.Index > 0 {
			p.Index = a.Index
		}
	}
	switch a.Format {
	case archive.FormatMboxrd:
		if !r.rd {
			r.rd, r.rdAt = true, a.Offset
		}
	case archive.FormatMboxcl2:
		if !r.cl2 {
			r.cl2, r.cl2At = true, a.Offset
		}
	}
	return nil
}

func mboxEvidence(a *provenance.Assessment, variant string, at int64) error {
	return &refusal{
		msg: fmt.Sprintf("%s: the message at offset %d was read as %s in its shard, but the message at offset %d shows %s escaping, which makes the messages after it %s in one run",
			printable(a.File), a.Offset, a.Format, at, variant, variant),
		hint: "this file cannot be split into byte ranges: run the shards again with --split-above larger than its size, so that one shard reads it whole",
	}
}

// mergePass runs the archive pass over the shards' records and emits each
// one after the pass, as verify does: the records and the paragraphs wait
// in temporary files beside out (or in the system's temporary folder).
func mergePass(ctx context.Context, shards []*shardFile, out string, emit func(*provenance.Assessment) error) (*provenance.ArchiveSummary, error) {
	f, err := passTempFile(out)
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	paras, err := passTempFile(out)
	if err != nil {
		return nil, err
	}
	defer os.Remove(paras.Name())
	defer paras.Close()
	pass := provenance.NewArchivePass()
	defer pass.Release()
	pass.SetParagraphStore(paras)
	sp := provenance.NewSpool(f)
	if err := mergeRecords(ctx, shards, func(a *provenance.Assessment) error {
		pass.Add(a)
		if err := pass.Err(); err != nil {
			return err
		}
		return sp.Write(a)
	}); err != nil {
		return nil, err
	}
	// The records are read back, and given the pass's findings, on every
	// core, as verify's are.
	if err := sp.Replay(ctx, pass, 0, nil, func(a *provenance.Assessment, _ []byte) error { return emit(a) }); err != nil {
		return nil, err
	}
	sum := pass.Summary()
	return &sum, nil
}

// merge sets s to the files not mail of every shard: the first names of
// each kind in walk order, and the counts.
func (s *skipped) merge(shards []*shardFile) {
	var all []shardSkipped
	for _, sh := range shards {
		all = append(all, sh.trailer.Skipped...)
		for format, n := range sh.trailer.NotMail {
			s.n += n
			if format != "" {
				if s.counts == nil {
					s.formats, s.counts = map[string][]string{}, map[string]int{}
				}
				s.counts[format] += n
			}
		}
	}
	slices.SortStableFunc(all, func(x, y shardSkipped) int {
		switch {
		case x.Key.less(y.Key):
			return -1
		case y.Key.less(x.Key):
			return 1
		}
		return x.Order - y.Order
	})
	for _, e := range all {
		if e.Format == "" {
			if len(s.first) < maxSkippedNames {
				s.first = append(s.first, e.File)
			}
		} else if len(s.formats[e.Format]) < maxSkippedNames {
			s.formats[e.Format] = append(s.formats[e.Format], e.File)
		}
	}
}

// mergedManifest is the manifest of the run the shards make up: the
// verify command they ran, with --shard, --split-above and --out taken
// out and --format shard replaced by the options merge was given; the
// start of the earliest shard, and the end of the merge.
func mergedManifest(shards []*shardFile, options []string, tally report.Tally) *report.Manifest {
	h := shards[0].h
	started := h.Started
	var inputs []shardInput
	for _, s := range shards {
		started = min(started, s.h.Started)
		inputs = append(inputs, s.trailer.Inputs...)
	}
	slices.SortFunc(inputs, func(x, y shardInput) int { return x.Seq - y.Seq })
	list := make([]report.ManifestInput, len(inputs))
	for i, in := range inputs {
		list[i] = in.ManifestInput
	}
	return &report.Manifest{
		LeakproofVersion: h.LeakproofVersion,
		Commit:           h.Commit,
		Started:          started,
		Finished:         timestamp(now()),
		Command:          slices.Concat(h.Verify[:h.FormatAt], options, h.Verify[h.FormatAt:]),
		Inputs:           list,
		KeyFiles:         h.KeyFiles,
		Policy:           h.Policy,
		Counts:           tally.Counts(),
	}
}
