package dkim

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readKeyFileString(t *testing.T, s, name string) (*KeyFile, error) {
	t.Helper()
	return ReadKeyFile(strings.NewReader(s), name)
}

func TestReadKeyFileJSONLines(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err, "time.Parse(%q)", s)
		return v
	}
	for _, tt := range []struct {
		name    string
		in      string
		want    []KeyRecord
		errLine int // 0: no error
		errText string
	}{
		{"full record", `{"domain":"Gmail.COM.","selector":"20161025","txt":"v=DKIM1; p=","first_seen":"2016-10-25T00:00:00Z","last_seen":"2021-01-12T00:00:00+01:00","seen":"2026-11-25T10:00:00Z","private_key_published":"2022-01-01T00:00:00Z","source":"where it came from","note":"ignored"}`,
			[]KeyRecord{{Domain: "gmail.com", Selector: "20161025", TXT: "v=DKIM1; p=", FirstSeen: ts("2016-10-25T00:00:00Z"),
				LastSeen: ts("2021-01-12T00:00:00+01:00"), Seen: ts("2026-11-25T10:00:00Z"), PrivateKeyPublished: ts("2022-01-01T00:00:00Z"), Source: "where it came from"}}, 0, ""},
		{"name as source", `{"domain":"a.example","selector":"s","txt":"p="}`,
			[]KeyRecord{{Domain: "a.example", Selector: "s", TXT: "p=", Source: "keys.jsonl"}}, 0, ""},
		{"recorded failures and blank lines", "\n" + `{"domain":"a.example","selector":"s","txt":null,"dns_error":"NXDOMAIN"}` + "\r\n\n" + `  {"domain":"a.example","selector":"t","dns_error":"servfail"}  `,
			[]KeyRecord{{Domain: "a.example", Selector: "s", DNSError: "NXDOMAIN", Source: "keys.jsonl"}, {Domain: "a.example", Selector: "t", DNSError: "SERVFAIL", Source: "keys.jsonl"}}, 0, ""},
		{"recovered key", `{"domain":"a.example","selector":"s","txt":"p=","recovered":true,"recovered_from":["1@a.example","2@a.example"]}`,
			[]KeyRecord{{Domain: "a.example", Selector: "s", TXT: "p=", Source: "keys.jsonl", Recovered: true, RecoveredFrom: []string{"1@a.example", "2@a.example"}}}, 0, ""},
		{"recovered false", `{"domain":"a.example","selector":"s","txt":"p=","recovered":false}`,
			[]KeyRecord{{Domain: "a.example", Selector: "s", TXT: "p=", Source: "keys.jsonl"}}, 0, ""},
		{"recovered_from without recovered", `{"domain":"a.example","selector":"s","txt":"p=","recovered_from":["1@a.example"]}`, nil, 1, `"recovered_from" without`},
		{"recovered DNS failure", `{"domain":"a.example","selector":"s","txt":null,"dns_error":"NXDOMAIN","recovered":true}`, nil, 1, `"recovered" on a recorded DNS failure`},
		{"recovered not a boolean", `{"domain":"a.example","selector":"s","txt":"p=","recovered":"yes"}`, nil, 1, "recovered"},
		{"empty file", "", nil, 0, ""},
		{"missing domain", `{"domain":"a.example","selector":"s","txt":"p="}` + "\n" + `{"selector":"s","txt":"p="}`, nil, 2, `missing "domain"`},
		{"missing selector", `{"domain":"a.example","txt":"p="}`, nil, 1, `missing "selector"`},
		{"null txt without error", `{"domain":"a.example","selector":"s","txt":null}`, nil, 1, "no \"dns_error\""},
		{"txt and error", `{"domain":"a.example","selector":"s","txt":"p=","dns_error":"TIMEOUT"}`, nil, 1, "both"},
		{"unknown dns error", `{"domain":"a.example","selector":"s","txt":null,"dns_error":"FORMERR"}`, nil, 1, "FORMERR"},
		{"bad time", `{"domain":"a.example","selector":"s","txt":"p=","seen":"yesterday"}`, nil, 1, "seen"},
		{"txt not a string", `{"domain":"a.example","selector":"s","txt":5}`, nil, 1, "txt"},
		{"not JSON", `{"domain":"a.example","selector":"s","txt":"p="}` + "\n\n" + `domain=a.example`, nil, 3, "invalid character"},
		{"two values", `{"domain":"a.example","selector":"s","txt":"p="} {}`, nil, 1, "more than one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readKeyFileString(t, tt.in, "keys.jsonl")
			if tt.errLine != 0 {
				var kfe *KeyFileError
				require.ErrorAs(t, err, &kfe, "ReadKeyFile(%q) error type", tt.in)
				assert.ErrorIs(t, err, ErrKeyFile, "ReadKeyFile(%q) error wraps ErrKeyFile", tt.in)
				assert.Equal(t, tt.errLine, kfe.Line, "ReadKeyFile(%q) error line", tt.in)
				assert.ErrorContains(t, err, tt.errText, "ReadKeyFile(%q) error text", tt.in)
				assert.ErrorContains(t, err, "keys.jsonl", "ReadKeyFile(%q) error names the file", tt.in)
				return
			}
			require.NoError(t, err, "ReadKeyFile(%q)", tt.in)
			assert.Equal(t, tt.want, f.Records(), "ReadKeyFile(%q) records", tt.in)
		})
	}
}

func TestKeyFileLookup(t *testing.T) {
	f, err := readKeyFileString(t, `{"domain":"Example.com","selector":"S1","txt":"p=1"}
{"domain":"example.org","selector":"s1","txt":"p=2"}
{"domain":"example.com.","selector":"s1","txt":"p=3","source":"rotated"}
`, "k.jsonl")
	require.NoError(t, err, "ReadKeyFile")
	for _, tt := range []struct {
		domain, selector string
		want             []string
	}{
		{"example.com", "s1", []string{"p=1", "p=3"}},
		{"EXAMPLE.COM.", "S1.", []string{"p=1", "p=3"}},
		{"example.org", "s1", []string{"p=2"}},
		{"example.net", "s1", nil},
		{"example.com", "s2", nil},
	} {
		recs, err := f.Lookup(t.Context(), tt.domain, tt.selector)
		require.NoError(t, err, "Lookup(%s, %s)", tt.domain, tt.selector)
		var got []string
		for _, r := range recs {
			got = append(got, r.TXT)
		}
		assert.Equal(t, tt.want, got, "Lookup(%s, %s) record texts in file order", tt.domain, tt.selector)
	}
}

// TestKeyFileLookAlikes checks which names written in a JSON Lines key
// file answer a signature's A-label name: ASCII letters in any case,
// surrounding Unicode white space and an A-label in any case do; a
// character that only looks like an ASCII letter or dot (the Kelvin sign,
// a dotted capital I, the long s, full-width letters and stops, the
// ideographic full stop) or hides behind a zero-width space does not.
func TestKeyFileLookAlikes(t *testing.T) {
	const bücher = "xn--bcher-kva.example" // the A-label of bücher.example
	for _, tt := range []struct {
		domain, selector string // as written in the key file
		asked            string // the domain asked for, with selector s1
		found            bool
	}{
		{"KEY.Example", "S1", "key.example", true},
		{"\u00a0key.example.\u3000", "s1\u0085", "key.example", true},
		{"\u212Aey.example", "s1", "key.example", false},                  // Kelvin sign
		{"\u0130nfo.example", "s1", "info.example", false},                // dotted capital I
		{"\u017Fkey.example", "s1", "skey.example", false},                // long s
		{"\uff4bey.example", "s1", "key.example", false},                  // full-width k
		{"key\uff0eexample", "s1", "key.example", false},                  // full-width full stop
		{"key\u3002example", "s1", "key.example", false},                  // ideographic full stop
		{"key.example\u200b", "s1", "key.example", false},                 // zero-width space
		{"Bücher.example", "s1", bücher, true},                            // U-label: its A-label
		{"XN--BCHER-KVA.EXAMPLE", "S1", bücher, true},                     // A-label in upper case
		{"BÜCHER.example", "S1", bücher, true},                            // U-label in upper case: folded
		{"\u00c5ngstrom.example", "s1", "xn--ngstrom-dxa.example", true},  // capital Å: folded to å
		{"\u212Bngstrom.example", "s1", "xn--ngstrom-dxa.example", false}, // Ångström sign, not å
		{"\u03a9mega.example", "s1", "xn--mega-fpd.example", true},        // capital omega: folded
		{"\u2126mega.example", "s1", "xn--mega-fpd.example", false},       // Ohm sign, not ω
		{"bücher\uff0eexample", "s1", bücher, false},                      // full-width stop in a U-label
		{"xn--bcher-kva.example\u200b", "s1", bücher, false},              // zero-width space
	} {
		line, err := json.Marshal(map[string]string{"domain": tt.domain, "selector": tt.selector, "txt": "p="})
		require.NoError(t, err)
		f, err := readKeyFileString(t, string(line), "k.jsonl")
		require.NoError(t, err, "ReadKeyFile(%s)", line)
		recs, err := f.Lookup(t.Context(), tt.asked, "s1")
		require.NoError(t, err)
		assert.Equal(t, tt.found, len(recs) > 0, "a key file record for %q, %q answers %s, s1", tt.domain, tt.selector, tt.asked)
	}
}

func TestKeyRecordJSONRoundTrip(t *testing.T) {
	recs := []KeyRecord{
		{Domain: "example.com", Selector: "s1", TXT: `v=DKIM1; n="<quoted & html>"; p=`, Source: "x",
			FirstSeen: time.Date(2016, 10, 25, 0, 0, 0, 0, time.UTC), Seen: time.Date(2026, 11, 25, 10, 0, 0, 5, time.FixedZone("", 3600))},
		{Domain: "example.com", Selector: "s2", DNSError: "TIMEOUT", Source: "dns"},
		{Domain: "example.com", Selector: "s3", TXT: "", Source: "empty record"},
		{Domain: "example.com", Selector: "s4", TXT: "p=", Source: "recovered", Recovered: true, RecoveredFrom: []string{"1@example.com", "2@example.com"}},
	}
	var b bytes.Buffer
	for _, r := range recs {
		line, err := r.MarshalJSON()
		require.NoError(t, err, "MarshalJSON(%+v)", r)
		assert.NotContains(t, string(line), "\n", "MarshalJSON output is one line")
		b.Write(line)
		b.WriteByte('\n')
	}
	assert.Contains(t, b.String(), `"txt":null,"dns_error":"TIMEOUT"`, "a DNS failure is written with txt null")
	assert.Contains(t, b.String(), `<quoted & html>`, "HTML characters are not escaped")
	f, err := ReadKeyFile(&b, "rt")
	require.NoError(t, err, "ReadKeyFile of marshalled records")
	got := f.Records()
	require.Len(t, got, len(recs), "records read back")
	for i := range recs {
		assert.Equal(t, recs[i].TXT, got[i].TXT, "record %d txt", i)
		assert.Equal(t, recs[i].DNSError, got[i].DNSError, "record %d dns_error", i)
		assert.True(t, recs[i].Seen.Equal(got[i].Seen), "record %d seen: %v vs %v", i, recs[i].Seen, got[i].Seen)
		assert.True(t, recs[i].FirstSeen.Equal(got[i].FirstSeen), "record %d first_seen", i)
	}

	var r KeyRecord
	require.NoError(t, r.UnmarshalJSON([]byte(`{"domain":"A.example","selector":"s","txt":null,"dns_error":"refused"}`)), "UnmarshalJSON")
	assert.Equal(t, KeyRecord{Domain: "a.example", Selector: "s", DNSError: "REFUSED"}, r, "UnmarshalJSON record")
	assert.Error(t, r.UnmarshalJSON([]byte(`{"domain":"a.example"}`)), "UnmarshalJSON without selector")
}

func TestReadKeyFileCap(t *testing.T) {
	_, err := ReadKeyFile(strings.NewReader(`{"domain":"a","selector":"b","txt":"`+strings.Repeat("A", maxKeyFileLine)+`"}`), "big")
	assert.ErrorIs(t, err, ErrKeyFile, "a line over the cap is refused")
	assert.Equal(t, "dkim: key file huge: too big", (&KeyFileError{Name: "huge", Err: errors.New("too big")}).Error(), "a whole-file error has no line")
	_, err = ReadKeyFile(errReader{}, "broken")
	assert.ErrorContains(t, err, "broken", "a failing reader's error names the file")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestConformanceKeyFiles loads the key archives of the external suites
// and checks how each record of Mail::DKIM's fake DNS parses.
func TestConformanceKeyFiles(t *testing.T) {
	type want struct {
		dnsError              string
		err                   error
		typ                   string
		bits                  int
		revoked, testing      bool
		strict, email, sha256 bool
	}
	rsa := func(bits int) want { return want{typ: "rsa", bits: bits, email: true, sha256: true} }
	mailDKIM := map[string]want{
		"expirationtest._domainkey.example.org":                    rsa(1024),
		"selector1._domainkey.messiah.edu":                         rsa(1024),
		"test1._domainkey.messiah.edu":                             {typ: "rsa", bits: 512, testing: true, email: true, sha256: true},
		"test2._domainkey.messiah.edu":                             {typ: "rsa", bits: 512, testing: true, email: true},
		"test3._domainkey.messiah.edu":                             rsa(512),
		"test4._domainkey.messiah.edu":                             rsa(512),
		"test5._domainkey.messiah.edu":                             {typ: "rsa", bits: 512, strict: true, email: true, sha256: true},
		"test6._domainkey.messiah.edu":                             {typ: "rsa", bits: 1024, strict: true, email: true, sha256: true},
		"testbad1._domainkey.messiah.edu":                          {err: ErrKeyUnsupported},
		"testbad2._domainkey.messiah.edu":                          {err: ErrKeyMalformed},
		"testbad3._domainkey.messiah.edu":                          {err: ErrKeyUnsupported},
		"testbad4._domainkey.messiah.edu":                          {typ: "rsa", bits: 512, sha256: true},
		"testbad7._domainkey.messiah.edu":                          {typ: "rsa", bits: 512, email: true},
		"testbad8._domainkey.messiah.edu":                          rsa(512),
		"testrevoked._domainkey.messiah.edu":                       {typ: "rsa", revoked: true, testing: true, email: true, sha256: true},
		"s1024._domainkey.yahoo.com":                               {typ: "rsa", bits: 1024, testing: true, email: true, sha256: true},
		"beta._domainkey.gmail.com":                                {typ: "rsa", bits: 1024, testing: true, email: true, sha256: true},
		"jakla2._domainkey.ijs.si":                                 rsa(1024),
		"shan._domainkey.vmt2.cis.att.net":                         rsa(768),
		"foo._domainkey.vmt2.cis.att.net":                          rsa(768),
		"nonexistent._domainkey.messiah.edu":                       {dnsError: "NXDOMAIN"},
		"test3._domainkey.blackhole.messiah.edu":                   {dnsError: "TIMEOUT"},
		"test3._domainkey.blackhole2.messiah.edu":                  {dnsError: "SERVFAIL"},
		"2023-05-ed25519._domainkey.wander.science":                {typ: "ed25519", bits: 256, email: true, sha256: true},
		"2023-05-ed25519-empty._domainkey.wander.science":          {err: ErrKeyMalformed},
		"invalid._domainkey.wander.science":                        {err: ErrKeyMalformed},
		"2023-05-ed25519-does-not-exist._domainkey.wander.science": {dnsError: "NXDOMAIN"},
	}
	dkimpy := map[string]want{
		"20120113._domainkey.gmail.com":            rsa(2048),
		"brisbane._domainkey.football.example.com": {typ: "ed25519", bits: 256, email: true, sha256: true},
		"test._domainkey.football.example.com":     rsa(1024),
		"sed._domainkey.test.ex":                   {typ: "ed25519", bits: 256, email: true, sha256: true},
		"test._domainkey.example.com":              rsa(1024),
	}
	for _, suite := range []struct {
		name string
		want map[string]want
	}{{"mail-dkim", mailDKIM}, {"dkimpy", dkimpy}} {
		t.Run(suite.name, func(t *testing.T) {
			path := filepath.Join(testenv.Conformance(t, suite.name), "keys.jsonl")
			fh, err := os.Open(path)
			require.NoError(t, err, "open %s", path)
			defer fh.Close()
			f, err := ReadKeyFile(fh, path)
			require.NoError(t, err, "ReadKeyFile(%s)", path)
			recs := f.Records()
			require.Len(t, recs, len(suite.want), "records in %s", path)
			for _, r := range recs {
				name := r.Selector + "._domainkey." + r.Domain
				w, ok := suite.want[name]
				require.True(t, ok, "%s: unexpected record %s", path, name)
				assert.NotEmpty(t, r.Source, "%s has a source", name)
				if w.dnsError != "" {
					assert.Equal(t, w.dnsError, r.DNSError, "%s dns_error", name)
					continue
				}
				k, err := ParseKey(r.TXT)
				if w.err != nil {
					assert.ErrorIs(t, err, w.err, "ParseKey(%s)", name)
					continue
				}
				require.NoError(t, err, "ParseKey(%s)", name)
				got := want{typ: k.Type(), bits: k.Bits(), revoked: k.Revoked(), testing: k.Testing(),
					strict: k.Strict(), email: k.AllowsEmail(), sha256: k.AllowsHash("sha256")}
				assert.Equal(t, w, got, "ParseKey(%s) properties", name)
			}
		})
	}

	// How each of Mail::DKIM's key-failure cases reads: a missing key, a
	// revoked one, and malformed records (docs/keys.md).
	path := filepath.Join(testenv.Conformance(t, "mail-dkim"), "keys.jsonl")
	fh, err := os.Open(path)
	require.NoError(t, err, "open %s", path)
	defer fh.Close()
	f, err := ReadKeyFile(fh, path)
	require.NoError(t, err, "ReadKeyFile(%s)", path)
	for _, tt := range []struct {
		domain, selector string
		want             Result
	}{
		{"messiah.edu", "nonexistent", ResultNoKey},         // badkey_1
		{"messiah.edu", "testrevoked", ResultRevoked},       // badkey_2
		{"messiah.edu", "testbad1", ResultPermError},        // badkey_3
		{"messiah.edu", "testbad2", ResultPermError},        // badkey_4
		{"messiah.edu", "testbad3", ResultPermError},        // badkey_5
		{"blackhole.messiah.edu", "test3", ResultTempError}, // badkey_14
		{"blackhole2.messiah.edu", "test3", ResultTempError},
		{"wander.science", "2023-05-ed25519-does-not-exist", ResultNoKey},
		{"wander.science", "2023-05-ed25519-empty", ResultPermError},
		{"wander.science", "invalid", ResultPermError},
		{"wander.science", "2023-05-ed25519", ResultNone},
		{"nowhere.example", "x", ResultNoKey},
	} {
		got := (&Options{Keys: f}).resolver().Lookup(t.Context(), tt.domain, tt.selector)
		assert.Equal(t, tt.want, Result(got.Result), "LookupKeys(%s, %s) result (err %v)", tt.domain, tt.selector, got.Err)
	}
}

// TestRepoKeyFiles checks that the repository's shared test key archive
// and its zone-file twin load, and that every key in the zone file is in
// the archive with the same text.
func TestRepoKeyFiles(t *testing.T) {
	read := func(name string) *KeyFile {
		path := filepath.Join("..", "testdata", name)
		fh, err := os.Open(path)
		if os.IsNotExist(err) {
			t.Skipf("%s is absent", path)
		}
		require.NoError(t, err, "open %s", path)
		defer fh.Close()
		f, err := ReadKeyFile(fh, path)
		require.NoError(t, err, "ReadKeyFile(%s)", path)
		return f
	}
	archive, zone := read("keys.jsonl"), read("keys.zone")
	require.NotEmpty(t, zone.Records(), "the zone file has records")
	for _, z := range zone.Records() {
		recs, err := archive.Lookup(t.Context(), z.Domain, z.Selector)
		require.NoError(t, err, "Lookup")
		var txts []string
		for _, r := range recs {
			txts = append(txts, r.TXT)
		}
		assert.Contains(t, txts, z.TXT, "zone record %s._domainkey.%s is in keys.jsonl", z.Selector, z.Domain)
	}
}

// checkKeyFileInvariants checks what every successfully read key file
// guarantees, and that writing it as JSON Lines and reading it back gives
// the same records.
func checkKeyFileInvariants(t *testing.T, f *KeyFile, in []byte) {
	t.Helper()
	recs := f.Records()
	var b bytes.Buffer
	roundTrip := true
	for _, r := range recs {
		require.NotEmpty(t, r.Domain, "record domain from %q", in)
		require.NotEmpty(t, r.Selector, "record selector from %q", in)
		require.Equal(t, dkimcore.NormalName(r.Domain), r.Domain, "domain is normalised")
		require.Equal(t, dkimcore.NormalName(r.Selector), r.Selector, "selector is normalised")
		require.NotEmpty(t, r.Source, "record has a source")
		if r.DNSError != "" {
			require.Contains(t, []string{"NXDOMAIN", "SERVFAIL", "TIMEOUT", "REFUSED", "TRUNCATED"}, r.DNSError, "dns_error vocabulary")
			require.Empty(t, r.TXT, "a DNS failure has no text")
		}
		require.True(t, r.Recovered || r.RecoveredFrom == nil, "recovered_from only on a recovered record")
		require.False(t, r.Recovered && r.DNSError != "", "a recorded DNS failure is never recovered")
		for _, s := range append([]string{r.Domain, r.Selector, r.TXT, r.Source}, r.RecoveredFrom...) {
			roundTrip = roundTrip && utf8.ValidString(s) // JSON cannot carry other bytes
		}
		line, err := r.MarshalJSON()
		require.NoError(t, err, "MarshalJSON")
		b.Write(line)
		b.WriteByte('\n')
		// Names match with ASCII letters in any case; no other character
		// is case-folded ("ſ" is not "s", "ａ" is not "Ａ").
		got, err := f.Lookup(t.Context(), upperASCII(r.Domain), r.Selector+".")
		require.NoError(t, err, "Lookup")
		require.NotEmpty(t, got, "a record can be looked up by its own name")
	}
	if !roundTrip || len(recs) == 0 {
		return
	}
	back, err := ReadKeyFile(&b, "roundtrip")
	require.NoError(t, err, "re-reading %q", b.String())
	got := back.Records()
	require.Len(t, got, len(recs), "records after a round trip")
	for i := range recs {
		require.Equal(t, recs[i].Domain, got[i].Domain, "round trip domain")
		require.Equal(t, recs[i].Selector, got[i].Selector, "round trip selector")
		require.Equal(t, recs[i].TXT, got[i].TXT, "round trip txt")
		require.Equal(t, recs[i].DNSError, got[i].DNSError, "round trip dns_error")
		require.Equal(t, recs[i].Source, got[i].Source, "round trip source")
		require.True(t, recs[i].Seen.Equal(got[i].Seen), "round trip seen")
		require.Equal(t, recs[i].Recovered, got[i].Recovered, "round trip recovered")
		require.Equal(t, recs[i].RecoveredFrom, got[i].RecoveredFrom, "round trip recovered_from")
	}
}

// upperASCII upper-cases the ASCII letters of s and leaves every other
// byte as it is.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func FuzzReadKeyFileJSONLines(f *testing.F) {
	f.Add([]byte(`{"domain":"gmail.com","selector":"20161025","txt":"v=DKIM1; k=rsa; p=MIIB","first_seen":"2016-10-25T00:00:00Z","source":"s"}`))
	f.Add([]byte(`{"domain":"a.example","selector":"s","txt":null,"dns_error":"NXDOMAIN"}` + "\n\n" + `{"domain":"A.example.","selector":"t","txt":"p=","seen":"2026-11-25T10:00:00.5+02:00"}`))
	f.Add([]byte(`{"domain":"a","selector":"b","txt":"\u00e9\"","note":[1,2]}`))
	f.Add([]byte("{\"domain\":\"a\"}\n{"))
	f.Add([]byte(`{"domain":"a","selector":"b","txt":"p=","recovered":true,"recovered_from":["x@a","y"]}` + "\n" + `{"domain":"a","selector":"c","txt":"p=","recovered_from":[]}`))
	// A name the A-label conversion refuses, whose Unicode lower case it
	// would accept: stored as written, so that it reads back the same.
	f.Add([]byte(`{"domain":"Ԙ","selector":"SK","txt":"p="}`))
	// Refused names whose Unicode upper case is another name: the long s
	// (upper case "S"), a full-width letter.
	f.Add([]byte(`{"domain":"ſ.example","selector":"ａ","txt":"p="}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		kf, err := ReadKeyFile(bytes.NewReader(in), "fuzz.jsonl")
		if err != nil {
			require.ErrorIs(t, err, ErrKeyFile, "ReadKeyFile error wraps ErrKeyFile")
			return
		}
		checkKeyFileInvariants(t, kf, in)
	})
}
