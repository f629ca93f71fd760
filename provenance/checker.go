package provenance

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
)

// ErrNilMessage is the error of an Assessment made for a nil *archive.Message.
var ErrNilMessage = errors.New("provenance: nil message")

// ErrInternal wraps a failure inside the checker itself (a bug, not a
// property of the message). The message gets VerdictNone and the run goes on.
var ErrInternal = errors.New("provenance: internal error")

// Options configures a Checker. A nil *Options is the same as &Options{}:
// no key files, no DNS, and the default policy.
type Options struct {
	// Keys finds key records (key files). If nil, no key files are used
	// and every signature whose key DNS cannot supply gets no_key.
	Keys dkim.KeySource
	// DNS is asked only when Keys holds no usable record for a name. If
	// nil, DNS is never used: the checker touches the network only through
	// a source the caller hands it.
	DNS dkim.KeySource
	// MinRSABits is the RSA key size below which a key is weak and never
	// makes a message authentic. If zero, 1024.
	MinRSABits int
	// NoSHA1 makes rsa-sha1 signatures count for nothing. If false,
	// rsa-sha1 counts, at medium confidence at most.
	NoSHA1 bool
	// AllowPartialBody accepts a signature whose l= leaves body text
	// unsigned: the message can then be authentic with partial body
	// coverage (low confidence), and the unsigned text is caution evidence
	// instead of alteration evidence. If false, full body coverage is
	// required.
	AllowPartialBody bool
	// TrustedSealers lists ARC sealer domains (ARC-Seal d=) whose record of
	// a passing aligned signature can make a message authentic (verdict
	// rule 2). Matching is case-insensitive and exact. If empty, no sealer
	// is trusted.
	TrustedSealers []string
	// MaxSignatures caps the DKIM signatures checked per message; the rest
	// are reported as skipped. If zero, 16.
	MaxSignatures int
	// Time is the time of the check, used to note a future t= and a past
	// x=. If zero, the time when each message is checked.
	Time time.Time
	// Workers is the number of messages Run checks at once. If zero,
	// runtime.GOMAXPROCS(0).
	Workers int
	// WindowBytes bounds the messages Run holds at once, read and not yet
	// emitted: each counts its stored bytes plus 1 KiB (see Run). If zero,
	// DefaultWindowBytes (32 MiB).
	WindowBytes int64
}

// A Checker turns messages into Assessments under one set of Options. It
// is safe for concurrent use; the Options are copied by NewChecker.
type Checker struct {
	opts   Options
	policy policy
	// bigViews keeps one CRLF buffer of a large message for the next one
	// (see crlfBuffers); nil in a zero Checker, which keeps none.
	bigViews chan *[]byte
}

// NewChecker returns a Checker for opts (nil means defaults). Later changes
// to *opts do not affect the Checker.
func NewChecker(opts *Options) *Checker {
	c := &Checker{bigViews: make(chan *[]byte, 1)}
	if opts != nil {
		c.opts = *opts
		c.opts.TrustedSealers = slices.Clone(opts.TrustedSealers)
	}
	c.policy = policy{
		noSHA1:        c.opts.NoSHA1,
		allowPartial:  c.opts.AllowPartialBody,
		trusted:       map[string]bool{},
		maxSignatures: c.opts.MaxSignatures,
	}
	if c.policy.maxSignatures <= 0 {
		c.policy.maxSignatures = 16
	}
	for _, s := range c.opts.TrustedSealers {
		c.policy.trusted[normalizeDomain(s)] = true
	}
	return c
}

func (c *Checker) workers() int {
	if c.opts.Workers > 0 {
		return c.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (c *Checker) now() time.Time {
	if c.opts.Time.IsZero() {
		return time.Now()
	}
	return c.opts.Time
}

// dkimOptions returns the dkim.Options for one message, with the check time
// fixed so that every view of the message is judged at the same instant.
func (c *Checker) dkimOptions(now time.Time) *dkim.Options {
	return &dkim.Options{
		Keys:          c.opts.Keys,
		DNS:           c.opts.DNS,
		MinRSABits:    c.opts.MinRSABits,
		MaxSignatures: c.opts.MaxSignatures,
		Time:          now,
	}
}

// Check assesses one message, first filling in its SHA256 and ID if the
// walk left them to the checker (archive.Message.Digest; for a message it
// verifies, in one pass over the bytes with a DKIM body hash). It never
// panics and never returns nil: a message that could not be read (m.Err
// set), a nil message, a cancelled ctx or a failure of the check itself
// gives an Assessment with Err set and VerdictNone. Key lookups use ctx;
// the network is touched only through Options.DNS.
func (c *Checker) Check(ctx context.Context, m *archive.Message) (a *Assessment) {
	if m == nil {
		a = newAssessment(&archive.Message{})
		a.Err = ErrNilMessage
		return a
	}
	// The chain-of-custody digest is computed here, in the worker, when
	// the walk left it (archive.Options.DeferDigest): the walk reads in
	// one goroutine. A message that is checked gets it from check, in
	// one pass with a DKIM body hash; any other gets it here.
	ctxErr := ctx.Err()
	if ctxErr == nil {
		_ = m.Load() // a message the walk left in its file; a failure is m.Err
	}
	if m.Err != nil || ctxErr != nil {
		m.Digest()
	}
	a = newAssessment(m)
	if m.Err != nil {
		a.Err = m.Err
		return a
	}
	if ctxErr != nil {
		a.Err = fmt.Errorf("provenance: %w", ctxErr)
		return a
	}
	// A bug in this package or below must not end an archive run of a
	// million messages: the message becomes an error record instead.
	defer func() {
		if r := recover(); r != nil {
			m.Digest()
			a = newAssessment(m)
			a.Err = fmt.Errorf("%w: %v", ErrInternal, r)
		}
	}()
	if err := c.check(ctx, m, a); err != nil {
		m.Digest()
		a = newAssessment(m)
		a.Err = err
	}
	return a
}

// digest fills in m's SHA256 and ID if the walk left them
// (archive.Message.Digest), hashing the stored bytes in one pass with the
// body hash of the message's first SHA-256 DKIM signature, which h, the
// header of m's primary view, keeps for the verifier. h must not be
// shared yet.
func digest(m *archive.Message, h *dkim.Header) {
	m.DigestWith(func(raw []byte) [sha256.Size]byte {
		if testHookOnePass != nil {
			testHookOnePass()
		}
		return h.CustodySHA256(raw)
	})
}

// testHookOnePass, when set by a test, is called for every message whose
// digest is computed with a DKIM body hash.
var testHookOnePass func()

// newAssessment copies m's chain-of-custody fields into a new Assessment
// whose slices and maps are empty, not nil, so that every embedder gets the
// same shape whether or not the message could be read.
func newAssessment(m *archive.Message) *Assessment {
	return &Assessment{
		ID:         m.ID,
		File:       m.File,
		Entry:      m.Entry,
		Index:      m.Index,
		Offset:     m.Offset,
		Size:       m.Size,
		SHA256:     m.SHA256,
		Format:     m.Format,
		Separator:  m.Separator,
		ARC:        arcResult(nil),
		Coverage:   emptyCoverage(),
		References: []string{},
		Signatures: []SignatureResult{},
		Evidence:   []Evidence{},
		Related:    []Related{},
	}
}

// check fills a for the readable message m.
func (c *Checker) check(ctx context.Context, m *archive.Message, a *Assessment) error {
	now := c.now()
	dopts := c.dkimOptions(now)

	primary := c.primaryView(m)
	defer primary.release() // the Assessment copies what it keeps
	digest(m, primary.header())
	a.ID, a.SHA256 = m.ID, m.SHA256
	ver, err := verify(ctx, primary.header(), dopts)
	tooLarge := errors.Is(err, dkim.ErrHeaderTooLarge)
	if tooLarge {
		// Past the caps nothing is verified; the message is judged
		// unverifiable with header.too_large, never from part of it.
		ver, err = &dkim.Verification{}, nil
	}
	if err != nil {
		return err
	}
	chosen := primary
	if failing(ver) > 0 {
		chosen, ver, err = c.repair(ctx, m, primary, ver, dopts)
		if err != nil {
			return err
		}
	}

	f, err := gather(ctx, m, primary, chosen, ver, tooLarge, now, dopts)
	if err != nil {
		return err
	}
	write(a, f, &c.policy, decide(f, &c.policy))
	doubled := chosen.code == "repair.double_cr"
	if u, ok := doubledAsCRLF(chosen.data); ok {
		doubled = true
		// A text-mode copy of a CRLF file: the reader's view is of the
		// message it copied (doubledAsCRLF), as the signatures are judged
		// on it when it makes them verify (repair.double_cr); the verdict
		// and its evidence stay those of the bytes as stored.
		uver, err := verify(ctx, u.header(), dopts)
		if err != nil {
			return err
		}
		if f, err = gather(ctx, m, primary, u, uver, tooLarge, now, dopts); err != nil {
			return err
		}
	}
	a.view = readerView(f.unescapedBody())
	a.view.doubled = doubled
	return nil
}

// verify runs the dkim verifier over one view of the message.
func verify(ctx context.Context, h *dkim.Header, opts *dkim.Options) (*dkim.Verification, error) {
	ver, err := dkim.VerifyHeader(ctx, h, opts)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	if ver == nil {
		ver = &dkim.Verification{}
	}
	return ver, nil
}

// failing counts the signatures whose arithmetic fails: an invalid header
// signature or a body hash mismatch.
func failing(v *dkim.Verification) int {
	n := 0
	for _, list := range [][]dkim.Signature{v.Signatures, v.DomainKeys} {
		for i := range list {
			if arithmeticFails(&list[i]) {
				n++
			}
		}
	}
	return n
}

// hasNoColonLine reports whether the header holds a line that is no field
// (but for an Exchange export's first line): in a file without an empty
// line, the body with its separator removed.
func hasNoColonLine(v *dkim.Verification, msg []byte) bool {
	lead, _ := archive.LeadingLine(msg)
	for _, f := range v.Findings {
		if (f.Kind == dkim.FindingNoColon || f.Kind == dkim.FindingNonASCIIName) && !(f.Offset == 0 && lead == archive.LeadExchange) {
			return true
		}
	}
	return false
}

// normalizeDomain lower-cases d and removes a trailing dot.
func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}
