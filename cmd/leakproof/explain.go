package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var cf checkFlags
	cf.register(fs)
	var ref messageRef
	ref.register(fs)
	noPass := fs.Bool("no-archive-pass", false, "judge the message alone, without reading the rest of PATH")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if code := ref.check(fs, stderr); code >= 0 {
		return code
	}
	if msg, hint := cf.validate(); msg != "" {
		return usageError(stderr, msg, hint)
	}
	root, code := ref.path(fs, stderr, "leakproof explain [options] [--file INNER [--entry N]] [--index N] PATH")
	if code >= 0 {
		return code
	}

	opts, hint, err := cf.options()
	if err != nil {
		cf.close()
		errorf(stderr, err.Error(), hint)
		return exitInput
	}
	defer cf.close() // for the early returns; closing twice is harmless

	m, code := ref.find(ctx, root, stderr)
	if m == nil {
		return code
	}
	checker := provenance.NewChecker(opts)
	var a *provenance.Assessment
	if *noPass || m.Err != nil {
		a = checker.Check(ctx, m)
	} else if a, err = assessInArchive(ctx, checker, root, m, startProgress(ctx, stderr, []string{root})); err != nil {
		errorf(stderr, err.Error())
		return exitInput
	}
	if err := report.WriteExplanation(stdout, a); err != nil {
		errorf(stderr, err.Error())
		return exitInput
	}
	if err := cf.close(); err != nil {
		errorf(stderr, err.Error(), "the DNS answers were not all recorded")
		return exitInput
	}
	ref.noteFirstFile(m, root, stderr)
	if a.Err != nil {
		return exitInput
	}
	return exitOK
}

// assessInArchive checks every message under root, as verify does, runs
// the archive pass over them and returns the assessment of m with what the
// others say of it: its copies, its signing domain's other messages, the
// replies that quote it. Memory stays bounded by the pass's fingerprints:
// only m's assessment is kept. prog, if not nil, counts the messages
// checked (on a terminal: a large archive takes as long as verify).
func assessInArchive(ctx context.Context, c *provenance.Checker, root string, m *archive.Message, prog *progress) (*provenance.Assessment, error) {
	defer prog.stop()
	pass := provenance.NewArchivePass()
	defer pass.Release() // found keeps nothing of the pass's memory
	var found *provenance.Assessment
	msgs := func(yield func(*archive.Message) bool) {
		for x := range archive.Walk(ctx, root, nil) {
			if x != nil && !errors.Is(x.Err, archive.ErrNotMail) && !yield(x) {
				return
			}
		}
	}
	err := c.Run(ctx, msgs, func(a *provenance.Assessment) error {
		prog.add(a.Size)
		pass.Add(a)
		if a.ID == m.ID && a.File == m.File && a.Entry == m.Entry && a.Index == m.Index {
			found = a
		}
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, errors.New("interrupted")
		}
		return nil, err
	}
	if found == nil {
		// The message was found once but not read again: the archive
		// changed in between.
		return nil, fmt.Errorf("%s changed while being read: message %d was not found again", m.File, m.Index)
	}
	pass.Apply(found)
	return found, nil
}

// A messageRef names one message of an archive, as explain and bundle take
// it: --file INNER, --entry N and --index N; --id ID; or the FILE#INDEX form
// that verify's table prints.
type messageRef struct {
	inner string
	index int
	entry int
	id    string
	set   map[string]bool // the flags given
}

func (r *messageRef) register(fs *flag.FlagSet) {
	fs.StringVar(&r.inner, "file", "", "the file inside a folder or zip PATH")
	fs.IntVar(&r.index, "index", 1, "the message within the file")
	fs.IntVar(&r.entry, "entry", 0, "which of several zip entries sharing the --file name (1 = first in the zip's directory order)")
	fs.StringVar(&r.id, "id", "", "the message's id, as verify's JSON and CSV give it")
}

// check reports a usage error in the parsed flags and returns its exit
// status, or -1 when there is none.
func (r *messageRef) check(fs *flag.FlagSet, stderr io.Writer) int {
	r.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { r.set[f.Name] = true })
	if r.index < 1 {
		return usageError(stderr, fmt.Sprintf("--index %d: messages are numbered from 1", r.index))
	}
	if r.entry < 0 {
		return usageError(stderr, fmt.Sprintf("--entry %d: entries are numbered from 1", r.entry))
	}
	return -1
}

// path reads the one PATH argument, and the message it names when it has
// the FILE#INDEX form. It returns the PATH to walk, or the exit status to
// end with (synopsis is the hint for a missing PATH).
func (r *messageRef) path(fs *flag.FlagSet, stderr io.Writer, synopsis string) (string, int) {
	switch len(fs.Args()) {
	case 0:
		return "", usageError(stderr, "no PATH to "+fs.Name(), synopsis)
	case 1:
	default:
		return "", usageError(stderr, fs.Name()+" takes one PATH", "to pick a file inside a folder or zip, use --file INNER")
	}
	root := fs.Args()[0]
	if r.id != "" {
		r.id = strings.ToLower(r.id)
		if !isMessageID(r.id) {
			return "", usageError(stderr, fmt.Sprintf("--id %q: not a message id", r.id), "an id is 64 hexadecimal digits, as the id field of verify's JSON or CSV gives it")
		}
		if r.set["file"] || r.set["index"] || r.set["entry"] {
			return "", usageError(stderr, "--id names the message alone", "leave out --file, --index and --entry")
		}
	} else if file, n, ok := splitReference(root); ok {
		// The form the table prints: FILE#INDEX, where FILE may lie inside a zip.
		if r.set["index"] || r.set["file"] {
			return "", usageError(stderr, fmt.Sprintf("%s names the message already", root), "leave out --file and --index")
		}
		root, r.inner = file, ""
		if zip, in, ok := insideFile(file); ok {
			root, r.inner = zip, in
		}
		r.index = n
	}
	return root, -1
}

// find walks root for the message r names. It returns the message or,
// when there is none, the exit status after reporting why.
func (r *messageRef) find(ctx context.Context, root string, stderr io.Writer) (*archive.Message, int) {
	if r.id != "" {
		return findID(ctx, root, r.id, stderr)
	}
	return findMessage(ctx, root, r.inner, r.index, r.entry, stderr)
}

// noteFirstFile tells, on stderr, which file m came from when r named no
// file and root holds several.
func (r *messageRef) noteFirstFile(m *archive.Message, root string, stderr io.Writer) {
	if r.id == "" && r.inner == "" && m.File != root && m.Index > 0 {
		fmt.Fprintf(stderr, "leakproof: note: this is %s, the first mail file in %s; pick another with --file INNER\n",
			printable(innerName(m.File, root)), printable(root))
	}
}

// findMessage walks root for message index of the file named inner (or of
// the first file, when inner is ""). When several zip entries share that
// name, entry (1-based) picks one; without it the name is ambiguous and
// findMessage refuses rather than explain a message the user may not mean
// (unzip, and most tools, show only the last). It returns the message or,
// when there is none, the exit status after reporting why.
func findMessage(ctx context.Context, root, inner string, index, entry int, stderr io.Writer) (*archive.Message, int) {
	var files []string // mail files seen, in walk order
	counts := map[string]int{}
	var fileErr *archive.Message
	target := ""   // the File of the first matching record
	dupes := false // the target's name is shared by several zip entries
	held := 0      // records of the target file (of the chosen entry)
	for m := range archive.Walk(ctx, root, nil) {
		if m == nil || errors.Is(m.Err, archive.ErrNotMail) {
			continue
		}
		if counts[m.File] == 0 {
			files = append(files, m.File)
		}
		counts[m.File]++
		if inner == "" && target == "" && m.File != root {
			inner = innerName(m.File, root) // the first mail file
		}
		match := m.File == target || target == "" && inner == "" || inner != "" && sameFile(m.File, root, inner)
		if !match {
			if target != "" && !dupes {
				// A file's messages come together: the target file is
				// done and did not have the message. (Entries that unzip
				// writes to one name need not be next to each other.)
				break
			}
			continue
		}
		if target == "" {
			target = m.File
		}
		dupes = dupes || m.Entries > 1
		if m.Entries > 1 && entry == 0 {
			return nil, usageError(stderr, fmt.Sprintf("%s names %d entries of the zip, not one", m.File, m.Entries),
				fmt.Sprintf("pick one with --entry N, from 1 to %d in the zip's directory order (unzip extracts only the last); \"leakproof verify\" notes which record is which", m.Entries))
		}
		if entry > max(m.Entries, 1) {
			if m.Entries == 0 {
				return nil, usageError(stderr, fmt.Sprintf("--entry %d: %s is the only entry of that name", entry, m.File), "leave out --entry")
			}
			return nil, usageError(stderr, fmt.Sprintf("--entry %d: %s names only %d entries", entry, m.File, m.Entries))
		}
		if m.Entries > 1 && m.Entry != entry {
			continue
		}
		held++
		if m.Index == 0 {
			fileErr = m
			break
		}
		if m.Index == index {
			return m, exitOK
		}
	}
	if err := ctx.Err(); err != nil {
		errorf(stderr, "interrupted")
		return nil, exitInput
	}
	switch {
	case fileErr != nil:
		// The file itself could not be read: explain says so in its words.
		return fileErr, exitInput
	case target == "" && inner != "":
		hints := []string{"--file names a path inside PATH, as the File column of \"leakproof verify\" shows it after PATH/"}
		if len(files) > 0 {
			names := make([]string, 0, 5)
			for _, f := range files[:min(len(files), 5)] {
				names = append(names, innerName(f, root))
			}
			hints = append(hints, "files with mail here include: "+strings.Join(names, ", "))
		}
		return nil, usageError(stderr, fmt.Sprintf("no mail file %q in %s", inner, root), hints...)
	case target == "":
		errorf(stderr, fmt.Sprintf("no mail found in %s", root), "check the path; run \"leakproof verify\" on it to see what it holds")
		return nil, exitInput
	default:
		return nil, usageError(stderr, fmt.Sprintf("%s has no message %d", target, index),
			fmt.Sprintf("it holds %s; pick one with --index N", plural(held, "message", "messages")))
	}
}

// innerName returns a message's File as --file names it: the path inside root.
func innerName(file, root string) string {
	return strings.TrimPrefix(file, strings.TrimSuffix(root, "/")+"/")
}

// sameFile reports whether a message's File is the file inner names inside
// root: File is root joined with "/" and the path inside it, which is
// compared as unzip would write it (archive.ExtractedName: "./a.eml",
// "x/../a.eml" and "x/a.eml" are where they land), and as a Mac or Windows
// takes names that look the same (archive.CollisionName: "café.eml"
// composed or decomposed, "a.eml" and "a.eml.").
// Only the whole path inside root matches: a suffix could pick another
// folder's file of the same name.
func sameFile(file, root, inner string) bool {
	if file == inner {
		return true
	}
	prefix := strings.TrimSuffix(root, "/") + "/"
	return strings.HasPrefix(file, prefix) && archive.CollisionName(strings.TrimPrefix(file, prefix)) == archive.CollisionName(inner)
}

// isMessageID reports whether s is a message id: 64 lower-case hex digits.
func isMessageID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// splitReference reads the FILE#INDEX form that verify's table prints,
// when ref is not itself a path that exists (a file may have "#" in its
// name).
func splitReference(ref string) (file string, index int, ok bool) {
	if _, err := os.Stat(ref); err == nil {
		return "", 0, false
	}
	i := strings.LastIndexByte(ref, '#')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(ref[i+1:])
	if err != nil || n < 1 || strings.HasPrefix(ref[i+1:], "+") {
		return "", 0, false
	}
	return ref[:i], n, true
}

// insideFile splits a path that leads into a file (dump.zip/Sent/1.eml)
// into that file and the path inside it, when the path itself does not
// exist and some leading part of it is a regular file.
func insideFile(p string) (file, inner string, ok bool) {
	if _, err := os.Stat(p); err == nil {
		return "", "", false
	}
	for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
		if fi, err := os.Stat(p[:i]); err == nil {
			if !fi.Mode().IsRegular() {
				return "", "", false
			}
			return p[:i], p[i+1:], true
		}
	}
	return "", "", false
}

// findID walks root for the message whose id is id. The id is computed
// from the path below the PATH verify was given, so root must be that PATH
// (typed any way).
func findID(ctx context.Context, root, id string, stderr io.Writer) (*archive.Message, int) {
	for m := range archive.Walk(ctx, root, nil) {
		if m != nil && m.ID == id && !errors.Is(m.Err, archive.ErrNotMail) {
			return m, exitOK
		}
	}
	if err := ctx.Err(); err != nil {
		errorf(stderr, "interrupted")
		return nil, exitInput
	}
	errorf(stderr, fmt.Sprintf("no message with id %s in %s", id, root),
		"an id is computed from the path below the PATH that verify was given: give explain that same PATH")
	return nil, exitInput
}
