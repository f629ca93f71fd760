package provenance

import (
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
)

// Verdict is the answer for one message.
type Verdict int

const (
	VerdictNone         Verdict = iota // the message could not be read
	VerdictAuthentic                   // sent as shown by the signing domain's mail system
	VerdictAltered                     // evidence of a change after sending
	VerdictUnverifiable                // nothing here vouches for it either way
)

// String returns "authentic", "altered", "unverifiable", or "" for VerdictNone.
func (v Verdict) String() string {
	switch v {
	case VerdictAuthentic:
		return "authentic"
	case VerdictAltered:
		return "altered"
	case VerdictUnverifiable:
		return "unverifiable"
	}
	return ""
}

// Confidence says how strong a verdict is.
type Confidence int

const (
	ConfidenceNone Confidence = iota
	ConfidenceLow
	ConfidenceMedium
	ConfidenceHigh
)

// String returns "low", "medium", "high", or "".
func (c Confidence) String() string {
	switch c {
	case ConfidenceLow:
		return "low"
	case ConfidenceMedium:
		return "medium"
	case ConfidenceHigh:
		return "high"
	}
	return ""
}

// Severity grades an evidence item.
type Severity int

const (
	SeverityInfo Severity = iota
	SeverityCaution
	SeverityAlteration
)

// String returns "info", "caution" or "alteration".
func (s Severity) String() string {
	switch s {
	case SeverityCaution:
		return "caution"
	case SeverityAlteration:
		return "alteration"
	}
	return "info"
}

// An Evidence item is one finding with a stable code (see evidence codes in
// codes.go and docs/evidence.md).
type Evidence struct {
	Code     string
	Severity Severity
	Message  string // one plain sentence for an editor
}

// A SignatureResult is one DKIM signature's outcome plus alignment.
type SignatureResult struct {
	dkim.Signature
	Aligned bool // d= aligns with the From domain
}

// FieldStatus says whether the deciding signature covers a displayed field.
type FieldStatus int

const (
	FieldNone     FieldStatus = iota // no deciding signature
	FieldSigned                      // present and covered
	FieldUnsigned                    // present and not covered (or an extra instance is not)
	FieldAbsent                      // not in the message
)

// String returns "signed", "unsigned", "absent", or "".
func (s FieldStatus) String() string {
	switch s {
	case FieldSigned:
		return "signed"
	case FieldUnsigned:
		return "unsigned"
	case FieldAbsent:
		return "absent"
	}
	return ""
}

// Coverage is what the deciding signature proves.
type Coverage struct {
	// Fields maps each displayed field ("from", "to", "cc", "subject",
	// "date", "message_id", "reply_to") to its status.
	Fields      map[string]FieldStatus
	Body        string // "full", "partial", "none", or "" when no signature decided
	Attachments []Attachment
}

// DisplayedFields are the header fields a mail client shows, in the order
// reports list them, with their Coverage.Fields keys.
var DisplayedFields = []struct{ Key, Header string }{
	{"from", "From"}, {"to", "To"}, {"cc", "Cc"}, {"subject", "Subject"},
	{"date", "Date"}, {"message_id", "Message-ID"}, {"reply_to", "Reply-To"},
}

// An Attachment is one MIME part with a file name.
type Attachment struct {
	Name    string
	SHA256  string // hex SHA-256 of the decoded bytes
	Covered bool   // the deciding signature covers the body bytes holding it
}

// ARCResult is the ARC chain of a message.
type ARCResult struct {
	Chain          string // "none", "pass", "fail"
	FailedInstance int    // 0 when none
	Reason         string // why the chain failed, "" otherwise
	Instances      []ARCInstance
}

// ARCInstance is one ARC set.
type ARCInstance struct {
	Instance              int
	Sealer                string // ARC-Seal d=
	Selector              string // ARC-Seal s=
	CV                    string // cv= as written, lower-cased
	Seal                  dkim.Result
	MessageSignature      dkim.Result
	AuthenticationResults string // the AAR value as written
	Timestamp             time.Time
}

// An Assessment is the answer for one message.
type Assessment struct {
	File      string
	Index     int
	Offset    int64
	Size      int64
	SHA256    string
	Format    archive.Format // how the message was stored, from archive.Message.Format
	Separator string

	MessageID   string    // without angle brackets
	From        string    // decoded header text
	FromAddress string    // lower-cased addr-spec when From is exactly one mailbox
	Subject     string    // decoded header text
	Date        time.Time // zero when missing or unparseable; keeps the original offset

	Verdict    Verdict
	Confidence Confidence
	Summary    string // one sentence
	Signer     string // the d= that decided, "" when none

	Signatures []SignatureResult
	ARC        ARCResult
	Coverage   Coverage
	Evidence   []Evidence
	// Explanation is the plain-language account that explain prints, one
	// paragraph per line.
	Explanation []string

	Err error // why the message could not be read; Verdict is VerdictNone then
}
