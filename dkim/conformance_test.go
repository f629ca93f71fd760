package dkim_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

// mailDKIMOutcome maps a Verification to Mail::DKIM's overall result, the
// way agreement with the suite is counted: "pass" = some signature with a valid
// header signature, a matching body hash and result pass, weak_key,
// testing_key or published_key; "fail" = otherwise some signature with
// result fail (or one of those three keys with invalid/mismatch);
// "invalid" = otherwise any signature; "none" = no DKIM-Signature and no
// DomainKey-Signature. A DomainKey-Signature (RFC 4870), which Mail::DKIM
// verifies too, counts the same way, with its one check in HeaderSignature
// standing for the header and the body (its BodyHash is always unchecked).
func mailDKIMOutcome(v *dkim.Verification) string {
	sigs := append(slices.Clone(v.Signatures), v.DomainKeys...)
	if len(sigs) == 0 {
		return "none"
	}
	bodyOK := func(s *dkim.Signature) bool {
		return s.BodyHash == dkim.BodyMatch || s.Type == dkim.SignatureDomainKeys
	}
	arithmetic := func(r dkim.Result) bool {
		switch r {
		case dkim.ResultPass, dkim.ResultWeakKey, dkim.ResultTestingKey, dkim.ResultPublishedKey:
			return true
		}
		return false
	}
	for _, s := range sigs {
		if s.HeaderSignature == dkim.HeaderValid && bodyOK(&s) && arithmetic(s.Result) {
			return "pass"
		}
	}
	for _, s := range sigs {
		if s.Result == dkim.ResultFail ||
			arithmetic(s.Result) && (s.HeaderSignature == dkim.HeaderInvalid || s.BodyHash == dkim.BodyMismatch) {
			return "fail"
		}
	}
	return "invalid"
}

// knownDisagreements explains every message where our outcome differs
// from the suite's expectation. Anything not listed here must agree.
var knownDisagreements = map[string]string{
	// draft-ietf-dkim-base-00 signatures have no bh=: the body went into
	// the header hash in a way Mail::DKIM itself no longer implements
	// (its test is in a SKIP block, and dkimpy fails them too). RFC 6376
	// §3.5 makes bh= required; we report a permerror (missing bh=).
	"good_ietf00_1.txt": "invalid",
	"good_ietf00_2.txt": "invalid",
	"good_ietf00_3.txt": "invalid",
	"good_ietf00_4.txt": "invalid",
	"good_ietf00_5.txt": "invalid",
	// ignore_7 expired in 2007 (x=1193229946). RFC 6376 §3.5 lets a
	// verifier treat an expired signature as failed; leakproof reports x=
	// and never fails on it, because every signature of an old archive has
	// expired. The signature verifies, so we say pass (and report Expires).
	"ignore_7.txt": "pass",
	// bad_dk_3's DomainKey-Signature has no q=. RFC 4870 §3.3 makes q=
	// optional with "dns" the default, and so does Mail::DKIM's code,
	// which passes the message: its test for "invalid" is in a SKIP
	// block. The signature verifies, so we say pass.
	"bad_dk_3.txt": "pass",
}

func TestConformanceMailDKIM(t *testing.T) {
	conf := testenv.Conformance(t, "")
	agree, total := runConformance(t, filepath.Join(conf, "mail-dkim"))
	// 72 of the 79 messages agree with Mail::DKIM, the 16 DomainKeys
	// rows it asserts among them. The 7 others are knownDisagreements.
	assert.Equal(t, 72, agree, "mail-dkim agreement count")
	t.Logf("mail-dkim: %d of %d agree", agree, total)
	assert.Equal(t, 79, total, "mail-dkim message count")
}

func TestConformanceDKIMPy(t *testing.T) {
	conf := testenv.Conformance(t, "")
	agree, total := runConformance(t, filepath.Join(conf, "dkimpy"))
	t.Logf("dkimpy: %d of %d agree", agree, total)
	assert.Equal(t, 3, total, "dkimpy DKIM message count (the ARC ones are arc's)")
	assert.Equal(t, 3, agree, "dkimpy agreement")
}

// runConformance verifies every DKIM message of a suite against its
// MANIFEST.tsv and returns how many agree with upstream.
func runConformance(t *testing.T, dir string) (agree, total int) {
	f, err := os.Open(filepath.Join(dir, "keys.jsonl"))
	require.NoError(t, err, "open keys.jsonl")
	defer f.Close()
	keys, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read keys.jsonl")
	opts := &dkim.Options{Keys: keys, Time: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}

	m, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	require.NoError(t, err, "open MANIFEST.tsv")
	defer m.Close()
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || cols[0] == "file" || strings.HasPrefix(cols[0], "arc_") {
			continue
		}
		file, expected, perSig, notes := cols[0], cols[1], cols[2], cols[3]
		total++
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "messages", file))
			require.NoError(t, err, "read %s", file)
			v, err := dkim.VerifyBytes(t.Context(), raw, opts)
			require.NoError(t, err, "VerifyBytes(%s)", file)
			got := mailDKIMOutcome(v)
			want := expected
			if strings.Contains(notes, "DomainKeys (not DKIM)") {
				assert.NotEmpty(t, v.DomainKeys, "%s: DomainKey-Signature verified", file)
			}
			if d, ok := knownDisagreements[file]; ok {
				want = d
			} else {
				agree++
			}
			if !assert.Equal(t, want, got, "%s: outcome (upstream %s; %s)", file, expected, notes) {
				for _, s := range append(slices.Clone(v.Signatures), v.DomainKeys...) {
					t.Logf("  %s d=%s s=%s %s header=%v body=%v err=%v", s.Type, s.Domain, s.Selector, s.Result, s.HeaderSignature, s.BodyHash, s.Err)
				}
			}
			if perSig != "" {
				// Per-signature assertions upstream makes, top to bottom,
				// with the same mapping applied to each signature alone.
				// The messages that have them carry one kind of signature.
				sigs := v.Signatures
				if len(sigs) == 0 {
					sigs = v.DomainKeys
				}
				for i, ds := range strings.Split(perSig, ";") {
					domain, result, _ := strings.Cut(ds, ":")
					require.Less(t, i, len(sigs), "%s: signature %d exists", file, i)
					s := sigs[i]
					assert.Equal(t, domain, s.Domain, "%s: signature %d domain", file, i)
					assert.Equal(t, result, mailDKIMOutcome(&dkim.Verification{Signatures: []dkim.Signature{s}}),
						"%s: signature %d outcome (%v: %v)", file, i, s.Result, s.Err)
				}
			}
		})
	}
	require.NoError(t, sc.Err(), "scan MANIFEST.tsv")
	return agree, total
}
