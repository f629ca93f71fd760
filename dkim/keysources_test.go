package dkim

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// failingSource answers every name with its records and its error.
type failingSource struct {
	recs []KeyRecord
	err  error
}

func (s failingSource) Lookup(context.Context, string, string) ([]KeyRecord, error) {
	return s.recs, s.err
}

func TestKeySources(t *testing.T) {
	a := NewKeyFile([]KeyRecord{{Domain: "example.com", Selector: "s1", TXT: "p=", Source: "a"}})
	b := failingSource{recs: []KeyRecord{{Domain: "example.com", Selector: "s1", TXT: "p=", Source: "b"}}, err: errors.New("b broke")}
	c := NewKeyFile([]KeyRecord{{Domain: "example.org", Selector: "s1", TXT: "p=", Source: "c"}})
	recs, err := KeySources(a, nil, b, c).Lookup(t.Context(), "EXAMPLE.com", "s1")
	assert.ErrorContains(t, err, "b broke", "KeySources passes on a source's error")
	var srcs []string
	for _, r := range recs {
		srcs = append(srcs, r.Source)
	}
	assert.Equal(t, []string{"a", "b"}, srcs, "KeySources returns every source's records in order")
}
