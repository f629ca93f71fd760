package dkim

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// MergeKeyRecords merges key records gathered from several key files
// (a public archive's, a colleague's, a DNS recording) into one clean
// list, as "leakproof keys import" writes it: sorted by domain, selector,
// DNS failure and TXT, records that say the same thing (the same four)
// made one, with the earliest FirstSeen and PrivateKeyPublished, the
// latest LastSeen and Seen, and every Source, joined with "; " in the
// order met. Records that differ in any of the four are all kept: a
// selector reused with a new key keeps both keys. recs is not changed.
//
// Pass the result to [NewKeyFile] for a KeySource, or write each record's
// MarshalJSON as a line for a key file.
func MergeKeyRecords(recs []KeyRecord) []KeyRecord {
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b KeyRecord) int {
		return cmp.Or(cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Selector, b.Selector),
			cmp.Compare(a.DNSError, b.DNSError), cmp.Compare(a.TXT, b.TXT))
	})
	var out []KeyRecord
	for _, r := range recs {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Domain == r.Domain && last.Selector == r.Selector && last.DNSError == r.DNSError && last.TXT == r.TXT {
				last.FirstSeen = earliest(last.FirstSeen, r.FirstSeen)
				last.PrivateKeyPublished = earliest(last.PrivateKeyPublished, r.PrivateKeyPublished)
				last.LastSeen = latest(last.LastSeen, r.LastSeen)
				last.Seen = latest(last.Seen, r.Seen)
				if r.Source != "" && !slices.Contains(strings.Split(last.Source, "; "), r.Source) {
					if last.Source != "" {
						last.Source += "; "
					}
					last.Source += r.Source
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// earliest returns the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
