package dkim

import (
	"context"
	"time"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// A KeyRecord is one published (or recorded) answer for
// selector._domainkey.domain, as a key file holds it: Domain, Selector,
// TXT (the record text, meaningful only when DNSError is ""), DNSError (a
// recorded failure: "NXDOMAIN", "SERVFAIL", "TIMEOUT", "REFUSED" or
// "TRUNCATED"),
// FirstSeen, LastSeen and Seen (zero when unknown), PrivateKeyPublished
// (when the private half was made public: anyone could sign with it) and
// Source (the file's "source" field, else the key file's name, or "dns").
// It marshals as one line of a JSON Lines key file.
type KeyRecord = dkimcore.KeyRecord

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

// resolver returns the key lookup and check that o configures. Parsed keys
// are kept by Keys when it is a KeyFile or KeySources, for the next
// message; else for this one only.
func (o *Options) resolver() *dkimcore.Resolver {
	r := &dkimcore.Resolver{MinRSABits: o.minRSABits()}
	if o == nil {
		return r
	}
	r.Keys, r.DNS = o.Keys, o.DNS
	if kc, ok := o.Keys.(keyCacher); ok {
		r.Cache = kc.keyCache()
	}
	if pi, ok := o.Keys.(publishedIndex); ok && pi.anyPublished() {
		r.Published = pi.publishedMaterial
	}
	return r
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
