package mailsyntax

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		want     Received
	}{
		{"google", rcvGoogle, Received{
			By: "2002:a05:6a10:1234:b0:2f4:1234:abcd", With: "SMTP", ID: "x12csp123456pxa",
			Date: time.Date(2008, 6, 3, 8, 5, 31, 0, time.FixedZone("", -7*3600)), HasDate: true}},
		{"postfix", rcvPostfix, Received{
			From: "mail.example.com", FromInfo: "mail.example.com [192.0.2.1]", By: "mx.example.net",
			With: "ESMTPS", ID: "4A1B2C3D4E", For: "bob@example.net",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"microsoft", rcvMicrosoft, Received{
			From: "DM6PR11MB1234.namprd11.prod.outlook.com", FromInfo: "2603:10b6:5:1bd::12",
			By: "DM6PR11MB5678.namprd11.prod.outlook.com", With: "Microsoft", ID: "15.20.1234.5",
			Date: time.Date(2008, 6, 3, 15, 5, 29, 0, time.UTC), HasDate: true}},
		{"qmail", rcvQmail, Received{Date: time.Date(2008, 6, 3, 15, 5, 28, 0, time.UTC), HasDate: true}},
		{"exim", rcvExim, Received{
			From: "[192.0.2.9]", FromInfo: "helo=laptop", By: "smtp.example.org", With: "esmtpsa", ID: "1abcDE-0001Xy-Fg",
			Date: time.Date(2008, 6, 3, 17, 5, 27, 0, time.FixedZone("", 2*3600)), HasDate: true}},
		{"two-digit year", rcvSendmail97, Received{
			From: "relay.example.com", By: "mail.example.org", With: "SMTP", ID: "AAA01234",
			Date: time.Date(1997, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"semicolon inside a comment", "from a.example (x; y) by b.example; Tue, 3 Jun 2008 11:05:30 -0400 (EDT; summer)", Received{
			From: "a.example", FromInfo: "x; y", By: "b.example",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"asctime without zone", "from a.example by b.example; Tue Jun  3 11:05:30 2008", Received{
			From: "a.example", By: "b.example",
			Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.UTC), HasDate: true, ZoneUnknown: true}},
		{"named zone", "by b.example; Tue, 3 Jun 2008 11:05:30 EDT", Received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, edt), HasDate: true}},
		{"unknown zone name", "by b.example; Tue, 3 Jun 2008 11:05:30 CEST", Received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.UTC), HasDate: true, ZoneUnknown: true}},
		{"impossible zone", "by b.example; Tue, 3 Jun 2008 11:05:30 +2500", Received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 25*3600)), HasDate: true,
			ZoneProblem: "the zone +2500 is more than 14 hours from UTC"}},
		{"odd minutes zone", "by b.example; Tue, 3 Jun 2008 11:05:30 +0107", Received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 3600+7*60)), HasDate: true,
			ZoneProblem: "the zone +0107 is not a whole quarter hour from UTC"}},
		{"nepal zone is real", "by b.example; Tue, 3 Jun 2008 11:05:30 +0545", Received{
			By: "b.example", Date: time.Date(2008, 6, 3, 11, 5, 30, 0, time.FixedZone("", 5*3600+45*60)), HasDate: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReceived(tt.in)
			require.NoError(t, err, "ParseReceived(%q)", tt.in)
			assert.True(t, tt.want.Date.Equal(got.Date), "ParseReceived(%q) date: want %v, got %v", tt.in, tt.want.Date, got.Date)
			_, wantOff := tt.want.Date.Zone()
			_, gotOff := got.Date.Zone()
			assert.Equal(t, wantOff, gotOff, "ParseReceived(%q) keeps the original offset", tt.in)
			got.Date, tt.want.Date = time.Time{}, time.Time{}
			assert.Equal(t, tt.want, got, "ParseReceived(%q) clauses and flags", tt.in)
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
			got, err := ParseReceived(tt.in)
			require.ErrorIs(t, err, tt.err, "ParseReceived(%.60q) error", tt.in)
			assert.True(t, strings.HasPrefix(err.Error(), "mailsyntax: "), "error %q starts with the package name", err)
			assert.False(t, got.HasDate, "ParseReceived(%.60q) HasDate on error", tt.in)
			assert.Equal(t, tt.by, got.By, "ParseReceived(%.60q) by clause on error", tt.in)
		})
	}
}

// FuzzParseReceived checks that ParseReceived never panics; that a date
// comes back exactly when there is no error, and a zero time with an
// error; that clause values are single words without white space or
// parentheses and the from comment one line of single-spaced words; and
// that the date survives a round trip through RFC 5322 formatting with its
// offset, the zone problem kept.
func FuzzParseReceived(f *testing.F) {
	for _, s := range []string{rcvGoogle, rcvPostfix, rcvMicrosoft, rcvQmail, rcvExim, rcvSendmail97,
		"by x; Tue Jun  3 11:05:30 2008", "by x; 3 Jun 2008 11:05:30 +2500", "by x; 3 Jun 2008 11:05:30 +9999",
		"(a;b);;", "by x; 30 Feb 2008 1:1 PM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseReceived(in)
		require.Equal(t, err == nil, r.HasDate, "ParseReceived(%q): HasDate %v with error %v", in, r.HasDate, err)
		for _, v := range []string{r.From, r.By, r.Via, r.With, r.ID, r.For} {
			require.False(t, strings.ContainsAny(v, " \t\r\n("), "ParseReceived(%q): clause value %q is one word", in, v)
		}
		require.Equal(t, strings.Join(strings.Fields(r.FromInfo), " "), r.FromInfo, "ParseReceived(%q): from comment single-spaced", in)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "mailsyntax: "), "error %q has the package prefix", err)
			require.True(t, r.Date.IsZero(), "ParseReceived(%q): no date with an error", in)
			require.False(t, r.ZoneUnknown || r.ZoneProblem != "", "ParseReceived(%q): no zone notes with an error", in)
			return
		}
		_, off := r.Date.Zone()
		if off <= -100*3600 || off >= 100*3600 {
			return // "+9999" is 100h39m: no four-digit zone writes it back
		}
		s := r.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700")
		again, z, err := ParseDate(s)
		require.NoError(t, err, "ParseDate(%q), the formatted date of %q", s, in)
		require.True(t, r.Date.Equal(again), "round trip of %q: %v then %v", in, r.Date, again)
		_, o2 := again.Zone()
		require.Equal(t, off, o2, "round trip of %q keeps the offset", in)
		if r.ZoneProblem == "" {
			require.Empty(t, z.Problem, "round trip of %q: a real zone stays real", in)
		}
	})
}
