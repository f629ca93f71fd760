package provenance

// Key dating: a key archive says when a key was seen published
// (first_seen, last_seen). A signature made, by its own t= or by the
// message's Date, outside that range was verified with a key the archive
// did not see in use then: the key may have been published longer than
// the archive watched it, or a date is wrong, or the key was used again
// after it was retired. This is caution, never a failure: the signature
// keeps its result, and records are not filtered by time (a selector's
// history is rarely complete).

import (
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
)

// keySeenGrace is how far a date may lie outside a record's seen range
// before it counts: key archives record the day a key was seen, not the
// hour, and a Date or t= carries the sender's clock.
const keySeenGrace = 24 * time.Hour

// keyDatingEvidence reports, for each signature whose key verified its
// header signature, a t= or a Date (date, when hasDate) outside the
// first_seen/last_seen of the record that verified it
// (dkim.key_outside_seen_dates).
func keyDatingEvidence(sigs []SignatureResult, date time.Time, hasDate bool) []Evidence {
	var ev []Evidence
	for i := range sigs {
		sig := &sigs[i]
		rec := sig.Key
		if rec == nil || sig.HeaderSignature != dkim.HeaderValid || rec.FirstSeen.IsZero() && rec.LastSeen.IsZero() {
			continue
		}
		var outside []string
		if t := sig.Timestamp; !t.IsZero() && outsideSeen(t, rec) {
			outside = append(outside, "its signing time (t=) is "+fmtDay(t))
		}
		if hasDate && outsideSeen(date, rec) {
			outside = append(outside, "the message's Date is "+fmtDay(date))
		}
		if len(outside) == 0 {
			continue
		}
		src := ""
		if rec.Source != "" {
			src = " (" + rec.Source + ")"
		}
		ev = append(ev, evidence("dkim.key_outside_seen_dates",
			"The signature by %s verifies with a key the key archive%s saw published %s, but %s: the key may have been in use longer than the archive watched it, or the date is wrong; the signature keeps its result.",
			signatureName(sig), src, seenRange(rec), strings.Join(outside, " and ")))
	}
	return ev
}

// outsideSeen reports whether t lies more than keySeenGrace before the
// record's FirstSeen or after its LastSeen (a zero bound is open).
func outsideSeen(t time.Time, rec *dkim.KeyRecord) bool {
	return !rec.FirstSeen.IsZero() && t.Before(rec.FirstSeen.Add(-keySeenGrace)) ||
		!rec.LastSeen.IsZero() && t.After(rec.LastSeen.Add(keySeenGrace))
}

// seenRange words a record's seen dates: "from 2016-01-04 to 2018-05-01",
// "from 2016-01-04 on", "until 2018-05-01".
func seenRange(rec *dkim.KeyRecord) string {
	switch {
	case rec.FirstSeen.IsZero():
		return "until " + fmtDay(rec.LastSeen)
	case rec.LastSeen.IsZero():
		return "from " + fmtDay(rec.FirstSeen) + " on"
	}
	return "from " + fmtDay(rec.FirstSeen) + " to " + fmtDay(rec.LastSeen)
}

func fmtDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
