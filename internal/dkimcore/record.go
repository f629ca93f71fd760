package dkimcore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leakproof/leakproof/internal/idn"
)

// A KeyRecord is one published (or recorded) answer for
// selector._domainkey.domain, as a key file holds it.
type KeyRecord struct {
	Domain   string
	Selector string
	// TXT is the record text. It is meaningful only when DNSError is "".
	TXT string
	// DNSError is a recorded failure instead of a record: "NXDOMAIN",
	// "SERVFAIL", "TIMEOUT", "REFUSED" or "TRUNCATED" (a truncated UDP
	// answer with no full answer over TCP). "" for a record with text.
	DNSError            string
	FirstSeen, LastSeen time.Time // zero when unknown
	Seen                time.Time // when a DNS answer was recorded; zero when unknown
	// PrivateKeyPublished is when the private half of the key was made
	// public; zero when it was not. Anyone could sign with such a key.
	PrivateKeyPublished time.Time
	// Source says where the record came from: the file's "source" field,
	// else the key file's name, or "dns".
	Source string
	// Recovered marks a key computed from signatures of the archive
	// (leakproof keys recover), not one seen published: it proves that
	// the messages were signed with one key, not whose key it is.
	Recovered bool
	// RecoveredFrom names the messages whose signatures gave a recovered
	// key (their Message-IDs, else where they are stored); nil otherwise.
	RecoveredFrom []string
}

// A KeySource returns the records published for selector._domainkey.domain.
// Lookup returns no records and a nil error when it knows nothing of the name;
// an error means the source itself failed (a live DNS timeout, for one).
type KeySource interface {
	Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error)
}

// keyRecordJSON is one line of a JSON Lines key file.
type keyRecordJSON struct {
	Domain              string   `json:"domain"`
	Selector            string   `json:"selector"`
	TXT                 *string  `json:"txt"`
	DNSError            string   `json:"dns_error,omitempty"`
	FirstSeen           string   `json:"first_seen,omitempty"`
	LastSeen            string   `json:"last_seen,omitempty"`
	Seen                string   `json:"seen,omitempty"`
	PrivateKeyPublished string   `json:"private_key_published,omitempty"`
	Source              string   `json:"source,omitempty"`
	Recovered           bool     `json:"recovered,omitempty"`
	RecoveredFrom       []string `json:"recovered_from,omitempty"`
}

// MarshalJSON writes the record as one line of a JSON Lines key file
// (the format ReadKeyFile reads): txt is null for a recorded DNS failure, empty times
// and an empty source are left out, times are RFC 3339.
func (r KeyRecord) MarshalJSON() ([]byte, error) {
	j := keyRecordJSON{
		Domain: r.Domain, Selector: r.Selector, DNSError: r.DNSError, Source: r.Source,
		FirstSeen: keyTime(r.FirstSeen), LastSeen: keyTime(r.LastSeen), Seen: keyTime(r.Seen),
		PrivateKeyPublished: keyTime(r.PrivateKeyPublished),
		Recovered:           r.Recovered, RecoveredFrom: r.RecoveredFrom,
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
		Domain:   NormalName(j.Domain),
		Selector: NormalName(j.Selector),
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
	case e == "NXDOMAIN" || e == "SERVFAIL" || e == "TIMEOUT" || e == "REFUSED" || e == "TRUNCATED":
		r.DNSError = e
	default:
		return r, fmt.Errorf(`"dns_error" %q is not NXDOMAIN, SERVFAIL, TIMEOUT, REFUSED or TRUNCATED`, ClipValue(j.DNSError))
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
			return r, fmt.Errorf("%q is not an RFC 3339 time: %q", t.name, ClipValue(t.in))
		}
		*t.out = v
	}
	switch {
	case j.Recovered && r.DNSError != "":
		return r, errors.New(`"recovered" on a recorded DNS failure`)
	case !j.Recovered && len(j.RecoveredFrom) > 0:
		return r, errors.New(`"recovered_from" without "recovered": true`)
	}
	r.Recovered = j.Recovered
	if len(j.RecoveredFrom) > 0 {
		r.RecoveredFrom = j.RecoveredFrom
	}
	return r, nil
}

// DecodeRecordLine reads one line of a JSON Lines key file: exactly one
// JSON object, with the checks of UnmarshalJSON. Source stays "" when the
// line has none.
func DecodeRecordLine(l []byte) (KeyRecord, error) {
	var j keyRecordJSON
	dec := json.NewDecoder(bytes.NewReader(l))
	if err := dec.Decode(&j); err != nil {
		return KeyRecord{}, err
	}
	if dec.More() {
		return KeyRecord{}, errors.New("more than one JSON value on the line")
	}
	return j.record()
}

// KeyName is the case-folded lookup key for (domain, selector).
func KeyName(domain, selector string) string {
	return NormalName(selector) + "._domainkey." + NormalName(domain)
}

// NormalName is how key files store a domain or selector: lower-case,
// without surrounding white space or final dots, and an internationalized
// name in A-labels (the form signatures are looked up under).
//
// Case is folded letter by letter, as RFC 5895 folds a name before the
// A-label conversion ("BÜCHER.example" is "xn--bcher-kva.example"), but
// never onto ASCII: a letter is lowered only when it is the capital of its
// own lower case and that lower case is not ASCII. Unicode case folding
// would map look-alikes onto ASCII letters (the Kelvin sign onto "k", the
// dotted capital I onto "i"). Folding before the conversion also makes a
// normal name its own normal name: NormalName(NormalName(s)) ==
// NormalName(s) for every s. A name that is neither a valid name nor
// convertible keeps its other characters as written.
func NormalName(s string) string {
	// Trailing dots and white space in any order ("a.example. ."), so
	// that a normal name is its own normal name.
	s = strings.TrimRightFunc(strings.TrimSpace(s), func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	s = foldCapitals(s)
	if a, ok := ASCIIDomain(s); ok {
		return idn.LowerASCII(a)
	}
	return s
}

// foldCapitals lower-cases the ASCII letters of s, and each other letter
// that is the capital of its own lower case when that lower case is not
// ASCII ("Ü" to "ü", "Σ" to "σ"); the Kelvin sign, the dotted capital I,
// the Ohm and Ångström signs stay as they are, and so do Cherokee capitals
// (valid U-labels) and invalid bytes.
func foldCapitals(s string) string {
	ascii := true
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return idn.LowerASCII(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteByte(s[i]) // invalid UTF-8, byte for byte
			i++
			continue
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf && !unicode.Is(unicode.Cherokee, r):
			// Cherokee case folds the other way: IDNA2008 accepts the
			// capitals (U+13A0-U+13F5) and refuses the small letters, so
			// lowering "Ꭰ" would leave a valid name unconverted.
			if l := unicode.ToLower(r); l != r && l >= utf8.RuneSelf && unicode.ToUpper(l) == r {
				r = l
			}
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}
