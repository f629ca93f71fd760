package arc_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
)

// readKeyFile reads a key file with the dkim package's reader.
func readKeyFile(t *testing.T, path string) *dkim.KeyFile {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "open %s", path)
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, path)
	require.NoError(t, err, "dkim.ReadKeyFile(%s)", path)
	return kf
}

// suiteCase is one validation case of the ValiMail ARC test suite.
type suiteCase struct {
	scenario, id string
	line         int
	message      string
	cv           string // as written: Pass, Fail, None or ""
	keys         dkim.KeySource
}

// walkSuite walks the YAML node tree of one of the suite's files and calls
// each for every test case, with its scenario, the scenario's key records
// and the case's keys as written. It walks nodes rather than decoding into
// maps because four test IDs occur twice in one mapping, which yaml.v3
// refuses to decode into a map.
func walkSuite(t *testing.T, path string, each func(scenario string, keys dkim.KeySource, id *yaml.Node, fields map[string]string)) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "open %s", path)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "decode a YAML document of %s", path)
		require.Len(t, doc.Content, 1, "document node of %s", path)
		root := doc.Content[0]
		require.Equal(t, yaml.MappingNode, root.Kind, "scenario of %s is a mapping", path)
		var scenario string
		var tests *yaml.Node
		var records []dkim.KeyRecord
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "description":
				scenario = v.Value
			case "tests":
				tests = v
			case "txt-records":
				for j := 0; j+1 < len(v.Content); j += 2 {
					selector, domain, ok := strings.Cut(v.Content[j].Value, "._domainkey.")
					require.True(t, ok, "txt-records name %q", v.Content[j].Value)
					records = append(records, dkim.KeyRecord{Domain: domain, Selector: selector, TXT: v.Content[j+1].Value, Source: "arc-test-suite"})
				}
			}
		}
		require.NotNil(t, tests, "scenario %q has tests", scenario)
		keys := dkim.NewKeyFile(records)
		for i := 0; i+1 < len(tests.Content); i += 2 {
			id, v := tests.Content[i], tests.Content[i+1]
			fields := map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				fields[v.Content[j].Value] = v.Content[j+1].Value
			}
			each(scenario, keys, id, fields)
		}
	}
}

// readSuite reads the validation cases of a validation file.
func readSuite(t *testing.T, path string) []suiteCase {
	t.Helper()
	var cases []suiteCase
	walkSuite(t, path, func(scenario string, keys dkim.KeySource, id *yaml.Node, fields map[string]string) {
		cases = append(cases, suiteCase{scenario: scenario, id: id.Value, line: id.Line, keys: keys,
			message: fields["message"], cv: strings.TrimSpace(fields["cv"])})
	})
	return cases
}

// knownDisagreements lists the suite cases where this package knowingly
// reports another status than the suite expects, with the reason. It is
// empty: every case agrees (see TestARCTestSuite).
var knownDisagreements = map[string]string{}

// TestARCTestSuite runs the 175 validation cases of the ValiMail ARC test
// suite (../shared/conformance/arc-test-suite). Agreement: 175 of 175. An
// expected blank cv (three cases whose chain already carries cv=fail)
// agrees with "fail", as RFC 8617 §5.2 step 2 makes such a chain failed.
func TestARCTestSuite(t *testing.T) {
	dir := testenv.Conformance(t, "arc-test-suite")
	cases := readSuite(t, filepath.Join(dir, "arc-draft-validation-tests.yml"))
	require.Len(t, cases, 175, "validation cases read from the YAML node tree")
	agree := 0
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.id]++
		name := fmt.Sprintf("%s/%s#%d", c.scenario, c.id, seen[c.id])
		ok := t.Run(name, func(t *testing.T) {
			res, err := arc.Verify(t.Context(), []byte(c.message), &dkim.Options{Keys: c.keys})
			require.NoError(t, err, "Verify(%s, line %d)", c.id, c.line)
			want := strings.ToLower(c.cv)
			if want == "" {
				want = "fail"
			}
			if why, ok := knownDisagreements[c.id]; ok {
				t.Logf("known disagreement: %s", why)
				assert.NotEqual(t, want, res.Chain.String(), "Verify(%s, line %d): documented disagreement no longer occurs", c.id, c.line)
				return
			}
			assert.Equal(t, want, res.Chain.String(), "Verify(%s, line %d).Chain (reason %q)", c.id, c.line, res.Reason)
			if res.Chain == arc.ChainFail {
				assert.NotEmpty(t, res.Reason, "Verify(%s).Reason on a failed chain", c.id)
			}
		})
		if ok {
			agree++
		}
	}
	t.Logf("ARC test suite: %d of %d validation cases agree", agree, len(cases))
	assert.Equal(t, len(cases), agree, "validation cases that agree with the suite")
}

// TestDkimpyARCMessages checks the two ARC messages of dkimpy's test suite
// (../shared/conformance/dkimpy), with keys from its keys.jsonl.
func TestDkimpyARCMessages(t *testing.T) {
	dir := testenv.Conformance(t, "dkimpy")
	keys := readKeyFile(t, filepath.Join(dir, "keys.jsonl"))
	for _, tt := range []struct {
		file string
		want arc.ChainStatus
	}{
		{"arc_signs_and_verifies.eml", arc.ChainPass},
		{"arc_fails_h_in_as.eml", arc.ChainFail},
	} {
		t.Run(tt.file, func(t *testing.T) {
			msg, err := os.ReadFile(filepath.Join(dir, "messages", tt.file))
			require.NoError(t, err, "read %s", tt.file)
			res, err := arc.Verify(t.Context(), msg, &dkim.Options{Keys: keys})
			require.NoError(t, err, "Verify(%s)", tt.file)
			assert.Equal(t, tt.want, res.Chain, "Verify(%s).Chain (reason %q)", tt.file, res.Reason)
		})
	}
}

// mailDKIMDisagreements are the cases where the copy of the suite that Perl
// Mail::DKIM ships (an earlier state, since edited there) expects another
// status than upstream, and this package follows upstream.
var mailDKIMDisagreements = map[string]string{
	"ams_fields_a_sha1": "RFC 8617 takes DKIM's algorithms as updated by RFC 8301, which forbids rsa-sha1; upstream expects fail",
	"as_fields_a_sha1":  "RFC 8617 takes DKIM's algorithms as updated by RFC 8301, which forbids rsa-sha1; upstream expects fail",
	"ams_fields_c_na":   "upstream and dkimpy expect pass (an AMS without c= is read as relaxed/relaxed); the Mail::DKIM copy expects fail",
}

// TestARCTestSuiteMailDKIMCopy runs the Mail::DKIM copy of the validation
// cases (../shared/conformance/arc-test-suite/mail-dkim-variant): 171 of
// 174 agree; the other three are listed in mailDKIMDisagreements, where the
// copy differs from upstream and this package follows upstream.
func TestARCTestSuiteMailDKIMCopy(t *testing.T) {
	dir := testenv.Conformance(t, "arc-test-suite")
	cases := readSuite(t, filepath.Join(dir, "mail-dkim-variant", "arc-draft-validation-tests.yml"))
	require.NotEmpty(t, cases, "validation cases of the Mail::DKIM copy")
	agree, differ := 0, 0
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.id]++
		t.Run(fmt.Sprintf("%s/%s#%d", c.scenario, c.id, seen[c.id]), func(t *testing.T) {
			res, err := arc.Verify(t.Context(), []byte(c.message), &dkim.Options{Keys: c.keys})
			require.NoError(t, err, "Verify(%s, line %d)", c.id, c.line)
			want := strings.ToLower(c.cv)
			if want == "" {
				want = "fail"
			}
			if why, ok := mailDKIMDisagreements[c.id]; ok {
				t.Logf("documented disagreement: %s", why)
				assert.NotEqual(t, want, res.Chain.String(), "Verify(%s, line %d): documented disagreement no longer occurs", c.id, c.line)
				differ++
				return
			}
			if assert.Equal(t, want, res.Chain.String(), "Verify(%s, line %d).Chain (reason %q)", c.id, c.line, res.Reason) {
				agree++
			}
		})
	}
	t.Logf("Mail::DKIM copy of the ARC test suite: %d of %d agree, %d documented disagreements", agree, len(cases), differ)
	assert.Equal(t, len(mailDKIMDisagreements), differ, "documented disagreements found")
	assert.Equal(t, len(cases), agree+differ, "cases that agree or are documented")
}

// signCase is one signing case of the suite, turned into a verification
// case: the expected ARC-Seal, ARC-Message-Signature and
// ARC-Authentication-Results prepended to the input message.
type signCase struct {
	scenario, id string
	line         int
	message      string
	cv           string // the cv= of the expected ARC-Seal
	keys         dkim.KeySource
}

// readSignSuite reads arc-draft-sign-tests.yml. Cases whose expected
// headers are empty (the signer must add nothing) are left out.
func readSignSuite(t *testing.T, path string) []signCase {
	t.Helper()
	var cases []signCase
	walkSuite(t, path, func(scenario string, keys dkim.KeySource, id *yaml.Node, fields map[string]string) {
		if strings.TrimSpace(fields["AS"]) == "" {
			return
		}
		fold := func(name, v string) string {
			lines := strings.Split(strings.TrimRight(v, "\n"), "\n")
			out := name + ": " + lines[0]
			for _, l := range lines[1:] {
				if strings.HasSuffix(out, ";") {
					out += "\n " + l
				} else {
					out += l
				}
			}
			return out + "\n"
		}
		c := signCase{scenario: scenario, id: id.Value, line: id.Line, keys: keys,
			message: fold("ARC-Seal", fields["AS"]) + fold("ARC-Message-Signature", fields["AMS"]) +
				fold("ARC-Authentication-Results", fields["AAR"]) + fields["message"]}
		if _, after, ok := strings.Cut(fields["AS"], "cv="); ok {
			c.cv, _, _ = strings.Cut(after, ";")
		}
		cases = append(cases, c)
	})
	return cases
}

// TestARCSignSuiteAsVerification verifies what the 16 signing cases of the
// suite (with expected headers) expect a sealer to add: each expected set,
// prepended to its input message, must give a chain that passes, or fails
// when the new seal itself records cv=fail (the input chain was already
// broken), and the new seal and message signature must verify. All 16 do.
// The expected b= values were signed unfolded: the YAML wraps them, so a
// wrapped line that does not follow a ";" is joined without whitespace.
func TestARCSignSuiteAsVerification(t *testing.T) {
	dir := testenv.Conformance(t, "arc-test-suite")
	cases := readSignSuite(t, filepath.Join(dir, "arc-draft-sign-tests.yml"))
	require.NotEmpty(t, cases, "signing cases with expected headers")
	for _, c := range cases {
		t.Run(c.scenario+"/"+c.id, func(t *testing.T) {
			res, err := arc.Verify(t.Context(), []byte(c.message), &dkim.Options{Keys: c.keys})
			require.NoError(t, err, "Verify(%s, line %d)", c.id, c.line)
			want := arc.ChainPass
			if c.cv == "fail" {
				want = arc.ChainFail
			}
			assert.Equal(t, want, res.Chain, "Verify(%s, line %d).Chain (reason %q)", c.id, c.line, res.Reason)
			require.NotEmpty(t, res.Instances, "instances of %s", c.id)
			latest := res.Instances[len(res.Instances)-1]
			assert.Equal(t, dkim.ResultPass, latest.Seal, "the expected new seal of %s verifies", c.id)
			assert.Equal(t, dkim.ResultPass, latest.MessageSignature, "the expected new message signature of %s verifies", c.id)
		})
	}
}
