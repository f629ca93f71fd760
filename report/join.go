package report

import (
	"encoding/json"
	"io"

	"github.com/leakproof/leakproof/provenance"
)

// A JoinWriter writes a join table as JSON Lines: for every record, the
// message's id and place (file, index, offset, size), the SHA-256, SHA-1
// and SHA-384 of its stored bytes and its message_id, so that a tool that
// names a message by another digest (Aleph's SHA-1 content hash,
// Datashare's SHA-384) can be joined back to leakproof's verdicts. Every
// field is always present; a hash that could not be computed is "".
//
// The assessment carries only the SHA-256: digests returns the SHA-1 and
// SHA-384 of the stored bytes, or "" when they were not read.
type JoinWriter struct {
	enc     *json.Encoder
	digests func(*provenance.Assessment) (sha1, sha384 string)
}

// NewJoinWriter returns a JoinWriter writing to w, with the digests of each
// message's stored bytes from digests.
func NewJoinWriter(w io.Writer, digests func(*provenance.Assessment) (sha1, sha384 string)) *JoinWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JoinWriter{enc: enc, digests: digests}
}

type joinRecord struct {
	ID        string `json:"id"`
	File      string `json:"file"`
	Index     int    `json:"index"`
	Offset    int64  `json:"offset"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	SHA1      string `json:"sha1"`
	SHA384    string `json:"sha384"`
	MessageID string `json:"message_id"`
}

// Write writes the row for a.
func (j *JoinWriter) Write(a *provenance.Assessment) error {
	sha1, sha384 := j.digests(a)
	return j.enc.Encode(joinRecord{
		ID: a.ID, File: a.File, Index: a.Index, Offset: a.Offset, Size: a.Size,
		SHA256: a.SHA256, SHA1: sha1, SHA384: sha384, MessageID: a.MessageID,
	})
}

// Close does nothing: every row is complete when Write returns.
func (j *JoinWriter) Close() error { return nil }
