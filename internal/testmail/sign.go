package testmail

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultUnix is the fixed signing time (t=) of every signature unless
// SignOptions.Time says otherwise: 2016-03-01 10:00:05 UTC, five seconds after
// the default Date of Message.
const DefaultUnix = 1456826405

// DefaultHeaders returns the h= list used when SignOptions.Headers is nil:
// from, to, subject, date, message-id.
func DefaultHeaders() []string {
	return []string{"from", "to", "subject", "date", "message-id"}
}

// Body lengths with a special meaning in SignOptions.BodyLength.
const (
	// WholeBody signs the whole canonical body and states its length in l=.
	WholeBody = -1
	// ZeroLength writes l=0 (the signature covers none of the body).
	ZeroLength = -2
)

// ErrBareLF is returned by Sign for a message with a line feed that is not
// part of a CRLF: sign the CRLF form, then convert (see LF).
var ErrBareLF = errors.New("testmail: message has bare LF line endings")

// A Tag is one tag=value pair of a DKIM-Signature. A Tag with an empty Name
// is written as Value alone (for malformed tag lists).
type Tag struct {
	Name, Value string
}

// SignOptions configures Sign and SignMsgauth. A nil *SignOptions, like the
// zero value, signs rsa-sha256 (or ed25519-sha256 for an Ed25519 key),
// relaxed/relaxed, h=from:to:subject:date:message-id, v=1, d= and s= from the
// key, t= DefaultUnix, no i=, l= or x=.
type SignOptions struct {
	// Algorithm is a=: "rsa-sha256", "rsa-sha1" or "ed25519-sha256". If
	// empty, the key's own (Key.Algorithm). Any other value is written
	// as given and the key signs SHA-256, so it makes a bad a=.
	Algorithm string
	// Canonicalization is c= as written: "relaxed/relaxed", "simple/simple",
	// "relaxed/simple", "simple/relaxed", or a single word meaning
	// "word/simple" (RFC 6376 section 3.5). If empty, "relaxed/relaxed".
	// When "c" is in Omit, simple/simple is used, as the RFC says.
	Canonicalization string
	// Headers is h=, in order and written as given (letter case kept).
	// Listing a name more often than the message has it oversigns it. If
	// nil, DefaultHeaders(); an empty non-nil slice writes an empty h=.
	Headers []string
	// BodyLength sets l=. If zero, no l=; WholeBody writes the length of the
	// whole canonical body; ZeroLength writes l=0; a positive n signs the
	// first n bytes of the canonical body and writes l=n (n may exceed the
	// body, which makes a signature that cannot verify).
	BodyLength int64
	// Time is t=. If zero, DefaultUnix. Put "t" in Omit for no t=.
	Time time.Time
	// Expiration is x=. If zero, no x=.
	Expiration time.Time
	// Identity is i=. If empty, no i=.
	Identity string
	// Domain and Selector override d= and s=, which otherwise come from the
	// key. They are written as given, so they can be malformed
	// ("example.com(x)").
	Domain, Selector string
	// Version is v=. If empty, "1". Put "v" in Omit for no v= (the pre-RFC
	// drafts); "0.5" makes a draft-05 signature.
	Version string
	// Extra tags are written, in order, after the standard tags and before
	// bh= and b=; they are signed like the rest. A Tag naming a standard tag
	// makes a duplicate.
	Extra []Tag
	// Omit lists names of standard tags to leave out ("v", "t", "h",
	// "bh", "b", ...). The signer still computes what it needs.
	Omit []string
	// BodyHash replaces bh= with this text (for bad base64 or a wrong hash).
	// The header signature covers the replacement. If empty, the real hash.
	BodyHash string
	// Signature replaces b= with this text after signing. If empty, the
	// real signature.
	Signature string
	// FieldName is the name of the field to write. If empty,
	// "DKIM-Signature" ("X-Google-DKIM-Signature" makes a field a DKIM
	// verifier must ignore).
	FieldName string
}

func (o *SignOptions) orDefault() *SignOptions {
	if o == nil {
		return &SignOptions{}
	}
	return o
}

func (o *SignOptions) omits(tag string) bool {
	return slices.Contains(o.Omit, tag)
}

// canon returns the header and body canonicalizations to compute with, and
// the c= text to write.
func (o *SignOptions) canon() (headerRelaxed, bodyRelaxed bool, text string, err error) {
	text = o.Canonicalization
	if text == "" {
		text = "relaxed/relaxed"
	}
	if o.omits("c") {
		return false, false, text, nil
	}
	h, b, ok := strings.Cut(text, "/")
	if !ok {
		b = "simple"
	}
	for _, c := range []string{h, b} {
		if c != "simple" && c != "relaxed" {
			return false, false, "", fmt.Errorf("testmail: unknown canonicalization %q", text)
		}
	}
	return h == "relaxed", b == "relaxed", text, nil
}

// Sign returns msg with a DKIM-Signature field made with key prepended. msg
// must use CRLF line endings. If msg starts with a space or tab, that line
// continues the new field (so Prepend such lines after signing). Sign uses its own canonicalization (not the
// dkim package's) and is deterministic: the same input gives the same bytes.
// See SignOptions for the variants it can make, malformed ones included.
func Sign(msg []byte, key *Key, o *SignOptions) ([]byte, error) {
	field, err := SignatureField(msg, key, o)
	if err != nil {
		return nil, err
	}
	return append([]byte(field), msg...), nil
}

// MustSign is Sign for tests: it panics on error.
func MustSign(msg []byte, key *Key, o *SignOptions) []byte {
	out, err := Sign(msg, key, o)
	if err != nil {
		panic(err)
	}
	return out
}

// SignatureField returns the DKIM-Signature field (name, value, final CRLF)
// that Sign would prepend to msg.
func SignatureField(msg []byte, key *Key, o *SignOptions) (string, error) {
	o = o.orDefault()
	if hasBareLF(msg) {
		return "", ErrBareLF
	}
	hRelaxed, bRelaxed, cText, err := o.canon()
	if err != nil {
		return "", err
	}
	alg := o.Algorithm
	if alg == "" {
		alg = key.Algorithm()
	}
	hashFunc := crypto.SHA256
	if strings.HasSuffix(alg, "-sha1") {
		hashFunc = crypto.SHA1
	}
	newHash := func() hash.Hash {
		if hashFunc == crypto.SHA1 {
			return sha1.New()
		}
		return sha256.New()
	}

	header, body := splitMessage(msg)
	cbody := canonBody(body, bRelaxed)
	var lTag string
	switch n := o.BodyLength; {
	case n == WholeBody:
		lTag = strconv.Itoa(len(cbody))
	case n == ZeroLength:
		lTag, cbody = "0", nil
	case n > 0:
		lTag = strconv.FormatInt(n, 10)
		if n < int64(len(cbody)) {
			cbody = cbody[:n]
		}
	case n < 0:
		return "", fmt.Errorf("testmail: invalid BodyLength %d", n)
	}
	bh := newHash()
	bh.Write(cbody)
	bhText := base64.StdEncoding.EncodeToString(bh.Sum(nil))
	if o.BodyHash != "" {
		bhText = o.BodyHash
	}

	names := o.Headers
	if names == nil {
		names = DefaultHeaders()
	}
	domain, selector := o.Domain, o.Selector
	if domain == "" {
		domain = key.Domain
	}
	if selector == "" {
		selector = key.Selector
	}
	version := o.Version
	if version == "" {
		version = "1"
	}
	t := o.Time
	if t.IsZero() {
		t = time.Unix(DefaultUnix, 0)
	}

	var tags []Tag
	add := func(name, value string) {
		if !o.omits(name) {
			tags = append(tags, Tag{name, value})
		}
	}
	add("v", version)
	add("a", alg)
	add("c", cText)
	add("d", domain)
	add("s", selector)
	if o.Identity != "" {
		add("i", o.Identity)
	}
	if lTag != "" {
		add("l", lTag)
	}
	add("t", strconv.FormatInt(t.Unix(), 10))
	if !o.Expiration.IsZero() {
		add("x", strconv.FormatInt(o.Expiration.Unix(), 10))
	}
	add("h", strings.Join(names, ":"))
	tags = append(tags, o.Extra...)
	add("bh", bhText)
	signB := !o.omits("b")
	if signB {
		tags = append(tags, Tag{"b", ""})
	}

	fieldName := o.FieldName
	if fieldName == "" {
		fieldName = "DKIM-Signature"
	}
	unsigned := formatField(fieldName, tags)
	if !signB {
		return unsigned, nil
	}

	// The header hash: the selected fields, then this field with an empty
	// b= and without its final CRLF (RFC 6376 section 3.7).
	hh := newHash()
	for _, f := range pickFields(headerFields(header), names) {
		hh.Write([]byte(canonHeader(f, hRelaxed)))
	}
	hh.Write([]byte(strings.TrimSuffix(canonHeader(unsigned, hRelaxed), "\r\n")))
	digest := hh.Sum(nil)

	var sig []byte
	if key.Type() == "ed25519" {
		// RFC 8463 section 3: Ed25519 signs the SHA-256 hash (PureEdDSA
		// over the digest).
		sig, err = key.Private.Sign(nil, digest, crypto.Hash(0))
	} else {
		sig, err = key.Private.Sign(nil, digest, hashFunc)
	}
	if err != nil {
		return "", fmt.Errorf("testmail: signing with %s: %w", key.Name, err)
	}
	bText := base64.StdEncoding.EncodeToString(sig)
	if o.Signature != "" {
		bText = o.Signature
	}
	tags[len(tags)-1].Value = bText
	return formatField(fieldName, tags), nil
}

// formatField writes "Name: tag=value; tag=value;..." folded at about 72
// columns between tags, with long values (h=, bh=, b=) on their own lines
// and b= split into 64-character pieces. The b= value never starts or ends
// with whitespace, so removing it (RFC 6376 section 3.7) leaves "b=".
func formatField(name string, tags []Tag) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	col := len(name) + 1
	for i, t := range tags {
		text := t.Value
		if t.Name != "" {
			text = t.Name + "=" + t.Value
		}
		if t.Name == "b" && len(t.Value) > 64 {
			var parts []string
			v := t.Value
			for len(v) > 64 {
				parts = append(parts, v[:64])
				v = v[64:]
			}
			parts = append(parts, v)
			text = "b=" + strings.Join(parts, "\r\n\t")
		}
		if i < len(tags)-1 {
			text += ";"
		}
		// b= always starts a line, so the field folds the same way
		// with the value and without it.
		if i > 0 && (t.Name == "b" || col+1+len(text) > 72) {
			b.WriteString("\r\n\t")
			col = 1
		} else {
			b.WriteString(" ")
			col++
		}
		b.WriteString(text)
		col += len(text)
	}
	b.WriteString("\r\n")
	return b.String()
}

func hasBareLF(msg []byte) bool {
	for i := bytes.IndexByte(msg, '\n'); i >= 0; {
		if i == 0 || msg[i-1] != '\r' {
			return true
		}
		j := bytes.IndexByte(msg[i+1:], '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
