package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
)

// MessageID returns a message's stable identifier, as [Message.ID] holds
// it: the hex SHA-256 of four fields, each followed by a NUL byte:
//
//	sha256 NUL path NUL entry NUL index NUL
//
// sha256 is the message's hex SHA-256 as [Message.SHA256] holds it (""
// when none); path is the message's file relative to the PATH the walk
// was given (the file's base name when PATH is the file itself; a zip
// entry's path inside the zip appended after "/", as stored); entry and
// index are [Message.Entry] and [Message.Index] in decimal. It does not
// depend on how PATH was typed (./x.mbox, x.mbox or an absolute path), and
// anyone can recompute it from a JSON record.
func MessageID(sha256Hex, path string, entry, index int) string {
	h := sha256.New()
	for _, f := range []string{sha256Hex, path, strconv.Itoa(entry), strconv.Itoa(index)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// relative returns the path of file relative to the walk's root, as
// MessageID takes it: the root's base name for the root file itself (and
// for what lies inside it, a zip's entries), the path inside the root
// folder otherwise.
func (w *walker) relative(file string) string {
	prefix := joinName(w.root, "")
	if !w.rootDir {
		base := filepath.Base(w.root)
		if file == w.root {
			return base
		}
		return base + "/" + strings.TrimPrefix(file, prefix)
	}
	if file == w.root {
		return ""
	}
	return strings.TrimPrefix(file, prefix)
}
