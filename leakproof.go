package leakproof

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// Options configures the calls of this package. A nil *Options is the same
// as &Options{}: no key archive (every signed message is unverifiable, for
// want of a key), no DNS, the default policy and the default archive caps.
type Options struct {
	// Check configures the verifier: the key sources (Check.Keys, from
	// ReadKeyFiles, and Check.DNS, nil for no network), the policy (the
	// shortest RSA key that counts, rsa-sha1, trusted ARC sealers), the
	// time of the check and the workers. Its zero value is the newsroom
	// default that provenance.Options documents, with no keys.
	Check provenance.Options
	// Archive configures the walk: the caps on message size, zip entries
	// and nesting, the mbox variant. Its zero value is the defaults that
	// archive.Options documents (100 MiB a message, three levels of
	// nested archives), except that DeferLarge zero means
	// archive.DeferLargeSize here (a message over 1 MiB of an mbox on
	// disk, or of a ReaderAt, is read again from its place when it is
	// checked rather than held while it waits); a negative DeferLarge
	// reads every message whole as it is walked.
	Archive archive.Options
	// NotMail, if not nil, is handed the record of each file left out
	// because it holds no mail that can be read (its Err wraps
	// archive.ErrNotMail; an Outlook .pst is an *archive.UnsupportedError),
	// so that a program can say what was not examined. It is called from
	// the goroutine that walks the archive, one record at a time. If nil,
	// such files are left out silently.
	NotMail func(*archive.Message)
}

func (o *Options) check() *provenance.Options {
	if o == nil {
		return nil
	}
	return &o.Check
}

// archive returns the walk's options: the caller's, with the
// chain-of-custody digest left to the checker's workers, which compute it
// for every message they are handed (archive.Options.DeferDigest).
func (o *Options) archive() *archive.Options {
	var a archive.Options
	if o != nil {
		a = o.Archive
	}
	a.DeferDigest = true
	if a.DeferLarge == 0 {
		a.DeferLarge = archive.DeferLargeSize
	}
	return &a
}

func (o *Options) notMail() func(*archive.Message) {
	if o == nil {
		return nil
	}
	return o.NotMail
}

// VerifyMessage checks one message held in memory, raw being its bytes as
// stored (an .eml file's, or Apple Mail's .emlx), and returns its
// assessment. name is what the assessment's File says (an upload's file
// name, a database key); the ID, SHA-256, size and format are those
// archive.NewMessage gives. It never returns nil: a message that cannot be
// checked gives an assessment with Err set.
//
// raw is read as one message whatever it holds; bytes that may hold several
// (an mbox, a zip) go to VerifyReaderAt. raw must not change until
// VerifyMessage returns.
func VerifyMessage(ctx context.Context, name string, raw []byte, opts *Options) *provenance.Assessment {
	return provenance.NewChecker(opts.check()).Check(ctx, archive.NewMessage(name, raw))
}

// Verify checks every message under path, a message file, an mbox, an
// .emlx file, a Maildir, a folder tree, or a zip, tar, gzip or bzip2 file
// (archive.Walk), and calls emit with each assessment in archive order,
// from the calling goroutine, one at a time. These are the records of
// "leakproof verify PATH": a message or file that cannot be read is an
// assessment with Err set, and files that are not mail are left out
// (Options.NotMail).
//
// Verify returns emit's first error, or ctx.Err() when ctx is done first;
// either stops it. Otherwise it returns nil, whatever the verdicts and
// however many records had Err set.
func Verify(ctx context.Context, path string, opts *Options, emit func(*provenance.Assessment) error) error {
	return run(ctx, archive.Walk(ctx, path, opts.archive()), opts, emit)
}

// VerifyFS is Verify over every file of fsys (archive.WalkFS): each
// record's File is its path in fsys, and its ID the one Verify gives on the
// folder the FS was made from.
func VerifyFS(ctx context.Context, fsys fs.FS, opts *Options, emit func(*provenance.Assessment) error) error {
	return run(ctx, archive.WalkFS(ctx, fsys, opts.archive()), opts, emit)
}

// VerifyReaderAt is Verify over one file held in r, size bytes long: an
// uploaded message, mbox, zip or tar, read by its content
// (archive.WalkReaderAt). name is the file's name as the records should
// carry it ("leak.zip" gives "leak.zip/Sent/1.eml"): they are the records
// Verify gives for a file of that name holding the same bytes, with no
// temporary file and no temporary name in them.
func VerifyReaderAt(ctx context.Context, name string, r io.ReaderAt, size int64, opts *Options, emit func(*provenance.Assessment) error) error {
	return run(ctx, archive.WalkReaderAt(ctx, name, r, size, opts.archive()), opts, emit)
}

func run(ctx context.Context, msgs iter.Seq[*archive.Message], opts *Options, emit func(*provenance.Assessment) error) error {
	return provenance.NewChecker(opts.check()).Run(ctx, archive.MailOnly(msgs, opts.notMail()), emit)
}

// ReadKeyFiles reads key archives, each JSON Lines or a BIND zone file
// (docs/keys.md), into one key source for Options.Check.Keys, as
// "leakproof verify --keys" does: each record keeps the file it came from
// as its source, a key marked as published in one file is tainted in all,
// and the outcome never depends on the order of the files. The files are
// read whole at once (each up to dkim.MaxKeyFileSize); the source answers
// from memory and is safe for concurrent use. An error names the file
// and, for a line that does not parse, the line (*dkim.KeyFileError).
//
// To merge key files into one clean file instead, as "leakproof keys
// import" does, see dkim.MergeKeyRecords.
func ReadKeyFiles(paths ...string) (dkim.KeySource, error) {
	srcs := make([]dkim.KeySource, 0, len(paths))
	for _, p := range paths {
		kf, err := readKeyFile(p)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, kf)
	}
	return dkim.KeySources(srcs...), nil
}

func readKeyFile(path string) (*dkim.KeyFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("leakproof: key file: %w", err)
	}
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, path)
	if err != nil {
		return nil, fmt.Errorf("leakproof: key file %s: %w", path, err)
	}
	return kf, nil
}
