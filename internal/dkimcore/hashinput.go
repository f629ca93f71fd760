package dkimcore

import (
	"bytes"
	"strings"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// StripSignatureValue returns a copy of a raw signature field
// (DKIM-Signature, ARC-Message-Signature or ARC-Seal: name, colon, tag list,
// line ending) with the value of its b= tag deleted, whitespace around the
// value included (RFC 6376 §3.7: "the value of the b= tag (including all
// surrounding whitespace) deleted"). Only a tag named exactly "b" at the
// top level of the tag list is emptied, never a "b=" inside another tag's
// value (z= copies of header fields contain such text; go-msgauth's
// regular expression strips those too). The line ending is kept. A field
// without b= is returned unchanged (copied).
func StripSignatureValue(field []byte) []byte {
	out := bytes.Clone(field)
	colon := bytes.IndexByte(out, ':')
	if colon < 0 {
		return out
	}
	end := len(out)
	// Keep the final line ending out of the last tag's value.
	if end > colon+1 && out[end-1] == '\n' {
		end--
		if end > colon+1 && out[end-1] == '\r' {
			end--
		}
	}
	pos := colon + 1
	for pos <= end {
		semi := bytes.IndexByte(out[pos:end], ';')
		specEnd := end
		if semi >= 0 {
			specEnd = pos + semi
		}
		spec := out[pos:specEnd]
		if eq := bytes.IndexByte(spec, '='); eq >= 0 && TrimFWS(string(spec[:eq])) == "b" {
			valStart := pos + eq + 1
			return append(out[:valStart], out[specEnd:]...)
		}
		if semi < 0 {
			break
		}
		pos = specEnd + 1
	}
	return out
}

// SelectSignedFields returns, for each name of an h= list (lower-cased or
// not), the index in fields of the instance it signs, or -1 when none is
// left (RFC 6376 §5.4.2): instances are taken bottom up, each at most once,
// and names match case-insensitively by the lenient name of
// [rawheader.Field.Name] ("From :" is From). exclude is the index of the
// signature field being verified, which never signs itself; -1 for none.
// It is also what ARC (RFC 8617 §4.1.2) uses for ARC-Message-Signature.
func SelectSignedFields(fields []rawheader.Field, names []string, exclude int) []int {
	// Group field indices by lower-cased name once, so a long h= list costs
	// O(len(names) + len(fields)), not their product.
	byName := make(map[string][]int, len(names))
	for _, n := range names {
		byName[strings.ToLower(n)] = nil
	}
	for i := range fields {
		if i == exclude {
			continue
		}
		n := strings.ToLower(fields[i].Name())
		if list, ok := byName[n]; ok {
			byName[n] = append(list, i)
		}
	}
	out := make([]int, len(names))
	for k, n := range names {
		n = strings.ToLower(n)
		list := byName[n]
		if len(list) == 0 {
			out[k] = -1
			continue
		}
		out[k] = list[len(list)-1]
		byName[n] = list[:len(list)-1]
	}
	return out
}

// AppendHeaderHashInput appends to dst what a DKIM header hash covers
// (RFC 6376 §3.7): each selected field (indices from SelectSignedFields; -1
// entries add nothing) in canonical form c, then sigField, the raw
// signature field, with its b= value emptied ([StripSignatureValue]) and
// canonicalized, without its final CRLF. ARC-Seal and
// ARC-Message-Signature are hashed the same way (RFC 8617 §5.1.1).
func AppendHeaderHashInput(dst []byte, fields []rawheader.Field, selected []int, sigField []byte, c Canonicalization) []byte {
	for _, i := range selected {
		if i >= 0 && i < len(fields) {
			dst = AppendCanonicalHeader(dst, fields[i].Raw, c)
		}
	}
	dst = AppendCanonicalHeader(dst, StripSignatureValue(sigField), c)
	return dst[:len(dst)-2] // AppendCanonicalHeader always ends in CRLF
}
