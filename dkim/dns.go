package dkim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// ErrDNSName: the name to look up is not a valid DNS name.
var ErrDNSName = errors.New("dkim: invalid DNS name")

// DNSOptions configures a DNSSource. A nil *DNSOptions is the same as
// &DNSOptions{}.
type DNSOptions struct {
	// Timeout bounds one lookup, UDP and TCP together. If zero, 5 seconds.
	Timeout time.Duration
	// Record, if not nil, receives every answer, failures included, as
	// JSON Lines in the key-file format (with "seen"), so that a run can be
	// repeated offline with the file as a key file. Writes are serialised:
	// one Write call per record.
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
// Failures are answers too: Lookup returns one record with DNSError
// "NXDOMAIN" (also for a name with no TXT record), "SERVFAIL" (also for
// other error codes and malformed answers), "REFUSED" or "TIMEOUT" (also
// when the server cannot be reached), and a nil error. Lookup returns an
// error only when ctx ends or the name is invalid.
type DNSSource struct {
	server string
	opts   DNSOptions

	mu        sync.Mutex // serialises writes to opts.Record
	recordErr error
}

// NewDNSSource returns a DNSSource asking server, an address such as
// "192.0.2.53:53", "[2001:db8::53]:53" or "192.0.2.53" (port 53 assumed).
// The library never reads /etc/resolv.conf: the caller chooses the server.
func NewDNSSource(server string, opts *DNSOptions) *DNSSource {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
	}
	s := &DNSSource{server: server}
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

// Lookup asks the server for the TXT records of selector._domainkey.domain
// and returns one KeyRecord per TXT record (its strings joined), with
// Source "dns" and Seen set, or one record with DNSError.
func (s *DNSSource) Lookup(ctx context.Context, domain, selector string) ([]KeyRecord, error) {
	domain, selector = dkimcore.NormalName(domain), dkimcore.NormalName(selector)
	fqdn := selector + "._domainkey." + domain + "."
	name, err := dnsName(fqdn)
	if err != nil {
		return nil, err
	}
	txts, dnsErr, err := s.query(ctx, name)
	if err != nil {
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
	s.record(recs)
	return recs, nil
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
// truncated. It returns the TXT texts, or the DNS failure, or ctx's error.
func (s *DNSSource) query(parent context.Context, name dnsmessage.Name) (txts []string, dnsErr string, err error) {
	ctx, cancel := context.WithTimeout(parent, s.opts.timeout())
	defer cancel()
	var idb [2]byte
	_, _ = rand.Read(idb[:]) // a random ID makes spoofed answers harder; crypto/rand never fails
	id := binary.BigEndian.Uint16(idb[:])
	q := dnsmessage.Question{Name: name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET}
	msg, err := buildQuery(id, q)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrDNSName, err)
	}

	resp, err := exchangeUDP(ctx, s.server, msg, id, q, s.opts.timeout())
	if err == nil && resp.Truncated {
		resp, err = exchangeTCP(ctx, s.server, msg, id, q)
	}
	if err != nil {
		if err := parent.Err(); err != nil {
			return nil, "", err // the caller gave up: that is not an answer to record
		}
		if errors.Is(err, errBadAnswer) {
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
	for {
		ah, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return dnsAnswer{}, errBadAnswer
		}
		// A CNAME chain ends in TXT records of another owner name; every
		// TXT record in the answer section answers our question.
		if ah.Type != dnsmessage.TypeTXT || ah.Class != dnsmessage.ClassINET {
			if err := p.SkipAnswer(); err != nil {
				return dnsAnswer{}, errBadAnswer
			}
			continue
		}
		txt, err := p.TXTResource()
		if err != nil {
			return dnsAnswer{}, errBadAnswer
		}
		a.txts = append(a.txts, strings.Join(txt.TXT, ""))
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
