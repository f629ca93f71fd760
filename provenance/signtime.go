package provenance

// The signing time (t=) against the rest of the message's timeline.
//
// A signer stamps t= when it signs, before the message leaves: every
// Received field added above the DKIM-Signature field was written later,
// and the Date field is normally set within minutes before signing.
// signingTimeEvidence reports, as caution and never as alteration (clocks
// are wrong more often than mail is forged), a t= later than such a
// Received hop by more than receivedOrderTolerance, and a t= further than
// dateFarFromFirstHop from the Date field. Both are how a message looks
// when its Received chain or Date was written by hand, or when it was
// signed again long after it was written (re-sent, replayed).

import (
	"fmt"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// Evidence codes signingTimeEvidence emits (registered in codes.go).
const (
	codeSignedAfterReceipt = "dkim.signed_after_receipt"
	codeSignedFarFromDate  = "dkim.signed_far_from_date"
)

// signingTimeEvidence compares each signature's t= with the Received fields
// above its DKIM-Signature field and with the Date field (date, when
// hasDate). fields is the header, top to bottom.
func signingTimeEvidence(sigs []dkim.Signature, fields []headerField, date time.Time, hasDate bool) []Evidence {
	var ev []Evidence
	var sigPos, recvPos []int // indexes into fields
	for i, f := range fields {
		switch f.Name {
		case "dkim-signature":
			sigPos = append(sigPos, i)
		case "received":
			recvPos = append(recvPos, i)
		}
	}
	for i := range sigs {
		sig := &sigs[i]
		t := sig.Timestamp
		if t.IsZero() || sig.Domain == "" || sig.Index < 0 || sig.Index >= len(sigPos) {
			continue
		}
		pos := sigPos[sig.Index]
		// The Received fields above the signature, nearest first: the first
		// one that says it received the message well before t= is reported.
		checked := 0
		for k := len(recvPos) - 1; k >= 0 && checked < maxReceivedFields; k-- {
			if recvPos[k] > pos {
				continue
			}
			checked++
			r, err := mailsyntax.ParseReceived(fields[recvPos[k]].Value)
			if err != nil || !r.HasDate || r.ZoneUnknown {
				continue
			}
			if gap := t.Sub(r.Date); gap > receivedOrderTolerance {
				ev = append(ev, Evidence{Code: codeSignedAfterReceipt, Severity: SeverityCaution,
					Message: fmt.Sprintf("The signature by %s gives its signing time (t=) as %s, but the %s Received field (counting from the top), which sits above it and so was added after signing, records the message as received at %s, %s earlier.",
						sigName(sig), fmtTime(t), ordinal(k+1), fmtTime(r.Date), fmtDuration(gap))})
				break
			}
		}
		if hasDate {
			d := t.Sub(date)
			if d > dateFarFromFirstHop || d < -dateFarFromFirstHop {
				d, dir := apart(d, "after", "before")
				ev = append(ev, Evidence{Code: codeSignedFarFromDate, Severity: SeverityCaution,
					Message: fmt.Sprintf("The signature by %s was made at %s (t=), %s %s the time the Date field gives (%s).",
						sigName(sig), fmtTime(t), fmtDuration(d), dir, fmtTime(date))})
			}
		}
	}
	return ev
}

// sigName names a signature for an editor: "example.com (selector s1)".
func sigName(sig *dkim.Signature) string {
	return fmt.Sprintf("%s (selector %s)", sig.Domain, sig.Selector)
}
