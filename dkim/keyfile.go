package dkim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
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
// ignore a trailing dot. A KeyFile is safe for concurrent use.
type KeyFile struct {
	records   []KeyRecord
	index     map[string][]int     // lookup name -> positions in records
	published map[string]KeyRecord // key material -> the record marking it published earliest
}

// ReadKeyFile reads a key file in either format of DESIGN.md, told apart by
// content: JSON Lines when the first character that is not white space is
// "{", else a BIND zone file. name is used in errors and becomes the Source
// of each record that has no "source" field (zone records never have one).
// r is read to the end, up to MaxKeyFileSize.
//
// JSON Lines: one object per line; "domain" and "selector" are required;
// "txt" is a string or null (absent counts as null); "dns_error" is
// "NXDOMAIN", "SERVFAIL", "TIMEOUT" or "REFUSED" and required exactly when
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
		n := keyName(r.Domain, r.Selector)
		f.index[n] = append(f.index[n], i)
		if r.PrivateKeyPublished.IsZero() || r.DNSError != "" {
			continue
		}
		// A private key made public is public whatever name its public
		// half is served under: index it by the key itself (red team 4,
		// R4: the same key under another selector, or a hosting
		// provider's key shared by many domains).
		for _, m := range recordMaterials(r.TXT) {
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

// keyName is the case-folded lookup key for (domain, selector).
func keyName(domain, selector string) string {
	return keyNormalName(selector) + "._domainkey." + keyNormalName(domain)
}

// keyNormalName is how key files store a domain or selector: lower-case,
// without surrounding white space or final dots, and an internationalized
// name in A-labels (the form signatures are looked up under).
func keyNormalName(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), ".")
	if a, ok := asciiDomain(s); ok {
		return strings.ToLower(a)
	}
	return strings.ToLower(s)
}

// Lookup returns the records for selector._domainkey.domain, in file
// order. It never fails.
func (f *KeyFile) Lookup(_ context.Context, domain, selector string) ([]KeyRecord, error) {
	idx := f.index[keyName(domain, selector)]
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

// keyRecordJSON is one line of a JSON Lines key file.
type keyRecordJSON struct {
	Domain              string  `json:"domain"`
	Selector            string  `json:"selector"`
	TXT                 *string `json:"txt"`
	DNSError            string  `json:"dns_error,omitempty"`
	FirstSeen           string  `json:"first_seen,omitempty"`
	LastSeen            string  `json:"last_seen,omitempty"`
	Seen                string  `json:"seen,omitempty"`
	PrivateKeyPublished string  `json:"private_key_published,omitempty"`
	Source              string  `json:"source,omitempty"`
}

// MarshalJSON writes the record as one line of a JSON Lines key file
// (DESIGN.md, Keys): txt is null for a recorded DNS failure, empty times
// and an empty source are left out, times are RFC 3339.
func (r KeyRecord) MarshalJSON() ([]byte, error) {
	j := keyRecordJSON{
		Domain: r.Domain, Selector: r.Selector, DNSError: r.DNSError, Source: r.Source,
		FirstSeen: keyTime(r.FirstSeen), LastSeen: keyTime(r.LastSeen), Seen: keyTime(r.Seen),
		PrivateKeyPublished: keyTime(r.PrivateKeyPublished),
	}
	if r.DNSError == "" {
		txt := r.TXT
		j.TXT = &txt
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads one line of a JSON Lines key file, with the checks
// ReadKeyFile applies. Source stays "" when the line has none.
func (r *KeyRecord) UnmarshalJSON(b []byte) error {
	var j keyRecordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	rec, err := j.record()
	if err != nil {
		return err
	}
	*r = rec
	return nil
}

func keyTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func (j *keyRecordJSON) record() (KeyRecord, error) {
	r := KeyRecord{
		Domain:   keyNormalName(j.Domain),
		Selector: keyNormalName(j.Selector),
		Source:   j.Source,
	}
	if r.Domain == "" {
		return r, errors.New(`missing "domain"`)
	}
	if r.Selector == "" {
		return r, errors.New(`missing "selector"`)
	}
	switch e := strings.ToUpper(j.DNSError); {
	case j.TXT != nil && e != "":
		return r, errors.New(`both "txt" and "dns_error"`)
	case j.TXT != nil:
		r.TXT = *j.TXT
	case e == "":
		return r, errors.New(`"txt" is null but there is no "dns_error"`)
	case e == "NXDOMAIN" || e == "SERVFAIL" || e == "TIMEOUT" || e == "REFUSED":
		r.DNSError = e
	default:
		return r, fmt.Errorf(`"dns_error" %q is not NXDOMAIN, SERVFAIL, TIMEOUT or REFUSED`, keyClip(j.DNSError))
	}
	for _, t := range []struct {
		name string
		in   string
		out  *time.Time
	}{
		{"first_seen", j.FirstSeen, &r.FirstSeen},
		{"last_seen", j.LastSeen, &r.LastSeen},
		{"seen", j.Seen, &r.Seen},
		{"private_key_published", j.PrivateKeyPublished, &r.PrivateKeyPublished},
	} {
		if t.in == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.in)
		if err != nil {
			return r, fmt.Errorf("%q is not an RFC 3339 time: %q", t.name, keyClip(t.in))
		}
		*t.out = v
	}
	return r, nil
}

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
		var j keyRecordJSON
		dec := json.NewDecoder(bytes.NewReader(l))
		if err := dec.Decode(&j); err != nil {
			return nil, &KeyFileError{Name: name, Line: line, Err: err}
		}
		if dec.More() {
			return nil, &KeyFileError{Name: name, Line: line, Err: errors.New("more than one JSON value on the line")}
		}
		r, err := j.record()
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
