package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// explainWidth is where WriteExplanation wraps its paragraphs.
const explainWidth = 78

// WriteExplanation writes a plain-language account of one assessment: where
// the message is, its verdict and summary, the explanation paragraphs the
// checker wrote, each signature and what it proves, the ARC chain, what the
// deciding signature covers, and the evidence, most serious first.
func WriteExplanation(w io.Writer, a *provenance.Assessment) error {
	e := &explainer{w: w}
	if a.Index > 0 {
		e.printf("Message %d of %s\n", a.Index, clean(a.File))
	} else {
		e.printf("File %s\n", clean(a.File))
	}
	e.field("Location", fmt.Sprintf("byte offset %d, %d bytes, stored as %s", a.Offset, a.Size, orDash(a.Format.String())))
	e.field("SHA-256", orDash(a.SHA256))
	if a.Err != nil {
		e.printf("\n")
		e.para("", "It could not be read: "+a.Err.Error())
		e.para("", "Nothing can be said about its authenticity until it can be read.")
		return e.err
	}
	e.field("From", orDash(a.From))
	e.field("Subject", orDash(a.Subject))
	e.field("Date", orDash(rfc3339(a.Date)))
	e.field("Message-ID", orDash(a.MessageID))

	e.printf("\nVerdict: %s", strings.ToUpper(orDash(a.Verdict.String())))
	if c := a.Confidence.String(); c != "" {
		e.printf(" (%s confidence)", c)
	}
	e.printf("\n")
	e.para("", a.Summary)
	for _, p := range a.Explanation {
		if strings.TrimSpace(p) == strings.TrimSpace(a.Summary) {
			continue // the summary is already shown above
		}
		e.printf("\n")
		e.para("", p)
	}

	e.signatures(a.Signatures)
	e.arc(a.ARC)
	e.coverage(a)
	e.evidence(a.Evidence)
	e.printf("\n")
	e.para("", "Remember: "+Reminder)
	return e.err
}

type explainer struct {
	w   io.Writer
	err error
}

func (e *explainer) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// field writes one "  Name        value" line; the value is cleaned.
func (e *explainer) field(name, value string) {
	e.printf("  %-11s %s\n", name, clean(value))
}

// para writes text cleaned and wrapped at explainWidth, every line indented.
func (e *explainer) para(indent, text string) { e.item(indent, indent, text) }

// item writes text cleaned and wrapped at explainWidth: the first line
// indented by first, the others by rest.
func (e *explainer) item(first, rest, text string) {
	text = strings.TrimSpace(clean(text))
	if text == "" {
		return
	}
	width := explainWidth - max(utf8.RuneCountInString(first), utf8.RuneCountInString(rest))
	for i, l := range wrap(text, width) {
		indent := rest
		if i == 0 {
			indent = first
		}
		e.printf("%s%s\n", indent, l)
	}
}

func (e *explainer) signatures(sigs []provenance.SignatureResult) {
	if len(sigs) == 0 {
		e.printf("\nSignatures: none. Nothing in this message was signed with DKIM.\n")
		return
	}
	e.printf("\nSignatures (%d, top to bottom):\n", len(sigs))
	for i, s := range sigs {
		e.printf("  %d. %s, selector %s: %s\n", i+1, clean(orDash(s.Domain)), clean(orDash(s.Selector)), resultWords(s.Result))
		key := "no key was used"
		if s.KeyBits > 0 {
			key = fmt.Sprintf("%d-bit key", s.KeyBits)
			if s.KeySource != "" {
				key += " from " + s.KeySource
			}
		}
		e.para("     ", fmt.Sprintf("Algorithm %s, canonicalization %s, %s.", orDash(s.Algorithm), orDash(s.Canonicalization), key))
		e.para("     ", "Header signature "+s.HeaderSignature.String()+": "+headerWords(s.Signature))
		e.para("     ", "Body hash "+s.BodyHash.String()+": "+bodyWords(s.Signature))
		if s.Aligned {
			e.para("     ", "The signing domain matches the From domain.")
		} else {
			e.para("     ", "The signing domain does not match the From domain: it vouches for its own mail system, not for the sender shown.")
		}
		if len(s.SignedHeaders) > 0 {
			e.para("     ", "Signed fields: "+strings.Join(s.SignedHeaders, ", ")+".")
		}
		if s.BodyLength >= 0 {
			e.para("     ", fmt.Sprintf("The signature covers only the first %d bytes of the body (l=); %d bytes after them are not covered.", s.BodyLength, s.UnsignedBodyBytes))
		}
		if t := rfc3339UTC(s.Timestamp); t != "" {
			e.para("     ", "Signed at "+t+" (the signer's own clock).")
		}
		if x := rfc3339UTC(s.Expires); x != "" {
			e.para("     ", "Marked to expire at "+x+"; expiry does not apply to archived mail.")
		}
		if s.Result != dkim.ResultPass && s.Err != nil {
			e.para("     ", "Reason: "+s.Err.Error()+".")
		}
	}
}

func (e *explainer) arc(a provenance.ARCResult) {
	switch a.Chain {
	case arc.ChainNone:
		e.printf("\nARC chain: none.\n")
		return
	case arc.ChainPass:
		e.printf("\nARC chain: intact (pass), %s.\n", plural(len(a.Instances), "hop", "hops"))
	default:
		e.printf("\nARC chain: %s", a.Chain)
		if a.FailedInstance > 0 {
			e.printf(", broken at instance %d", a.FailedInstance)
		}
		e.printf(".\n")
		if a.Reason != "" {
			e.para("  ", "Reason: "+a.Reason+".")
		}
	}
	for _, in := range a.Instances {
		e.item("  ", "    ", fmt.Sprintf("Hop %d: sealed by %s (selector %s), cv=%s; seal %s, message signature %s.",
			in.Instance, orDash(in.Sealer), orDash(in.Selector), orDash(in.CV), orDash(in.Seal.String()), orDash(in.MessageSignature.String())))
		if in.AuthenticationResults != "" {
			e.item("    ", "      ", "It recorded: "+in.AuthenticationResults)
		}
	}
}

func (e *explainer) coverage(a *provenance.Assessment) {
	c := a.Coverage
	decided := c.Body != provenance.BodyUndecided
	for _, st := range c.Fields {
		decided = decided || st != provenance.FieldNone
	}
	if !decided {
		e.printf("\nCoverage: no signature decided the verdict, so no field is proven.\n")
		return
	}
	signer := "the deciding signature"
	if a.Signer != "" {
		signer = "the signature of " + clean(a.Signer)
	}
	e.printf("\nWhat %s proves:\n", signer)
	for _, f := range provenance.DisplayedFields {
		st := c.Fields[f.Key]
		var words string
		switch st {
		case provenance.FieldSigned:
			words = "proven: as sent"
		case provenance.FieldUnsigned:
			words = "NOT proven: do not quote it as sent"
		case provenance.FieldAbsent:
			words = "absent"
		default:
			words = "-"
		}
		e.printf("  %-11s %s\n", f.Header, words)
	}
	switch c.Body {
	case provenance.BodyFull:
		e.printf("  %-11s %s\n", "Body", "proven: as sent, in full")
	case provenance.BodyPartial:
		e.printf("  %-11s %s\n", "Body", "only partly proven: text after the signed part may have been added")
	case provenance.BodyNone:
		e.printf("  %-11s %s\n", "Body", "NOT proven: do not quote it as sent")
	default:
		e.printf("  %-11s %s\n", "Body", "-")
	}
	for _, at := range c.Attachments {
		cov := "covered"
		if !at.Covered {
			cov = "NOT covered"
		}
		e.item("  ", "    ", fmt.Sprintf("Attachment %q (SHA-256 %s): %s.", at.Name, orDash(at.SHA256), cov))
	}
}

func (e *explainer) evidence(ev []provenance.Evidence) {
	if len(ev) == 0 {
		e.printf("\nEvidence: none.\n")
		return
	}
	e.printf("\nEvidence, most serious first:\n")
	for _, sev := range []provenance.Severity{provenance.SeverityAlteration, provenance.SeverityCaution, provenance.SeverityInfo} {
		for _, x := range ev {
			if x.Severity != sev {
				continue
			}
			e.item("  ", "    ", fmt.Sprintf("[%s] %s: %s", sev, x.Code, x.Message))
		}
	}
}

func resultWords(r dkim.Result) string {
	switch r {
	case dkim.ResultPass:
		return "pass (verified)"
	case dkim.ResultFail:
		return "FAIL (checked with the key; does not match)"
	case dkim.ResultNoKey:
		return "no key (the key is not in your key archive)"
	case dkim.ResultRevoked:
		return "revoked key (the published record is empty)"
	case dkim.ResultWeakKey:
		return "weak key (too short to prove anything)"
	case dkim.ResultTestingKey:
		return "testing key (t=y: the signer said not to rely on it)"
	case dkim.ResultPublishedKey:
		return "published key (its private half is public: anyone could sign)"
	case dkim.ResultPermError:
		return "permanent error (malformed signature or key)"
	case dkim.ResultTempError:
		return "temporary error (the key lookup failed)"
	case dkim.ResultSkipped:
		return "skipped (too many signatures)"
	}
	return orDash(r.String())
}

func headerWords(s dkim.Signature) string {
	switch {
	case s.HeaderSignature == dkim.HeaderValid:
		return "the signed header fields are as they were sent."
	case s.HeaderSignature == dkim.HeaderInvalid && s.KeyMismatch:
		return "the key on file cannot have made this signature (a newer key under the same selector, or a damaged signature), so it says nothing about the header."
	case s.HeaderSignature == dkim.HeaderInvalid:
		return "a signed header field was changed after signing."
	}
	return "not checked (no usable key, or the signature could not be read)."
}

// bodyWords says what the body hash shows. The bh= value is itself covered
// by the header signature, so it is proven only when that verifies.
func bodyWords(s dkim.Signature) string {
	proven := s.HeaderSignature == dkim.HeaderValid
	switch {
	case s.BodyHash == dkim.BodyMatch && proven:
		return "the signed body is as it was sent."
	case s.BodyHash == dkim.BodyMatch:
		return "the body matches the hash the signature states, but that hash is proven only when the header signature verifies."
	case s.BodyHash == dkim.BodyMismatch && proven:
		return "the body was changed after signing."
	case s.BodyHash == dkim.BodyMismatch && s.KeyMismatch:
		return "the body does not match the hash the signature states, and with no matching key that hash proves nothing."
	case s.BodyHash == dkim.BodyMismatch:
		return "the body does not match the hash the signature states: the body, or the signature's own hash, was changed after signing."
	}
	return "not checked."
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// wrap splits text into lines of at most width runes at spaces; a word
// longer than width gets a line of its own.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wn
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
