package main

// Resumable output: with --out FILE --resume the report is written to
// FILE.partial, and FILE.partial.manifest.json says what run it belongs to
// and how far it got (records and bytes, updated at checkpoints), so that
// after any signal or kill the same command continues after the last
// complete record and ends with exactly the uninterrupted output.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/report"
)

// resumable reports whether a format can be resumed: its output is a
// preamble (CSV's header) and then one self-contained piece per record,
// with nothing after the last.
func resumable(format string) bool {
	switch format {
	case "json", "csv", "ftm", "join":
		return true
	}
	return false
}

// checkpointEvery and checkpointRecords set how often the partial
// manifest is brought up to date: what a kill loses is redone on resume.
// A checkpoint also waits twenty times as long as the last one took, so
// that rewriting the manifest of a run over millions of files costs at
// most a twentieth of the run.
const (
	checkpointEvery   = time.Second
	checkpointRecords = 1000
)

// A partialManifest is FILE.partial.manifest.json: the run's identity,
// which a resumed run must match, and its progress at the last checkpoint.
type partialManifest struct {
	LeakproofVersion string                   `json:"leakproof_version"`
	Commit           string                   `json:"commit"`
	Command          []string                 `json:"command"`
	Inputs           []inputFile              `json:"inputs"`
	KeyFiles         []report.ManifestKeyFile `json:"key_files"`
	Records          int                      `json:"records"`
	Bytes            int64                    `json:"bytes"`
	State            runState                 `json:"state"`
}

// runState is what verify counts over the records, kept so that the
// summary of a resumed run counts the records written before it.
type runState struct {
	Tally     report.Tally `json:"tally"`
	NoKeySigs int          `json:"no_key_signatures"`
	NoKeyMsgs int          `json:"no_key_messages"`
	ErrLines  int          `json:"error_lines"`
	Changed   int          `json:"changed"`
}

// A partialRun is the output file of a resumable run.
type partialRun struct {
	path, partial, manifest string
	f                       *os.File
	m                       partialManifest
	last                    time.Time
	sinceLast               int
	cost                    time.Duration      // how long the last checkpoint took
	hashed                  <-chan []inputFile // the inputs' SHA-256, once computed
}

// partialNames returns the documented names beside FILE.
func partialNames(out string) (partial, manifest string) {
	return out + ".partial", out + ".partial.manifest.json"
}

// withoutResume returns args without the --resume flag: the command a
// resumed run must repeat.
func withoutResume(args []string) []string {
	var out []string
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "resume" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// A resumeRefusal is why a partial run cannot be continued, with a hint.
type resumeRefusal struct {
	msg, hint string
	usage     bool // the command differs, not the inputs
}

func (r *resumeRefusal) Error() string { return r.msg }

// openPartial continues the partial run of out when there is one that
// matches cur, or starts one. It returns the run, the records already
// written (to skip) and the state counted over them.
func openPartial(out string, cur partialManifest, scan func(hash bool) []inputFile) (*partialRun, error) {
	partial, manifest := partialNames(out)
	p := &partialRun{path: out, partial: partial, manifest: manifest, last: time.Now()}
	data, err := os.ReadFile(manifest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("--resume: %w", err)
	default:
		var old partialManifest
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, &resumeRefusal{msg: fmt.Sprintf("--resume: %s is not a partial run's manifest: %v", manifest, err),
				hint: fmt.Sprintf("remove %s and %s to start again", partial, manifest)}
		}
		if refusal := old.differs(cur, scan); refusal != nil {
			return nil, refusal
		}
		f, err := os.OpenFile(partial, os.O_RDWR, 0)
		if err == nil {
			fi, serr := f.Stat()
			if serr == nil && fi.Size() >= old.Bytes && old.Records > 0 {
				// Anything past the last checkpoint may be a torn
				// record: it is written again.
				if err := f.Truncate(old.Bytes); err != nil {
					f.Close()
					return nil, fmt.Errorf("--resume: %w", err)
				}
				if _, err := f.Seek(old.Bytes, io.SeekStart); err != nil {
					f.Close()
					return nil, fmt.Errorf("--resume: %w", err)
				}
				p.f = f
				p.m = old
				p.m.Command, p.m.KeyFiles = cur.Command, cur.KeyFiles
				return p, nil
			}
			f.Close()
		}
		// A manifest without its output, or with less output than it
		// counts, or before the first record: nothing to continue.
	}
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	p.f = f
	p.m = cur
	if err := p.save(); err != nil {
		f.Close()
		return nil, err
	}
	// The inputs' hashes are recorded once computed, beside the run.
	ch := make(chan []inputFile, 1)
	go func() { ch <- scan(true) }()
	p.hashed = ch
	return p, nil
}

// differs says why a partial run with manifest m cannot be continued by a
// run whose identity is cur, or returns nil when it can.
func (m *partialManifest) differs(cur partialManifest, scan func(hash bool) []inputFile) *resumeRefusal {
	again := "remove them to start again, or run the interrupted command unchanged"
	if !slices.Equal(m.Command, cur.Command) {
		return &resumeRefusal{usage: true,
			msg:  fmt.Sprintf("--resume: the interrupted run was %q, not %q", strings.Join(m.Command, " "), strings.Join(cur.Command, " ")),
			hint: "the options and paths must be the same; the partial report and its manifest are kept: " + again}
	}
	if !slices.Equal(m.KeyFiles, cur.KeyFiles) {
		return &resumeRefusal{msg: "--resume: a key file differs from the interrupted run's (by path or SHA-256)",
			hint: "the partial report was checked with other keys; " + again}
	}
	if d := diffInputs(m.Inputs, cur.Inputs, false); d != "" {
		return &resumeRefusal{msg: "--resume: " + d, hint: "the partial report is of other input; " + again}
	}
	hashedBefore := slices.ContainsFunc(m.Inputs, func(in inputFile) bool { return in.SHA256 != "" })
	if hashedBefore {
		if d := diffInputs(m.Inputs, scan(true), true); d != "" {
			return &resumeRefusal{msg: "--resume: " + d, hint: "the partial report is of other input; " + again}
		}
	}
	return nil
}

// diffInputs describes the first difference between the inputs recorded
// and those found now, or returns "".
func diffInputs(was, now []inputFile, hashes bool) string {
	for i := range max(len(was), len(now)) {
		switch {
		case i >= len(now):
			return fmt.Sprintf("%s was read by the interrupted run and is gone", printable(was[i].Path))
		case i >= len(was):
			return fmt.Sprintf("%s is new since the interrupted run", printable(now[i].Path))
		case was[i].Path != now[i].Path:
			return fmt.Sprintf("the inputs differ from the interrupted run's: %s where it read %s", printable(now[i].Path), printable(was[i].Path))
		case was[i].Size != now[i].Size || was[i].ModTime != now[i].ModTime:
			return fmt.Sprintf("%s changed since the interrupted run: %d bytes modified %s then, %d bytes modified %s now",
				printable(now[i].Path), was[i].Size, was[i].ModTime, now[i].Size, now[i].ModTime)
		case hashes && was[i].SHA256 != "" && was[i].SHA256 != now[i].SHA256:
			return fmt.Sprintf("%s changed since the interrupted run: its SHA-256 was %s and is %s", printable(now[i].Path), was[i].SHA256, now[i].SHA256)
		}
	}
	return ""
}

// Write writes to the partial file, counting its bytes.
func (p *partialRun) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.m.Bytes += int64(n)
	return n, err
}

// wrote counts one record written and reports whether a checkpoint is due.
func (p *partialRun) wrote() bool {
	p.m.Records++
	p.sinceLast++
	since := time.Since(p.last)
	return since >= 20*p.cost && (p.sinceLast >= checkpointRecords || since >= checkpointEvery)
}

// checkpoint records the progress: the caller has flushed every complete
// record to the file. The output reaches the disk before the manifest
// that counts it.
func (p *partialRun) checkpoint(st runState) error {
	p.m.State = st
	if p.hashed != nil {
		select {
		case in := <-p.hashed:
			if diffInputs(p.m.Inputs, in, false) == "" {
				p.m.Inputs = in
			}
			p.hashed = nil
		default:
		}
	}
	start := time.Now()
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	err := p.save()
	p.last, p.sinceLast = time.Now(), 0
	p.cost = p.last.Sub(start)
	return err
}

// save writes the manifest under a temporary name renamed into place.
func (p *partialRun) save() error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&p.m); err != nil {
		return err
	}
	tmp := p.manifest + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.Rename(tmp, p.manifest); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// commit renames the finished output to FILE and removes the manifest.
func (p *partialRun) commit() error {
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	p.f = nil
	if err := os.Rename(p.partial, p.path); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.Remove(p.manifest); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// close closes the partial file, if still open; the files stay.
func (p *partialRun) close() {
	if p.f != nil {
		p.f.Close()
		p.f = nil
	}
}

// skipFirst drops the first n messages: those whose records a resumed run
// has already written. They are still walked (the walk's order and ids
// depend on it), but not checked.
func skipFirst[T any](msgs iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		i := 0
		for m := range msgs {
			if i++; i <= n {
				continue
			}
			if !yield(m) {
				return
			}
		}
	}
}

// dropWriter drops the first n bytes written through it: a resumed run's
// preamble (CSV's byte-order mark and header), which the file holds.
type dropWriter struct {
	w io.Writer
	n int
}

func (d *dropWriter) Write(b []byte) (int, error) {
	k := min(d.n, len(b))
	d.n -= k
	if k == len(b) {
		return k, nil
	}
	n, err := d.w.Write(b[k:])
	return k + n, err
}

// preamble returns how many bytes a report in format writes before its
// first record.
func preamble(format string, bom bool) int {
	if format != "csv" {
		return 0
	}
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	report.NewCSVWriter(&b).Close()
	return b.Len()
}
