// Package archive walks a folder, a zip or a single file and yields every
// mail message in it, byte-exact, with its chain-of-custody data.
//
// [Walk] takes a path (a message file, an mbox, an Apple Mail .emlx file, a
// Maildir, a folder tree or a zip) and yields one [Message] per message, or
// per file that holds none or cannot be read. It never interprets message
// content: that is the verifier's job.
//
// # Chain of custody
//
// Each Message carries File (the path as given joined with "/" and the path
// inside it: "dump.zip/Sent/1.eml"), Index (1-based within File), Offset and
// Size (where Raw lies in File, or in the uncompressed zip entry) and SHA256
// (of Raw, before any unescaping or line-ending change). Reading Size bytes
// at Offset reproduces the hash:
//
//	dd if=FILE bs=1 skip=OFFSET count=SIZE | sha256sum
//	unzip -p ZIP ENTRY | dd bs=1 skip=OFFSET count=SIZE | sha256sum
//
// Raw is the message as stored, the container's framing left out: for an
// mbox, the bytes after the separator line up to the next one (still
// escaped; see package mbox); for .emlx, the bytes after the length line,
// as many as it counts, without the plist trailer; otherwise the whole file.
//
// # Formats
//
// A file's kind comes from its content ([Detect]), never its name: an mbox
// by its first separator line, .emlx by its length line followed by a
// header, a single RFC 5322 message by a plausible header, a zip by its
// signature. Message.Format ([Format]) is "eml" (a single message, a
// Maildir file), "emlx", or the mbox variant the mbox reader reports
// ("mbox", "mboxrd", "mboxcl", "mboxcl2"; "mboxo" only when Options.Mbox
// names it). A single message's Raw keeps a line its export tool left above
// the header (an mbox separator line, Exchange's preamble); [LeadingLine]
// finds it for a verifier to set aside.
//
// A UTF-8 byte-order mark at the start of a file or of a message (Windows
// tools write one) is a storage artifact, reported with Message.BOM. Raw
// still holds one at the start of the message, so that the custody hash
// stays that of the stored bytes, and a verifier sets it aside; one before
// an mbox file's separator line belongs to no message's Raw. A
// Content-Length that the mbox separator lines overrule is reported with
// Message.ContentLengthConflict.
//
// # Zip entry names
//
// A zip may hold several entries that land in one file when unzipped: the
// same name, names unzip writes to one path ([ExtractedName]: "./a.eml",
// "x/../a.eml"), and names that a Mac or Windows takes for one and that
// look the same on screen ([CollisionName]: "café.eml" composed or
// decomposed, "a.eml."). Each such entry's records carry Entry and Entries
// and a note saying which of them it is; names that differ only in letter
// case get a note.
//
// # Walking
//
// Folders are opened with os.OpenRoot: no path, symbolic links included,
// leads out of the tree (a link that tries gives an error record); links to
// folders are not followed, so every file is read once by its real path.
// Files that are not regular (fifos, devices) are not opened. Entries are
// visited sorted by name, so a Maildir's cur/ comes before new/; its tmp/
// (deliveries in progress) is skipped. A zip found in the tree, or given as
// the path, is opened one level deep: a zip inside it gives a record wrapping
// [ErrNestedZip]; an entry whose name is not a plain relative path ("../x",
// "/x") is read under that name, with a note. Input is opened read-only;
// nothing is ever written or extracted.
//
// # Errors
//
// A record with Err set names the path (and the message and offset where
// there is one) and wraps a sentinel or the underlying error:
//
//   - a file that is not mail: Index 0, [ErrNotMail] (the CLI counts these);
//   - a file or zip that cannot be opened or read: Index 0, the I/O error;
//   - a message over the size cap: its Index, [ErrTooLarge];
//   - an I/O error inside an mbox: the message being read gets it, and the
//     rest of that file is abandoned;
//   - a zip entry with a bad CRC: Index 0, zip.ErrChecksum. Each entry is
//     read whole once to check its CRC before its messages are read, so no
//     message of a corrupt entry passes as intact (a zip costs two
//     decompressions);
//   - a zip entry over the caps: Index 0, [ErrZipEntryTooLarge] or
//     [ErrZipRatio]; a zip with too many entries: [ErrTooManyEntries].
//
// A malformed message (truncated, a lying Content-Length, an .emlx without
// its trailer) is still yielded, with Notes saying what is wrong. In every
// case the walk goes on with the next message or file.
//
// # Bounds
//
// Memory does not depend on the size of the archive or of its files. Walk
// holds at most one message's Raw, up to Options.MaxMessageSize (default
// 100 MiB; while an mbox message of unknown size is read, its buffer grows by
// doubling, so up to about twice the cap transiently), plus the mbox
// reader's buffer (1 MiB), one 64 KiB sniffing window, the sorted entry
// lists of the folders being walked, and a zip's central directory (at most
// Options.MaxZipEntries entries). A message over
// the cap is streamed through SHA-256 without being kept; a single-message
// file known to be over the cap is not read at all. A zip entry is read
// through a limit of Options.MaxZipEntrySize bytes (default 16 GiB) and of
// Options.MaxZipRatio times its compressed size (default 1000, counted from
// 1 MiB), whatever its header claims. Lines may be of any length: a 2 GB
// file without a newline streams through in bounded memory. Records the
// caller keeps are the caller's memory.
package archive
