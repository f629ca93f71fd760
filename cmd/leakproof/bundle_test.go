package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/internal/testmail"
)

// bundleFiles lists a bundle's files with their modes, sorted.
func bundleFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "reading the bundle %s", dir)
	var out []string
	for _, e := range entries {
		fi, err := e.Info()
		require.NoError(t, err, "stat %s", e.Name())
		out = append(out, fmt.Sprintf("%s %s", fi.Mode().Perm(), e.Name()))
	}
	return out
}

// TestBundleGolden: the file list, the command's output and the README of
// bundles of sample messages, one authentic (stored mboxo-escaped, so the
// checked view differs from the stored bytes), one altered.
func TestBundleGolden(t *testing.T) {
	dir := inRoot(t)
	for _, tt := range []struct {
		name, ref string
	}{
		{"bundle_authentic", "testdata/sample.mbox#7"},
		{"bundle_altered_body", "testdata/sample.mbox#3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			needFile(t, "testdata/sample.mbox")
			out := filepath.Join(t.TempDir(), "proof")
			r := runCLI(t, "bundle", "--keys", "testdata/keys.jsonl", "--out", out, tt.ref)
			require.Equal(t, exitOK, r.code, "exit status of leakproof bundle %s; stderr: %s", tt.ref, r.stderr)
			readme, err := os.ReadFile(filepath.Join(out, "README.md"))
			require.NoError(t, err, "the bundle's README.md")
			r.stdout += "-- files --\n" + strings.Join(bundleFiles(t, out), "\n") + "\n-- README.md --\n" + string(readme)
			golden(t, dir, tt.name, r, out, "OUT", versionLine(), "leakproof VERSION")
		})
	}
}

// TestBundleContents: the bundle holds the stored bytes exactly, the
// record verify writes, and key files that give the same results.
func TestBundleContents(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	verify := runCLI(t, "verify", "--keys", "testdata/keys.jsonl", "--format", "json", "testdata/sample.mbox")
	require.Equal(t, exitOK, verify.code, "verify; stderr %s", verify.stderr)
	records := strings.Split(strings.TrimSpace(verify.stdout), "\n")
	sample, err := os.ReadFile("testdata/sample.mbox")
	require.NoError(t, err, "reading the sample")

	for _, index := range []int{1, 3, 4, 7} {
		t.Run(fmt.Sprintf("message %d", index), func(t *testing.T) {
			var rec struct {
				ID      string `json:"id"`
				Offset  int64  `json:"offset"`
				Size    int64  `json:"size"`
				Verdict string `json:"verdict"`
			}
			require.NoError(t, json.Unmarshal([]byte(records[index-1]), &rec), "verify's record %d", index)
			out := filepath.Join(t.TempDir(), "proof")
			r := runCLI(t, "bundle", "--keys", "testdata/keys.jsonl", "--id", rec.ID, "--out", out, "testdata/sample.mbox")
			require.Equal(t, exitOK, r.code, "bundle --id %s; stderr %s", rec.ID, r.stderr)

			stored, err := os.ReadFile(filepath.Join(out, "message.eml"))
			require.NoError(t, err, "message.eml")
			assert.Equal(t, sample[rec.Offset:rec.Offset+rec.Size], stored, "message.eml is the stored bytes of message %d", index)

			var indented bytes.Buffer
			require.NoError(t, json.Indent(&indented, []byte(records[index-1]), "", "  "), "indenting verify's record")
			assessment, err := os.ReadFile(filepath.Join(out, "assessment.json"))
			require.NoError(t, err, "assessment.json")
			assert.Equal(t, indented.String()+"\n", string(assessment), "assessment.json is verify's record, indented")

			// The bundle's key files, read back by leakproof, give the
			// checked view the same verdict.
			view := filepath.Join(out, "message-unescaped.eml")
			for _, keys := range []string{"keys.jsonl", "keys.zone"} {
				recs := verifyJSON(t, "--keys", filepath.Join(out, keys), view)
				require.Len(t, recs, 1, "verify --keys %s on the checked view", keys)
				assert.Equal(t, rec.Verdict, recs[0]["verdict"], "verdict of the checked view with the bundle's %s", keys)
			}

			sums := exec.Command("sha256sum", "-c", "--quiet", "SHA256SUMS")
			sums.Dir = out
			if _, err := exec.LookPath("sha256sum"); err == nil {
				got, err := sums.CombinedOutput()
				assert.NoError(t, err, "sha256sum -c SHA256SUMS: %s", got)
			}
		})
	}
}

// TestBundleReusedSelector: when the key files hold several records under
// the signature's name, the bundle carries all of them, the deciding one
// first (mailauth reads only the first), each marked with the signatures it
// served.
func TestBundleReusedSelector(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	out := filepath.Join(t.TempDir(), "proof")
	r := runCLI(t, "bundle", "--keys", "testdata/keys.jsonl", "--out", out, "testdata/sample.mbox#1")
	require.Equal(t, exitOK, r.code, "bundle; stderr %s", r.stderr)

	data, err := os.ReadFile(filepath.Join(out, "keys.jsonl"))
	require.NoError(t, err, "keys.jsonl")
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 2, "keys.jsonl holds both s2048._domainkey.example.com records:\n%s", data)
	var first, second struct {
		Selector   string   `json:"selector"`
		UsedBy     []string `json:"used_by"`
		DecidedFor []string `json:"decided_for"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first), "line 1")
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second), "line 2")
	assert.Equal(t, []string{"DKIM-Signature 1"}, first.DecidedFor, "the first record decided")
	assert.Equal(t, []string{"DKIM-Signature 1"}, second.UsedBy, "the second record was looked up too")
	assert.Empty(t, second.DecidedFor, "the second record decided nothing")

	var cache map[string]map[string][][]string
	data, err = os.ReadFile(filepath.Join(out, "mailauth-dns-cache.json"))
	require.NoError(t, err, "mailauth-dns-cache.json")
	require.NoError(t, json.Unmarshal(data, &cache), "mailauth-dns-cache.json")
	txt := cache["s2048._domainkey.example.com"]["TXT"]
	require.Len(t, txt, 2, "both records in the cache")
	kf, err := dkim.ReadKeyFile(bytes.NewReader([]byte(lines[0])), "keys.jsonl")
	require.NoError(t, err, "keys.jsonl's first line reads as a key file")
	assert.Equal(t, kf.Records()[0].TXT, strings.Join(txt[0], ""), "the cache lists the deciding record first")
}

// TestBundleUsage: what bundle refuses, before doing any work.
func TestBundleUsage(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	require.NoError(t, os.Mkdir(full, 0o755), "mkdir")
	require.NoError(t, os.WriteFile(filepath.Join(full, "x"), nil, 0o644), "a file in the folder")
	file := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644), "a file")
	empty := filepath.Join(tmp, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755), "mkdir")

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no --out", []string{"testdata/sample.mbox"}, exitUsage, "no --out DIR"},
		{"non-empty folder", []string{"--out", full, "testdata/sample.mbox"}, exitUsage, "the folder is not empty"},
		{"a file", []string{"--out", file, "testdata/sample.mbox"}, exitUsage, "a file, not a folder"},
		{"no path", []string{"--out", filepath.Join(tmp, "new")}, exitUsage, "no PATH to bundle"},
		{"two paths", []string{"--out", filepath.Join(tmp, "new"), "a", "b"}, exitUsage, "bundle takes one PATH"},
		{"bad id", []string{"--out", filepath.Join(tmp, "new"), "--id", "xyz", "testdata/sample.mbox"}, exitUsage, "not a message id"},
		{"no such index", []string{"--out", filepath.Join(tmp, "new"), "testdata/sample.mbox#99"}, exitUsage, "has no message 99"},
		{"not mail", []string{"--out", filepath.Join(tmp, "new"), "testdata/formats/notes.txt"}, exitInput, "no mail found"},
		{"empty folder is fine", []string{"--keys", "testdata/keys.jsonl", "--out", empty, "testdata/sample.mbox#2"}, exitOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"bundle"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, "exit status of leakproof bundle %q; stderr %s", tt.args, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr, "stderr of leakproof bundle %q", tt.args)
		})
	}
	assert.NoDirExists(t, filepath.Join(tmp, "new"), "no bundle after a refusal")
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err, "reading %s", tmp)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".partial-"), "no partial bundle left: %s", e.Name())
	}
	assert.FileExists(t, filepath.Join(empty, "README.md"), "the bundle written into the empty folder")
}

// TestBundleRepairedView: when leakproof repaired the stored bytes (here a
// text-mode copy doubled every CR), message-unescaped.eml is the repaired
// view, on which the signature verifies.
func TestBundleRepairedView(t *testing.T) {
	dir := t.TempDir()
	keys := writeKeyFile(t, dir, "keys.jsonl")
	signed := signDeposit(t, testmail.Message{}, "rsa2048", nil)
	doubled := bytes.ReplaceAll(signed, []byte("\r\n"), []byte("\r\r\n"))
	path := writeBytes(t, dir, "copied.eml", doubled)
	out := filepath.Join(dir, "proof")
	r := runCLI(t, "bundle", "--keys", keys, "--out", out, path)
	require.Equal(t, exitOK, r.code, "bundle; stderr %s", r.stderr)
	stored, err := os.ReadFile(filepath.Join(out, "message.eml"))
	require.NoError(t, err, "message.eml")
	assert.Equal(t, doubled, stored, "message.eml is the stored bytes")
	view, err := os.ReadFile(filepath.Join(out, "message-unescaped.eml"))
	require.NoError(t, err, "message-unescaped.eml")
	assert.Equal(t, signed, view, "message-unescaped.eml is the repaired view")
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err, "README.md")
	assert.Contains(t, string(readme), "repair.double_cr", "the README names the repair")
}

// TestKeysZoneRoundTrip: any record text written to keys.zone reads back
// the same, quotes, backslashes, control bytes and long records included.
func TestKeysZoneRoundTrip(t *testing.T) {
	for _, tt := range []struct{ name, txt string }{
		{"plain", "v=DKIM1; k=rsa; p=MIGf"},
		{"long", "v=DKIM1; p=" + strings.Repeat("A", 600)},
		{"quotes and backslashes", `v=DKIM1; n="a\b"; p=AB`},
		{"control bytes", "v=DKIM1;\n\tp=AB\x00\x7f\xff"},
		{"empty", ""},
		{"exactly 255", strings.Repeat("x", 255)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.txt, zoneRoundTrip(t, tt.txt), "keys.zone round trip")
		})
	}
}

func zoneRoundTrip(t testing.TB, txt string) string {
	k := &bundleKey{rec: dkim.KeyRecord{Domain: "example.com", Selector: "s", TXT: txt, Source: "a\nb"}, name: "s._domainkey.example.com", usedBy: []string{"DKIM-Signature 1"}}
	zone := keysZone([]*bundleKey{k})
	kf, err := dkim.ReadKeyFile(bytes.NewReader(zone), "keys.zone")
	require.NoError(t, err, "reading keys.zone:\n%s", zone)
	recs := kf.Records()
	require.Len(t, recs, 1, "records of keys.zone:\n%s", zone)
	return recs[0].TXT
}

func FuzzKeysZone(f *testing.F) {
	f.Add("v=DKIM1; k=rsa; p=MIGf")
	f.Add(`"\` + "\n;(")
	f.Fuzz(func(t *testing.T, txt string) {
		if len(txt) > 4096 {
			return
		}
		if got := zoneRoundTrip(t, txt); got != txt {
			t.Fatalf("keys.zone round trip of %q: got %q", txt, got)
		}
	})
}

// TestBundleReverify re-verifies bundles with the other verifiers, through
// the bundle's own scripts and commands: dkimpy (Debian's python3-dkim),
// Mail::DKIM (libmail-dkim-perl) and mailauth (in .ci/run's tools folder).
// Each must agree with leakproof's signature results: a pass where it
// passed, a body-hash failure where the body hash failed, a signature
// failure where the header signature did. Without CI, a missing verifier
// skips its part; with CI set (.ci/run installs them), it fails the test.
func TestBundleReverify(t *testing.T) {
	inRoot(t)
	needFile(t, "testdata/sample.mbox")
	python := testenv.Verifier(t, "dkimpy", testenv.PythonWithDKIM)
	perl := testenv.Verifier(t, "Mail::DKIM", testenv.PerlWithMailDKIM)
	mailauth := testenv.Verifier(t, "mailauth", testenv.MailauthCommand)

	for _, tt := range []struct {
		ref  string
		want string // leakproof's verdict
	}{
		{"testdata/sample.mbox#1", "authentic"},                                                  // rsa-sha256, 2048 bits
		{"testdata/sample.mbox#2", "authentic"},                                                  // rsa-sha1, 1024 bits
		{"testdata/sample.mbox#3", "altered"},                                                    // body changed
		{"testdata/sample.mbox#4", "altered"},                                                    // a signed header field changed
		{"testdata/formats/eml/Inbox/quarterly-figures.eml", "authentic"},                        // CRLF .eml: message.eml is the view
		{"testdata/formats/maildir/cur/1456848060.M100002P4242Q2.mail.example.org", "authentic"}, // LF Maildir file
		{"testdata/formats/mboxrd.mbox#2", "authentic"},                                          // mboxrd-escaped
		{"testdata/formats/archive.zip/Mail/inbox.mbox#3", "authentic"},                          // in a zip
	} {
		t.Run(tt.ref, func(t *testing.T) {
			file, _, _ := strings.Cut(tt.ref, "#")
			if _, inner, ok := insideFile(file); ok {
				file = strings.TrimSuffix(file, "/"+inner)
			}
			needFile(t, file)
			out := filepath.Join(t.TempDir(), "proof")
			r := runCLI(t, "bundle", "--keys", "testdata/keys.jsonl", "--out", out, tt.ref)
			require.Equal(t, exitOK, r.code, "bundle %s; stderr %s", tt.ref, r.stderr)
			var rec struct {
				Verdict    string `json:"verdict"`
				Signatures []struct {
					Type            string `json:"type"`
					Domain          string `json:"domain"`
					Selector        string `json:"selector"`
					Algorithm       string `json:"algorithm"`
					Result          string `json:"result"`
					HeaderSignature string `json:"header_signature"`
					BodyHash        string `json:"body_hash"`
				} `json:"signatures"`
			}
			data, err := os.ReadFile(filepath.Join(out, "assessment.json"))
			require.NoError(t, err, "assessment.json")
			require.NoError(t, json.Unmarshal(data, &rec), "assessment.json")
			if tt.want != "" {
				require.Equal(t, tt.want, rec.Verdict, "leakproof's verdict on %s", tt.ref)
			}
			require.NotEmpty(t, rec.Signatures, "%s has signatures to re-verify", tt.ref)
			view := "message.eml"
			if _, err := os.Stat(filepath.Join(out, "message-unescaped.eml")); err == nil {
				view = "message-unescaped.eml"
			}

			// outcome: what leakproof's checks say a verifier must find.
			outcome := func(i int) string {
				s := rec.Signatures[i]
				switch {
				case s.HeaderSignature == "valid" && s.BodyHash == "match":
					return "pass"
				case s.BodyHash == "mismatch":
					return "body"
				case s.HeaderSignature == "invalid":
					return "header"
				}
				return "other"
			}
			runs := []struct {
				name  string
				cmd   []string
				parse func([]byte) map[string]string // "d s" -> "pass", "body" or "header"
			}{
				{"dkimpy", []string{python, "verify-dkimpy.py", view}, scriptOutcomes("body hash mismatch")},
				{"Mail::DKIM", []string{perl, "verify-maildkim.pl", view}, scriptOutcomes("body has been altered")},
				{"mailauth", []string{mailauth, "report", "--dns-cache", "mailauth-dns-cache.json", view}, mailauthOutcomes},
			}
			for _, run := range runs {
				if run.cmd[0] == "" {
					continue // skipped by testenv.Verifier
				}
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				cmd := exec.CommandContext(ctx, run.cmd[0], run.cmd[1:]...)
				cmd.Dir = out
				cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				cancel()
				if _, ok := err.(*exec.ExitError); !ok {
					require.NoError(t, err, "%s %q", run.name, run.cmd)
				}
				got := run.parse(stdout.Bytes())
				for i, s := range rec.Signatures {
					if s.Type != "dkim" || run.name == "Mail::DKIM" && strings.HasPrefix(s.Algorithm, "ed25519") {
						continue // Debian 12's Mail::DKIM has no Ed25519
					}
					key := s.Domain + " " + s.Selector
					assert.Equal(t, outcome(i), got[key], "%s on %s, signature d=%s s=%s (leakproof: %s); its output:\n%s%s",
						run.name, tt.ref, s.Domain, s.Selector, s.Result, stdout.String(), stderr.String())
				}
			}
		})
	}
}

// scriptOutcomes reads the bundle scripts' lines
// ("DKIM-Signature 1 d=D s=S: pass (...)"); bodyWords mark a body-hash
// failure in the verifier's words.
func scriptOutcomes(bodyWords string) func([]byte) map[string]string {
	return func(out []byte) map[string]string {
		got := map[string]string{}
		for _, line := range strings.Split(string(out), "\n") {
			label, result, ok := strings.Cut(line, ": ")
			if !ok || !strings.HasPrefix(label, "DKIM-Signature ") {
				continue
			}
			var n int
			var d, s string
			fmt.Sscanf(label, "DKIM-Signature %d d=%s s=%s", &n, &d, &s)
			switch {
			case strings.HasPrefix(result, "pass"):
				got[d+" "+s] = "pass"
			case strings.HasPrefix(result, "fail") && strings.Contains(result, bodyWords):
				got[d+" "+s] = "body"
			case strings.HasPrefix(result, "fail"):
				got[d+" "+s] = "header"
			default:
				got[d+" "+s] = "other: " + result
			}
		}
		return got
	}
}

// mailauthOutcomes reads mailauth report's JSON: dkim.results[].status.
func mailauthOutcomes(out []byte) map[string]string {
	var rep struct {
		DKIM struct {
			Results []struct {
				SigningDomain string `json:"signingDomain"`
				Selector      string `json:"selector"`
				Status        struct {
					Result  string `json:"result"`
					Comment string `json:"comment"`
				} `json:"status"`
			} `json:"results"`
		} `json:"dkim"`
	}
	got := map[string]string{}
	if json.Unmarshal(out, &rep) != nil {
		return got
	}
	for _, r := range rep.DKIM.Results {
		key := r.SigningDomain + " " + r.Selector
		switch {
		case r.Status.Result == "pass":
			got[key] = "pass"
		case r.Status.Comment == "body hash did not verify":
			got[key] = "body"
		case r.Status.Result == "fail":
			got[key] = "header"
		default:
			got[key] = "other: " + r.Status.Result + " " + r.Status.Comment
		}
	}
	return got
}
