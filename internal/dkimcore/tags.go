package dkimcore

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// maxTags caps the tags of one tag list: a real DKIM-Signature or key
// record has about a dozen.
const maxTags = 256

// ErrMalformedTags is wrapped by every tag-list syntax error.
var ErrMalformedTags = errors.New("dkim: malformed tag list")

// ErrDuplicateTag is wrapped when a tag name occurs twice (RFC 6376 §3.2:
// "Tags with duplicate names MUST NOT occur within a single tag-list").
// It wraps ErrMalformedTags.
var ErrDuplicateTag = fmt.Errorf("%w: duplicate tag", ErrMalformedTags)

// A Tag is one tag=value pair of a tag list (RFC 6376 §3.2), with
// whitespace around the name and the value removed.
type Tag struct{ Name, Value string }

// ParseTagList parses a tag list (RFC 6376 §3.2): tag-spec *(";" tag-spec)
// [";"]. Folding whitespace around names and values is removed; whitespace
// inside a value is kept as written (callers of b=, bh= and p= remove it).
// Tag names are case-sensitive and must be ALPHA *(ALPHA / DIGIT / "_").
//
// Errors wrap ErrMalformedTags: a duplicate name (ErrDuplicateTag), an
// empty or invalid name, a spec without "=", control characters (NUL and
// the like) in a value, or more than 256 tags. Empty specs (";;", a trailing
// ";") are accepted, as Mail::DKIM and go-msgauth accept them. Bytes above
// 0x7E in values are accepted (z= copies of 8-bit header fields occur in
// real mail). The tags are returned in order; on error the result is nil.
func ParseTagList(s string) ([]Tag, error) {
	var tags []Tag
	for spec := range strings.SplitSeq(s, ";") {
		if isFWSOnly(spec) {
			continue
		}
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("%w: %q has no '='", ErrMalformedTags, TrimFWS(spec))
		}
		name = TrimFWS(name)
		if !validTagName(name) {
			return nil, fmt.Errorf("%w: invalid tag name %q", ErrMalformedTags, name)
		}
		value = TrimFWS(value)
		for i := range len(value) {
			if c := value[i]; (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f {
				return nil, fmt.Errorf("%w: control character %#02x in the value of %s=", ErrMalformedTags, c, name)
			}
		}
		for _, t := range tags {
			if t.Name == name {
				return nil, fmt.Errorf("%w %q", ErrDuplicateTag, name)
			}
		}
		if len(tags) == maxTags {
			return nil, fmt.Errorf("%w: more than %d tags", ErrMalformedTags, maxTags)
		}
		tags = append(tags, Tag{Name: name, Value: value})
	}
	return tags, nil
}

// TagValue returns the value of the tag called name.
func TagValue(tags []Tag, name string) (string, bool) {
	for _, t := range tags {
		if t.Name == name {
			return t.Value, true
		}
	}
	return "", false
}

func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isFWSOnly(s string) bool {
	for i := range len(s) {
		if !isFWS(s[i]) {
			return false
		}
	}
	return true
}

// TrimFWS returns s without whitespace (SP, HTAB, CR, LF) at either end.
func TrimFWS(s string) string {
	for len(s) > 0 && isFWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isFWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// RemoveFWS returns s without any whitespace (for base64 values, where
// RFC 6376 §3.5 allows FWS anywhere).
func RemoveFWS(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		if !isFWS(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func validTagName(n string) bool {
	if n == "" || !isAlpha(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		if c := n[i]; !isAlpha(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// DecodeBase64 decodes standard base64, with or without padding.
func DecodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
