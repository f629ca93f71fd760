package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/leakproof/leakproof/internal/testenv"
)

// testdata returns the path of a file of the module's testdata/.
func testdata(t *testing.T, name string) string {
	return filepath.Join(testenv.ModuleRoot(t), "testdata", name)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testdata(t, name))
	require.NoError(t, err, "reading testdata/%s", name)
	return b
}

// startService runs the service in-process on a loopback port chosen by
// the system, and stops it (checking it exits 0) when the test ends.
func startService(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	code := make(chan int, 1)
	var stderr lockedBuffer
	go func() {
		code <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), &stderr, func(a string) { addrc <- a })
	}()
	select {
	case a := <-addrc:
		t.Cleanup(func() {
			cancel()
			select {
			case c := <-code:
				assert.Equal(t, 0, c, "the service exits 0 after shutdown; stderr: %s", stderr.String())
			case <-time.After(20 * time.Second):
				t.Error("the service did not shut down")
			}
		})
		return "http://" + a
	case c := <-code:
		cancel()
		t.Fatalf("the service exited %d at start: %s", c, stderr.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("the service did not start")
	}
	return ""
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// post sends body to /v1/verify and returns the status, headers and body.
func post(t *testing.T, base, contentType, disposition string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/v1/verify", body)
	require.NoError(t, err, "building the request")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if disposition != "" {
		req.Header.Set("Content-Disposition", disposition)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "POST /v1/verify")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "reading the answer")
	return resp.StatusCode, resp.Header, b
}

// buildCommand builds the leakproof command once per test binary.
var buildCommand = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "factcheck-cli")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "leakproof")
	gotool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(gotool, "build", "-o", bin, "github.com/leakproof/leakproof/cmd/leakproof")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
})

// The answer is the JSON Lines "leakproof verify --format json" writes
// for a file of the upload's name holding the same bytes.
func TestVerifyMatchesCommand(t *testing.T) {
	keys := testdata(t, "keys.jsonl")
	base := startService(t, "--keys", keys)
	bin, err := buildCommand()
	require.NoError(t, err, "building leakproof")
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
	for _, tt := range []struct {
		name, file, contentType, disposition, as string
	}{
		{"message, no name", "formats/eml/Sent/board-pack.eml", "message/rfc822", "", "upload.eml"},
		{"mbox, named", "sample.mbox", "application/mbox", `attachment; filename="sample.mbox"`, "sample.mbox"},
		{"zip, named with a path", "formats/archive.zip", "application/zip; charset=binary", `attachment; filename="C:\\leaks\\leak.zip"`, "leak.zip"},
		{"zip sent as mbox", "formats/archive.zip", "application/mbox", "", "upload.mbox"},
		{"emlx as message", "formats/apple/4012.emlx", "message/rfc822", `inline; filename="4012.emlx"`, "4012.emlx"},
		{"altered message", "adversarial/prepended_from.eml", "message/rfc822", "", "upload.eml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := readTestdata(t, tt.file)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, tt.as), data, 0o644), "writing the file for the command")
			cmd := exec.CommandContext(t.Context(), bin, "verify", "--keys", keys, "--format", "json", tt.as)
			cmd.Dir = dir
			want, err := cmd.Output()
			require.NoError(t, err, "leakproof verify --format json %s", tt.as)

			status, h, got := post(t, base, tt.contentType, tt.disposition, bytes.NewReader(data))
			require.Equal(t, http.StatusOK, status, "status; body %s", got)
			assert.Equal(t, "application/jsonl", h.Get("Content-Type"), "Content-Type")
			assert.Equal(t, string(want), string(got), "the service's answer and the command's JSON for %s", tt.file)
		})
	}
}

// Every error is JSON with its status.
func TestErrors(t *testing.T) {
	base := startService(t, "--keys", testdata(t, "keys.jsonl"), "--max-body", "2000")
	small := readTestdata(t, "formats/eml/Sent/board-pack.eml")[:1000]
	for _, tt := range []struct {
		name, method, path, contentType string
		body                            io.Reader
		status                          int
		allow                           string
	}{
		{"empty body", "POST", "/v1/verify", "message/rfc822", nil, http.StatusBadRequest, ""},
		{"no content type", "POST", "/v1/verify", "", bytes.NewReader(small), http.StatusUnsupportedMediaType, ""},
		{"other content type", "POST", "/v1/verify", "text/plain", bytes.NewReader(small), http.StatusUnsupportedMediaType, ""},
		{"too large, declared", "POST", "/v1/verify", "application/mbox", bytes.NewReader(make([]byte, 2001)), http.StatusRequestEntityTooLarge, ""},
		{"too large, streamed", "POST", "/v1/verify", "application/mbox", io.MultiReader(strings.NewReader("x"), bytes.NewReader(make([]byte, 5000))), http.StatusRequestEntityTooLarge, ""},
		{"not mail", "POST", "/v1/verify", "application/zip", strings.NewReader("just some notes\n"), http.StatusUnprocessableEntity, ""},
		{"GET verify", "GET", "/v1/verify", "", nil, http.StatusMethodNotAllowed, "POST"},
		{"POST healthz", "POST", "/healthz", "", nil, http.StatusMethodNotAllowed, "GET, HEAD"},
		{"unknown path", "GET", "/v2/verify", "", nil, http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, base+tt.path, tt.body)
			require.NoError(t, err, "building the request")
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err, "%s %s", tt.method, tt.path)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode, "status")
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "Content-Type")
			assert.Equal(t, tt.allow, resp.Header.Get("Allow"), "Allow")
			var e map[string]string
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&e), "the body is JSON")
			assert.NotEmpty(t, e["error"], "the body says what is wrong: %v", e)
			assert.Len(t, e, 1, "only the error: %v", e)
		})
	}
}

func TestHealthz(t *testing.T) {
	base := startService(t, "--max-concurrent", "3")
	h := healthz(t, base)
	assert.Equal(t, map[string]any{"status": "ok", "in_flight": float64(0), "max_concurrent": float64(3)}, h, "GET /healthz")
}

func healthz(t *testing.T, base string) map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err, "GET /healthz")
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET /healthz status")
	var h map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h), "GET /healthz is JSON")
	return h
}

// waitInFlight waits until /healthz reports n requests in flight.
func waitInFlight(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := healthz(t, base)["in_flight"]
		if got == float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("in_flight is %v, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stalledUpload starts a POST whose body is held open: it holds a slot
// until finish sends the rest. finish returns the status and answer.
func stalledUpload(t *testing.T, base string, data []byte) (finish func() (int, []byte)) {
	t.Helper()
	pr, pw := io.Pipe()
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/v1/verify", pr)
		req.Header.Set("Content-Type", "application/mbox")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, b, err}
	}()
	_, err := pw.Write(data[:100])
	require.NoError(t, err, "sending the first bytes")
	return func() (int, []byte) {
		_, err := pw.Write(data[100:])
		require.NoError(t, err, "sending the rest")
		require.NoError(t, pw.Close(), "ending the body")
		r := <-done
		require.NoError(t, r.err, "the stalled upload")
		return r.status, r.body
	}
}

// Past --max-concurrent, a request gets 503 with Retry-After, before its
// body is read; when a slot frees up, requests are served again.
func TestConcurrencyLimit(t *testing.T) {
	base := startService(t, "--keys", testdata(t, "keys.jsonl"), "--max-concurrent", "2")
	data := readTestdata(t, "sample.mbox")
	finish1 := stalledUpload(t, base, data)
	finish2 := stalledUpload(t, base, data)
	waitInFlight(t, base, 2)

	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/v1/verify", bytes.NewReader(data))
	require.NoError(t, err, "building the request")
	req.Header.Set("Content-Type", "application/mbox")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "the third request")
	var e map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e), "the 503 is JSON")
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the third request at once")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"), "Retry-After")
	assert.Contains(t, e["error"], "2 requests", "the error says why")

	for i, finish := range []func() (int, []byte){finish1, finish2} {
		status, body := finish()
		assert.Equal(t, http.StatusOK, status, "stalled upload %d", i+1)
		assert.Equal(t, 8, bytes.Count(body, []byte("\n")), "stalled upload %d: one record per message", i+1)
	}
	waitInFlight(t, base, 0)
	status, _, body := post(t, base, "application/mbox", "", bytes.NewReader(data))
	assert.Equal(t, http.StatusOK, status, "a request after the slots freed up: %s", body)
}

// Concurrent requests each get their own, complete answer.
func TestConcurrentRequests(t *testing.T) {
	base := startService(t, "--keys", testdata(t, "keys.jsonl"), "--max-concurrent", "8", "--workers", "2")
	files := map[string]string{
		"sample.mbox":                     "application/mbox",
		"formats/archive.zip":             "application/zip",
		"formats/eml/Sent/board-pack.eml": "message/rfc822",
		"adversarial/unsigned_from.eml":   "message/rfc822",
	}
	want := map[string]string{}
	for f, ct := range files {
		status, _, body := post(t, base, ct, "", bytes.NewReader(readTestdata(t, f)))
		require.Equal(t, http.StatusOK, status, "%s alone", f)
		want[f] = string(body)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for f, ct := range files {
				status, _, body := post(t, base, ct, "", bytes.NewReader(readTestdata(t, f)))
				if assert.Equal(t, http.StatusOK, status, "client %d, %s", i, f) {
					assert.Equal(t, want[f], string(body), "client %d, %s: the same answer as alone", i, f)
				}
			}
		})
	}
	wg.Wait()
}

// A client that goes away mid-upload frees its slot; the service goes on.
func TestClientDisconnectsMidUpload(t *testing.T) {
	base := startService(t, "--keys", testdata(t, "keys.jsonl"), "--max-concurrent", "1")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err, "dialling the service")
	_, err = fmt.Fprintf(conn, "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/mbox\r\nContent-Length: 100000\r\n\r\n%s", readTestdata(t, "sample.mbox")[:1000])
	require.NoError(t, err, "sending part of the upload")
	waitInFlight(t, base, 1)
	require.NoError(t, conn.Close(), "hanging up")
	waitInFlight(t, base, 0)

	status, _, body := post(t, base, "application/mbox", "", bytes.NewReader(readTestdata(t, "sample.mbox")))
	assert.Equal(t, http.StatusOK, status, "the next request: %s", body)
}

// A client that stalls mid-upload is cut off at --read-timeout and frees
// its slot.
func TestReadTimeout(t *testing.T) {
	base := startService(t, "--keys", testdata(t, "keys.jsonl"), "--max-concurrent", "1", "--read-timeout", "300ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err, "dialling the service")
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/mbox\r\nContent-Length: 100000\r\n\r\nFrom x")
	require.NoError(t, err, "sending part of the upload")
	// The service answers 400 (or just closes): either way the
	// connection ends, well before the test's deadline.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)), "deadline")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the stalled upload's answer")
		resp.Body.Close()
	} else {
		assert.NotErrorIs(t, err, os.ErrDeadlineExceeded, "the service cut the stalled client off")
	}
	waitInFlight(t, base, 0)
	status, _, body := post(t, base, "application/mbox", "", bytes.NewReader(readTestdata(t, "sample.mbox")))
	assert.Equal(t, http.StatusOK, status, "the next request: %s", body)
}

// DNS is asked only when configured, and then only for keys the key
// archives lack.
func TestDNSOnlyWhenConfigured(t *testing.T) {
	var keyLine struct {
		TXT string `json:"txt"`
	}
	for line := range strings.Lines(string(readTestdata(t, "keys.jsonl"))) {
		if strings.Contains(line, `"selector":"s2048"`) && strings.Contains(line, `"domain":"example.com"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &keyLine), "reading the key line")
			break
		}
	}
	require.NotEmpty(t, keyLine.TXT, "the key of s2048._domainkey.example.com in testdata/keys.jsonl")
	dns := newFakeDNS(t, map[string]string{"s2048._domainkey.example.com.": keyLine.TXT})
	msg := readTestdata(t, "formats/eml/Sent/board-pack.eml")

	verdict := func(base string) (string, string) {
		status, _, body := post(t, base, "message/rfc822", "", bytes.NewReader(msg))
		require.Equal(t, http.StatusOK, status, "status: %s", body)
		var rec struct {
			Verdict    string `json:"verdict"`
			Signatures []struct {
				Result    string `json:"result"`
				KeySource string `json:"key_source"`
			} `json:"signatures"`
		}
		require.NoError(t, json.Unmarshal(body, &rec), "the record")
		require.NotEmpty(t, rec.Signatures, "the message's signature")
		return rec.Verdict, rec.Signatures[0].Result
	}

	v, r := verdict(startService(t))
	assert.Equal(t, "unverifiable", v, "no keys, no DNS: verdict")
	assert.Equal(t, "no_key", r, "no keys, no DNS: signature result")
	assert.Zero(t, dns.queries.Load(), "DNS was not asked")

	v, r = verdict(startService(t, "--dns-server", dns.addr))
	assert.Equal(t, "authentic", v, "with --dns-server: verdict")
	assert.Equal(t, "pass", r, "with --dns-server: signature result")
	assert.Equal(t, int32(1), dns.queries.Load(), "DNS was asked once")

	v, _ = verdict(startService(t, "--dns-server", dns.addr, "--keys", testdata(t, "keys.jsonl")))
	assert.Equal(t, "authentic", v, "with keys and --dns-server: verdict")
	assert.Equal(t, int32(1), dns.queries.Load(), "DNS was not asked for a key the archive holds")
}

// fakeDNS answers TXT queries over UDP on loopback from a zone.
type fakeDNS struct {
	addr    string
	queries atomic.Int32
}

func newFakeDNS(t *testing.T, zone map[string]string) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err, "listening for DNS")
	f := &fakeDNS{addr: pc.LocalAddr().String()}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
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
			f.queries.Add(1)
			txt, ok := zone[strings.ToLower(q.Name.String())]
			rh := dnsmessage.Header{ID: h.ID, Response: true, RCode: dnsmessage.RCodeSuccess}
			if !ok {
				rh.RCode = dnsmessage.RCodeNameError
			}
			b := dnsmessage.NewBuilder(nil, rh)
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			if ok {
				var parts []string
				for len(txt) > 255 {
					parts, txt = append(parts, txt[:255]), txt[255:]
				}
				_ = b.TXTResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.TXTResource{TXT: append(parts, txt)})
			}
			if resp, err := b.Finish(); err == nil {
				_, _ = pc.WriteTo(resp, from)
			}
		}
	}()
	return f
}

// A load test, bounded in count and time: with both slots held, every
// other request is refused at once, and however many requests come, the
// heap stays within the bound the limits set (slots times the body cap,
// plus the library's window), because a refused request's body is never
// read and an accepted one is dropped when answered.
func TestLoad(t *testing.T) {
	const (
		slots    = 2
		maxBody  = 256 << 10
		clients  = 8
		perPhase = 32 // requests in each phase
	)
	base := startService(t, "--keys", testdata(t, "keys.jsonl"),
		"--max-concurrent", fmt.Sprint(slots), "--max-body", fmt.Sprint(maxBody), "--workers", "2")
	sample := readTestdata(t, "sample.mbox")
	data := bytes.Repeat(sample, maxBody/len(sample)) // just under the cap
	require.LessOrEqual(t, len(data), maxBody, "the upload is within the cap")

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()

	// send posts the upload and returns the status and the SHA-256 of the
	// answer (read as it streams, so the client holds no answer whole).
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	send := func() (int, string, string) {
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/verify", bytes.NewReader(data))
		if err != nil {
			return 0, "", err.Error()
		}
		req.Header.Set("Content-Type", "application/mbox")
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err.Error()
		}
		defer resp.Body.Close()
		h := sha256.New()
		if _, err := io.Copy(h, resp.Body); err != nil {
			return 0, "", err.Error()
		}
		return resp.StatusCode, fmt.Sprintf("%x", h.Sum(nil)), resp.Header.Get("Retry-After")
	}
	status, wantSum, _ := send()
	require.Equal(t, http.StatusOK, status, "one request alone")

	// Phase 1: both slots held by stalled uploads; every request is refused.
	finish1, finish2 := stalledUpload(t, base, data), stalledUpload(t, base, data)
	waitInFlight(t, base, slots)
	var refused, other atomic.Int32
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range perPhase / clients {
				status, _, retry := send()
				if status == http.StatusServiceUnavailable && retry == "1" {
					refused.Add(1)
				} else {
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(perPhase), refused.Load(), "requests refused with 503 and Retry-After while the slots are held")
	assert.Zero(t, other.Load(), "requests answered otherwise while the slots are held")
	for _, finish := range []func() (int, []byte){finish1, finish2} {
		status, _ := finish()
		assert.Equal(t, http.StatusOK, status, "a stalled upload, finished")
	}

	// Phase 2: clients retry until served; every answer is complete.
	var served, retried atomic.Int32
	for range clients {
		wg.Go(func() {
			for range perPhase / clients {
				for ctx.Err() == nil {
					status, sum, _ := send()
					if status == http.StatusServiceUnavailable {
						retried.Add(1)
						time.Sleep(5 * time.Millisecond)
						continue
					}
					if assert.Equal(t, http.StatusOK, status, "a request under load") {
						assert.Equal(t, wantSum, sum, "an answer under load is the whole answer")
						served.Add(1)
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(stopSampling)
	<-sampled
	require.NoError(t, ctx.Err(), "the load test finished within its time bound")
	assert.Equal(t, int32(perPhase), served.Load(), "every request of phase 2 served in the end")
	t.Logf("phase 2: %d requests served, %d refused with 503 and retried", served.Load(), retried.Load())

	// Bodies held: at most slots × maxBody, each read into a buffer that
	// may double; answers are streamed. 24 MiB leaves room for the
	// checker's window, the clients' goroutines and the garbage the
	// collector has not reached yet (the 64 uploads of the test are
	// 16 MiB in all, and their answers about 31 MiB: a service that kept them
	// would pass the bound).
	bound := before.HeapAlloc + 4*slots*maxBody + 24<<20
	assert.LessOrEqual(t, peak.Load(), bound, "peak heap %d MiB, bound %d MiB", peak.Load()>>20, bound>>20)
	t.Logf("heap: %d MiB before, %d MiB at the peak", before.HeapAlloc>>20, peak.Load()>>20)
}

// The command, built and run, shuts down gracefully on SIGTERM: it stops
// accepting, finishes the request in progress and exits 0.
func TestShutdownOnSIGTERM(t *testing.T) {
	gotool, err := exec.LookPath("go")
	require.NoError(t, err, "finding the go command")
	bin := filepath.Join(t.TempDir(), "factcheck-service")
	out, err := exec.CommandContext(t.Context(), gotool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	cmd := exec.CommandContext(t.Context(), bin, "--addr", "127.0.0.1:0", "--keys", testdata(t, "keys.jsonl"))
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err, "stderr pipe")
	require.NoError(t, cmd.Start(), "starting the service")
	lines := bufio.NewScanner(stderr)
	addrRE := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	base := ""
	for lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	require.NotEmpty(t, base, "the service says where it listens")
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	data := readTestdata(t, "sample.mbox")
	finish := stalledUpload(t, base, data)
	waitInFlight(t, base, 1)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
	// New connections are refused once the listener is closed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
		if err != nil {
			break
		}
		c.Close()
		require.True(t, time.Now().Before(deadline), "the service still accepts connections after SIGTERM")
		time.Sleep(10 * time.Millisecond)
	}
	status, body := finish()
	assert.Equal(t, http.StatusOK, status, "the request in progress is finished")
	assert.Equal(t, 8, bytes.Count(body, []byte("\n")), "its answer is whole")
	require.NoError(t, cmd.Wait(), "the service exits 0")
	assert.Contains(t, <-rest, "shutting down", "the service says it is shutting down")
}

func TestUploadName(t *testing.T) {
	for _, tt := range []struct{ disposition, want string }{
		{"", "upload.eml"},
		{`attachment; filename="leak.mbox"`, "leak.mbox"},
		{`attachment; filename="../../etc/passwd"`, "passwd"},
		{`attachment; filename="C:\\leaks\\dump.zip"`, "dump.zip"},
		{`attachment; filename=".."`, "upload.eml"},
		{`attachment; filename="a` + "\x01" + `b"`, "upload.eml"},
		{`attachment; filename*=UTF-8''caf%C3%A9.eml`, "café.eml"},
		{`attachment`, "upload.eml"},
		{`garbage;;`, "upload.eml"},
	} {
		assert.Equal(t, tt.want, uploadName(tt.disposition, "upload.eml"), "uploadName(%q)", tt.disposition)
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
		{"argument", []string{"extra"}, 2, "bad arguments"},
		{"zero body cap", []string{"--max-body", "0"}, 2, "bad arguments"},
		{"missing key file", []string{"--keys", "/nonexistent/keys.jsonl"}, 1, "key file"},
		{"address in use", []string{"--addr", "256.0.0.1:1"}, 1, "error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stderr, func(string) { t.Error("the service started") })
			assert.Equal(t, tt.code, code, "exit status; stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.say, "stderr")
		})
	}
}
