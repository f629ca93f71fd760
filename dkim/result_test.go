package dkim_test

import (
	"encoding"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
)

// wordCase is one constant of a result type and the name it marshals as.
type wordCase[T any] struct {
	value T
	word  string
}

// checkWords checks that each constant marshals as its name, that String
// says the same, and that the name unmarshals back to the constant; that
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
	assert.Error(t, err, "%T(%d).MarshalText(), outside the constants", outside, outside)
}

func TestResultText(t *testing.T) {
	checkWords(t, []wordCase[dkim.Result]{
		{dkim.ResultNone, ""},
		{dkim.ResultPass, "pass"},
		{dkim.ResultFail, "fail"},
		{dkim.ResultNoKey, "no_key"},
		{dkim.ResultRevoked, "revoked"},
		{dkim.ResultWeakKey, "weak_key"},
		{dkim.ResultTestingKey, "testing_key"},
		{dkim.ResultPublishedKey, "published_key"},
		{dkim.ResultPermError, "permerror"},
		{dkim.ResultTempError, "temperror"},
		{dkim.ResultSkipped, "skipped"},
		{dkim.ResultRecoveredKey, "recovered_key"},
	}, []string{"PASS", "nokey", "neutral", "none"}, dkim.ResultRecoveredKey+1)
}

func TestHeaderStatusText(t *testing.T) {
	checkWords(t, []wordCase[dkim.HeaderStatus]{
		{dkim.HeaderUnchecked, "unchecked"},
		{dkim.HeaderValid, "valid"},
		{dkim.HeaderInvalid, "invalid"},
	}, []string{"", "Valid", "pass"}, dkim.HeaderInvalid+1)
}

func TestBodyStatusText(t *testing.T) {
	checkWords(t, []wordCase[dkim.BodyStatus]{
		{dkim.BodyUnchecked, "unchecked"},
		{dkim.BodyMatch, "match"},
		{dkim.BodyMismatch, "mismatch"},
	}, []string{"", "Match", "matches"}, dkim.BodyMismatch+1)
}
