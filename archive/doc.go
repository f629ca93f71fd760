// Package archive walks a folder, a zip, a tar or a single file and yields
// every mail message in it, byte-exact, with its chain-of-custody data.
//
// [Walk] takes a path (a message file, an mbox, an Apple Mail .emlx file, a
// Maildir, a folder tree, a zip, a tar, a gzip or bzip2 file) and yields one
// [Message] per message, or per file that holds none or cannot be read. It
// never interprets message content: that is the verifier's job.
//
// The same walk runs over other sources: [WalkFS] over an fs.FS (os.DirFS,
// an embed.FS), [WalkReaderAt] over one file held in an io.ReaderAt (an
// uploaded mbox or zip, walked under the name its records should carry,
// with no temporary file), and [NewMessage] makes the record of one message
// held in memory. [MailOnly] leaves out the records of files that are not
// mail, telling the caller which they were.
//
// # Chain of custody
//
// Each Message carries File (the path as given joined with "/" and the path
// inside it: "dump.zip/Sent/1.eml", "leak.tar.gz/mail/cur/1:2,S",
// "dump.zip/old.zip/1.eml"; a compressed single file keeps its own name:
// "inbox.mbox.gz"), Index (1-based within File), Offset and Size (where Raw
// lies in File, or in the uncompressed entry or stream) and SHA256 (of Raw,
// before any unescaping or line-ending change). Reading Size bytes at
// Offset reproduces the hash:
//
//	dd if=FILE bs=1 skip=OFFSET count=SIZE | sha256sum
//	unzip -p ZIP ENTRY | dd bs=1 skip=OFFSET count=SIZE | sha256sum
//	tar -xOzf TGZ ENTRY | dd bs=1 skip=OFFSET count=SIZE | sha256sum
//	gunzip -c FILE.gz | dd bs=1 skip=OFFSET count=SIZE | sha256sum
//
// The walk reads in one goroutine. A caller that checks messages in
// parallel sets Options.DeferDigest: the walk then leaves SHA256 and ID
// (which is made from it) empty, and [Message.Digest] fills them in where
// the message is checked ([Message.DigestWith] when the caller hashes Raw
// in a pass of its own); provenance.Checker.Check calls it. A caller
// ranging over the walk itself calls Digest before it reads either.
//
// Raw is the message as stored, the container's framing left out: for an
// mbox, the bytes after the separator line up to the next one (still
// escaped; see package mbox; a slice of the mbox reader's buffer, with
// what it learnt of the lines in Message.Lines); for .emlx, the bytes
// after the length line, as many as it counts, without the plist trailer;
// otherwise the whole file.
//
// # Formats
//
// A file's kind comes from its content ([Detect]), never its name: an mbox
// by its first separator line, .emlx by its length line followed by a
// header, a single RFC 5322 message by a plausible header, a zip, tar,
// gzip or bzip2 file by its signature. Message.Format ([Format]) is "eml" (a single message, a
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
// Mail in formats the walk recognises but cannot read gives a record whose
// Err is an [*UnsupportedError] naming the format (it wraps [ErrNotMail],
// as a file with no mail does): an Outlook .pst or .ost ("!BDN"), an
// Outlook .msg (an OLE2 compound file holding Outlook's property streams;
// an OLE2 file is taken for one by its name only when its directory lies
// past the first 64 KiB), an Outlook Express .dbx, and 7z, RAR, xz and
// zstd files. Converting them is the caller's business: Outlook rebuilds
// a message from its own storage, so a converted message seldom keeps
// the bytes its signature covers.
//
// # Containers
//
// Zip, tar, gzip and bzip2 files are opened wherever they are found, inside
// each other too, to Options.MaxDepth levels (default 3: a zip in a tar in
// a zip is read; a fourth level gives a record wrapping [ErrTooDeep]). A
// compressed tar (.tar.gz, .tgz, .tar.bz2) is one level; a gzip or bzip2
// stream that is not a tar is read as the file it compresses, under its
// own name. Each entry is read as a file of its own:
//
//   - a zip's entries are visited sorted by path, as a folder's are;
//   - a tar's entries in the order the tar stores them (a tar cannot be
//     read out of order without unpacking it); its links, devices and fifos
//     give a record wrapping [ErrNotMail] that says what they are, and are
//     not followed;
//   - an entry whose name is not a plain relative path ("../x", "/x", a
//     backslash or NUL in it) is read under that name, with a note;
//   - entries that unzip or tar would write to one file (the same name,
//     or names that differ only in "./", "x/../" or slashes;
//     [ExtractedName]) each get a note and Entry and Entries saying which
//     of them the record is; names that differ only in letter case get a
//     note. A nested container's records keep the notes of the entries
//     around it.
//
// Every container is read twice: a first pass checks it whole (a zip
// entry's CRC, a gzip or bzip2 stream's checksum, a tar's headers and the
// entry cap) before any message of it is yielded, so no message of a
// corrupt entry passes as intact, and a second yields its messages. A zip
// needs random access and a tar or compressed file a second pass, so one
// found inside a compressed entry or stream is held in memory, up to
// Options.MaxNestedSize (default 256 MiB; past it, a record wrapping
// [ErrNestedTooLarge]); one stored uncompressed in a file, in a zip or
// in a tar on disk, is read in place.
//
// # Walking
//
// Folders are opened with os.OpenRoot: no path, symbolic links included,
// leads out of the tree (a link that tries gives an error record); links to
// folders are not followed, so every file is read once by its real path.
// Files that are not regular (fifos, devices) are not opened. Entries are
// visited sorted by name, so a Maildir's cur/ comes before new/; its tmp/
// (deliveries in progress) is skipped, in a folder, a zip or a tar alike.
// Input is opened read-only; nothing is ever written or extracted.
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
//   - a zip entry with a bad CRC, a gzip stream with a bad checksum, a
//     broken tar header: Index 0, the error (zip.ErrChecksum,
//     gzip.ErrChecksum, tar.ErrHeader), and none of its messages;
//   - a zip entry or compressed stream over the caps: Index 0,
//     [ErrZipEntryTooLarge] or [ErrZipRatio]; a zip or tar with too many
//     entries: [ErrTooManyEntries]; containers nested too deep:
//     [ErrTooDeep]; a nested container too large to hold:
//     [ErrNestedTooLarge];
//   - a file in a mail format the walk cannot read: Index 0, an
//     [*UnsupportedError];
//   - a zip entry whose data shares bytes with another entry's: Index 0,
//     [ErrOverlap], naming both entries and their offsets; a stored zip
//     entry whose declared sizes differ: [ErrZipEntrySize]; errors about a
//     zip entry's data name its offset in the zip;
//   - a zip whose central directory is over its cap: Index 0,
//     [ErrCentralDirectory]; bytes inflated over the per-zip or per-walk
//     total: [ErrInflatedTotal]; a folder deeper than the path-depth cap:
//     [ErrPathTooDeep] (not entered); the file past the files cap:
//     [ErrTooManyFiles] (the walk ends there);
//   - a file whose size or modification time changed while it was read:
//     after its records, one more, Index 0, [ErrChanged].
//   - a message left for Message.Load (Options.DeferLarge) whose bytes,
//     read again, are not those the walk passed over (the file shrank or
//     was written over in place): that message's Err wraps [ErrChanged].
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
// lists of the folders being walked, a zip's central directory or a tar's
// table of names (at most Options.MaxZipEntries entries each), and for
// each container nested in a compressed one, up to Options.MaxNestedSize
// (at most Options.MaxDepth-1 of them at once). A message over the cap is
// streamed through SHA-256 without being kept; a single-message file known
// to be over the cap is not read at all. A zip entry or a gzip or bzip2
// stream is read through a limit of Options.MaxZipEntrySize bytes (default
// 16 GiB) and of Options.MaxZipRatio times its compressed size (default
// 1000, counted from 1 MiB), whatever its header claims; and every byte
// inflated inside a container nested in it, at any depth and in either
// pass, counts against the same limit, so a bomb nested in a bomb
// inflates no more than the entry holding it may.
//
// Totals bound what one archive, or one run, can cost, whatever each entry
// claims. A zip's entries inflate to Options.MaxZipTotal bytes in all
// (default 64 GiB; both passes over each entry count), and one walk, or
// the walks sharing Options.Inflated, to Options.MaxInflatedTotal (default
// 1 TiB). No two entries of a zip may share bytes: each entry's data range
// (from its local header, its compressed size long) is checked against
// the others' before any is read, so an overlapping-entry bomb (thousands
// of entries over one stream) is refused without inflating anything. A
// zip's central directory, which archive/zip holds in memory, is sized
// from the end records (zip64 ones too) before it is parsed, and capped
// at Options.MaxCentralDirectory (default 64 MiB); entries per zip or tar
// at Options.MaxZipEntries. A walk reads at most Options.MaxFiles files
// and entries (default 16 Mi) and goes Options.MaxPathDepth folders deep
// (default 100). Lines may be of any
// length: a 2 GB file without a newline streams through in bounded memory.
// Records the caller keeps are the caller's memory.
package archive
