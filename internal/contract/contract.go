// Package contract checks decoded JSON Lines records against the output
// contract of docs/json.md: every field present with its JSON
// type, never null, nothing extra. The report and cmd/leakproof tests share
// it, so the contract is written down once.
package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The fields of each object of a record, with their JSON types.
var (
	Record = map[string]string{
		"id": "string", "entry": "number", "to": "string", "cc": "string", "in_reply_to": "string", "references": "array",
		"file": "string", "index": "number", "offset": "number", "size": "number", "sha256": "string",
		"format": "string", "message_id": "string", "from": "string", "from_address": "string",
		"subject": "string", "date": "string", "verdict": "string", "confidence": "string",
		"summary": "string", "signatures": "array", "arc": "object", "coverage": "object",
		"evidence": "array", "error": "string",
	}
	Signature = map[string]string{
		"type": "string", "domain": "string", "selector": "string", "algorithm": "string", "canonicalization": "string",
		"header_signature": "string", "body_hash": "string", "result": "string", "reason": "string",
		"key_bits": "number", "key_source": "string", "aligned": "boolean", "signed_headers": "array",
		"body_length": "number", "unsigned_body_bytes": "number", "timestamp": "string", "expires": "string",
	}
	ARC         = map[string]string{"chain": "string", "failed_instance": "number", "instances": "array"}
	ARCInstance = map[string]string{
		"instance": "number", "sealer": "string", "selector": "string", "cv": "string",
		"seal": "string", "message_signature": "string", "authentication_results": "string",
	}
	Coverage       = map[string]string{"fields": "object", "body": "string", "attachments": "array"}
	CoverageFields = map[string]string{"from": "string", "to": "string", "cc": "string", "subject": "string", "date": "string", "message_id": "string", "reply_to": "string"}
	Attachment     = map[string]string{"name": "string", "sha256": "string", "covered": "boolean"}
	Evidence       = map[string]string{"code": "string", "severity": "string", "message": "string"}
)

// CheckRecord checks the shape of one decoded record, every nested object
// included, the vocabulary of arc.chain, and that an error record has no
// verdict. what names the record in failure messages.
func CheckRecord(t testing.TB, rec map[string]any, what string) {
	t.Helper()
	at := func(s string) string { return what + " " + s }
	CheckFields(t, at("top level"), rec, Record)
	for _, s := range array(rec["signatures"]) {
		CheckFields(t, at("signature"), object(s), Signature)
		assert.Contains(t, []any{"dkim", "domainkeys"}, object(s)["type"], at("signature type"))
	}
	if arc := object(rec["arc"]); arc != nil {
		CheckFields(t, at("arc"), arc, ARC)
		assert.Contains(t, []any{"none", "pass", "fail"}, arc["chain"], at("arc.chain"))
		for _, in := range array(arc["instances"]) {
			CheckFields(t, at("arc instance"), object(in), ARCInstance)
		}
	}
	if cov := object(rec["coverage"]); cov != nil {
		CheckFields(t, at("coverage"), cov, Coverage)
		CheckFields(t, at("coverage.fields"), object(cov["fields"]), CoverageFields)
		for _, a := range array(cov["attachments"]) {
			CheckFields(t, at("attachment"), object(a), Attachment)
		}
	}
	for _, e := range array(rec["evidence"]) {
		CheckFields(t, at("evidence"), object(e), Evidence)
	}
	if rec["error"] != "" {
		assert.Equal(t, "", rec["verdict"], at("verdict of an error record"))
	}
	if id, ok := rec["id"].(string); ok && id != "" {
		// "" only in an assessment that did not come from a walk.
		assert.Regexp(t, "^[0-9a-f]{64}$", id, at("id is 64 lower-case hex digits"))
	}
	for _, r := range array(rec["references"]) {
		assert.Equal(t, "string", Type(r), at("each of references is a string"))
	}
}

// CheckVerdict checks that a record without an error has a verdict and a
// confidence from docs/json.md's vocabulary, as every record the command
// writes must.
func CheckVerdict(t testing.TB, rec map[string]any, what string) {
	t.Helper()
	if rec["error"] != "" {
		return
	}
	assert.Contains(t, []any{"authentic", "altered", "unverifiable"}, rec["verdict"], what+" verdict")
	assert.Contains(t, []any{"high", "medium", "low"}, rec["confidence"], what+" confidence")
}

// CheckFields checks that obj has exactly the fields of want, each with its
// JSON type (so never null).
func CheckFields(t testing.TB, what string, obj map[string]any, want map[string]string) {
	t.Helper()
	if !assert.NotNil(t, obj, "%s: is an object", what) {
		return
	}
	for k, typ := range want {
		v, ok := obj[k]
		if assert.True(t, ok, "%s: field %q missing", what, k) {
			assert.Equal(t, typ, Type(v), "%s: JSON type of %q", what, k)
		}
	}
	for k := range obj {
		_, ok := want[k]
		assert.True(t, ok, "%s: field %q is not in docs/json.md's contract", what, k)
	}
}

// Type names the JSON type of a value decoded by encoding/json into any.
func Type(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func array(v any) []any {
	a, _ := v.([]any)
	return a
}
