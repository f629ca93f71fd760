package provenance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

func TestReceivedEvidence(t *testing.T) {
	rcv := func(at string) string { return "from a.example by b.example with ESMTP id X1; " + at }
	date := func(s string) time.Time {
		d, _, err := mailsyntax.ParseDate(s)
		require.NoError(t, err, "test date %q", s)
		return d
	}
	type item struct {
		code string
		sev  Severity
		msg  string // a fragment of the message
	}
	for _, tt := range []struct {
		name    string
		values  []string
		date    string // "" for no Date
		want    []item
		wantLen int
	}{
		{"in order", []string{
			rcv("Tue, 3 Jun 2008 11:07:00 -0400"),
			rcv("Tue, 3 Jun 2008 15:06:00 +0000"),
			rcv("Tue, 3 Jun 2008 17:05:30 +0200"),
		}, "Tue, 3 Jun 2008 11:05:00 -0400", nil, 0},
		{"skew within tolerance", []string{
			rcv("Tue, 3 Jun 2008 11:00:00 -0400"),
			rcv("Tue, 3 Jun 2008 11:25:00 -0400"),
		}, "Tue, 3 Jun 2008 11:24:00 -0400", nil, 0},
		{"out of order", []string{
			rcv("Tue, 3 Jun 2008 09:00:00 -0400"),
			rcv("Tue, 3 Jun 2008 11:05:00 -0400"),
		}, "Tue, 3 Jun 2008 11:04:00 -0400", []item{{codeReceivedOutOfOrder, SeverityCaution,
			"The 1st Received field (counting from the top) is timestamped 2008-06-03 09:00:00 -0400, 2 hours before the hop below it (2008-06-03 11:05:00 -0400)"}}, 1},
		{"out of order skips an unreadable hop", []string{
			rcv("Tue, 3 Jun 2008 09:00:00 -0400"),
			"from x by y",
			rcv("Tue, 3 Jun 2008 11:05:00 -0400"),
		}, "", []item{
			{codeReceivedOutOfOrder, SeverityCaution, "The 1st Received field"},
			{codeReceivedUnparseable, SeverityInfo, "The 2nd of 3 Received fields (counting from the top) has no readable date"},
		}, 2},
		{"date far later", []string{
			rcv("Tue, 3 Jun 2008 11:05:00 -0400"),
		}, "Fri, 6 Jun 2008 11:05:00 -0400", []item{{codeReceivedDateFar, SeverityCaution,
			"The Date field (2008-06-06 11:05:00 -0400) is 3 days later than the time the first server received the message (2008-06-03 11:05:00 -0400)."}}, 1},
		{"date far earlier, first hop is the bottom one", []string{
			rcv("Fri, 6 Jun 2008 12:00:00 -0400"),
			rcv("Tue, 3 Jun 2008 11:05:00 -0400"),
		}, "Sun, 1 Jun 2008 05:05:00 -0400", []item{
			{codeReceivedOutOfOrder, SeverityCaution, ""}, // the top hop is later, not out of order: see wantLen
			{codeReceivedDateFar, SeverityCaution, "is 2 days earlier than"},
		}, 1},
		{"no date no check", []string{rcv("Tue, 3 Jun 2008 11:05:00 -0400")}, "", nil, 0},
		{"impossible zone", []string{
			rcv("Tue, 3 Jun 2008 11:05:00 +1500"),
		}, "", []item{{codeReceivedZone, SeverityCaution,
			"The 1st Received field (counting from the top) gives the time 2008-06-03 11:05:00 +1500, but the zone +1500 is more than 14 hours from UTC, so no real clock wrote it."}}, 1},
		{"unknown zones are not compared", []string{
			rcv("Tue, 3 Jun 2008 09:00:00 CEST"),
			rcv("Tue, 3 Jun 2008 11:05:00 -0400"),
		}, "Tue, 3 Jun 2008 11:04:00 -0400", nil, 0},
		{"several unreadable", []string{"x", rcv("Tue, 3 Jun 2008 11:05:00 -0400"), "y; not a date"}, "", []item{
			{codeReceivedUnparseable, SeverityInfo, "The 1st and 3rd of 3 Received fields (counting from the top) have no readable date, so they were left out of the time checks."},
		}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var d time.Time
			if tt.date != "" {
				d = date(tt.date)
			}
			ev := receivedEvidence(tt.values, d, tt.date != "")
			require.Len(t, ev, tt.wantLen, "receivedEvidence(%q) items: %+v", tt.values, ev)
			for _, w := range tt.want {
				var found *Evidence
				for i := range ev {
					if ev[i].Code == w.code {
						found = &ev[i]
					}
				}
				if w.msg == "" {
					assert.Nil(t, found, "receivedEvidence(%q) must not report %s", tt.values, w.code)
					continue
				}
				require.NotNil(t, found, "receivedEvidence(%q) reports %s", tt.values, w.code)
				assert.Equal(t, w.sev, found.Severity, "severity of %s", w.code)
				assert.Contains(t, found.Message, w.msg, "message of %s", w.code)
			}
		})
	}
}

func TestReceivedEvidenceCap(t *testing.T) {
	values := make([]string, maxReceivedFields+50)
	for i := range values {
		values[i] = "garbage"
	}
	ev := receivedEvidence(values, time.Time{}, false)
	require.Len(t, ev, 1, "one unparseable item for many unreadable fields")
	assert.Contains(t, ev[0].Message, "51st", "the cap keeps the bottom fields: the first looked at is the 51st")
}

func TestReceivedCodesRegistered(t *testing.T) {
	want := map[string]Severity{
		codeReceivedOutOfOrder:  SeverityCaution,
		codeReceivedDateFar:     SeverityCaution,
		codeReceivedZone:        SeverityCaution,
		codeReceivedUnparseable: SeverityInfo,
	}
	registered := map[string]Severity{}
	for _, c := range Codes() {
		registered[c.Code] = c.Severity
	}
	for code, sev := range want {
		got, ok := registered[code]
		if assert.True(t, ok, "evidence code %s is registered in codes.go", code) {
			assert.Equal(t, sev, got, "registered severity of %s", code)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 102: "102nd", 111: "111th"} {
		assert.Equal(t, want, ordinal(n), "ordinal(%d)", n)
	}
}

// FuzzReceivedEvidence checks that receivedEvidence never panics on a
// chain of any field and emits only its own codes, each with a message.
func FuzzReceivedEvidence(f *testing.F) {
	for _, s := range []string{
		"from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net (Postfix) with ESMTPS id 4A1B; Tue,  3 Jun 2008 11:05:30 -0400 (EDT)",
		"(qmail 12345 invoked by uid 500); 3 Jun 2008 15:05:28 -0000",
		"by x; Tue Jun  3 11:05:30 2008", "by x; 3 Jun 2008 11:05:30 +2500", "(a;b);;", "by x; 30 Feb 2008 1:1 PM",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, _ := mailsyntax.ParseReceived(in)
		for _, e := range receivedEvidence([]string{in, in}, r.Date, r.HasDate) {
			require.True(t, strings.HasPrefix(e.Code, "received."), "receivedEvidence code %q", e.Code)
			require.NotEmpty(t, e.Message, "receivedEvidence message for %s", e.Code)
		}
	})
}

// TestReceivedHopsInVerdict: Received hops out of order are noted beside
// the verdict, never changing it.
func TestReceivedHopsInVerdict(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "Received hops out of order are noted",
			raw: "Received: from b.example by c.example; Tue, 1 Mar 2016 08:00:00 +0000\r\n" +
				"Received: from a.example by b.example; Tue, 1 Mar 2016 09:10:00 +0000\r\n" + plainMsg,
			ver:     dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}},
			verdict: VerdictAuthentic, codes: []string{"received.out_of_order"},
		},
	})
}
