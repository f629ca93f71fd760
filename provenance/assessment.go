package provenance

import (
	"fmt"
	"slices"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
)

// Verdict is the answer for one message. It marshals as its word
// ("authentic", "altered", "unverifiable"); the zero value, VerdictNone,
// marshals as "", as the JSON record of a message that could not be read
// has it.
type Verdict int

const (
	VerdictNone         Verdict = iota // the message could not be read
	VerdictAuthentic                   // sent as shown by the signing domain's mail system
	VerdictAltered                     // evidence of a change after sending
	VerdictUnverifiable                // nothing here vouches for it either way
)

var verdictWords = []string{"", "authentic", "altered", "unverifiable"}

// String returns "authentic", "altered", "unverifiable", or "" for VerdictNone.
func (v Verdict) String() string { return word(verdictWords, int(v), "") }

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (v Verdict) MarshalText() ([]byte, error) { return marshalWord(verdictWords, int(v), "Verdict") }

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (v *Verdict) UnmarshalText(text []byte) error {
	return unmarshalWord(verdictWords, text, "verdict", (*int)(v))
}

// Confidence says how strong a verdict is (the package documentation gives
// the rules). It marshals as "low", "medium" or "high"; the zero value,
// ConfidenceNone (no verdict), marshals as "".
type Confidence int

const (
	ConfidenceNone Confidence = iota // no verdict
	ConfidenceLow
	ConfidenceMedium
	ConfidenceHigh
)

var confidenceWords = []string{"", "low", "medium", "high"}

// String returns "low", "medium", "high", or "".
func (c Confidence) String() string { return word(confidenceWords, int(c), "") }

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (c Confidence) MarshalText() ([]byte, error) {
	return marshalWord(confidenceWords, int(c), "Confidence")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (c *Confidence) UnmarshalText(text []byte) error {
	return unmarshalWord(confidenceWords, text, "confidence", (*int)(c))
}

// Severity grades an evidence item. It marshals as "info", "caution" or
// "alteration"; the zero value is SeverityInfo.
type Severity int

const (
	SeverityInfo Severity = iota
	SeverityCaution
	SeverityAlteration
)

var severityWords = []string{"info", "caution", "alteration"}

// String returns "info", "caution" or "alteration" (and "info" for a value
// outside the constants).
func (s Severity) String() string { return word(severityWords, int(s), "info") }

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (s Severity) MarshalText() ([]byte, error) {
	return marshalWord(severityWords, int(s), "Severity")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (s *Severity) UnmarshalText(text []byte) error {
	return unmarshalWord(severityWords, text, "severity", (*int)(s))
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
// It marshals as "signed", "unsigned" or "absent"; the zero value,
// FieldNone (no signature decided), marshals as "".
type FieldStatus int

const (
	FieldNone     FieldStatus = iota // no deciding signature
	FieldSigned                      // present and covered
	FieldUnsigned                    // present and not covered (or an extra instance is not)
	FieldAbsent                      // not in the message
)

var fieldStatusWords = []string{"", "signed", "unsigned", "absent"}

// String returns "signed", "unsigned", "absent", or "".
func (s FieldStatus) String() string { return word(fieldStatusWords, int(s), "") }

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (s FieldStatus) MarshalText() ([]byte, error) {
	return marshalWord(fieldStatusWords, int(s), "FieldStatus")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (s *FieldStatus) UnmarshalText(text []byte) error {
	return unmarshalWord(fieldStatusWords, text, "field status", (*int)(s))
}

// BodyCoverage says how much of the body the deciding signature proves.
// It marshals as "full", "partial" or "none"; the zero value,
// BodyUndecided (no signature decided, so nothing was measured), marshals
// as "", which is not the same as "none" (a signature decided and proves
// none of the body).
type BodyCoverage int

const (
	BodyUndecided BodyCoverage = iota // no deciding signature
	BodyNone                          // the deciding signature proves none of the body
	BodyPartial                       // the signed part is proven, but more text follows it (l=, or a change after an ARC seal)
	BodyFull                          // the whole body is proven: header signature valid, body hash matching, nothing after l=
)

var bodyCoverageWords = []string{"", "none", "partial", "full"}

// String returns "none", "partial", "full", or "" for BodyUndecided.
func (b BodyCoverage) String() string { return word(bodyCoverageWords, int(b), "") }

// MarshalText implements encoding.TextMarshaler with the words of String.
// A value outside the constants is an error.
func (b BodyCoverage) MarshalText() ([]byte, error) {
	return marshalWord(bodyCoverageWords, int(b), "BodyCoverage")
}

// UnmarshalText implements encoding.TextUnmarshaler: it accepts the words
// MarshalText writes and rejects any other.
func (b *BodyCoverage) UnmarshalText(text []byte) error {
	return unmarshalWord(bodyCoverageWords, text, "body coverage", (*int)(b))
}

// Coverage is what the deciding signature proves.
type Coverage struct {
	// Fields maps each displayed field ("from", "to", "cc", "subject",
	// "date", "message_id", "reply_to") to its status.
	Fields      map[string]FieldStatus
	Body        BodyCoverage // BodyUndecided when no signature decided
	Attachments []Attachment
}

// DisplayedFields are the header fields a mail client shows, in the order
// reports list them, with their Coverage.Fields keys.
var DisplayedFields = []struct{ Key, Header string }{
	{"from", "From"}, {"to", "To"}, {"cc", "Cc"}, {"subject", "Subject"},
	{"date", "Date"}, {"message_id", "Message-ID"}, {"reply_to", "Reply-To"},
}

// ShownFields are the header fields a mail client shows beside
// DisplayedFields, or uses to place the message: Sender ("X on behalf of
// Y"), Bcc, and the threading fields. They are not in Coverage.Fields; an
// unsigned or duplicated one is evidence.
var ShownFields = []struct{ Key, Header string }{
	{"sender", "Sender"}, {"bcc", "Bcc"}, {"in_reply_to", "In-Reply-To"}, {"references", "References"},
}

// An Attachment is one MIME part with a file name.
type Attachment struct {
	Name    string
	SHA256  string // hex SHA-256 of the decoded bytes
	Covered bool   // the deciding signature covers the body bytes holding it
}

// ARCResult is the ARC chain of a message.
type ARCResult struct {
	Chain          arc.ChainStatus // ChainNone when the message has no ARC set
	FailedInstance int             // 0 when none
	Reason         string          // why the chain failed, "" otherwise
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

// An Assessment is the answer for one message. Its contract values
// (Format, Verdict, Confidence, the signature results, the ARC chain, the
// coverage and the severities) are typed, and each marshals as the word
// the JSON contract uses, so json.Marshal of an Assessment writes words,
// not numbers.
type Assessment struct {
	ID        string // archive.Message.ID: stable however the path was typed
	File      string
	Entry     int // archive.Message.Entry: which of several zip entries of one name, 0 otherwise
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
	To, Cc      string    // decoded header text of the first To and Cc fields
	InReplyTo   string    // the first identifier of In-Reply-To, without angle brackets
	References  []string  // the identifiers of References, without angle brackets; never nil
	Date        time.Time // zero when missing or unparseable; keeps the original offset

	Verdict    Verdict
	Confidence Confidence
	Summary    string // one sentence
	Signer     string // the d= that decided, "" when none

	Signatures []SignatureResult
	ARC        ARCResult
	Coverage   Coverage
	Evidence   []Evidence
	// Explanation is the plain-language account that explain prints
	// after the Summary.
	Explanation Explanation

	Err error // why the message could not be read; Verdict is VerdictNone then

	// Related lists the other messages the archive pass links this one
	// to (its copies, the replies quoting it, the message it quotes), in
	// the order its evidence names them; empty without the pass.
	Related []Related

	view    *viewPrint // the reader's view, for the archive pass; nil when unread
	passSeq int        // 1 + the position ArchivePass.Add gave it, 0 before
}

// Position returns where the archive pass saw a: 1 for the first assessment
// fed to [ArchivePass.Add] (RunArchive feeds them in archive order), 2 for
// the next, and 0 when no pass has seen it. It survives a [Spool].
func (a *Assessment) Position() int { return a.passSeq }

// Related names another message of the archive that the archive pass
// links to this one, by the fields a report needs to point at it.
type Related struct {
	Kind  string // "copy", "quoted_by" (a reply quotes this message) or "quotes" (this message quotes it)
	ID    string
	File  string
	Entry int
	Index int
	// Position is the other message's Position: where it stands in the
	// run, so that a report split into pages can link to the right one.
	Position int
}

// An Explanation is the plain-language account of one assessment, for an
// editor. provenance writes every sentence of it, so that no two places can
// describe a signature differently; a report only lays it out.
type Explanation struct {
	// Meaning says what the verdict means and does not mean; "" when the
	// summary says all there is.
	Meaning string
	// Signatures holds one account per DKIM signature, in header order.
	Signatures []SignatureAccount
	// Proven says what the deciding signature proves and what it does not,
	// field by field, for the body and for each attachment.
	Proven []string
	// ARC describes the ARC chain, then each set; empty without ARC.
	ARC []string
	// Next lists what to do next, one step per distinct evidence code that
	// is not mere context, most serious first.
	Next []NextStep
}

// A SignatureAccount describes one signature: Summary says who signed,
// what the check found and what the signature covers, in one paragraph;
// Details lists the facts behind it, one sentence each.
type SignatureAccount struct {
	Summary string
	Details []string
}

// A NextStep is what to do about one evidence code.
type NextStep struct {
	Code string // the evidence code
	Text string // what to do, one or two sentences
}

// Paragraphs returns the explanation as plain paragraphs in reading order
// (meaning, signatures, what is proven, ARC, next steps), for a display
// that has no room for its structure.
func (e *Explanation) Paragraphs() []string {
	var out []string
	if e.Meaning != "" {
		out = append(out, e.Meaning)
	}
	for _, s := range e.Signatures {
		out = append(out, s.Summary)
	}
	if len(e.Signatures) == 0 {
		out = append(out, "The message carries no DKIM signature.")
	}
	out = append(out, e.Proven...)
	out = append(out, e.ARC...)
	for _, n := range e.Next {
		out = append(out, "What to do next ("+n.Code+"): "+n.Text)
	}
	return out
}

// word returns words[i], or otherwise when i is not one of its constants.
func word(words []string, i int, otherwise string) string {
	if i < 0 || i >= len(words) {
		return otherwise
	}
	return words[i]
}

// marshalWord returns words[i], or an error naming typ when i is not one of
// its constants.
func marshalWord(words []string, i int, typ string) ([]byte, error) {
	if i < 0 || i >= len(words) {
		return nil, fmt.Errorf("provenance: invalid %s %d", typ, i)
	}
	return []byte(words[i]), nil
}

// unmarshalWord sets *dst to the position of text in words, or returns an
// error naming what when text is none of them.
func unmarshalWord(words []string, text []byte, what string, dst *int) error {
	i := slices.Index(words, string(text))
	if i < 0 {
		return fmt.Errorf("provenance: unknown %s %q", what, text)
	}
	*dst = i
	return nil
}
