package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"sync"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// maxErrorLines caps the unreadable records named on stderr; the output
// lists every one of them.
const maxErrorLines = 10

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var cf checkFlags
	cf.register(fs)
	var lf limitFlags
	lf.register(fs)
	format := fs.String("format", "text", "output format: text, json, csv, html, ftm, datashare or join")
	out := fs.String("out", "", "write the report to `FILE`")
	workers := fs.Int("workers", 0, "messages checked at once")
	manifest := fs.String("manifest", "", "write the run's manifest to `FILE`")
	csvBOM := fs.Bool("csv-bom", false, "start the CSV with a UTF-8 byte-order mark")
	resume := fs.Bool("resume", false, "keep a partial --out FILE through interruptions and continue it")
	project := fs.String("datashare-project", "local-datashare", "the Datashare project whose name salts its document ids (\"\" for none)")
	noPass := fs.Bool("no-archive-pass", false, "judge each message alone and stream each record as it is decided")
	pageSize := fs.Int("page-size", defaultPageSize, "with --format html and --out: messages per page file (0: one page)")
	var shard shardSpec
	fs.Var(&shard, "shard", "check the `I/N`-th share of the inputs, for leakproof merge (with --format shard)")
	splitAbove := sizeFlag(archive.DefaultSplitAbove)
	fs.Var(&splitAbove, "split-above", "with --shard, split an mbox file larger than `SIZE` into byte ranges (256M; 0: never)")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	switch *format {
	case "text", "json", "csv", "html", "ftm", "datashare", "join", "shard":
	default:
		return usageError(stderr, fmt.Sprintf("--format %q: unknown format", *format), "the formats are text, json, csv, html, ftm, datashare, join and shard")
	}
	if msg, hint := shardUsage(fs, *format, shard, *out); msg != "" {
		if hint == "" {
			return usageError(stderr, msg)
		}
		return usageError(stderr, msg, hint)
	}
	if *csvBOM && *format != "csv" {
		return usageError(stderr, "--csv-bom goes with --format csv")
	}
	pageSizeSet, msg, hints := checkPageSize(fs, *format, *out, *pageSize)
	if msg != "" {
		return usageError(stderr, msg, hints...)
	}
	if *workers < 0 {
		return usageError(stderr, fmt.Sprintf("--workers %d: must be 0 (one per CPU) or more", *workers))
	}
	if msg, hint := cf.validate(); msg != "" {
		return usageError(stderr, msg, hint)
	}
	if msg := lf.validate(); msg != "" {
		return usageError(stderr, msg)
	}
	if *resume && *out == "" {
		return usageError(stderr, "--resume goes with --out FILE", "the partial report is kept beside FILE, as FILE.partial")
	}
	if *resume && !resumable(*format) {
		return usageError(stderr, fmt.Sprintf("--resume does not work with --format %s", *format),
			"json, csv, ftm and join can be resumed: their records stand alone, with nothing after the last")
	}
	if *resume && !*noPass {
		return usageError(stderr, "--resume goes with --no-archive-pass",
			"the archive pass weighs every message against the others, so its records are written only when the whole archive was read; add --no-archive-pass to write, and resume, record by record")
	}
	paths := fs.Args()
	if len(paths) == 0 {
		return usageError(stderr, "no PATH to verify", "name an mbox, a message file, a folder or a zip: leakproof verify [options] PATH...")
	}

	started := now()
	opts, hint, err := cf.options()
	if err != nil {
		cf.close()
		errorf(stderr, err.Error(), hint)
		return exitInput
	}
	defer cf.close() // for the early returns; closing twice is harmless
	opts.Workers = *workers
	if shard.n > 0 {
		split := int64(splitAbove)
		if split == 0 {
			split = -1 // archive.Share: negative never splits
		}
		return runShard(ctx, &shardRun{spec: shard, splitAbove: split}, fs, args, &cf, &lf, opts, *out, paths, stderr)
	}

	dst := stdout
	var outFile *atomicFile
	var partial *partialRun
	var st runState // counts over every record, a resumed run's earlier ones included
	skip := 0       // records written by the run being resumed

	var pages *htmlPages // the page files of an HTML report too large for one page
	if *resume {
		ver, commit := version()
		cur := partialManifest{LeakproofVersion: ver, Commit: commit, Command: append([]string{"leakproof", "verify"}, withoutResume(args)...),
			Inputs: scanInputs(context.WithoutCancel(ctx), paths, false), KeyFiles: cf.keyFiles}
		partial, err = openPartial(*out, cur, func(hash bool) []inputFile { return scanInputs(ctx, paths, hash) })
		if err != nil && ctx.Err() != nil {
			errorf(stderr, "interrupted while checking the inputs against the interrupted run's; nothing was changed")
			return exitInterrupted
		}
		if err != nil {
			var r *resumeRefusal
			if errors.As(err, &r) {
				errorf(stderr, r.msg, r.hint)
				if r.usage {
					return exitUsage
				}
				return exitInput
			}
			errorf(stderr, err.Error(), "check that the folder of --out exists and can be written")
			return exitInput
		}
		defer partial.close()
		skip, st = partial.m.Records, partial.m.State
		if skip > 0 {
			fmt.Fprintf(stderr, "leakproof: note: resuming after %s already in %s\n", plural(skip, "record", "records"), printable(partial.partial))
		}
		dst = partial
	} else if *out != "" {
		var ok bool
		if outFile, pages, ok = openReport(stderr, *out, *format, *pageSize); !ok {
			return exitInput
		}
		defer outFile.abort()
		defer pages.abort()
		dst = outFile
	}
	sink := dst
	if skip > 0 {
		sink = &dropWriter{w: dst, n: preamble(*format, *csvBOM)}
	}
	bw := bufio.NewWriterSize(sink, 64<<10)
	dg := &digests{project: *project, datashare: *format == "datashare"}
	w := newReportWriter(*format, bw, *csvBOM, dg, pages.paging(*out, *pageSize))

	// On a terminal each line shows as soon as its message is checked;
	// otherwise the output is written in large blocks.
	flushEach := isTerminal(dst)
	// The manifest hashes every input file: only when it is asked for, or
	// shown in the HTML page's header.
	var inputs <-chan []report.ManifestInput
	if *manifest != "" || *format == "html" {
		inputs = hashInputs(ctx, paths)
	}
	prog := startProgress(ctx, stderr, paths)
	var notMail skipped
	checker := provenance.NewChecker(opts)
	var pos walkPosition
	msgs := mailOnly(pos.walk(ctx, paths, lf.options()), &notMail)
	if skip > 0 {
		msgs = skipFirst(msgs, skip)
	}
	if *format == "datashare" || *format == "join" {
		msgs = dg.withDigests(msgs)
	}
	// A signal stops the walk (ctx); the messages already read are still
	// checked and written (the checker's own context is not cancelled),
	// so the report ends with its last complete record.
	written := 0
	// rec, when not nil, is a's record already encoded by a worker.
	emitRec := func(a *provenance.Assessment, rec []byte) error {
		st.Tally.Add(a)
		if n := countNoKey(a); n > 0 {
			st.NoKeySigs += n
			st.NoKeyMsgs++
		}
		if a.Err != nil {
			if st.ErrLines < maxErrorLines {
				prog.print(func() { errorf(stderr, a.Err.Error()) })
			}
			st.ErrLines++
		}
		var err error
		if rec != nil {
			err = w.(report.RecordEncoder).WriteRecord(a, rec)
		} else {
			err = w.Write(a)
		}
		if err != nil {
			return err
		}
		written++
		pos.last = fmt.Sprintf("%s#%d", a.File, a.Index)
		if partial != nil && partial.wrote() {
			if err := bw.Flush(); err != nil {
				return err
			}
			return partial.checkpoint(st)
		}
		if flushEach {
			return bw.Flush()
		}
		return nil
	}
	emit := func(a *provenance.Assessment) error { return emitRec(a, nil) }
	var runErr error
	var pass *provenance.ArchiveSummary
	// checked sees each assessment as it is decided, before the archive
	// pass holds it.
	checked := func(a *provenance.Assessment) {
		prog.add(a.Size)
		if errors.Is(a.Err, archive.ErrChanged) {
			st.Changed++
		}
	}
	enc, encodes := w.(report.RecordEncoder)
	switch {
	case *noPass && encodes:
		// Each record is encoded by the worker that checked its message;
		// only the writing is left to this goroutine.
		runErr = checker.RunEncoded(context.WithoutCancel(ctx), msgs, enc.AppendRecord, func(a *provenance.Assessment, rec []byte) error {
			checked(a)
			return emitRec(a, rec)
		})
	case *noPass:
		runErr = checker.Run(context.WithoutCancel(ctx), msgs, func(a *provenance.Assessment) error { checked(a); return emit(a) })
	default:
		pass, runErr = runArchivePass(context.WithoutCancel(ctx), checker, msgs, *out, w, checked, emitRec)
	}
	prog.stop()
	interrupted := ctx.Err() != nil
	tally, errLines, noKeySigs, noKeyMsgs := st.Tally, st.ErrLines, st.NoKeySigs, st.NoKeyMsgs
	tally.NotMail = notMail.count()
	// The text table and the HTML page count the skipped files too.
	if nm, ok := w.(interface{ NotMail(string) }); ok {
		for range tally.NotMail {
			nm.NotMail("")
		}
	}
	var man *report.Manifest
	if inputs != nil && !interrupted {
		ver, commit := version()
		man = &report.Manifest{
			LeakproofVersion: ver,
			Commit:           commit,
			Started:          timestamp(started),
			Command:          append([]string{"leakproof", "verify"}, args...),
			Inputs:           <-inputs,
			KeyFiles:         cf.keyFiles,
			Policy:           cf.policy(),
			Counts:           tally.Counts(),
		}
		man.Finished = timestamp(now())
		if hm, ok := w.(interface{ SetManifest(*report.Manifest) }); ok {
			hm.SetManifest(man)
		}
	}
	if runErr == nil {
		runErr = w.Close()
	}
	if runErr == nil {
		runErr = bw.Flush()
	}
	if err := cf.close(); runErr == nil {
		runErr = err
	}
	if partial != nil && runErr == nil {
		runErr = partial.checkpoint(st)
	}
	if interrupted && runErr == nil {
		reportInterrupted(stderr, paths, &pos, written, skip, *out, partial)
		fmt.Fprintf(stderr, "leakproof: %s\n", tally)
		return exitInterrupted
	}
	if runErr == nil {
		runErr = commitReport(outFile, pages)
	}
	if runErr == nil && partial != nil {
		runErr = partial.commit()
	}
	if runErr == nil && *manifest != "" {
		runErr = writeManifest(*manifest, man)
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			errorf(stderr, "interrupted; the report is incomplete")
		} else {
			errorf(stderr, runErr.Error(), "the report is incomplete")
		}
		return exitInput
	}

	return closeRun(stderr, runEnd{w: w, format: *format, out: *out, errLines: errLines, notMail: &notMail, noKeySigs: noKeySigs,
		noKeyMsgs: noKeyMsgs, pass: pass, tally: tally, paths: len(paths), changed: st.Changed,
		onePageHTML: *format == "html" && pages == nil && !pageSizeSet})
}

// runEnd is what the end of a verify (or merge) run reports on stderr.
type runEnd struct {
	w                              report.Writer
	format, out                    string
	errLines, noKeySigs, noKeyMsgs int
	notMail                        *skipped
	pass                           *provenance.ArchiveSummary
	tally                          report.Tally
	paths, changed                 int
	// onePageHTML: an HTML report went on one page without the user
	// asking for it (written to stdout, or --page-size left at its default
	// without --out).
	onePageHTML bool
}

// closeRun says on stderr what a finished run must tell its reader (what
// was left out, what could not be read, the counts) and returns its exit
// status.
func closeRun(stderr io.Writer, e runEnd) int {
	w, tally, notMail, errLines, noKeySigs, noKeyMsgs, pass := e.w, e.tally, e.notMail, e.errLines, e.noKeySigs, e.noKeyMsgs, e.pass
	if ds, ok := w.(*report.DatashareWriter); ok && ds.Skipped() > 0 {
		fmt.Fprintf(stderr, "leakproof: note: %s left out of the Datashare batches: %s\n", plural(ds.Skipped(), "record", "records"),
			"Datashare's document id is known only for a message read whole from a file of its own (an .eml or Maildir file); join the others on message_id (docs/integrations.md)")
	}
	if errLines > maxErrorLines {
		errorf(stderr, fmt.Sprintf("... and %d more", errLines-maxErrorLines))
	}
	// Say what was not examined: a reporter must know that a file in the
	// leak was left out.
	plain := notMail.names()
	for _, f := range plain {
		fmt.Fprintf(stderr, "leakproof: note: skipped %s: not mail\n", printable(f))
	}
	if n := notMail.plainCount() - len(plain); n > 0 {
		fmt.Fprintf(stderr, "leakproof: note: ... and %d more files that are not mail\n", n)
	}
	files, counts := notMail.unsupportedNames()
	reportUnsupported(stderr, files, counts)
	// The commonest reason a leak comes out unverifiable: say what to do.
	if noKeySigs > 0 {
		fmt.Fprintf(stderr, "leakproof: note: %s in %s could not be checked for want of a key: \"leakproof keys needed\" lists the keys to look for and where\n",
			plural(noKeySigs, "signature", "signatures"), plural(noKeyMsgs, "message", "messages"))
	}
	notePass(stderr, pass)
	if n := tally.Messages() + tally.Unreadable; e.onePageHTML && n > defaultPageSize {
		fmt.Fprintf(stderr, "leakproof: note: the HTML report holds %d messages on one page, which a browser opens slowly or not at all; with --out FILE it is split into pages of %d (docs/json.md)\n", n, defaultPageSize)
	}
	// A text table carries its own summary line; JSON, CSV and HTML keep
	// stdout for the report.
	if e.format != "text" || e.out != "" {
		fmt.Fprintf(stderr, "leakproof: %s\n", tally)
	}
	if tally.Messages()+tally.Unreadable == 0 {
		where := "the path given"
		if e.paths > 1 {
			where = "the paths given"
		}
		hint := "name an mbox, a Maildir, a folder of .eml or .emlx files, or a zip of them"
		if tally.NotMail > 0 {
			hint = fmt.Sprintf("%s not mail (named above); %s", plural(tally.NotMail, "file is", "files are"), hint)
		}
		errorf(stderr, "no message found in "+where, hint)
		return exitInput
	}
	if e.changed > 0 {
		errorf(stderr, fmt.Sprintf("%s changed while being read", plural(e.changed, "file", "files")),
			"each has an error record after its own; its records may be incomplete: verify it again once nothing writes to it")
		return exitInput
	}
	if tally.Unreadable > 0 {
		errorf(stderr, fmt.Sprintf("%s could not be read", plural(tally.Unreadable, "input", "inputs")),
			"each one is in the report with its error; the other messages were checked")
		return exitInput
	}
	return exitOK
}

// newReportWriter returns the writer of format over bw; dg gives the
// digests that datashare and join need.
// newReportWriter makes the writer of format on bw; an HTML report is
// written in pages when pages is not nil.
func newReportWriter(format string, bw *bufio.Writer, csvBOM bool, dg *digests, pages *report.HTMLPages) report.Writer {
	var w report.Writer
	switch format {
	case "ftm":
		w = report.NewFTMWriter(bw)
	case "datashare":
		w = report.NewDatashareWriter(bw, func(a *provenance.Assessment) string { return dg.take(a).docID })
	case "join":
		w = report.NewJoinWriter(bw, func(a *provenance.Assessment) (string, string) {
			g := dg.take(a)
			return g.sha1, g.sha384
		})
	case "json":
		w = report.NewJSONWriter(bw)
	case "csv":
		if csvBOM {
			// Excel reads a CSV without a BOM in the machine's legacy code
			// page, which garbles every non-ASCII name.
			bw.WriteString("\ufeff")
		}
		w = report.NewCSVWriter(bw)
	case "html":
		if pages != nil {
			w = report.NewPagedHTMLWriter(bw, *pages)
		} else {
			w = report.NewHTMLWriter(bw)
		}
	default:
		w = report.NewTextWriter(bw)
	}

	return w
}

// countNoKey counts the signatures of a that went unchecked because no key
// source had a record for them.
func countNoKey(a *provenance.Assessment) int {
	n := 0
	for _, s := range a.Signatures {
		if s.Result == dkim.ResultNoKey {
			n++
		}
	}
	return n
}

// walkPosition is how far a run got: the PATH being walked and the last
// record written, for the account of an interrupted run.
type walkPosition struct {
	path int
	last string
}

// walk is walkAll, noting which PATH is being walked.
func (p *walkPosition) walk(ctx context.Context, paths []string, opts *archive.Options) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for i, path := range paths {
			p.path = i
			for m := range archive.Walk(ctx, path, opts) {
				if !yield(m) {
					return
				}
			}
		}
	}
}

// reportInterrupted says what an interrupted run did and did not do.
func reportInterrupted(stderr io.Writer, paths []string, pos *walkPosition, written, skipped int, out string, partial *partialRun) {
	errorf(stderr, "interrupted; the report is incomplete")
	done := plural(written, "record", "records") + " written"
	if skipped > 0 {
		done += fmt.Sprintf(" after the %d of the run resumed", skipped)
	}
	if pos.last != "" {
		done += ", the last for " + printable(pos.last)
	}
	fmt.Fprintf(stderr, "leakproof: note: %s\n", done)
	rest := "the rest of " + printable(paths[pos.path])
	if n := len(paths) - pos.path - 1; n > 0 {
		rest += fmt.Sprintf(" and %s after it", plural(n, "PATH", "PATHs"))
	}
	fmt.Fprintf(stderr, "leakproof: note: not examined: %s\n", rest)
	switch {
	case partial != nil:
		fmt.Fprintf(stderr, "leakproof: note: the partial report is kept in %s, with %s; run the same command again to continue it\n",
			printable(partial.partial), printable(partial.manifest))
	case out != "":
		fmt.Fprintf(stderr, "leakproof: note: %s was not written; with --resume an interrupted run can be continued\n", printable(out))
	}
}

// walkAll walks every path in turn, in command-line order.
func walkAll(ctx context.Context, paths []string, opts *archive.Options) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for _, p := range paths {
			for m := range archive.Walk(ctx, p, opts) {
				if !yield(m) {
					return
				}
			}
		}
	}
}

// skipped counts the files that are not mail and keeps the first names,
// apart from those in a mail format the walk cannot read, which it keeps
// per format. It is safe for concurrent use: the pipeline's reader adds
// to it.
type skipped struct {
	mu      sync.Mutex
	n       int
	first   []string
	formats map[string][]string // the first files of each unsupported format
	counts  map[string]int      // files of each unsupported format
}

// maxSkippedNames caps the skipped files named on stderr, of each kind.
const maxSkippedNames = 10

func (s *skipped) add(file string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if u, ok := errors.AsType[*archive.UnsupportedError](err); ok {
		if s.formats == nil {
			s.formats, s.counts = map[string][]string{}, map[string]int{}
		}
		if s.counts[u.Format]++; len(s.formats[u.Format]) < maxSkippedNames {
			s.formats[u.Format] = append(s.formats[u.Format], file)
		}
		return
	}
	if len(s.first) < maxSkippedNames {
		s.first = append(s.first, file)
	}
}

// count returns how many files were skipped, of every kind.
func (s *skipped) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// plainCount returns how many skipped files are not mail at all.
func (s *skipped) plainCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.n
	for _, c := range s.counts {
		n -= c
	}
	return n
}

func (s *skipped) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

func (s *skipped) unsupportedNames() (map[string][]string, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.formats, s.counts
}

// mailOnly drops the records of files that are not mail, counting them.
func mailOnly(msgs iter.Seq[*archive.Message], notMail *skipped) iter.Seq[*archive.Message] {
	return archive.MailOnly(msgs, func(m *archive.Message) { notMail.add(m.File, m.Err) })
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// An atomicFile is written under a temporary name beside its final path and
// renamed there by commit, so a reader never sees half a report.
type atomicFile struct {
	*os.File
	path string
	flag string // the option that named it
	done bool
}

// createAtomic creates the temporary file for path; flag names the option
// that named it, in errors.
func createAtomic(flag, path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return &atomicFile{File: f, path: path, flag: flag}, nil
}

// commit closes the file and renames it to its final path.
func (f *atomicFile) commit() error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", f.flag, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", f.flag, err)
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return fmt.Errorf("%s: %w", f.flag, err)
	}
	f.done = true
	return nil
}

// abort removes the temporary file unless commit succeeded.
func (f *atomicFile) abort() {
	if f.done {
		return
	}
	f.Close()
	os.Remove(f.Name())
}
