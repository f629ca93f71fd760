package mailsyntax

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
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
			got, z, err := ParseDate(in)
			require.NoError(t, err, "ParseDate(%q)", in)
			assert.True(t, want.Equal(got), "ParseDate(%q): want %v, got %v", in, want, got)
			assert.False(t, z.Unknown, "ParseDate(%q) zone known", in)
			assert.Empty(t, z.Problem, "ParseDate(%q) zone problem", in)
		})
	}
	got, _, err := ParseDate("Tue, 3 Jun 2008 11:05 PM +0000")
	require.NoError(t, err, "ParseDate without seconds, PM")
	assert.Equal(t, time.Date(2008, 6, 3, 23, 5, 0, 0, time.UTC), got, "11:05 PM is 23:05")
	got, _, err = ParseDate("1 Jan 49 00:00 +0000")
	require.NoError(t, err, "two-digit year 49")
	assert.Equal(t, 2049, got.Year(), "RFC 5322 §4.3: 49 is 2049")
	got, _, err = ParseDate("1 Jan 103 00:00 +0000")
	require.NoError(t, err, "three-digit year")
	assert.Equal(t, 2003, got.Year(), "RFC 5322 §4.3: 103 is 2003")
}

// FuzzParseDate checks that ParseDate never panics; that an error comes
// with the package prefix, a zero time and a zero Zone; and that a date it
// reads has a year from 1900 to 9999, UTC when the zone is unknown, an
// offset within 14 hours and on a quarter hour unless Zone.Problem says
// why not (and never beyond the 99:99 four digits can write), and survives
// a round trip through RFC 5322 formatting with its offset.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Tue, 3 Jun 2008 11:05:30 -0400", "Tue, 03 Jun 2008 11:05:30 -0400 (EDT)", "Tue Jun  3 11:05:30 2008",
		"Tue, 03-Jun-2008 11:05:30 GMT-04:00", "3 Jun 08 11:05 PM CEST", "1 Jan 103 00:00 +2500",
		"Sat, 30 Feb 2008 11:05:30 +0000", "3 Jun 2008 23:59:60.5 +0545", "3 Jun 2008 11:05:30 +9999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, z, err := ParseDate(in)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "mailsyntax: unreadable date"), "ParseDate(%q) error %q has the package prefix", in, err)
			require.True(t, got.IsZero(), "ParseDate(%q): zero time with an error", in)
			require.Equal(t, Zone{}, z, "ParseDate(%q): zero Zone with an error", in)
			return
		}
		require.True(t, got.Year() >= 1900 && got.Year() <= 9999, "ParseDate(%q) = %v: year in range", in, got)
		_, off := got.Zone()
		require.False(t, z.Unknown && z.Problem != "", "ParseDate(%q): a zone is unknown or impossible, not both", in)
		if z.Unknown {
			require.Zero(t, off, "ParseDate(%q): an unknown zone is taken as UTC", in)
		}
		if z.Problem == "" {
			require.LessOrEqual(t, max(off, -off), 14*3600, "ParseDate(%q): offset %d within 14 hours", in, off)
			require.Zero(t, off%(15*60), "ParseDate(%q): offset %d on a quarter hour", in, off)
		}
		require.LessOrEqual(t, max(off, -off), 99*3600+99*60, "ParseDate(%q): offset %d within what +hhmm can write", in, off)
		if max(off, -off) >= 100*3600 {
			return // "+9999" is 100h39m: no four-digit zone writes it back
		}
		s := got.Format("Mon, 02 Jan 2006 15:04:05 -0700")
		again, z2, err := ParseDate(s)
		require.NoError(t, err, "ParseDate(%q), the formatted date of %q", s, in)
		require.True(t, got.Equal(again), "round trip of %q: %v then %v", in, got, again)
		_, off2 := again.Zone()
		require.Equal(t, off, off2, "round trip of %q keeps the offset", in)
		require.False(t, z2.Unknown, "round trip of %q: the zone is written out", in)
		if z.Problem == "" {
			require.Empty(t, z2.Problem, "round trip of %q: a real zone stays real", in)
		}
	})
}
