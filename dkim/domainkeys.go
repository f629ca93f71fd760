package dkim

// DomainKeys (RFC 4870), DKIM's predecessor, signed much of Yahoo's and
// Gmail's mail from 2004 to about 2010. It is verified here the way
// Mail::DKIM, the reference verifier of that era, verifies it.

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// ErrSendingDomain is the permerror of a DomainKey-Signature whose d= is
// not the domain (or a parent domain) of the sending address: the Sender
// field's address when the signature covers one, else the From field's
// (RFC 4870 §3.3 and §3.4.1), or when the signed fields name no address.
var ErrSendingDomain = errors.New("dkim: d= is not the domain of the signed Sender, or else From, address")

// dkParams is a parsed DomainKey-Signature. parseDomainKey fills in as
// much as it can before the first error.
type dkParams struct {
	algorithm string
	b         []byte
	bText     string
	canon     dkimcore.DKCanonicalization
	canonText string
	domain    string
	selector  string
	headers   []string // h=, lower-cased; nil when absent (every field below the signature)
}

// parseDomainKey parses the value of a DomainKey-Signature field (RFC 4870
// §3.3). a= defaults to rsa-sha1, the only algorithm; c= to simple (or
// nofws); q= to dns, the only query method (any other value, an empty one
// included, is unsupported); d=, s= and b= are required. Tags RFC 4870
// does not define are ignored. The returned params are never nil.
func parseDomainKey(value string) (*dkParams, error) {
	p := &dkParams{algorithm: "rsa-sha1", canonText: "simple"}
	tags, err := dkimcore.ParseTagList(value)
	if err != nil {
		return p, err
	}
	var errs []error
	fail := func(err error) { errs = append(errs, err) }
	get := func(name string) (string, bool) { return dkimcore.TagValue(tags, name) }

	p.domain, p.selector = signer(get, fail)
	if a, ok := get("a"); ok && dkimcore.TrimFWS(a) != "" {
		p.algorithm = strings.ToLower(dkimcore.TrimFWS(a))
		if p.algorithm != "rsa-sha1" {
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
	c, _ := get("c")
	if p.canon, err = dkimcore.ParseDKCanonicalization(c); err != nil {
		fail(err)
		p.canonText = strings.ToLower(clip(dkimcore.RemoveFWS(c)))
	} else {
		p.canonText = p.canon.String()
	}
	if q, ok := get("q"); ok && !strings.EqualFold(dkimcore.TrimFWS(q), "dns") {
		// RFC 4870 §3.3 defines "dns" alone; Mail::DKIM refuses an
		// empty q= and "dns/txt" alike.
		fail(fmt.Errorf("%w in q=%s", ErrUnsupportedQuery, clip(q)))
	}
	if h, ok := get("h"); ok {
		p.headers = []string{}
		for name := range strings.SplitSeq(h, ":") {
			if name = strings.ToLower(dkimcore.TrimFWS(name)); name == "" {
				continue
			}
			if len(p.headers) == maxSignedHeaders {
				fail(fmt.Errorf("%w: more than %d", ErrTooManySignedHeaders, maxSignedHeaders))
				break
			}
			p.headers = append(p.headers, name)
		}
	}
	if len(errs) > 0 {
		return p, errs[0]
	}
	return p, nil
}

func (p *dkParams) lookupName() string {
	if p.domain == "" || p.selector == "" {
		return ""
	}
	return strings.ToLower(p.selector + "._domainkey." + p.domain)
}

// verifyDomainKeys checks the DomainKey-Signature fields of h (indices
// dkFields) and returns their results. Past the signature cap they are
// reported as skipped: each costs a pass over the body and an RSA check.
func verifyDomainKeys(ctx context.Context, h *rawheader.Header, msg []byte, dkFields []int, res *dkimcore.Resolver, keys map[string]dkimcore.KeyLookup, opts *Options) []Signature {
	out := make([]Signature, 0, len(dkFields))
	checked := 0
	for n, fi := range dkFields {
		f := &h.Fields[fi]
		p, err := parseDomainKey(string(f.Value()))
		sig := Signature{
			Type:             SignatureDomainKeys,
			Index:            n,
			Domain:           p.domain,
			Selector:         p.selector,
			Algorithm:        p.algorithm,
			Canonicalization: p.canonText,
			LookupName:       p.lookupName(),
			SignedHeaders:    []string{},
			Coverage:         []FieldCoverage{},
			BodyLength:       -1,
			B:                p.bText,
		}
		if err != nil {
			sig.Result, sig.Err = ResultPermError, err
			out = append(out, sig)
			continue
		}
		if checked >= opts.maxSignatures() {
			sig.Result = ResultSkipped
			sig.Err = fmt.Errorf("%w of %d", ErrSkipped, opts.maxSignatures())
			out = append(out, sig)
			continue
		}
		checked++
		selected := dkimcore.DKSelectFields(h.Fields, fi, p.headers)
		names := make([]string, len(selected))
		for k, i := range selected {
			names[k] = strings.ToLower(h.Fields[i].Name())
		}
		sig.SignedHeaders = names
		sig.Coverage = coverage(h.Fields, names, selected, fi)

		sig.Identity = sendingAddress(h.Fields, selected)
		if !withinDomain(sig.Identity, p.domain) {
			who := "no Sender or From address is signed"
			if sig.Identity != "" {
				who = "the sending address is " + clip(sig.Identity)
			}
			sig.Result, sig.Err = ResultPermError, fmt.Errorf("%w: %s, d=%s", ErrSendingDomain, who, p.domain)
			out = append(out, sig)
			continue
		}

		digest := dkimcore.DKDigest(h.Fields, selected, msg[h.BodyOffset:], p.canon)
		name := sig.LookupName
		lk, ok := keys[name]
		if !ok {
			lk = res.Lookup(ctx, strings.ToLower(p.domain), strings.ToLower(p.selector))
			keys[name] = lk
		}
		kc := res.Check(lk, &dkimcore.Signed{
			Algorithm: "rsa-sha1", Hash: crypto.SHA1, KeyType: "rsa",
			Domain: p.domain, Selector: p.selector, Identity: sig.Identity,
			B: p.b, Digest: digest, DomainKeys: true,
		})
		sig.HeaderSignature, sig.Result, sig.Err = HeaderStatus(kc.Header), Result(kc.Result), kc.Err
		sig.KeyBits, sig.KeySource, sig.Key, sig.KeyMismatch = kc.KeyBits, kc.KeySource, kc.Key, kc.KeyMismatch
		out = append(out, sig)
	}
	return out
}

// sendingAddress returns the address of the last signed Sender field, or
// else of the last signed From field, as Mail::DKIM takes them (RFC 4870
// §3.4.1 names Sender, then From): only fields the signature covers count,
// so an unsigned Sender added later changes nothing. "" when neither
// holds an address.
func sendingAddress(fields []rawheader.Field, selected []int) string {
	var sender, from string
	for _, i := range selected {
		f := &fields[i]
		if f.Colon < 0 {
			continue
		}
		switch {
		case f.NameEqualFold("sender"):
			sender = string(f.Value())
		case f.NameEqualFold("from"):
			from = string(f.Value())
		}
	}
	if a := firstAddress(sender); a != "" {
		return a
	}
	return firstAddress(from)
}

// firstAddress returns the first addr-spec of a Sender or From value,
// leniently: the text in the first angle brackets, else the first word
// with an "@" outside comments. It keeps the letter case (g= matches the
// local part case-sensitively). "" when there is none.
func firstAddress(v string) string {
	v = strings.NewReplacer("\r", "", "\n", "").Replace(v)
	if lt := strings.IndexByte(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt > 0 {
			if a := strings.TrimSpace(v[lt+1 : lt+gt]); validAddress(a) {
				return a
			}
		}
	}
	var b strings.Builder
	depth := 0
	for _, r := range v {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	for w := range strings.FieldsFuncSeq(b.String(), func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' }) {
		if validAddress(w) {
			return w
		}
	}
	return ""
}

func validAddress(a string) bool {
	at := strings.LastIndexByte(a, '@')
	return at > 0 && at < len(a)-1 && !strings.ContainsAny(a, " \t<>")
}

// withinDomain reports whether addr's domain is d or a subdomain of it,
// ignoring case (Mail::DKIM's match_subdomain). Both are compared as
// normal names (dkimcore.NormalName): a look-alike such as the Kelvin sign
// is not folded onto an ASCII letter.
func withinDomain(addr, d string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	dom, d := dkimcore.NormalName(addr[at+1:]), dkimcore.NormalName(d)
	if d == "" {
		return false
	}
	return dom == d || strings.HasSuffix(dom, "."+d)
}
