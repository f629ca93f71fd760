package testmail

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCanonicalizationConformance checks this package's canonicalization
// (used by Sign) against signatures made by other implementations: every
// message the Mail::DKIM and dkimpy corpora assert as "pass" must have a
// DKIM-Signature that the test verifier, built on that canonicalization,
// accepts with the corpus's own keys. Skipped: the rows upstream does not run
// (draft-00 signatures without bh=) and DomainKeys-only messages.
func TestCanonicalizationConformance(t *testing.T) {
	conf := testenv.Conformance(t, "")
	for _, suite := range []string{"mail-dkim", "dkimpy"} {
		t.Run(suite, func(t *testing.T) {
			dir := filepath.Join(conf, suite)
			keys := readConformanceKeys(t, filepath.Join(dir, "keys.jsonl"))
			f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
			require.NoError(t, err, "open MANIFEST.tsv")
			defer f.Close()
			sc := bufio.NewScanner(f)
			checked := 0
			for sc.Scan() {
				cols := strings.Split(sc.Text(), "\t")
				if len(cols) < 4 || cols[0] == "file" || cols[1] != "pass" {
					continue
				}
				if strings.HasPrefix(cols[3], "SKIPPED upstream") || strings.HasPrefix(cols[3], "DomainKeys") || strings.HasPrefix(cols[3], "ARC") {
					continue
				}
				raw, err := os.ReadFile(filepath.Join(dir, "messages", cols[0]))
				require.NoError(t, err, "read %s", cols[0])
				msg := CRLF(raw)
				checked++
				t.Run(cols[0], func(t *testing.T) {
					var errs []string
					for i := 0; ; i++ {
						d, s, ok := signatureDS(msg, i)
						if !ok {
							break
						}
						for _, rec := range keys[s+"._domainkey."+d] {
							pub, err := parsePublicKey(rec)
							if err != nil {
								continue
							}
							err = verifyTest(msg, i, pub)
							if err == nil {
								return
							}
							errs = append(errs, err.Error())
						}
					}
					t.Errorf("%s: no DKIM-Signature verifies with the test verifier (upstream: pass): %v", cols[0], errs)
				})
			}
			require.NoError(t, sc.Err(), "read MANIFEST.tsv")
			assert.Positive(t, checked, "%s: some pass rows were checked", suite)
		})
	}
}

// readConformanceKeys returns the TXT records of keys.jsonl by DNS name
// (lower case).
func readConformanceKeys(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err, "read %s", path)
	keys := make(map[string][]string)
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e struct {
			Domain, Selector string
			TXT              *string
		}
		require.NoError(t, json.Unmarshal([]byte(line), &e), "parse %s line %q", path, line)
		if e.TXT != nil {
			name := strings.ToLower(e.Selector + "._domainkey." + e.Domain)
			keys[name] = append(keys[name], *e.TXT)
		}
	}
	return keys
}

// signatureDS returns d= and s= (lower case) of the index-th DKIM-Signature.
func signatureDS(msg []byte, index int) (d, s string, ok bool) {
	header, _ := splitMessage(msg)
	for _, f := range headerFields(header) {
		if !strings.EqualFold(fieldName(f), "DKIM-Signature") {
			continue
		}
		if index > 0 {
			index--
			continue
		}
		_, value, _ := strings.Cut(f, ":")
		tags := parseTestTags(value)
		return strings.ToLower(tags["d"]), strings.ToLower(tags["s"]), true
	}
	return "", "", false
}
