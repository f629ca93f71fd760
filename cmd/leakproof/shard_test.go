package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/provenance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shardRun runs verify --shard I/N --format shard for I from 1 to n, with
// flags before the paths, and returns the shard files, in reverse order
// (merge takes them in any order).
func runShards(t *testing.T, dir string, n int, flags, paths []string) []string {
	t.Helper()
	var files []string
	for i := n; i >= 1; i-- {
		f := filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", i, n))
		args := append(append([]string{"verify"}, flags...), "--format", "shard", "--shard", fmt.Sprintf("%d/%d", i, n), "--out", f)
		r := runCLI(t, append(args, paths...)...)
		require.Contains(t, []int{exitOK, exitInput}, r.code, "verify --shard %d/%d: %s", i, n, r.stderr)
		files = append(files, f)
	}
	return files
}

// genLeak writes a generated leak under dir: a large mbox of copies of
// testdata/sample.mbox with a message over an 8 KiB cap in its middle,
// folders of .eml files, a zip with a corrupt entry, and a file that is
// not mail.
func genLeak(t *testing.T, dir string) string {
	t.Helper()
	root := filepath.Join(dir, "leak")
	sample, err := os.ReadFile("testdata/sample.mbox")
	require.NoError(t, err, "reading the sample")
	var big bytes.Buffer
	_, err = writeBigMbox(&big, sample, 120<<10)
	require.NoError(t, err, "writeBigMbox")
	big.WriteString("From big@example.com Thu Mar  3 12:00:00 2016\nFrom: big@example.com\nSubject: too large\n\n")
	for range 200 {
		big.WriteString(strings.Repeat("x", 60) + "\n")
	}
	big.WriteString("\n")
	_, err = writeBigMbox(&big, sample, 120<<10)
	require.NoError(t, err, "writeBigMbox")
	for _, d := range []string{"", "mail/a", "mail/b"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755), "mkdir")
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "big.mbox"), big.Bytes(), 0o644), "writing big.mbox")
	for i, src := range []string{"testdata/adversarial", "testdata/benign", "testdata/formats/eml/Inbox", "testdata/formats/eml/Sent"} {
		entries, err := os.ReadDir(src)
		require.NoError(t, err, "reading %s", src)
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			require.NoError(t, err, "reading %s", e.Name())
			sub := []string{"mail/a", "mail/b"}[i%2]
			require.NoError(t, os.WriteFile(filepath.Join(root, sub, fmt.Sprintf("%d-%s", i, e.Name())), b, 0o644), "writing a copy")
		}
	}
	// A zip whose one entry fails its CRC: a record with an error.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "1.eml", Method: zip.Store})
	require.NoError(t, err, "zip entry")
	fw.Write([]byte("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"))
	require.NoError(t, zw.Close(), "zip")
	z := zb.Bytes()
	i := bytes.Index(z, []byte("hello"))
	z[i] = 'j'
	require.NoError(t, os.WriteFile(filepath.Join(root, "mail", "broken.zip"), z, 0o644), "writing the zip")
	require.NoError(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("not mail\n"), 0o644), "writing notes")
	return root
}

func TestMergeEqualsVerify(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	tmp := t.TempDir()
	leak := genLeak(t, tmp)
	for _, tt := range []struct {
		name  string
		flags []string
		paths []string
	}{
		{"testdata", []string{"--keys", "testdata/keys.jsonl", "--split-above", "4K"}, []string{"testdata"}},
		{"generated", []string{"--keys", "testdata/keys.jsonl", "--max-message-size", "8K", "--split-above", "32K"}, []string{leak, "testdata/sample.mbox"}},
		{"no archive pass", []string{"--keys", "testdata/keys.jsonl", "--no-archive-pass", "--split-above", "64K"}, []string{leak}},
	} {
		for _, n := range []int{1, 2, 3, 7} {
			dir := t.TempDir()
			files := runShards(t, dir, n, tt.flags, tt.paths)
			for _, format := range []string{"json", "csv", "html", "text"} {
				t.Run(fmt.Sprintf("%s/%d/%s", tt.name, n, format), func(t *testing.T) {
					var flags []string
					for i := 0; i < len(tt.flags); i++ {
						if tt.flags[i] == "--split-above" {
							i++
							continue
						}
						flags = append(flags, tt.flags[i])
					}
					want := runCLI(t, append(append(append([]string{"verify"}, flags...), "--format", format), tt.paths...)...)
					got := runCLI(t, append([]string{"merge", "--format", format}, files...)...)
					assert.Equal(t, want.code, got.code, "merge's exit status is verify's (stderr: %s)", got.stderr)
					assert.Equal(t, want.stdout, got.stdout, "merge of %d shards writes what verify writes", n)
					assert.Equal(t, want.stderr, got.stderr, "and says the same on stderr")
				})
			}
		}
	}
}

// The generated leak has a message over the cap in the split mbox, and a
// corrupt zip entry: their error records keep their place through the
// shards.
func TestMergeKeepsErrors(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	leak := genLeak(t, t.TempDir())
	files := runShards(t, t.TempDir(), 3, []string{"--max-message-size", "8K", "--split-above", "32K"}, []string{leak})
	r := runCLI(t, append([]string{"merge", "--format", "json"}, files...)...)
	assert.Equal(t, exitInput, r.code, "unreadable records make exit status 1, as in verify")
	var errs []string
	for _, rec := range decodeRecords(t, r.stdout) {
		if e := rec["error"].(string); e != "" {
			errs = append(errs, fmt.Sprintf("%s#%v: %s", rec["file"], rec["index"], e))
		}
	}
	require.Len(t, errs, 2, "two error records: %q", errs)
	assert.Regexp(t, `big\.mbox#(\d+): archive: .*/big\.mbox: message (\d+) at offset \d+: message larger than the size cap`, errs[0], "the oversized message, numbered in the whole file")
	assert.Contains(t, errs[1], "broken.zip/1.eml#0: archive: ", "the corrupt zip entry")
	assert.Contains(t, errs[1], "entry data at offset", "with where its data lies")
}

// A shard that gets no file writes a shard file with no record, and exits 0.
func TestShardEmpty(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	dir := t.TempDir()
	var empty int
	for i := 1; i <= 3; i++ {
		r := runCLI(t, "verify", "--format", "shard", "--shard", fmt.Sprintf("%d/3", i), "--out", filepath.Join(dir, fmt.Sprint(i)), "testdata/benign/expired_x.eml")
		assert.Equal(t, exitOK, r.code, "shard %d/3 exits 0 (stderr: %s)", i, r.stderr)
		if strings.Contains(r.stderr, ": 0 records written") {
			empty++
		}
	}
	assert.Equal(t, 2, empty, "two of the three shards get no message")
	want := runCLI(t, "verify", "--format", "json", "testdata/benign/expired_x.eml")
	got := runCLI(t, "merge", "--format", "json", filepath.Join(dir, "2"), filepath.Join(dir, "3"), filepath.Join(dir, "1"))
	assert.Equal(t, want, got, "merge of one message and two empty shards")
}

func TestMergeRefuses(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	dir := t.TempDir()
	shard := func(name string, extra ...string) string {
		f := filepath.Join(dir, name)
		args := append([]string{"verify", "--keys", "testdata/keys.jsonl"}, extra...)
		r := runCLI(t, append(args, "--out", f, "testdata/sample.mbox", "testdata/benign")...)
		require.Equal(t, exitOK, r.code, "verify %v: %s", extra, r.stderr)
		return f
	}
	s1 := shard("1", "--format", "shard", "--shard", "1/2")
	s2 := shard("2", "--format", "shard", "--shard", "2/2")
	other := shard("other", "--min-rsa-bits", "2048", "--format", "shard", "--shard", "2/2")
	cut := filepath.Join(dir, "cut")
	b, err := os.ReadFile(s2)
	require.NoError(t, err, "reading a shard")
	require.NoError(t, os.WriteFile(cut, b[:len(b)-20], 0o644), "writing a cut shard")
	junk := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junk, []byte("{}\n"), 0o644), "writing junk")
	newer := filepath.Join(dir, "newer")
	require.NoError(t, os.WriteFile(newer, bytes.Replace(b, []byte("leakproof-shard 1\n"), []byte("leakproof-shard 9\n"), 1), 0o644), "writing a newer shard")

	for _, tt := range []struct {
		name  string
		files []string
		code  int
		want  string
	}{
		{"different runs", []string{s1, other}, exitInput, "come from different runs"},
		{"missing", []string{s1}, exitInput, "shard 2/2 of the run is missing"},
		{"duplicated", []string{s1, s2, s2}, exitInput, "are both shard 2/2"},
		{"cut short", []string{s1, cut}, exitInput, "cut short or damaged"},
		{"not a shard", []string{s1, junk}, exitInput, "is not a shard file"},
		{"another version", []string{s1, newer}, exitInput, "format version 9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.json")
			r := runCLI(t, append([]string{"merge", "--format", "json", "--out", out}, tt.files...)...)
			assert.Equal(t, tt.code, r.code, "exit status")
			assert.Contains(t, r.stderr, tt.want, "stderr says why")
			assert.Empty(t, r.stdout, "nothing on stdout")
			assert.NoFileExists(t, out, "no report written")
		})
	}
	r := runCLI(t, "merge", "--format", "json", s2, s1)
	assert.Equal(t, exitOK, r.code, "the two shards of one run merge: %s", r.stderr)
}

// A split mbox whose first range shows mboxcl2 framing cannot be read in
// ranges (a later range would be read without it): merge says so.
func TestMergeRefusesSplitVariant(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/formats/mboxcl2.mbox")
	files := runShards(t, t.TempDir(), 2, []string{"--split-above", "1K"}, []string{"testdata/formats/mboxcl2.mbox"})
	r := runCLI(t, append([]string{"merge", "--format", "json"}, files...)...)
	assert.Equal(t, exitInput, r.code, "exit status")
	assert.Contains(t, r.stderr, "shows mboxcl2 escaping", "stderr names the evidence")
	assert.Contains(t, r.stderr, "--split-above larger than its size", "and what to do")
}

func TestShardUsage(t *testing.T) {
	inRoot(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--shard", "1/2", "--out", "x", "testdata/sample.mbox"}, "--shard goes with --format shard"},
		{[]string{"verify", "--format", "shard", "--out", "x", "testdata/sample.mbox"}, "--format shard goes with --shard I/N"},
		{[]string{"verify", "--format", "shard", "--shard", "1/2", "testdata/sample.mbox"}, "--shard goes with --out FILE"},
		{[]string{"verify", "--format", "shard", "--shard", "3/2", "--out", "x", "testdata/sample.mbox"}, "is not a share"},
		{[]string{"verify", "--format", "shard", "--shard", "0/2", "--out", "x", "testdata/sample.mbox"}, "is not a share"},
		{[]string{"verify", "--format", "shard", "--shard", "1/2", "--out", "x", "--manifest", "m", "testdata/sample.mbox"}, "--manifest does not go with --shard"},
		{[]string{"verify", "--split-above", "1M", "testdata/sample.mbox"}, "--split-above goes with --shard"},
		{[]string{"merge", "--format", "join", "x"}, "merge cannot write --format join"},
		{[]string{"merge", "--format", "json"}, "no shard FILE to merge"},
	} {
		r := runCLI(t, tt.args...)
		assert.Equal(t, exitUsage, r.code, "%v: exit status", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v: stderr", tt.args)
	}
}

// The manifest merge writes is that of the verify run the shards make
// up: its command is verify's, with merge's output options.
func TestMergeManifest(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	dir := t.TempDir()
	files := runShards(t, dir, 3, []string{"--keys", "testdata/keys.jsonl", "--no-sha1", "--split-above", "2K"}, []string{"testdata/sample.mbox", "testdata/benign"})
	wantMan, gotMan := filepath.Join(dir, "want.json"), filepath.Join(dir, "got.json")
	want := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--no-sha1", "--format", "csv", "--manifest", wantMan, "testdata/sample.mbox", "testdata/benign")
	got := runCLI(t, append([]string{"merge", "--format", "csv", "--manifest", gotMan}, files...)...)
	require.Equal(t, want.code, got.code, "exit status: %s", got.stderr)
	wm, err := os.ReadFile(wantMan)
	require.NoError(t, err, "verify's manifest")
	gm, err := os.ReadFile(gotMan)
	require.NoError(t, err, "merge's manifest")
	assert.Equal(t, string(wm), strings.Replace(string(gm), `"--manifest",
    "`+gotMan+`"`, `"--manifest",
    "`+wantMan+`"`, 1), "the same manifest but for the --manifest path")
}

// FuzzShardFile reads arbitrary bytes as a shard file: merge must refuse
// damage with an error, never panic, and read back what it accepts.
func FuzzShardFile(f *testing.F) {
	dir := f.TempDir()
	wd, err := os.Getwd()
	require.NoError(f, err, "os.Getwd")
	root := filepath.Join(wd, "..", "..")
	for i, args := range [][]string{
		{filepath.Join(root, "testdata/sample.mbox")},
		{"--keys", filepath.Join(root, "testdata/keys.jsonl"), "--max-message-size", "1K", filepath.Join(root, "testdata/benign")},
	} {
		out := filepath.Join(dir, fmt.Sprint(i))
		var stdout, stderr bytes.Buffer
		code := run(f.Context(), append([]string{"verify", "--format", "shard", "--shard", "1/1", "--out", out}, args...), &stdout, &stderr)
		require.Contains(f, []int{exitOK, exitInput}, code, "verify --shard: %s", stderr.String())
		b, err := os.ReadFile(out)
		require.NoError(f, err, "reading the shard")
		f.Add(b)
	}
	f.Add([]byte("leakproof-shard 1\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Half the inputs keep a valid checksum over whatever follows the
		// header, so that the records are decoded, not only refused.
		if len(data) > 0 && data[len(data)-1]&1 == 1 {
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				if j := bytes.IndexByte(data[i+1:], '\n'); j >= 0 {
					body := data[i+j+2:]
					data = fmt.Appendf(bytes.Clone(data), "%x\n", sha256.Sum256(body))
				}
			}
		}
		path := filepath.Join(t.TempDir(), "shard")
		require.NoError(t, os.WriteFile(path, data, 0o644), "writing the shard")
		shards, err := openShards([]string{path})
		if err != nil {
			return
		}
		defer shards[0].f.Close()
		n := 0
		err = mergeRecords(t.Context(), shards, func(a *provenance.Assessment) error {
			if a == nil {
				t.Fatal("nil record")
			}
			n++
			return nil
		})
		if err == nil && n != shards[0].trailer.Records {
			t.Fatalf("%d records read, the trailer says %d", n, shards[0].trailer.Records)
		}
	})
}

// A merged HTML report too large for one page is laid out in the same
// pages as verify's: the index and every page file are the same bytes.
func TestMergeHTMLPagesEqualVerify(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	flags := []string{"--keys", "testdata/keys.jsonl"}
	paths := []string{"testdata/archive", "testdata/sample.mbox"}
	files := runShards(t, t.TempDir(), 3, flags, paths)
	vdir, mdir := t.TempDir(), t.TempDir()
	want := runCLI(t, append(append([]string{"verify"}, flags...), append([]string{"--format", "html", "--page-size", "7", "--out", filepath.Join(vdir, "report.html")}, paths...)...)...)
	got := runCLI(t, append([]string{"merge", "--format", "html", "--page-size", "7", "--out", filepath.Join(mdir, "report.html")}, files...)...)
	require.Equal(t, want.code, got.code, "merge's exit status is verify's (stderr: %s)", got.stderr)
	pages, err := os.ReadDir(filepath.Join(vdir, "report.pages"))
	require.NoError(t, err, "verify wrote its pages")
	require.Greater(t, len(pages), 2, "the report has several pages")
	names := []string{"report.html"}
	for _, p := range pages {
		names = append(names, filepath.Join("report.pages", p.Name()))
	}
	mpages, err := os.ReadDir(filepath.Join(mdir, "report.pages"))
	require.NoError(t, err, "merge wrote its pages")
	assert.Len(t, mpages, len(pages), "merge writes as many pages as verify")
	for _, name := range names {
		w, err := os.ReadFile(filepath.Join(vdir, name))
		require.NoError(t, err, "reading verify's %s", name)
		g, err := os.ReadFile(filepath.Join(mdir, name))
		require.NoError(t, err, "reading merge's %s", name)
		// The manifest names each run's own --out.
		assert.Equal(t, string(w), strings.ReplaceAll(string(g), mdir, vdir), "merge's %s is verify's", name)
	}
}
