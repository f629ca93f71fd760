package mbox

import "bytes"

// Two tests define a separator line, for two questions, and this file holds
// both:
//
//   - [IsSeparator], strict: may the Reader end a message here? A body line
//     such as "From the Jan 2018 meeting at 10:30" after a blank line must
//     not split a message where no real tool would, so the line must carry
//     an envelope sender and a plausible date.
//   - [LeadingSeparatorLen], loose: is the first line of a single message's
//     bytes a separator left there by the tool that cut it out of an mbox?
//     Such a line is no header field whatever follows "From " (a field name
//     holds no space, and "From :" is a From field), so every such line
//     counts, dated or not ("From MAILER-DAEMON", "From -").

// MaxSeparatorLength is the longest line, line ending included, that
// [IsSeparator] accepts. Real separator lines are well under 200 bytes.
const MaxSeparatorLength = 1024

var fromSpace = []byte("From ")

// IsSeparator reports whether line (with or without its "\n" or "\r\n") is a
// plausible mbox separator line (RFC 4155): "From ", an envelope sender, then
// an envelope date. It does not know what precedes the line; the Reader also
// requires a blank line or the start of the file before a separator.
// [LeadingSeparatorLen] is the looser test for a line at the top of a single
// message.
//
// The date is read leniently, because real writers differ: every word after
// the sender must be a weekday, a month, a day of the month, a time (hh:mm or
// hh:mm:ss), a year (four digits, or two after the time as old UUCP hosts
// wrote it) or a time zone, in any order, and a month, a day, a time and a
// year must all be there. A zone is numeric (+0000, +01:00), a name (UTC,
// CET, DST, Java's ChST), a name in parentheses, or an offset from GMT or
// UTC as Java's Date.toString writes it for a zone without a name
// (GMT+01:00, GMT-5). A UUCP "remote from host" tail ends the date, and a
// sender that Mailman's archives obscure as "user at example.com" counts as
// one word. Accepted, for example:
//
//	From MAILER-DAEMON Fri Jul  8 12:08:34 2011                 (Python's mailbox, asctime)
//	From - Mon Jan 01 00:00:00 2018                             (Thunderbird)
//	From 1234567890123456789@xxx Mon Jan 01 00:00:00 +0000 2018 (Google Takeout)
//	From user@example.com Sat, 1 Jan 2018 00:00:00 +0000
//	From user@example.com Mon Jan 01 00:00:00 GMT+01:00 2018    (Java)
//	From user at example.com  Mon Jan  1 00:00:00 2018          (Mailman's archives)
//	From user Mon Jan  1 00:00 96 remote from host              (UUCP)
//
// but not a body line such as "From the Jan 2018 meeting at 10:30".
func IsSeparator(line []byte) bool {
	if len(line) > MaxSeparatorLength || !bytes.HasPrefix(line, fromSpace) {
		return false
	}
	line = trimEOL(line)
	for _, c := range line {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	rest := line[len(fromSpace):]
	sender, rest := nextWord(rest)
	if len(sender) == 0 {
		return false
	}
	// Mailman (pipermail) writes the envelope sender as "user at host".
	if at, r := nextWord(rest); string(at) == "at" {
		host, r := nextWord(r)
		if len(host) == 0 {
			return false
		}
		rest = r
	}
	var month, day, clock, year bool
	for {
		var w []byte
		w, rest = nextWord(rest)
		if len(w) == 0 {
			break
		}
		if string(w) == "remote" {
			break
		}
		w = bytes.TrimSuffix(w, []byte(","))
		switch {
		case isMonth(w):
			month = true
		case isWeekday(w):
		case isDigits(w) && len(w) == 2 && day && clock && !year:
			year = true // asctime with a two-digit year, after the time
		case isDigits(w) && len(w) <= 2:
			day = true
		case isDigits(w) && len(w) == 4:
			year = true
		case isClock(w):
			clock = true
		case isZone(w):
		case len(w) >= 3 && len(w) <= 7 && w[0] == '(' && w[len(w)-1] == ')' && isZone(w[1:len(w)-1]):
		default:
			return false
		}
	}
	return month && day && clock && year
}

// LeadingSeparatorLen returns the length, line ending included, of the
// separator line at the start of msg, the stored bytes of one message (an
// .eml file, say), or 0 when msg does not start with one. Such a line is
// "From " followed, after any blanks, by anything but a colon ("From : x"
// is a From field with a space before its colon), up to a "\n"; a "\r"
// before the "\n" counts as something. A line without a line ending, the
// whole of msg, is not one.
//
// The test is looser than [IsSeparator]: see the top of this file.
func LeadingSeparatorLen(msg []byte) int {
	if !bytes.HasPrefix(msg, fromSpace) {
		return 0
	}
	i := bytes.IndexByte(msg, '\n')
	if i < 0 {
		return 0
	}
	after := bytes.TrimLeft(msg[len(fromSpace):i], " \t")
	if len(after) == 0 || after[0] == ':' {
		return 0
	}
	return i + 1
}

// trimEOL removes one trailing "\n", "\r\n", or "\r\r\n" (a CRLF file
// copied in text mode, a benign artifact whose messages a verifier can
// still read).
func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// nextWord returns the next run of non-blank bytes and what follows it.
func nextWord(b []byte) (word, rest []byte) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	j := i
	for j < len(b) && b[j] != ' ' && b[j] != '\t' {
		j++
	}
	return b[i:j], b[j:]
}

var (
	months   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

func isMonth(w []byte) bool   { return len(w) == 3 && inList(w, months) }
func isWeekday(w []byte) bool { return len(w) == 3 && inList(w, weekdays) }

func inList(w []byte, list []string) bool {
	for _, s := range list {
		if bytes.EqualFold(w, []byte(s)) {
			return true
		}
	}
	return false
}

func isDigits(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isClock matches h:mm, hh:mm and hh:mm:ss.
func isClock(w []byte) bool {
	n, fields := 0, 1
	for i, c := range w {
		switch {
		case c >= '0' && c <= '9':
			n++
			if n > 2 {
				return false
			}
		case c == ':' && i > 0 && (fields == 1 || n == 2) && fields < 3:
			fields++
			n = 0
		default:
			return false
		}
	}
	return fields >= 2 && n == 2
}

// isZone matches a numeric offset (+hhmm, -hh:mm), an abbreviation that
// starts with an upper-case letter (UTC, CET, ChST), and an offset from GMT
// or UTC (GMT+01:00, UTC-5), as Java writes a zone without a name.
func isZone(w []byte) bool {
	if len(w) > 0 && (w[0] == '+' || w[0] == '-') {
		return isOffset(w[1:])
	}
	for _, p := range [][]byte{[]byte("GMT"), []byte("UTC")} {
		if len(w) > len(p)+1 && bytes.HasPrefix(w, p) && (w[len(p)] == '+' || w[len(p)] == '-') {
			return isOffset(w[len(p)+1:]) || isDigits(w[len(p)+1:]) && len(w) <= len(p)+3
		}
	}
	if len(w) < 1 || len(w) > 5 || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	for _, c := range w[1:] {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// isOffset matches hhmm and hh:mm.
func isOffset(w []byte) bool {
	switch {
	case len(w) == 4:
		return isDigits(w)
	case len(w) == 5 && w[2] == ':':
		return isDigits(w[:2]) && isDigits(w[3:])
	}
	return false
}
