package report

import (
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// appendJSONRecord appends a's JSON Lines record, newline included, to dst:
// byte for byte what encoding/json writes for newRecord(a) with HTML
// escaping off, without reflection. The tests hold the two to each other.
func appendJSONRecord(dst []byte, a *provenance.Assessment) []byte {
	verdict, confidence, errText := a.Verdict.String(), a.Confidence.String(), ""
	if a.Err != nil {
		// docs/json.md: a record with an error has no verdict.
		verdict, confidence, errText = "", "", a.Err.Error()
	}
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, a.ID)
	dst = append(dst, `,"file":`...)
	dst = appendJSONString(dst, a.File)
	dst = append(dst, `,"entry":`...)
	dst = strconv.AppendInt(dst, int64(a.Entry), 10)
	dst = append(dst, `,"index":`...)
	dst = strconv.AppendInt(dst, int64(a.Index), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, a.Offset, 10)
	dst = append(dst, `,"size":`...)
	dst = strconv.AppendInt(dst, a.Size, 10)
	dst = append(dst, `,"sha256":`...)
	dst = appendJSONString(dst, a.SHA256)
	dst = append(dst, `,"format":`...)
	dst = appendJSONString(dst, a.Format.String())
	dst = append(dst, `,"message_id":`...)
	dst = appendJSONString(dst, a.MessageID)
	dst = append(dst, `,"from":`...)
	dst = appendJSONString(dst, a.From)
	dst = append(dst, `,"from_address":`...)
	dst = appendJSONString(dst, a.FromAddress)
	dst = append(dst, `,"to":`...)
	dst = appendJSONString(dst, a.To)
	dst = append(dst, `,"cc":`...)
	dst = appendJSONString(dst, a.Cc)
	dst = append(dst, `,"subject":`...)
	dst = appendJSONString(dst, a.Subject)
	dst = append(dst, `,"date":`...)
	dst = appendJSONTime(dst, a.Date, false)
	dst = append(dst, `,"in_reply_to":`...)
	dst = appendJSONString(dst, a.InReplyTo)
	dst = append(dst, `,"references":`...)
	dst = appendJSONStrings(dst, a.References)
	dst = append(dst, `,"verdict":`...)
	dst = appendJSONString(dst, verdict)
	dst = append(dst, `,"confidence":`...)
	dst = appendJSONString(dst, confidence)
	dst = append(dst, `,"summary":`...)
	dst = appendJSONString(dst, a.Summary)
	dst = append(dst, `,"signatures":[`...)
	for i := range a.Signatures {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONSignature(dst, &a.Signatures[i])
	}
	dst = append(dst, `],"arc":`...)
	dst = appendJSONARC(dst, &a.ARC)
	dst = append(dst, `,"coverage":`...)
	dst = appendJSONCoverage(dst, &a.Coverage)
	dst = append(dst, `,"evidence":[`...)
	for i, e := range a.Evidence {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = appendJSONString(dst, e.Code)
		dst = append(dst, `,"severity":`...)
		dst = appendJSONString(dst, e.Severity.String())
		dst = append(dst, `,"message":`...)
		dst = appendJSONString(dst, e.Message)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"error":`...)
	dst = appendJSONString(dst, errText)
	return append(dst, "}\n"...)
}

func appendJSONSignature(dst []byte, s *provenance.SignatureResult) []byte {
	reason := ""
	if s.Result != dkim.ResultPass && s.Err != nil {
		reason = s.Err.Error()
	}
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, s.Type.String())
	dst = append(dst, `,"domain":`...)
	dst = appendJSONString(dst, s.Domain)
	dst = append(dst, `,"selector":`...)
	dst = appendJSONString(dst, s.Selector)
	dst = append(dst, `,"algorithm":`...)
	dst = appendJSONString(dst, s.Algorithm)
	dst = append(dst, `,"canonicalization":`...)
	dst = appendJSONString(dst, s.Canonicalization)
	dst = append(dst, `,"header_signature":`...)
	dst = appendJSONString(dst, s.HeaderSignature.String())
	dst = append(dst, `,"body_hash":`...)
	dst = appendJSONString(dst, s.BodyHash.String())
	dst = append(dst, `,"result":`...)
	dst = appendJSONString(dst, s.Result.String())
	dst = append(dst, `,"reason":`...)
	dst = appendJSONString(dst, reason)
	dst = append(dst, `,"key_bits":`...)
	dst = strconv.AppendInt(dst, int64(s.KeyBits), 10)
	dst = append(dst, `,"key_source":`...)
	dst = appendJSONString(dst, s.KeySource)
	dst = append(dst, `,"aligned":`...)
	dst = strconv.AppendBool(dst, s.Aligned)
	dst = append(dst, `,"signed_headers":`...)
	dst = appendJSONStrings(dst, s.SignedHeaders)
	dst = append(dst, `,"body_length":`...)
	dst = strconv.AppendInt(dst, s.BodyLength, 10)
	dst = append(dst, `,"unsigned_body_bytes":`...)
	dst = strconv.AppendInt(dst, s.UnsignedBodyBytes, 10)
	dst = append(dst, `,"timestamp":`...)
	dst = appendJSONTime(dst, s.Timestamp, true)
	dst = append(dst, `,"expires":`...)
	dst = appendJSONTime(dst, s.Expires, true)
	return append(dst, '}')
}

func appendJSONARC(dst []byte, a *provenance.ARCResult) []byte {
	dst = append(dst, `{"chain":`...)
	dst = appendJSONString(dst, a.Chain.String())
	dst = append(dst, `,"failed_instance":`...)
	dst = strconv.AppendInt(dst, int64(a.FailedInstance), 10)
	dst = append(dst, `,"instances":[`...)
	for i, in := range a.Instances {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"instance":`...)
		dst = strconv.AppendInt(dst, int64(in.Instance), 10)
		dst = append(dst, `,"sealer":`...)
		dst = appendJSONString(dst, in.Sealer)
		dst = append(dst, `,"selector":`...)
		dst = appendJSONString(dst, in.Selector)
		dst = append(dst, `,"cv":`...)
		dst = appendJSONString(dst, in.CV)
		dst = append(dst, `,"seal":`...)
		dst = appendJSONString(dst, in.Seal.String())
		dst = append(dst, `,"message_signature":`...)
		dst = appendJSONString(dst, in.MessageSignature.String())
		dst = append(dst, `,"authentication_results":`...)
		dst = appendJSONString(dst, in.AuthenticationResults)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// fieldKeys are the keys of provenance.DisplayedFields in the order
// encoding/json writes a map's keys: sorted, each once.
var fieldKeys = sync.OnceValue(func() []string {
	keys := make([]string, 0, len(provenance.DisplayedFields))
	for _, f := range provenance.DisplayedFields {
		keys = append(keys, f.Key)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
})

func appendJSONCoverage(dst []byte, c *provenance.Coverage) []byte {
	// Every displayed field is always present, "" when no signature decided.
	dst = append(dst, `{"fields":{`...)
	for i, k := range fieldKeys() {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, c.Fields[k].String())
	}
	dst = append(dst, `},"body":`...)
	dst = appendJSONString(dst, c.Body.String())
	dst = append(dst, `,"attachments":[`...)
	for i, at := range c.Attachments {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, at.Name)
		dst = append(dst, `,"sha256":`...)
		dst = appendJSONString(dst, at.SHA256)
		dst = append(dst, `,"covered":`...)
		dst = strconv.AppendBool(dst, at.Covered)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// appendJSONStrings appends ss as a JSON array, [] when empty or nil.
func appendJSONStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendJSONTime appends t as an RFC 3339 string, in UTC when utc is set
// (see rfc3339UTC), or "" for the zero time.
func appendJSONTime(dst []byte, t time.Time, utc bool) []byte {
	if t.IsZero() {
		return append(dst, `""`...)
	}
	if utc {
		t = t.UTC()
	}
	// A year past 9999 or before 0 makes text that is no longer RFC 3339
	// but still plain ASCII; quote it as any string.
	var buf [64]byte
	return appendJSONString(dst, string(t.AppendFormat(buf[:0], time.RFC3339)))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as encoding/json
// does with HTML escaping off: ", \ and control characters escaped (\b,
// \f, \n, \r, \t by name, the rest as \u00XX), invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped, everything else as it is.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 end a line in JavaScript; encoding/json
		// escapes them always, and so do we.
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
