package provenance

// The Received header chain (RFC 5321 §4.4, RFC 5322 §3.6.7).
//
// Each server that handles a message adds a Received field on top, so the
// fields read top (newest) to bottom (oldest), the bottom one being the
// first hop. mailsyntax.ParseReceived reads one field leniently; receivedEvidence
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
//   - A numeric zone is impossible (mailsyntax.ParseDate reports it) beyond
//     -1400/+1400 or when its minutes are not 00, 15, 30 or 45 (every zone in use is a multiple of 15
//     minutes; Kiribati's +1400 is the furthest).
//   - Hops whose zone is missing or given only as an unknown name
//     ("CEST") are not compared: their offset is a guess.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// maxReceivedFields caps the fields receivedEvidence looks at (the bottom ones).
const maxReceivedFields = 100

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
		r   mailsyntax.Received
	}
	var hops []hop // readable, top to bottom
	var unreadable []int
	var ev []Evidence
	for i := first; i < n; i++ {
		r, err := mailsyntax.ParseReceived(values[i])
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
