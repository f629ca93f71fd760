package mailsyntax

// Strict parsing of the From field (RFC 5322 §3.4).
//
// A From field is an identity claim only when it names exactly one mailbox
// that a reader sees unambiguously. ParseFrom therefore accepts the standard
// grammar (a display name, quoted or not, with RFC 2047 encoded words and
// comments; an angle-addr; a bare addr-spec; RFC 6532 UTF-8) and refuses,
// with a plain-language reason, everything that could show a reader one
// address while the mail system used another:
//
//   - several mailboxes, a list separator, or group syntax ("Team: a@x;");
//   - route syntax (<@relay:user@x.com>), an obsolete form clients render
//     differently;
//   - an address in the display name or in a comment that differs from the
//     real one ("ceo@bank.com" <evil@x.com>), or an "@" followed by another
//     domain, looked for in every form a reader's client may show
//     (shown.go): as written, with encoded words decoded in any charset,
//     in display order, without invisible code points, and folded to the
//     confusable skeleton;
//   - an encoded word (=?utf-8?...?=) inside the addr-spec, which is legal
//     atext but which some clients decode and display;
//   - a missing domain, an address literal ([192.0.2.1]), a domain that is
//     not a fully qualified host name (letters, digits and hyphens in at
//     least two labels, after an internationalized domain is converted to
//     its xn-- form), or a trailing dot;
//   - comments or folding next to the @ (legal CFWS, but
//     "alice@(bank.example)example.com" reads differently in different
//     clients), and obsolete syntax inside the addr-spec (comments or folding
//     between the dot-separated words of the local part or the domain, quoted words mixed
//     with atoms), an @ inside a quoted local part, control characters and
//     invalid UTF-8 in the address.
//
// Obsolete syntax in the display name (an unquoted "." as in
// "John Q. Public") is accepted: it only changes the name shown. So is one
// common departure from the grammar that cannot mislead: an unquoted
// display name that is the very address in the angle brackets
// ("alice@example.com <alice@example.com>").

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// maxFromLen caps the From value ParseFrom reads; RFC 5322 lines are at most
// 998 octets and a From of several folded lines is already unusual.
const maxFromLen = 16 << 10

// ParseFrom parses the value of a From field (folded or not, without the
// field name) strictly. ok is true only when it is exactly one mailbox that
// a reader sees unambiguously; addr is then the canonical addr-spec: the
// local part lower-cased (and unquoted when it is a plain dot-atom), the
// domain lower-cased and in its ASCII (A-label) form. When ok is false,
// addr is "" and reason says why, as a lower-case clause fit to quote in a
// sentence ("the From field lists more than one mailbox"). Values longer
// than 16 KiB are refused.
func ParseFrom(value string) (addr string, ok bool, reason string) {
	if len(value) > maxFromLen {
		return "", false, "the From field is too long to be a single address"
	}
	p := &fromParser{s: value}
	addr, reason = p.mailbox()
	if reason != "" {
		return "", false, reason
	}
	return addr, true, ""
}

// Domain returns the part of addr after its last @, or "" when there is
// none. For an address [ParseFrom] accepted, that is its domain.
func Domain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// fromParser walks one From value. shown collects the text a reader sees
// besides the address (display-name words and comments), for the
// hidden-address check.
type fromParser struct {
	s     string
	i     int
	shown []string // comments, and the display name joined with spaces
	name  []string // display-name words
	sawAt bool     // the addr-spec reached its "@"
}

func (p *fromParser) eof() bool  { return p.i >= len(p.s) }
func (p *fromParser) peek() byte { return p.s[p.i] }

// skipCFWS skips folding white space and comments (RFC 5322 §3.2.2). Line
// breaks count as white space: the value may come folded or unfolded.
// It reports a malformed comment as a reason.
func (p *fromParser) skipCFWS() string {
	for !p.eof() {
		switch p.peek() {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			text, end, ok := readComment(p.s, p.i)
			if !ok {
				return "the From field has an unclosed or too deeply nested comment"
			}
			p.shown = append(p.shown, text)
			p.i = end
		default:
			return ""
		}
	}
	return ""
}

// isAtext reports whether c may appear in an atom (RFC 5322 §3.2.3, with
// RFC 6532's UTF-8 octets).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// atom reads a run of atext.
func (p *fromParser) atom() string {
	start := p.i
	for !p.eof() && isAtext(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted string at p.i (which is '"') and returns its
// content with quoted pairs resolved. Folding inside it is unfolded.
func (p *fromParser) quoted() (string, bool) {
	text, end, ok := unquote(p.s, p.i)
	if ok {
		p.i = end
	}
	return text, ok
}

// mailbox parses the whole value as one mailbox and returns the canonical
// address, or a reason why it is not exactly one mailbox.
func (p *fromParser) mailbox() (string, string) {
	if r := p.skipCFWS(); r != "" {
		return "", r
	}
	if p.eof() {
		return "", "the From field is empty"
	}
	start, shownBefore := p.i, len(p.shown)

	// A bare addr-spec first: "user@example.com (Name)".
	var bareReason string
	var bareSawAt bool
	if p.peek() != '<' {
		addr, r := p.addrSpec()
		if r == "" {
			if r := p.end(); r != "" {
				if p.sameAngleAddr(addr) {
					return p.checkShown(addr)
				}
				return "", r
			}
			return p.checkShown(addr)
		}
		bareReason, bareSawAt = r, p.sawAt
		p.i, p.shown, p.sawAt = start, p.shown[:shownBefore], false
	}

	// Otherwise a name-addr: [display-name] "<" addr-spec ">".
	if r := p.displayName(); r != "" {
		return "", r
	}
	if len(p.name) > 0 {
		// The words, and the name as written: an encoded word may hold a
		// "." that split it into several words.
		p.shown = append(p.shown, strings.Join(p.name, " "), p.s[start:p.i])
	}
	if p.eof() || p.peek() != '<' {
		r := p.notAddress()
		if bareSawAt || (bareReason != "" && r == reasonNotAddress) {
			// "user@bad..domain", "a..b@x": the address itself is what
			// is wrong, and the bare attempt said how.
			return "", bareReason
		}
		return "", r
	}
	p.i++
	if r := p.skipCFWS(); r != "" {
		return "", r
	}
	if !p.eof() && (p.peek() == '@' || p.peek() == ',') {
		return "", "the From address uses route syntax (<@relay:user@domain>), which mail clients show in different ways"
	}
	addr, r := p.addrSpec()
	if r != "" {
		return "", r
	}
	if p.eof() || p.peek() != '>' {
		return "", "the From address has no closing '>'"
	}
	p.i++
	if r := p.end(); r != "" {
		return "", r
	}
	return p.checkShown(addr)
}

// sameAngleAddr reports whether, after a bare addr-spec, the rest of the
// value is exactly "<addr-spec>" naming the same address. Some mailers
// write "alice@example.com <alice@example.com>": not RFC 5322 (an "@" in
// an unquoted display name), but what it shows and what it means agree,
// so it is accepted.
func (p *fromParser) sameAngleAddr(addr string) bool {
	if p.eof() || p.peek() != '<' {
		return false
	}
	p.i++
	other, r := p.addrSpec()
	if r != "" || p.eof() || p.peek() != '>' {
		return false
	}
	p.i++
	return p.end() == "" && other == addr
}

// displayName reads a phrase (words, and the obsolete "." between them) up
// to '<'. A ':' there means group syntax.
func (p *fromParser) displayName() string {
	for {
		if r := p.skipCFWS(); r != "" {
			return r
		}
		if p.eof() {
			return ""
		}
		switch c := p.peek(); {
		case c == '"':
			text, ok := p.quoted()
			if !ok {
				return "the From field has an unclosed quoted string"
			}
			p.name = append(p.name, text)
		case c == '.':
			p.name = append(p.name, ".")
			p.i++
		case isAtext(c):
			p.name = append(p.name, p.atom())
		default:
			return ""
		}
	}
}

// reasonNotAddress is the reason given when nothing more specific applies.
const reasonNotAddress = "the From field is not a valid address"

// notAddress names what is wrong when no mailbox could be read.
func (p *fromParser) notAddress() string {
	if !p.eof() {
		switch p.peek() {
		case ':':
			return "the From field uses group syntax (\"Name: address;\"), not a single mailbox"
		case ',':
			return "the From field lists more than one mailbox"
		}
	}
	rest := p.s[p.i:]
	if strings.ContainsAny(p.s, "@") {
		if strings.Contains(rest, ":") {
			return "the From field uses group syntax (\"Name: address;\"), not a single mailbox"
		}
		return reasonNotAddress
	}
	return "the From field has no address (no @domain)"
}

// end checks that only CFWS follows the mailbox.
func (p *fromParser) end() string {
	if r := p.skipCFWS(); r != "" {
		return r
	}
	if p.eof() {
		return ""
	}
	switch p.peek() {
	case ',':
		return "the From field lists more than one mailbox"
	case ':', ';':
		return "the From field uses group syntax (\"Name: address;\"), not a single mailbox"
	case '<':
		return "the From field shows an address before the one in angle brackets"
	}
	return "the From field has unexpected text after the address"
}

// addrSpec reads [CFWS] local-part [CFWS] "@" [CFWS] domain [CFWS] and
// returns the canonical lower-cased address.
func (p *fromParser) addrSpec() (string, string) {
	if r := p.skipCFWS(); r != "" {
		return "", r
	}
	if p.eof() {
		return "", "the From field has no address"
	}
	var local string
	if p.peek() == '"' {
		text, ok := p.quoted()
		if !ok {
			return "", "the From field has an unclosed quoted string"
		}
		if strings.Contains(text, "@") {
			return "", "the From address has an @ inside its quoted local part"
		}
		if text == "" {
			return "", "the From address has an empty local part"
		}
		local = text
	} else {
		var r string
		local, r = p.dotAtom("local part")
		if r != "" {
			return "", r
		}
		if local == "" {
			return "", p.notAddress()
		}
	}
	// Comments and folding next to the @ are legal (CFWS), but clients show
	// them differently ("alice@(bank.example)example.com"): refuse them.
	before := p.i
	if r := p.skipCFWS(); r != "" {
		return "", r
	}
	if p.i != before && !p.eof() && p.peek() == '@' {
		return "", reasonCFWSAt
	}
	if p.eof() || p.peek() != '@' {
		if !p.eof() && (p.peek() == '.' || p.peek() == '"') {
			return "", "the From address uses obsolete syntax in its local part"
		}
		if !p.eof() && p.peek() == '<' {
			return "", "the From field is not a valid address"
		}
		return "", "the From address has no domain"
	}
	p.i++
	p.sawAt = true
	if r := p.noCFWSAroundAt(); r != "" {
		return "", r
	}
	if !p.eof() && p.peek() == '[' {
		return "", "the From address has an address literal ([...]) instead of a domain name"
	}
	domain, r := p.dotAtom("domain")
	if r != "" {
		return "", r
	}
	if domain == "" {
		return "", "the From address has no domain"
	}
	if r := p.skipCFWS(); r != "" {
		return "", r
	}
	if !p.eof() && p.peek() == '.' {
		return "", "the From address domain ends with a dot or uses obsolete syntax"
	}
	return canonicalAddr(local, domain)
}

const reasonCFWSAt = "the From address has a comment or white space next to its @, which mail clients show in different ways"

// noCFWSAroundAt skips CFWS after the @ of an addr-spec and refuses it when
// there was any.
func (p *fromParser) noCFWSAroundAt() string {
	start := p.i
	if r := p.skipCFWS(); r != "" {
		return r
	}
	if p.i != start {
		return reasonCFWSAt
	}
	return ""
}

// dotAtom reads dot-atom-text: atoms joined by single dots, with no CFWS
// inside (obsolete syntax is refused).
func (p *fromParser) dotAtom(what string) (string, string) {
	start := p.i
	for {
		a := p.atom()
		if a == "" {
			if p.i == start {
				return "", ""
			}
			return "", "the From address has an empty part (a dot at the start, the end or twice) in its " + what
		}
		if p.eof() || p.peek() != '.' {
			return p.s[start:p.i], ""
		}
		p.i++
		if p.eof() || !isAtext(p.peek()) {
			if what == "domain" && (p.eof() || p.peek() != '.') {
				return "", "the From address domain ends with a dot or uses obsolete syntax"
			}
			return "", "the From address has an empty part (a dot at the start, the end or twice) in its " + what
		}
	}
}

// encodedWordRe finds an RFC 2047 encoded word.
var encodedWordRe = regexp.MustCompile(`=\?[^?\s]*\?[^?\s]*\?[^?\s]*\?=`)

func foldLookalikes(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xff01 && r <= 0xff5e:
			return r - 0xfee0
		case r == 0xfe6b:
			return '@'
		case r == 0x3002 || r == 0xff61 || r == 0x2024:
			return '.'
		}
		return r
	}, s)
}

// asciiCharsetReader lets the encoded-word decoder read a charset it has no
// table for: ASCII bytes stay (every charset mail uses keeps ASCII, except
// the UTF-16 and UTF-32 family, whose zero bytes are dropped), and other
// bytes become U+FFFD. That is enough to see an address hidden in a
// display name, whatever the charset.
func asciiCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, maxFromLen))
	if err != nil {
		return nil, err
	}
	wide := strings.Contains(charset, "16") || strings.Contains(charset, "32") || strings.Contains(strings.ToLower(charset), "ucs")
	var out strings.Builder
	for _, c := range b {
		switch {
		case c == 0 && wide:
		case c < 0x80:
			out.WriteByte(c)
		default:
			out.WriteRune(utf8.RuneError)
		}
	}
	return strings.NewReader(out.String()), nil
}

// checkShown refuses addr when the display name or a comment shows a
// reader a different address, or an "@" with a different domain, in any
// form a client may show it (shownAddresses).
func (p *fromParser) checkShown(addr string) (string, string) {
	if len(p.shown) == 0 {
		return addr, ""
	}
	// The forms of addr itself, worked out only when the name shows an
	// address: most names show none.
	var same map[string]bool
	for _, text := range p.shown {
		for _, a := range shownAddresses(text) {
			if same == nil {
				same = make(map[string]bool)
				local, domain := addr[:strings.LastIndexByte(addr, '@')], Domain(addr)
				for _, d := range []string{domain, unicodeDomain(domain)} {
					same[foldShown(local+"@"+d)] = true
					same[foldShown("@"+d)] = true
				}
			}
			if same[a.folded] {
				continue
			}
			what := "address"
			if a.domain {
				what = "domain"
			}
			return "", fmt.Sprintf("the From display name shows the %s %s, but the message is from %s", what, clip(a.text), clip(addr))
		}
	}
	return addr, ""
}

// unicodeDomain returns the Unicode form a client may show for an A-label
// domain, or d itself.
func unicodeDomain(d string) string {
	u, err := idna.Registration.ToUnicode(d)
	if err != nil {
		return d
	}
	return u
}

// clip shortens s for a reason sentence: hostile input can be long.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
