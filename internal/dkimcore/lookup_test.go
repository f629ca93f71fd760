package dkimcore

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingSource is a KeySource over fixed records that counts its calls.
type countingSource struct {
	mu    sync.Mutex
	recs  []KeyRecord
	err   error
	calls int
}

func (s *countingSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	var recs []KeyRecord
	for _, r := range s.recs {
		if KeyName(r.Domain, r.Selector) == KeyName(domain, selector) {
			recs = append(recs, r)
		}
	}
	return recs, s.err
}

func TestLookupKeys(t *testing.T) {
	k := newTestRSAKey(t, 512)
	good := KeyRecord{Domain: "example.com", Selector: "s1", TXT: k.record("v=DKIM1; "), Source: "a.jsonl"}
	good2 := KeyRecord{Domain: "example.com", Selector: "s1", TXT: k.record("v=DKIM1; k=rsa; "), Source: "b.jsonl"}
	revoked := KeyRecord{Domain: "example.com", Selector: "s1", TXT: "v=DKIM1; p=", Source: "a.jsonl"}
	malformed := KeyRecord{Domain: "example.com", Selector: "s1", TXT: "v=DKIM1; k=rsa; t; p=", Source: "a.jsonl"}
	unsupported := KeyRecord{Domain: "example.com", Selector: "s1", TXT: "v=DKIM3; p=", Source: "a.jsonl"}
	dnsErr := func(e string) KeyRecord {
		return KeyRecord{Domain: "example.com", Selector: "s1", DNSError: e, Source: "a.jsonl"}
	}
	liveFail := errors.New("dns: connection refused")

	for _, tt := range []struct {
		name      string
		files     []KeyRecord
		filesErr  error
		dns       []KeyRecord // nil: no DNS source
		dnsErr    error
		useDNS    bool
		want      Result
		wantErr   error
		wantCands []string // Source of each candidate
		dnsCalls  int
	}{
		{"no sources", nil, nil, nil, nil, false, ResultNoKey, ErrNoKey, nil, 0},
		{"one good", []KeyRecord{good}, nil, nil, nil, false, ResultNone, nil, []string{"a.jsonl"}, 0},
		{"two good in order", []KeyRecord{good, good2}, nil, nil, nil, false, ResultNone, nil, []string{"a.jsonl", "b.jsonl"}, 0},
		{"good beside revoked", []KeyRecord{revoked, good}, nil, nil, nil, false, ResultNone, nil, []string{"a.jsonl"}, 0},
		{"good beside malformed and SERVFAIL", []KeyRecord{malformed, dnsErr("SERVFAIL"), good}, nil, nil, nil, false, ResultNone, nil, []string{"a.jsonl"}, 0},
		{"revoked wins over malformed", []KeyRecord{malformed, revoked}, nil, nil, nil, false, ResultRevoked, ErrKeyRevoked, nil, 0},
		{"malformed", []KeyRecord{malformed}, nil, nil, nil, false, ResultPermError, ErrKeyMalformed, nil, 0},
		{"unsupported", []KeyRecord{unsupported}, nil, nil, nil, false, ResultPermError, ErrKeyUnsupported, nil, 0},
		{"malformed wins over SERVFAIL", []KeyRecord{dnsErr("SERVFAIL"), malformed}, nil, nil, nil, false, ResultPermError, ErrKeyMalformed, nil, 0},
		{"recorded SERVFAIL", []KeyRecord{dnsErr("SERVFAIL")}, nil, nil, nil, false, ResultTempError, ErrKeyTempFail, nil, 0},
		{"recorded TIMEOUT", []KeyRecord{dnsErr("TIMEOUT")}, nil, nil, nil, false, ResultTempError, ErrKeyTempFail, nil, 0},
		{"recorded REFUSED", []KeyRecord{dnsErr("REFUSED")}, nil, nil, nil, false, ResultTempError, ErrKeyTempFail, nil, 0},
		{"recorded NXDOMAIN", []KeyRecord{dnsErr("NXDOMAIN")}, nil, nil, nil, false, ResultNoKey, ErrNoKey, nil, 0},
		{"NXDOMAIN and TIMEOUT", []KeyRecord{dnsErr("NXDOMAIN"), dnsErr("TIMEOUT")}, nil, nil, nil, false, ResultTempError, ErrKeyTempFail, nil, 0},
		{"failing file source", nil, liveFail, nil, nil, false, ResultTempError, liveFail, nil, 0},
		{"DNS not asked when files have a key", []KeyRecord{good}, nil, []KeyRecord{good2}, nil, true, ResultNone, nil, []string{"a.jsonl"}, 0},
		{"DNS asked when files have none", nil, nil, []KeyRecord{good2}, nil, true, ResultNone, nil, []string{"b.jsonl"}, 1},
		{"DNS asked when files hold only revoked", []KeyRecord{revoked}, nil, []KeyRecord{good2}, nil, true, ResultNone, nil, []string{"b.jsonl"}, 1},
		{"DNS NXDOMAIN after recorded revoked", []KeyRecord{revoked}, nil, []KeyRecord{dnsErr("NXDOMAIN")}, nil, true, ResultRevoked, ErrKeyRevoked, nil, 1},
		{"live DNS failure", nil, nil, []KeyRecord{}, liveFail, true, ResultTempError, ErrKeyTempFail, nil, 1},
		{"live DNS TIMEOUT record", nil, nil, []KeyRecord{dnsErr("TIMEOUT")}, nil, true, ResultTempError, ErrKeyTempFail, nil, 1},
		{"live DNS nothing", nil, nil, []KeyRecord{}, nil, true, ResultNoKey, ErrNoKey, nil, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &Resolver{}
			if tt.files != nil || tt.filesErr != nil {
				r.Keys = &countingSource{recs: tt.files, err: tt.filesErr}
			}
			dns := &countingSource{recs: tt.dns, err: tt.dnsErr}
			if tt.useDNS {
				r.DNS = dns
			}
			got := r.Lookup(t.Context(), "Example.COM.", "S1")
			assert.Equal(t, tt.want, got.Result, "LookupKeys result")
			if tt.wantErr == nil {
				assert.NoError(t, got.Err, "LookupKeys error with candidates")
			} else {
				assert.ErrorIs(t, got.Err, tt.wantErr, "LookupKeys error")
			}
			var srcs []string
			for _, c := range got.Candidates {
				require.NotNil(t, c.Key, "candidate from %s has a key", c.Record.Source)
				assert.False(t, c.Key.Revoked(), "candidate from %s is not revoked", c.Record.Source)
				srcs = append(srcs, c.Record.Source)
			}
			assert.Equal(t, tt.wantCands, srcs, "candidate sources in order")
			assert.Equal(t, tt.dnsCalls, dns.calls, "DNS lookups")
		})
	}
}

func TestLookupKeysNoSources(t *testing.T) {
	got := (&Resolver{}).Lookup(t.Context(), "example.com", "s1")
	assert.Equal(t, ResultNoKey, got.Result, "Lookup without sources: result")
	assert.ErrorIs(t, got.Err, ErrNoKey, "Lookup without sources: error")
}

func TestLookupKeysConcurrent(t *testing.T) {
	k := newTestRSAKey(t, 512)
	src := &countingSource{recs: []KeyRecord{{Domain: "example.com", Selector: "s1", TXT: k.record(""), Source: "f"}}}
	r := &Resolver{Keys: src, Cache: new(KeyCache)}
	var wg sync.WaitGroup
	keys := make([]*Key, 8)
	for i := range keys {
		wg.Go(func() {
			got := r.Lookup(context.Background(), "example.com", "s1")
			if len(got.Candidates) == 1 {
				keys[i] = got.Candidates[0].Key
			}
		})
	}
	wg.Wait()
	for i, key := range keys {
		require.NotNil(t, key, "goroutine %d got a candidate", i)
		assert.Equal(t, 512, key.Bits(), "goroutine %d key bits", i)
	}
}
