package report

import (
	"io"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// A JSONWriter writes one JSON object per assessment, one per line (JSON
// Lines), with exactly the fields of docs/json.md. Every field
// is always present; a missing value is "", 0, false or [], never null.
// Header text is written as decoded: < > & stay as they are (the output
// is not HTML), and the escapes are those of encoding/json.
type JSONWriter struct {
	w   io.Writer
	buf []byte
}

// NewJSONWriter returns a JSONWriter writing to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	return &JSONWriter{w: w}
}

// Write writes the record for a.
func (j *JSONWriter) Write(a *provenance.Assessment) error {
	j.buf = appendJSONRecord(j.buf[:0], a)
	_, err := j.w.Write(j.buf)
	return err
}

// AppendRecord appends the line Write writes for a to dst and returns the
// extended slice. It is safe for concurrent use.
func (j *JSONWriter) AppendRecord(dst []byte, a *provenance.Assessment) []byte {
	return appendJSONRecord(dst, a)
}

// WriteRecord writes rec, a line made by AppendRecord.
func (j *JSONWriter) WriteRecord(_ *provenance.Assessment, rec []byte) error {
	_, err := j.w.Write(rec)
	return err
}

// Close does nothing: every record is complete when Write returns.
func (j *JSONWriter) Close() error { return nil }

// record is the JSON contract. Field order follows docs/json.md's table.
type record struct {
	ID          string            `json:"id"`
	File        string            `json:"file"`
	Entry       int               `json:"entry"`
	Index       int               `json:"index"`
	Offset      int64             `json:"offset"`
	Size        int64             `json:"size"`
	SHA256      string            `json:"sha256"`
	Format      string            `json:"format"`
	MessageID   string            `json:"message_id"`
	From        string            `json:"from"`
	FromAddress string            `json:"from_address"`
	To          string            `json:"to"`
	Cc          string            `json:"cc"`
	Subject     string            `json:"subject"`
	Date        string            `json:"date"`
	InReplyTo   string            `json:"in_reply_to"`
	References  []string          `json:"references"`
	Verdict     string            `json:"verdict"`
	Confidence  string            `json:"confidence"`
	Summary     string            `json:"summary"`
	Signatures  []signatureRecord `json:"signatures"`
	ARC         arcRecord         `json:"arc"`
	Coverage    coverageRecord    `json:"coverage"`
	Evidence    []evidenceRecord  `json:"evidence"`
	Error       string            `json:"error"`
}

type signatureRecord struct {
	Type              string   `json:"type"`
	Domain            string   `json:"domain"`
	Selector          string   `json:"selector"`
	Algorithm         string   `json:"algorithm"`
	Canonicalization  string   `json:"canonicalization"`
	HeaderSignature   string   `json:"header_signature"`
	BodyHash          string   `json:"body_hash"`
	Result            string   `json:"result"`
	Reason            string   `json:"reason"`
	KeyBits           int      `json:"key_bits"`
	KeySource         string   `json:"key_source"`
	Aligned           bool     `json:"aligned"`
	SignedHeaders     []string `json:"signed_headers"`
	BodyLength        int64    `json:"body_length"`
	UnsignedBodyBytes int64    `json:"unsigned_body_bytes"`
	Timestamp         string   `json:"timestamp"`
	Expires           string   `json:"expires"`
}

type arcRecord struct {
	Chain          string              `json:"chain"`
	FailedInstance int                 `json:"failed_instance"`
	Instances      []arcInstanceRecord `json:"instances"`
}

type arcInstanceRecord struct {
	Instance              int    `json:"instance"`
	Sealer                string `json:"sealer"`
	Selector              string `json:"selector"`
	CV                    string `json:"cv"`
	Seal                  string `json:"seal"`
	MessageSignature      string `json:"message_signature"`
	AuthenticationResults string `json:"authentication_results"`
}

type coverageRecord struct {
	Fields      map[string]string  `json:"fields"`
	Body        string             `json:"body"`
	Attachments []attachmentRecord `json:"attachments"`
}

type attachmentRecord struct {
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
	Covered bool   `json:"covered"`
}

type evidenceRecord struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func newRecord(a *provenance.Assessment) record {
	r := record{
		ID:          a.ID,
		File:        a.File,
		Entry:       a.Entry,
		Index:       a.Index,
		Offset:      a.Offset,
		Size:        a.Size,
		SHA256:      a.SHA256,
		Format:      a.Format.String(),
		MessageID:   a.MessageID,
		From:        a.From,
		FromAddress: a.FromAddress,
		To:          a.To,
		Cc:          a.Cc,
		Subject:     a.Subject,
		Date:        rfc3339(a.Date),
		InReplyTo:   a.InReplyTo,
		References:  append([]string{}, a.References...),
		Verdict:     a.Verdict.String(),
		Confidence:  a.Confidence.String(),
		Summary:     a.Summary,
		Signatures:  make([]signatureRecord, 0, len(a.Signatures)),
		ARC:         newARCRecord(a.ARC),
		Coverage:    newCoverageRecord(a.Coverage),
		Evidence:    make([]evidenceRecord, 0, len(a.Evidence)),
	}
	if a.Err != nil {
		r.Error = a.Err.Error()
		// docs/json.md: a record with an error has no verdict.
		r.Verdict, r.Confidence = "", ""
	}
	for _, s := range a.Signatures {
		r.Signatures = append(r.Signatures, newSignatureRecord(s))
	}
	for _, e := range a.Evidence {
		r.Evidence = append(r.Evidence, evidenceRecord{Code: e.Code, Severity: e.Severity.String(), Message: e.Message})
	}
	return r
}

func newSignatureRecord(s provenance.SignatureResult) signatureRecord {
	r := signatureRecord{
		Type:              s.Type.String(),
		Domain:            s.Domain,
		Selector:          s.Selector,
		Algorithm:         s.Algorithm,
		Canonicalization:  s.Canonicalization,
		HeaderSignature:   s.HeaderSignature.String(),
		BodyHash:          s.BodyHash.String(),
		Result:            s.Result.String(),
		KeyBits:           s.KeyBits,
		KeySource:         s.KeySource,
		Aligned:           s.Aligned,
		SignedHeaders:     make([]string, 0, len(s.SignedHeaders)),
		BodyLength:        s.BodyLength,
		UnsignedBodyBytes: s.UnsignedBodyBytes,
		Timestamp:         rfc3339UTC(s.Timestamp),
		Expires:           rfc3339UTC(s.Expires),
	}
	if s.Result != dkim.ResultPass && s.Err != nil {
		r.Reason = s.Err.Error()
	}
	r.SignedHeaders = append(r.SignedHeaders, s.SignedHeaders...)
	return r
}

func newARCRecord(a provenance.ARCResult) arcRecord {
	r := arcRecord{
		Chain:          a.Chain.String(),
		FailedInstance: a.FailedInstance,
		Instances:      make([]arcInstanceRecord, 0, len(a.Instances)),
	}
	for _, in := range a.Instances {
		r.Instances = append(r.Instances, arcInstanceRecord{
			Instance:              in.Instance,
			Sealer:                in.Sealer,
			Selector:              in.Selector,
			CV:                    in.CV,
			Seal:                  in.Seal.String(),
			MessageSignature:      in.MessageSignature.String(),
			AuthenticationResults: in.AuthenticationResults,
		})
	}
	return r
}

func newCoverageRecord(c provenance.Coverage) coverageRecord {
	r := coverageRecord{
		Fields:      make(map[string]string, len(provenance.DisplayedFields)),
		Body:        c.Body.String(),
		Attachments: make([]attachmentRecord, 0, len(c.Attachments)),
	}
	// Every displayed field is always present, "" when no signature decided.
	for _, f := range provenance.DisplayedFields {
		r.Fields[f.Key] = c.Fields[f.Key].String()
	}
	for _, at := range c.Attachments {
		r.Attachments = append(r.Attachments, attachmentRecord{Name: at.Name, SHA256: at.SHA256, Covered: at.Covered})
	}
	return r
}

// rfc3339UTC formats t in UTC, or "" for the zero time. DKIM's t= and x=
// are Unix times: they carry no offset, and the machine's zone must not
// change the output.
func rfc3339UTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// rfc3339 formats t with its own offset, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
