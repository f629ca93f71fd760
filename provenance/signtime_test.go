package provenance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestSigningTimeEvidence(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err, "test time %q", s)
		return d
	}
	rcv := func(when string) headerField {
		return headerField{Name: "received", Value: "from a.example by b.example with ESMTP id X1; " + when}
	}
	sigField := headerField{Name: "dkim-signature", Value: "v=1; ..."}
	other := headerField{Name: "subject", Value: "x"}
	sig := func(index int, ts string) dkim.Signature {
		var s dkim.Signature
		s.Index, s.Domain, s.Selector = index, "example.com", "s1"
		if ts != "" {
			s.Timestamp = at(ts)
		}
		return s
	}
	for _, tt := range []struct {
		name   string
		fields []headerField
		sigs   []dkim.Signature
		date   string   // "" for none
		want   []string // codes, in order
		msg    string   // a fragment of the first message
	}{
		{"received after signing", []headerField{rcv("Tue, 3 Jun 2008 11:07:00 -0400"), sigField, other},
			[]dkim.Signature{sig(0, "2008-06-03T15:05:00Z")}, "2008-06-03T15:04:00Z", nil, ""},
		{"clock skew within tolerance", []headerField{rcv("Tue, 3 Jun 2008 11:00:00 -0400"), sigField},
			[]dkim.Signature{sig(0, "2008-06-03T15:25:00Z")}, "", nil, ""},
		{"received long before signing", []headerField{rcv("Fri, 11 Jul 2003 21:01:54 -0700"), sigField, other},
			[]dkim.Signature{sig(0, "2018-06-10T13:38:29Z")}, "", []string{codeSignedAfterReceipt},
			"the 1st Received field (counting from the top), which sits above it"},
		{"a Received below the signature does not count", []headerField{sigField, rcv("Fri, 11 Jul 2003 21:01:54 -0700")},
			[]dkim.Signature{sig(0, "2018-06-10T13:38:29Z")}, "", nil, ""},
		{"nearest hop above is reported", []headerField{rcv("Fri, 11 Jul 2003 23:00:00 -0700"), rcv("Fri, 11 Jul 2003 21:01:54 -0700"), sigField},
			[]dkim.Signature{sig(0, "2018-06-10T13:38:29Z")}, "", []string{codeSignedAfterReceipt}, "the 2nd Received field"},
		{"second signature", []headerField{rcv("Fri, 11 Jul 2003 21:01:54 -0700"), sigField, rcv("Fri, 11 Jul 2003 21:00:00 -0700"), sigField},
			[]dkim.Signature{sig(0, ""), sig(1, "2018-06-10T13:38:29Z")}, "", []string{codeSignedAfterReceipt}, "the 2nd Received field"},
		{"unknown zone is not compared", []headerField{rcv("Fri, 11 Jul 2003 21:01:54 CEST"), sigField},
			[]dkim.Signature{sig(0, "2018-06-10T13:38:29Z")}, "", nil, ""},
		{"signed years after the Date", []headerField{sigField},
			[]dkim.Signature{sig(0, "2018-06-10T13:38:29Z")}, "2003-07-12T04:00:37Z", []string{codeSignedFarFromDate}, "after the time the Date field gives"},
		{"signed long before the Date", []headerField{sigField},
			[]dkim.Signature{sig(0, "2003-07-10T04:00:37Z")}, "2003-07-12T04:00:37Z", []string{codeSignedFarFromDate}, "2 days before"},
		{"no t=", []headerField{rcv("Fri, 11 Jul 2003 21:01:54 -0700"), sigField},
			[]dkim.Signature{sig(0, "")}, "2020-01-01T00:00:00Z", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var date time.Time
			if tt.date != "" {
				date = at(tt.date)
			}
			ev := signingTimeEvidence(tt.sigs, tt.fields, date, tt.date != "")
			var codes []string
			for _, e := range ev {
				codes = append(codes, e.Code)
				assert.Equal(t, SeverityCaution, e.Severity, "%s is caution, never alteration", e.Code)
			}
			assert.Equal(t, tt.want, codes, "evidence codes")
			if tt.msg != "" && len(ev) > 0 {
				assert.Contains(t, ev[0].Message, tt.msg, "message")
				assert.True(t, strings.HasPrefix(ev[0].Message, "The signature by example.com (selector s1)"), "names the signature: %s", ev[0].Message)
			}
		})
	}
}

// TestSigningTimeEndToEnd: a genuine message whose Received hop, added
// after signing, predates its t= by years stays authentic, with the
// caution; one signed in its own minute has none.
func TestSigningTimeEndToEnd(t *testing.T) {
	msg := signed(t, baseMessage(), "rsa2048", nil) // t= five seconds after Date
	a := testChecker().Check(t.Context(), eml("ok.eml", prepend(msg, "Received: from a.example by b.example; Tue, 01 Mar 2016 10:00:30 +0000")))
	require.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s", a.Summary)
	assert.NotContains(t, codesOf(a), codeSignedAfterReceipt, "received after signing")
	assert.NotContains(t, codesOf(a), codeSignedFarFromDate, "signed when written")

	late := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Time: time.Date(2018, 6, 10, 13, 38, 29, 0, time.UTC)})
	a = testChecker().Check(t.Context(), eml("late.eml", prepend(late, "Received: from a.example by b.example; Tue, 01 Mar 2016 10:00:30 +0000")))
	require.Equal(t, VerdictAuthentic, a.Verdict, "a timeline caution never changes the verdict; summary: %s", a.Summary)
	assert.Contains(t, codesOf(a), codeSignedAfterReceipt, "received two years before it was signed")
	assert.Contains(t, codesOf(a), codeSignedFarFromDate, "signed two years after its Date")
}
