package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/dkim"
)

// keysTestDNS is a tiny UDP DNS server on 127.0.0.1: names in txt get
// their TXT records, names in rcode that code, anything else NXDOMAIN.
func keysTestDNS(t *testing.T, txt map[string][]string, rcode map[string]dnsmessage.RCode) string {
	t.Helper()
	pc, err := (&net.ListenConfig{}).ListenPacket(t.Context(), "udp", "127.0.0.1:0")
	require.NoError(t, err, "listen udp")
	var wg sync.WaitGroup
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	wg.Go(func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			name := strings.ToLower(q.Name.String())
			rh := dnsmessage.Header{ID: h.ID, Response: true, RCode: dnsmessage.RCodeNameError}
			recs, ok := txt[name]
			if ok {
				rh.RCode = dnsmessage.RCodeSuccess
			}
			if c, ok := rcode[name]; ok {
				rh.RCode = c
			}
			b := dnsmessage.NewBuilder(nil, rh)
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			for _, r := range recs {
				_ = b.TXTResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60},
					dnsmessage.TXTResource{TXT: []string{r[:len(r)/2], r[len(r)/2:]}})
			}
			if resp, err := b.Finish(); err == nil {
				_, _ = pc.WriteTo(resp, from)
			}
		}
	})
	return pc.LocalAddr().String()
}

func runKeysForTest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runKeys(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644), "write %s", p)
	return p
}

func TestKeysUsage(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		stdout  string
		stderrs []string
	}{
		{"no subcommand", nil, 2, "", []string{"leakproof: error: keys needs a subcommand", "leakproof: hint: "}},
		{"unknown subcommand", []string{"export"}, 2, "", []string{`unknown keys subcommand "export"`}},
		{"help", []string{"--help"}, 0, "leakproof keys import", nil},
		{"import help", []string{"import", "-h"}, 0, "leakproof keys lookup", nil},
		{"import without files", []string{"import"}, 2, "", []string{"at least one key file"}},
		{"import bad flag", []string{"import", "--bogus", "x"}, 2, "", []string{"bogus"}},
		{"lookup one argument", []string{"lookup", "gmail.com"}, 2, "", []string{"SELECTOR and DOMAIN"}},
		{"lookup bad domain", []string{"lookup", "s1", "exa(mple.com"}, 2, "", []string{`domain "exa(mple.com" is not a domain name`}},
		{"lookup bad selector", []string{"lookup", "s 1", "example.com"}, 2, "", []string{`selector "s 1"`}},
		{"lookup flag after arguments", []string{"lookup", "s1", "example.com", "--record", "x"}, 2, "", []string{"got 4 arguments"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKeysForTest(t, tt.args...)
			assert.Equal(t, tt.code, code, "runKeys(%q) exit status", tt.args)
			if tt.stdout == "" {
				assert.Empty(t, stdout, "runKeys(%q) stdout", tt.args)
			} else {
				assert.Contains(t, stdout, tt.stdout, "runKeys(%q) stdout", tt.args)
			}
			for _, s := range tt.stderrs {
				assert.Contains(t, stderr, s, "runKeys(%q) stderr", tt.args)
			}
		})
	}
}

func TestKeysImport(t *testing.T) {
	dir := t.TempDir()
	zone := writeTestFile(t, dir, "example.zone", `$ORIGIN example.com.
$TTL 3600
@ IN SOA ns admin ( 1 2 3 4 5 )
s1._domainkey IN TXT ( "v=DKIM1; k=rsa; "   ; split like BIND
                       "p=AAAA" )
S2._domainkey IN TXT "p="
`)
	jsonl := writeTestFile(t, dir, "archive.jsonl",
		`{"domain":"example.com","selector":"s1","txt":"v=DKIM1; k=rsa; p=AAAA","first_seen":"2016-01-01T00:00:00Z","last_seen":"2018-01-01T00:00:00Z","source":"crawl 2018"}
{"domain":"Example.COM.","selector":"s1","txt":"v=DKIM1; k=rsa; p=AAAA","first_seen":"2015-06-01T00:00:00Z","last_seen":"2017-01-01T00:00:00Z","source":"crawl 2018"}
{"domain":"a.example","selector":"x","txt":null,"dns_error":"NXDOMAIN","seen":"2026-11-25T10:00:00Z","note":"kept out"}
`)
	want := `{"domain":"a.example","selector":"x","txt":null,"dns_error":"NXDOMAIN","seen":"2026-11-25T10:00:00Z","source":"` + jsonl + `"}
{"domain":"example.com","selector":"s1","txt":"v=DKIM1; k=rsa; p=AAAA","first_seen":"2015-06-01T00:00:00Z","last_seen":"2018-01-01T00:00:00Z","source":"` + zone + `; crawl 2018"}
{"domain":"example.com","selector":"s2","txt":"p=","source":"` + zone + `"}
`
	t.Run("stdout", func(t *testing.T) {
		code, stdout, stderr := runKeysForTest(t, "import", zone, jsonl)
		require.Equal(t, 0, code, "keys import exit status (stderr %q)", stderr)
		// Sorted by domain and selector; the zone record (joined strings)
		// and the two archive lines say the same thing and are merged:
		// earliest first_seen, latest last_seen, both sources; unknown
		// fields are dropped.
		assert.Equal(t, want, stdout, "keys import output")
		assert.True(t, strings.HasSuffix(stderr, "\nleakproof: 3 records from 2 files (2 duplicates merged)\n"), "summary on stderr: %q", stderr)
		assert.Contains(t, stderr, "leakproof: warning: s1._domainkey.example.com (from "+zone+"; crawl 2018): not a usable key", "a p= that is not a key is warned about")

		f, err := dkim.ReadKeyFile(strings.NewReader(stdout), "out")
		require.NoError(t, err, "the output is a key file")
		assert.Len(t, f.Records(), 3, "records in the output")
	})
	t.Run("out file is idempotent", func(t *testing.T) {
		out := filepath.Join(dir, "keys.jsonl")
		code, stdout, stderr := runKeysForTest(t, "import", "--out", out, zone, jsonl)
		require.Equal(t, 0, code, "keys import --out exit status (stderr %q)", stderr)
		assert.Empty(t, stdout, "nothing on stdout with --out")
		first, err := os.ReadFile(out)
		require.NoError(t, err, "read --out file")
		code, _, stderr = runKeysForTest(t, "import", "--out", out, out)
		require.Equal(t, 0, code, "re-import exit status (stderr %q)", stderr)
		assert.Contains(t, stderr, "leakproof: warning:", "warnings again on re-import, exit status 0")
		second, err := os.ReadFile(out)
		require.NoError(t, err, "read re-imported file")
		assert.Equal(t, string(first), string(second), "importing a clean key file gives it back unchanged")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err, "read dir")
		for _, e := range entries {
			assert.NotContains(t, e.Name(), ".tmp", "no temporary file is left behind")
		}
	})
	t.Run("errors", func(t *testing.T) {
		bad := writeTestFile(t, dir, "bad.jsonl", `{"domain":"a","selector":"b","txt":"p="}`+"\n"+`{"domain":"a"}`+"\n")
		code, stdout, stderr := runKeysForTest(t, "import", zone, bad)
		assert.Equal(t, 1, code, "a bad key file is exit 1")
		assert.Empty(t, stdout, "no output when an input is bad")
		assert.Contains(t, stderr, "leakproof: error: dkim: key file "+bad+", line 2: missing \"selector\"", "error names file and line")
		assert.Contains(t, stderr, "leakproof: hint: fix line 2 of "+bad, "hint says what to do")

		code, _, stderr = runKeysForTest(t, "import", filepath.Join(dir, "missing.zone"))
		assert.Equal(t, 1, code, "a missing file is exit 1")
		assert.Contains(t, stderr, "leakproof: hint: check the path", "missing-file hint")

		code, _, stderr = runKeysForTest(t, "import", "--out", filepath.Join(dir, "no", "such", "dir.jsonl"), zone)
		assert.Equal(t, 1, code, "an unwritable --out is exit 1")
		assert.Contains(t, stderr, "leakproof: hint: check that the folder of --out exists", "unwritable --out hint")
	})
}

func TestKeysLookup(t *testing.T) {
	const realKey = "v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" // RFC 8463's example key
	server := keysTestDNS(t,
		map[string][]string{"s1._domainkey.example.com.": {"v=DKIM1; k=rsa; p=AAAA"}, "two._domainkey.example.com.": {"p=OLD", "p="}, "real._domainkey.example.com.": {realKey},
			"evil._domainkey.example.com.": {"p=AB\x1b[2J\u202eCD\nEF"}},
		map[string]dnsmessage.RCode{"broken._domainkey.example.com.": dnsmessage.RCodeServerFailure})
	dir := t.TempDir()
	record := filepath.Join(dir, "recorded.jsonl")

	for _, tt := range []struct {
		name     string
		sel      string
		code     int
		stdout   string
		stderr   []string
		recorded string
	}{
		{"record", "s1", 0, "v=DKIM1; k=rsa; p=AAAA\n", []string{"leakproof: not a usable key: malformed key record: p= is not an RSA public key"}, `"selector":"s1","txt":"v=DKIM1; k=rsa; p=AAAA"`},
		{"two records", "two", 0, "p=OLD\np=\n", []string{"leakproof: a revoked key (empty p=)"}, `"selector":"two","txt":"p="`},
		{"real key", "real", 0, realKey + "\n", []string{"leakproof: ed25519 key, 256 bits, testing (t=y)\n"}, `"selector":"real"`},
		{"control and bidi characters cleaned", "evil", 0, "p=AB\ufffd[2J\ufffdCD EF\n", []string{"leakproof: not a usable key"}, `"selector":"evil"`},
		{"NXDOMAIN", "gone", 1, "", []string{"leakproof: error: gone._domainkey.example.com: NXDOMAIN", "leakproof: hint: check the selector"}, `"selector":"gone","txt":null,"dns_error":"NXDOMAIN"`},
		{"SERVFAIL", "broken", 1, "", []string{"broken._domainkey.example.com: SERVFAIL", "leakproof: hint: the DNS server " + server}, `"dns_error":"SERVFAIL"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKeysForTest(t, "lookup", "--dns-server", server, "--record", record, tt.sel, "Example.com")
			assert.Equal(t, tt.code, code, "keys lookup %s exit status (stderr %q)", tt.sel, stderr)
			assert.Equal(t, tt.stdout, stdout, "keys lookup %s stdout", tt.sel)
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s, "keys lookup %s stderr", tt.sel)
			}
			data, err := os.ReadFile(record)
			require.NoError(t, err, "read --record file")
			assert.Contains(t, string(data), tt.recorded, "keys lookup %s is recorded", tt.sel)
		})
	}

	// The recording is a key file with "seen" on every line.
	fh, err := os.Open(record)
	require.NoError(t, err, "open recording")
	defer fh.Close()
	f, err := dkim.ReadKeyFile(fh, record)
	require.NoError(t, err, "the recording is a key file")
	recs := f.Records()
	assert.Len(t, recs, 7, "one line per answer, failures included")
	for _, r := range recs {
		assert.False(t, r.Seen.IsZero(), "recorded %s has seen", r.Selector)
		assert.Equal(t, "dns via "+server, r.Source, "recorded %s source", r.Selector)
	}

	code, _, stderr := runKeysForTest(t, "lookup", "--dns-server", server, "--record", filepath.Join(dir, "no", "dir.jsonl"), "s1", "example.com")
	assert.Equal(t, 1, code, "an unwritable --record is exit 1")
	assert.Contains(t, stderr, "leakproof: hint: check that the --record file can be written", "unwritable --record hint")
}
