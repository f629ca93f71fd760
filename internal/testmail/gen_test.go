package testmail

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTestdataUpToDate keeps the committed testdata/ equal to what the
// generator makes now, so nobody edits it by hand.
func TestTestdataUpToDate(t *testing.T) {
	const regen = "run `go run ./internal/testmail/cmd/gentestdata` and commit testdata/"
	dir := filepath.Join(testenv.ModuleRoot(t), "testdata")
	want := make(map[string]bool)
	for _, f := range Corpus() {
		want[f.Path] = true
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if !assert.NoError(t, err, "testdata/%s is missing: %s", f.Path, regen) {
			continue
		}
		assert.True(t, bytes.Equal(f.Data, got), "testdata/%s differs from the generator's output: %s", f.Path, regen)
	}
	for _, sub := range GeneratedDirs() {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			require.NoError(t, err, "filepath.Rel")
			assert.True(t, want[filepath.ToSlash(rel)], "testdata/%s is not made by the generator (stale?): %s", rel, regen)
			return nil
		})
		assert.NoError(t, err, "walk testdata/%s", sub)
	}
}

func TestCorpusDeterministic(t *testing.T) {
	a, b := Corpus(), Corpus()
	require.Equal(t, len(a), len(b), "Corpus() file count is stable")
	for i := range a {
		assert.Equal(t, a[i].Path, b[i].Path, "Corpus() path %d is stable", i)
		assert.True(t, bytes.Equal(a[i].Data, b[i].Data), "Corpus() bytes of %s are stable", a[i].Path)
	}
	for _, f := range a {
		assert.NotContains(t, f.Path, ":", "%s: Go module zips refuse ':' in file names", f.Path)
	}
}

// corpusOutcome is what the test verifier says of a message's first
// DKIM-Signature with the records of keys.jsonl.
func corpusOutcome(t *testing.T, crlfMsg []byte) string {
	t.Helper()
	d, s, ok := signatureDS(crlfMsg, 0)
	if !ok {
		return "none"
	}
	outcome := "nokey"
	for _, e := range corpusKeyEntries() {
		if e.DNSError != "" || !strings.EqualFold(e.Domain, d) || !strings.EqualFold(e.Selector, s) {
			continue
		}
		pub, err := parsePublicKey(e.TXT)
		if err != nil {
			continue
		}
		switch err := verifyTest(crlfMsg, 0, pub); {
		case err == nil:
			return "pass"
		case errors.Is(err, errKeyType):
			outcome = "keytype"
		default:
			outcome = "fail"
		}
	}
	return outcome
}

var contentLength = regexp.MustCompile(`(?mi)^Content-Length: *(\d+)\r?$`)

// splitMbox splits an mbox (LF or CRLF) into messages (without separator
// lines), honouring Content-Length when the message has one; unescape
// undoes ">From " (mboxo) or one ">" of ">+From " (mboxrd).
func splitMbox(t *testing.T, data []byte, unescape string) [][]byte {
	t.Helper()
	s := string(LF(data))
	var msgs [][]byte
	for s != "" {
		require.True(t, strings.HasPrefix(s, "From "), "message starts with a separator: %.40q", s)
		nl := strings.IndexByte(s, '\n')
		s = s[nl+1:]
		end := -1
		if m := contentLength.FindStringSubmatchIndex(s); m != nil {
			if hdrEnd := strings.Index(s, "\n\n"); hdrEnd > m[0] {
				n, err := strconv.Atoi(s[m[2]:m[3]])
				require.NoError(t, err, "Content-Length value")
				end = hdrEnd + 2 + n
				require.LessOrEqual(t, end+1, len(s), "Content-Length within the file")
				require.Equal(t, "\n", s[end:end+1], "Content-Length is followed by the blank separator line")
				if end+1 < len(s) {
					require.True(t, strings.HasPrefix(s[end+1:], "From "), "Content-Length ends at the next separator")
				}
			}
		}
		if end < 0 {
			i := strings.Index(s, "\n\nFrom ")
			if i < 0 {
				end = len(s) - 1
			} else {
				end = i + 1
			}
		}
		msg := s[:end]
		s = s[end+1:]
		lines := strings.SplitAfter(msg, "\n")
		for i, l := range lines {
			switch unescape {
			case "mboxo":
				if strings.HasPrefix(l, ">From ") {
					lines[i] = l[1:]
				}
			case "mboxrd":
				if strings.HasPrefix(strings.TrimLeft(l, ">"), "From ") && strings.HasPrefix(l, ">") {
					lines[i] = l[1:]
				}
			}
		}
		msgs = append(msgs, CRLF([]byte(strings.Join(lines, ""))))
	}
	return msgs
}

func TestSampleMbox(t *testing.T) {
	msgs := splitMbox(t, sampleMbox(), "mboxo")
	assert.NotContains(t, string(sampleMbox()), "\r", "sample.mbox is stored with LF line endings")
	want := []string{"pass", "pass", "fail", "fail", "none", "nokey", "pass", "pass"}
	require.Len(t, msgs, len(want), "sample.mbox message count")
	for i, msg := range msgs {
		assert.Equal(t, want[i], corpusOutcome(t, msg), "sample.mbox message %d", i+1)
	}
	assert.Contains(t, string(sampleMbox()), "\n>From the chair", "sample.mbox has an mboxo-escaped From line")
}

func TestFormats(t *testing.T) {
	files := make(map[string][]byte)
	for _, f := range formatFiles() {
		files[f.Path] = f.Data
	}
	check := func(t *testing.T, name string, msgs [][]byte) {
		t.Helper()
		require.Len(t, msgs, 3, "%s message count", name)
		for i, m := range msgs {
			assert.Equal(t, "pass", corpusOutcome(t, m), "%s message %d verifies", name, i+1)
		}
	}
	for _, tt := range []struct{ file, unescape string }{
		{"mboxo.mbox", "mboxo"}, {"mboxrd.mbox", "mboxrd"}, {"mboxcl.mbox", "mboxo"},
		{"mboxcl2.mbox", ""}, {"crlf.mbox", "mboxrd"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			check(t, tt.file, splitMbox(t, files[tt.file], tt.unescape))
		})
	}
	t.Run("mbox line endings", func(t *testing.T) {
		assert.True(t, hasBareLF(files["mboxo.mbox"]), "mboxo.mbox uses LF")
		assert.False(t, hasBareLF(files["crlf.mbox"]), "crlf.mbox uses CRLF only")
		assert.False(t, hasBareLF(files["takeout.mbox"]), "takeout.mbox uses CRLF only")
		assert.Contains(t, string(files["mboxcl2.mbox"]), "\n\nFrom the chair", "mboxcl2.mbox leaves From lines unescaped")
	})
	t.Run("takeout.mbox", func(t *testing.T) {
		data := files["takeout.mbox"]
		assert.Regexp(t, `^From \d+@xxx \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}\r\nX-GM-THRID: \d+\r\nX-Gmail-Labels: `, string(data), "Takeout separator and headers on top")
		check(t, "takeout.mbox", splitMbox(t, data, "mboxo"))
	})
	t.Run("maildir and eml", func(t *testing.T) {
		var msgs [][]byte
		var names []string
		for path, data := range files {
			if strings.HasPrefix(path, "maildir/") && !strings.HasSuffix(path, ".gitkeep") || strings.HasPrefix(path, "eml/") {
				names = append(names, path)
				msgs = append(msgs, CRLF(data))
			}
		}
		require.Len(t, msgs, 6, "3 Maildir files and 3 .eml files: %v", names)
		for i, m := range msgs {
			assert.Equal(t, "pass", corpusOutcome(t, m), "%s verifies", names[i])
		}
		for _, dir := range []string{"cur/", "new/", "tmp/"} {
			found := false
			for path := range files {
				found = found || strings.HasPrefix(path, "maildir/"+dir)
			}
			assert.True(t, found, "maildir/%s exists", dir)
		}
	})
	t.Run("emlx", func(t *testing.T) {
		data := files["apple/4012.emlx"]
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		require.True(t, ok, "emlx has a length line")
		n, err := strconv.Atoi(strings.TrimSpace(string(line)))
		require.NoError(t, err, "emlx length line %q", line)
		require.Less(t, n, len(rest), "emlx length within the file")
		assert.True(t, bytes.HasPrefix(rest[n:], []byte("<?xml ")), "plist trailer follows the counted bytes")
		assert.Equal(t, "pass", corpusOutcome(t, CRLF(rest[:n])), "emlx message verifies")
	})
	t.Run("archive.zip", func(t *testing.T) {
		data := files["archive.zip"]
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		require.NoError(t, err, "archive.zip opens")
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			rc, err := f.Open()
			require.NoError(t, err, "open %s", f.Name)
			body, err := io.ReadAll(rc)
			require.NoError(t, err, "read %s (CRC checked)", f.Name)
			switch {
			case strings.HasSuffix(f.Name, ".eml"):
				assert.Equal(t, "pass", corpusOutcome(t, body), "%s verifies", f.Name)
			case strings.HasSuffix(f.Name, ".mbox"):
				check(t, f.Name, splitMbox(t, body, "mboxrd"))
			}
		}
		assert.Equal(t, []string{"Mail/inbox.mbox", "Mail/eml/1.eml", "Mail/eml/2.eml", "Mail/notes.txt"}, names, "archive.zip entries")
	})
}

func TestAdversarialAndBenignCases(t *testing.T) {
	// The cryptographic outcome each case is built to have; the verdict
	// rules (not tested here) must still never call an adversarial case
	// authentic or a benign one altered.
	adversarial := map[string]string{
		"prepended_from.eml": "pass", "from_space_colon.eml": "pass", "from_two_mailboxes.eml": "pass",
		"d_parenthesis.eml": "nokey", "testing_key.eml": "pass", "published_key.eml": "pass",
		"oversigned_extra_subject.eml": "fail", "appended_past_l.eml": "pass", "unrelated_d.eml": "pass",
		"unsigned_from.eml": "pass", "planted_auth_results.eml": "none", "transplanted_signature.eml": "fail",
		"weak_key_512.eml": "pass", "revoked_key.eml": "nokey", "key_type_mismatch.eml": "keytype",
	}
	cases := AdversarialCases()
	require.Len(t, cases, len(adversarial), "adversarial case count")
	readme := string(adversarialREADME())
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			want, ok := adversarial[c.File]
			require.True(t, ok, "unexpected adversarial case %s", c.File)
			assert.Equal(t, want, corpusOutcome(t, c.Data), "%s: %s", c.File, c.Tests)
			assert.Equal(t, "authentic", c.Never, "adversarial cases must never be authentic")
			assert.Contains(t, readme, "`"+c.File+"`", "README lists %s", c.File)
			assert.False(t, hasBareLF(c.Data), "%s uses CRLF", c.File)
		})
	}
	for _, c := range BenignCases() {
		t.Run(c.File, func(t *testing.T) {
			assert.Equal(t, "altered", c.Never, "benign cases must never be altered")
			msgs := [][]byte{CRLF(c.Data)}
			if strings.HasSuffix(c.File, ".mbox") {
				msgs = splitMbox(t, c.Data, "mboxrd")
			}
			for _, m := range msgs {
				assert.Equal(t, "pass", corpusOutcome(t, m), "%s: %s", c.File, c.Tests)
			}
		})
	}
	t.Run("rotated key needs the older record", func(t *testing.T) {
		var rotated []byte
		for _, c := range BenignCases() {
			if c.File == "rotated_key.eml" {
				rotated = c.Data
			}
		}
		pub, err := parsePublicKey(MustKey("rsa2048").Record())
		require.NoError(t, err, "parse current record")
		assert.Error(t, verifyTest(rotated, 0, pub), "the current key of s2048 does not verify the 2015 message")
	})
}

// TestZoneMatchesKeyFile parses keys.zone back (quoted strings joined) and
// compares it with the records of keys.jsonl.
func TestZoneMatchesKeyFile(t *testing.T) {
	zone := string(zoneFile(corpusKeyEntries()))
	assert.Contains(t, zone, "IN TXT (\n", "zone has a parenthesised multi-line record")
	assert.Regexp(t, `IN TXT "[^"\n]+" "`, zone, "zone has a multi-string one-line record")
	got := make(map[string][]string)
	quoted := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	var owner, text string
	inParen := false
	for line := range strings.SplitSeq(zone, "\n") {
		if strings.HasPrefix(line, ";") || strings.HasPrefix(line, "$") || line == "" {
			continue
		}
		if !inParen {
			owner = strings.Fields(line)[0]
			text = ""
		}
		for _, m := range quoted.FindAllStringSubmatch(line, -1) {
			text += strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1])
		}
		if strings.Contains(line, "(") {
			inParen = true
		}
		if strings.Contains(line, ")") {
			inParen = false
		}
		if !inParen {
			got[owner] = append(got[owner], text)
		}
	}
	want := make(map[string][]string)
	for _, e := range corpusKeyEntries() {
		if e.DNSError == "" {
			want[e.Name()+"."] = append(want[e.Name()+"."], e.TXT)
		}
	}
	assert.Equal(t, want, got, "keys.zone holds the records of keys.jsonl")
}

func TestKeyFileLine(t *testing.T) {
	k := MustKey("ed25519")
	line := KeyFileLine(k, func(e *KeyEntry) { e.Selector = "old"; e.Note = "x" })
	assert.Equal(t, `{"domain":"example.com","selector":"old","txt":"`+k.Record()+`","source":"testmail","note":"x"}`+"\n", line, "KeyFileLine with an edit")
	failed := KeyEntry{Domain: "example.org", Selector: "gone", DNSError: "NXDOMAIN"}.JSON()
	assert.Equal(t, `{"domain":"example.org","selector":"gone","txt":null,"dns_error":"NXDOMAIN"}`+"\n", failed, "a DNS failure is written with txt null")
	lookup := TXTLookup(k.Entry(), KeyEntry{Domain: "example.com", Selector: "ed1", TXT: "second"})
	txts, err := lookup("ed1._domainkey.example.com.")
	require.NoError(t, err, "TXTLookup of a known name")
	assert.Equal(t, []string{k.Record(), "second"}, txts, "TXTLookup returns every record of the name")
	_, err = lookup("nope._domainkey.example.com")
	assert.Error(t, err, "TXTLookup of an unknown name fails")
}
