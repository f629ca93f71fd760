package provenance

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func TestCoverageFields(t *testing.T) {
	withCc := strings.Replace(plainMsg, "Subject:", "Cc: carol@example.net\r\nSubject:", 1)
	a := judgeSynthetic(t, nil, withCc, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com")}})
	require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: authentic")
	want := map[string]FieldStatus{
		"from": FieldSigned, "to": FieldSigned, "cc": FieldUnsigned, "subject": FieldSigned,
		"date": FieldSigned, "message_id": FieldSigned, "reply_to": FieldAbsent,
	}
	assert.Equal(t, want, a.Coverage.Fields, "coverage.fields")
	assert.Equal(t, BodyFull, a.Coverage.Body, "coverage.body")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com", bodyMismatch)}})
	assert.Equal(t, BodyNone, a.Coverage.Body, "a changed body is not covered")
	assert.Equal(t, FieldSigned, a.Coverage.Fields["from"], "the header signature still holds for From")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{Signatures: []dkim.Signature{sig("example.com", headerInvalid)}})
	assert.Equal(t, BodyNone, a.Coverage.Body, "a body matching bh= under a broken header signature is not proven")
	assert.Equal(t, FieldUnsigned, a.Coverage.Fields["from"], "a broken header signature proves no field")

	a = judgeSynthetic(t, nil, plainMsg, &dkim.Verification{})
	assert.Equal(t, BodyUndecided, a.Coverage.Body, "no deciding signature: undecided body coverage")
	assert.Equal(t, FieldNone, a.Coverage.Fields["from"], "no deciding signature: empty field status")
}

func TestAttachments(t *testing.T) {
	pdf := bytes.Repeat([]byte("%PDF-1.4 not really\n"), 50)
	msg := testmail.Message{Subject: "Report", Attachments: []testmail.Attachment{
		{Name: "report.pdf", ContentType: "application/pdf", Data: pdf},
		{Name: "=?utf-8?q?b=C3=BCdget.csv?=", ContentType: "text/csv", Data: []byte("a,b\n1,2\n")},
	}}
	c := testChecker()
	mimeSigned := &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type"}}
	a := c.Check(t.Context(), eml("att.eml", signed(t, msg, "rsa2048", mimeSigned)))
	assertWellFormed(t, a)
	if assert.Len(t, a.Coverage.Attachments, 2, "both attachments are listed") {
		at := a.Coverage.Attachments[0]
		assert.Equal(t, "report.pdf", at.Name, "attachment name")
		assert.Equal(t, sha256Hex(pdf), at.SHA256, "SHA-256 of the decoded bytes")
		assert.True(t, at.Covered, "a fully signed body with a signed Content-Type covers its attachments")
		assert.Equal(t, "büdget.csv", a.Coverage.Attachments[1].Name, "an encoded name is decoded")
	}
	assert.Equal(t, VerdictAuthentic, a.Verdict, "precondition: the signed message is authentic")
	assert.NotContains(t, codesOf(a), "header.unsigned_mime_field", "every MIME field is signed")

	// The default h= does not sign Content-Type: the body is proven, the
	// way a client splits it is not.
	a = c.Check(t.Context(), eml("att.eml", signed(t, msg, "rsa2048", nil)))
	assert.Equal(t, VerdictAuthentic, a.Verdict, "an unsigned Content-Type does not stop an authentic verdict")
	assert.Contains(t, codesOf(a), "header.unsigned_mime_field", "the unsigned Content-Type is named")
	assert.Len(t, a.Coverage.Attachments, 2, "attachments are still listed")
	for _, at := range a.Coverage.Attachments {
		assert.False(t, at.Covered, "%s: with an unsigned Content-Type no attachment is claimed as covered", at.Name)
	}

	// The same message with l= covering only the first part.
	a = c.Check(t.Context(), eml("att.eml", signed(t, msg, "rsa2048", &testmail.SignOptions{BodyLength: 10})))
	for _, at := range a.Coverage.Attachments {
		assert.False(t, at.Covered, "%s: with l= no attachment is claimed as covered", at.Name)
	}
}

// TestUnsignedMIMEFieldsMakeNoAttachment: unsigned top-level MIME
// fields never make a covered attachment.
func TestUnsignedMIMEFieldsMakeNoAttachment(t *testing.T) {
	body := "Bob, the raw part follows.\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPay 66-6666\r\n--b\r\n" +
		"Content-Type: application/pdf; name=contract.pdf\r\nContent-Disposition: attachment; filename=contract.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n"
	plain := []byte("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: raw\r\n" +
		"Date: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <r@example.com>\r\n\r\n" + body)
	good := signRaw(t, baseBytes(nil), "rsa2048", nil)
	for _, tt := range []struct {
		name string
		raw  []byte
	}{
		{"multipart Content-Type added to a plain message", prepend(signRaw(t, plain, "rsa2048", nil), "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b")},
		{"Content-Disposition added to a plain message", prepend(good, "Content-Disposition: attachment; filename=contract.pdf")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := checkCase(t, verdictCase{m: asEML(tt.raw)})
			require.NotEmpty(t, a.Coverage.Attachments, "precondition: the unsigned fields make an attachment")
			for _, att := range a.Coverage.Attachments {
				assert.False(t, att.Covered, "%s comes from unsigned MIME fields: not covered", att.Name)
			}
			assert.Contains(t, codesOf(a), "header.unsigned_mime_field", "caution names the unsigned field")
		})
	}
	t.Run("control: signed Content-Type", func(t *testing.T) {
		msg := baseBytes(func(m *testmail.Message) {
			m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
		})
		a := checkCase(t, verdictCase{m: asEML(signRaw(t, msg, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type"}}))})
		require.Len(t, a.Coverage.Attachments, 1, "one attachment")
		assert.True(t, a.Coverage.Attachments[0].Covered, "a signed Content-Type over a fully signed body covers the attachment")
		assert.NotContains(t, codesOf(a), "header.unsigned_mime_field", "no caution when every MIME field is signed")
	})
}

// TestMIMETruncatedIsNoted: a MIME tree past the walk's caps lists the
// attachments it reached and says that the list is cut.
func TestMIMETruncatedIsNoted(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: Alice <alice@example.com>\r\nSubject: deep\r\nMIME-Version: 1.0\r\n")
	for i := range maxMIMEDepth + 2 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: application/pdf; name=deep.pdf\r\n\r\n%PDF\r\n")
	a := testChecker().Check(t.Context(), eml("deep.eml", []byte(b.String())))
	assert.Contains(t, codesOf(a), "coverage.mime_truncated", "the cut list is evidence")

	shallow := "From: Alice <alice@example.com>\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nhi\r\n--z--\r\n"
	a = testChecker().Check(t.Context(), eml("shallow.eml", []byte(shallow)))
	assert.NotContains(t, codesOf(a), "coverage.mime_truncated", "a small tree is walked whole")
}
