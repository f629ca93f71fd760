package mailsyntax

// A lenient parser for Authentication-Results (RFC 8601) and
// ARC-Authentication-Results (RFC 8617 §4.1.1) field values.
//
// What receivers write varies; the parser takes, besides the RFC grammar:
//
//   - comments anywhere, nested, holding ";" ("(2048-bit key; unprotected)",
//     OpenDKIM), and white space or comments around "=", "." and "/";
//   - a missing authserv-id (Microsoft Exchange Online starts with
//     "spf=pass (sender IP is ...)"), and a missing or doubled ";";
//   - property values with characters RFC 8601 does not allow unquoted
//     (a full base64 header.b with "+", "/" and "="), and quoted values;
//   - properties without a ptype ("action=none", Microsoft's dmarc) and
//     methods outside the registry ("compauth", "dkim-atps").
//
// A value that is not a result ("dkim" alone) is skipped. What cannot be read
// at all is an error, returned with the results read before it.

import (
	"errors"
	"fmt"
	"strings"
)

// Caps on what ParseAuthResults reads from one field value.
const (
	maxAuthResLen     = 64 << 10 // bytes of the field value
	maxAuthResResults = 64       // method results
	maxAuthResProps   = 32       // properties per result
)

// Errors ParseAuthResults returns, wrapped.
var (
	errAuthResEmpty   = errors.New("mailsyntax: empty Authentication-Results")
	errAuthResTooLong = errors.New("mailsyntax: Authentication-Results too long")
	errAuthResSyntax  = errors.New("mailsyntax: malformed Authentication-Results")
)

// AuthResults is one parsed Authentication-Results or
// ARC-Authentication-Results field.
type AuthResults struct {
	Instance   int    // ARC i=, 0 for Authentication-Results
	AuthServID string // who wrote it ("mx.google.com"), as written; "" when absent
	Version    string // authres-version, "" when absent
	None       bool   // "none": no method was run
	Results    []AuthResult
}

// AuthResult is one method's result ("dkim=pass header.d=example.com").
type AuthResult struct {
	Method        string // lower-cased: "dkim", "spf", "dmarc", "arc", "compauth", ...
	MethodVersion string // after "/", "" when absent
	Result        string // lower-cased: "pass", "fail", "none", ...
	Reason        string // reason=, unquoted
	Comment       string // the first comment after the result, "" when none
	Props         []AuthProp
}

// AuthProp is one property: ptype.property=value.
type AuthProp struct {
	Type  string // lower-cased ptype ("header", "smtp", "policy"); "" for "action=none"
	Name  string // lower-cased property ("d", "i", "b", "s", "from", "mailfrom")
	Value string // as written, unquoted
}

// Prop returns the value of the first property named key ("header.d",
// "smtp.mailfrom", or "action" for one without a ptype), matched
// case-insensitively, or "".
func (r AuthResult) Prop(key string) string {
	typ, name, ok := strings.Cut(strings.ToLower(key), ".")
	if !ok {
		typ, name = "", typ
	}
	for _, p := range r.Props {
		if p.Type == typ && p.Name == name {
			return p.Value
		}
	}
	return ""
}

// ParseAuthResults parses the value (without the field name, folded or
// not) of an Authentication-Results or, when it starts with "i=N;", an
// ARC-Authentication-Results field. It reads at most 64 KiB, 64 results and
// 32 properties per result; past a cap, or where the value cannot be read
// at all, it returns an error, and the results read so far come back with
// it.
func ParseAuthResults(value string) (AuthResults, error) {
	var ar AuthResults
	if len(value) > maxAuthResLen {
		return ar, errAuthResTooLong
	}
	p := &arParser{s: value}
	if err := p.skipCFWS(); err != nil {
		return ar, err
	}
	if p.eof() {
		return ar, errAuthResEmpty
	}

	// ARC: "i=1;" comes first.
	save := p.i
	if k := p.key(); strings.EqualFold(k, "i") {
		if err := p.skipCFWS(); err != nil {
			return ar, err
		}
		if p.accept('=') {
			if err := p.skipCFWS(); err != nil {
				return ar, err
			}
			n, ok := p.number()
			if !ok {
				return ar, fmt.Errorf("%w: i= is not a number", errAuthResSyntax)
			}
			ar.Instance = n
			if err := p.skipCFWS(); err != nil {
				return ar, err
			}
			if !p.accept(';') {
				return ar, fmt.Errorf("%w: no ';' after i=", errAuthResSyntax)
			}
			save = p.i
		}
	}
	p.i = save

	// authserv-id [version], unless the field starts with a result.
	if err := p.skipCFWS(); err != nil {
		return ar, err
	}
	save = p.i
	id := ""
	if !p.eof() && p.peek() == '"' {
		v, err := p.value()
		if err != nil {
			return ar, err
		}
		id = v
	} else {
		id = p.key()
	}
	if err := p.skipCFWS(); err != nil {
		return ar, err
	}
	if !p.eof() && (p.peek() == '=' || p.peek() == '/') {
		p.i = save // no authserv-id: "spf=pass ..."
	} else {
		ar.AuthServID = id
		if n := p.digits(); n != "" {
			ar.Version = n
		}
	}

	for {
		if err := p.skipCFWS(); err != nil {
			return ar, err
		}
		if p.eof() {
			break
		}
		if p.accept(';') {
			continue
		}
		if len(ar.Results) == maxAuthResResults {
			return ar, fmt.Errorf("%w: more than %d results", errAuthResSyntax, maxAuthResResults)
		}
		r, none, err := p.resinfo()
		if err != nil {
			return ar, err
		}
		switch {
		case none:
			ar.None = true
		case r.Method != "":
			ar.Results = append(ar.Results, r)
		}
	}
	if !ar.None && len(ar.Results) == 0 {
		return ar, fmt.Errorf("%w: no results", errAuthResSyntax)
	}
	return ar, nil
}

// arParser walks one field value.
type arParser struct {
	s       string
	i       int
	comment string // the last comment skipped
}

func (p *arParser) eof() bool  { return p.i >= len(p.s) }
func (p *arParser) peek() byte { return p.s[p.i] }

func (p *arParser) accept(c byte) bool {
	if !p.eof() && p.peek() == c {
		p.i++
		return true
	}
	return false
}

// skipCFWS skips white space, line breaks and comments.
func (p *arParser) skipCFWS() error {
	for !p.eof() {
		switch p.peek() {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			text, end, ok := readComment(p.s, p.i)
			if !ok {
				return fmt.Errorf("%w: unclosed or too deeply nested comment", errAuthResSyntax)
			}
			p.comment = strings.TrimSpace(text)
			p.i = end
		default:
			return nil
		}
	}
	return nil
}

// isARSpecial reports whether c ends a key or an unquoted value.
func isARSpecial(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ';', '(', ')', '"', '=':
		return true
	}
	return c < 0x20 || c == 0x7f
}

// key reads a method, ptype.property or reason name: a run of characters
// up to white space or one of ;()"=.
func (p *arParser) key() string {
	start := p.i
	for !p.eof() && !isARSpecial(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a quoted string or an unquoted value. An unquoted value may
// hold "=" (base64 padding in header.b) but not white space or ;()".
func (p *arParser) value() (string, error) {
	if !p.eof() && p.peek() == '"' {
		text, end, ok := unquote(p.s, p.i)
		if !ok {
			return "", fmt.Errorf("%w: unclosed quoted string", errAuthResSyntax)
		}
		p.i = end
		return text, nil
	}
	start := p.i
	for !p.eof() {
		c := p.peek()
		if c != '=' && isARSpecial(c) {
			break
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

// digits reads a run of ASCII digits.
func (p *arParser) digits() string {
	start := p.i
	for !p.eof() && '0' <= p.peek() && p.peek() <= '9' {
		p.i++
	}
	return p.s[start:p.i]
}

// number reads a small decimal number.
func (p *arParser) number() (int, bool) {
	d := p.digits()
	if d == "" || len(d) > 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(d); i++ {
		n = n*10 + int(d[i]-'0')
	}
	return n, true
}

// resinfo reads one "method=result [reason=..] [props]" up to ";" or the
// end. none is true for the bare "none". A leading word that is not
// followed by "=" is skipped (r.Method stays "").
func (p *arParser) resinfo() (r AuthResult, none bool, err error) {
	method := p.key()
	if err := p.skipCFWS(); err != nil {
		return r, false, err
	}
	if p.accept('/') {
		if err := p.skipCFWS(); err != nil {
			return r, false, err
		}
		r.MethodVersion = p.key()
		if err := p.skipCFWS(); err != nil {
			return r, false, err
		}
	}
	if method == "" || !p.accept('=') {
		if strings.EqualFold(method, "none") {
			none = true
		}
		if method == "" && !p.eof() && p.peek() != ';' {
			p.i++ // a stray character such as ")" or "=": step over it
		}
		return AuthResult{}, none, p.skipToSemicolon()
	}
	if err := p.skipCFWS(); err != nil {
		return r, false, err
	}
	p.comment = ""
	result, err := p.value()
	if err != nil {
		return r, false, err
	}
	if m, v, ok := strings.Cut(method, "/"); ok && r.MethodVersion == "" {
		method, r.MethodVersion = m, v // "dkim/1=pass"
	}
	r.Method, r.Result = strings.ToLower(method), strings.ToLower(result)
	r.MethodVersion = strings.ToLower(r.MethodVersion)
	if err := p.skipCFWS(); err != nil {
		return r, false, err
	}
	r.Comment = p.comment

	for !p.eof() && p.peek() != ';' {
		k := p.key()
		if err := p.skipCFWS(); err != nil {
			return r, false, err
		}
		// "header . d": CFWS around the dot (RFC 8601 propspec).
		for k != "" && !p.eof() && (p.peek() == '.' || strings.HasSuffix(k, ".")) {
			more := p.key()
			if more == "" {
				break
			}
			k += more
			if err := p.skipCFWS(); err != nil {
				return r, false, err
			}
		}
		if k == "" || !p.accept('=') {
			if k == "" && !p.eof() && p.peek() != ';' {
				p.i++ // a stray "=", ")" or quoted text without a key
			}
			if err := p.skipCFWS(); err != nil {
				return r, false, err
			}
			continue
		}
		if err := p.skipCFWS(); err != nil {
			return r, false, err
		}
		v, err := p.value()
		if err != nil {
			return r, false, err
		}
		if err := p.skipCFWS(); err != nil {
			return r, false, err
		}
		k = strings.ToLower(k)
		if k == "reason" {
			r.Reason = v
			continue
		}
		if len(r.Props) == maxAuthResProps {
			return r, false, fmt.Errorf("%w: more than %d properties in one result", errAuthResSyntax, maxAuthResProps)
		}
		typ, name, ok := strings.Cut(k, ".")
		if !ok {
			typ, name = "", k
		}
		if name == "" {
			continue // "header.=x": nothing to name it by
		}
		r.Props = append(r.Props, AuthProp{Type: typ, Name: name, Value: v})
	}
	return r, false, nil
}

// skipToSemicolon skips to the next ";" outside comments and quoted strings.
func (p *arParser) skipToSemicolon() error {
	for !p.eof() && p.peek() != ';' {
		if err := p.skipCFWS(); err != nil {
			return err
		}
		if p.eof() || p.peek() == ';' {
			break
		}
		if p.peek() == '"' {
			if _, err := p.value(); err != nil {
				return err
			}
			continue
		}
		p.i++
	}
	return nil
}
