package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testenv"
)

func TestVerifyGolden(t *testing.T) {
	dir := inRoot(t)
	for _, tt := range []struct {
		name    string
		args    []string
		fixture string
	}{
		{"verify_text_sample", []string{"verify", "--keys", "testdata/keys.jsonl", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_json_sample", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_csv_sample", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "csv", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_text_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "testdata/formats"}, "testdata/formats"},
		{"verify_json_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/formats"}, "testdata/formats"},
		{"verify_csv_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "csv", "testdata/formats"}, "testdata/formats"},
		{"verify_no_keys", []string{"verify", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_json_arc", []string{"verify", "--keys", "testdata/keys.jsonl", "--keys", "testdata/arc/keys.jsonl", "--trust-sealer", "example.org", "--format", "json", "testdata/arc"}, "testdata/arc"},
		{"verify_missing_path", []string{"verify", "--format", "json", "testdata/no-such.mbox"}, "testdata/keys.jsonl"},
		{"verify_text_missing_path", []string{"verify", "testdata/no-such.mbox"}, "testdata/keys.jsonl"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			needFile(t, tt.fixture)
			r := runCLI(t, tt.args...)
			golden(t, dir, tt.name, r)
		})
	}
}

func TestVerifyUnreadablePath(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	r := runCLI(t, "verify", "--format", "json", "testdata/no-such.mbox", "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status when one input cannot be read")
	recs := decodeRecords(t, r.stdout)
	require.NotEmpty(t, recs, "records on stdout")
	assert.Equal(t, "testdata/no-such.mbox", recs[0]["file"], "the unreadable file comes first, in command-line order")
	assert.Equal(t, float64(0), recs[0]["index"], "a file that cannot be read has index 0")
	assert.NotEmpty(t, recs[0]["error"], "and an error")
	assert.Equal(t, "", recs[0]["verdict"], "and no verdict")
	assert.Greater(t, len(recs), 1, "the rest is still reported")
	for _, rec := range recs[1:] {
		assert.Equal(t, "testdata/sample.mbox", rec["file"], "records of the readable file")
	}
	assert.Contains(t, r.stderr, "leakproof: error: ", "stderr names the problem")
}

func TestVerifyNotMail(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	tmp := t.TempDir()
	notes := filepath.Join(tmp, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("Shopping list:\n- milk\n- bread\n"), 0o644), "writing a non-mail file")

	r := runCLI(t, "verify", "--format", "json", notes, "testdata/sample.mbox")
	assert.Equal(t, 0, r.code, "a non-mail file does not change the exit status")
	for _, rec := range decodeRecords(t, r.stdout) {
		assert.NotEqual(t, notes, rec["file"], "a non-mail file gets no record")
	}
	assert.Contains(t, r.stderr, "1 non-mail file skipped", "the stderr summary counts it")

	r = runCLI(t, "verify", notes)
	assert.Equal(t, 0, r.code, "only a non-mail file: still a finished run")
	assert.Contains(t, r.stdout, "0 messages", "the text summary line")
	assert.Contains(t, r.stdout, "1 non-mail file skipped", "the text summary counts it")
}

func TestVerifyOut(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "report.csv")
	r := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "csv", "--out", out, "testdata/sample.mbox")
	assert.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
	assert.Empty(t, r.stdout, "with --out nothing goes to stdout")
	assert.Contains(t, r.stderr, "leakproof: ", "the summary goes to stderr")
	data, err := os.ReadFile(out)
	require.NoError(t, err, "the report file exists")
	assert.True(t, strings.HasPrefix(string(data), "file,index,offset,sha256,"), "the report file is the CSV")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err, "reading the --out folder")
	assert.Len(t, entries, 1, "no temporary file is left beside the report")

	r = runCLI(t, "verify", "--out", filepath.Join(tmp, "no-such-dir", "r.txt"), "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status when --out cannot be created")
	assert.Contains(t, r.stderr, "leakproof: hint: ", "with a hint")
}

// The JSON contract of DESIGN.md, checked on every record the sample
// archives give: each field present with its JSON type, never null.
func TestJSONContract(t *testing.T) {
	inRoot(t)
	for _, path := range []string{"testdata/sample.mbox", "testdata/formats", "testdata/adversarial", "testdata/benign", "testdata/arc"} {
		t.Run(path, func(t *testing.T) {
			needFile(t, path)
			r := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "json", path)
			assert.Contains(t, []int{0, 1}, r.code, "verify finished; stderr: %s", r.stderr)
			recs := decodeRecords(t, r.stdout)
			require.NotEmpty(t, recs, "records for %s", path)
			for i, rec := range recs {
				checkContract(t, rec, i+1)
			}
		})
	}
}

// The same contract on the external conformance corpora, whose messages
// are odder than ours (../shared/conformance, found from the module root).
func TestJSONContractConformance(t *testing.T) {
	for _, suite := range []string{"mail-dkim", "dkimpy"} {
		t.Run(suite, func(t *testing.T) {
			dir := testenv.Conformance(t, suite) // skips when absent, fails under CI
			r := runCLI(t, "verify", "--keys", filepath.Join(dir, "keys.jsonl"), "--format", "json", filepath.Join(dir, "messages"))
			assert.Contains(t, []int{0, 1}, r.code, "verify finished; stderr: %s", r.stderr)
			recs := decodeRecords(t, r.stdout)
			require.NotEmpty(t, recs, "records for %s", suite)
			for i, rec := range recs {
				checkContract(t, rec, i+1)
			}
		})
	}
}

func checkContract(t *testing.T, rec map[string]any, n int) {
	t.Helper()
	what := func(s string) string { return "record " + itoa(n) + " " + s }
	checkFields(t, what("top level"), rec, recordFields)
	if sigs, ok := rec["signatures"].([]any); ok {
		for _, s := range sigs {
			checkFields(t, what("signature"), asObject(s), signatureFields)
		}
	}
	if arc, ok := rec["arc"].(map[string]any); ok {
		checkFields(t, what("arc"), arc, arcFields)
		assert.Contains(t, []any{"none", "pass", "fail"}, arc["chain"], what("arc.chain"))
		if ins, ok := arc["instances"].([]any); ok {
			for _, in := range ins {
				checkFields(t, what("arc instance"), asObject(in), arcInstanceFields)
			}
		}
	}
	if cov, ok := rec["coverage"].(map[string]any); ok {
		checkFields(t, what("coverage"), cov, coverageFields)
		checkFields(t, what("coverage.fields"), asObject(cov["fields"]), fieldsFields)
		if ats, ok := cov["attachments"].([]any); ok {
			for _, at := range ats {
				checkFields(t, what("attachment"), asObject(at), attachmentFields)
			}
		}
	}
	if evs, ok := rec["evidence"].([]any); ok {
		for _, e := range evs {
			checkFields(t, what("evidence"), asObject(e), evidenceFields)
		}
	}
	if rec["error"] == "" {
		assert.Contains(t, []any{"authentic", "altered", "unverifiable"}, rec["verdict"], what("verdict"))
		assert.Contains(t, []any{"high", "medium", "low"}, rec["confidence"], what("confidence"))
	} else {
		assert.Equal(t, "", rec["verdict"], what("verdict of an error record"))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func asObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// checkFields checks that obj has exactly the fields of want, each with its
// JSON type (so never null).
func checkFields(t *testing.T, what string, obj map[string]any, want map[string]string) {
	t.Helper()
	if !assert.NotNil(t, obj, "%s: is an object", what) {
		return
	}
	for k, typ := range want {
		v, ok := obj[k]
		if assert.True(t, ok, "%s: field %q missing", what, k) {
			assert.Equal(t, typ, jsonType(v), "%s: JSON type of %q", what, k)
		}
	}
	for k := range obj {
		_, ok := want[k]
		assert.True(t, ok, "%s: field %q is not in DESIGN.md's contract", what, k)
	}
}

var (
	recordFields = map[string]string{
		"file": "string", "index": "number", "offset": "number", "size": "number", "sha256": "string",
		"format": "string", "message_id": "string", "from": "string", "from_address": "string",
		"subject": "string", "date": "string", "verdict": "string", "confidence": "string",
		"summary": "string", "signatures": "array", "arc": "object", "coverage": "object",
		"evidence": "array", "error": "string",
	}
	signatureFields = map[string]string{
		"domain": "string", "selector": "string", "algorithm": "string", "canonicalization": "string",
		"header_signature": "string", "body_hash": "string", "result": "string", "reason": "string",
		"key_bits": "number", "key_source": "string", "aligned": "boolean", "signed_headers": "array",
		"body_length": "number", "unsigned_body_bytes": "number", "timestamp": "string", "expires": "string",
	}
	arcFields         = map[string]string{"chain": "string", "failed_instance": "number", "instances": "array"}
	arcInstanceFields = map[string]string{
		"instance": "number", "sealer": "string", "selector": "string", "cv": "string",
		"seal": "string", "message_signature": "string", "authentication_results": "string",
	}
	coverageFields   = map[string]string{"fields": "object", "body": "string", "attachments": "array"}
	fieldsFields     = map[string]string{"from": "string", "to": "string", "cc": "string", "subject": "string", "date": "string", "message_id": "string", "reply_to": "string"}
	attachmentFields = map[string]string{"name": "string", "sha256": "string", "covered": "boolean"}
	evidenceFields   = map[string]string{"code": "string", "severity": "string", "message": "string"}
)

func TestVerifyWorkersKeepOrder(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/formats")
	one := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "json", "--workers", "1", "testdata/formats", "testdata/sample.mbox")
	many := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "json", "--workers", "8", "testdata/formats", "testdata/sample.mbox")
	require.Equal(t, 0, one.code, "exit status with one worker; stderr: %s", one.stderr)
	require.Equal(t, 0, many.code, "exit status with eight workers; stderr: %s", many.stderr)
	assert.Equal(t, one.stdout, many.stdout, "the report is the same, in archive order, whatever the number of workers")
}

func TestVerifyInterrupted(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	tmp := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"verify", "--out", filepath.Join(tmp, "r.jsonl"), "--format", "json", "testdata/sample.mbox"}, &stdout, &stderr)
	assert.Equal(t, 1, code, "exit status of an interrupted run")
	assert.Contains(t, stderr.String(), "leakproof: error: interrupted", "stderr says the run was interrupted")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err, "reading the --out folder")
	assert.Empty(t, entries, "no report and no temporary file are left after an interrupted run")
}

// failWriter fails every write, as a full disk or a closed pipe does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestVerifyOutputFails(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "testdata/sample.mbox"}, failWriter{}, &stderr)
	assert.Equal(t, 1, code, "exit status when the report cannot be written")
	assert.Contains(t, stderr.String(), "no space left on device", "stderr says why")
	assert.Contains(t, stderr.String(), "leakproof: hint: the report is incomplete", "and that the report is incomplete")
}

// The policy flags reach the checker: message 2 of the sample is signed
// with rsa-sha1 and a 1024-bit key (testdata/README.md).
func TestVerifyPolicyFlags(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, "authentic"},
		{"min-rsa-bits 2048", []string{"--min-rsa-bits", "2048"}, "unverifiable"},
		{"no-sha1", []string{"--no-sha1"}, "unverifiable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json"}, tt.args...), "testdata/sample.mbox")
			r := runCLI(t, args...)
			require.Equal(t, 0, r.code, "exit status; stderr: %s", r.stderr)
			recs := decodeRecords(t, r.stdout)
			require.GreaterOrEqual(t, len(recs), 2, "records")
			assert.Equal(t, tt.want, recs[1]["verdict"], "verdict of the rsa-sha1 1024-bit message with %q", tt.args)
			assert.Equal(t, "authentic", recs[0]["verdict"], "the 2048-bit rsa-sha256 message stays authentic with %q", tt.args)
		})
	}
}
