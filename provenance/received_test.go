package provenance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

// Synthetic Received fields in the shapes common servers write.
const (
	rcvGoogle = "by 2002:a05:6a10:1234:b0:2f4:1234:abcd with SMTP id x12csp123456pxa;\r\n" +
		"        Tue, 3 Jun 2008 08:05:31 -0700 (PDT)"
	rcvPostfix = "from mail.example.com (mail.example.com [192.0.2.1])\r\n" +
		"\tby mx.example.net (Postfix) with ESMTPS id 4A1B2C3D4E\r\n" +
		"\tfor <bob@example.net>; Tue,  3 Jun 2008 11:05:30 -0400 (EDT)"
	rcvMicrosoft = "from DM6PR11MB1234.namprd11.prod.outlook.com (2603:10b6:5:1bd::12) by\r\n" +
		" DM6PR11MB5678.namprd11.prod.outlook.com (2603:10b6:5:1be::34) with\r\n" +
		" Microsoft SMTP Server (version=TLS1_2,\r\n" +
		" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1234.5; Tue, 3 Jun\r\n" +
		" 2008 15:05:29 +0000"
	rcvQmail = "(qmail 12345 invoked by uid 500); 3 Jun 2008 15:05:28 -0000"
	rcvExim  = "from [192.0.2.9] (helo=laptop)\r\n" +
		"\tby smtp.example.org with esmtpsa (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)\r\n" +
		"\t(Exim 4.92)\r\n" +
		"\t(envelope-from <alice@example.org>)\r\n" +
		"\tid 1abcDE-0001Xy-Fg; Tue, 03 Jun 2008 17:05:27 +0200"
	rcvSendmail97 = "from relay.example.com by mail.example.org (8.8.5/8.8.5) with SMTP id AAA01234; Tue, 3 Jun 97 11:05:30 -0400"
)

func TestParseReceived(t *testing.T) {
	edt := time.FixedZone("", -4*3600)
	for _, tt := range []struct {
		name, in string
		want     received
	}{
		{"google", rcvGoogle, received{
			By: "2002:a05:6a10:1234:b0:2f4:1234:abcd", With: "SMTP", ID: "x12csp123456pxa",
			Date: time.Date(2008, 6, 3, 8, 5, 31, 0, time.FixedZone("", -7*3600)), HasDate: true}},
		{"postfix", rcvPostfix, received{
			From: "mail.example.com", FromInfo: "mail.example.com [192.0.2.1]", By: "mx.example.net",
			With: "ESMTPS", ID: "4A1B2C3D4E", For: "bob@example.net",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"microsoft", rcvMicrosoft, received{
			From: "DM6PR11MB1234.namprd11.prod.outlook.com", FromInfo: "2603:10b6:5:1bd::12",
			By: "DM6PR11MB5678.namprd11.prod.outlook.com", With: "Microsoft", ID: "15.20.1234.5",
			Date: time.Date(2008, 6, 3, 15, 5, 29, 0, time.UTC), HasDate: true}},
		{"qmail", rcvQmail, received{Date: time.Date(2008, 6, 3, 15, 5, 28, 0, time.UTC), HasDate: true}},
		{"exim", rcvExim, received{
			From: "[192.0.2.9]", FromInfo: "helo=laptop", By: "smtp.example.org", With: "esmtpsa", ID: "1abcDE-0001Xy-Fg",
			Date: time.Date(2008, 6, 3, 17, 5, 27, 0, time.FixedZone("", 2*3600)), HasDate: true}},
		{"two-digit year", rcvSendmail97, received{
			From: "relay.example.com", By: "mail.example.org", With: "SMTP", ID: "AAA01234",
			Date: time.Date(1997, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"semicolon inside a comment", "from a.example (x; y) by b.example; Tue, 3 Jun 2008 11:05:30 -0400 (EDT; summer)", received{
			From: "a.example", FromInfo: "x; y", By: "b.example",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"asctime without zone", "from a.example by b.example; Tue Jun  3 11:05:30 2008", received{
			From: "a.example", By: "b.example",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.UTC), HasDate: true, ZoneUnknown: true}},
		{"named zone", "by b.example; Tue, 3 Jun 2008 11:05:30 EDT", received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"unknown zone name", "by b.example; Tue, 3 Jun 2008 11:05:30 CEST", received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.UTC), HasDate: true, ZoneUnknown: true}},
		{"impossible zone", "by b.example; Tue, 3 Jun 2008 11:05:30 +2500", received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 25*3600)), HasDate: true,
			ZoneProblem: "the zone +2500 is more than 14 hours from UTC"}},
		{"odd minutes zone", "by b.example; Tue, 3 Jun 2008 11:05:30 +0107", received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 3600+7*60)), HasDate: true,
			ZoneProblem: "the zone +0107 is not a whole quarter hour from UTC"}},
		{"nepal zone is real", "by b.example; Tue, 3 Jun 2008 11:05:30 +0545", received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 5*3600+45*60)), HasDate: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReceived(tt.in)
			require.NoError(t, err, "parseReceived(%q)", tt.in)
			assert.True(t, tt.want.Date.Equal(got.Date), "parseReceived(%q) date: want %v, got %v", tt.in, tt.want.Date, got.Date)
			_, wantOff := tt.want.Date.Zone()
			_, gotOff := got.Date.Zone()
			assert.Equal(t, wantOff, gotOff, "parseReceived(%q) keeps the original offset", tt.in)
			got.Date, tt.want.Date = time.Time{}, time.Time{}
			assert.Equal(t, tt.want, got, "parseReceived(%q) clauses and flags", tt.in)
		})
	}
}

func TestParseReceivedErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		err      error
		by       string // clauses still come back
	}{
		{"no date", "from a.example by b.example with SMTP", errReceivedNoDate, "b.example"},
		{"empty date", "from a.example by b.example;  ", errReceivedNoDate, "b.example"},
		{"garbage date", "by b.example; yesterday at noon", errBadDate, "b.example"},
		{"no such day", "by b.example; Sat, 30 Feb 2008 11:05:30 +0000", errBadDate, "b.example"},
		{"hour 25", "by b.example; 3 Jun 2008 25:05:30 +0000", errBadDate, "b.example"},
		{"no year", "by b.example; Tue, 3 Jun 11:05:30 +0000", errBadDate, "b.example"},
		{"bad zone", "by b.example; 3 Jun 2008 11:05:30 +05", errBadDate, "b.example"},
		{"two zones", "by b.example; 3 Jun 2008 11:05:30 +0000 -0400", errBadDate, "b.example"},
		{"too long", "by b.example (" + strings.Repeat("x", maxReceivedLen) + "); 3 Jun 2008 11:05:30 +0000", errReceivedTooLong, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseReceived(tt.in)
			require.ErrorIs(t, err, tt.err, "parseReceived(%.60q) error", tt.in)
			assert.True(t, strings.HasPrefix(err.Error(), "provenance: "), "error %q starts with the package name", err)
			assert.False(t, got.HasDate, "parseReceived(%.60q) HasDate on error", tt.in)
			assert.Equal(t, tt.by, got.By, "parseReceived(%.60q) by clause on error", tt.in)
		})
	}
}

func TestParseMailDate(t *testing.T) {
	want := time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", -4*3600))
	for _, in := range []string{
		"Tue, 3 Jun 2008 11:05:30 -0400",
		"Tue, 03 Jun 2008 11:05:30 -0400 (EDT)",
		"3 Jun 2008 11:05:30 -0400",
		"Tue 3 Jun 2008 11:05:30 -0400",
		"Tuesday, 3 June 2008 11:05:30 -0400",
		"Tue, 3 Jun 2008 11:05:30.123 -0400",
		"Tue, 3 Jun 2008 11:05:30 -04:00",
		"Tue, 3 Jun 2008 11:05:30 -0400 EDT",
		"Tue, 3 Jun 2008 11:05:30 EDT",
		"Tue, 3 Jun 2008 11:05:30 GMT-0400",
		"Tue, 03-Jun-2008 11:05:30 -0400",
		"Tue, 3 Jun 08 11:05:30 -0400",
		"tue, 3 JUN 2008 11:05:30 -0400",
		"Tue, 3 Jun 2008 11:05:30 AM -0400",
		"Tue Jun 3 11:05:30 2008 -0400",
	} {
		t.Run(in, func(t *testing.T) {
			got, z, err := parseMailDate(in)
			require.NoError(t, err, "parseMailDate(%q)", in)
			assert.True(t, want.Equal(got), "parseMailDate(%q): want %v, got %v", in, want, got)
			assert.False(t, z.unknown, "parseMailDate(%q) zone known", in)
			assert.Empty(t, z.problem, "parseMailDate(%q) zone problem", in)
		})
	}
	got, _, err := parseMailDate("Tue, 3 Jun 2008 11:05 PM +0000")
	require.NoError(t, err, "parseMailDate without seconds, PM")
	assert.Equal(t, time.Date(2008, 6, 3, 23, 5, 0, 0, time.UTC), got, "11:05 PM is 23:05")
	got, _, err = parseMailDate("1 Jan 49 00:00 +0000")
	require.NoError(t, err, "two-digit year 49")
	assert.Equal(t, 2049, got.Year(), "RFC 5322 §4.3: 49 is 2049")
	got, _, err = parseMailDate("1 Jan 103 00:00 +0000")
	require.NoError(t, err, "three-digit year")
	assert.Equal(t, 2003, got.Year(), "RFC 5322 §4.3: 103 is 2003")
}

func TestReceivedEvidence(t *testing.T) {
	rcv := func(at string) string { return "from a.example by b.example with ESMTP id X1; " + at }
	date := func(s string) time.Time {
		d, _, err := parseMailDate(s)
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

// FuzzParseReceived checks that parseReceived never panics, that a date
// comes back exactly when there is no error, and that the date survives a
// round trip through RFC 5322 formatting with its offset; and that
// receivedEvidence on the field never panics and emits only its own codes.
func FuzzParseReceived(f *testing.F) {
	for _, s := range []string{rcvGoogle, rcvPostfix, rcvMicrosoft, rcvQmail, rcvExim, rcvSendmail97,
		"by x; Tue Jun  3 11:05:30 2008", "by x; 3 Jun 2008 11:05:30 +2500", "(a;b);;", "by x; 30 Feb 2008 1:1 PM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := parseReceived(in)
		require.Equal(t, err == nil, r.HasDate, "parseReceived(%q): HasDate %v with error %v", in, r.HasDate, err)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "provenance: "), "error %q has the package prefix", err)
		} else {
			s := r.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700")
			again, z, err := parseMailDate(s)
			require.NoError(t, err, "parseMailDate(%q), the formatted date of %q", s, in)
			require.True(t, r.Date.Equal(again), "round trip of %q: %v then %v", in, r.Date, again)
			_, o1 := r.Date.Zone()
			_, o2 := again.Zone()
			require.Equal(t, o1, o2, "round trip of %q keeps the offset", in)
			if r.ZoneProblem == "" {
				require.Empty(t, z.problem, "round trip of %q: a real zone stays real", in)
			}
		}
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
