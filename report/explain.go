package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/leakproof/leakproof/provenance"
)

// explainWidth is where WriteExplanation wraps its paragraphs.
const explainWidth = 78

// WriteExplanation writes a plain-language account of one assessment: where
// the message is, its verdict and summary, and the explanation the checker
// wrote (what the verdict means, each signature, what is proven, the ARC
// chain, what to do next), then the evidence, most serious first. Every
// sentence about the message comes from the assessment: this only lays it
// out.
func WriteExplanation(w io.Writer, a *provenance.Assessment) error {
	e := &explainer{w: w}
	if a.Index > 0 {
		e.printf("Message %d of %s\n", a.Index, clean(a.File))
	} else {
		e.printf("File %s\n", clean(a.File))
	}
	e.field("ID", orDash(a.ID))
	if a.Entry > 0 {
		e.field("Zip entry", fmt.Sprintf("%d of the entries named %s", a.Entry, a.File))
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
	x := &a.Explanation
	if x.Meaning != "" {
		e.printf("\n")
		e.para("", x.Meaning)
	}
	e.signatures(x.Signatures)
	e.section("ARC chain:", x.ARC)
	e.section("What is proven:", x.Proven)
	if len(x.Next) > 0 {
		e.printf("\nWhat to do next:\n")
		for _, n := range x.Next {
			e.item("  ", "    ", fmt.Sprintf("(%s) %s", n.Code, n.Text))
		}
	}
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

// signatures lays out the account of each signature, with the facts
// behind it indented below.
func (e *explainer) signatures(accounts []provenance.SignatureAccount) {
	if len(accounts) == 0 {
		e.printf("\nSignatures: none.\n")
		return
	}
	e.printf("\nSignatures (%d, top to bottom):\n", len(accounts))
	for _, s := range accounts {
		e.item("  ", "    ", s.Summary)
		for _, d := range s.Details {
			e.item("      ", "        ", d)
		}
	}
}

// section writes a heading and its paragraphs, or nothing when there are
// none.
func (e *explainer) section(heading string, paras []string) {
	if len(paras) == 0 {
		return
	}
	e.printf("\n%s\n", heading)
	for _, p := range paras {
		e.item("  ", "    ", p)
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
