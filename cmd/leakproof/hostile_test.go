package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// The verify command on hostile leaks, run as a user would run it:
// verify --keys FILE --format json PATH. Forged, malformed or misframed
// messages never come out authentic, verdicts stay with their messages,
// and header text cannot forge output rows.

// depositBody is the body of the messages these tests sign.
const depositBody = "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"

// writeKeyFile writes a key file with every committed test key at its
// default name, then extra.
func writeKeyFile(t *testing.T, dir, name string, extra ...testmail.KeyEntry) string {
	t.Helper()
	var entries []testmail.KeyEntry
	for _, k := range testmail.Keys() {
		entries = append(entries, k.Entry())
	}
	entries = append(entries, extra...)
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, testmail.KeyFile(entries...), 0o600), "write key file")
	return path
}

// verifyJSON runs verify --format json and decodes its records.
func verifyJSON(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), append([]string{"verify", "--format", "json"}, args...), &stdout, &stderr)
	require.Equal(t, exitOK, code, "exit status; stderr %s", stderr.String())
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "JSON line %q", line)
		recs = append(recs, m)
	}
	return recs
}

// signDeposit signs m with the committed test key named key, filling in
// the deposit subject and body when m has none.
func signDeposit(t *testing.T, m testmail.Message, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	if m.Body == "" {
		m.Body = depositBody
	}
	if m.Subject == "" {
		m.Subject = "Deposit"
	}
	out, err := testmail.Sign(m.Bytes(), testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

// writeBytes writes data to dir/name, making the folders it needs.
func writeBytes(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700), "mkdir")
	require.NoError(t, os.WriteFile(path, data, 0o600), "write %s", name)
	return path
}

// evidenceCodes lists the evidence codes of a JSON record.
func evidenceCodes(rec map[string]any) []string {
	var out []string
	ev, _ := rec["evidence"].([]any)
	for _, e := range ev {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m["code"].(string))
		}
	}
	return out
}

// TestVerifyHostileFolder: a folder of hostile .eml files, verified in one
// run; none may be authentic.
func TestVerifyHostileFolder(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	good := signDeposit(t, testmail.Message{}, "rsa2048", nil)
	lw := signDeposit(t, testmail.Message{}, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	cases := map[string]struct {
		data    []byte
		verdict string
	}{
		"lower_from.eml":       {testmail.Prepend(good, "from", "CEO <ceo@example.com>"), "altered"},
		"tab_colon.eml":        {append([]byte("From\t: CEO <ceo@example.com>\r\n"), good...), "altered"},
		"lone_cr.eml":          {append([]byte("X-Note: x\rFrom: CEO <ceo@example.com>\r\n"), good...), "unverifiable"},
		"comment_address.eml":  {signDeposit(t, testmail.Message{From: "Alice (ceo@bank.example) <alice@example.com>"}, "rsa2048", nil), "unverifiable"},
		"past_l.eml":           {append(bytes.Clone(lw), "P.S. new account 66-6666\r\n"...), "altered"},
		"unaligned.eml":        {signDeposit(t, testmail.Message{From: "Alice <alice@bank.example>"}, "rsa1024", nil), "unverifiable"},
		"weak.eml":             {signDeposit(t, testmail.Message{From: "Eve <eve@example.net>"}, "rsa512", nil), "unverifiable"},
		"dup_content_type.eml": {testmail.Prepend(good, "Content-Type", "text/html"), "unverifiable"},
		"transplant.eml":       {testmail.ReplaceBody(good, "Bob,\n\nWire it to account 66-6666 today.\n\nAlice\n"), "altered"},
		"lf/prepended.eml":     {testmail.LF(testmail.Prepend(good, "From", "CEO <ceo@example.com>")), "altered"},
		"dup_tag.eml":          {signDeposit(t, testmail.Message{}, "rsa2048", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "d", Value: "evil.example"}}}), "unverifiable"},
		"d_paren.eml":          {signDeposit(t, testmail.Message{}, "rsa2048", &testmail.SignOptions{Domain: "example.com(evil)"}), "unverifiable"},
		"no_from.eml":          {[]byte("To: bob@example.org\r\nSubject: x\r\n\r\nhello\r\n"), "unverifiable"},
		"broken_arc.eml": {testmail.MustSeal(append(bytes.Clone(good), "-- \r\nfooter\r\n"...), testmail.MustKey("rsa2048b"),
			&testmail.SealOptions{BreakSeal: true, AuthResults: "mx.example.org; dkim=pass header.d=example.com"}), "altered"},
	}
	for name, c := range cases {
		writeBytes(t, dir, filepath.Join("msgs", name), c.data)
	}
	recs := verifyJSON(t, "--keys", keys, filepath.Join(dir, "msgs"))
	require.Len(t, recs, len(cases), "one record per message")
	for _, rec := range recs {
		file, _ := rec["file"].(string)
		name := filepath.ToSlash(strings.TrimPrefix(file, filepath.ToSlash(filepath.Join(dir, "msgs"))+"/"))
		c, ok := cases[name]
		require.True(t, ok, "record for a known file: %s", file)
		t.Run(name, func(t *testing.T) {
			assert.NotEqual(t, "authentic", rec["verdict"], "a hostile message is never authentic; evidence %v", evidenceCodes(rec))
			assert.Equal(t, c.verdict, rec["verdict"], "verdict; evidence %v", evidenceCodes(rec))
			assert.Equal(t, "", rec["error"], "the message was read")
			assertNoNulls(t, "record", rec)
			for _, key := range []string{"file", "index", "offset", "size", "sha256", "format", "message_id", "from", "subject",
				"from_address", "date", "verdict", "confidence", "summary", "signatures", "arc", "coverage", "evidence", "error"} {
				assert.Contains(t, rec, key, "record field %s is always present", key)
			}
			arc, _ := rec["arc"].(map[string]any)
			for _, key := range []string{"chain", "failed_instance", "instances"} {
				assert.Contains(t, arc, key, "arc field %s is always present", key)
			}
			cov, _ := rec["coverage"].(map[string]any)
			fields, _ := cov["fields"].(map[string]any)
			for _, key := range []string{"from", "to", "cc", "subject", "date", "message_id", "reply_to"} {
				assert.Contains(t, fields, key, "coverage field %s is always present", key)
			}
			sigs, _ := rec["signatures"].([]any)
			for _, s := range sigs {
				sig, _ := s.(map[string]any)
				for _, key := range []string{"domain", "selector", "algorithm", "canonicalization", "header_signature", "body_hash", "result",
					"reason", "key_bits", "key_source", "aligned", "signed_headers", "body_length", "unsigned_body_bytes", "timestamp", "expires"} {
					assert.Contains(t, sig, key, "signature field %s is always present", key)
				}
			}
		})
	}
}

// assertNoNulls fails on any JSON null inside v: the JSON contract never
// writes null.
func assertNoNulls(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil:
		t.Errorf("%s is null", path)
	case map[string]any:
		for k, e := range x {
			assertNoNulls(t, path+"."+k, e)
		}
	case []any:
		for i, e := range x {
			assertNoNulls(t, path+"["+strconv.Itoa(i)+"]", e)
		}
	}
}

// TestVerifyMboxFraming: a lying Content-Length or a separator line
// inside a body must not let a forged message ride on a genuine one.
func TestVerifyMboxFraming(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	genuine := signDeposit(t, testmail.Message{}, "rsa2048", nil)
	forged := testmail.LF(testmail.ReplaceBody(genuine, "Bob,\n\nWire it to account 66-6666 today.\n\nAlice\n"))
	glf := testmail.LF(genuine)
	split := bytes.Index(glf, []byte("\n\n"))
	withCL := func(n int) []byte {
		out := append([]byte{}, glf[:split+1]...)
		out = append(out, "Content-Length: "+strconv.Itoa(n)+"\n"...)
		return append(out, glf[split+1:]...)
	}
	sep := "From alice@example.com Tue Mar  1 10:00:00 2016\n"
	gBody := len(glf) - split - 2
	lw := testmail.LF(signDeposit(t, testmail.Message{}, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody}))
	for _, tt := range []struct {
		name     string
		data     string
		verdicts []string
	}{
		// A count stretched over the next message is overruled by the
		// separator lines: the message after it is still reported.
		{"Content-Length stretched over the forged message to the end", sep + string(withCL(gBody+1+len(sep)+len(forged))) + "\n" + sep + string(forged), []string{"authentic", "altered"}},
		{"Content-Length stretched over a message to the next separator", sep + string(withCL(gBody+1+len(sep)+len(forged)+1)) + "\n" + sep + string(forged) + "\n" + sep + string(glf),
			[]string{"authentic", "altered", "authentic"}},
		{"Content-Length cuts the genuine message short", sep + string(withCL(10)) + "\n" + sep + string(forged), []string{"authentic", "altered"}},
		// A separator line and a header after a body's last line start a
		// message, as mutt and Python's mailbox read it: the genuine
		// message is as signed, the unsigned one after it proves nothing.
		{"separator line without a blank line, after an l= body", sep + string(lw) + "From ceo@bank.example Tue Mar  1 10:00:00 2016\nFrom: CEO <ceo@example.com>\n\nforged\n", []string{"authentic", "unverifiable"}},
		{"separator-like line without a blank line and no header, after an l= body", sep + string(lw) + "From ceo@bank.example Tue Mar  1 10:00:00 2016\nforged\n", []string{"altered"}},
		{"forged copy after the genuine one", sep + string(glf) + "\n" + sep + string(forged), []string{"authentic", "altered"}},
		{"text after a truthful Content-Length, before the next separator", sep + string(withCL(gBody)) + "P.S. Wire it to 66-6666 instead.\n\n" + sep + string(glf),
			[]string{"altered", "authentic"}},
		{"text after a truthful Content-Length at the end of the file", sep + string(withCL(gBody)) + "P.S. Wire it to 66-6666 instead.\n", []string{"altered"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeBytes(t, t.TempDir(), "leak.mbox", []byte(tt.data))
			recs := verifyJSON(t, "--keys", keys, path)
			var got []string
			for _, r := range recs {
				got = append(got, r["verdict"].(string))
				if r["verdict"] == "authentic" {
					assert.NotContains(t, tt.data[int(r["offset"].(float64)):int(r["offset"].(float64)+r["size"].(float64))], "66-6666",
						"an authentic record never holds the forged text")
				}
			}
			assert.Equal(t, tt.verdicts, got, "verdicts in archive order")
		})
	}
}

// TestVerifyTrustSealerExactly: --trust-sealer matches the sealer's d=
// exactly; a look-alike sealer name is not trusted.
func TestVerifyTrustSealerExactly(t *testing.T) {
	dir := t.TempDir()
	k := testmail.MustKey("rsa2048")
	keys := writeKeyFile(t, dir, "keys.jsonl", testmail.KeyEntry{Domain: "example.org.evil.example", Selector: "lookalike", TXT: k.Record()})
	listed := append(signDeposit(t, testmail.Message{}, "rsa2048", nil), "-- \r\nlist footer\r\n"...)
	aar := "mx.example.org; dkim=pass header.d=example.com header.s=s2048"
	real := testmail.MustSeal(listed, testmail.MustKey("rsa2048b"), &testmail.SealOptions{AuthResults: aar})
	spoof := testmail.MustSeal(listed, k, &testmail.SealOptions{AuthResults: aar, Domain: "example.org.evil.example", Selector: "lookalike"})
	for _, tt := range []struct {
		name, trust string
		msg         []byte
		verdict     string
	}{
		{"trusted sealer", "example.org", real, "authentic"},
		{"look-alike sealer", "example.org", spoof, "altered"},
		{"trusted parent domain only", "org", real, "altered"},
		{"sealer not listed", "example.com", real, "altered"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeBytes(t, t.TempDir(), "m.eml", tt.msg)
			recs := verifyJSON(t, "--keys", keys, "--trust-sealer", tt.trust, path)
			require.Len(t, recs, 1, "one record")
			assert.Equal(t, tt.verdict, recs[0]["verdict"], "verdict; evidence %v", evidenceCodes(recs[0]))
			arc, _ := recs[0]["arc"].(map[string]any)
			assert.Equal(t, "pass", arc["chain"], "the chain itself is intact")
			if tt.verdict == "authentic" {
				assert.Equal(t, "medium", recs[0]["confidence"], "a sealer's word is medium confidence at most")
			}
		})
	}
}

// TestVerifyPublishedKeyFile: a key file marking a key published
// makes its signatures prove nothing.
func TestVerifyPublishedKeyFile(t *testing.T) {
	dir := t.TempDir()
	k := testmail.MustKey("rsa2048")
	published := k.Entry()
	published.Source, published.PrivateKeyPublished = "published-keys", time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	pubFile := writeBytes(t, dir, "published.jsonl", testmail.KeyFile(published))
	keys := writeKeyFile(t, dir, "keys.jsonl")
	msg := writeBytes(t, dir, "m.eml", signDeposit(t, testmail.Message{}, "rsa2048", nil))
	recs := verifyJSON(t, "--keys", pubFile, "--keys", keys, msg)
	require.Len(t, recs, 1, "one record")
	assert.Equal(t, "unverifiable", recs[0]["verdict"], "a published key proves nothing; evidence %v", evidenceCodes(recs[0]))
	assert.Contains(t, evidenceCodes(recs[0]), "dkim.key_published", "evidence")
	sigs, _ := recs[0]["signatures"].([]any)
	require.Len(t, sigs, 1, "one signature")
	assert.Equal(t, "published_key", sigs[0].(map[string]any)["result"], "signature result")
}

// TestVerifyOutputInjection: header text cannot forge rows or
// records in the text, CSV or JSON output.
func TestVerifyOutputInjection(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	// Unsigned message whose subject and display name carry line breaks,
	// quotes and commas that would forge an authentic row.
	m := testmail.Message{
		From:    `=?utf-8?q?Alice=0D=0Afake.eml#1,authentic,high?= <alice@example.com>`,
		Subject: "=?utf-8?q?x=0D=0Afake.eml#1  authentic  high=0A{\"verdict\":\"authentic\"}?=",
		Body:    depositBody,
	}
	path := writeBytes(t, dir, "m.eml", m.Bytes())
	for _, format := range []string{"text", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"verify", "--keys", keys, "--format", format, path}, &stdout, &stderr)
			require.Equal(t, exitOK, code, "exit status; stderr %s", stderr.String())
			out := stdout.String()
			switch format {
			case "text":
				rows := 0
				for _, line := range strings.Split(out, "\n") {
					if strings.Contains(line, "authentic  ") && !strings.Contains(line, "unverifiable") {
						rows++
					}
				}
				assert.Zero(t, rows, "no line claims authentic:\n%s", out)
			case "csv":
				recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				require.NoError(t, err, "CSV parses")
				require.Len(t, recs, 2, "header and one row")
				col := -1
				for i, h := range recs[0] {
					if h == "verdict" {
						col = i
					}
				}
				require.GreaterOrEqual(t, col, 0, "verdict column")
				assert.Equal(t, "unverifiable", recs[1][col], "verdict")
			case "json":
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 1, "one JSON line")
				var rec map[string]any
				require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec), "JSON parses")
				assert.Equal(t, "unverifiable", rec["verdict"], "verdict")
			}
		})
	}
}

// TestVerifyVerdictsStayWithTheirMessages: an mbox alternating genuine
// and forged messages, checked by several workers: every record's verdict
// and SHA-256 belong to the message at its index.
func TestVerifyVerdictsStayWithTheirMessages(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	const n = 120
	var mbox bytes.Buffer
	var want []string
	var sums []string
	for i := range n {
		m := testmail.Message{Subject: "Deposit " + strconv.Itoa(i), Body: "Bob,\n\nMessage number " + strconv.Itoa(i) + ".\n\nAlice\n"}
		msg := testmail.LF(signDeposit(t, m, "rsa2048", nil))
		verdict := "authentic"
		switch i % 3 {
		case 1:
			msg = bytes.Replace(msg, []byte("Message number"), []byte("Massage number"), 1)
			verdict = "altered"
		case 2:
			msg = testmail.LF(m.Bytes()) // unsigned
			verdict = "unverifiable"
		}
		mbox.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
		start := mbox.Len()
		mbox.Write(msg)
		mbox.WriteString("\n")
		// Raw is everything after the separator line up to the next one.
		sum := sha256.Sum256(mbox.Bytes()[start:])
		sums = append(sums, hex.EncodeToString(sum[:]))
		want = append(want, verdict)
	}
	path := writeBytes(t, dir, "many.mbox", mbox.Bytes())
	recs := verifyJSON(t, "--keys", keys, "--workers", "4", path)
	require.Len(t, recs, n, "one record per message")
	for i, r := range recs {
		assert.Equal(t, float64(i+1), r["index"], "records in archive order")
		assert.Equal(t, want[i], r["verdict"], "message %d verdict", i+1)
		assert.Equal(t, "Deposit "+strconv.Itoa(i), r["subject"], "message %d subject", i+1)
		assert.Equal(t, sums[i], r["sha256"], "message %d sha256 is of its own stored bytes", i+1)
	}
}

// TestVerifySymlinksOutOfTheLeak: symbolic links in a leaked folder
// that point outside it are never followed: the reporter's own mail is
// not read as part of the leak.
func TestVerifySymlinksOutOfTheLeak(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	outside := writeBytes(t, dir, "outside/own.eml", signDeposit(t, testmail.Message{Subject: "Reporter's own"}, "rsa2048", nil))
	leak := filepath.Join(dir, "leak")
	writeBytes(t, leak, "a.eml", signDeposit(t, testmail.Message{Subject: "In the leak"}, "rsa2048", nil))
	for name, target := range map[string]string{"abs.eml": outside, "dir": filepath.Dir(outside), "rel.eml": "../outside/own.eml"} {
		if err := os.Symlink(target, filepath.Join(leak, name)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--keys", keys, "--format", "json", leak}, &stdout, &stderr)
	assert.Equal(t, 1, code, "links out of the tree are unreadable inputs; stderr %s", stderr.String())
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "JSON line")
		assert.NotEqual(t, "Reporter's own", rec["subject"], "a file outside the leak is never read")
		if rec["verdict"] != "" {
			checked++
			assert.Equal(t, "In the leak", rec["subject"], "only the leak's own message is checked")
		} else {
			assert.NotEmpty(t, rec["error"], "a link out of the tree is an error record")
		}
	}
	assert.Equal(t, 1, checked, "one message checked")
}

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512", 512, true}, {"64K", 64 << 10, true}, {"100M", 100 << 20, true}, {"100MiB", 100 << 20, true},
		{"2g", 2 << 30, true}, {"1TB", 1 << 40, true}, {"0", 0, true},
		{"", 0, false}, {"-1", 0, false}, {"1.5G", 0, false}, {"12X", 0, false}, {"99999999999T", 0, false},
	} {
		got, err := parseSize(tt.in)
		if !tt.ok {
			assert.Error(t, err, "parseSize(%q)", tt.in)
			continue
		}
		require.NoError(t, err, "parseSize(%q)", tt.in)
		assert.Equal(t, tt.want, got, "parseSize(%q)", tt.in)
	}
}

// --max-message-size reaches the walk: a message over it is an error
// record with its size, and the run goes on.
func TestVerifyMaxMessageSize(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	res := runCLI(t, "verify", "--format", "json", "--max-message-size", "1K", "testdata/sample.mbox")
	assert.Equal(t, exitInput, res.code, "exit status with messages over the cap")
	var over int
	for line := range strings.SplitSeq(strings.TrimSpace(res.stdout), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), "JSON line %q", line)
		if strings.Contains(r["error"].(string), "larger than the size cap") {
			over++
			assert.Contains(t, r["error"], "the cap is 1024", "the error names the cap")
		}
	}
	assert.Positive(t, over, "some sample message is over 1 KiB")
	res = runCLI(t, "verify", "--max-message-size", "lots", "testdata/sample.mbox")
	assert.Equal(t, 2, res.code, "a size that is not one is a usage error")
}

// The overlapping-entry zip bomb (1.6 MB, 10,000 entries over one 1 GiB
// deflate stream) once held a run for 85 minutes with the genuine message
// after it never reached. Bound: 512 MiB allocated in all (so at most
// that much memory), no entry inflated; each entry gets an error record
// naming it and its offset, and the message after the zip is checked.
func TestVerifyOverlapBomb(t *testing.T) {
	dir := t.TempDir()
	genuine := testmail.LF(testmail.Message{Subject: "genuine", Body: "The one that matters.\n"}.Bytes())
	writeBytes(t, dir, "a.zip", testmail.OverlapBomb(10000, 1024, genuine))
	writeBytes(t, dir, "b.eml", genuine)
	var stdout, stderr bytes.Buffer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code := run(t.Context(), []string{"verify", "--format", "json", dir}, &stdout, &stderr)
	runtime.ReadMemStats(&after)
	assert.Equal(t, exitInput, code, "exit status: the refused entries are inputs that could not be read")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(512<<20), "bytes allocated by the whole run")
	var refused, checked int
	for line := range strings.SplitSeq(strings.TrimSpace(stdout.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), "JSON line")
		switch e := r["error"].(string); {
		case strings.Contains(e, "zip entries overlap"):
			refused++
			assert.Contains(t, e, "at offset 40 of the zip", "the record names the offset")
		case e == "" && r["verdict"] != "":
			checked++
		}
	}
	assert.Equal(t, 10000, refused, "every overlapping entry is refused")
	assert.Equal(t, 2, checked, "the genuine entry and the file after the zip are checked")
}
