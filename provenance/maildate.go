package provenance

// The Date field, read as net/mail reads it, without its cost. mail.ParseDate
// tries up to 48 layouts with time.Parse, and each layout that fails
// allocates an error: a date with the day of the week, the form almost all
// mail writes, fails 24 of them first. parseMailDate reads that form by hand
// and hands every other date to mail.ParseDate, so the time, its zone and
// which dates are refused stay those of net/mail.

import (
	"net/mail"
	"strings"
	"time"
)

// parseMailDate returns what mail.ParseDate returns for s.
func parseMailDate(s string) (time.Time, error) {
	if t, ok := parseCommonDate(s); ok {
		return t, nil
	}
	return mail.ParseDate(s)
}

// parseCommonDate reads the common RFC 5322 date, "Tue, 1 Mar 2016
// 10:00:00 +0000" (the day of the week optional; one- or two-digit day and
// hour; a four-digit year; seconds; a numeric zone), optionally followed
// by white space and comments, and reports whether s had that form. When
// it reports true, the time is the one mail.ParseDate returns: s has the
// form of the first of net/mail's layouts that it matches ("2 Jan 2006
// 15:04:05 -0700", or "Mon, 2 Jan 2006 15:04:05 -0700", which the layouts
// without a day of the week cannot match), and each part is checked as
// time.Parse checks it. Anything else, even what mail.ParseDate would
// accept, reports false.
func parseCommonDate(s string) (time.Time, bool) {
	if strings.IndexByte(s, '\r') >= 0 {
		return time.Time{}, false // net/mail removes CRLF first
	}
	// mail.ParseDate skips leading spaces and tabs; time.Parse's layouts
	// take a run of spaces wherever they have one.
	s = strings.TrimLeft(s, " \t")
	if len(s) > 0 && isLetter(s[0]) {
		if len(s) < 4 || lookupName(s[:3], shortDays) < 0 || s[3] != ',' {
			return time.Time{}, false
		}
		if s = s[4:]; !strings.HasPrefix(s, " ") {
			return time.Time{}, false
		}
		s = strings.TrimLeft(s, " ")
	}
	day, s, ok := readNumber(s, 1, 2)
	if !ok || !strings.HasPrefix(s, " ") {
		return time.Time{}, false
	}
	s = strings.TrimLeft(s, " ")
	if len(s) < 3 {
		return time.Time{}, false
	}
	month := lookupName(s[:3], shortMonths) + 1
	if month == 0 || !strings.HasPrefix(s[3:], " ") {
		return time.Time{}, false
	}
	s = strings.TrimLeft(s[3:], " ")
	year, s, ok := readNumber(s, 4, 4)
	if !ok || !strings.HasPrefix(s, " ") {
		return time.Time{}, false
	}
	s = strings.TrimLeft(s, " ")
	hour, s, ok := readNumber(s, 1, 2)
	if !ok || !strings.HasPrefix(s, ":") {
		return time.Time{}, false
	}
	minute, s, ok := readNumber(s[1:], 2, 2)
	if !ok || !strings.HasPrefix(s, ":") {
		return time.Time{}, false
	}
	sec, s, ok := readNumber(s[1:], 2, 2)
	if !ok || !strings.HasPrefix(s, " ") {
		// A fraction of a second is read by time.Parse, not here.
		return time.Time{}, false
	}
	s = strings.TrimLeft(s, " ")
	if len(s) < 5 || s[0] != '+' && s[0] != '-' {
		return time.Time{}, false
	}
	zh, _, ok1 := readNumber(s[1:3], 2, 2)
	zm, _, ok2 := readNumber(s[3:5], 2, 2)
	if !ok1 || !ok2 || !cfwsOnly(s[5:]) {
		return time.Time{}, false
	}
	if day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 || zh > 23 || zm > 59 {
		return time.Time{}, false // time.Parse's checks, or left to it
	}
	offset := (zh*60 + zm) * 60
	if s[0] == '-' {
		offset = -offset
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Add(-time.Duration(offset) * time.Second)
	// time.Parse gives the local zone when it has that offset at that
	// time, and an unnamed fixed zone otherwise.
	if _, off := t.In(time.Local).Zone(); off == offset {
		return t.In(time.Local), true
	}
	return t.In(time.FixedZone("", offset)), true
}

var (
	shortDays   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	shortMonths = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// lookupName returns the index in names of the three letters s, compared
// as time.Parse compares them (ASCII letters in either case), or -1.
func lookupName(s string, names []string) int {
	for i, name := range names {
		if matchFold(s, name) {
			return i
		}
	}
	return -1
}

// matchFold is time.Parse's comparison of a name: equal bytes, or the
// same ASCII letter in another case.
func matchFold(s, name string) bool {
	if len(s) != len(name) {
		return false
	}
	for i := range len(s) {
		if c, n := s[i]|0x20, name[i]|0x20; s[i] != name[i] && (c != n || c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// readNumber reads the decimal number of at least lo and at most hi
// digits at the start of s, which must not be followed by another digit,
// and returns it and the rest of s.
func readNumber(s string, lo, hi int) (int, string, bool) {
	n, i := 0, 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if i == hi {
			return 0, s, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if i < lo {
		return 0, s, false
	}
	return n, s[i:], true
}

// cfwsOnly reports whether mail.ParseDate accepts s after the zone: it
// skips spaces, tabs and comments, refuses a comment left open, and
// ignores whatever else follows.
func cfwsOnly(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, "(") {
			return true
		}
		s = s[1:]
		depth := 1
		for len(s) > 0 && depth > 0 {
			switch {
			case s[0] == '\\' && len(s) > 1:
				s = s[1:] // the escaped byte is taken as it is
			case s[0] == '(':
				depth++
			case s[0] == ')':
				depth--
			}
			s = s[1:]
		}
		if depth > 0 {
			return false
		}
	}
}

// daysIn returns the number of days of month in year.
func daysIn(month time.Month, year int) int {
	if month == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(month-1)%7%2
}
