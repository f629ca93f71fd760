package provenance_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/provenance"
)

// TestAssessmentMarshalsWords checks that json.Marshal of an Assessment, one
// per verdict and one for an unreadable message, writes every contract value
// as the word the JSON contract uses, not a number, and that the words read
// back into the same typed values.
func TestAssessmentMarshalsWords(t *testing.T) {
	key := testmail.MustKey("rsa2048")
	keys := dkim.NewKeyFile([]dkim.KeyRecord{{Domain: key.Domain, Selector: key.Selector, TXT: key.Record(), Source: "test keys"}})
	c := provenance.NewChecker(&provenance.Options{Keys: keys})
	msg := testmail.MustSign(testmail.Message{Subject: "Quarterly figures", Extra: []testmail.Field{{Name: "Cc", Value: "carol@example.net"}}}.Bytes(), key, nil)
	tampered := bytes.Replace(msg, []byte("Revenue is up 4%"), []byte("Revenue is up 40%"), 1)
	require.NotEqual(t, msg, tampered, "precondition: the test message has the text to change")

	for _, tt := range []struct {
		name string
		m    *archive.Message
		want map[string]any // JSON path, dot-separated, to the value it must hold
	}{
		{"authentic", &archive.Message{File: "a.mbox", Index: 1, Format: archive.FormatMboxrd, Raw: testmail.LF(msg)}, map[string]any{
			"Format": "mboxrd", "Verdict": "authentic", "Confidence": "high",
			"Signatures.0.HeaderSignature": "valid", "Signatures.0.BodyHash": "match", "Signatures.0.Result": "pass",
			"ARC.Chain": "none", "Coverage.Body": "full",
			"Coverage.Fields.from": "signed", "Coverage.Fields.cc": "unsigned", "Coverage.Fields.reply_to": "absent",
			"Evidence.dkim.pass": "info", "Evidence.header.unsigned_field": "caution",
		}},
		{"altered", &archive.Message{File: "b.eml", Index: 1, Format: archive.FormatEML, Raw: tampered}, map[string]any{
			"Format": "eml", "Verdict": "altered", "Confidence": "high",
			"Signatures.0.HeaderSignature": "valid", "Signatures.0.BodyHash": "mismatch", "Signatures.0.Result": "fail",
			"ARC.Chain": "none", "Coverage.Body": "none", "Coverage.Fields.from": "signed",
			"Evidence.dkim.body_hash_mismatch": "alteration",
		}},
		{"unverifiable", &archive.Message{File: "c.eml", Index: 1, Format: archive.FormatEML, Raw: []byte("From: bob@example.org\nSubject: hi\n\nNo signature.\n")}, map[string]any{
			"Format": "eml", "Verdict": "unverifiable", "Confidence": "low",
			"ARC.Chain": "none", "Coverage.Body": "", "Coverage.Fields.from": "",
			"Evidence.dkim.none": "info",
		}},
		{"unreadable", &archive.Message{File: "d.mbox", Index: 2, Format: archive.FormatMbox, Err: errors.New("archive: truncated")}, map[string]any{
			"Format": "mbox", "Verdict": "", "Confidence": "",
			"ARC.Chain": "none", "Coverage.Body": "", "Coverage.Fields.from": "",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), tt.m)
			b, err := json.Marshal(a)
			require.NoError(t, err, "json.Marshal(Assessment)")
			var doc map[string]any
			require.NoError(t, json.Unmarshal(b, &doc), "json.Unmarshal of %s", b)
			for path, want := range tt.want {
				assert.Equal(t, want, jsonAt(doc, path), "json.Marshal(Assessment) at %s", path)
			}

			// The words read back into the typed values they came from.
			var back struct {
				Format     archive.Format
				Verdict    provenance.Verdict
				Confidence provenance.Confidence
				Signatures []struct {
					HeaderSignature dkim.HeaderStatus
					BodyHash        dkim.BodyStatus
					Result          dkim.Result
				}
				ARC      struct{ Chain arc.ChainStatus }
				Coverage struct {
					Fields map[string]provenance.FieldStatus
					Body   provenance.BodyCoverage
				}
				Evidence []struct{ Severity provenance.Severity }
			}
			require.NoError(t, json.Unmarshal(b, &back), "json.Unmarshal into typed values")
			assert.Equal(t, a.Format, back.Format, "Format read back")
			assert.Equal(t, a.Verdict, back.Verdict, "Verdict read back")
			assert.Equal(t, a.Confidence, back.Confidence, "Confidence read back")
			require.Len(t, back.Signatures, len(a.Signatures), "Signatures read back")
			for i, s := range back.Signatures {
				assert.Equal(t, a.Signatures[i].HeaderSignature, s.HeaderSignature, "Signatures[%d].HeaderSignature read back", i)
				assert.Equal(t, a.Signatures[i].BodyHash, s.BodyHash, "Signatures[%d].BodyHash read back", i)
				assert.Equal(t, a.Signatures[i].Result, s.Result, "Signatures[%d].Result read back", i)
			}
			assert.Equal(t, a.ARC.Chain, back.ARC.Chain, "ARC.Chain read back")
			assert.Equal(t, a.Coverage.Fields, back.Coverage.Fields, "Coverage.Fields read back")
			assert.Equal(t, a.Coverage.Body, back.Coverage.Body, "Coverage.Body read back")
			require.Len(t, back.Evidence, len(a.Evidence), "Evidence read back")
			for i, e := range back.Evidence {
				assert.Equal(t, a.Evidence[i].Severity, e.Severity, "Evidence[%d].Severity read back", i)
			}
		})
	}
}

// jsonAt returns the value at path in a decoded JSON document: object keys
// and array indexes separated by dots, except that "Evidence.CODE" is the
// severity of the evidence item with that code (codes hold dots themselves).
func jsonAt(doc map[string]any, path string) any {
	if code, ok := strings.CutPrefix(path, "Evidence."); ok {
		for _, e := range doc["Evidence"].([]any) {
			if e := e.(map[string]any); e["Code"] == code {
				return e["Severity"]
			}
		}
		return "no evidence " + code
	}
	var v any = doc
	for key := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return "no element " + key
			}
			v = x[i]
		default:
			return "nothing at " + key
		}
	}
	return v
}

// wordCase is one constant of a contract type and the word it marshals as.
type wordCase[T any] struct {
	value T
	word  string
}

// checkWords checks that each constant marshals as its word, that String
// says the same, and that the word unmarshals back to the constant; that
// every word in unknown is rejected; and that outside, the first value past
// the constants, does not marshal, so a constant missing from cases fails.
func checkWords[T interface {
	comparable
	encoding.TextMarshaler
	fmt.Stringer
}, P interface {
	*T
	encoding.TextUnmarshaler
}](t *testing.T, cases []wordCase[T], unknown []string, outside T) {
	t.Helper()
	for _, tt := range cases {
		t.Run(fmt.Sprintf("%q", tt.word), func(t *testing.T) {
			got, err := tt.value.MarshalText()
			require.NoError(t, err, "%T(%v).MarshalText()", tt.value, tt.value)
			assert.Equal(t, tt.word, string(got), "%T(%v).MarshalText()", tt.value, tt.value)
			assert.Equal(t, tt.word, tt.value.String(), "%T(%v).String()", tt.value, tt.value)
			var back T
			require.NoError(t, P(&back).UnmarshalText(got), "%T.UnmarshalText(%q)", back, got)
			assert.Equal(t, tt.value, back, "%T.UnmarshalText(%q)", back, got)
		})
	}
	for _, w := range unknown {
		t.Run(fmt.Sprintf("unknown %q", w), func(t *testing.T) {
			var back T
			assert.Error(t, P(&back).UnmarshalText([]byte(w)), "%T.UnmarshalText(%q)", back, w)
		})
	}
	_, err := outside.MarshalText()
	assert.Error(t, err, "%T(%#v).MarshalText(), outside the constants", outside, outside)
}

func TestVerdictText(t *testing.T) {
	checkWords(t, []wordCase[provenance.Verdict]{
		{provenance.VerdictNone, ""},
		{provenance.VerdictAuthentic, "authentic"},
		{provenance.VerdictAltered, "altered"},
		{provenance.VerdictUnverifiable, "unverifiable"},
	}, []string{"Authentic", "none", "authentic "}, provenance.VerdictUnverifiable+1)
}

func TestConfidenceText(t *testing.T) {
	checkWords(t, []wordCase[provenance.Confidence]{
		{provenance.ConfidenceNone, ""},
		{provenance.ConfidenceLow, "low"},
		{provenance.ConfidenceMedium, "medium"},
		{provenance.ConfidenceHigh, "high"},
	}, []string{"HIGH", "none", "very high"}, provenance.ConfidenceHigh+1)
}

func TestSeverityText(t *testing.T) {
	checkWords(t, []wordCase[provenance.Severity]{
		{provenance.SeverityInfo, "info"},
		{provenance.SeverityCaution, "caution"},
		{provenance.SeverityAlteration, "alteration"},
	}, []string{"", "warning", "Info"}, provenance.SeverityAlteration+1)
}

func TestFieldStatusText(t *testing.T) {
	checkWords(t, []wordCase[provenance.FieldStatus]{
		{provenance.FieldNone, ""},
		{provenance.FieldSigned, "signed"},
		{provenance.FieldUnsigned, "unsigned"},
		{provenance.FieldAbsent, "absent"},
	}, []string{"none", "covered", "Signed"}, provenance.FieldAbsent+1)
}

func TestBodyCoverageText(t *testing.T) {
	checkWords(t, []wordCase[provenance.BodyCoverage]{
		{provenance.BodyUndecided, ""},
		{provenance.BodyNone, "none"},
		{provenance.BodyPartial, "partial"},
		{provenance.BodyFull, "full"},
	}, []string{"whole", "Full", "undecided"}, provenance.BodyFull+1)
	// "" (no signature decided) and "none" (a signature decided and
	// proves none of the body) are different statements.
	assert.NotEqual(t, provenance.BodyUndecided, provenance.BodyNone, "BodyUndecided and BodyNone")
}
