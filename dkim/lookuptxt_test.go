package dkim

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DNS failures become recorded answers, as a DNSSource gives them; other
// errors stay errors and are not kept.
func TestLookupTXTSourceAnswers(t *testing.T) {
	boom := errors.New("resolver exploded")
	for _, tt := range []struct {
		name    string
		txts    []string
		err     error
		want    []KeyRecord
		wantErr error
	}{
		{"records", []string{"v=DKIM1; p=AAAA", "v=DKIM1; p=BBBB"}, nil, []KeyRecord{
			{Domain: "example.com", Selector: "s1", TXT: "v=DKIM1; p=AAAA", Source: "dns"},
			{Domain: "example.com", Selector: "s1", TXT: "v=DKIM1; p=BBBB", Source: "dns"},
		}, nil},
		{"no records", nil, nil, []KeyRecord{{Domain: "example.com", Selector: "s1", DNSError: "NXDOMAIN", Source: "dns"}}, nil},
		{"not found", nil, &net.DNSError{Err: "no such host", IsNotFound: true}, []KeyRecord{{Domain: "example.com", Selector: "s1", DNSError: "NXDOMAIN", Source: "dns"}}, nil},
		{"timeout", nil, &net.DNSError{Err: "i/o timeout", IsTimeout: true}, []KeyRecord{{Domain: "example.com", Selector: "s1", DNSError: "TIMEOUT", Source: "dns"}}, nil},
		{"server failure", nil, &net.DNSError{Err: "server misbehaving", IsTemporary: true}, []KeyRecord{{Domain: "example.com", Selector: "s1", DNSError: "SERVFAIL", Source: "dns"}}, nil},
		{"other error", nil, boom, nil, boom},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var asked string
			src := NewLookupTXTSource(func(_ context.Context, name string) ([]string, error) {
				calls.Add(1)
				asked = name
				return tt.txts, tt.err
			})
			for range 2 {
				got, err := src.Lookup(t.Context(), "Example.COM.", "S1")
				require.ErrorIs(t, err, tt.wantErr, "Lookup error")
				assert.Equal(t, tt.want, got, "Lookup records")
			}
			assert.Equal(t, "s1._domainkey.example.com.", asked, "the name asked is fully qualified and lower case")
			wantCalls := int32(1)
			if tt.wantErr != nil {
				wantCalls = 2 // an error is not an answer: asked again
			}
			assert.Equal(t, wantCalls, calls.Load(), "calls to lookup for two Lookups")
		})
	}
}

// An invalid name never reaches the resolver.
func TestLookupTXTSourceInvalidName(t *testing.T) {
	src := NewLookupTXTSource(func(context.Context, string) ([]string, error) {
		t.Fatal("lookup called for an invalid name")
		return nil, nil
	})
	for _, sel := range []string{"a b", "x\"y", "", "a..b"} {
		_, err := src.Lookup(t.Context(), "example.com", sel)
		assert.ErrorIs(t, err, ErrDNSName, "Lookup(example.com, %q)", sel)
	}
}

// Concurrent lookups of one name share one call; a cancelled caller gets
// its context's error and the answer is not spoiled for the others.
func TestLookupTXTSourceConcurrent(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	src := NewLookupTXTSource(func(ctx context.Context, name string) ([]string, error) {
		calls.Add(1)
		select {
		case <-release:
			return []string{"v=DKIM1; p=AAAA"}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			recs, err := src.Lookup(t.Context(), "example.com", "s1")
			assert.NoError(t, err, "a waiting Lookup")
			assert.Len(t, recs, 1, "a waiting Lookup gets the answer")
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := src.Lookup(ctx, "example.com", "s1")
	assert.ErrorIs(t, err, context.Canceled, "a cancelled Lookup")
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load(), "one call for all")
}

// A lookup cut short by its caller's context is not kept as the answer.
func TestLookupTXTSourceCancelledAsker(t *testing.T) {
	var calls atomic.Int32
	src := NewLookupTXTSource(func(ctx context.Context, name string) ([]string, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			return nil, &net.DNSError{Err: "operation was canceled"}
		}
		return []string{"v=DKIM1; p=AAAA"}, nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	go cancel()
	_, err := src.Lookup(ctx, "example.com", "s1")
	require.ErrorIs(t, err, context.Canceled, "the cancelled asker")
	recs, err := src.Lookup(t.Context(), "example.com", "s1")
	require.NoError(t, err, "the next asker")
	assert.Equal(t, "v=DKIM1; p=AAAA", recs[0].TXT, "the next asker gets a real answer, not a recorded SERVFAIL")
}
