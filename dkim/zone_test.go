package dkim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

func TestReadKeyFileZone(t *testing.T) {
	type rec struct{ Domain, Selector, TXT string }
	for _, tt := range []struct {
		name    string
		in      string
		want    []rec
		errLine int
		errText string
	}{
		{"one line", `s1._domainkey.example.com. IN TXT "v=DKIM1; p=AAA"`,
			[]rec{{"example.com", "s1", "v=DKIM1; p=AAA"}}, 0, ""},
		{"multi-string", `s1._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; " "p=AAA" "BBB"`,
			[]rec{{"example.com", "s1", "v=DKIM1; k=rsa; p=AAABBB"}}, 0, ""},
		{"parenthesised multi-line with comments", "s1._domainkey.Example.COM. IN TXT ( \"v=DKIM1; k=rsa; \" ; first part\n" +
			"\t\"p=AAA\"   ; the key\n" +
			"\t\"BBB\" )  ; end\n",
			[]rec{{"example.com", "s1", "v=DKIM1; k=rsa; p=AAABBB"}}, 0, ""},
		{"origin, relative names, @ and blank owner", "$ORIGIN example.org.\n$TTL 1h\n" +
			"@ IN SOA ns.example.org. admin.example.org. ( 2026112501 ; serial\n 3600 900 604800 60 )\n" +
			"@ IN NS ns\n" +
			"s2._domainkey IN TXT \"v=DKIM1; p=CCC\"\n" +
			"    IN TXT \"v=DKIM1; p=DDD\"\n" +
			"_dmarc IN TXT \"v=DMARC1; p=none\"\n" +
			"@ IN TXT \"v=spf1 -all\"\n" +
			"$ORIGIN _domainkey.example.net.\n" +
			"old 86400 IN TXT \"p=\"\n",
			[]rec{{"example.org", "s2", "v=DKIM1; p=CCC"}, {"example.org", "s2", "v=DKIM1; p=DDD"}, {"example.net", "old", "p="}}, 0, ""},
		{"TTL and class in either order, lower-case type", "a._domainkey.x.example. IN 300 txt \"p=1\"\nb._domainkey.x.example. 300 txt \"p=2\"\nc._domainkey.x.example. txt p=3",
			[]rec{{"x.example", "a", "p=1"}, {"x.example", "b", "p=2"}, {"x.example", "c", "p=3"}}, 0, ""},
		{"escapes", `e._domainkey.x.example. IN TXT "v=DKIM1; n=say \"hi\"\\; p=\065\066"`,
			[]rec{{"x.example", "e", `v=DKIM1; n=say "hi"\; p=AB`}}, 0, ""},
		{"semicolon inside quotes is not a comment", `e._domainkey.x.example. IN TXT "v=DKIM1; p=A" ; comment`,
			[]rec{{"x.example", "e", "v=DKIM1; p=A"}}, 0, ""},
		{"CRLF lines", "a._domainkey.x.example. IN TXT \"p=1\"\r\nb._domainkey.x.example. IN TXT \"p=2\"\r\n",
			[]rec{{"x.example", "a", "p=1"}, {"x.example", "b", "p=2"}}, 0, ""},
		{"empty TXT", `a._domainkey.x.example. IN TXT ""`, []rec{{"x.example", "a", ""}}, 0, ""},
		{"only comments", "; nothing here\n\n", nil, 0, ""},
		{"unterminated quote", "a._domainkey.x.example. IN TXT \"p=1\"\nb._domainkey.x.example. IN TXT \"p=2\n", nil, 2, "unterminated"},
		{"unclosed parenthesis", "a._domainkey.x.example. IN TXT ( \"p=1\"\n\"p=2\"\n", nil, 3, "without"},
		{"stray close", "a._domainkey.x.example. IN TXT \"p=1\" )", nil, 1, "without"},
		{"include", "\n$INCLUDE other.zone\n", nil, 2, "$INCLUDE"},
		{"unknown directive", "$GENERATE 1-2 x A 1.2.3.4", nil, 1, "directive"},
		{"blank owner first", "  IN TXT \"p=1\"", nil, 1, "owner"},
		{"no type", "a._domainkey.x.example. 300 IN", nil, 1, "type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readKeyFileString(t, tt.in, "keys.zone")
			if tt.errLine != 0 {
				var kfe *KeyFileError
				require.ErrorAs(t, err, &kfe, "ReadKeyFile(%q) error type", tt.in)
				assert.ErrorIs(t, err, ErrKeyFile, "ReadKeyFile(%q) wraps ErrKeyFile", tt.in)
				assert.Equal(t, tt.errLine, kfe.Line, "ReadKeyFile(%q) error line", tt.in)
				assert.Equal(t, "keys.zone", kfe.Name, "ReadKeyFile(%q) error file name", tt.in)
				assert.ErrorContains(t, err, tt.errText, "ReadKeyFile(%q) error text", tt.in)
				return
			}
			require.NoError(t, err, "ReadKeyFile(%q)", tt.in)
			var got []rec
			for _, r := range f.Records() {
				assert.Equal(t, "keys.zone", r.Source, "zone record source is the file name")
				got = append(got, rec{r.Domain, r.Selector, r.TXT})
			}
			assert.Equal(t, tt.want, got, "ReadKeyFile(%q) records", tt.in)
		})
	}
}

// TestReadKeyFileZoneKey checks that a zone record, split the way BIND
// splits long records, parses as the key it holds.
func TestReadKeyFileZoneKey(t *testing.T) {
	b64 := testmail.MustKey("rsa1024").PublicBase64()
	var zone strings.Builder
	zone.WriteString("$ORIGIN example.com.\nsel._domainkey 3600 IN TXT ( \"v=DKIM1; k=rsa; p=\"\n")
	for len(b64) > 0 {
		n := min(60, len(b64))
		zone.WriteString("\t\"" + b64[:n] + "\"\n")
		b64 = b64[n:]
	}
	zone.WriteString(")\n")
	f, err := readKeyFileString(t, zone.String(), "k.zone")
	require.NoError(t, err, "ReadKeyFile(zone)")
	got := (&Options{Keys: f}).resolver().Lookup(t.Context(), "example.com", "sel")
	require.Len(t, got.Candidates, 1, "LookupKeys candidates (err %v)", got.Err)
	assert.Equal(t, 1024, got.Candidates[0].Key.Bits(), "key bits from the zone file")
	assert.Equal(t, "k.zone", got.Candidates[0].Record.Source, "key source is the zone file")
}

func FuzzReadKeyFileZone(f *testing.F) {
	f.Add([]byte("$ORIGIN example.org.\n$TTL 1h\n@ IN SOA ns admin ( 1 2 3 4 5 )\ns2._domainkey IN TXT ( \"v=DKIM1; \" ; c\n \"p=CCC\" )\n  IN TXT \"p=\"\n"))
	f.Add([]byte(`e._domainkey.x.example. IN 300 TXT "v=DKIM1; n=say \"hi\"\\; p=\065\066" "x"`))
	f.Add([]byte("a._domainkey.x.example. IN TXT \"p=1\r\n"))
	f.Add([]byte("$INCLUDE x\n"))
	// Refused names whose Unicode upper case is another name.
	f.Add([]byte("\u017f._domainkey.\uff41.example. IN TXT \"p=\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.HasPrefix(bytes.TrimLeft(in, " \t\r\n\ufeff"), []byte("{")) {
			return // that is JSON Lines, fuzzed by FuzzReadKeyFileJSONLines
		}
		kf, err := ReadKeyFile(bytes.NewReader(in), "fuzz.zone")
		if err != nil {
			require.ErrorIs(t, err, ErrKeyFile, "ReadKeyFile error wraps ErrKeyFile")
			return
		}
		total := 0
		for _, r := range kf.Records() {
			require.Empty(t, r.DNSError, "zone records are never DNS failures")
			total += len(r.TXT)
		}
		require.LessOrEqual(t, total, len(in), "record texts are never longer than the input")
		checkKeyFileInvariants(t, kf, in)
	})
}

// TestReadKeyFileZoneLookAlikes checks that an owner name in a zone file
// answers a signature's name as the same name in a JSON Lines key file
// does: ASCII letters in any case, and no look-alike of an ASCII letter
// (the Kelvin sign, a dotted capital I) folded onto it.
func TestReadKeyFileZoneLookAlikes(t *testing.T) {
	for _, tt := range []struct {
		owner, domain, selector string // the owner, and the name asked for
		found                   bool
	}{
		{"S1._DOMAINKEY.Key.Example.", "key.example", "s1", true},
		{"s1._domainkey.\u212Aey.example.", "key.example", "s1", false},
		{"\u212A1._domainkey.key.example.", "key.example", "k1", false},
		{"s1._domainkey.\u0130nfo.example.", "info.example", "s1", false},
		{"s1._domainkey.B\u00fccher.example.", "xn--bcher-kva.example", "s1", true},
		{"s1._domainkey.B\u00dcCHER.example.", "xn--bcher-kva.example", "s1", true},
	} {
		f, err := readKeyFileString(t, tt.owner+" IN TXT \"p=\"\n", "keys.zone")
		require.NoError(t, err, "ReadKeyFile(%q)", tt.owner)
		recs, err := f.Lookup(t.Context(), tt.domain, tt.selector)
		require.NoError(t, err)
		assert.Equal(t, tt.found, len(recs) > 0, "a zone record owned by %q answers %s, %s", tt.owner, tt.domain, tt.selector)
	}
}
