package testmail

import (
	"bytes"
	"strings"
)

// This file is the signer's own canonicalization (RFC 6376 section 3.4),
// written independently of the dkim package so that tests comparing the two
// are differential. It favours plainness over speed.

// splitMessage splits a CRLF message at the first empty line. A message
// without an empty line is all header (the body is empty); a message that
// starts with CRLF has an empty header.
func splitMessage(msg []byte) (header, body []byte) {
	if bytes.HasPrefix(msg, []byte("\r\n")) {
		return nil, msg[2:]
	}
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		return msg[:i+2], msg[i+4:]
	}
	return msg, nil
}

// Split splits a CRLF message into its header (each field with its CRLF) and
// its body (after the empty line). A message without an empty line is all
// header.
func Split(msg []byte) (header, body []byte) {
	return splitMessage(msg)
}

// headerFields splits a header block into fields, each with its trailing
// CRLF; continuation lines (starting with SP or HTAB) stay with their field.
func headerFields(header []byte) []string {
	var fields []string
	s := string(header)
	for s != "" {
		end := 0
		for {
			i := strings.Index(s[end:], "\r\n")
			if i < 0 {
				end = len(s)
				break
			}
			end += i + 2
			if end >= len(s) || (s[end] != ' ' && s[end] != '\t') {
				break
			}
		}
		fields = append(fields, s[:end])
		s = s[end:]
	}
	return fields
}

// fieldName returns a field's name as written, without trailing whitespace.
func fieldName(field string) string {
	name, _, ok := strings.Cut(field, ":")
	if !ok {
		return ""
	}
	return strings.TrimRight(name, " \t")
}

// pickFields returns, for each name of h= in order, the field it selects:
// instances of a name are used from the bottom of the header up (RFC 6376
// section 5.4.2); a name listed more often than it occurs selects nothing
// the extra times (oversigning).
func pickFields(fields []string, names []string) []string {
	used := make(map[string]int) // lower-case name -> instances used
	var picked []string
	for _, name := range names {
		key := strings.ToLower(strings.TrimSpace(name))
		skip := used[key]
		used[key]++
		for i := len(fields) - 1; i >= 0; i-- {
			if strings.ToLower(fieldName(fields[i])) != key {
				continue
			}
			if skip == 0 {
				picked = append(picked, fields[i])
				break
			}
			skip--
		}
	}
	return picked
}

// canonHeader canonicalizes one field (with its CRLF) per RFC 6376 section
// 3.4.1 (simple: unchanged) or 3.4.2 (relaxed).
func canonHeader(field string, relaxed bool) string {
	if !relaxed {
		return field
	}
	name, value, _ := strings.Cut(field, ":")
	name = strings.ToLower(strings.TrimRight(name, " \t"))
	// Unfold, then reduce every run of WSP to one SP.
	value = strings.ReplaceAll(value, "\r\n", "")
	value = collapseWSP(value)
	value = strings.Trim(value, " ")
	return name + ":" + value + "\r\n"
}

// collapseWSP replaces every run of SP and HTAB with one SP.
func collapseWSP(s string) string {
	var b strings.Builder
	inWSP := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' {
			inWSP = true
			continue
		}
		if inWSP {
			b.WriteByte(' ')
			inWSP = false
		}
		b.WriteByte(c)
	}
	if inWSP {
		b.WriteByte(' ')
	}
	return b.String()
}

// canonBody canonicalizes a body per RFC 6376 section 3.4.3 (simple) or 3.4.4
// (relaxed). The body is split into CRLF lines; a final line without CRLF
// gets one.
func canonBody(body []byte, relaxed bool) []byte {
	var lines []string
	s := string(body)
	for s != "" {
		i := strings.Index(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		s = s[i+2:]
	}
	if relaxed {
		for i, l := range lines {
			lines[i] = strings.TrimRight(collapseWSP(l), " ")
		}
	}
	// Empty lines at the end of the body are ignored.
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		if relaxed {
			return nil
		}
		return []byte("\r\n") // simple: an empty body is one CRLF
	}
	var out bytes.Buffer
	for _, l := range lines {
		out.WriteString(l)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}
