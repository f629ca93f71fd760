package provenance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/dkim"
)

func TestKeyDatingEvidence(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	date := time.Date(2016, 3, 1, 9, 0, 0, 0, time.UTC)
	seen := func(first, last time.Time) func(*dkim.Signature) {
		return func(s *dkim.Signature) {
			s.Key = &dkim.KeyRecord{Domain: s.Domain, Selector: s.Selector, FirstSeen: first, LastSeen: last, Source: "archive.example"}
		}
	}
	stamped := func(t time.Time) func(*dkim.Signature) { return func(s *dkim.Signature) { s.Timestamp = t } }
	for _, tt := range []struct {
		name    string
		sig     dkim.Signature
		hasDate bool
		want    string // the message's text; "" for no evidence
	}{
		{"inside the range", sig("example.com", seen(day(2015, 1, 1), day(2017, 1, 1)), stamped(date)), true, ""},
		{"no seen dates", sig("example.com", seen(time.Time{}, time.Time{}), stamped(day(2001, 1, 1))), true, ""},
		{"no record", sig("example.com", stamped(day(2001, 1, 1))), true, ""},
		{"Date before first_seen",
			sig("example.com", seen(day(2017, 1, 4), day(2018, 5, 1))), true,
			"The signature by example.com (selector s1) verifies with a key the key archive (archive.example) saw published from 2017-01-04 to 2018-05-01, but the message's Date is 2016-03-01: the key may have been in use longer than the archive watched it, or the date is wrong; the signature keeps its result."},
		{"t= and Date after last_seen",
			sig("example.com", seen(time.Time{}, day(2015, 6, 1)), stamped(date)), true,
			"The signature by example.com (selector s1) verifies with a key the key archive (archive.example) saw published until 2015-06-01, but its signing time (t=) is 2016-03-01 and the message's Date is 2016-03-01: the key may have been in use longer than the archive watched it, or the date is wrong; the signature keeps its result."},
		{"t= outside, no Date",
			sig("example.com", seen(day(2016, 6, 1), time.Time{}), stamped(date)), false,
			"The signature by example.com (selector s1) verifies with a key the key archive (archive.example) saw published from 2016-06-01 on, but its signing time (t=) is 2016-03-01: the key may have been in use longer than the archive watched it, or the date is wrong; the signature keeps its result."},
		{"within a day of last_seen", sig("example.com", seen(day(2015, 1, 1), day(2016, 3, 1))), true, ""},
		{"header signature invalid", sig("example.com", seen(day(2017, 1, 1), time.Time{}), headerInvalid), true, ""},
		{"DomainKeys, by Date",
			dk("example.com", seen(day(2017, 1, 4), time.Time{})), true,
			"The signature by example.com (DomainKeys, selector s1) verifies with a key the key archive (archive.example) saw published from 2017-01-04 on, but the message's Date is 2016-03-01: the key may have been in use longer than the archive watched it, or the date is wrong; the signature keeps its result."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := keyDatingEvidence([]SignatureResult{{Signature: tt.sig, Aligned: true}}, date, tt.hasDate)
			if tt.want == "" {
				assert.Empty(t, ev, "keyDatingEvidence: no evidence")
				return
			}
			if assert.Len(t, ev, 1, "keyDatingEvidence: one item") {
				assert.Equal(t, Evidence{Code: "dkim.key_outside_seen_dates", Severity: SeverityCaution, Message: tt.want}, ev[0], "keyDatingEvidence item")
			}
		})
	}
}

// TestKeyDatingKeepsVerdict: a key outside its seen dates is caution; the
// signature still makes the message authentic.
func TestKeyDatingKeepsVerdict(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "authentic with a key seen only later", raw: plainMsg,
		ver: dkim.Verification{Signatures: []dkim.Signature{sig("example.com", func(s *dkim.Signature) {
			s.Key = &dkim.KeyRecord{Domain: "example.com", Selector: "s1", FirstSeen: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
		})}},
		verdict: VerdictAuthentic, confidence: ConfidenceHigh, codes: []string{"dkim.pass", "dkim.key_outside_seen_dates"},
	}})
}
