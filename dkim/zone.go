package dkim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/idn"
)

// zoneToken is one token of a zone-file record: a word or a quoted string,
// escapes decoded.
type zoneToken struct {
	text   string
	quoted bool
}

// zoneRecord is one logical record: its tokens, whether its first line
// started with white space (the owner is the previous one), and its line.
type zoneRecord struct {
	tokens []zoneToken
	blank  bool
	line   int
}

// parseZone reads the DKIM TXT records of a BIND zone file (RFC 1035 §5.1).
func parseZone(data []byte, name string) ([]KeyRecord, error) {
	var (
		recs   []KeyRecord
		origin string // absolute, lower-case, without the final dot
		owner  string // the previous owner, absolute, lower-case, without the final dot
	)
	err := zoneRecords(data, func(zr zoneRecord) error {
		toks := zr.tokens
		if first := toks[0]; !first.quoted && strings.HasPrefix(first.text, "$") {
			switch strings.ToUpper(first.text) {
			case "$ORIGIN":
				if len(toks) < 2 {
					return errors.New("$ORIGIN without a name")
				}
				origin = zoneAbsolute(toks[1].text, origin)
			case "$TTL":
			case "$INCLUDE":
				return errors.New("$INCLUDE is not supported: import the included file on its own")
			default:
				return fmt.Errorf("unknown directive %s", dkimcore.ClipValue(first.text))
			}
			return nil
		}
		if !zr.blank {
			owner = zoneAbsolute(toks[0].text, origin)
			toks = toks[1:]
		} else if owner == "" {
			return errors.New("record without an owner name")
		}
		// [TTL] [class] type, TTL and class in either order (RFC 1035 §5.1).
		for range 2 {
			if len(toks) > 0 && !toks[0].quoted && (zoneIsTTL(toks[0].text) || zoneIsClass(toks[0].text)) {
				toks = toks[1:]
			}
		}
		if len(toks) == 0 {
			return errors.New("record without a type")
		}
		if !strings.EqualFold(toks[0].text, "TXT") || toks[0].quoted {
			return nil // SOA, NS, MX, ...: not ours
		}
		sel, domain, ok := strings.Cut(owner, "._domainkey.")
		sel, domain = dkimcore.NormalName(sel), dkimcore.NormalName(domain)
		if !ok || sel == "" || domain == "" {
			return nil // a TXT record that is not a DKIM key (SPF, DMARC, ...)
		}
		var txt strings.Builder
		for _, t := range toks[1:] {
			txt.WriteString(t.text)
		}
		recs = append(recs, KeyRecord{Domain: domain, Selector: sel, TXT: txt.String(), Source: name})
		return nil
	})
	if err != nil {
		var kfe *KeyFileError
		if errors.As(err, &kfe) {
			kfe.Name = name
		}
		return nil, err
	}
	return recs, nil
}

// zoneAbsolute resolves a domain name against origin: "@" is the origin,
// a name ending in "." is absolute, another is relative to the origin (or
// taken as is without one). The result has its ASCII letters lower-case and
// no final dot.
func zoneAbsolute(n, origin string) string {
	// ASCII letters only: Unicode case folding would turn look-alikes
	// such as the Kelvin sign into ASCII letters (see NormalName).
	n = idn.LowerASCII(n)
	switch {
	case n == "@":
		return origin
	case strings.HasSuffix(n, "."):
		return strings.TrimSuffix(n, ".")
	case origin == "":
		return n
	}
	return n + "." + origin
}

// zoneIsTTL reports whether s is a TTL: digits, or BIND's 1w2d3h4m5s form.
func zoneIsTTL(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= s[i] && s[i] <= '9') && !strings.ContainsRune("smhdw", rune(c)) {
			return false
		}
	}
	return true
}

func zoneIsClass(s string) bool {
	switch strings.ToUpper(s) {
	case "IN", "CH", "CS", "HS":
		return true
	}
	return false
}

// zoneRecords splits a zone file into logical records (parentheses join
// lines, ";" comments run to the end of the line outside quotes) and calls
// fn on each. Errors carry the line number of the record.
func zoneRecords(data []byte, fn func(zoneRecord) error) error {
	var (
		rec     zoneRecord
		size    int
		depth   int
		line    = 1
		atStart = true // at the first byte of a physical line
		tok     strings.Builder
		inTok   bool
	)
	fail := func(l int, err error) error { return &KeyFileError{Line: l, Err: err} }
	flushTok := func(quoted bool) {
		if rec.tokens == nil {
			rec.line = line
		}
		rec.tokens = append(rec.tokens, zoneToken{tok.String(), quoted})
		tok.Reset()
		inTok = false
	}
	endRecord := func() error {
		if inTok {
			flushTok(false)
		}
		if len(rec.tokens) > 0 {
			if err := fn(rec); err != nil {
				return fail(rec.line, err)
			}
		}
		rec, size = zoneRecord{}, 0
		return nil
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		if atStart && depth == 0 {
			rec.blank = c == ' ' || c == '\t'
		}
		atStart = false
		switch {
		case c == '\n':
			if inTok {
				flushTok(false)
			}
			if depth == 0 {
				if err := endRecord(); err != nil {
					return err
				}
			}
			line++
			atStart = true
		case c == ';':
			if inTok {
				flushTok(false)
			}
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\r':
			if inTok {
				flushTok(false)
			}
		case c == '(':
			if inTok {
				flushTok(false)
			}
			if depth == 0 && rec.tokens == nil {
				rec.line = line
			}
			depth++
		case c == ')':
			if inTok {
				flushTok(false)
			}
			if depth == 0 {
				return fail(line, errors.New(`")" without "("`))
			}
			depth--
		case c == '"':
			if inTok {
				flushTok(false)
			}
			start := line
			if rec.tokens == nil {
				rec.line = line
			}
			closed := false
			for i++; i < len(data); i++ {
				c := data[i]
				if c == '"' {
					closed = true
					break
				}
				if c == '\n' {
					line++
				}
				if c == '\\' {
					i = zoneEscape(data, i, &tok)
					continue
				}
				tok.WriteByte(c)
			}
			if !closed {
				return fail(start, errors.New("unterminated quoted string"))
			}
			rec.tokens = append(rec.tokens, zoneToken{tok.String(), true})
			tok.Reset()
		default:
			if !inTok && rec.tokens == nil {
				rec.line = line
			}
			inTok = true
			if c == '\\' {
				i = zoneEscape(data, i, &tok)
			} else {
				tok.WriteByte(c)
			}
		}
		if size++; size > maxKeyFileLine {
			return fail(rec.line, fmt.Errorf("record longer than %d bytes", maxKeyFileLine))
		}
	}
	if depth > 0 {
		return fail(line, errors.New(`"(" without ")" at the end of the file`))
	}
	return endRecord()
}

// zoneEscape decodes the escape starting at data[i] (a backslash) into tok:
// \DDD is the byte with that decimal value, \X is X (RFC 1035 §5.1). It
// returns the index of the escape's last byte.
func zoneEscape(data []byte, i int, tok *strings.Builder) int {
	if i+3 < len(data) && zoneIsDigit(data[i+1]) && zoneIsDigit(data[i+2]) && zoneIsDigit(data[i+3]) {
		v := int(data[i+1]-'0')*100 + int(data[i+2]-'0')*10 + int(data[i+3]-'0')
		if v <= 255 {
			tok.WriteByte(byte(v))
			return i + 3
		}
	}
	if i+1 < len(data) {
		tok.WriteByte(data[i+1])
		return i + 1
	}
	return i
}

func zoneIsDigit(c byte) bool { return '0' <= c && c <= '9' }
