package archive

// Files that hold mail in a format the walk cannot read, recognised by
// their content so that a caller can say what to convert them with.

import (
	"bytes"
	"path"
	"strings"
)

// An UnsupportedError is the Err of a record for a file the walk
// recognises as mail, or as an archive that may hold mail, in a format it
// cannot read. It unwraps to both [ErrUnsupported] and [ErrNotMail], so a
// caller that skips files holding no readable mail skips these too.
type UnsupportedError struct {
	// Format names what was found, one of:
	//   - "pst": an Outlook data file, .pst or .ost ("!BDN");
	//   - "msg": an Outlook message, .msg (an OLE2 compound file holding
	//     Outlook's "__substg1.0_" streams, or so named);
	//   - "dbx": an Outlook Express folder, .dbx;
	//   - "7z", "rar": a 7-Zip or RAR archive;
	//   - "xz", "zstd": an xz or Zstandard compressed file.
	Format string
}

func (e *UnsupportedError) Error() string {
	return "archive: " + unsupportedNames[e.Format] + ", which this reader cannot read"
}

// Unwrap returns ErrUnsupported and ErrNotMail.
func (e *UnsupportedError) Unwrap() []error { return []error{ErrUnsupported, ErrNotMail} }

var unsupportedNames = map[string]string{
	"pst":  "an Outlook data file (.pst)",
	"msg":  "an Outlook message file (.msg)",
	"dbx":  "an Outlook Express folder (.dbx)",
	"7z":   "a 7-Zip archive",
	"rar":  "a RAR archive",
	"xz":   "an xz compressed file",
	"zstd": "a Zstandard compressed file",
}

// ole2Magic starts every OLE2 compound file: Outlook's .msg, but also
// Office 97 documents (.doc, .xls), which are not mail.
var ole2Magic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// msgMarkers are names (UTF-16LE, as OLE2 directories store them) and the
// class ID that only an Outlook message's directory holds.
var msgMarkers = [][]byte{
	utf16le("__substg1.0_"),
	utf16le("__properties_version1.0"),
	{0x0b, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}, // {00020D0B-0000-0000-C000-000000000046}
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// unsupported returns the error for a file named name whose first bytes
// are head when it is in a format the walk recognises but cannot read, or
// nil. The content decides; the name only settles an OLE2 file whose
// directory lies past head (a .msg with large attachments).
func unsupported(head []byte, name string) *UnsupportedError {
	var format string
	switch {
	case bytes.HasPrefix(head, []byte("!BDN")):
		format = "pst"
	case bytes.HasPrefix(head, ole2Magic):
		for _, m := range msgMarkers {
			if bytes.Contains(head, m) {
				format = "msg"
			}
		}
		if format == "" && strings.EqualFold(path.Ext(name), ".msg") {
			format = "msg"
		}
	case bytes.HasPrefix(head, []byte{0xcf, 0xad, 0x12, 0xfe}):
		format = "dbx"
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		format = "7z"
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07")):
		format = "rar"
	case bytes.HasPrefix(head, []byte("\xfd7zXZ\x00")):
		format = "xz"
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		format = "zstd"
	}
	if format == "" {
		return nil
	}
	return &UnsupportedError{Format: format}
}
