package dkimcore

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"hash"
	"strings"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// DKCanonicalization is a DomainKeys canonicalization (RFC 4870 §3.4.2):
// DomainKeys hashes the header fields and the body in one stream, so it
// has one algorithm for both, unlike DKIM.
type DKCanonicalization int

// The DomainKeys canonicalizations. Simple is the default of c=.
const (
	DKSimple DKCanonicalization = iota
	DKNoFWS
)

// String returns "simple" or "nofws".
func (c DKCanonicalization) String() string {
	switch c {
	case DKSimple:
		return "simple"
	case DKNoFWS:
		return "nofws"
	}
	return fmt.Sprintf("DKCanonicalization(%d)", int(c))
}

// ParseDKCanonicalization parses the c= value of a DomainKey-Signature:
// "simple" (also for an empty value, the default) or "nofws", compared
// case-insensitively. Any other name wraps ErrUnsupportedCanonicalization.
func ParseDKCanonicalization(s string) (DKCanonicalization, error) {
	switch strings.ToLower(TrimFWS(s)) {
	case "", "simple":
		return DKSimple, nil
	case "nofws":
		return DKNoFWS, nil
	}
	return 0, fmt.Errorf("%w %q", ErrUnsupportedCanonicalization, s)
}

// DKSelectFields returns the indices of the header fields a
// DomainKey-Signature at index sig signs, in the order they are hashed.
// Only fields below the signature count (RFC 4870 §3.4.2.1). Without an
// h= (names nil) that is every line below it, in header order. With h=,
// it follows Mail::DKIM, the reference verifier of the DomainKeys era:
// the fields are presented in h= order; a name listed n times takes its
// last n-1 instances one by one, bottom up, and all the remaining ones at
// its first mention ("a verifier must include all occurrences of that
// header", §3.3). Names match case-insensitively by the lenient name of
// [rawheader.Field.Name]; lines without a colon never match a name.
func DKSelectFields(fields []rawheader.Field, sig int, names []string) []int {
	if names == nil {
		out := make([]int, 0, max(0, len(fields)-sig-1))
		for i := sig + 1; i < len(fields); i++ {
			out = append(out, i)
		}
		return out
	}
	heads := make(map[string][]int, len(names))
	counts := make(map[string]int, len(names))
	for _, n := range names {
		n = strings.ToLower(n)
		counts[n]++
		heads[n] = nil
	}
	for i := sig + 1; i < len(fields); i++ {
		if fields[i].Colon < 0 {
			continue
		}
		n := strings.ToLower(fields[i].Name())
		if list, ok := heads[n]; ok {
			heads[n] = append(list, i)
		}
	}
	var rev []int // built bottom up, reversed at the end
	for k := len(names) - 1; k >= 0; k-- {
		n := strings.ToLower(names[k])
		counts[n]--
		list := heads[n]
		if counts[n] > 0 {
			if len(list) > 0 {
				rev = append(rev, list[len(list)-1])
				heads[n] = list[:len(list)-1]
			}
			continue
		}
		for j := len(list) - 1; j >= 0; j-- {
			rev = append(rev, list[j])
		}
		heads[n] = nil
	}
	out := make([]int, len(rev))
	for i, v := range rev {
		out[len(rev)-1-i] = v
	}
	return out
}

// DKDigest returns the SHA-1 digest a DomainKey-Signature signs (RFC 4870
// §3.4): the selected fields (from DKSelectFields) canonicalized one by
// one, then the empty line that ends the header and the body, with the
// empty lines at the end of the body left out. When the body is empty or
// only empty lines, the line ending the header is left out too, as
// Mail::DKIM does. A bare LF ends a line as CRLF does (leakproof reads
// LF-stored archives the same way for DKIM).
//
// simple keeps the bytes; nofws removes every space and tab, header
// folding included, and each CR that does not end a line.
func DKDigest(fields []rawheader.Field, selected []int, body []byte, c DKCanonicalization) []byte {
	h := sha1.New()
	var buf []byte
	for _, i := range selected {
		if i < 0 || i >= len(fields) {
			continue
		}
		buf = AppendDKHeader(buf[:0], fields[i].Raw, c)
		h.Write(buf)
	}
	writeDKBody(h, body, c)
	return h.Sum(nil)
}

// AppendDKHeader appends the DomainKeys canonical form of one raw header
// field (name, colon, value and folding, with its line ending) to dst. It
// always ends in one CRLF.
func AppendDKHeader(dst, field []byte, c DKCanonicalization) []byte {
	if c == DKNoFWS {
		for _, b := range field {
			if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
				dst = append(dst, b)
			}
		}
		return append(dst, '\r', '\n')
	}
	return AppendCanonicalHeader(dst, field, Simple)
}

// writeDKBody writes the body part of the DomainKeys stream to h: the
// line that ends the header, then each body line, holding back runs of
// empty lines until a non-empty line follows (RFC 4870 §3.4.2.1: empty
// lines at the end of the body are ignored).
func writeDKBody(h hash.Hash, body []byte, c DKCanonicalization) {
	pending := 1 // the empty line that ends the header
	var line []byte
	crlf := []byte("\r\n")
	emit := func(content []byte, ended bool) {
		if c == DKNoFWS {
			line = line[:0]
			for _, b := range content {
				// Spaces and tabs go; so does a CR that does not end the
				// line (the line's own CR was cut off already).
				if b == ' ' || b == '\t' || b == '\r' {
					continue
				}
				line = append(line, b)
			}
			content = line
		}
		if len(content) == 0 {
			if ended {
				pending++
			}
			return
		}
		for ; pending > 0; pending-- {
			h.Write(crlf)
		}
		h.Write(content)
		if ended {
			h.Write(crlf)
		}
	}
	for len(body) > 0 {
		nl := bytes.IndexByte(body, '\n')
		if nl < 0 {
			emit(body, false)
			return
		}
		content := body[:nl]
		if len(content) > 0 && content[len(content)-1] == '\r' {
			content = content[:len(content)-1]
		}
		emit(content, true)
		body = body[nl+1:]
	}
}
