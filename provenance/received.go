package provenance

// The Received header chain (RFC 5321 §4.4, RFC 5322 §3.6.7).
//
// Each server that handles a message adds a Received field on top, so the
// fields read top (newest) to bottom (oldest), the bottom one being the
// first hop. parseReceived reads one field leniently; receivedEvidence
// compares the hops with each other and with the Date field and reports
// what an editor should look at, never as alteration: clocks are often
// wrong, and any server on the way can write anything above its own hop.
//
// Thresholds (see receivedEvidence):
//   - receivedOrderTolerance (30 minutes): a hop timestamped earlier than
//     the nearest readable hop below it by more than this is out of order;
//     it absorbs ordinary drift between servers' clocks, not a server set
//     to the wrong zone or day.
//   - dateFarFromFirstHop (24 hours): a Date further than this from the
//     first hop, in either direction, is worth checking (a message may sit
//     in an outbox for a while, rarely for a day).
//   - A numeric zone is impossible beyond -1400/+1400 or when its minutes
//     are not 00, 15, 30 or 45 (every zone in use is a multiple of 15
//     minutes; Kiribati's +1400 is the furthest).
//   - Hops whose zone is missing or given only as an unknown name
//     ("CEST") are not compared: their offset is a guess.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Caps on what the Received parsers read.
const (
	maxReceivedLen    = 16 << 10 // bytes of one Received value
	maxReceivedFields = 100      // fields receivedEvidence looks at (the bottom ones)
)

// Thresholds receivedEvidence applies; see the package comment above.
const (
	receivedOrderTolerance = 30 * time.Minute
	dateFarFromFirstHop    = 24 * time.Hour
)

// Evidence codes receivedEvidence emits (registered in codes.go).
const (
	codeReceivedOutOfOrder  = "received.out_of_order"
	codeReceivedDateFar     = "received.date_far_from_first_hop"
	codeReceivedZone        = "received.impossible_zone"
	codeReceivedUnparseable = "received.unparseable"
)

// Errors parseReceived and parseMailDate return, wrapped.
var (
	errReceivedTooLong = errors.New("provenance: Received field too long")
	errReceivedNoDate  = errors.New("provenance: Received field has no date")
	errBadDate         = errors.New("provenance: unreadable date")
)

// received is one parsed Received field. Clause values are as written
// (the for clause without angle brackets); "" when absent.
type received struct {
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

// parseReceived reads one Received value (without the field name, folded or
// not). The clauses (from, by, via, with, id, for) are read leniently; the
// date after the last ";" outside comments must be readable, else the
// clauses come back with an error wrapping errReceivedNoDate or errBadDate.
func parseReceived(value string) (received, error) {
	var r received
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
	t, z, err := parseMailDate(date)
	if err != nil {
		return r, err
	}
	r.Date, r.HasDate, r.ZoneUnknown, r.ZoneProblem = t, true, z.unknown, z.problem
	return r, nil
}

// readClauses fills the clause fields from "from x (info) by y with z ...".
// A keyword's value is the next word; comments are skipped, except that the
// first one after the from value is kept as FromInfo. Repeated keywords
// keep their first value.
func (r *received) readClauses(s string) {
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

// dateZone says what parseMailDate made of the zone.
type dateZone struct {
	unknown bool   // missing or an unknown name; the time was taken as UTC
	problem string // why a numeric zone cannot exist, "" when it can
}

// namedZones are the zone names RFC 5322 §4.3 defines (obs-zone).
var namedZones = map[string]int{
	"UT": 0, "GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

var monthNames = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

var weekdayNames = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

// parseMailDate reads an RFC 5322 date-time leniently, as real mail writes
// it: with or without the day of the week, comma and seconds; comments
// ("(PDT)"); two- and three-digit years (RFC 5322 §4.3); asctime order
// ("Tue Jun  3 11:05:30 2008"); "03-Jun-2008"; fractional seconds; a
// trailing AM/PM; numeric zones with or without a colon; the RFC's zone
// names. A missing or unknown zone name is taken as UTC and reported in
// dateZone.unknown; a numeric zone that cannot exist is kept (the time is
// computed with it) and reported in dateZone.problem.
func parseMailDate(s string) (time.Time, dateZone, error) {
	var z dateZone
	bad := func(why string) (time.Time, dateZone, error) {
		return time.Time{}, z, fmt.Errorf("%w %.80q: %s", errBadDate, strings.TrimSpace(s), why)
	}
	if len(s) > maxReceivedLen {
		return bad("too long")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '(' {
			if _, end, ok := readComment(s, i); ok {
				i = end - 1
				b.WriteByte(' ')
				continue
			}
			return bad("unclosed comment")
		}
		if s[i] == ',' {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(s[i])
	}
	var tokens []string
	for _, f := range strings.Fields(b.String()) {
		// "03-Jun-2008": a dashed date, not a zone.
		if f[0] != '-' && f[0] != '+' && strings.Count(f, "-") == 2 {
			tokens = append(tokens, strings.Split(f, "-")...)
			continue
		}
		tokens = append(tokens, f)
	}

	day, year, month := -1, -1, time.Month(0)
	hour, minute, sec := -1, 0, 0
	offset, zoneSet := 0, false
	for _, tok := range tokens {
		low := strings.ToLower(tok)
		switch {
		case tok == "":
			continue
		case strings.Contains(tok, ":") && hour < 0 && tok[0] != '+' && tok[0] != '-':
			h, m, sc, ok := parseClock(tok)
			if !ok {
				return bad("bad time of day")
			}
			hour, minute, sec = h, m, sc
		case (low == "am" || low == "pm") && hour >= 0:
			if hour > 12 || hour == 0 {
				return bad("AM/PM with a 24-hour time")
			}
			if low == "pm" && hour != 12 {
				hour += 12
			} else if low == "am" && hour == 12 {
				hour = 0
			}
		case tok[0] == '+' || tok[0] == '-':
			if zoneSet {
				return bad("two zones")
			}
			o, problem, ok := parseNumericZone(tok)
			if !ok {
				return bad("bad zone " + tok)
			}
			offset, zoneSet, z.problem = o, true, problem
		case isDigits(tok):
			n, _ := strconv.Atoi(tok)
			switch {
			case len(tok) == 4 && year < 0:
				year = n
			case len(tok) <= 2 && day < 0:
				day = n
			case len(tok) <= 3 && year < 0 && day >= 0:
				// RFC 5322 §4.3: 2-digit years below 50 are 20xx, others 19xx;
				// 3-digit years add 1900.
				switch {
				case len(tok) == 3:
					year = 1900 + n
				case n < 50:
					year = 2000 + n
				default:
					year = 1900 + n
				}
			default:
				return bad("unexpected number " + tok)
			}
		case len(low) >= 3 && monthNames[low[:3]] != 0 && month == 0 && isLetters(low):
			month = monthNames[low[:3]]
		case len(low) >= 3 && weekdayNames[low[:3]] && isLetters(low):
			// The day of the week adds nothing; a wrong one is common.
		case isLetters(tok):
			if zoneSet {
				continue // "-0400 EDT": the number decides
			}
			if h, ok := namedZones[strings.ToUpper(tok)]; ok {
				offset, zoneSet = h*3600, true
				continue
			}
			if strings.HasPrefix(strings.ToUpper(tok), "GMT") || strings.HasPrefix(strings.ToUpper(tok), "UTC") {
				return bad("bad zone " + tok)
			}
			if len(tok) > 5 {
				return bad("unexpected word " + tok)
			}
			z.unknown, zoneSet = true, true // an unknown zone name: RFC 5322 says treat as -0000
		default:
			if u := strings.ToUpper(tok); strings.HasPrefix(u, "GMT+") || strings.HasPrefix(u, "GMT-") ||
				strings.HasPrefix(u, "UTC+") || strings.HasPrefix(u, "UTC-") {
				if zoneSet {
					return bad("two zones")
				}
				o, problem, ok := parseNumericZone(tok[3:])
				if !ok {
					return bad("bad zone " + tok)
				}
				offset, zoneSet, z.problem = o, true, problem
				continue
			}
			return bad("unexpected text " + tok)
		}
	}
	switch {
	case day < 1 || day > 31:
		return bad("no day of the month")
	case month == 0:
		return bad("no month")
	case year < 1900 || year > 9999:
		return bad("no year")
	case hour < 0:
		return bad("no time of day")
	}
	if !zoneSet {
		z.unknown = true
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	t := time.Date(year, month, day, hour, minute, sec, 0, loc)
	if t.Day() != day {
		return bad("no such day")
	}
	return t, z, nil
}

// parseClock reads "hh:mm", "hh:mm:ss" or "hh:mm:ss.fff" (the fraction is dropped).
func parseClock(s string) (h, m, sec int, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		parts[2], _, _ = strings.Cut(parts[2], ".")
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 2 || !isDigits(p) {
			return 0, 0, 0, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	// A leap second (60) is allowed and rolls over, as time.Date does.
	if n[0] > 23 || n[1] > 59 || n[2] > 60 {
		return 0, 0, 0, false
	}
	return n[0], n[1], n[2], true
}

// parseNumericZone reads "+hhmm" or "+hh:mm" and returns the offset in
// seconds, and a reason when no zone has that offset.
func parseNumericZone(s string) (offset int, problem string, ok bool) {
	if len(s) < 2 {
		return 0, "", false
	}
	sign, digits := s[0], strings.Replace(s[1:], ":", "", 1)
	if (sign != '+' && sign != '-') || len(digits) != 4 || !isDigits(digits) {
		return 0, "", false
	}
	h, _ := strconv.Atoi(digits[:2])
	m, _ := strconv.Atoi(digits[2:])
	offset = h*3600 + m*60
	if sign == '-' {
		offset = -offset
	}
	switch {
	case m > 59:
		problem = fmt.Sprintf("the zone %s has %d minutes past the hour", s, m)
	case offset > 14*3600 || offset < -14*3600:
		problem = fmt.Sprintf("the zone %s is more than 14 hours from UTC", s)
	case m%15 != 0:
		problem = fmt.Sprintf("the zone %s is not a whole quarter hour from UTC", s)
	}
	return offset, problem, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// receivedEvidence checks the Received chain, given top to bottom, and the
// message's Date (hasDate false when it is missing or unreadable). It
// returns, in this order: received.impossible_zone (caution) for each hop
// whose numeric zone cannot exist; received.out_of_order (caution) for each
// hop timestamped more than receivedOrderTolerance earlier than the nearest
// readable hop below it; received.date_far_from_first_hop (caution) when
// Date is more than dateFarFromFirstHop from the bottom readable hop; and
// one received.unparseable (info) naming the fields without a readable
// date. Only the bottom maxReceivedFields fields are looked at. Hops with a
// guessed zone are not compared.
func receivedEvidence(values []string, date time.Time, hasDate bool) []Evidence {
	n := len(values)
	first := 0
	if n > maxReceivedFields {
		first = n - maxReceivedFields
	}
	type hop struct {
		pos int // 1-based, counting from the top
		r   received
	}
	var hops []hop // readable, top to bottom
	var unreadable []int
	var ev []Evidence
	for i := first; i < n; i++ {
		r, err := parseReceived(values[i])
		if err != nil || !r.HasDate {
			unreadable = append(unreadable, i+1)
			continue
		}
		if r.ZoneProblem != "" {
			ev = append(ev, Evidence{Code: codeReceivedZone, Severity: SeverityCaution,
				Message: fmt.Sprintf("The %s Received field (counting from the top) gives the time %s, but %s, so no real clock wrote it.",
					ordinal(i+1), fmtTime(r.Date), r.ZoneProblem)})
		}
		if !r.ZoneUnknown {
			hops = append(hops, hop{i + 1, r})
		}
	}
	for k := 0; k+1 < len(hops); k++ {
		upper, lower := hops[k], hops[k+1]
		if gap := lower.r.Date.Sub(upper.r.Date); gap > receivedOrderTolerance {
			ev = append(ev, Evidence{Code: codeReceivedOutOfOrder, Severity: SeverityCaution,
				Message: fmt.Sprintf("The %s Received field (counting from the top) is timestamped %s, %s before the hop below it (%s), although it was added later.",
					ordinal(upper.pos), fmtTime(upper.r.Date), fmtDuration(gap), fmtTime(lower.r.Date))})
		}
	}
	if hasDate && len(hops) > 0 {
		fh := hops[len(hops)-1]
		d := date.Sub(fh.r.Date)
		if d > dateFarFromFirstHop || d < -dateFarFromFirstHop {
			d, dir := apart(d, "later", "earlier")
			ev = append(ev, Evidence{Code: codeReceivedDateFar, Severity: SeverityCaution,
				Message: fmt.Sprintf("The Date field (%s) is %s %s than the time the first server received the message (%s).",
					fmtTime(date), fmtDuration(d), dir, fmtTime(fh.r.Date))})
		}
	}
	if len(unreadable) > 0 {
		var which string
		if len(unreadable) == 1 {
			which = fmt.Sprintf("The %s of %d Received fields (counting from the top) has", ordinal(unreadable[0]), n)
		} else {
			names := make([]string, 0, len(unreadable))
			for _, u := range unreadable {
				names = append(names, ordinal(u))
			}
			which = fmt.Sprintf("The %s of %d Received fields (counting from the top) have", joinAnd(names), n)
		}
		ev = append(ev, Evidence{Code: codeReceivedUnparseable, Severity: SeverityInfo,
			Message: which + " no readable date, so they were left out of the time checks."})
	}
	return ev
}

// fmtTime writes t as "2008-06-03 11:05:30 -0400".
func fmtTime(t time.Time) string { return t.Format("2006-01-02 15:04:05 -0700") }

// fmtDuration writes d roughly, in the largest sensible unit.
func fmtDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	default:
		return plural(int64(d/time.Minute), "minute")
	}
}

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st, ...
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// joinAnd writes "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// apart returns the size of the gap d and the word for its direction:
// after when d is positive, before when it is negative.
func apart(d time.Duration, after, before string) (time.Duration, string) {
	if d < 0 {
		return -d, before
	}
	return d, after
}
