package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestImportKind(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", importZone},
		{"zone", "$ORIGIN example.com.\ns._domainkey IN TXT \"p=\"\n", importZone},
		{"json lines", `{"domain":"a.example","selector":"s","txt":"p="}` + "\n", importJSONLines},
		{"json lines, domain not first", ` {"selector":"s","domain":"a.example","txt":"p="}`, importJSONLines},
		{"zk archive", "\ufeff[{\"domain\":\"a.example\"}]", importZK},
		{"mailauth", `{"s._domainkey.a.example":{"TXT":[["p="]]},"a.example":{"MX":[]}}`, importMailauth},
		{"mailauth pretty", "{\n  \"a.example\": {\n    \"TXT\": [[\"v=spf1 -all\"]]\n  }\n}\n", importMailauth},
		{"broken json is json lines", `{"domain":`, importJSONLines},
		{"two objects are json lines", `{"a":{}}` + "\n" + `{"b":{}}`, importJSONLines},
		{"empty object is json lines", `{}`, importJSONLines},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, importKind([]byte(tt.in)), "importKind(%q)", tt.in)
		})
	}
}

func TestParseZKArchive(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	saved := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	in := `[
 {"domain":"Example.com","selector":"s2016","firstSeenAt":"2016-01-04T00:00:00.000Z","lastSeenAt":"2018-05-01T00:00:00.000Z","value":"v=DKIM1; k=rsa; p=OLD"},
 {"domain":"example.com","selector":"s2016","firstSeenAt":"2018-06-01T00:00:00.000Z","lastSeenAt":"2019-01-01T00:00:00.000Z","value":"v=DKIM1; k=rsa; p=NEW"},
 {"domain":"example.com","selector":"live","firstSeenAt":"2026-12-07T14:59:00.000Z","lastSeenAt":"2026-12-07T14:59:00.000Z","value":"p=TODAY"},
 {"domain":"example.com","selector":"refreshed","firstSeenAt":"2020-02-02T00:00:00.000Z","lastSeenAt":"2026-12-01T08:00:00.000Z","value":"p=STILL"},
 {"domain":"example.com","selector":"undated","firstSeenAt":null,"lastSeenAt":null,"value":"p=X"}
]`
	recs, err := parseZKArchive([]byte(in), "zk.json", now, saved)
	require.NoError(t, err, "parseZKArchive")
	d := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	assert.Equal(t, []dkim.KeyRecord{
		{Domain: "example.com", Selector: "s2016", TXT: "v=DKIM1; k=rsa; p=OLD", FirstSeen: d("2016-01-04T00:00:00Z"), LastSeen: d("2018-05-01T00:00:00Z"), Source: "archive.zk.email zk.json"},
		{Domain: "example.com", Selector: "s2016", TXT: "v=DKIM1; k=rsa; p=NEW", FirstSeen: d("2018-06-01T00:00:00Z"), LastSeen: d("2019-01-01T00:00:00Z"), Source: "archive.zk.email zk.json"},
		{Domain: "example.com", Selector: "live", TXT: "p=TODAY", Seen: d("2026-12-07T14:59:00Z"), Source: "archive.zk.email zk.json (live DNS answer of 2026-12-07, not history)"},
		{Domain: "example.com", Selector: "refreshed", TXT: "p=STILL", FirstSeen: d("2020-02-02T00:00:00Z"), Seen: d("2026-12-01T08:00:00Z"), Source: "archive.zk.email zk.json (live DNS answer of 2026-12-01, not history)"},
		{Domain: "example.com", Selector: "undated", TXT: "p=X", Source: "archive.zk.email zk.json"},
	}, recs, "records: history rows keep their dates, rows dated the day of the request are today's DNS")

	for _, tt := range []struct{ name, in, err string }{
		{"not a list", `[{"domain":"a"}`, "unexpected end of JSON input"},
		{"no domain", `[{"selector":"s","value":"p="}]`, `archive.zk.email, row 1: missing "domain"`},
		{"no selector", `[{"domain":"a.example","value":"p="}]`, `row 1: missing "selector"`},
		{"no value", `[{"domain":"a.example","selector":"s"}]`, `row 1: missing "value"`},
		{"bad date", `[{"domain":"a.example","selector":"s","value":"p=","firstSeenAt":"yesterday"}]`, `"firstSeenAt" is not an ISO 8601 date`},
		{"row not an object", `[{"domain":"a.example","selector":"s","value":"p="}, 3]`, "row 2:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseZKArchive([]byte(tt.in), "zk.json", now, saved)
			require.Error(t, err, "parseZKArchive(%s)", tt.in)
			assert.Contains(t, err.Error(), tt.err, "parseZKArchive(%s) error", tt.in)
		})
	}
}

func TestParseMailauthCache(t *testing.T) {
	in := `{
  "s1._domainkey.Example.COM": {"TXT": [["v=DKIM1; k=rsa; ", "p=AB", "CD"], ["p=SECOND"]]},
  "_dmarc.example.com": {"TXT": [["v=DMARC1; p=reject"]]},
  "example.com": {"TXT": [["v=spf1 -all"]], "MX": [{"exchange": "mx.example.com", "priority": 10}]},
  "a.b._domainkey.example.org.": {"txt": ["p=ONESTRING"]},
  "mx._domainkey.example.net": {"MX": []},
  "s1._domainkey.\u212Aey.example": {"TXT": [["p=KELVIN"]]}
}`
	recs, skipped, err := parseMailauthCache([]byte(in), "dns.json")
	require.NoError(t, err, "parseMailauthCache")
	assert.Equal(t, 3, skipped, "_dmarc, SPF/MX at the domain and a _domainkey name without TXT are skipped")
	got := map[string][]string{}
	for _, r := range recs {
		assert.Equal(t, "mailauth DNS cache dns.json", r.Source, "source of %s", r.Selector)
		assert.True(t, r.FirstSeen.IsZero() && r.LastSeen.IsZero() && r.Seen.IsZero(), "a DNS cache has no dates")
		got[r.Selector+"._domainkey."+r.Domain] = append(got[r.Selector+"._domainkey."+r.Domain], r.TXT)
	}
	assert.Equal(t, map[string][]string{
		"s1._domainkey.example.com":  {"v=DKIM1; k=rsa; p=ABCD", "p=SECOND"},
		"a.b._domainkey.example.org": {"p=ONESTRING"},
		// Only ASCII letters are lower-cased: the Kelvin sign is not "k".
		"s1._domainkey.\u212Aey.example": {"p=KELVIN"},
	}, got, "key records: strings joined, several per name kept")

	for _, tt := range []struct{ name, in, err string }{
		{"TXT not a list", `{"s._domainkey.a.example":{"TXT":{"code":"ENOTFOUND"}}}`, `"TXT" is not a list of records`},
		{"record not strings", `{"s._domainkey.a.example":{"TXT":[[1,2]]}}`, `a "TXT" record is not a list of strings`},
		{"values not objects", `{"s._domainkey.a.example":[1]}`, "mailauth DNS cache: json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseMailauthCache([]byte(tt.in), "dns.json")
			require.Error(t, err, "parseMailauthCache(%s)", tt.in)
			assert.Contains(t, err.Error(), tt.err, "parseMailauthCache(%s) error", tt.in)
		})
	}
}

func TestKeysImportFormats(t *testing.T) {
	dir := t.TempDir()
	key := testmail.MustKey("rsa2048").Record()
	zk := writeTestFile(t, dir, "zk.json", `[{"domain":"example.com","selector":"s2016","firstSeenAt":"2016-01-04T00:00:00.000Z","lastSeenAt":"2018-05-01T00:00:00.000Z","value":"`+key+`"},
 {"domain":"example.com","selector":"s2016","firstSeenAt":"2018-06-01T00:00:00.000Z","lastSeenAt":"2019-01-01T00:00:00.000Z","value":"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxMWJ55XNe"}]`)
	cache := writeTestFile(t, dir, "dns.json", `{"s2016._domainkey.example.com":{"TXT":[["`+key[:100]+`","`+key[100:]+`"]]},"_dmarc.example.com":{"TXT":[["v=DMARC1; p=none"]]}}`)
	marked := writeTestFile(t, dir, "marked.jsonl", `{"domain":"example.org","selector":"leaked","txt":"v=DKIM1; k=rsa; p=","private_key_published":"2020-01-01T00:00:00Z"}`+"\n")
	code, stdout, stderr := runKeysForTest(t, "import", zk, cache, marked)
	require.Equal(t, 0, code, "warnings keep exit status 0; stderr %s", stderr)
	f, err := dkim.ReadKeyFile(strings.NewReader(stdout), "out")
	require.NoError(t, err, "the output is a key file")
	var s2016 []dkim.KeyRecord
	for _, r := range f.Records() {
		if r.Selector == "s2016" {
			s2016 = append(s2016, r)
		}
	}
	require.Len(t, s2016, 2, "two keys under one selector stay two records")
	var full dkim.KeyRecord
	for _, r := range s2016 {
		if r.TXT == key {
			full = r
		}
	}
	assert.Equal(t, "archive.zk.email "+zk+"; mailauth DNS cache "+cache, full.Source, "the same key from two files keeps both sources")
	assert.Equal(t, "2016-01-04T00:00:00Z", full.FirstSeen.Format(time.RFC3339), "first_seen kept")
	assert.Equal(t, "2018-05-01T00:00:00Z", full.LastSeen.Format(time.RFC3339), "last_seen kept")
	assert.Contains(t, stderr, "leakproof: note: "+cache+": skipped 1 name that are not DKIM keys", "skipped names noted")
	assert.Contains(t, stderr, "leakproof: warning: s2016._domainkey.example.com (from archive.zk.email "+zk+"): not a usable key", "a truncated key is warned about")
	assert.Contains(t, stderr, "leakproof: warning: leaked._domainkey.example.org (from "+marked+"): marked private_key_published, but the record holds no key", "a published mark without a key is warned about")

	// A row of the file's own day is a live DNS answer, whatever its year.
	live := writeTestFile(t, dir, "live.json", `[{"domain":"example.com","selector":"now","firstSeenAt":"2024-03-01T00:00:00.000Z","lastSeenAt":"2024-03-01T00:00:00.000Z","value":"`+key+`"}]`)
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(live, day, day), "dating the file")
	code, stdout, stderr = runKeysForTest(t, "import", live)
	require.Equal(t, 0, code, "exit status; stderr %s", stderr)
	assert.Contains(t, stdout, `"seen":"2024-03-01T00:00:00Z","source":"archive.zk.email `+live+` (live DNS answer of 2024-03-01, not history)"`, "a row dated the day the file was saved is today's DNS")
	assert.NotContains(t, stdout, "first_seen", "a live answer is not history")

	// verify and keys needed refuse these files with the way out, rather
	// than read a JSON list as a zone file with no records.
	r := runCLI(t, "verify", "--keys", zk, filepath.Join(moduleRoot(t), "testdata", "sample.mbox"))
	assert.Equal(t, 1, r.code, "verify --keys with archive.zk.email's JSON")
	assert.Contains(t, r.stderr, "leakproof: hint: convert it first: leakproof keys import --out keys.jsonl "+zk, "verify --keys hint")

	bad := writeTestFile(t, dir, "bad.json", `[{"domain":"example.com","value":"p="}]`)
	code, _, stderr = runKeysForTest(t, "import", bad)
	assert.Equal(t, 1, code, "a malformed archive file is exit 1")
	assert.Contains(t, stderr, "leakproof: error: "+bad+`: archive.zk.email, row 1: missing "selector"`, "error names file and row")
}

// TestKeysImportRoundTrip holds the rule that importing a key archive
// written in another format changes no verdict: testdata/keys.jsonl is
// written as archive.zk.email's JSON, as a mailauth DNS cache and as a
// zone file, each is imported, and verify on the sample gives the same
// verdicts and signature results with each as with the original.
func TestKeysImportRoundTrip(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/keys.jsonl")
	needFile(t, "testdata/sample.mbox")
	orig, err := os.Open("testdata/keys.jsonl")
	require.NoError(t, err, "opening the key file")
	kf, err := dkim.ReadKeyFile(orig, "testdata/keys.jsonl")
	orig.Close()
	require.NoError(t, err, "reading the key file")
	var zk []map[string]any
	cache := map[string]map[string][][]string{}
	var zone strings.Builder
	for _, r := range kf.Records() {
		if r.DNSError != "" {
			continue // none of the three formats records a failure
		}
		name := r.Selector + "._domainkey." + r.Domain
		row := map[string]any{"domain": r.Domain, "selector": r.Selector, "value": r.TXT, "firstSeenAt": nil, "lastSeenAt": nil}
		if !r.FirstSeen.IsZero() {
			row["firstSeenAt"] = r.FirstSeen.Format("2006-01-02T15:04:05.000Z07:00")
		}
		if !r.LastSeen.IsZero() {
			row["lastSeenAt"] = r.LastSeen.Format("2006-01-02T15:04:05.000Z07:00")
		}
		zk = append(zk, row)
		if cache[name] == nil {
			cache[name] = map[string][][]string{}
		}
		cache[name]["TXT"] = append(cache[name]["TXT"], split255(r.TXT))
		fmt.Fprintf(&zone, "%s. 3600 IN TXT (", name)
		for _, c := range split255(r.TXT) {
			fmt.Fprintf(&zone, " %q", c)
		}
		zone.WriteString(" )\n")
	}
	cache["_dmarc.example.com"] = map[string][][]string{"TXT": {{"v=DMARC1; p=none"}}}
	dir := t.TempDir()
	zkData, err := json.Marshal(zk)
	require.NoError(t, err, "encoding the zk rows")
	cacheData, err := json.Marshal(cache)
	require.NoError(t, err, "encoding the cache")
	converted := map[string]string{
		"archive.zk.email": writeTestFile(t, dir, "zk.json", string(zkData)),
		"mailauth":         writeTestFile(t, dir, "dns.json", string(cacheData)),
		"zone":             writeTestFile(t, dir, "keys.zone", zone.String()),
	}

	want := verdictsWith(t, "testdata/keys.jsonl")
	for name, file := range converted {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name+".jsonl")
			code, _, stderr := runKeysForTest(t, "import", "--out", out, file)
			require.Equal(t, 0, code, "keys import %s; stderr %s", name, stderr)
			assert.Equal(t, want, verdictsWith(t, out), "verdicts and signature results with the keys imported from %s", name)
		})
	}
}

// verdictsWith runs verify on the sample with one key file and returns,
// per message, its verdict, confidence and signature results.
func verdictsWith(t *testing.T, keys string) []string {
	t.Helper()
	r := runCLI(t, "verify", "--keys", keys, "--format", "json", "testdata/sample.mbox")
	require.Equal(t, 0, r.code, "verify --keys %s; stderr %s", keys, r.stderr)
	var out []string
	for _, rec := range decodeRecords(t, r.stdout) {
		line := fmt.Sprintf("%v %v %v", rec["index"], rec["verdict"], rec["confidence"])
		for _, s := range rec["signatures"].([]any) {
			sig := s.(map[string]any)
			line += fmt.Sprintf(" %v/%v:%v", sig["domain"], sig["selector"], sig["result"])
		}
		out = append(out, line)
	}
	return out
}

// split255 splits s into TXT strings of at most 255 bytes.
func split255(s string) []string {
	var out []string
	for len(s) > 255 {
		out, s = append(out, s[:255]), s[255:]
	}
	return append(out, s)
}

// importedRecordsRoundTrip fails unless recs, written as a JSON Lines key
// file, read back as the same records: whatever an import accepts, verify
// can use.
func importedRecordsRoundTrip(t *testing.T, recs []dkim.KeyRecord) {
	var b strings.Builder
	for _, r := range recs {
		line, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%+v): %v", r, err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	kf, err := dkim.ReadKeyFile(strings.NewReader(b.String()), "imported")
	if err != nil {
		t.Fatalf("imported records do not read back as a key file: %v\n%s", err, b.String())
	}
	if got := kf.Records(); len(got) != len(recs) {
		t.Fatalf("imported %d records, read back %d", len(recs), len(got))
	}
	for _, r := range recs {
		if r.Domain == "" || r.Selector == "" || r.Source == "" {
			t.Fatalf("imported record without a name or a source: %+v", r)
		}
	}
}

func FuzzParseZKArchive(f *testing.F) {
	f.Add([]byte(`[{"domain":"Example.com","selector":"s1","firstSeenAt":"2016-01-04T00:00:00.000Z","lastSeenAt":"2026-12-07T00:00:00.000Z","value":"v=DKIM1; k=rsa; p=AB"}]`))
	f.Add([]byte(`[{"domain":"a.example","selector":"s","value":"p=","firstSeenAt":null,"lastSeenAt":null}, {"domain":"..","selector":"x","value":""}]`))
	f.Add([]byte(`[{"domain":"bücher.example","selector":"s\u202e","value":"p=\u0000","lastSeenAt":"0001-01-01T00:00:00Z"}]`))
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := parseZKArchive(data, "zk.json", now, now.AddDate(0, 0, -3))
		if err != nil {
			if recs != nil {
				t.Fatalf("records with an error: %v", err)
			}
			return
		}
		for _, r := range recs {
			if !r.LastSeen.IsZero() && sameDay(r.LastSeen, now) {
				t.Fatalf("a row of the import day kept as history: %+v", r)
			}
		}
		importedRecordsRoundTrip(t, recs)
	})
}

func FuzzParseMailauthCache(f *testing.F) {
	f.Add([]byte(`{"s1._domainkey.example.com":{"TXT":[["v=DKIM1; ","p=AB"]]},"_dmarc.example.com":{"TXT":[["v=DMARC1"]]},"example.com":{"MX":[{"exchange":"mx","priority":10}]}}`))
	f.Add([]byte(`{"a.b._domainkey.example.org.":{"txt":["p="]},"._domainkey.":{"TXT":[]}}`))
	f.Add([]byte(`{"s._domainkey.a.example":{"TXT":{"code":"ENOTFOUND"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, skipped, err := parseMailauthCache(data, "dns.json")
		if err != nil {
			if recs != nil || skipped != 0 {
				t.Fatalf("records with an error: %v", err)
			}
			return
		}
		if skipped < 0 {
			t.Fatalf("skipped %d", skipped)
		}
		importedRecordsRoundTrip(t, recs)
		if k := importKind(data); k != importMailauth && len(recs) > 0 {
			// A cache with keys must be told apart from the other kinds,
			// or keys import would read it with the wrong parser.
			var m map[string]json.RawMessage
			if json.Unmarshal(data, &m) == nil {
				if _, hasDomain := m["domain"]; !hasDomain {
					t.Fatalf("importKind = %s for a mailauth cache with %d keys", k, len(recs))
				}
			}
		}
	})
}
