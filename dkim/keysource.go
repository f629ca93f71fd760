package dkim

import (
	"context"
	"time"
)

// A KeyRecord is one published (or recorded) answer for
// selector._domainkey.domain, as the key-archive format of DESIGN.md holds it.
type KeyRecord struct {
	Domain   string
	Selector string
	// TXT is the record text. It is meaningful only when DNSError is "".
	TXT string
	// DNSError is a recorded failure instead of a record: "NXDOMAIN",
	// "SERVFAIL", "TIMEOUT" or "REFUSED". "" for a record with text.
	DNSError            string
	FirstSeen, LastSeen time.Time // zero when unknown
	Seen                time.Time // when a DNS answer was recorded; zero when unknown
	// PrivateKeyPublished is when the private half of the key was made
	// public; zero when it was not. Anyone could sign with such a key.
	PrivateKeyPublished time.Time
	// Source says where the record came from: the file's "source" field,
	// else the key file's name, or "dns".
	Source string
}

// A KeySource returns the records published for selector._domainkey.domain.
// Lookup returns no records and a nil error when it knows nothing of the name;
// an error means the source itself failed (a live DNS timeout, for one).
type KeySource interface {
	Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error)
}

// Options configures Verify. A nil *Options is the same as &Options{}.
type Options struct {
	// Keys finds key records (key files). If nil, no key files are used.
	Keys KeySource
	// DNS is asked only when Keys holds no usable record for a name. If
	// nil, DNS is never used: Verify touches the network only through a
	// source the caller hands it.
	DNS KeySource
	// MinRSABits is the RSA key size below which a key is weak
	// (ResultWeakKey). If zero, 1024.
	MinRSABits int
	// MaxSignatures caps the signatures checked per message; the rest get
	// ResultSkipped. If zero, 16.
	MaxSignatures int
	// Time is the verification time, used only to note a future t=. If
	// zero, time.Now.
	Time time.Time
}

func (o *Options) keys() KeySource {
	if o == nil {
		return nil
	}
	return o.Keys
}

func (o *Options) minRSABits() int {
	if o == nil || o.MinRSABits <= 0 {
		return 1024
	}
	return o.MinRSABits
}

func (o *Options) maxSignatures() int {
	if o == nil || o.MaxSignatures <= 0 {
		return 16
	}
	return o.MaxSignatures
}

func (o *Options) now() time.Time {
	if o == nil || o.Time.IsZero() {
		return time.Now()
	}
	return o.Time
}
