package dkim

// This file fixes the exported API that the arc and provenance packages
// build on. The dkim helper implements the bodies (and may move them to the
// files where they belong: tags.go, canon.go, key.go, verify.go).

import (
	"context"
	"crypto"
	"errors"
	"io"
)

var errNotImplemented = errors.New("dkim: not implemented yet")

// A Tag is one tag=value pair of a tag list (RFC 6376 §3.2), with
// whitespace around the name and the value removed.
type Tag struct{ Name, Value string }

// ParseTagList parses a tag list. Duplicate names, empty names, and
// invalid characters are errors (wrapping ErrMalformedTags).
func ParseTagList(s string) ([]Tag, error) { return nil, errNotImplemented }

// Canonicalization is a DKIM canonicalization algorithm (RFC 6376 §3.4).
type Canonicalization int

const (
	Simple Canonicalization = iota
	Relaxed
)

// AppendCanonicalHeader appends the canonical form of one raw header field
// (name, colon, value and folding, with its CRLF or LF ending) to dst.
func AppendCanonicalHeader(dst, field []byte, c Canonicalization) []byte { return dst }

// A BodyHasher canonicalizes and hashes a body in one pass.
type BodyHasher interface {
	io.Writer
	// Sum finishes the body and returns the hash of the canonical body,
	// limited to the l= length given to NewBodyHasher (-1 for no limit),
	// and the count of canonical bytes beyond that limit.
	Sum() (sum []byte, unsigned int64)
}

// NewBodyHasher returns a BodyHasher for hash h and canonicalization c.
// limit is l=, or -1.
func NewBodyHasher(h crypto.Hash, c Canonicalization, limit int64) BodyHasher { return nil }

// Verify checks every DKIM signature of the message read from r (the message
// as its format defines it: header, blank line, body; LF or CRLF).
// r is read to the end. A bad signature is a finding, not an error: the
// error is for a failing reader or a message over the size limit.
func Verify(ctx context.Context, r io.Reader, opts *Options) (*Verification, error) {
	return &Verification{}, nil
}
