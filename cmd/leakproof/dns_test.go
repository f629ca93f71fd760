package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/dkim"
)

// fakeDNS serves TXT records on a loopback UDP port: txt maps a lower-case
// name without the final dot to its records; any other name is NXDOMAIN.
// It returns the address and a function giving the names asked so far.
func fakeDNS(t *testing.T, txt map[string][]string) (addr string, asked func() []string) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err, "listening on loopback")
	var mu sync.Mutex
	var names []string
	var wg sync.WaitGroup
	t.Cleanup(func() { conn.Close(); wg.Wait() })
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return // closed
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
			name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
			mu.Lock()
			names = append(names, name)
			mu.Unlock()
			recs, ok := txt[name]
			rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeSuccess}
			if !ok {
				rh.RCode = dnsmessage.RCodeNameError
			}
			b := dnsmessage.NewBuilder(nil, rh)
			b.EnableCompression()
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			for _, r := range recs {
				var parts []string
				for len(r) > 255 {
					parts, r = append(parts, r[:255]), r[255:]
				}
				parts = append(parts, r)
				_ = b.TXTResource(dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET, TTL: 60},
					dnsmessage.TXTResource{TXT: parts})
			}
			msg, err := b.Finish()
			if err != nil {
				continue
			}
			_, _ = conn.WriteTo(msg, from)
		}
	})
	return conn.LocalAddr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), names...)
	}
}

// TestVerifyDNS serves the sample's keys over DNS on loopback: with
// --dns-server the messages verify as with the key file, every answer is
// appended to the --record file, and that file then works offline.
func TestVerifyDNS(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/keys.jsonl")
	f, err := os.Open("testdata/keys.jsonl")
	require.NoError(t, err, "opening the key file")
	kf, err := dkim.ReadKeyFile(f, "testdata/keys.jsonl")
	f.Close()
	require.NoError(t, err, "reading the key file")
	txt := map[string][]string{}
	for _, r := range kf.Records() {
		if r.DNSError == "" {
			name := strings.ToLower(r.Selector + "._domainkey." + r.Domain)
			txt[name] = append(txt[name], r.TXT)
		}
	}
	addr, asked := fakeDNS(t, txt)

	rec := filepath.Join(t.TempDir(), "answers.jsonl")
	r := runCLI(t, "verify", "--dns-server", addr, "--record", rec, "--format", "json", "testdata/sample.mbox")
	require.Equal(t, 0, r.code, "exit status with --dns-server; stderr: %s", r.stderr)
	recs := decodeRecords(t, r.stdout)
	require.NotEmpty(t, recs, "records")
	assert.Equal(t, "authentic", recs[0]["verdict"], "message 1 verifies with the key from DNS")
	sig, _ := recs[0]["signatures"].([]any)[0].(map[string]any)
	assert.Equal(t, "dns", sig["key_source"], "the key came from DNS")
	assert.NotEmpty(t, asked(), "the DNS server was asked")

	data, err := os.ReadFile(rec)
	require.NoError(t, err, "the --record file exists")
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		lines++
		assert.Contains(t, sc.Text(), `"seen"`, "a recorded answer has the time it was seen")
	}
	// One line per TXT record, or one per failure: a selector with rotated
	// keys has several.
	assert.GreaterOrEqual(t, lines, len(asked()), "every DNS answer is recorded")
	for _, name := range asked() {
		sel, domain, _ := strings.Cut(name, "._domainkey.")
		assert.Contains(t, string(data), `"domain":"`+domain+`","selector":"`+sel+`"`, "the answer for %s is recorded", name)
	}
	assert.Contains(t, string(data), `"dns_error":"NXDOMAIN"`, "failures are recorded too")

	// The recorded answers replay offline.
	offline := runCLI(t, "verify", "--keys", rec, "--format", "json", "testdata/sample.mbox")
	require.Equal(t, 0, offline.code, "exit status offline; stderr: %s", offline.stderr)
	replayed := decodeRecords(t, offline.stdout)
	require.Len(t, replayed, len(recs), "the same messages offline")
	for i := range recs {
		assert.Equal(t, recs[i]["verdict"], replayed[i]["verdict"], "verdict of message %d with the recorded answers", i+1)
	}
}

func TestVerifyDNSFromResolvConf(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	var cf checkFlags
	cf.resolvConf = filepath.Join(t.TempDir(), "resolv.conf")
	require.NoError(t, os.WriteFile(cf.resolvConf, []byte("nameserver 192.0.2.53\n"), 0o644), "writing resolv.conf")
	cf.dns = true
	cf.minRSABits = 1024
	opts, _, err := cf.options()
	require.NoError(t, err, "options with --dns")
	require.NotNil(t, opts.DNS, "--dns sets a DNS source")
	assert.Equal(t, "192.0.2.53:53", cf.dnsSource.Server(), "the server comes from resolv.conf, with port 53")
	assert.NoError(t, cf.close(), "close without --record")

	cf = checkFlags{resolvConf: filepath.Join(t.TempDir(), "absent"), dns: true, minRSABits: 1024}
	_, hint, err := cf.options()
	assert.Error(t, err, "--dns without a resolv.conf")
	assert.Contains(t, hint, "--dns-server", "the hint names --dns-server")
}

// TestVerifyDNSOncePerName holds the rule that a run asks DNS once per
// name, whatever the number of workers and of messages citing the name.
func TestVerifyDNSOncePerName(t *testing.T) {
	sample := filepath.Join(moduleRoot(t), "testdata", "sample.mbox")
	needFile(t, sample)
	for _, workers := range []string{"1", "8"} {
		t.Run("workers "+workers, func(t *testing.T) {
			addr, asked := fakeDNS(t, nil)
			rec := filepath.Join(t.TempDir(), "answers.jsonl")
			// The sample twice: every name is cited by several messages.
			r := runCLI(t, "verify", "--dns-server", addr, "--record", rec, "--workers", workers, "--format", "json", sample, sample)
			require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
			counts := map[string]int{}
			for _, n := range asked() {
				counts[n]++
			}
			require.NotEmpty(t, counts, "the DNS server was asked")
			for n, c := range counts {
				assert.Equal(t, 1, c, "queries for %s in one run with %s workers", n, workers)
			}
			data, err := os.ReadFile(rec)
			require.NoError(t, err, "reading --record")
			assert.Equal(t, len(counts), strings.Count(string(data), "\n"), "each answer recorded once: %s", data)
		})
	}
}

// TestVerifyDNSSilentServer holds the rule that a DNS server that never
// answers costs a run at most the 15-second budget, however many names it
// is asked: the sample cites seven names, which at 5 seconds a query would
// take 35 seconds with one worker.
func TestVerifyDNSSilentServer(t *testing.T) {
	t.Parallel()
	sample := filepath.Join(moduleRoot(t), "testdata", "sample.mbox")
	needFile(t, sample)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err, "listening on loopback")
	t.Cleanup(func() { silent.Close() })
	start := time.Now()
	r := runCLI(t, "verify", "--dns-server", silent.LocalAddr().String(), "--workers", "1", "--format", "json", sample)
	elapsed := time.Since(start)
	require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Less(t, elapsed, 17*time.Second, "a silent server costs the run at most the DNS budget")
	for _, rec := range decodeRecords(t, r.stdout) {
		for _, s := range rec["signatures"].([]any) {
			sig := s.(map[string]any)
			assert.Contains(t, []string{"temperror", "permerror"}, sig["result"], "message %v: a signature whose key DNS never gave", rec["index"])
		}
	}
}
