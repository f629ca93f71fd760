package provenance

import (
	"net/mail"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameDate checks that parseMailDate's answer for s is mail.ParseDate's:
// the same error or none, the same instant, zone name, offset and
// location.
func sameDate(t *testing.T, s string) {
	t.Helper()
	want, wantErr := mail.ParseDate(s)
	got, err := parseMailDate(s)
	require.Equal(t, wantErr, err, "error for %q", s)
	require.True(t, want.Equal(got), "%q: got %v, want %v", s, got, want)
	wantName, wantOff := want.Zone()
	name, off := got.Zone()
	require.Equal(t, wantName, name, "zone name for %q", s)
	require.Equal(t, wantOff, off, "zone offset for %q", s)
	require.Equal(t, want.Location().String(), got.Location().String(), "location for %q", s)
	require.Equal(t, want.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), "time for %q", s)
}

// dateSeeds are dates of the common form and its near misses: each part
// changed in a way time.Parse refuses, accepts differently, or leaves to
// another layout.
var dateSeeds = []string{
	"Tue, 01 Mar 2016 10:00:00 +0000",
	"1 Mar 2016 10:00:00 +0000",
	"  \tTue,   1   mar   2016   9:05:07   -0730  (PDT) (x\\) y) trailing",
	"TUE, 29 Feb 2016 23:59:59 +1400",
	"Mon, 29 Feb 2015 10:00:00 +0000", "Mon, 31 Apr 2016 10:00:00 +0000", "Mon, 0 Apr 2016 10:00:00 +0000",
	"Mon, 01 Mar 2016 24:00:00 +0000", "Mon, 01 Mar 2016 10:60:00 +0000", "Mon, 01 Mar 2016 10:00:60 +0000",
	"Mon, 01 Mar 2016 10:00:00 +2400", "Mon, 01 Mar 2016 10:00:00 +0060", "Mon, 01 Mar 2016 10:00:00 -2460",
	"Mon, 01 Mar 2016 10:00:00.25 +0000", "Mon, 01 Mar 2016 10:00:00,5 +0000", "Mon, 01 Mar 2016 10:00 +0000",
	"Mon, 01 Mar 16 10:00:00 +0000", "Mon, 01 Mar 20161 10:00:00 +0000", "Mon, 001 Mar 2016 10:00:00 +0000",
	"Mon,01 Mar 2016 10:00:00 +0000", "Monday, 01 Mar 2016 10:00:00 +0000", "Mon 01 Mar 2016 10:00:00 +0000",
	"Mon, 01 March 2016 10:00:00 +0000", "Mon, 01 M@r 2016 10:00:00 +0000", "Mon, 01 Mar 2016 10:00:00 GMT",
	"Mon, 01 Mar 2016 10:00:00 +000", "Mon, 01 Mar 2016 10:00:00 +00000", "Mon, 01 Mar 2016 10:00:00 0000",
	"Mon, 01 Mar 2016 10:00:00 +0000 (open", "Mon, 01 Mar 2016 10:00:00 +0000 (a (b) c)",
	"Mon, 01 Mar 2016 10:00:00 +0000\r\n (PST)", "Mon, 01 Mar\r\n 2016 10:00:00 +0000", "Mon, 01 Mar 2016 10:00:00 +0000\r",
	"Mon, 01 Mar 2016 10:00:00\t+0000", "Mon, 01 Mar 2016 10:00:00 +0000\n(x", "Mon, 01-Mar-2016 10:00:00 +0000",
	"Mon, 01 Mar 2016 010:00:00 +0000", "Mon, 01 Mar 2016 10:0:00 +0000", "Mon, 01 Mar 2016 10:00:0 +0000",
	"Mon, 01 Mar 0000 00:00:00 -0000", "Mon, 01 Mar 9999 23:59:59 -2359", "", " ", "Mon, ",
	"Mon, 01 Mar 2016 10:00:00 +0100", "Mon, 01 Mar 2016 10:00:00 +0530",
}

// TestParseMailDate checks the seeds in the local zone and in a zone with
// summer time, where time.Parse names the local zone when it has the
// date's offset.
func TestParseMailDate(t *testing.T) {
	for _, zone := range []string{"", "Europe/Berlin", "America/New_York"} {
		if zone != "" {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Logf("no zone data for %s: %v", zone, err)
				continue
			}
			old := time.Local
			time.Local = loc
			t.Cleanup(func() { time.Local = old })
		}
		for _, s := range dateSeeds {
			sameDate(t, s)
		}
	}
	_, ok := parseCommonDate("Tue, 01 Mar 2016 10:00:00 +0000 (UTC)")
	assert.True(t, ok, "the common form is read by hand")
}

// FuzzParseMailDate checks that parseMailDate agrees with mail.ParseDate
// on any input.
func FuzzParseMailDate(f *testing.F) {
	for _, s := range dateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameDate(t, s)
	})
}

// BenchmarkParseMailDate measures the common form, against mail.ParseDate.
func BenchmarkParseMailDate(b *testing.B) {
	const d = "Tue, 01 Mar 2016 10:00:00 +0100 (CET)"
	b.Run("parseMailDate", func(b *testing.B) {
		for b.Loop() {
			parseMailDate(d)
		}
	})
	b.Run("mail.ParseDate", func(b *testing.B) {
		for b.Loop() {
			mail.ParseDate(d)
		}
	})
}
