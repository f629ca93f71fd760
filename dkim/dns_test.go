package dkim

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/testmail"
)

// zoneEntry says how the test DNS server answers one name.
type zoneEntry struct {
	txts     [][]string       // TXT records, each a list of strings
	rcode    dnsmessage.RCode // answer code; RCodeSuccess by default
	drop     bool             // never answer
	truncate bool             // answer UDP with TC set and no records; TCP fully
	garbage  bool             // answer with bytes that are not DNS
	lossy    bool             // drop the first query (a lost datagram)
	noTCP    bool             // close TCP connections without an answer
	owner    string           // write the TXT records under this name instead of the name asked
	cname    string           // answer with a CNAME to this name, then the TXT records under it
	delay    time.Duration    // answer UDP this long after the query
}

// testDNSServer is an in-process DNS server on 127.0.0.1, UDP and TCP on
// the same port.
type testDNSServer struct {
	addr string
	mu   sync.Mutex
	zone map[string]zoneEntry // lower-case name with final dot
	hits map[string]int
}

func newTestDNSServer(t *testing.T, zone map[string]zoneEntry) *testDNSServer {
	t.Helper()
	s := &testDNSServer{zone: zone, hits: map[string]int{}}
	// Bind UDP first, then TCP on the same port (retry if it is taken).
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for range 20 {
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err, "listen udp")
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
	}
	require.NoError(t, err, "listen tcp on the UDP port")
	s.addr = pc.LocalAddr().String()
	var wg sync.WaitGroup
	t.Cleanup(func() {
		pc.Close()
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := s.answer(buf[:n], true); resp != nil {
				if d := s.delay(buf[:n]); d > 0 {
					wg.Add(1)
					time.AfterFunc(d, func() { defer wg.Done(); _, _ = pc.WriteTo(resp, from) })
					continue
				}
				_, _ = pc.WriteTo(resp, from)
			}
		}
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				var l [2]byte
				if _, err := io.ReadFull(c, l[:]); err != nil {
					return
				}
				msg := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := io.ReadFull(c, msg); err != nil {
					return
				}
				if resp := s.answer(msg, false); resp != nil && !s.noTCP(msg) {
					_, _ = c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...))
				}
			})
		}
	})
	return s
}

func (s *testDNSServer) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[name]
}

// delay returns how long to wait before answering query over UDP.
func (s *testDNSServer) delay(query []byte) time.Duration {
	var p dnsmessage.Parser
	if _, err := p.Start(query); err != nil {
		return 0
	}
	q, err := p.Question()
	if err != nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zone[strings.ToLower(q.Name.String())].delay
}

// noTCP reports whether the name asked in query is one whose TCP
// connections go unanswered.
func (s *testDNSServer) noTCP(query []byte) bool {
	var p dnsmessage.Parser
	if _, err := p.Start(query); err != nil {
		return false
	}
	q, err := p.Question()
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zone[strings.ToLower(q.Name.String())].noTCP
}

// answer builds the response to one query, or nil to stay silent.
func (s *testDNSServer) answer(query []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.ToLower(q.Name.String())
	s.mu.Lock()
	e, ok := s.zone[name]
	s.hits[name]++
	first := s.hits[name] == 1
	s.mu.Unlock()
	switch {
	case e.lossy && first:
		return nil
	case !ok:
		e.rcode = dnsmessage.RCodeNameError
	case e.drop:
		return nil
	case e.garbage:
		return []byte("not dns at all")
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RCode: e.rcode}
	if e.truncate && udp {
		rh.Truncated = true
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	_ = b.StartQuestions()
	_ = b.Question(q) // echoed as asked, letter case included
	_ = b.StartAnswers()
	if !rh.Truncated {
		owner := q.Name
		switch {
		case e.cname != "":
			owner = dnsmessage.MustNewName(e.cname)
			_ = b.CNAMEResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 300}, dnsmessage.CNAMEResource{CNAME: owner})
		case e.owner != "":
			owner = dnsmessage.MustNewName(e.owner)
		}
		for _, txt := range e.txts {
			_ = b.TXTResource(dnsmessage.ResourceHeader{Name: owner, Class: dnsmessage.ClassINET, TTL: 300}, dnsmessage.TXTResource{TXT: txt})
		}
	}
	resp, err := b.Finish()
	if err != nil {
		return nil
	}
	return resp
}

// split255 splits s into TXT character strings of at most 255 bytes.
func split255(s string) []string {
	var out []string
	for len(s) > 255 {
		out = append(out, s[:255])
		s = s[255:]
	}
	return append(out, s)
}

func TestDNSSource(t *testing.T) {
	big := "v=DKIM1; k=rsa; p=" + testmail.MustKey("rsa2048").PublicBase64()
	srv := newTestDNSServer(t, map[string]zoneEntry{
		"s1._domainkey.example.com.":      {txts: [][]string{{"v=DKIM1; k=rsa; ", "p=AAAA"}}},
		"two._domainkey.example.com.":     {txts: [][]string{{"p=OLD"}, {"p=NEW"}}},
		"big._domainkey.example.com.":     {txts: [][]string{split255(big), split255(big), split255(big), split255(big), split255(big)}, truncate: true},
		"fail._domainkey.example.com.":    {rcode: dnsmessage.RCodeServerFailure},
		"refused._domainkey.example.com.": {rcode: dnsmessage.RCodeRefused},
		"notimp._domainkey.example.com.":  {rcode: dnsmessage.RCodeNotImplemented},
		"nodata._domainkey.example.com.":  {},
		"slow._domainkey.example.com.":    {drop: true},
		"junk._domainkey.example.com.":    {garbage: true},
		"lossy._domainkey.example.com.":   {txts: [][]string{{"p=LOST-ONCE"}}, lossy: true},
		"cut._domainkey.example.com.":     {txts: [][]string{{"p=TOO-BIG"}}, truncate: true, noTCP: true},
		"other._domainkey.example.com.":   {txts: [][]string{{"p=NOT-MINE"}}, owner: "s1._domainkey.example.net."},
		"alias._domainkey.example.com.":   {txts: [][]string{{"p=VIA-CNAME"}}, cname: "s1._domainkey.provider.example."},
	})
	seen := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var rec bytes.Buffer
	src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 300 * time.Millisecond, Record: &rec, Now: func() time.Time { return seen }})

	for _, tt := range []struct {
		name, domain, selector string
		txts                   []string
		dnsErr                 string
	}{
		{"multi-string joined", "example.com", "s1", []string{"v=DKIM1; k=rsa; p=AAAA"}, ""},
		{"letter case and final dot", "EXAMPLE.com.", "S1", []string{"v=DKIM1; k=rsa; p=AAAA"}, ""},
		{"two records", "example.com", "two", []string{"p=OLD", "p=NEW"}, ""},
		{"truncated UDP, TCP fallback", "example.com", "big", []string{big, big, big, big, big}, ""},
		{"NXDOMAIN", "example.com", "missing", nil, "NXDOMAIN"},
		{"NODATA counts as no key", "example.com", "nodata", nil, "NXDOMAIN"},
		{"SERVFAIL", "example.com", "fail", nil, "SERVFAIL"},
		{"REFUSED", "example.com", "refused", nil, "REFUSED"},
		{"other rcode is SERVFAIL", "example.com", "notimp", nil, "SERVFAIL"},
		{"no answer is TIMEOUT", "example.com", "slow", nil, "TIMEOUT"},
		{"a lost datagram is sent again", "example.com", "lossy", []string{"p=LOST-ONCE"}, ""},
		{"garbage is ignored until TIMEOUT", "example.com", "junk", nil, "TIMEOUT"},
		{"truncated with no TCP answer is TRUNCATED", "example.com", "cut", nil, "TRUNCATED"},
		{"TXT of another owner is not an answer", "example.com", "other", nil, "NXDOMAIN"},
		{"TXT at the end of a CNAME chain", "example.com", "alias", []string{"p=VIA-CNAME"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := src.Lookup(t.Context(), tt.domain, tt.selector)
			require.NoError(t, err, "Lookup(%s, %s)", tt.domain, tt.selector)
			var txts []string
			for _, r := range recs {
				assert.Equal(t, "example.com", r.Domain, "record domain is normalised")
				assert.Equal(t, strings.ToLower(tt.selector), r.Selector, "record selector is normalised")
				assert.Equal(t, "dns", r.Source, "record source")
				assert.True(t, seen.Equal(r.Seen), "record seen is the injected clock")
				assert.Equal(t, tt.dnsErr, r.DNSError, "record dns_error")
				if r.DNSError == "" {
					txts = append(txts, r.TXT)
				}
			}
			assert.Equal(t, tt.txts, txts, "Lookup(%s, %s) texts", tt.domain, tt.selector)
			if tt.dnsErr != "" {
				assert.Len(t, recs, 1, "a failure is one record")
			}
		})
	}
	assert.Equal(t, 2, srv.count("big._domainkey.example.com."), "the truncated name was asked over UDP, then TCP")
	assert.Equal(t, 2, srv.count("lossy._domainkey.example.com."), "the lost query was sent twice")
	assert.Equal(t, 3, srv.count("slow._domainkey.example.com."), "an unanswered query is sent three times")
	assert.Equal(t, 1, srv.count("s1._domainkey.example.com."), "a name asked twice (in other letter case) is queried once")
	require.NoError(t, src.RecordErr(), "recording")

	// The recording is a key file that answers the same way offline.
	f, err := ReadKeyFile(bytes.NewReader(rec.Bytes()), "recorded.jsonl")
	require.NoError(t, err, "ReadKeyFile of the recording %q", rec.String())
	recorded := f.Records()
	assert.Equal(t, 19, len(recorded), "recorded lines (every answer once, failures included)")
	for _, r := range recorded {
		assert.Equal(t, "dns via "+srv.addr, r.Source, "recorded source names the server")
		assert.True(t, seen.Equal(r.Seen), "recorded seen")
	}
	for _, tt := range []struct {
		selector string
		want     dkimcore.Result
	}{{"big", dkimcore.ResultNone}, {"missing", dkimcore.ResultNoKey}, {"fail", dkimcore.ResultTempError}, {"slow", dkimcore.ResultTempError}, {"refused", dkimcore.ResultTempError}, {"cut", dkimcore.ResultTempError}} {
		live := (&Options{DNS: NewDNSSource(srv.addr, &DNSOptions{Timeout: 200 * time.Millisecond})}).resolver().Lookup(t.Context(), "example.com", tt.selector)
		offline := (&Options{Keys: f}).resolver().Lookup(t.Context(), "example.com", tt.selector)
		assert.Equal(t, tt.want, live.Result, "live LookupKeys(%s)", tt.selector)
		assert.Equal(t, tt.want, offline.Result, "recorded LookupKeys(%s)", tt.selector)
	}
}

func TestDNSSourceErrors(t *testing.T) {
	srv := newTestDNSServer(t, map[string]zoneEntry{"slow._domainkey.example.com.": {drop: true}})
	src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 10 * time.Second})

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := src.Lookup(ctx, "example.com", "slow")
	assert.ErrorIs(t, err, context.Canceled, "a cancelled lookup returns the context's error, not a record")
	assert.Less(t, time.Since(start), 5*time.Second, "cancellation ends the lookup early")

	for _, tt := range []struct{ domain, selector string }{
		{"example.com", ""}, {"exa mple.com", "s"}, {"example..com", "s"}, {"example.com", "s\x00"},
		{"example.com", strings.Repeat("a", 64)}, {"example.com", `s"`}, {strings.Repeat("a.", 130) + "com", "s"},
	} {
		_, err := src.Lookup(t.Context(), tt.domain, tt.selector)
		assert.ErrorIs(t, err, ErrDNSName, "Lookup(%q, %q)", tt.domain, tt.selector)
	}
	assert.Equal(t, 0, srv.count("._domainkey.example.com."), "an invalid name is never sent")

	// An unreachable server is TIMEOUT: nothing answered.
	ln, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err, "listen")
	dead := ln.LocalAddr().String()
	ln.Close()
	recs, err := NewDNSSource(dead, &DNSOptions{Timeout: 200 * time.Millisecond}).Lookup(t.Context(), "example.com", "s")
	require.NoError(t, err, "Lookup on a closed port")
	require.Len(t, recs, 1, "one record for a closed port")
	assert.Equal(t, "TIMEOUT", recs[0].DNSError, "a closed port is TIMEOUT")
}

func TestNewDNSSourceAddress(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.53":        "192.0.2.53:53",
		"192.0.2.53:5353":   "192.0.2.53:5353",
		"2001:db8::53":      "[2001:db8::53]:53",
		"[2001:db8::53]":    "[2001:db8::53]:53",
		"[2001:db8::53]:54": "[2001:db8::53]:54",
	} {
		assert.Equal(t, want, NewDNSSource(in, nil).Server(), "NewDNSSource(%q).Server()", in)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestDNSSourceRecorder(t *testing.T) {
	srv := newTestDNSServer(t, map[string]zoneEntry{"s._domainkey.example.com.": {txts: [][]string{{"p="}}}})
	var mu sync.Mutex
	var lines []string
	w := writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, string(b))
		return len(b), nil
	})
	src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 2 * time.Second, Record: w})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			sel := "s"
			if i%2 == 1 {
				sel = "other"
			}
			_, err := src.Lookup(context.Background(), "example.com", sel)
			assert.NoError(t, err, "concurrent Lookup")
		})
	}
	wg.Wait()
	require.Len(t, lines, 2, "one Write per recorded answer, each name recorded once")
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "{") && strings.HasSuffix(l, "}\n"), "each write is one whole JSON line: %q", l)
	}

	bad := NewDNSSource(srv.addr, &DNSOptions{Timeout: 2 * time.Second, Record: failWriter{}})
	recs, err := bad.Lookup(t.Context(), "example.com", "s")
	require.NoError(t, err, "a recording failure does not fail the lookup")
	assert.Len(t, recs, 1, "records despite the recording failure")
	assert.ErrorIs(t, bad.RecordErr(), io.ErrShortWrite, "RecordErr keeps the recording failure")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// TestDNSSourceAsksOnce holds the rule that a run asks each name once:
// however many workers look up however many messages' names, the server
// sees one query per name and the recording one line per answer.
func TestDNSSourceAsksOnce(t *testing.T) {
	zone := map[string]zoneEntry{}
	names := []string{"a", "b", "c", "d", "e"}
	for _, n := range names[:3] {
		zone[n+"._domainkey.example.com."] = zoneEntry{txts: [][]string{{"p=" + n}}}
	}
	zone["d._domainkey.example.com."] = zoneEntry{rcode: dnsmessage.RCodeServerFailure}
	// "e" is NXDOMAIN: failures are kept too.
	for _, workers := range []int{1, 4, 32} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			srv := newTestDNSServer(t, zone)
			var rec lockedBuffer
			src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 2 * time.Second, Record: &rec})
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range 200 / workers {
						n := names[(w+i)%len(names)]
						recs, err := src.Lookup(t.Context(), "Example.COM", n)
						assert.NoError(t, err, "Lookup(%s)", n)
						assert.Len(t, recs, 1, "Lookup(%s) records", n)
					}
				})
			}
			wg.Wait()
			for _, n := range names {
				assert.Equal(t, 1, srv.count(n+"._domainkey.example.com."), "queries for %s with %d workers", n, workers)
			}
			assert.Equal(t, len(names), strings.Count(rec.String(), "\n"), "recorded lines: %s", rec.String())
		})
	}
}

// TestDNSSourceBudget holds the rule that a silent server costs a run at
// most the budget, however many names it is asked and by how many workers.
func TestDNSSourceBudget(t *testing.T) {
	zone := map[string]zoneEntry{}
	for i := range 40 {
		zone[fmt.Sprintf("s%d._domainkey.example.com.", i)] = zoneEntry{drop: true}
	}
	srv := newTestDNSServer(t, zone)
	var rec lockedBuffer
	const budget = 600 * time.Millisecond
	src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 250 * time.Millisecond, Budget: budget, Record: &rec})
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	timeouts, spent := 0, 0
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 40; i += 8 {
				recs, err := src.Lookup(t.Context(), "example.com", fmt.Sprintf("s%d", i))
				mu.Lock()
				switch {
				case errors.Is(err, ErrDNSBudget):
					spent++
				case err == nil && len(recs) == 1 && recs[0].DNSError == "TIMEOUT":
					timeouts++
				default:
					t.Errorf("Lookup(s%d): unexpected %v, %v", i, recs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	assert.Less(t, elapsed, budget+400*time.Millisecond, "a silent server costs the run at most the budget (plus scheduling slack)")
	assert.Equal(t, 40, timeouts+spent, "every lookup ended")
	assert.Positive(t, spent, "lookups after the budget ran out fail with ErrDNSBudget")
	assert.Equal(t, timeouts, strings.Count(rec.String(), "\n"), "only real TIMEOUT answers are recorded, not lookups cut or refused by the budget")

	again := time.Now()
	_, err := src.Lookup(t.Context(), "example.com", "never-asked")
	assert.ErrorIs(t, err, ErrDNSBudget, "once spent, the budget stays spent")
	assert.Less(t, time.Since(again), 50*time.Millisecond, "a lookup past the budget does not wait")
	assert.Equal(t, 0, srv.count("never-asked._domainkey.example.com."), "a lookup past the budget asks nothing")

	// A server that answers, however slowly, costs nothing against the
	// budget: twenty answers of 60 ms each, one at a time, take twice the
	// budget and all arrive.
	slowZone := map[string]zoneEntry{}
	for i := range 20 {
		slowZone[fmt.Sprintf("s%d._domainkey.example.com.", i)] = zoneEntry{txts: [][]string{{"p=A"}}, delay: 60 * time.Millisecond}
	}
	slow := newTestDNSServer(t, slowZone)
	src = NewDNSSource(slow.addr, &DNSOptions{Timeout: time.Second, Budget: 600 * time.Millisecond})
	for i := range 20 {
		recs, err := src.Lookup(t.Context(), "example.com", fmt.Sprintf("s%d", i))
		require.NoError(t, err, "slow but answering server, name %d", i)
		assert.Equal(t, "p=A", recs[0].TXT, "answer %d", i)
	}

	// A cached answer needs no budget.
	ok := newTestDNSServer(t, map[string]zoneEntry{"s._domainkey.example.com.": {txts: [][]string{{"p=A"}}}})
	src = NewDNSSource(ok.addr, &DNSOptions{Timeout: time.Second, Budget: 500 * time.Millisecond})
	_, err = src.Lookup(t.Context(), "example.com", "s")
	require.NoError(t, err, "first lookup")
	src.mu.Lock()
	src.spent = time.Hour // as if the budget had been spent since
	src.mu.Unlock()
	recs, err := src.Lookup(t.Context(), "example.com", "s")
	require.NoError(t, err, "a kept answer is returned after the budget ran out")
	assert.Equal(t, "p=A", recs[0].TXT, "kept answer")
}

// TestDNSSourceCancelledAskerRetries holds the rule that a caller who
// gives up does not leave the others without an answer.
func TestDNSSourceCancelledAskerRetries(t *testing.T) {
	srv := newTestDNSServer(t, map[string]zoneEntry{"s._domainkey.example.com.": {txts: [][]string{{"p=A"}}}, "slow._domainkey.example.com.": {drop: true}})
	src := NewDNSSource(srv.addr, &DNSOptions{Timeout: 5 * time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := src.Lookup(ctx, "example.com", "s")
	require.ErrorIs(t, err, context.Canceled, "a cancelled lookup")
	recs, err := src.Lookup(t.Context(), "example.com", "s")
	require.NoError(t, err, "the next caller asks again")
	assert.Equal(t, "p=A", recs[0].TXT, "answer after a cancelled first asker")
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
