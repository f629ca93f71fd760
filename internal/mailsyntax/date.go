package mailsyntax

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDateLen caps the date value ParseDate reads.
const maxDateLen = 16 << 10

// errBadDate is the error ParseDate returns, wrapped with the date and why.
var errBadDate = errors.New("mailsyntax: unreadable date")

// Zone says what [ParseDate] made of a date's zone. The zero value is a
// zone that was given and can exist.
type Zone struct {
	Unknown bool   // missing or an unknown name; the time was taken as UTC
	Problem string // why a numeric zone cannot exist ("the zone +2500 is more than 14 hours from UTC"), "" when it can
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

// ParseDate reads an RFC 5322 date-time (§3.3) leniently, as real mail
// writes it: with or without the day of the week, comma and seconds;
// comments ("(PDT)"); two- and three-digit years (RFC 5322 §4.3); asctime
// order ("Tue Jun  3 11:05:30 2008"); "03-Jun-2008"; fractional seconds; a
// trailing AM/PM; numeric zones with or without a colon, or after "GMT" or
// "UTC"; the RFC's zone names. A missing or unknown zone name is taken as
// UTC and reported in [Zone.Unknown]; a numeric zone that cannot exist is
// kept (the time is computed with it) and reported in [Zone.Problem]. The
// returned time carries the date's own offset. Dates longer than 16 KiB,
// and anything else it cannot read, give an error saying why, with a zero
// time and Zone.
func ParseDate(s string) (time.Time, Zone, error) {
	var z Zone
	bad := func(why string) (time.Time, Zone, error) {
		return time.Time{}, Zone{}, fmt.Errorf("%w %.80q: %s", errBadDate, strings.TrimSpace(s), why)
	}
	if len(s) > maxDateLen {
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
			offset, zoneSet, z.Problem = o, true, problem
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
			z.Unknown, zoneSet = true, true // an unknown zone name: RFC 5322 says treat as -0000
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
				offset, zoneSet, z.Problem = o, true, problem
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
		z.Unknown = true
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
