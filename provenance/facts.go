package provenance

// The first stage: facts. Everything observed about one message is gathered
// here, once, before anything is decided: the header, the fields a reader
// sees, the sender's identity, every signature with its alignment, the
// header anomalies, the ARC chain, what receivers recorded, the attachments,
// whether the top-level MIME fields fit the body bytes (body.go) and how the
// archive stored the message. Nothing in facts is a judgement;
// decide (decide.go) turns facts into a decision, and the words stage
// (words.go, explain.go) turns both into evidence and sentences.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
	"github.com/leakproof/leakproof/mbox"
)

// facts is what was observed about one message.
type facts struct {
	now time.Time
	raw []byte // the chosen view, CRLF
	hdr header
	ver *dkim.Verification

	// How the archive stored the message.
	notes      []string         // the archive reader's notes
	bom        bomPlace         // where a byte-order mark was set aside, if anywhere
	clConflict string           // why the mbox separators overruled the Content-Length, or ""
	headerOnly bool             // a header and no body (archive.header_only)
	lf         bool             // stored with bare LF line endings
	repair     view             // the chosen view; repair.code is "" for the format's own view
	leading    archive.LeadKind // the line an export tool left above the header, set aside
	takeout    bool             // Gmail export fields sit on top
	forced     bool             // archive.Message.Forced: read as mail only because it was named
	tooLarge   bool             // the header is past the reader's caps: nothing was verified

	shown shownFields // the fields a reader sees
	from  identity    // the sender a signature could vouch for

	sigs           []SignatureResult // every DKIM signature, header order, with alignment
	anomalies      []anomaly         // header anomalies (headers.go)
	records        []record          // receivers' records of DKIM results (receiver.go)
	arc            *arc.Result       // the ARC check, nil when the message has no ARC fields
	arcResult      ARCResult         // arc mapped for the assessment
	attachments    []Attachment      // named MIME parts, Covered not yet set
	mimeCapped     bool              // the MIME walk stopped at a cap
	mimeOdd        []byte            // a delimiter line go-message and a mail client split at differently (readAttachments)
	mimeShape      string            // another shape MIME readers read differently (entityShape), worded for the evidence
	flowedJoinable bool              // flowed text with delsp=yes whose joins only simple canonicalization signs (flowedJoinsPart)
	misfits        []mimeMisfit      // top-level MIME fields that do not fit the body bytes (body.go), signed or not
}

// shownFields are the header fields a mail client shows, decoded.
type shownFields struct {
	MessageID   string
	From        string
	FromAddress string
	Subject     string
	Date        time.Time
	To, Cc      string
	InReplyTo   string
	References  []string
}

// gather reads the facts of the chosen view of m. primary is the format's
// own view (whose line endings are reported), chosen the view the
// signatures were judged on, ver their verification (a header-only file's
// body hash mismatches are marked unchecked in it). The error is non-nil
// only when ctx is done.
func gather(ctx context.Context, m *archive.Message, primary, chosen view, ver *dkim.Verification, tooLarge bool, now time.Time, dopts *dkim.Options) (*facts, error) {
	f := &facts{
		now:        now,
		raw:        chosen.data,
		hdr:        headerOf(chosen.header()),
		ver:        ver,
		notes:      m.Notes,
		bom:        bomPlaceOf(m, primary),
		clConflict: m.ContentLengthConflict,
		lf:         primary.lf,
		repair:     chosen,
		forced:     m.Forced,
	}
	if !f.hdr.separator && len(f.hdr.fields) > 0 && !f.hdr.truncated && !hasNoColonLine(ver, chosen.data) {
		// A header with no body at all (no empty line after it), as an
		// export of a message's "Internet headers" is: the body is missing,
		// not changed, so a body hash mismatch proves nothing. The header
		// signature still counts.
		f.headerOnly = true
		for i := range ver.Signatures {
			if ver.Signatures[i].BodyHash == dkim.BodyMismatch {
				ver.Signatures[i].BodyHash = dkim.BodyUnchecked
			}
		}
		// A DomainKeys signature hashes the body with the header: with
		// the body missing, its failure proves nothing either.
		for i := range ver.DomainKeys {
			if ver.DomainKeys[i].HeaderSignature == dkim.HeaderInvalid {
				ver.DomainKeys[i].HeaderSignature = dkim.HeaderUnchecked
			}
		}
	}
	f.tooLarge = tooLarge || f.hdr.truncated
	f.leading, _ = archive.LeadingLine(chosen.data)
	f.takeout = f.hdr.has("x-gm-thrid") || f.hdr.has("x-gmail-labels")
	f.shown, f.from = readShown(f.hdr)
	// The DKIM signatures first, so that an index into ver.Signatures is
	// one into f.sigs too, then the DomainKeys ones.
	f.sigs = make([]SignatureResult, 0, len(ver.Signatures)+len(ver.DomainKeys))
	for _, list := range [][]dkim.Signature{ver.Signatures, ver.DomainKeys} {
		for _, sig := range list {
			f.sigs = append(f.sigs, SignatureResult{Signature: sig, Aligned: f.from.ok && aligned(sig.Domain, f.from.domain)})
		}
	}
	f.arcResult = arcResult(nil)
	if !f.tooLarge && (f.hdr.has("arc-seal") || f.hdr.has("arc-message-signature") || f.hdr.has("arc-authentication-results")) {
		r, err := arc.VerifyHeader(ctx, chosen.header(), dopts)
		if err != nil {
			return nil, fmt.Errorf("provenance: %w", err)
		}
		f.arc, f.arcResult = r, arcResult(r)
	}
	f.anomalies = headerAnomalies(f)
	f.records = readRecords(f)
	f.readMIME()
	if !f.headerOnly && !f.tooLarge && f.hdr.body <= len(chosen.data) {
		f.misfits = bodyFit(f.hdr, chosen.data[f.hdr.body:])
		// A single-part body's flowed text; nearly every Content-Type has
		// no "format" in it and is not parsed again.
		if ct := f.hdr.first("content-type"); !f.flowedJoinable && containsFold(ct, "format") {
			mt, _, _ := parseContentType(ct)
			f.flowedJoinable = flowedJoinsPart(mt, ct, f.hdr.first("content-transfer-encoding"), chosen.data[f.hdr.body:])
		}
	}
	return f, nil
}

// readMIME reads the MIME structure of f.raw: its attachments and the
// shapes readers read differently.
func (f *facts) readMIME() {
	if ct := strings.ToLower(f.hdr.first("content-type")); strings.Contains(ct, "multipart/") || f.hdr.has("content-disposition") {
		f.attachments, f.mimeCapped, f.mimeOdd, f.mimeShape, f.flowedJoinable = readAttachments(f.raw)
	} else if f.hdr.body <= len(f.raw) {
		// A single part the attachment walk does not read.
		f.mimeShape = topShape(f.hdr, f.raw[f.hdr.body:])
	}
}

// unescapedBody returns the facts the reader's view reads: f, or, when a
// body line reads "From " after ">" signs, a copy of f over its bytes
// with those signs removed from every such line (unescapeBodyFromLines), its
// MIME structure read again. An mbox writer escapes a body line "From "
// as ">From " (mboxrd also ">From " as ">>From "), and a tool that cuts
// a message out of an mbox may leave that in, in any part written as
// lines (7bit, 8bit, quoted-printable: an attached message, a text file),
// not only in the text the view shows; base64 has no such line. The
// header is not read again: its bytes are the same.
func (f *facts) unescapedBody() *facts {
	if f.headerOnly || f.hdr.body > len(f.raw) {
		return f
	}
	body := f.raw[f.hdr.body:]
	if !bytes.Contains(body, []byte(">From ")) {
		return f
	}
	un := unescapeBodyFromLines(body)
	if len(un) == len(body) {
		return f
	}
	g := *f
	g.raw = slices.Concat(f.raw[:f.hdr.body], un)
	g.attachments, g.mimeCapped, g.mimeOdd, g.mimeShape, g.flowedJoinable = nil, false, nil, "", false
	g.readMIME()
	return &g
}

// readersDiffer reports whether MIME readers read the message's body
// differently: a delimiter line they split at differently, another shape
// of a part they read differently (coverage.mime_ambiguous), or a
// top-level MIME field given twice (header.duplicate_mime_field), or the
// walk stopped at one of its caps (coverage.mime_truncated), past which
// it read no part that lenient readers show. The reader's view then holds
// the body's bytes.
func (f *facts) readersDiffer() bool {
	return f.mimeOdd != nil || f.mimeShape != "" || f.mimeCapped ||
		slices.ContainsFunc(f.anomalies, func(a anomaly) bool { return a.code == "header.duplicate_mime_field" })
}

// bomPlace is where a byte-order mark was set aside.
type bomPlace int

const (
	bomNone      bomPlace = iota
	bomFileStart          // at the start of a single-message file
	bomAfterSep           // right after the message's mbox separator line
	bomBeforeSep          // before the message's mbox separator line
)

// bomPlaceOf says where m had a byte-order mark that was set aside.
func bomPlaceOf(m *archive.Message, primary view) bomPlace {
	_, isMbox := mbox.ParseFormat(m.Format.String())
	switch {
	case primary.bom && isMbox:
		return bomAfterSep
	case primary.bom:
		return bomFileStart
	case m.BOM && isMbox:
		return bomBeforeSep
	case m.BOM:
		return bomFileStart
	}
	return bomNone
}

// readShown reads the displayed fields and the sender's identity.
func readShown(h header) (shownFields, identity) {
	var s shownFields
	s.MessageID = mailsyntax.MessageID(h.first("message-id"))
	s.Subject = mailsyntax.DecodeWords(h.first("subject"))
	s.To = mailsyntax.DecodeWords(h.first("to"))
	s.Cc = mailsyntax.DecodeWords(h.first("cc"))
	if ids := mailsyntax.MessageIDs(h.first("in-reply-to")); len(ids) > 0 {
		s.InReplyTo = ids[0]
	}
	s.References = mailsyntax.MessageIDs(h.first("references"))
	froms := h.values("from")
	if len(froms) > 0 {
		s.From = mailsyntax.DecodeWords(froms[0])
	}
	id := readIdentity(froms)
	s.FromAddress = id.address
	if d := h.first("date"); d != "" {
		if t, err := parseMailDate(d); err == nil {
			s.Date = t
		} else if t, z, err := mailsyntax.ParseDate(d); err == nil && !z.Unknown && z.Problem == "" {
			// Real mail writes dates net/mail refuses ("03-Jun-2008",
			// asctime order); a guessed or impossible zone stays unparsed.
			s.Date = t
		}
	}
	return s, id
}

// skipped reports whether a signature went unchecked past the cap.
func (f *facts) skipped() bool {
	for i := range f.sigs {
		if f.sigs[i].Result == dkim.ResultSkipped {
			return true
		}
	}
	return false
}

// latestAMS returns the latest ARC-Message-Signature's check, or nil.
func (f *facts) latestAMS() *arc.Check {
	if f.arc == nil || len(f.arc.Instances) == 0 {
		return nil
	}
	return &f.arc.Instances[len(f.arc.Instances)-1].MessageCheck
}

// latestSealer names the sealer of the latest ARC set, or "".
func (f *facts) latestSealer() string {
	if n := len(f.arcResult.Instances); n > 0 {
		return f.arcResult.Instances[n-1].Sealer
	}
	return ""
}

// sealerOf names the sealer of ARC instance i, or "an unnamed sealer".
func (f *facts) sealerOf(i int) string {
	for _, in := range f.arcResult.Instances {
		if in.Instance == i && in.Sealer != "" {
			return in.Sealer
		}
	}
	return "an unnamed sealer"
}
