package mailsyntax

import (
	"errors"
	"strings"
	"time"
)

// maxReceivedLen caps the Received value ParseReceived reads.
const maxReceivedLen = 16 << 10

// Errors ParseReceived returns.
var (
	errReceivedTooLong = errors.New("mailsyntax: Received field too long")
	errReceivedNoDate  = errors.New("mailsyntax: Received field has no date")
)

// Received is one parsed Received field. Clause values are as written
// (the for clause without angle brackets); "" when absent.
type Received struct {
	From     string // the from clause's domain or address literal
	FromInfo string // the comment after it (TCP-info: "mail.example.com [192.0.2.1]")
	By       string
	Via      string
	With     string
	ID       string
	For      string

	Date        time.Time // the date after the last ";", with its own offset
	HasDate     bool      // Date was read
	ZoneUnknown bool      // the zone was missing or an unknown name: Date's offset is a guess (UTC)
	ZoneProblem string    // why the numeric zone cannot exist, "" when it can
}

// ParseReceived reads one Received value (RFC 5321 §4.4; without the field
// name, folded or not). The clauses (from, by, via, with, id, for) are read
// leniently; the date after the last ";" outside comments must be readable
// by [ParseDate], else the clauses come back with an error and HasDate
// false. Values longer than 16 KiB are refused.
func ParseReceived(value string) (Received, error) {
	var r Received
	if len(value) > maxReceivedLen {
		return r, errReceivedTooLong
	}
	semi := -1
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '(':
			if _, end, ok := readComment(value, i); ok {
				i = end - 1
			}
		case ';':
			semi = i
		}
	}
	clauses, date := value, ""
	if semi >= 0 {
		clauses, date = value[:semi], value[semi+1:]
	}
	r.readClauses(clauses)
	if semi < 0 || strings.TrimSpace(date) == "" {
		return r, errReceivedNoDate
	}
	t, z, err := ParseDate(date)
	if err != nil {
		return r, err
	}
	r.Date, r.HasDate, r.ZoneUnknown, r.ZoneProblem = t, true, z.Unknown, z.Problem
	return r, nil
}

// readClauses fills the clause fields from "from x (info) by y with z ...".
// A keyword's value is the next word; comments are skipped, except that the
// first one after the from value is kept as FromInfo. Repeated keywords
// keep their first value.
func (r *Received) readClauses(s string) {
	var words []string
	fromInfoAt := -1 // index in words after which the from comment came
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			text, end, ok := readComment(s, i)
			if !ok {
				return // an unclosed comment swallows the rest
			}
			if r.FromInfo == "" && fromInfoAt < 0 && len(words) >= 2 && strings.EqualFold(words[len(words)-2], "from") {
				r.FromInfo = strings.Join(strings.Fields(text), " ")
				fromInfoAt = len(words)
			}
			i = end
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\r\n(", rune(s[i])) {
				i++
			}
			words = append(words, s[start:i])
		}
	}
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for i := 0; i+1 < len(words); i++ {
		v := words[i+1]
		switch strings.ToLower(words[i]) {
		case "from":
			set(&r.From, v)
		case "by":
			set(&r.By, v)
		case "via":
			set(&r.Via, v)
		case "with":
			set(&r.With, v)
		case "id":
			set(&r.ID, v)
		case "for":
			set(&r.For, strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">"))
		default:
			continue
		}
		i++
	}
}
