package dkim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// ErrKeyFile: a key file could not be parsed. The error says where
// (a *KeyFileError).
var ErrKeyFile = errors.New("dkim: bad key file")

// A KeyFileError reports a malformed key file and the line it was found on.
type KeyFileError struct {
	Name string // the name given to ReadKeyFile
	Line int    // 1-based line number; 0 when the error is about the whole file
	Err  error
}

func (e *KeyFileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("dkim: key file %s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("dkim: key file %s, line %d: %v", e.Name, e.Line, e.Err)
}

// Unwrap returns ErrKeyFile and the cause.
func (e *KeyFileError) Unwrap() []error { return []error{ErrKeyFile, e.Err} }

const (
	// MaxKeyFileSize caps what ReadKeyFile reads: 256 MiB.
	MaxKeyFileSize = 256 << 20
	// maxKeyFileLine caps one JSON line or one zone-file record.
	maxKeyFileLine = 1 << 20
)

// A KeyFile is a key archive read into memory: a KeySource answering from
// its records. Lookups match domain and selector case-insensitively and
// ignore a trailing dot. Used as Options.Keys, it keeps the keys Verify
// parses, so that a key cited by many messages is parsed once. A KeyFile is
// safe for concurrent use.
type KeyFile struct {
	records   []KeyRecord
	index     map[string][]int     // lookup name -> positions in records
	published map[string]KeyRecord // key material -> the record marking it published earliest
	keys      dkimcore.KeyCache
}

// ReadKeyFile reads a key file in either format, told apart by
// content: JSON Lines when the first character that is not white space is
// "{", else a BIND zone file. name is used in errors and becomes the Source
// of each record that has no "source" field (zone records never have one).
// r is read to the end, up to MaxKeyFileSize.
//
// JSON Lines: one object per line; "domain" and "selector" are required;
// "txt" is a string or null (absent counts as null); "dns_error" is
// "NXDOMAIN", "SERVFAIL", "TIMEOUT", "REFUSED" or "TRUNCATED" and required exactly when
// txt is null; "first_seen", "last_seen", "seen" and
// "private_key_published" are RFC 3339 times; unknown fields are ignored;
// blank lines are skipped.
//
// Zone files: TXT records whose owner name is selector._domainkey.domain;
// other records are skipped. $ORIGIN and $TTL are honoured, relative names
// and "@" resolved, a blank owner repeats the previous one, strings are
// joined, parentheses continue a record over lines, ";" starts a comment
// outside quotes, and \" \\ \DDD escapes are decoded. $INCLUDE is an error.
//
// Errors are *KeyFileError values, wrapping ErrKeyFile, with the line.
func ReadKeyFile(r io.Reader, name string) (*KeyFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("dkim: reading key file %s: %w", name, err)
	}
	if len(data) > MaxKeyFileSize {
		return nil, &KeyFileError{Name: name, Line: 0, Err: fmt.Errorf("larger than %d bytes", MaxKeyFileSize)}
	}
	var recs []KeyRecord
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		recs, err = parseJSONLines(data, name)
	} else {
		recs, err = parseZone(data, name)
	}
	if err != nil {
		return nil, err
	}
	return NewKeyFile(recs), nil
}

// NewKeyFile returns a KeyFile answering from recs (which it copies).
// Records keep their Source; domain and selector are matched
// case-insensitively, a trailing dot ignored.
func NewKeyFile(recs []KeyRecord) *KeyFile {
	f := &KeyFile{records: append([]KeyRecord(nil), recs...), index: make(map[string][]int)}
	for i, r := range f.records {
		n := dkimcore.KeyName(r.Domain, r.Selector)
		f.index[n] = append(f.index[n], i)
		if r.PrivateKeyPublished.IsZero() || r.DNSError != "" {
			continue
		}
		// A private key made public is public whatever name its public
		// half is served under (the same key under another selector, or a
		// hosting provider's key shared by many domains): index it by the
		// key itself.
		for _, m := range dkimcore.RecordMaterials(r.TXT) {
			if old, ok := f.published[m]; !ok || r.PrivateKeyPublished.Before(old.PrivateKeyPublished) {
				if f.published == nil {
					f.published = map[string]KeyRecord{}
				}
				f.published[m] = r
			}
		}
	}
	return f
}

// publishedMaterial returns the record that marks the key material m
// published earliest, under whatever name.
func (f *KeyFile) publishedMaterial(m string) (KeyRecord, bool) {
	r, ok := f.published[m]
	return r, ok
}

// publishedIndex is implemented by key sources that know which keys had
// their private half published, by key material (KeyFile, KeySources).
type publishedIndex interface {
	publishedMaterial(m string) (KeyRecord, bool)
	// anyPublished reports whether any key is marked, so that the key
	// material is not spelt out for every signature when none is.
	anyPublished() bool
}

func (f *KeyFile) anyPublished() bool { return len(f.published) > 0 }

// keyCacher is implemented by key sources that keep the keys parsed from
// records across messages (KeyFile, KeySources).
type keyCacher interface {
	keyCache() *dkimcore.KeyCache
}

func (f *KeyFile) keyCache() *dkimcore.KeyCache { return &f.keys }

// Lookup returns the records for selector._domainkey.domain, in file
// order. It never fails.
func (f *KeyFile) Lookup(_ context.Context, domain, selector string) ([]KeyRecord, error) {
	idx := f.index[dkimcore.KeyName(domain, selector)]
	if len(idx) == 0 {
		return nil, nil
	}
	out := make([]KeyRecord, len(idx))
	for i, j := range idx {
		out[i] = f.records[j]
	}
	return out, nil
}

// Records returns a copy of every record, in file order.
func (f *KeyFile) Records() []KeyRecord { return append([]KeyRecord(nil), f.records...) }

// parseJSONLines reads a JSON Lines key file.
func parseJSONLines(data []byte, name string) ([]KeyRecord, error) {
	var recs []KeyRecord
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		l, data, _ = bytes.Cut(data, []byte("\n"))
		l = bytes.TrimSpace(l)
		if line == 1 {
			l = bytes.TrimPrefix(l, []byte("\ufeff"))
		}
		if len(l) == 0 {
			continue
		}
		if len(l) > maxKeyFileLine {
			return nil, &KeyFileError{Name: name, Line: line, Err: fmt.Errorf("line longer than %d bytes", maxKeyFileLine)}
		}
		r, err := dkimcore.DecodeRecordLine(l)
		if err != nil {
			return nil, &KeyFileError{Name: name, Line: line, Err: err}
		}
		if r.Source == "" {
			r.Source = name
		}
		recs = append(recs, r)
	}
	return recs, nil
}
