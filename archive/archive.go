// Package archive walks a folder, a zip or a single file and yields every
// mail message in it, byte-exact, with its chain-of-custody data.
package archive

// A Message is one message found in an archive, or a file that could not be
// read (Index 0, Err set).
type Message struct {
	File      string // path as given joined with "/" and the path inside it
	Index     int    // 1-based position within File; 0 for a file-level error record
	Offset    int64  // where Raw starts within File (within the uncompressed zip entry)
	Size      int64  // len(Raw) as stored
	SHA256    string // hex SHA-256 of Raw
	Format    string // eml, emlx, mboxo, mboxrd, mboxcl, mboxcl2, mbox
	Separator string // the mbox separator line, "" otherwise
	Raw       []byte // the stored bytes, still escaped
	Notes     []string
	Err       error // why the message or file could not be read
}
