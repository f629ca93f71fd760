package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// runArchivePass checks msgs, runs the archive pass and emits each record
// once the pass has seen them all. The records wait in a temporary file
// beside the output (beside --out, else in the system's temporary folder),
// and the pass keeps the messages' paragraphs in a second one there: both
// are removed when the run ends, however it ends. checked is called as
// each message is decided (progress); emit writes each record, with the
// bytes w's encoder made of it (when w is a report.RecordEncoder) or nil.
// The summary goes to w when it can show it.
func runArchivePass(ctx context.Context, c *provenance.Checker, msgs iter.Seq[*archive.Message], out string, w report.Writer,
	checked func(*provenance.Assessment), emit func(a *provenance.Assessment, rec []byte) error) (*provenance.ArchiveSummary, error) {
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
	var sum provenance.ArchiveSummary
	if enc, ok := w.(report.RecordEncoder); ok {
		// Each record is encoded by the worker that read it back from
		// the spool; only the writing is left to this goroutine.
		sum, err = c.RunArchiveEncoded(ctx, msgs, f, paras, checked, enc.AppendRecord, emit)
	} else {
		sum, err = c.RunArchive(ctx, msgs, f, paras, checked, func(a *provenance.Assessment) error { return emit(a, nil) })
	}
	if err != nil {
		return nil, err
	}
	if sw, ok := w.(interface {
		SetArchiveSummary(provenance.ArchiveSummary)
	}); ok {
		sw.SetArchiveSummary(sum)
	}
	return &sum, nil
}

// notePass says on stderr what the archive pass changed and what the
// archive refers to but does not hold.
func notePass(stderr io.Writer, s *provenance.ArchiveSummary) {
	if s == nil {
		return
	}
	if s.Corroborated+s.Conflicts > 0 {
		fmt.Fprintf(stderr, "leakproof: note: the archive pass changed %s on the evidence of other copies: %d made authentic by an identical authentic copy, %d made altered by a differing one (copies.* evidence)\n",
			plural(s.Corroborated+s.Conflicts, "verdict", "verdicts"), s.Corroborated, s.Conflicts)
	}
	if s.MissingReferences > 0 {
		fmt.Fprintf(stderr, "leakproof: note: the messages refer to %s the archive does not hold (In-Reply-To, References)\n",
			plural(s.MissingReferences, "message", "messages"))
	}
}

// passTempFile creates a temporary file the archive pass keeps records or
// paragraphs in until the stream ends: beside out, or in the system's
// temporary folder when the report goes to stdout.
func passTempFile(out string) (*os.File, error) {
	dir := os.TempDir()
	if out != "" {
		dir = filepath.Dir(out)
	}
	f, err := os.CreateTemp(dir, ".leakproof-pass-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("the archive pass needs a temporary file: %w", err)
	}
	return f, nil
}
