package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/report"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// leakproofBinary builds the command once per test binary: signals are
// tested on a real process. TestMain removes it.
func leakproofBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "leakproof-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "leakproof")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/leakproof/leakproof/cmd/leakproof").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	require.NoError(t, binErr, "building leakproof")
	return binPath
}

// writeCopies writes an mbox of n copies of testdata/sample.mbox (8
// messages each) to dir and returns its path.
func writeCopies(t *testing.T, dir string, n int) string {
	t.Helper()
	sample, err := os.ReadFile("testdata/sample.mbox")
	require.NoError(t, err, "reading the sample")
	p := filepath.Join(dir, "big.mbox")
	f, err := os.Create(p)
	require.NoError(t, err, "creating the mbox")
	bw := bufio.NewWriter(f)
	_, err = writeBigMbox(bw, sample, int64(n*len(sample)))
	require.NoError(t, err, "writing the mbox")
	require.NoError(t, bw.Flush(), "flushing the mbox")
	require.NoError(t, f.Close(), "closing the mbox")
	return p
}

// fileState is what must not change about an input: its size, its
// modification time and its SHA-256.
type fileState struct {
	size   int64
	mtime  time.Time
	sha256 string
}

func stateOf(t *testing.T, paths ...string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		require.NoError(t, err, "stat %s", p)
		data, err := os.ReadFile(p)
		require.NoError(t, err, "read %s", p)
		sum := sha256.Sum256(data)
		out[p] = fileState{fi.Size(), fi.ModTime(), hex.EncodeToString(sum[:])}
	}
	return out
}

// waitRecords waits until the partial manifest counts some records, and
// fails when the run ends first.
func waitRecords(t *testing.T, manifest string, cmd *exec.Cmd, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before it could be killed: make the generated archive larger", err)
		default:
		}
		if data, err := os.ReadFile(manifest); err == nil {
			var m partialManifest
			if json.Unmarshal(data, &m) == nil && m.Records > 0 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("no checkpoint within a minute")
}

// A run killed with SIGKILL (nothing of it can run) leaves FILE.partial
// and its manifest; --resume continues and ends with exactly the
// uninterrupted output. Every input keeps its size, mtime and SHA-256
// through the uninterrupted, the killed and the resumed run. Bound: a
// 8,000-message mbox (about 7 MB), three runs of the built binary.
func TestVerifyKilledRunResumes(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	bin := leakproofBinary(t)
	dir := t.TempDir()
	mbox := writeCopies(t, dir, 1000)
	keys, err := filepath.Abs("testdata/keys.jsonl")
	require.NoError(t, err, "keys path")
	before := stateOf(t, mbox, keys)

	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			args := []string{"verify", "--no-archive-pass", "--keys", keys, "--format", format}
			if format == "csv" {
				args = append(args, "--csv-bom")
			}
			ref := filepath.Join(dir, "ref."+format)
			whole, err := exec.Command(bin, append(args, "--out", ref, mbox)...).CombinedOutput()
			require.NoError(t, err, "the uninterrupted run: %s", whole)

			out := filepath.Join(dir, "r."+format)
			partial, manifest := partialNames(out)
			cmd := exec.Command(bin, append(args, "--out", out, "--resume", mbox)...)
			require.NoError(t, cmd.Start(), "starting the run to kill")
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitRecords(t, manifest, cmd, done)
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL), "SIGKILL")
			<-done

			assert.NoFileExists(t, out, "no --out FILE after a kill")
			assert.FileExists(t, partial, "the partial report is kept")
			assert.FileExists(t, manifest, "with its manifest")

			resumed := exec.Command(bin, append(args, "--out", out, "--resume", mbox)...)
			var stderr bytes.Buffer
			resumed.Stderr = &stderr
			require.NoError(t, resumed.Run(), "the resumed run; stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "leakproof: note: resuming after ", "stderr says it resumed")
			want, err := os.ReadFile(ref)
			require.NoError(t, err, "reading the uninterrupted output")
			got, err := os.ReadFile(out)
			require.NoError(t, err, "reading the resumed output")
			assert.True(t, bytes.Equal(want, got), "the resumed output is byte for byte the uninterrupted one (%d and %d bytes)", len(want), len(got))
			assert.NoFileExists(t, partial, "the partial report is gone once complete")
			assert.NoFileExists(t, manifest, "and so is its manifest")
		})
	}
	assert.Equal(t, before, stateOf(t, mbox, keys), "the inputs' size, mtime and SHA-256 after every run")
}

// SIGTERM and SIGINT stop the run with exit status 3: every record on
// stdout is complete, stderr says what was not examined, and --out
// without --resume leaves nothing behind.
func TestVerifySignals(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	bin := leakproofBinary(t)
	dir := t.TempDir()
	mbox := writeCopies(t, dir, 1000)
	before := stateOf(t, mbox)

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "verify", "--no-archive-pass", "--format", "json", mbox)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err, "stdout pipe")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start(), "starting the run")
			// Signal once the first 64 KiB block has arrived: mid-run.
			head := make([]byte, 64<<10)
			_, err = io.ReadFull(stdout, head)
			require.NoError(t, err, "reading the first block of records")
			require.NoError(t, cmd.Process.Signal(sig), "signalling")
			rest, err := io.ReadAll(stdout)
			require.NoError(t, err, "reading the rest of stdout")
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the run fails; stderr: %s", stderr.String())
			assert.Equal(t, exitInterrupted, exit.ExitCode(), "exit status; stderr: %s", stderr.String())
			all := append(head, rest...)
			require.True(t, bytes.HasSuffix(all, []byte("\n")), "stdout ends with a complete line")
			lines := strings.Split(strings.TrimSuffix(string(all), "\n"), "\n")
			for i, line := range lines {
				var rec map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %d of stdout is a complete JSON record", i+1)
			}
			assert.Less(t, len(lines), 8000, "the run stopped before the end")
			assert.Contains(t, stderr.String(), "leakproof: error: interrupted; the report is incomplete", "stderr says so")
			assert.Contains(t, stderr.String(), "leakproof: note: not examined: the rest of "+mbox, "and what was not examined")
		})
	}

	// --out without --resume: nothing is left.
	outDir := t.TempDir()
	cmd := exec.Command(bin, "verify", "--no-archive-pass", "--format", "json", "--out", filepath.Join(outDir, "r.jsonl"), mbox)
	require.NoError(t, cmd.Start(), "starting the run")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(outDir)
		if len(entries) > 0 {
			if fi, err := entries[0].Info(); err == nil && fi.Size() > 0 {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the run fails")
	assert.Equal(t, exitInterrupted, exit.ExitCode(), "exit status")
	entries, err := os.ReadDir(outDir)
	require.NoError(t, err, "reading the --out folder")
	assert.Empty(t, entries, "no report and no temporary file after SIGTERM without --resume")
	assert.Equal(t, before, stateOf(t, mbox), "the input's size, mtime and SHA-256 after the runs")
}

// --resume refuses a run that is not the interrupted one, and simply
// starts when there is nothing to resume.
func TestVerifyResumeRefuses(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	dir := t.TempDir()
	mbox := filepath.Join(dir, "in.mbox")
	sample, err := os.ReadFile("testdata/sample.mbox")
	require.NoError(t, err, "reading the sample")
	require.NoError(t, os.WriteFile(mbox, sample, 0o644), "writing the input")
	keys := filepath.Join(dir, "keys.jsonl")
	keyData, err := os.ReadFile("testdata/keys.jsonl")
	require.NoError(t, err, "reading the keys")
	require.NoError(t, os.WriteFile(keys, keyData, 0o644), "writing the keys")
	out := filepath.Join(dir, "r.jsonl")
	partial, manifest := partialNames(out)
	args := []string{"verify", "--no-archive-pass", "--keys", keys, "--format", "json", "--out", out, "--resume"}

	// A manifest as an interrupted run leaves it.
	fresh := runCLI(t, append(args, mbox)...)
	require.Equal(t, exitOK, fresh.code, "with nothing to resume, --resume simply starts; stderr: %s", fresh.stderr)
	want, err := os.ReadFile(out)
	require.NoError(t, err, "the report of the fresh run")
	require.NoError(t, os.Remove(out), "removing it")
	interrupted := func(t *testing.T) {
		t.Helper()
		lines := bytes.SplitAfter(want, []byte("\n"))
		require.NoError(t, os.WriteFile(partial, bytes.Join(lines[:3], nil), 0o644), "the partial report")
		st := runState{}
		st.Tally.Authentic = 3
		m := partialManifest{Command: append([]string{"leakproof", "verify"}, withoutResume(args[1:])...), Records: 3,
			Bytes: int64(len(bytes.Join(lines[:3], nil))), State: st}
		m.Command = append(m.Command, mbox)
		m.Inputs = scanInputs(t.Context(), []string{mbox}, true)
		_, sum, err := readKeyFile(keys)
		require.NoError(t, err, "hashing the key file")
		m.KeyFiles = append(m.KeyFiles, report.ManifestKeyFile{Path: keys, SHA256: sum})
		p := &partialRun{manifest: manifest, m: m}
		require.NoError(t, p.save(), "writing the partial manifest")
	}

	for _, tt := range []struct {
		name   string
		change func(t *testing.T) []string
		code   int
		msg    string
	}{
		{"other flags", func(t *testing.T) []string {
			return []string{"verify", "--no-archive-pass", "--keys", keys, "--format", "json", "--no-sha1", "--out", out, "--resume", mbox}
		}, exitUsage, "--resume: the interrupted run was"},
		{"input touched", func(t *testing.T) []string {
			later := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(mbox, later, later), "touching the input")
			return append(args, mbox)
		}, exitInput, "in.mbox changed since the interrupted run"},
		{"input rewritten with its size and mtime", func(t *testing.T) []string {
			fi, err := os.Stat(mbox)
			require.NoError(t, err, "stat")
			edited := bytes.Replace(sample, []byte("Subject: "), []byte("Subject:X"), 1)
			require.NoError(t, os.WriteFile(mbox, edited, 0o644), "editing")
			require.NoError(t, os.Chtimes(mbox, fi.ModTime(), fi.ModTime()), "restoring the mtime")
			return append(args, mbox)
		}, exitInput, "its SHA-256 was"},
		{"key file changed", func(t *testing.T) []string {
			require.NoError(t, os.WriteFile(keys, append(bytes.Clone(keyData), '\n'), 0o644), "editing the key file")
			return append(args, mbox)
		}, exitInput, "a key file differs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(mbox, sample, 0o644), "restoring the input")
			require.NoError(t, os.WriteFile(keys, keyData, 0o644), "restoring the keys")
			interrupted(t)
			res := runCLI(t, tt.change(t)...)
			assert.Equal(t, tt.code, res.code, "exit status; stderr: %s", res.stderr)
			assert.Contains(t, res.stderr, tt.msg, "stderr says what differs")
			assert.FileExists(t, partial, "the partial report is kept")
			assert.NoFileExists(t, out, "no report")
		})
	}

	t.Run("same run", func(t *testing.T) {
		require.NoError(t, os.WriteFile(mbox, sample, 0o644), "restoring the input")
		require.NoError(t, os.WriteFile(keys, keyData, 0o644), "restoring the keys")
		interrupted(t)
		res := runCLI(t, append(args, mbox)...)
		require.Equal(t, exitOK, res.code, "the resumed run; stderr: %s", res.stderr)
		got, err := os.ReadFile(out)
		require.NoError(t, err, "reading the report")
		assert.Equal(t, string(want), string(got), "the resumed report is the uninterrupted one")
		assert.Contains(t, res.stderr, "8 messages:", "the summary counts the records of the interrupted run too")
	})

	res := runCLI(t, "verify", "--format", "html", "--out", out, "--resume", mbox)
	assert.Equal(t, exitUsage, res.code, "--resume with a format that cannot be resumed")
	res = runCLI(t, "verify", "--format", "json", "--resume", mbox)
	assert.Equal(t, exitUsage, res.code, "--resume without --out")
}

// truncateOnWrite truncates a file to half at the first write: the input
// shrinks while the run reads it.
type truncateOnWrite struct {
	bytes.Buffer
	path string
	size int64
	done bool
}

func (w *truncateOnWrite) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		os.Truncate(w.path, w.size/2)
	}
	return w.Buffer.Write(p)
}

// A file that shrinks while it is read gives an error record and exit
// status 1, not a quietly shorter report.
func TestVerifyFileChanged(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	dir := t.TempDir()
	mbox := writeCopies(t, dir, 500)
	fi, err := os.Stat(mbox)
	require.NoError(t, err, "stat")
	stdout := &truncateOnWrite{path: mbox, size: fi.Size()}
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--no-archive-pass", "--format", "json", "--workers", "1", mbox}, stdout, &stderr)
	assert.Equal(t, exitInput, code, "exit status; stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "file changed while it was read", "the report has the error record")
	assert.Contains(t, stderr.String(), "leakproof: error: 1 file changed while being read", "stderr says so")
}
