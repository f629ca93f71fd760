package report_test

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// fakeDigest stands in for a digest of a fixture's stored bytes: n hex
// digits derived from its id, "" when it has none.
func fakeDigest(id string, n int) string {
	if id == "" {
		return ""
	}
	sum := sha512.Sum512([]byte(id))
	return hex.EncodeToString(sum[:])[:n]
}

// ftmEmail is the FollowTheMoney schema Email as of followthemoney 3.8.4
// (followthemoney/schema/Email.yaml and the schemata it extends: Folder,
// PlainText, HyperText, Document, Thing, Analyzable): the properties
// FTMWriter may write, with their FtM types. A property without a type in
// the YAML is of type string. from, to and cc are strings there; the
// entity links (emitters, recipients) are of type entity and need
// entities of their own, so they are not written.
var ftmEmail = map[string]string{
	"messageId": "string", // Document
	"subject":   "string", // Email
	"date":      "date",   // Document
	"fileName":  "string", // Document
	"from":      "string", // Email
	"to":        "string", // Email
	"cc":        "string", // Email
	"inReplyTo": "string", // Email
	"keywords":  "string", // Thing
	"notes":     "text",   // Thing
}

// TestFTMSchema checks every entity against the Email schema: the schema
// name, only its properties, each a list of non-empty strings, dates in
// FtM's date form, and the verdict and confidence as keywords.
func TestFTMSchema(t *testing.T) {
	var b bytes.Buffer
	render(t, report.NewFTMWriter(&b), fixtures())
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 3, "one entity per message with a verdict; the unreadable records are left out")
	for i, line := range lines {
		var e struct {
			ID         string                     `json:"id"`
			Schema     string                     `json:"schema"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &e), "entity %d is JSON", i+1)
		assert.Equal(t, "Email", e.Schema, "entity %d schema", i+1)
		assert.Equal(t, fixtures()[i].ID, e.ID, "entity %d id is the message's id", i+1)
		for name, raw := range e.Properties {
			typ, ok := ftmEmail[name]
			if !assert.True(t, ok, "entity %d: property %q is not one the Email schema defines", i+1, name) {
				continue
			}
			var values []string
			require.NoError(t, json.Unmarshal(raw, &values), "entity %d: property %q is a list of strings", i+1, name)
			assert.NotEmpty(t, values, "entity %d: property %q is not an empty list", i+1, name)
			for _, v := range values {
				assert.NotEmpty(t, v, "entity %d: %q holds no empty string", i+1, name)
				if typ == "date" {
					assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`, v, "entity %d: date in FtM's form, UTC without an offset", i+1)
				}
			}
		}
		var kw []string
		require.NoError(t, json.Unmarshal(e.Properties["keywords"], &kw), "entity %d keywords", i+1)
		a := fixtures()[i]
		assert.Equal(t, []string{"leakproof:" + a.Verdict.String(), "leakproof:" + a.Confidence.String()}, kw, "entity %d keywords", i+1)
	}
}

func TestDatashareBatches(t *testing.T) {
	var b bytes.Buffer
	w := report.NewDatashareWriter(&b, func(a *provenance.Assessment) string { return a.ID })
	n := report.DatashareBatch + 2
	for i := range n {
		a := &provenance.Assessment{ID: strings.Repeat("a", 95) + string(rune('0'+i%10)), Verdict: provenance.VerdictAltered, Confidence: provenance.ConfidenceHigh}
		if i%3 == 0 {
			a.Verdict = provenance.VerdictAuthentic
		}
		require.NoError(t, w.Write(a), "Write %d", i)
	}
	require.NoError(t, w.Write(&provenance.Assessment{File: "x", Err: assert.AnError}), "Write of an unreadable record")
	require.NoError(t, w.Write(&provenance.Assessment{ID: "", Verdict: provenance.VerdictAltered, Confidence: provenance.ConfidenceHigh}), "Write without a document id")
	require.NoError(t, w.Close(), "Close")
	assert.Equal(t, 2, w.Skipped(), "records without a document id are skipped")
	total := 0
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		var batch struct {
			DocIDs []string `json:"docIds"`
			Tags   []string `json:"tags"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &batch), "a batch is the JSON batchUpdate/tag takes")
		assert.LessOrEqual(t, len(batch.DocIDs), report.DatashareBatch, "a batch holds at most DatashareBatch ids")
		assert.NotEmpty(t, batch.DocIDs, "no empty batch")
		assert.Len(t, batch.Tags, 2, "verdict and confidence tags")
		total += len(batch.DocIDs)
	}
	assert.Equal(t, n, total, "every document is in a batch")
}
