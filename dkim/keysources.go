package dkim

import (
	"context"
	"errors"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// KeySources combines sources into one that asks each in order and
// returns all their records, in order. A failing source does not hide the
// others: its error is returned, joined with any others, beside the records
// that were found. Nil sources are skipped.
//
// The combined source keeps the keys Verify parses from its records, as a
// KeyFile does.
func KeySources(srcs ...KeySource) KeySource {
	m := &multiSource{}
	for _, s := range srcs {
		if s != nil {
			m.srcs = append(m.srcs, s)
		}
	}
	return m
}

type multiSource struct {
	srcs []KeySource
	keys dkimcore.KeyCache
}

func (m *multiSource) keyCache() *dkimcore.KeyCache { return &m.keys }

func (m *multiSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	var recs []KeyRecord
	var errs []error
	for _, s := range m.srcs {
		r, err := s.Lookup(ctx, domain, selector)
		recs = append(recs, r...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return recs, errors.Join(errs...)
}

func (m *multiSource) anyPublished() bool {
	for _, s := range m.srcs {
		if pi, ok := s.(publishedIndex); ok && pi.anyPublished() {
			return true
		}
	}
	return false
}

// publishedMaterial asks every source that keeps a published-key index;
// the earliest publication wins.
func (m *multiSource) publishedMaterial(key string) (KeyRecord, bool) {
	var best KeyRecord
	found := false
	for _, s := range m.srcs {
		if pi, ok := s.(publishedIndex); ok {
			if r, ok := pi.publishedMaterial(key); ok && (!found || r.PrivateKeyPublished.Before(best.PrivateKeyPublished)) {
				best, found = r, true
			}
		}
	}
	return best, found
}
