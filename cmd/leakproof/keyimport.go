package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/idn"
)

// The kinds of file "keys import" reads, told apart by content.
const (
	importJSONLines = "JSON Lines key file"
	importZone      = "zone file"
	importZK        = "archive.zk.email"
	importMailauth  = "mailauth DNS cache"
)

// importKind tells what kind of key file data is: a JSON array is
// archive.zk.email's API answer; a single JSON object whose values are all
// objects (or null) is a mailauth DNS cache; other JSON is JSON Lines (a key file's
// first line has "domain"); anything else a zone file.
func importKind(data []byte) string {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(t) == 0 {
		return importZone
	}
	switch t[0] {
	case '[':
		return importZK
	case '{':
	default:
		return importZone
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	var first map[string]json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return importJSONLines // its own parser says what is wrong, and where
	}
	if _, ok := first["domain"]; ok || len(first) == 0 {
		return importJSONLines
	}
	for _, v := range first {
		if v := bytes.TrimSpace(v); len(v) == 0 || (v[0] != '{' && string(v) != "null") {
			return importJSONLines
		}
	}
	if dec.More() {
		return importJSONLines
	}
	return importMailauth
}

// An importError is a file that cannot be imported, with where.
type importError struct {
	kind  string
	where string // "row 3", "name s._domainkey.example.com", or ""
	err   error
}

func (e *importError) Error() string {
	if e.where == "" {
		return fmt.Sprintf("%s: %v", e.kind, e.err)
	}
	return fmt.Sprintf("%s, %s: %v", e.kind, e.where, e.err)
}

func (e *importError) Unwrap() error { return e.err }

// zkRow is one row of archive.zk.email's /api/key answer.
type zkRow struct {
	Domain      *string `json:"domain"`
	Selector    *string `json:"selector"`
	Value       *string `json:"value"`
	FirstSeenAt *string `json:"firstSeenAt"`
	LastSeenAt  *string `json:"lastSeenAt"`
}

// parseZKArchive reads the JSON list archive.zk.email serves:
// [{"domain", "selector", "value", "firstSeenAt", "lastSeenAt"}], dates
// in ISO 8601 or null. That API also answers with rows fetched from DNS
// at the moment of the request (its /api/key/domain adds them, dated
// then; its /api/key refreshes lastSeenAt): a row last seen on the day of
// the import (now) or on the day the file was saved (saved, zero when
// unknown) is today's DNS, not history, and becomes a record with Seen
// and no LastSeen (FirstSeen only when an earlier day says the archive
// had it before). path names the file in each Source.
func parseZKArchive(data []byte, path string, now, saved time.Time) ([]dkim.KeyRecord, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("\ufeff")), &rows); err != nil {
		return nil, &importError{kind: importZK, err: err}
	}
	recs := make([]dkim.KeyRecord, 0, len(rows))
	for i, raw := range rows {
		where := fmt.Sprintf("row %d", i+1)
		var row zkRow
		if err := json.Unmarshal(raw, &row); err != nil {
			return nil, &importError{importZK, where, err}
		}
		switch {
		case row.Domain == nil || dkimcore.NormalName(*row.Domain) == "":
			return nil, &importError{importZK, where, errors.New(`missing "domain"`)}
		case row.Selector == nil || dkimcore.NormalName(*row.Selector) == "":
			return nil, &importError{importZK, where, errors.New(`missing "selector"`)}
		case row.Value == nil:
			return nil, &importError{importZK, where, errors.New(`missing "value"`)}
		}
		first, err := zkTime(row.FirstSeenAt, "firstSeenAt")
		if err != nil {
			return nil, &importError{importZK, where, err}
		}
		last, err := zkTime(row.LastSeenAt, "lastSeenAt")
		if err != nil {
			return nil, &importError{importZK, where, err}
		}
		r := dkim.KeyRecord{
			Domain: dkimcore.NormalName(*row.Domain), Selector: dkimcore.NormalName(*row.Selector),
			TXT: *row.Value, FirstSeen: first, LastSeen: last,
			Source: importZK + " " + path,
		}
		if !last.IsZero() && (sameDay(last, now) || sameDay(last, saved)) {
			r.Seen, r.LastSeen = last, time.Time{}
			if !first.IsZero() && !sameDay(first, last) && first.Before(last) {
				r.FirstSeen = first
			} else {
				r.FirstSeen = time.Time{}
			}
			r.Source = fmt.Sprintf("%s %s (live DNS answer of %s, not history)", importZK, path, last.UTC().Format(time.DateOnly))
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// zkTime parses one of archive.zk.email's dates: ISO 8601 as JavaScript
// writes it ("2024-01-01T00:00:00.000Z"), or null.
func zkTime(s *string, field string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date: %q", field, dkimcore.ClipValue(*s))
	}
	return t, nil
}

// sameDay reports whether a and b fall on the same UTC day; never for a
// zero b.
func sameDay(a, b time.Time) bool {
	if b.IsZero() {
		return false
	}
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

// parseMailauthCache reads mailauth's DNS cache file (its --dns-cache):
// {"NAME": {"TXT": [["chunk", ...], ...], "MX": [...]}, ...}. The TXT
// records of names of the form selector._domainkey.domain become key
// records (their strings joined); every other name (_dmarc, SPF at the
// domain itself, MX, ...) is skipped, and counted in skipped. The file
// has no dates: it says what DNS answered when the cache was made.
func parseMailauthCache(data []byte, path string) (recs []dkim.KeyRecord, skipped int, err error) {
	var cache map[string]map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("\ufeff")), &cache); err != nil {
		return nil, 0, &importError{kind: importMailauth, err: err}
	}
	for name, types := range cache {
		// ASCII letters only, as NormalName: strings.ToLower would turn
		// look-alikes such as the Kelvin sign into ASCII letters.
		n := idn.LowerASCII(strings.TrimSuffix(strings.TrimSpace(name), "."))
		selector, domain, ok := strings.Cut(n, "._domainkey.")
		if !ok || dkimcore.NormalName(selector) == "" || dkimcore.NormalName(domain) == "" {
			skipped++
			continue
		}
		var txtRaw json.RawMessage
		for t, v := range types {
			if strings.EqualFold(t, "TXT") {
				txtRaw = v
			}
		}
		if txtRaw == nil {
			skipped++
			continue
		}
		var txts []json.RawMessage
		if err := json.Unmarshal(txtRaw, &txts); err != nil {
			return nil, 0, &importError{importMailauth, "name " + dkimcore.ClipValue(name), errors.New(`"TXT" is not a list of records`)}
		}
		for _, t := range txts {
			// Node's dns.resolveTxt gives each record as a list of its
			// strings; a plain string is taken as a record of one.
			var chunks []string
			if err := json.Unmarshal(t, &chunks); err != nil {
				var one string
				if err := json.Unmarshal(t, &one); err != nil {
					return nil, 0, &importError{importMailauth, "name " + dkimcore.ClipValue(name), errors.New(`a "TXT" record is not a list of strings`)}
				}
				chunks = []string{one}
			}
			recs = append(recs, dkim.KeyRecord{
				Domain: dkimcore.NormalName(domain), Selector: dkimcore.NormalName(selector),
				TXT: strings.Join(chunks, ""), Source: importMailauth + " " + path,
			})
		}
	}
	return recs, skipped, nil
}

// importWarnings returns what a reporter should know about records that
// were imported but will not do what they seem to: a key that does not
// parse (often cut short when it was copied), and a private_key_published
// mark on a record that holds no key material, which therefore taints
// nothing.
func importWarnings(recs []dkim.KeyRecord) []string {
	var out []string
	for _, r := range recs {
		if r.DNSError != "" {
			continue
		}
		name := r.Selector + "._domainkey." + r.Domain
		if _, err := dkim.ParseKey(r.TXT); err != nil {
			out = append(out, fmt.Sprintf("%s (from %s): not a usable key: %s (a key cut short when it was copied looks like this: check where it came from)",
				name, r.Source, strings.TrimPrefix(err.Error(), "dkim: ")))
		}
		if !r.PrivateKeyPublished.IsZero() && len(dkimcore.RecordMaterials(r.TXT)) == 0 {
			out = append(out, fmt.Sprintf("%s (from %s): marked private_key_published, but the record holds no key, so no signature is marked: add the key's txt",
				name, r.Source))
		}
	}
	return out
}
