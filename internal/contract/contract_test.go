package contract

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder collects failures instead of failing the test, so that a check
// can be shown to fail.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheckRecord(t *testing.T) {
	good := `{"id":"","file":"a.mbox","entry":0,"to":"","cc":"","in_reply_to":"","references":[],"index":1,"offset":0,"size":3,"sha256":"x","format":"mbox","message_id":"","from":"","from_address":"","subject":"","date":"","verdict":"unverifiable","confidence":"low","summary":"s","signatures":[],"arc":{"chain":"none","failed_instance":0,"instances":[]},"coverage":{"fields":{"from":"","to":"","cc":"","subject":"","date":"","message_id":"","reply_to":""},"body":"","attachments":[]},"evidence":[],"error":""}`
	for _, tt := range []struct {
		name, edit string // edit replaces the value of "summary" (a crude but exact way to break one field)
		ok         bool
	}{
		{"good", `"s"`, true},
		{"null", `null`, false},
		{"wrong type", `3`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(good), &rec), "decoding the fixture")
			require.NoError(t, json.Unmarshal([]byte(tt.edit), new(any)), "the edit is JSON")
			var v any
			require.NoError(t, json.Unmarshal([]byte(tt.edit), &v), "decoding the edit")
			rec["summary"] = v
			r := &recorder{TB: t}
			CheckRecord(r, rec, "record")
			assert.Equal(t, !tt.ok, r.failed, "CheckRecord reports a broken summary field: %s", tt.edit)
		})
	}
	t.Run("missing and extra fields", func(t *testing.T) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(good), &rec), "decoding the fixture")
		delete(rec, "sha256")
		r := &recorder{TB: t}
		CheckRecord(r, rec, "record")
		assert.True(t, r.failed, "a missing field fails")
		require.NoError(t, json.Unmarshal([]byte(good), &rec), "decoding the fixture")
		rec["extra"] = ""
		r = &recorder{TB: t}
		CheckRecord(r, rec, "record")
		assert.True(t, r.failed, "a field outside the contract fails")
	})
}

func TestCheckVerdict(t *testing.T) {
	for _, tt := range []struct {
		name string
		rec  map[string]any
		ok   bool
	}{
		{"verdict", map[string]any{"error": "", "verdict": "altered", "confidence": "high"}, true},
		{"error record", map[string]any{"error": "unreadable", "verdict": "", "confidence": ""}, true},
		{"no verdict", map[string]any{"error": "", "verdict": "", "confidence": ""}, false},
		{"unknown word", map[string]any{"error": "", "verdict": "genuine", "confidence": "high"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			CheckVerdict(r, tt.rec, "record")
			assert.Equal(t, !tt.ok, r.failed, "CheckVerdict(%v) fails", tt.rec)
		})
	}
}
