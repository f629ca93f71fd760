package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"iter"
)

// WalkFS returns an iterator over every message in fsys, as [Walk] yields
// those of a folder: the same formats, order, caps, notes and records of
// files that are not mail, but each record's File is the file's path in
// fsys ("Sent/1.eml", "dump.zip/Inbox/3.eml"), and [MessageID] takes that
// path, so that a message keeps the ID that Walk gives it on the folder the
// FS was made from (os.DirFS("leak") and Walk(ctx, "leak", nil) agree).
// To walk part of fsys, pass fs.Sub(fsys, dir).
//
// A file of fsys that implements io.ReaderAt (as those of os.DirFS,
// embed.FS and testing/fstest.MapFS do) is read in place; any other is
// streamed, and opened again when it is a tar or a compressed file (which
// are read twice) or held in memory up to Options.MaxNestedSize when it is
// a zip (which needs random access; a larger one gives a record wrapping
// [ErrNestedTooLarge]). Symbolic links are followed only as far as fsys
// follows them: os.DirFS lets a link lead out of its folder, where Walk
// refuses it.
//
// Every range over the iterator walks anew; when ctx is done the walk stops
// before the next record. WalkFS is safe for concurrent use when fsys is.
func WalkFS(ctx context.Context, fsys fs.FS, opts *Options) iter.Seq[*Message] {
	return func(yield func(*Message) bool) {
		w := &walker{ctx: ctx, opts: opts, yield: yield, rootDir: true}
		if ctx.Err() != nil {
			return
		}
		w.walkTree(fsys, "")
	}
}

// WalkReaderAt returns an iterator over every message of one file held in
// r, size bytes long, named name: an uploaded message, mbox, zip or tar, read
// as [Walk] reads a file named on its own (its kind read from its content;
// a file that does not look like mail but is shaped like a message is read
// as one, with Message.Forced set). Each record's File is name, or name
// joined with "/" and the path inside it for a zip or tar entry, and
// [MessageID] takes name's last element, as Walk takes the base name of the
// file it is given: the records are those that Walk gives for a file called
// name holding the same bytes.
//
// r is read at random, never written; a bytes.Reader over an upload, an
// *os.File and an io.SectionReader all serve. Every range over the iterator
// walks anew; when ctx is done the walk stops before the next record.
// WalkReaderAt is safe for concurrent use when r is (bytes.Reader and
// *os.File are).
func WalkReaderAt(ctx context.Context, name string, r io.ReaderAt, size int64, opts *Options) iter.Seq[*Message] {
	return func(yield func(*Message) bool) {
		w := &walker{ctx: ctx, opts: opts, yield: yield, root: name}
		if ctx.Err() != nil {
			return
		}
		w.partUnit(name)
		w.walkFile(name, r, size, true)
	}
}

// walkFSFile reads a file of an fs.FS that cannot be read at random: mail
// is streamed from f, a container opened again from fsys (or held in
// memory, for a zip).
func (w *walker) walkFSFile(fsys fs.FS, name, display string, f io.Reader, size int64) {
	head := w.headBuf(int(min(size, SniffSize)))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		w.fileError(display, err)
		return
	}
	head = head[:n]
	open := func() (io.ReadCloser, error) { return fsys.Open(name) }
	r := io.MultiReader(bytes.NewReader(head), f)
	w.walkSniffed(display, head, false, src{name: display, size: size, open: open}, r)
}
