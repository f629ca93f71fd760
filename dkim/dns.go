package dkim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// ErrDNSName: the name to look up is not a valid DNS name.
var ErrDNSName = errors.New("dkim: invalid DNS name")

// ErrDNSBudget: the source has spent DNSOptions.Budget waiting on its
// server, so it asks no more. The verifier reports the signature as
// ResultTempError; nothing is recorded, since the server was not asked.
var ErrDNSBudget = errors.New("dkim: DNS time budget spent")

// DNSOptions configures a DNSSource. A nil *DNSOptions is the same as
// &DNSOptions{}.
type DNSOptions struct {
	// Timeout bounds one lookup, UDP and TCP together. If zero, 5 seconds.
	Timeout time.Duration
	// Budget bounds the time the source spends waiting on its server in
	// vain over its whole life, however many names it is asked and
	// however many goroutines ask: wall time during which at least one
	// query is outstanding and nothing has arrived since the last answer
	// counts once. A query still waiting when the budget runs out ends
	// then, and every later Lookup that would need the server returns an
	// error wrapping ErrDNSBudget at once, so a server that never answers
	// costs a run at most Budget; a server that answers, however slowly,
	// costs nothing against it. Answers already had stay kept. If zero,
	// 15 seconds.
	Budget time.Duration
	// Record, if not nil, receives every answer, failures included, as
	// JSON Lines in the key-file format (with "seen"), so that a run can be
	// repeated offline with the file as a key file. Each name is recorded
	// once, when the server answers it. Writes are serialised: one Write
	// call per record.
	Record io.Writer
	// Now gives the time recorded as "seen". If nil, time.Now.
	Now func() time.Time
}

func (o *DNSOptions) timeout() time.Duration {
	if o == nil || o.Timeout <= 0 {
		return 5 * time.Second
	}
	return o.Timeout
}

func (o *DNSOptions) budget() time.Duration {
	if o == nil || o.Budget <= 0 {
		return 15 * time.Second
	}
	return o.Budget
}

func (o *DNSOptions) now() time.Time {
	if o == nil || o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// A DNSSource is a KeySource that asks a DNS server, live, for the TXT
// records of selector._domainkey.domain. It is safe for concurrent use.
//
// A lookup tells the domain's operator that someone is checking, and today's
// DNS shows today's keys: use it only when the caller asks for it.
//
// Each name is asked once in the life of the source: its answer, failures
// included, is kept and returned to every later Lookup, and concurrent
// lookups of one name share one query. Use one DNSSource for a whole run.
//
// Failures are answers too: Lookup returns one record with DNSError
// "NXDOMAIN" (also for a name with no TXT record), "SERVFAIL" (also for
// other error codes and malformed answers), "REFUSED", "TRUNCATED" (the
// UDP answer was truncated and the server gave no full answer over TCP) or
// "TIMEOUT" (also when the server cannot be reached), and a nil error.
// Lookup returns an error only when ctx ends, the name is invalid or the
// time budget is spent (ErrDNSBudget); such errors are not kept.
//
// Only TXT records owned by the name asked, or by the end of a CNAME chain
// starting at it, count: records for other names in the answer are
// ignored.
type DNSSource struct {
	server string
	opts   DNSOptions

	mu        sync.Mutex // guards the fields below; also serialises writes to opts.Record
	recordErr error
	answers   map[string]*dnsFlight // by lookup name
	inflight  int                   // queries outstanding
	busySince time.Time             // when inflight last became non-zero, or the last answer since
	spent     time.Duration         // budget used by earlier busy periods
}

// A dnsFlight is one name's query: done is closed when recs is set, or
// when the query ended without an answer (failed set; the next asker
// tries again).
type dnsFlight struct {
	done   chan struct{}
	recs   []KeyRecord
	failed bool
}

// NewDNSSource returns a DNSSource asking server, an address such as
// "192.0.2.53:53", "[2001:db8::53]:53" or "192.0.2.53" (port 53 assumed).
// The caller chooses the server; NewSystemDNSSource takes the system's.
func NewDNSSource(server string, opts *DNSOptions) *DNSSource {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
	}
	s := &DNSSource{server: server, answers: map[string]*dnsFlight{}}
	if opts != nil {
		s.opts = *opts
	}
	return s
}

// Server returns the address the source asks.
func (s *DNSSource) Server() string { return s.server }

// RecordErr returns the first error writing to DNSOptions.Record, or nil.
// Lookups go on when recording fails; check this at the end of a run.
func (s *DNSSource) RecordErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recordErr
}

// Lookup returns the TXT records of selector._domainkey.domain, one
// KeyRecord per TXT record (its strings joined), with Source "dns" and
// Seen set, or one record with DNSError. The server is asked the first
// time a name is looked up; later lookups get the same answer.
func (s *DNSSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	domain, selector = dkimcore.NormalName(domain), dkimcore.NormalName(selector)
	fqdn := selector + "._domainkey." + domain + "."
	name, err := dnsName(fqdn)
	if err != nil {
		return nil, err
	}
	for {
		s.mu.Lock()
		f, ok := s.answers[fqdn]
		if !ok {
			f = &dnsFlight{done: make(chan struct{})}
			s.answers[fqdn] = f
		}
		s.mu.Unlock()
		if !ok {
			return s.ask(ctx, f, fqdn, name, domain, selector)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !f.failed {
			return slices.Clone(f.recs), nil
		}
		// The asker gave up (its context ended, or the budget ran out):
		// ask again, under this caller's context.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.budgetSpent() {
			return nil, fmt.Errorf("%w: %s not asked", ErrDNSBudget, strings.TrimSuffix(fqdn, "."))
		}
	}
}

// ask queries the server for one name on behalf of every caller waiting
// on f, keeps and records the answer.
func (s *DNSSource) ask(ctx context.Context, f *dnsFlight, fqdn string, name dnsmessage.Name, domain, selector string) ([]KeyRecord, error) {
	txts, dnsErr, err := s.query(ctx, name)
	if err != nil {
		s.mu.Lock()
		delete(s.answers, fqdn)
		s.mu.Unlock()
		f.failed = true
		close(f.done)
		return nil, err
	}
	seen := s.opts.now()
	var recs []KeyRecord
	if dnsErr != "" {
		recs = []KeyRecord{{Domain: domain, Selector: selector, DNSError: dnsErr, Seen: seen, Source: "dns"}}
	}
	for _, t := range txts {
		recs = append(recs, KeyRecord{Domain: domain, Selector: selector, TXT: t, Seen: seen, Source: "dns"})
	}
	f.recs = recs
	close(f.done)
	s.record(recs)
	return slices.Clone(recs), nil
}

// record appends recs to opts.Record, one Write per line.
func (s *DNSSource) record(recs []KeyRecord) {
	if s.opts.Record == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		r.Source = "dns via " + s.server
		line, err := r.MarshalJSON()
		if err == nil {
			_, err = s.opts.Record.Write(append(line, '\n'))
		}
		if err != nil && s.recordErr == nil {
			s.recordErr = fmt.Errorf("dkim: recording DNS answer: %w", err)
		}
	}
}

// begin starts the budget clock for one query and returns the time by
// which the budget runs out, or false when it has run out.
func (s *DNSSource) begin() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.inflight == 0 {
		if s.spent >= s.opts.budget() {
			return time.Time{}, false
		}
		s.busySince = now
	}
	end := s.busySince.Add(s.opts.budget() - s.spent)
	if !end.After(now) {
		return time.Time{}, false
	}
	s.inflight++
	return end, true
}

// end stops the budget clock for one query.
func (s *DNSSource) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 {
		s.spent += time.Since(s.busySince)
	}
}

// answered notes that the server answered: the wait so far was not in
// vain, so the budget clock restarts from now.
func (s *DNSSource) answered() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight > 0 {
		s.busySince = time.Now()
	}
}

// budgetSpent reports whether no time is left to wait on the server.
func (s *DNSSource) budgetSpent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := s.opts.budget() - s.spent
	if s.inflight > 0 {
		left -= time.Since(s.busySince)
	}
	return left <= 0
}

// dnsName checks a name (ending in a dot) and converts it.
func dnsName(fqdn string) (dnsmessage.Name, error) {
	labels := strings.Split(strings.TrimSuffix(fqdn, "."), ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return dnsmessage.Name{}, fmt.Errorf("%w: %q", ErrDNSName, dkimcore.ClipValue(fqdn))
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if c <= ' ' || c >= 0x7f || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' {
				return dnsmessage.Name{}, fmt.Errorf("%w: %q", ErrDNSName, dkimcore.ClipValue(fqdn))
			}
		}
	}
	n, err := dnsmessage.NewName(fqdn)
	if err != nil {
		return dnsmessage.Name{}, fmt.Errorf("%w: %w", ErrDNSName, err)
	}
	return n, nil
}

// query asks for name's TXT records over UDP, then TCP if the answer was
// truncated. It returns the TXT texts, or the DNS failure, or an error:
// ctx's, or one wrapping ErrDNSBudget when the budget ran out first.
func (s *DNSSource) query(parent context.Context, name dnsmessage.Name) (txts []string, dnsErr string, err error) {
	budgetEnd, ok := s.begin()
	if !ok {
		return nil, "", fmt.Errorf("%w: %s not asked", ErrDNSBudget, strings.TrimSuffix(name.String(), "."))
	}
	defer s.end()
	deadline := time.Now().Add(s.opts.timeout())
	cutByBudget := budgetEnd.Before(deadline)
	if cutByBudget {
		deadline = budgetEnd
	}
	ctx, cancel := context.WithDeadline(parent, deadline)
	defer cancel()
	var idb [2]byte
	_, _ = rand.Read(idb[:]) // a random ID makes spoofed answers harder; crypto/rand never fails
	id := binary.BigEndian.Uint16(idb[:])
	q := dnsmessage.Question{Name: name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET}
	msg, err := buildQuery(id, q)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDNSName, err)
	}

	truncated := false
	resp, err := exchangeUDP(ctx, s.server, msg, id, q, s.opts.timeout())
	if err == nil {
		s.answered()
	}
	if err == nil && resp.Truncated {
		// The server did answer: whatever becomes of the TCP query, this
		// is not a silent server.
		truncated = true
		resp, err = exchangeTCP(ctx, s.server, msg, id, q)
	}
	if err != nil {
		if err := parent.Err(); err != nil {
			return nil, "", err // the caller gave up: that is not an answer to record
		}
		switch {
		case truncated:
			return nil, "TRUNCATED", nil
		case cutByBudget && ctx.Err() != nil:
			return nil, "", fmt.Errorf("%w: no answer for %s before it ran out", ErrDNSBudget, strings.TrimSuffix(name.String(), "."))
		case errors.Is(err, errBadAnswer):
			return nil, "SERVFAIL", nil
		}
		return nil, "TIMEOUT", nil
	}
	switch resp.RCode {
	case dnsmessage.RCodeSuccess:
		if len(resp.txts) == 0 {
			// NODATA: the name exists without TXT. For DKIM that is no key,
			// like NXDOMAIN (RFC 6376 §6.1.2).
			return nil, "NXDOMAIN", nil
		}
		return resp.txts, "", nil
	case dnsmessage.RCodeNameError:
		return nil, "NXDOMAIN", nil
	case dnsmessage.RCodeRefused:
		return nil, "REFUSED", nil
	}
	return nil, "SERVFAIL", nil
}

func buildQuery(id uint16, q dnsmessage.Question) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{ID: id, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAdditionals(); err != nil {
		return nil, err
	}
	var rh dnsmessage.ResourceHeader
	// EDNS0 with the payload size DNS flag day 2020 recommends.
	if err := rh.SetEDNS0(1232, dnsmessage.RCodeSuccess, false); err != nil {
		return nil, err
	}
	if err := b.OPTResource(rh, dnsmessage.OPTResource{}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// dnsAnswer is what a response says about our question.
type dnsAnswer struct {
	RCode     dnsmessage.RCode
	Truncated bool
	txts      []string
}

// errBadAnswer: a response that is not an answer to our question.
var errBadAnswer = errors.New("dkim: malformed DNS answer")

// parseAnswer reads a response to query id for q.
func parseAnswer(b []byte, id uint16, q dnsmessage.Question) (dnsAnswer, error) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil || h.ID != id || !h.Response {
		return dnsAnswer{}, errBadAnswer
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 || qs[0].Type != q.Type || qs[0].Class != q.Class ||
		!strings.EqualFold(qs[0].Name.String(), q.Name.String()) {
		return dnsAnswer{}, errBadAnswer
	}
	a := dnsAnswer{RCode: h.RCode, Truncated: h.Truncated}
	if h.Truncated || h.RCode != dnsmessage.RCodeSuccess {
		return a, nil
	}
	type ownedTXT struct {
		owner string
		text  string
	}
	var found []ownedTXT
	cnames := map[string]string{} // owner -> target, lower-case
	for {
		ah, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return dnsAnswer{}, errBadAnswer
		}
		owner := strings.ToLower(ah.Name.String())
		switch {
		case ah.Class != dnsmessage.ClassINET:
			err = p.SkipAnswer()
		case ah.Type == dnsmessage.TypeTXT:
			var txt dnsmessage.TXTResource
			txt, err = p.TXTResource()
			found = append(found, ownedTXT{owner, strings.Join(txt.TXT, "")})
		case ah.Type == dnsmessage.TypeCNAME:
			var cn dnsmessage.CNAMEResource
			cn, err = p.CNAMEResource()
			cnames[owner] = strings.ToLower(cn.CNAME.String())
		default:
			err = p.SkipAnswer()
		}
		if err != nil {
			return dnsAnswer{}, errBadAnswer
		}
	}
	// The records that answer our question are owned by the name asked or
	// by the end of the CNAME chain that starts there (RFC 1034 §3.6.2).
	// Anything else in the answer section (a hostile or confused server's
	// records for another name) is not an answer.
	want := strings.ToLower(q.Name.String())
	for range 8 {
		next, ok := cnames[want]
		if !ok {
			break
		}
		want = next
	}
	for _, t := range found {
		if t.owner == want {
			a.txts = append(a.txts, t.text)
		}
	}
	return a, nil
}

// exchangeUDP sends msg and waits for a matching answer, ignoring
// datagrams that do not answer our query (late or spoofed ones). A lost
// datagram must not become a recorded TIMEOUT, so the query is sent again
// after a third of the time allowed, up to three times.
func exchangeUDP(ctx context.Context, server string, msg []byte, id uint16, q dnsmessage.Question, timeout time.Duration) (dnsAnswer, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return dnsAnswer{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 65535)
	const sends = 3
	for attempt := 1; ; attempt++ {
		if _, err := conn.Write(msg); err != nil {
			return dnsAnswer{}, err
		}
		if attempt < sends {
			_ = conn.SetReadDeadline(time.Now().Add(timeout / sends))
		} else {
			_ = conn.SetReadDeadline(time.Time{}) // until ctx ends
		}
		if err := ctx.Err(); err != nil {
			return dnsAnswer{}, err // ended before the deadline was set
		}
		for {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil && attempt < sends {
					break // send again
				}
				return dnsAnswer{}, err
			}
			if a, err := parseAnswer(buf[:n], id, q); err == nil {
				return a, nil
			}
		}
	}
}

// exchangeTCP sends msg over TCP (RFC 1035 §4.2.2: two-byte length prefix).
func exchangeTCP(ctx context.Context, server string, msg []byte, id uint16, q dnsmessage.Question) (dnsAnswer, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return dnsAnswer{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	out := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(msg)), uint16(len(msg)))
	if _, err := conn.Write(append(out, msg...)); err != nil {
		return dnsAnswer{}, err
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return dnsAnswer{}, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return dnsAnswer{}, err
	}
	a, err := parseAnswer(buf, id, q)
	if err != nil {
		return dnsAnswer{}, err
	}
	if a.Truncated {
		return dnsAnswer{}, errBadAnswer
	}
	return a, nil
}
