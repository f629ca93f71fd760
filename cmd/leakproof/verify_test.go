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

	"github.com/leakproof/leakproof/internal/contract"

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
		{"verify_html_sample", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "html", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_text_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "testdata/formats"}, "testdata/formats"},
		{"verify_json_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/formats"}, "testdata/formats"},
		{"verify_csv_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "csv", "testdata/formats"}, "testdata/formats"},
		{"verify_no_keys", []string{"verify", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_ftm_sample", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "ftm", "testdata/sample.mbox"}, "testdata/sample.mbox"},
		{"verify_datashare_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "datashare", "testdata/formats"}, "testdata/formats"},
		{"verify_join_formats", []string{"verify", "--keys", "testdata/keys.jsonl", "--format", "join", "testdata/formats"}, "testdata/formats"},
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
	assert.Equal(t, 1, r.code, "only a non-mail file: no message at all was found")
	assert.Contains(t, r.stdout, "0 messages", "the text summary line")
	assert.Contains(t, r.stdout, "1 non-mail file skipped", "the text summary counts it")
	assert.Contains(t, r.stderr, "leakproof: error: no message found in the path given\n", "stderr says no message was found")
	assert.Contains(t, r.stderr, "leakproof: hint: 1 file is not mail", "and why")

	r = runCLI(t, "verify", "--format", "json", t.TempDir())
	assert.Equal(t, 1, r.code, "an empty folder: no message at all was found")
	assert.Empty(t, r.stdout, "no record")
	assert.Contains(t, r.stderr, "no message found", "stderr says so")
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
	assert.True(t, strings.HasPrefix(string(data), "id,file,entry,index,offset,size,sha256,"), "the report file is the CSV")

	r = runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "csv", "--csv-bom", "testdata/sample.mbox")
	assert.Equal(t, 0, r.code, "exit status with --csv-bom; stderr: %s", r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "\ufeffid,file,"), "--csv-bom starts the CSV with a UTF-8 BOM")
	r = runCLI(t, "verify", "--csv-bom", "testdata/sample.mbox")
	assert.Equal(t, 2, r.code, "--csv-bom without --format csv is a usage error")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err, "reading the --out folder")
	assert.Len(t, entries, 1, "no temporary file is left beside the report")

	r = runCLI(t, "verify", "--out", filepath.Join(tmp, "no-such-dir", "r.txt"), "testdata/sample.mbox")
	assert.Equal(t, 1, r.code, "exit status when --out cannot be created")
	assert.Contains(t, r.stderr, "leakproof: hint: ", "with a hint")
}

// The JSON contract of docs/json.md, checked on every record the sample
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
	contract.CheckRecord(t, rec, "record "+itoa(n))
	contract.CheckVerdict(t, rec, "record "+itoa(n))
	assert.Regexp(t, "^[0-9a-f]{64}$", rec["id"], "record %d: every record of a walk has an id", n)
}

func itoa(n int) string { return strconv.Itoa(n) }

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
	assert.Equal(t, exitInterrupted, code, "exit status of an interrupted run")
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

func TestVerifyUnsupported(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	pst := append([]byte("!BDN\x00\x00\x00\x00SM"), make([]byte, 512)...)
	msg := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 512)...)
	tmp := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755), "mkdir for %s", name)
		require.NoError(t, os.WriteFile(p, data, 0o644), "write %s", name)
		return p
	}
	one := write("one/Outlook mail.pst", pst)
	write("many/a.msg", msg)
	write("many/b.msg", msg)
	write("many/c.pst", pst)
	for _, tt := range []struct {
		name  string
		paths []string
		code  int      // a run that found no message at all exits 1
		lines []string // lines stderr holds, in this order
	}{
		{"a pst named directly", []string{one}, 1, []string{
			"leakproof: note: skipped " + one + ": an Outlook data file (.pst or .ost), which leakproof cannot read",
			"leakproof: hint: convert it with readpst (Debian package pst-utils): mkdir out && readpst -M -o out '" + one + "', then run leakproof verify out",
			"leakproof: hint: a converter rebuilds each message from Outlook's own storage",
			"leakproof: error: no message found in the path given",
		}},
		{"a folder of several", []string{filepath.Join(tmp, "many"), "testdata/sample.mbox"}, 0, []string{
			"leakproof: note: skipped " + filepath.Join(tmp, "many/c.pst") + ": an Outlook data file (.pst or .ost)",
			"leakproof: hint: convert it with readpst (Debian package pst-utils): mkdir out && readpst -M -o out " + filepath.Join(tmp, "many/c.pst") + ", then run leakproof verify out",
			"leakproof: note: skipped " + filepath.Join(tmp, "many/a.msg") + ": an Outlook message file (.msg)",
			"leakproof: note: skipped " + filepath.Join(tmp, "many/b.msg") + ": an Outlook message file (.msg)",
			"leakproof: hint: convert it with msgconvert (Debian package libemail-outlook-message-perl): msgconvert FILE writes a .eml file to verify",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--keys", "testdata/keys.jsonl", "--format", "json"}, tt.paths...)
			r := runCLI(t, args...)
			assert.Equal(t, tt.code, r.code, "exit status (stderr: %s)", r.stderr)
			if r.stdout != "" {
				for _, rec := range decodeRecords(t, r.stdout) {
					assert.Equal(t, "testdata/sample.mbox", rec["file"], "only the mail gets records")
				}
			}
			rest := r.stderr
			for _, line := range tt.lines {
				i := strings.Index(rest, line)
				if !assert.GreaterOrEqual(t, i, 0, "stderr holds %q after the lines before it:\n%s", line, r.stderr) {
					return
				}
				rest = rest[i+len(line):]
			}
			assert.NotContains(t, r.stderr, ": not mail\n", "no unsupported file is called plain not mail")
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"leak/a.pst":        "leak/a.pst",
		"Outlook mail.pst":  "'Outlook mail.pst'",
		"it's.pst":          `'it'\''s.pst'`,
		"-rf.pst":           "./-rf.pst",
		"$(reboot).pst":     "'$(reboot).pst'",
		"/abs/path/x.pst":   "/abs/path/x.pst",
		"dir with\nnewline": "'dir with\nnewline'",
	} {
		assert.Equal(t, want, shellQuote(in), "shellQuote(%q)", in)
	}
}
