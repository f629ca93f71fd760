package mailsyntax

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testenv"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/leakproof/leakproof/internal/rawheader"
)

// arcSuiteCase is one case of the ValiMail suite with the string values
// this test reads.
type arcSuiteCase struct {
	scenario, id string
	fields       map[string]string
}

// loadArcSuite walks the YAML node tree of one suite file (the validation
// file repeats test IDs, which yaml.v3's decoder refuses).
func loadArcSuite(t *testing.T, path string) []arcSuiteCase {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err, "read %s", path)
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var cases []arcSuiteCase
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		top := doc.Content[0]
		var scenario string
		var tests *yaml.Node
		for i := 0; i+1 < len(top.Content); i += 2 {
			switch top.Content[i].Value {
			case "description":
				scenario = top.Content[i+1].Value
			case "tests":
				tests = top.Content[i+1]
			}
		}
		if tests == nil {
			continue
		}
		for i := 0; i+1 < len(tests.Content); i += 2 {
			c := arcSuiteCase{scenario: scenario, id: tests.Content[i].Value, fields: map[string]string{}}
			body := tests.Content[i+1]
			for j := 0; j+1 < len(body.Content); j += 2 {
				if body.Content[j+1].Kind == yaml.ScalarNode {
					c.fields[body.Content[j].Value] = body.Content[j+1].Value
				}
			}
			cases = append(cases, c)
		}
	}
	require.NotEmpty(t, cases, "cases in %s", path)
	return cases
}

// headerValues returns the values of the fields named name in msg.
func headerValues(t *testing.T, msg, name string) []string {
	t.Helper()
	h, err := rawheader.Split([]byte(msg), nil)
	require.NoError(t, err, "split header")
	var out []string
	for i := range h.Fields {
		if h.Fields[i].NameEqualFold(name) {
			out = append(out, string(h.Fields[i].Value()))
		}
	}
	return out
}

// TestAuthResultsArcSigningSuite checks the parser against the ValiMail ARC
// signing cases: the ARC-Authentication-Results a signer is expected to
// write must hold exactly the results of the message's
// Authentication-Results fields from the case's srv-id, in order.
func TestAuthResultsArcSigningSuite(t *testing.T) {
	suite := testenv.Conformance(t, "arc-test-suite")
	checked := 0
	for _, c := range loadArcSuite(t, filepath.Join(suite, "arc-draft-sign-tests.yml")) {
		aar, srv := strings.TrimSpace(c.fields["AAR"]), c.fields["srv-id"]
		if aar == "" || srv == "" {
			continue // cases that expect no ARC set
		}
		t.Run(c.id, func(t *testing.T) {
			want, err := ParseAuthResults(aar)
			require.NoError(t, err, "ParseAuthResults(AAR %q)", aar)
			assert.Positive(t, want.Instance, "AAR %q has an instance", aar)
			assert.True(t, strings.EqualFold(want.AuthServID, srv), "AAR authserv-id %q is srv-id %q", want.AuthServID, srv)

			var got []AuthResult
			for _, v := range headerValues(t, c.fields["message"], "Authentication-Results") {
				ar, err := ParseAuthResults(v)
				require.NoError(t, err, "ParseAuthResults(%q)", v)
				assert.Zero(t, ar.Instance, "Authentication-Results %q has no instance", v)
				if strings.EqualFold(ar.AuthServID, srv) {
					got = append(got, ar.Results...)
				}
			}
			assert.Equal(t, want.Results, got, "results of %s's Authentication-Results equal its expected AAR", c.id)
		})
		checked++
	}
	assert.GreaterOrEqual(t, checked, 10, "signing cases with an AAR")
}

// TestAuthResultsArcValidationSuite parses every Authentication-Results and
// ARC-Authentication-Results field of the ValiMail ARC validation cases.
// All must parse, except in the cases built around a malformed AAR, where
// the parser must not invent an instance the field does not state.
func TestAuthResultsArcValidationSuite(t *testing.T) {
	suite := testenv.Conformance(t, "arc-test-suite")
	// Cases whose AAR has a broken or missing "i=N;" prefix (by design).
	malformed := map[string]bool{
		"aar_struct_i_na": true, "aar_struct_i_empty": true, "aar_struct_invalid": true,
		"aar_i_missing": true, "aar_i_not_prefixed": true, "aar_i_no_semi": true,
		"aar_struct_i_zero": true, "as_fields_b_aar1": true,
	}
	fields, parsed := 0, 0
	for _, c := range loadArcSuite(t, filepath.Join(suite, "arc-draft-validation-tests.yml")) {
		msg := c.fields["message"]
		if msg == "" {
			continue
		}
		for _, v := range headerValues(t, msg, "Authentication-Results") {
			fields++
			ar, err := ParseAuthResults(v)
			if assert.NoError(t, err, "%s: ParseAuthResults(%q)", c.id, v) {
				parsed++
				assert.Zero(t, ar.Instance, "%s: Authentication-Results %q has no instance", c.id, v)
			}
		}
		for _, v := range headerValues(t, msg, "ARC-Authentication-Results") {
			fields++
			ar, err := ParseAuthResults(v)
			if malformed[c.id] {
				if err == nil {
					parsed++
				}
				assert.True(t, err != nil || ar.Instance == 0 || strings.Contains(v, "i="+strconv.Itoa(ar.Instance)),
					"%s: malformed AAR %q: instance %d must come from the field", c.id, v, ar.Instance)
				continue
			}
			if assert.NoError(t, err, "%s: ParseAuthResults(%q)", c.id, v) {
				parsed++
				assert.Positive(t, ar.Instance, "%s: AAR %q has an instance", c.id, v)
			}
		}
	}
	assert.Greater(t, fields, 300, "fields looked at")
	t.Logf("parsed %d of %d Authentication-Results and ARC-Authentication-Results fields", parsed, fields)
}
