package dkim

import (
	"crypto"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/idn"
)

// Reasons a DKIM-Signature is a permerror (RFC 6376 §6.1.1), beside
// ErrMalformedTags. Each is wrapped with the detail (which tag, which value)
// and reported in [Signature.Err]; test with errors.Is.
var (
	ErrMissingTag                  = errors.New("dkim: missing required tag")
	ErrBadBase64                   = errors.New("dkim: bad base64")
	ErrUnsupportedVersion          = errors.New("dkim: unsupported signature version")
	ErrUnsupportedAlgorithm        = dkimcore.ErrUnsupportedAlgorithm
	ErrUnsupportedCanonicalization = dkimcore.ErrUnsupportedCanonicalization
	ErrUnsupportedQuery            = errors.New("dkim: no supported query method")
	ErrInvalidDomain               = errors.New("dkim: d= is not a valid domain name")
	ErrInvalidSelector             = errors.New("dkim: s= is not a valid selector")
	ErrIdentityMismatch            = errors.New("dkim: i= is not within d=")
	ErrFromNotSigned               = errors.New("dkim: h= does not include From")
	ErrTooManySignedHeaders        = errors.New("dkim: h= lists too many fields")
	ErrBadTagValue                 = errors.New("dkim: malformed tag value")
)

// maxSignedHeaders caps h=: real signers list at most a few dozen names
// (oversigning included); a longer list is an attack on the verifier.
const maxSignedHeaders = 1000

// sigParams is a parsed DKIM-Signature. parseSignature fills in as much as
// it can before the first error, so a permerror still reports d=, s= and
// the rest.
type sigParams struct {
	version   string
	draft     bool
	algorithm string      // lower-cased a=
	hash      crypto.Hash // from a=
	keyType   string      // "rsa" or "ed25519", from a=
	b         []byte
	bText     string // b= without whitespace
	bh        []byte
	hc, bc    dkimcore.Canonicalization
	canon     string // "header/body", defaults filled in
	domain    string // d= as written, only when valid
	selector  string // s= as written, only when valid
	identity  string // i= decoded
	headers   []string
	length    int64
	timestamp time.Time
	expires   time.Time
}

// lookupName is selector._domainkey.domain, lower-cased, built from the
// validated labels only.
func (p *sigParams) lookupName() string {
	if p.domain == "" || p.selector == "" {
		return ""
	}
	return strings.ToLower(p.selector + "._domainkey." + p.domain)
}

// parseSignature parses the value of a DKIM-Signature field (the bytes
// after the colon, folding included). The returned params are never nil.
func parseSignature(value string) (*sigParams, error) {
	p := &sigParams{length: -1}
	tags, err := dkimcore.ParseTagList(value)
	if err != nil {
		return p, err
	}
	var errs []error
	fail := func(err error) {
		errs = append(errs, err)
	}
	get := func(name string) (string, bool) { return dkimcore.TagValue(tags, name) }

	// d= and s= first, so that a signature failing on anything else still
	// names its signer.
	p.domain, p.selector = signer(get, fail)

	// v= (RFC 6376 §3.5: "MUST be 1"). Signatures of the pre-RFC drafts
	// have no v= (draft-ietf-dkim-base-00 to -04) or v=0.5 (-05 to -10);
	// Mail::DKIM verifies them like v=1, and so do we, flagging them.
	if v, ok := get("v"); !ok {
		p.draft = true
	} else {
		p.version = v
		switch v {
		case "1":
		case "0.5":
			p.draft = true
		default:
			fail(fmt.Errorf("%w v=%s", ErrUnsupportedVersion, clip(v)))
		}
	}

	if a, ok := get("a"); !ok {
		fail(fmt.Errorf("%w a=", ErrMissingTag))
	} else {
		p.algorithm = strings.ToLower(a)
		switch p.algorithm {
		case "rsa-sha256":
			p.hash, p.keyType = crypto.SHA256, "rsa"
		case "rsa-sha1":
			p.hash, p.keyType = crypto.SHA1, "rsa"
		case "ed25519-sha256":
			p.hash, p.keyType = crypto.SHA256, "ed25519"
		default:
			fail(fmt.Errorf("%w a=%s", ErrUnsupportedAlgorithm, clip(a)))
		}
	}

	if b, ok := get("b"); !ok {
		fail(fmt.Errorf("%w b=", ErrMissingTag))
	} else {
		p.bText = dkimcore.RemoveFWS(b)
		if p.b, err = dkimcore.DecodeBase64(p.bText); err != nil || len(p.b) == 0 {
			fail(fmt.Errorf("%w in b=", ErrBadBase64))
		}
	}
	if bh, ok := get("bh"); !ok {
		// draft-ietf-dkim-base-00 and -01 had no bh=; their body was part
		// of the header hash, which Mail::DKIM no longer supports either.
		fail(fmt.Errorf("%w bh=", ErrMissingTag))
	} else if p.bh, err = dkimcore.DecodeBase64(dkimcore.RemoveFWS(bh)); err != nil || len(p.bh) == 0 {
		fail(fmt.Errorf("%w in bh=", ErrBadBase64))
	}

	c, _ := get("c")
	if p.hc, p.bc, err = dkimcore.ParseCanonicalization(c); err != nil {
		fail(err)
		p.canon = strings.ToLower(clip(dkimcore.RemoveFWS(c))) // as written: it names no known algorithm
	} else {
		p.canon = p.hc.String() + "/" + p.bc.String()
	}

	if h, ok := get("h"); !ok {
		fail(fmt.Errorf("%w h=", ErrMissingTag))
	} else {
		from := false
		for name := range strings.SplitSeq(h, ":") {
			if name = strings.ToLower(dkimcore.TrimFWS(name)); name == "" {
				continue
			}
			if len(p.headers) == maxSignedHeaders {
				fail(fmt.Errorf("%w: more than %d", ErrTooManySignedHeaders, maxSignedHeaders))
				break
			}
			from = from || name == "from"
			p.headers = append(p.headers, name)
		}
		if !from {
			fail(ErrFromNotSigned)
		}
	}

	if i, ok := get("i"); ok {
		// Mail::DKIM decodes dkim-quoted-printable (RFC 6376 §2.11) in i=;
		// real signers wrote "=40" for "@" and "=2E" for ".".
		p.identity = decodeQP(dkimcore.RemoveFWS(i))
		at := strings.LastIndexByte(p.identity, '@')
		switch {
		case at < 0:
			fail(fmt.Errorf("%w: i=%s has no @", ErrIdentityMismatch, clip(p.identity)))
		case p.domain != "":
			// Converted before it is lower-cased: strings.ToLower would
			// fold a Kelvin sign into "k".
			id := p.identity[at+1:]
			if a, ok := dkimcore.ASCIIDomain(id); ok {
				id = a
			}
			id = idn.LowerASCII(id)
			d := strings.ToLower(p.domain)
			if id != d && !strings.HasSuffix(id, "."+d) {
				fail(fmt.Errorf("%w: i=%s, d=%s", ErrIdentityMismatch, clip(p.identity), p.domain))
			}
		}
	}

	if q, ok := get("q"); ok {
		// RFC 6376 §3.5: a colon-separated list; only dns/txt is defined.
		// Drafts wrote plain "dns", which Mail::DKIM accepts.
		found := false
		for m := range strings.SplitSeq(q, ":") {
			m = strings.ToLower(dkimcore.TrimFWS(m))
			found = found || m == "dns/txt" || m == "dns"
		}
		if !found {
			fail(fmt.Errorf("%w in q=%s", ErrUnsupportedQuery, clip(q)))
		}
	}

	if l, ok := get("l"); ok {
		n, err := parseDigits(l, 76)
		if err != nil {
			fail(fmt.Errorf("%w: l=%s", ErrBadTagValue, clip(l)))
		} else {
			p.length = n
		}
	}
	for _, tv := range []struct {
		name string
		dst  *time.Time
	}{{"t", &p.timestamp}, {"x", &p.expires}} {
		if v, ok := get(tv.name); ok {
			n, err := parseDigits(v, 12)
			if err != nil {
				fail(fmt.Errorf("%w: %s=%s", ErrBadTagValue, tv.name, clip(v)))
				continue
			}
			*tv.dst = time.Unix(n, 0).UTC()
		}
	}
	if len(errs) > 0 {
		return p, errs[0]
	}
	return p, nil
}

// parseDigits parses 1*max DIGIT (with FWS around) into an int64.
func parseDigits(s string, max int) (int64, error) {
	s = dkimcore.TrimFWS(s)
	if s == "" || len(s) > max {
		return 0, ErrBadTagValue
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return 0, ErrBadTagValue
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrBadTagValue
	}
	return n, nil
}

// decodeQP decodes the =XX escapes of dkim-quoted-printable; a malformed
// escape is kept as written.
func decodeQP(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// clip shortens a value for an error message: kilobyte-long tag values
// occur in hostile mail.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// signer reads the d= and s= tags of a DKIM-Signature or a
// DomainKey-Signature, both checked as domain labels (A-labels), reporting
// a missing or invalid one through fail. Either is "" when it is not valid.
func signer(get func(string) (string, bool), fail func(error)) (domain, selector string) {
	if d, ok := get("d"); !ok {
		fail(fmt.Errorf("%w d=", ErrMissingTag))
	} else if a, ok := dkimcore.ASCIIDomain(d); !ok {
		fail(fmt.Errorf("%w: %q", ErrInvalidDomain, clip(d)))
	} else {
		domain = a
	}
	if s, ok := get("s"); !ok {
		fail(fmt.Errorf("%w s=", ErrMissingTag))
	} else if a, ok := dkimcore.ASCIIDomain(dkimcore.TrimFWS(s)); !ok {
		fail(fmt.Errorf("%w: %q", ErrInvalidSelector, clip(s)))
	} else {
		selector = a
	}
	return domain, selector
}
