package arc

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// MaxInstances is the highest instance number RFC 8617 §4.2.1 allows, and so
// the most ARC sets a chain can have.
const MaxInstances = 50

// ChainStatus is the chain validation status of RFC 8617 §4.4. It marshals
// as "none", "pass" or "fail"; the zero value is ChainNone.
type ChainStatus int

const (
	ChainNone ChainStatus = iota // the message has no ARC field at all
	ChainPass                    // every set is present and every deciding signature passes
	ChainFail                    // the chain is broken, malformed or failed by an earlier hop
)

var chainWords = []string{"none", "pass", "fail"}

// String returns "none", "pass" or "fail" (and "none" for a value outside
// the constants).
func (s ChainStatus) String() string {
	if s < 0 || int(s) >= len(chainWords) {
		return "none"
	}
	return chainWords[s]
}

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (s ChainStatus) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(chainWords) {
		return nil, fmt.Errorf("arc: invalid ChainStatus %d", int(s))
	}
	return []byte(chainWords[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (s *ChainStatus) UnmarshalText(text []byte) error {
	i := slices.Index(chainWords, string(text))
	if i < 0 {
		return fmt.Errorf("arc: unknown chain status %q", text)
	}
	*s = ChainStatus(i)
	return nil
}

// Sentinels wrapped by [Result.Err] (and by [Check.Err] where they apply).
// A failing signature's error also wraps the dkim package's own sentinels
// (dkim.ErrHeaderSignature, dkim.ErrBodyHashMismatch, dkim.ErrWeakKey,
// dkim.ErrTestingKey, dkim.ErrPublishedKey, dkim.ErrKeyRestriction,
// dkim.ErrNoKey, ...).
var (
	// ErrTooManySets: the header holds more ARC fields than 50 sets can.
	ErrTooManySets = errors.New("arc: more than 50 ARC sets")
	// ErrInstance: an i= tag is missing, not a number, 0 or above 50.
	ErrInstance = errors.New("arc: invalid instance")
	// ErrDuplicate: an instance has more than one field of a kind.
	ErrDuplicate = errors.New("arc: duplicate ARC field for an instance")
	// ErrMissing: an instance lacks a field, or the numbering has a gap.
	ErrMissing = errors.New("arc: incomplete ARC set")
	// ErrMalformed: a tag list cannot be parsed, a required tag is missing
	// or a value is invalid.
	ErrMalformed = errors.New("arc: malformed ARC field")
	// ErrChainFailed: the latest ARC-Seal records cv=fail.
	ErrChainFailed = errors.New("arc: chain recorded as failed by a sealer")
	// ErrCV: a cv= value does not fit its position in the chain.
	ErrCV = errors.New("arc: invalid cv= for the instance")
	// ErrSignature: a deciding seal or message signature does not pass.
	ErrSignature = errors.New("arc: signature does not pass")
	// ErrAlgorithm: the a= algorithm is unknown, or not allowed for ARC.
	ErrAlgorithm = errors.New("arc: algorithm not allowed")
)

// Result is the outcome of [Verify].
type Result struct {
	Chain ChainStatus
	// FailedInstance is the instance that broke the chain, or 0 when the
	// chain did not fail or the failure belongs to no single instance (too
	// many sets).
	FailedInstance int
	// Reason says in plain text why the chain failed; "" otherwise.
	Reason string
	// Err is the reason as an error wrapping one of the package's
	// sentinels; nil unless Chain is ChainFail.
	Err error
	// Instances holds one entry per instance number found (1..50), in
	// instance order, whether or not its set is complete. It is empty when
	// the chain failed before any set was read (too many sets).
	Instances []Instance
}

// An Instance is one ARC set: its seal, its message signature and its
// authentication results.
type Instance struct {
	Instance int    // i=
	Sealer   string // ARC-Seal d=
	Selector string // ARC-Seal s=
	// CV is the ARC-Seal's cv= as written, lower-cased ("none", "pass", "fail").
	CV string
	// Seal is the outcome of the ARC-Seal (SealCheck.Result). It is
	// ResultPermError when the set could not be checked because the chain
	// structure is broken.
	Seal dkim.Result
	// MessageSignature is the outcome of the ARC-Message-Signature
	// (MessageCheck.Result).
	MessageSignature dkim.Result
	SealTime         time.Time // ARC-Seal t=, zero when absent
	// AuthenticationResults is the ARC-Authentication-Results value as
	// written (after the colon, surrounding whitespace removed, folding
	// kept), including its "i=N;" prefix.
	AuthenticationResults string
	Domain                string // ARC-Message-Signature d=

	SealCheck    Check // the seal in detail
	MessageCheck Check // the message signature in detail
}

// A Check is the detailed outcome of one ARC signature, a seal or a message
// signature, in the vocabulary of [dkim.Signature].
type Check struct {
	Domain, Selector string
	Algorithm        string    // a= as written
	Timestamp        time.Time // t=, zero when absent
	HeaderSignature  dkim.HeaderStatus
	BodyHash         dkim.BodyStatus // message signatures only; BodyUnchecked for seals
	Result           dkim.Result
	KeyBits          int      // RSA modulus bits, 256 for Ed25519, 0 without a key
	KeySource        string   // the deciding key record's source
	SignedHeaders    []string // h= of a message signature, lower-cased, in order; nil for seals
	// Canonicalization is a message signature's c= as "header/body",
	// defaults filled in ("relaxed/relaxed" when c= is absent); "" for
	// seals and for a signature too malformed to read.
	Canonicalization string
	// UnsignedBodyBytes counts the canonical body bytes past a message
	// signature's l=: text added after sealing that the signature still
	// passes over. 0 for seals and without l=.
	UnsignedBodyBytes int64
	// Err says why Result is not ResultPass; nil on pass.
	Err error

	malformed bool // the field itself is malformed: fails the chain wherever it is
}

// Verify validates the ARC chain of msg (the message as its format defines
// it; bare LF line endings are read as CRLF). Keys come from opts as for
// [dkim.Verify]; a nil opts means no keys at all.
//
// A broken, malformed or hostile chain is a result (ChainFail with a
// Reason), never an error and never a panic; the work is bounded: at most 50
// sets are ever checked. The error is non-nil only when ctx is done.
// Verify is safe for concurrent use; it does not modify msg.
func Verify(ctx context.Context, msg []byte, opts *dkim.Options) (*Result, error) {
	hdr, err := rawheader.Split(msg, nil)
	return verify(ctx, msg, hdr, err, opts)
}

// VerifyHeader is Verify on a message whose header was split by
// [dkim.ParseHeader] (for [dkim.VerifyHeader] too): the header is not
// split again unless the message has ARC fields and bare LF line endings.
func VerifyHeader(ctx context.Context, h *dkim.Header, opts *dkim.Options) (*Result, error) {
	hdr := &rawheader.Header{Fields: make([]rawheader.Field, h.Len()), BodyOffset: h.BodyOffset(), HasSeparator: h.HasSeparator(), CRLF: h.CRLF()}
	for i := range hdr.Fields {
		f := h.Field(i)
		hdr.Fields[i] = rawheader.Field{Raw: f.Raw, Offset: f.Offset, Colon: f.Colon, NameRaw: f.NameRaw, LeadingWhitespace: f.LeadingWhitespace}
	}
	return verify(ctx, h.Message(), hdr, h.Err(), opts)
}

// verify checks the chain of msg, whose header hdr was split with the error
// splitErr.
func verify(ctx context.Context, msg []byte, hdr *rawheader.Header, splitErr error, opts *dkim.Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Most messages have no ARC field, and most archives store bare LF:
	// look for ARC fields before copying the message to make it CRLF.
	for pass := 0; ; pass++ {
		c, err := collect(hdr.Fields)
		if err != nil {
			return failed(0, err, nil), nil
		}
		if len(c.fields) == 0 {
			return &Result{Chain: ChainNone, Instances: []Instance{}}, nil
		}
		if splitErr != nil {
			// The header was cut short, so a set may be missing: fail,
			// but report what was read.
			return failed(0, errf(ErrMalformed, splitErr, ""), c.instances()), nil
		}
		if crlf := toCRLF(msg); pass == 0 && len(crlf) != len(msg) {
			msg = crlf
			hdr, splitErr = rawheader.Split(msg, nil)
			continue
		}
		return verifyChain(ctx, msg, hdr, c, opts)
	}
}

// verifyChain runs the checks on a CRLF message with ARC fields.
func verifyChain(ctx context.Context, msg []byte, hdr *rawheader.Header, c *collection, opts *dkim.Options) (*Result, error) {
	v := &verifier{ctx: ctx, opts: opts, keys: keyResolver(opts), msg: msg, hdr: hdr, c: c, bodies: map[bodyKey]bodySum{}, prefixes: map[crypto.Hash]*prefix{}}
	res := v.run()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

func failed(instance int, err error, inst []Instance) *Result {
	if inst == nil {
		inst = []Instance{}
	}
	return &Result{Chain: ChainFail, FailedInstance: instance, Reason: plain(err), Err: err, Instances: inst}
}

// arcError is an error of this package: a plain-text account that unwraps
// to a sentinel (kind) and to the underlying cause, either of which may be
// nil.
type arcError struct {
	kind  error
	text  string
	cause error
}

// errf returns an arcError whose text is format and args, followed by the
// plain text of cause when there is one.
func errf(kind, cause error, format string, args ...any) error {
	text := fmt.Sprintf(format, args...)
	if cause != nil {
		if text != "" {
			text += ": "
		}
		text += plain(cause)
	}
	return &arcError{kind: kind, text: text, cause: cause}
}

func (e *arcError) Error() string { return "arc: " + e.text }

func (e *arcError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// plain is err's text for a reader: without the package prefixes ("arc: ",
// "dkim: ", ...) at its start or after a colon, and with the lines of
// joined errors separated by "; ".
func plain(err error) string {
	var ae *arcError
	if errors.As(err, &ae) && ae == err {
		return ae.text
	}
	s := strings.ReplaceAll(err.Error(), "\n", "; ")
	for _, p := range []string{"arc: ", "dkim: ", "rawheader: "} {
		s = strings.TrimPrefix(s, p)
		s = strings.ReplaceAll(s, ": "+p, ": ")
		s = strings.ReplaceAll(s, "; "+p, "; ")
	}
	return s
}

// toCRLF returns msg with every bare LF made CRLF; msg itself when it has none.
func toCRLF(msg []byte) []byte {
	bare := 0
	for i, c := range msg {
		if c == '\n' && (i == 0 || msg[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return msg
	}
	out := make([]byte, 0, len(msg)+bare)
	for i, c := range msg {
		if c == '\n' && (i == 0 || msg[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
