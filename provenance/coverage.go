package provenance

// Coverage: what the deciding signature proves, field by field, for the
// body, and for each attachment.
//
//   - A displayed field is "signed" when the deciding signature's header
//     signature is valid, its h= lists the field, and every instance of
//     the field in the header is covered (RFC 6376 §5.4.2 picks instances
//     bottom up; an extra instance makes the field "unsigned"). A field
//     present but not covered is "unsigned"; a field not in the header is
//     "absent". With no deciding signature every status is FieldNone.
//   - The body is "full" when the header signature is valid, the body hash
//     matches and no text follows l= (it speaks of the bytes: when an
//     unsigned MIME field does not fit them, the body stays "full", the
//     verdict is unverifiable and coverage.mime_mismatch says why); "partial" when text follows l=; and
//     "none" otherwise (a body matching a bh= whose header signature fails
//     proves nothing: bh= could have been changed with it).
//   - Attachments are the MIME parts with a file name (Content-Disposition
//     filename, else Content-Type name), walked read-only over the message
//     bytes as go-message reads them (mimewalk.go), or as a mail client
//     reads them where the two split the body differently (evidence
//     coverage.mime_ambiguous), at most maxAttachments
//     of them and maxMIMEDepth levels deep. SHA256
//     is of the bytes after the transfer encoding (base64,
//     quoted-printable) is undone; no charset is converted unless the
//     embedding program installs go-message's charset tables itself.
//     An attachment is covered only when the body coverage is "full"
//     (with l= it is not known, without canonicalizing again, which part
//     ends before the limit, so none is claimed), no unsigned MIME field
//     misfits the body (body.go, coverage.mime_mismatch), and every top-level MIME
//     field a mail client uses to split and decode the body
//     (Content-Type, Content-Disposition, Content-Transfer-Encoding) is
//     either absent or signed, every instance of it: the body bytes are
//     proven, but an unsigned Content-Type can make parts of plain text
//     and an unsigned Content-Disposition can name the body a file. The
//     unsigned fields are caution evidence (header.unsigned_mime_field)
//     when attachments are listed or Content-Disposition is among them;
//     most mail leaves Content-Type unsigned, and on a message without
//     attachments that alone is not worth a caution.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"sync"

	"github.com/emersion/go-message"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// copyBuffers are the 32 KB buffers attachments are hashed through, kept
// between messages.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// Caps on the MIME walk.
const (
	maxMIMEDepth   = 16
	maxAttachments = 256
	maxMIMEParts   = 1024
)

// emptyCoverage is the coverage when no signature decided.
func emptyCoverage() Coverage {
	c := Coverage{Fields: make(map[string]FieldStatus, len(DisplayedFields)), Attachments: []Attachment{}}
	for _, f := range DisplayedFields {
		c.Fields[f.Key] = FieldNone
	}
	return c
}

// decideCoverage is what the deciding signature proves (or, for rule 3, the
// latest ARC-Message-Signature: since the trusted sealer's record, it is
// what protects the message).
func decideCoverage(f *facts, d *decision) Coverage {
	c := emptyCoverage()
	if sig := decidingSignature(f, d); sig != nil {
		for _, df := range DisplayedFields {
			c.Fields[df.Key] = fieldStatus(sig, f.hdr, lowerHeader(df.Header))
		}
		c.Body = bodyCoverage(sig)
	} else if d.sealed != nil {
		ams := f.latestAMS()
		as := dkim.Signature{SignedHeaders: ams.SignedHeaders, HeaderSignature: ams.HeaderSignature, BodyHash: ams.BodyHash,
			BodyLength: -1, UnsignedBodyBytes: ams.UnsignedBodyBytes}
		for _, df := range DisplayedFields {
			c.Fields[df.Key] = fieldStatus(&as, f.hdr, lowerHeader(df.Header))
		}
		c.Body = bodyCoverage(&as)
		// The AMS protects the body since sealing; an aligned signature
		// whose body hash fails now shows that it is not the body the
		// sender signed (a list footer, say): only part of it is.
		for i := range f.sigs {
			if sig := &f.sigs[i]; sig.Aligned && sig.BodyHash == dkim.BodyMismatch && c.Body == BodyFull {
				c.Body = BodyPartial
			}
		}
	}
	unsignedMIME := unsignedMIMEFields(f, d)
	c.Attachments = make([]Attachment, len(f.attachments))
	for i, at := range f.attachments {
		at.Covered = c.Body == BodyFull && len(unsignedMIME) == 0 && len(d.unfit) == 0
		c.Attachments[i] = at
	}
	return c
}

// unsignedShownEvidence words an unsigned Sender, Bcc, In-Reply-To or
// References field.
func unsignedShownEvidence(header, signer string) Evidence {
	switch header {
	case "Sender":
		return evidence("header.unsigned_field", "Sender is not covered by the signature by %s, so it may have been added or changed: Outlook and others show it as \"Sender on behalf of From\".", signer)
	case "Bcc":
		return evidence("header.unsigned_field", "Bcc is not covered by the signature by %s, so it may have been added or changed; sent mail rarely carries it.", signer)
	}
	return evidence("header.unsigned_field", "%s is not covered by the signature by %s, so it may have been added or changed: mail clients use it to place the message in a thread.", header, signer)
}

// decidingSignature returns the signature that decided, or nil.
func decidingSignature(f *facts, d *decision) *dkim.Signature {
	if d.decider < 0 {
		return nil
	}
	return &f.sigs[d.decider].Signature
}

// unsignedMIMEFields names the top-level MIME fields the deciding
// signature leaves unsigned: they decide how a client splits and decodes
// the proven body bytes, so with any of them unsigned no attachment is
// covered.
func unsignedMIMEFields(f *facts, d *decision) []string {
	sig := decidingSignature(f, d)
	if sig == nil {
		return nil
	}
	var out []string
	for _, name := range mimeFields {
		if fieldStatus(sig, f.hdr, name) == FieldUnsigned {
			out = append(out, mimeHeader(name))
		}
	}
	return out
}

// coverageEvidence words what the coverage leaves unproven: displayed
// fields the deciding signature (or the sealer's AMS) does not cover,
// attachments past the MIME walk's caps, and unsigned MIME fields that
// shape what a reader sees.
func coverageEvidence(f *facts, d *decision) []Evidence {
	var out []Evidence
	c := d.coverage
	duplicated := func(key string) bool {
		return slices.ContainsFunc(d.changes, func(ch change) bool { return ch.code == "header.unsigned_duplicate_"+key })
	}
	sig := decidingSignature(f, d)
	if sig != nil && sig.HeaderSignature == dkim.HeaderValid {
		for _, df := range DisplayedFields {
			if c.Fields[df.Key] == FieldUnsigned && !duplicated(df.Key) {
				out = append(out, evidence("header.unsigned_field", "%s is not covered by the signature by %s, so it may have been changed.", df.Header, sig.Domain))
			}
		}
	}
	if sig != nil && sig.HeaderSignature == dkim.HeaderValid {
		// Sender, Bcc and the threading fields are not in the coverage
		// table, but a reader sees them or is guided by them.
		for _, sf := range ShownFields {
			if name := lowerHeader(sf.Header); fieldStatus(sig, f.hdr, name) == FieldUnsigned && !duplicated(sf.Key) {
				out = append(out, unsignedShownEvidence(sf.Header, sig.Domain))
			}
		}
	}
	if d.sealed != nil {
		// What the latest ARC-Message-Signature leaves out may have been
		// changed after sealing, whatever the sealer saw.
		sealer := f.latestSealer()
		for _, df := range DisplayedFields {
			if c.Fields[df.Key] == FieldUnsigned && !duplicated(df.Key) {
				out = append(out, evidence("header.unsigned_field", "%s is not covered by %s's ARC-Message-Signature, so it may have been changed after %s sealed the message.", df.Header, sealer, sealer))
			}
		}
	}
	out = append(out, misfitEvidence(f, d)...)
	if f.mimeCapped {
		out = append(out, evidence("coverage.mime_truncated",
			"The message's MIME structure goes past the reader's caps (%d levels, %d parts, %d attachments listed); attachments and text past them are not listed or hashed, and copies of the message are compared on the body's bytes.",
			maxMIMEDepth, maxMIMEParts, maxAttachments))
	}
	if f.mimeOdd != nil {
		out = append(out, evidence("coverage.mime_ambiguous",
			"The line %q starts with a MIME boundary of the body, but MIME readers split the body differently there: it is not a delimiter line as RFC 2046 defines it (the boundary, optional white space, CRLF), or not one a strict reader finds. A strict reader lists no part after it, some readers start a part there, and mail clients read it line by line, as a delimiter line when only white space follows the boundary and as text otherwise. The attachments listed are the mail client's reading; copies of the message are compared on the body's bytes.",
			f.mimeOdd))
	} else if f.mimeShape != "" {
		out = append(out, evidence("coverage.mime_ambiguous",
			"MIME readers read the body differently: %s. The attachments and text listed are one reading; copies of the message are compared on the body's bytes.",
			f.mimeShape))
	}
	// Most mail leaves Content-Type unsigned; it is worth a caution when it
	// shapes an attachment, or when an unsigned Content-Disposition could
	// present the body as a file.
	if unsigned := unsignedMIMEFields(f, d); sig != nil && sig.HeaderSignature == dkim.HeaderValid && len(unsigned) > 0 &&
		(len(c.Attachments) > 0 || slices.Contains(unsigned, "Content-Disposition")) {
		out = append(out, evidence("header.unsigned_mime_field",
			"%s %s not covered by the signature by %s: the body bytes are proven, not how a mail client splits or decodes them, so no attachment counts as covered.",
			listFields(unsigned), isAre(len(unsigned)), sig.Domain))
	}
	return out
}

// fieldStatus says whether sig covers every instance of the field name.
func fieldStatus(sig *dkim.Signature, h header, name string) FieldStatus {
	n := h.count(name)
	if n == 0 {
		return FieldAbsent
	}
	if sig.HeaderSignature != dkim.HeaderValid {
		return FieldUnsigned
	}
	for _, fc := range sig.Coverage {
		if fc.Name == name {
			if fc.Count >= n && len(fc.Signed) >= fc.Count {
				return FieldSigned
			}
			return FieldUnsigned
		}
	}
	if signsField(sig, name) && n == 1 {
		// dkim reported no instance detail: h= lists it and it occurs once.
		return FieldSigned
	}
	return FieldUnsigned
}

// bodyCoverage returns BodyFull, BodyPartial or BodyNone for sig. A body
// that matches bh= proves nothing when the header signature, which covers
// bh=, does not verify: whoever changed the body could have changed bh= too.
func bodyCoverage(sig *dkim.Signature) BodyCoverage {
	switch {
	case !bodyVerified(sig):
		return BodyNone
	case sig.UnsignedBodyBytes > 0:
		return BodyPartial
	}
	return BodyFull
}

// attachments lists the named MIME parts of msg. A message go-message
// cannot read has none; a part that cannot be decoded is listed with the
// hash of what could be read.
// truncated reports whether the walk stopped at one of its caps, so that
// attachments past them are not listed.
func attachments(msg []byte) (out []Attachment, truncated bool) {
	out, truncated, _, _, _ = readAttachments(msg)
	return out, truncated
}

// readAttachments is attachments, and returns the first delimiter line
// that go-message and a mail client split the parts at differently, when
// the list is the mail client's reading because of one (nil otherwise),
// and the first other shape of the walked entities that readers read
// differently (entityShape; "" if none), and whether a text part's joins
// only simple body canonicalization signs (flowedJoinsPart).
func readAttachments(msg []byte) (out []Attachment, truncated bool, odd []byte, shape string, flowed bool) {
	out, truncated, found, err := sliceAttachmentsLong(msg, false)
	if err == nil && found.odd == nil {
		return out, truncated, nil, found.shape, found.flowed
	}
	var w *mimeWalk
	if err != nil {
		w = goMessageWalk(msg)
		out, truncated = w.out, w.truncated
	}
	// go-message stopped at a multipart body it could not read, passed
	// over a line a mail client starts the parts at, or the walk over the
	// bytes left the message to it. If go-message stopped at a line
	// outside the parts longer than its buffer, or at a line that is no
	// delimiter line for a mail client (text after the boundary, a line
	// break of another kind), it read none of the parts after it, which a
	// mail client shows: read them as a client does, if the walk met such
	// a line. A long line inside a part stops no reading, and go-message's
	// reading of a message it stopped at for another reason (a truncated
	// part) stands.
	cout, ctruncated, cfound, err := sliceAttachmentsLong(msg, true)
	// The strict walk may have given up before the shape; the client's
	// reading walks on past what it gives up at. When it gives up too,
	// go-message's walk looks for flowed text.
	shape = found.shape
	if shape == "" {
		shape = cfound.shape
	}
	if shape == "" && err != nil {
		// Neither walk over the bytes read the body to its end, so the
		// parts past where they stopped were not checked for shapes
		// readers read differently: go-message's reading of them is one
		// reading, and the lenient readers' may show more.
		shape = stoppedShape
	}
	flowed = found.flowed || cfound.flowed || err != nil && goMessageFlowed(msg)
	switch {
	case err == nil && (cfound.odd != nil || cfound.long && w != nil && w.failed):
		return cout, ctruncated, cfound.odd, shape, flowed
	case cfound.odd != nil:
		// The readings differ, but the client's reading gave up past
		// that line (a part header it cannot read): go-message's list
		// stands, and the difference is still evidence.
		return out, truncated, cfound.odd, shape, flowed
	}
	return out, truncated, nil, shape, flowed
}

// stoppedShape words a body the walks over the bytes stopped reading
// before its end (a nested multipart with no boundary, a part header cut
// off by the end of its part), as entityShape words a shape.
const stoppedShape = "a part stops the reading of the MIME structure before its end (a multipart with no boundary, a part header cut off), so what follows is read by go-message alone, which lists no part past where it stops, while lenient readers (Python's email package) read on and show the parts after it"

// goMessageAttachments is attachments read through go-message's
// multipart reader, for the shapes sliceAttachments leaves to it.
func goMessageAttachments(msg []byte) (out []Attachment, truncated bool) {
	w := goMessageWalk(msg)
	return w.out, w.truncated
}

func goMessageWalk(msg []byte) *mimeWalk {
	w := &mimeWalk{}
	e, err := message.Read(bytes.NewReader(msg))
	if err != nil && e == nil {
		return w
	}
	w.walk(e, 0)
	return w
}

type mimeWalk struct {
	out       []Attachment
	parts     int
	truncated bool // a cap stopped the walk
	failed    bool // a multipart body ended in an error, not its closing delimiter
}

func (w *mimeWalk) walk(e *message.Entity, depth int) {
	w.parts++
	if w.parts > maxMIMEParts || len(w.out) >= maxAttachments {
		w.truncated = true
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		if depth >= maxMIMEDepth {
			w.truncated = true
			return
		}
		for {
			p, err := mr.NextPart()
			if p == nil || err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				w.failed = w.failed || err != io.EOF
				return
			}
			w.walk(p, depth+1)
			if w.parts > maxMIMEParts || len(w.out) >= maxAttachments {
				w.truncated = true
				return
			}
		}
	}
	name := partName(e)
	if name == "" {
		return
	}
	h := sha256.New()
	// A damaged part (bad base64, truncated) is hashed as far as it reads.
	buf := copyBuffers.Get().(*[]byte)
	_, _ = io.CopyBuffer(h, e.Body, *buf)
	copyBuffers.Put(buf)
	w.out = append(w.out, Attachment{Name: name, SHA256: hex.EncodeToString(h.Sum(nil))})
}

// partName returns a part's file name, decoded, or "".
func partName(e *message.Entity) string {
	if _, params, err := e.Header.ContentDisposition(); err == nil && params["filename"] != "" {
		return mailsyntax.DecodeWords(params["filename"])
	}
	if _, params, err := e.Header.ContentType(); err == nil && params["name"] != "" {
		return mailsyntax.DecodeWords(params["name"])
	}
	return ""
}
