package mbox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsSeparator(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		want       bool
	}{
		{"asctime", "From MAILER-DAEMON Fri Jul  8 12:08:34 2011", true},
		{"address", "From alice@example.com Mon Jan  1 00:00:00 2018\n", true},
		{"crlf", "From alice@example.com Mon Jan  1 00:00:00 2018\r\n", true},
		{"thunderbird dash", "From - Mon Jan 01 00:00:00 2018", true},
		{"takeout", "From 1234567890123456789@xxx Mon Jan 01 00:00:00 +0000 2018", true},
		{"rfc 2822 date", "From user@example.com Sat, 1 Jan 2018 00:00:00 +0000", true},
		{"zone comment", "From user@example.com Sat, 1 Jan 2018 00:00:00 -0800 (PST)", true},
		{"zone name", "From user@example.com Mon Jan  1 00:00:00 PST 2018", true},
		{"no seconds", "From user@example.com Mon Jan  1 00:00 2018", true},
		{"uucp remote from", "From user Mon Jan  1 00:00:00 2018 remote from host", true},
		{"missing sender", "From  Mon Jan  1 00:00:00 2018", true},
		{"java, zone without a name", "From alice@example.com Tue Mar 01 11:00:00 GMT+01:00 2016", true},
		{"java, negative offset", "From alice@example.com Tue Mar 01 05:00:00 GMT-05:00 2016", true},
		{"java, zone name", "From alice@example.com Tue Mar 01 11:00:00 CET 2016", true},
		{"java, mixed-case zone name", "From alice@example.com Tue Mar 01 20:00:00 ChST 2016", true},
		{"offset from UTC in hours", "From alice@example.com Tue Mar 01 11:00:00 UTC+1 2016", true},
		{"numeric zone with a colon", "From alice@example.com Tue Mar 01 11:00:00 +01:00 2016", true},
		{"zone name and daylight saving", "From alice@example.com Tue Mar  1 11:00:00 CET DST 2016", true},
		{"mailman's obscured sender", "From alice at example.com  Tue Mar  1 10:00:00 2016", true},
		{"uucp two-digit year", "From user Tue Mar  1 10:00 96 remote from host", true},
		{"apple mail unknown sender", "From ???@??? Tue Mar 01 10:00:00 2016", true},
		{"qmail bounce, no sender", "From Sat Jan  3 01:05:34 1996", true},
		{"mailman sender without a host", "From alice at", false},
		{"java zone with a bad offset", "From a@b Tue Mar 01 11:00:00 GMT+1:0 2016", false},
		{"lower-case word as zone", "From a@b Tue Mar 01 11:00:00 at 2016", false},
		{"two-digit number before the time", "From a@b Tue Mar 01 16 11:00:00", false},
		{"body prose", "From the Jan 2018 meeting at 10:30", false},
		{"body prose with date words", "From me: Mon Jan 1 00:00:00 2018", true},
		{"no year", "From user@example.com Mon Jan  1 00:00:00", false},
		{"no time", "From user@example.com Mon Jan  1 2018", false},
		{"no month", "From user@example.com 1 00:00:00 2018", false},
		{"no day", "From user@example.com Jan 00:00:00 2018", false},
		{"header field", "From: alice@example.com", false},
		{"escaped", ">From alice@example.com Mon Jan  1 00:00:00 2018", false},
		{"lower case from", "from alice@example.com Mon Jan  1 00:00:00 2018", false},
		{"only From", "From ", false},
		{"control byte", "From a@b Mon Jan  1 00:00:00 2018\x00", false},
		{"bad clock", "From a@b Mon Jan  1 0:0:0 2018", false},
		{"too long", "From a@b Mon Jan  1 00:00:00 2018" + strings.Repeat(" UTC", 300), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsSeparator([]byte(tt.line)), "IsSeparator(%q)", tt.line)
		})
	}
}

// TestLeadingSeparatorLen: the first line of a single message's bytes is a
// separator left by an export tool when it starts "From " and is no From
// field, dated or not.
func TestLeadingSeparatorLen(t *testing.T) {
	for _, tt := range []struct {
		name, in, rest string
		ok             bool
	}{
		{"separator", "From alice@example.com Tue Mar  1 10:00:00 2016\r\nFrom: a@b.c\r\n", "From: a@b.c\r\n", true},
		{"takeout separator", "From 1234567890123456789@xxx Mon Jan 01 00:00:00 +0000 2018\nX: y\n", "X: y\n", true},
		{"undated, as IsSeparator would not take it", "From MAILER-DAEMON\nX: y\n", "X: y\n", true},
		{"From field", "From: a@b.c\r\n", "From: a@b.c\r\n", false},
		{"From with a space before the colon", "From : a@b.c\r\n", "From : a@b.c\r\n", false},
		{"From with spaces before the colon", "From   : a@b.c\r\n", "From   : a@b.c\r\n", false},
		{"nothing after From", "From   \nX: y\n", "From   \nX: y\n", false},
		{"no line end", "From x", "From x", false},
		{"other field", "Subject: From x\r\n", "Subject: From x\r\n", false},
		{"escaped", ">From x\n", ">From x\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := LeadingSeparatorLen([]byte(tt.in))
			assert.Equal(t, tt.ok, n > 0, "LeadingSeparatorLen(%q) = %d", tt.in, n)
			assert.Equal(t, tt.rest, tt.in[n:], "LeadingSeparatorLen(%q): what follows the line", tt.in)
		})
	}
}
