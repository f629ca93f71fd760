package report_test

import (
	"errors"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// fixtures returns assessments covering every shape a renderer meets: an
// authentic message, an altered one with an ARC chain and an attachment, an
// unverifiable one with hostile header text, a message that could not be
// read, and a file that could not be read at all.
func fixtures() []*provenance.Assessment {
	signed := time.Date(2016, 3, 4, 12, 0, 0, 0, time.UTC)
	pdt := time.FixedZone("", -7*3600)
	return []*provenance.Assessment{
		{
			ID:   "4f1f7c2f0d0b7b0e8d6a1f63c8b2c1e4b3a59e1f8f1f5a8c0c9d4e2b7a6f3e21",
			File: "leak/inbox.mbox", Index: 1, Offset: 52, Size: 1834,
			To: "Bob <bob@gmail.com>, Jürgen <j@example.de>", Cc: "Carol <carol@example.org>",
			SHA256:    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Format:    "mboxrd",
			MessageID: "20160304120000.1@mail.example.com",
			From:      "Alice Example <alice@example.com>", FromAddress: "alice@example.com",
			Subject: "Quarterly figures",
			Date:    time.Date(2016, 3, 4, 4, 0, 0, 0, pdt),
			Verdict: provenance.VerdictAuthentic, Confidence: provenance.ConfidenceHigh,
			Summary: "Sent as shown by example.com's mail system: its 2048-bit signature covers From and the whole body.",
			Signer:  "example.com",
			Signatures: []provenance.SignatureResult{{
				Signature: dkim.Signature{
					Domain: "example.com", Selector: "s2016", Algorithm: "rsa-sha256", Canonicalization: "relaxed/relaxed",
					HeaderSignature: dkim.HeaderValid, BodyHash: dkim.BodyMatch, Result: dkim.ResultPass,
					KeyBits: 2048, KeySource: "testdata/keys.jsonl",
					SignedHeaders: []string{"from", "to", "subject", "date", "message-id"},
					BodyLength:    -1, Timestamp: signed, Expires: signed.Add(30 * 24 * time.Hour),
				},
				Aligned: true,
			}},
			ARC: provenance.ARCResult{Chain: arc.ChainNone},
			Coverage: provenance.Coverage{
				Fields: map[string]provenance.FieldStatus{
					"from": provenance.FieldSigned, "to": provenance.FieldSigned, "cc": provenance.FieldAbsent,
					"subject": provenance.FieldSigned, "date": provenance.FieldSigned,
					"message_id": provenance.FieldSigned, "reply_to": provenance.FieldAbsent,
				},
				Body: provenance.BodyFull,
			},
			Evidence: []provenance.Evidence{
				{Code: "dkim.pass", Severity: provenance.SeverityInfo, Message: "The example.com signature verifies."},
				{Code: "archive.lf_line_endings", Severity: provenance.SeverityInfo, Message: "The archive stores this message with LF line endings; they were made CRLF before checking."},
			},
			Explanation: provenance.Explanation{
				Meaning: "This message was sent as shown by example.com's mail system. That proves the example.com account sent it, not that what it says is true.",
				Signatures: []provenance.SignatureAccount{{
					Summary: "Signature 1, by example.com (selector s2048, rsa-sha256, relaxed/relaxed), speaks for the From domain: verifies with a 2048-bit RSA key from keys.jsonl. It covers From, To, Subject, Date and Message-ID and the whole body.",
					Details: []string{"Header signature valid: the signed header fields are as they were sent.", "Body hash match: the signed body is as it was sent."},
				}},
				Proven: []string{"Proven as sent: From, To, Subject, Date, Message-ID and the whole body."},
			},
		},
		{
			ID:   "b7c1d6e1f0a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c",
			File: "leak/inbox.mbox", Index: 2, Offset: 1940, Size: 5120,
			To: "Alice Example <alice@example.com>", InReplyTo: "20160304120000.1@mail.example.com",
			References: []string{"20160301090000.7@mail.example.com", "20160304120000.1@mail.example.com"},
			SHA256:     "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
			Format:     "mboxrd",
			MessageID:  "CAB+123@mail.gmail.com",
			From:       "Bob <bob@gmail.com>", FromAddress: "bob@gmail.com",
			Subject: "Re: the contract, with a subject line long enough to be cut in the table",
			Date:    time.Date(2017, 11, 5, 9, 30, 0, 0, time.FixedZone("", 5*3600+30*60)),
			Verdict: provenance.VerdictAltered, Confidence: provenance.ConfidenceHigh,
			Summary: "The headers are as sent; the body was changed after gmail.com signed it.",
			Explanation: provenance.Explanation{
				Signatures: []provenance.SignatureAccount{{
					Summary: "Signature 1, by gmail.com (selector 20161025, rsa-sha256, relaxed/relaxed), speaks for the From domain: checked with a 2048-bit RSA key from archive of 2017, the header signature is valid and the body hash does not match; the headers are as sent; the body was changed.",
					Details: []string{"Reason: body hash does not match."},
				}},
				Proven: []string{"What still holds: From, To, Subject, Date and Message-ID.", "Not proven: the body; do not quote it as sent."},
				ARC: []string{
					"The message carries an ARC chain of 1 set, which is intact.",
					"ARC set 1 was sealed by google.com (selector arc-20160816, cv=none); its seal is pass and its message signature fail; it recorded: i=1; mx.google.com; dkim=pass header.i=@gmail.com header.s=20161025 header.b=AbCd1234.",
				},
				Next: []provenance.NextStep{{Code: "dkim.body_hash_mismatch", Text: "Compare the text with another copy of the message; do not quote the body as sent."}},
			},
			Signer: "gmail.com",
			Signatures: []provenance.SignatureResult{{
				Signature: dkim.Signature{
					Domain: "gmail.com", Selector: "20161025", Algorithm: "rsa-sha256", Canonicalization: "relaxed/relaxed",
					HeaderSignature: dkim.HeaderValid, BodyHash: dkim.BodyMismatch, Result: dkim.ResultFail,
					Err:     errors.New("dkim: body hash does not match"),
					KeyBits: 2048, KeySource: "archive of 2017",
					SignedHeaders: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type"},
					BodyLength:    120, UnsignedBodyBytes: 40,
				},
				Aligned: true,
			}},
			ARC: provenance.ARCResult{Chain: arc.ChainPass, Instances: []provenance.ARCInstance{{
				Instance: 1, Sealer: "google.com", Selector: "arc-20160816", CV: "none",
				Seal: dkim.ResultPass, MessageSignature: dkim.ResultFail,
				AuthenticationResults: "i=1; mx.google.com; dkim=pass header.i=@gmail.com header.s=20161025 header.b=AbCd1234",
			}}},
			Coverage: provenance.Coverage{
				Fields: map[string]provenance.FieldStatus{
					"from": provenance.FieldSigned, "to": provenance.FieldSigned, "cc": provenance.FieldUnsigned,
					"subject": provenance.FieldSigned, "date": provenance.FieldSigned,
					"message_id": provenance.FieldSigned, "reply_to": provenance.FieldAbsent,
				},
				Body:        provenance.BodyPartial,
				Attachments: []provenance.Attachment{{Name: "contract.pdf", SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", Covered: false}},
			},
			Evidence: []provenance.Evidence{
				{Code: "archive.lf_line_endings", Severity: provenance.SeverityInfo, Message: "LF line endings were made CRLF."},
				{Code: "dkim.body_hash_mismatch", Severity: provenance.SeverityAlteration, Message: "The body was changed after gmail.com signed it."},
				{Code: "header.unsigned_field", Severity: provenance.SeverityCaution, Message: "Cc is not covered by the signature."},
			},
		},
		{
			File: "leak/inbox.mbox", Index: 3, Offset: 7100, Size: 300,
			SHA256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
			Format: "mboxrd",
			// Hostile header text: an ANSI escape, a bidi override, a
			// newline, and a formula for spreadsheets.
			From:    "Mallory \x1b[2J<mallory@example.net>",
			Subject: "=HYPERLINK(\"http://x.example\")\u202Egnp.exe\nsecond line",
			Verdict: provenance.VerdictUnverifiable, Confidence: provenance.ConfidenceLow,
			Summary: "Nothing in this message vouches for it either way: it has no DKIM signature.",
			Evidence: []provenance.Evidence{
				{Code: "dkim.none", Severity: provenance.SeverityCaution, Message: "The message has no DKIM signature."},
			},
		},
		{
			File: "leak/inbox.mbox", Index: 4, Offset: 7450, Size: 104857601,
			Format: "mboxrd",
			Err:    errors.New("archive: leak/inbox.mbox: message 4 at offset 7450: message larger than 104857600 bytes"),
		},
		{
			File: "leak/locked.mbox", Index: 0,
			Err: errors.New("archive: open leak/locked.mbox: permission denied"),
		},
	}
}

// fixtureManifest is the manifest of a run over the fixtures, with a
// hostile file name among its inputs.
func fixtureManifest() *report.Manifest {
	return &report.Manifest{
		LeakproofVersion: "v1.2.0",
		Commit:           "0123456789ab+dirty",
		Started:          "2026-01-02T03:04:05Z",
		Finished:         "2026-01-02T03:04:09Z",
		Command:          []string{"leakproof", "verify", "--keys", "keys.jsonl", "--format", "html", "leak", "it's here.mbox"},
		Inputs: []report.ManifestInput{
			{Path: "leak/inbox.mbox", Size: 104865051, SHA256: "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"},
			{Path: "leak/notes.txt", Size: 31, SHA256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
			{Path: "leak/\u202egnp.exe", Size: 0, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		},
		KeyFiles: []report.ManifestKeyFile{{Path: "keys.jsonl", SHA256: "7d1f16801841f30aca185b854b16a9b02f82c010a8bcd3b0fdedc51f9ef261c9"}},
		Policy:   report.ManifestPolicy{MinRSABits: 1024, TrustSealers: []string{"google.com"}, DNS: true, DNSServer: "192.0.2.53:53"},
		Counts:   report.ManifestCounts{Messages: 3, Authentic: 1, Altered: 1, Unverifiable: 1, Error: 2, NotMail: 1},
	}
}
