package testmail

import (
	"crypto"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// DKOptions configures SignDomainKey. A nil *DKOptions, like the zero value,
// signs c=simple with no h= (every field below the signature), q=dns, a=
// rsa-sha1, d= and s= from the key.
type DKOptions struct {
	// Canonicalization is c=: "simple" or "nofws". If empty, "simple".
	Canonicalization string
	// Headers is h=, written as given; the signature then covers every
	// instance of each listed field, in header order. If nil, no h= and
	// every field is signed.
	Headers []string
	// Domain and Selector override d= and s=, which otherwise come from
	// the key.
	Domain, Selector string
	// Query is q= as written. If empty, "dns".
	Query string
	// Omit lists tags to leave out ("a", "q", "c", ...).
	Omit []string
	// Signature replaces b= after signing. If empty, the real signature.
	Signature string
}

// SignDomainKey returns msg with a DomainKey-Signature field (RFC 4870)
// made with key prepended. msg must use CRLF line endings and key must be
// an RSA key. Like Sign, it uses its own canonicalization, written from
// RFC 4870 §3.4 independently of the dkim package, and is deterministic.
func SignDomainKey(msg []byte, key *Key, o *DKOptions) ([]byte, error) {
	if o == nil {
		o = &DKOptions{}
	}
	if hasBareLF(msg) {
		return nil, ErrBareLF
	}
	if key.Type() != "rsa" {
		return nil, fmt.Errorf("testmail: DomainKeys signs with RSA keys only, not %s", key.Name)
	}
	canon := o.Canonicalization
	if canon == "" {
		canon = "simple"
	}
	if canon != "simple" && canon != "nofws" {
		return nil, fmt.Errorf("testmail: unknown DomainKeys canonicalization %q", canon)
	}
	nofws := canon == "nofws"
	header, body := splitMessage(msg)
	fields := headerFields(header)
	if o.Headers != nil {
		var picked []string
		for _, f := range fields {
			if slices.ContainsFunc(o.Headers, func(n string) bool { return strings.EqualFold(n, fieldName(f)) }) {
				picked = append(picked, f)
			}
		}
		fields = picked
	}

	h := sha1.New()
	for _, f := range fields {
		if nofws {
			f = strings.NewReplacer(" ", "", "\t", "", "\r", "", "\n", "").Replace(f) + "\r\n"
		}
		h.Write([]byte(f))
	}
	h.Write(dkBody(body, nofws))
	sig, err := key.Private.Sign(nil, h.Sum(nil), crypto.SHA1)
	if err != nil {
		return nil, fmt.Errorf("testmail: signing with %s: %w", key.Name, err)
	}
	bText := base64.StdEncoding.EncodeToString(sig)
	if o.Signature != "" {
		bText = o.Signature
	}

	domain, selector, query := o.Domain, o.Selector, o.Query
	if domain == "" {
		domain = key.Domain
	}
	if selector == "" {
		selector = key.Selector
	}
	if query == "" {
		query = "dns"
	}
	var tags []Tag
	add := func(name, value string) {
		if !slices.Contains(o.Omit, name) {
			tags = append(tags, Tag{name, value})
		}
	}
	add("a", "rsa-sha1")
	add("q", query)
	add("c", canon)
	add("s", selector)
	add("d", domain)
	if o.Headers != nil {
		add("h", strings.Join(o.Headers, ":"))
	}
	add("b", bText)
	return append([]byte(formatField("DomainKey-Signature", tags)), msg...), nil
}

// MustSignDomainKey is SignDomainKey for tests: it panics on error.
func MustSignDomainKey(msg []byte, key *Key, o *DKOptions) []byte {
	out, err := SignDomainKey(msg, key, o)
	if err != nil {
		panic(err)
	}
	return out
}

// dkBody is the body part of what a DomainKey-Signature signs: the empty
// line that ends the header, then the body lines (nofws: without spaces
// and tabs), the empty lines at the end left out; nothing at all when
// only empty lines are left (RFC 4870 §3.4.2.1, as Mail::DKIM reads it).
func dkBody(body []byte, nofws bool) []byte {
	lines := strings.Split(string(body), "\r\n")
	// Split gives a last element after the final CRLF: "" when the body
	// ends in CRLF, an unterminated line otherwise.
	last := lines[len(lines)-1]
	lines = lines[:len(lines)-1]
	strip := func(s string) string {
		if nofws {
			return strings.NewReplacer(" ", "", "\t", "", "\r", "").Replace(s)
		}
		return s
	}
	last = strip(last)
	for i := range lines {
		lines[i] = strip(lines[i])
	}
	if last == "" {
		for len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
	}
	if len(lines) == 0 && last == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("\r\n")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	b.WriteString(last)
	return []byte(b.String())
}
