package testmail

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A KeyEntry is one record of a key archive, in the JSON Lines format of
// docs/keys.md: a published key record or a recorded DNS failure for
// selector._domainkey.domain.
type KeyEntry struct {
	Domain, Selector string
	// TXT is the record text. It is written as JSON null when DNSError is
	// set.
	TXT string
	// DNSError is a recorded failure: "NXDOMAIN", "SERVFAIL", "TIMEOUT",
	// "REFUSED" or "TRUNCATED". If empty, the entry is a record.
	DNSError string
	// FirstSeen, LastSeen, Seen and PrivateKeyPublished are written in RFC
	// 3339 form; a zero time is left out.
	FirstSeen, LastSeen, Seen, PrivateKeyPublished time.Time
	// Source is where the record came from. If empty, it is left out.
	Source string
	// Note is a free comment (verifiers ignore unknown fields). If empty,
	// it is left out.
	Note string
}

// Entry returns the key's record at its default domain and selector, with
// source "testmail".
func (k *Key) Entry() KeyEntry {
	return KeyEntry{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "testmail"}
}

// Name returns the DNS name of the record: selector._domainkey.domain.
func (e KeyEntry) Name() string {
	return e.Selector + "._domainkey." + e.Domain
}

// JSON returns the entry as one line of a JSON Lines key file, with its
// final newline. Fields are written in a fixed order.
func (e KeyEntry) JSON() string {
	type line struct {
		Domain              string  `json:"domain"`
		Selector            string  `json:"selector"`
		TXT                 *string `json:"txt"`
		DNSError            string  `json:"dns_error,omitempty"`
		FirstSeen           string  `json:"first_seen,omitempty"`
		LastSeen            string  `json:"last_seen,omitempty"`
		Seen                string  `json:"seen,omitempty"`
		PrivateKeyPublished string  `json:"private_key_published,omitempty"`
		Source              string  `json:"source,omitempty"`
		Note                string  `json:"note,omitempty"`
	}
	l := line{
		Domain: e.Domain, Selector: e.Selector, DNSError: e.DNSError,
		FirstSeen: rfc3339(e.FirstSeen), LastSeen: rfc3339(e.LastSeen), Seen: rfc3339(e.Seen),
		PrivateKeyPublished: rfc3339(e.PrivateKeyPublished),
		Source:              e.Source, Note: e.Note,
	}
	if e.DNSError == "" {
		l.TXT = &e.TXT
	}
	data, err := json.Marshal(l)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return string(data) + "\n"
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// KeyFileLine returns the key-file line for k at its default domain and
// selector, after applying each edit to the entry, for example:
//
//	testmail.KeyFileLine(k, func(e *testmail.KeyEntry) { e.Selector = "old" })
func KeyFileLine(k *Key, edits ...func(*KeyEntry)) string {
	e := k.Entry()
	for _, edit := range edits {
		edit(&e)
	}
	return e.JSON()
}

// KeyFile returns a JSON Lines key file holding entries, in order.
func KeyFile(entries ...KeyEntry) []byte {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.JSON())
	}
	return []byte(b.String())
}

// ZoneRecord returns the entry as a BIND zone file TXT record with an
// absolute owner name, or "" for a recorded DNS failure (a zone cannot hold
// one). The text is split into quoted strings of at most 255 bytes
// (RFC 1035, 3.3.14), all on one line, or, when multiline is set, in 60-byte
// strings inside parentheses, one per line.
func (e KeyEntry) ZoneRecord(multiline bool) string {
	if e.DNSError != "" {
		return ""
	}
	size := 255
	if multiline {
		size = 60
	}
	var parts []string
	txt := e.TXT
	for len(txt) > size {
		parts = append(parts, quoteZone(txt[:size]))
		txt = txt[size:]
	}
	parts = append(parts, quoteZone(txt))
	owner := e.Name() + ". 3600 IN TXT "
	if !multiline {
		return owner + strings.Join(parts, " ") + "\n"
	}
	return owner + "(\n\t" + strings.Join(parts, "\n\t") + " )\n"
}

// quoteZone quotes a character-string for a zone file, escaping '"' and '\'.
func quoteZone(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// TXTLookup returns a function for go-msgauth's VerifyOptions.LookupTXT that
// answers from entries, never from the network: the TXT of every entry
// named "selector._domainkey.domain" (several for a reused selector), or an
// error for a name with no entry or only recorded DNS failures.
func TXTLookup(entries ...KeyEntry) func(name string) ([]string, error) {
	return func(name string) ([]string, error) {
		var txts []string
		for _, e := range entries {
			if e.DNSError == "" && strings.EqualFold(e.Name(), strings.TrimSuffix(name, ".")) {
				txts = append(txts, e.TXT)
			}
		}
		if len(txts) == 0 {
			return nil, fmt.Errorf("testmail: no TXT record for %s", name)
		}
		return txts, nil
	}
}
