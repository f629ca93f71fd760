package dkim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMergeKeyRecords(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2016, 1, d, 0, 0, 0, 0, time.UTC) }
	in := []KeyRecord{
		{Domain: "example.com", Selector: "s1", TXT: "p=B", Source: "b.zone", FirstSeen: day(5)},
		{Domain: "example.com", Selector: "s1", TXT: "p=A", Source: "a.jsonl", FirstSeen: day(3), LastSeen: day(9), Seen: day(9)},
		{Domain: "example.com", Selector: "s1", TXT: "p=A", Source: "zk", FirstSeen: day(1), LastSeen: day(4), PrivateKeyPublished: day(20)},
		{Domain: "example.com", Selector: "s1", TXT: "p=A", Source: "a.jsonl", FirstSeen: time.Time{}, Seen: day(12)},
		{Domain: "example.com", Selector: "s1", DNSError: "NXDOMAIN", Source: "dns"},
		{Domain: "example.com", Selector: "s1", DNSError: "NXDOMAIN", Source: "dns"},
		{Domain: "a.example", Selector: "s9", TXT: "p=C"},
	}
	orig := append([]KeyRecord(nil), in...)
	got := MergeKeyRecords(in)
	assert.Equal(t, []KeyRecord{
		{Domain: "a.example", Selector: "s9", TXT: "p=C"},
		{Domain: "example.com", Selector: "s1", TXT: "p=A", Source: "a.jsonl; zk", FirstSeen: day(1), LastSeen: day(9), Seen: day(12), PrivateKeyPublished: day(20)},
		{Domain: "example.com", Selector: "s1", TXT: "p=B", Source: "b.zone", FirstSeen: day(5)},
		{Domain: "example.com", Selector: "s1", DNSError: "NXDOMAIN", Source: "dns"},
	}, got, "merged: sorted, duplicates made one with the earliest first sighting, the latest sightings and every source")
	assert.Equal(t, orig, in, "the input is not changed")
	assert.Empty(t, MergeKeyRecords(nil), "nothing in, nothing out")
}
