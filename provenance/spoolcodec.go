package provenance

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
)

// The temporary file of a Spool holds each assessment in a compact binary
// form that this file writes and reads, field by field in declaration
// order, without reflection: a run spools every record and reads it back
// on one goroutine once the stream ends, so the cost of each record adds
// to the run's tail. The file lives only as long as the run; the stream
// that outlives a run (SpoolEncoder, the records of "verify --shard") is
// gob, whose types a later build can still read.
//
// Integers are varints, strings and byte slices a uvarint length and the
// bytes, a slice its uvarint length and its elements (read back nil when
// empty, as gob does, so that a record read back is the same either way),
// a time the bytes of MarshalBinary (as gob keeps it), and an optional
// value a presence byte. Errors go as packErr keeps them, with their
// identity. The unexported view and pass position go too.

// appendAssessment appends a, without its pass position, to dst.
func appendAssessment(dst []byte, a *Assessment) []byte {
	e := spoolWriter{b: dst}
	e.str(a.ID)
	e.str(a.File)
	e.int(int64(a.Entry))
	e.int(int64(a.Index))
	e.int(a.Offset)
	e.int(a.Size)
	e.str(a.SHA256)
	e.str(string(a.Format))
	e.str(a.Separator)

	e.str(a.MessageID)
	e.str(a.From)
	e.str(a.FromAddress)
	e.str(a.Subject)
	e.str(a.To)
	e.str(a.Cc)
	e.str(a.InReplyTo)
	e.strs(a.References)
	e.time(a.Date)

	e.int(int64(a.Verdict))
	e.int(int64(a.Confidence))
	e.str(a.Summary)
	e.str(a.Signer)

	e.uint(uint64(len(a.Signatures)))
	for i := range a.Signatures {
		e.signature(&a.Signatures[i])
	}

	e.int(int64(a.ARC.Chain))
	e.int(int64(a.ARC.FailedInstance))
	e.str(a.ARC.Reason)
	e.uint(uint64(len(a.ARC.Instances)))
	for _, in := range a.ARC.Instances {
		e.int(int64(in.Instance))
		e.str(in.Sealer)
		e.str(in.Selector)
		e.str(in.CV)
		e.int(int64(in.Seal))
		e.int(int64(in.MessageSignature))
		e.str(in.AuthenticationResults)
		e.time(in.Timestamp)
	}

	e.uint(uint64(len(a.Coverage.Fields)))
	for k, v := range a.Coverage.Fields {
		e.str(k)
		e.int(int64(v))
	}
	e.int(int64(a.Coverage.Body))
	e.uint(uint64(len(a.Coverage.Attachments)))
	for _, at := range a.Coverage.Attachments {
		e.str(at.Name)
		e.str(at.SHA256)
		e.bool(at.Covered)
	}

	e.uint(uint64(len(a.Evidence)))
	for _, ev := range a.Evidence {
		e.str(ev.Code)
		e.int(int64(ev.Severity))
		e.str(ev.Message)
	}

	x := &a.Explanation
	e.str(x.Meaning)
	e.uint(uint64(len(x.Signatures)))
	for _, s := range x.Signatures {
		e.str(s.Summary)
		e.strs(s.Details)
	}
	e.strs(x.Proven)
	e.strs(x.ARC)
	e.uint(uint64(len(x.Next)))
	for _, n := range x.Next {
		e.str(n.Code)
		e.str(n.Text)
	}

	e.err(a.Err)

	e.uint(uint64(len(a.Related)))
	for _, r := range a.Related {
		e.str(r.Kind)
		e.str(r.ID)
		e.str(r.File)
		e.int(int64(r.Entry))
		e.int(int64(r.Index))
		e.int(int64(r.Position))
	}

	if v := a.view; v == nil {
		e.bool(false)
	} else {
		e.bool(true)
		e.b = append(e.b, v.whole[:]...)
		for _, x := range v.elems {
			e.uint(uint64(x))
		}
		e.paragraphs(v.paras)
		e.paragraphs(v.quotes)
	}
	return e.b
}

func (e *spoolWriter) signature(s *SignatureResult) {
	e.int(int64(s.Type))
	e.int(int64(s.Index))
	e.str(s.Domain)
	e.str(s.Selector)
	e.str(s.Identity)
	e.str(s.Algorithm)
	e.str(s.Canonicalization)
	e.str(s.Version)
	e.bool(s.Draft)
	e.str(s.LookupName)
	e.int(int64(s.HeaderSignature))
	e.int(int64(s.BodyHash))
	e.int(int64(s.Result))
	e.err(s.Err)
	e.int(int64(s.KeyBits))
	e.str(s.KeySource)
	if k := s.Key; k == nil {
		e.bool(false)
	} else {
		e.bool(true)
		e.str(k.Domain)
		e.str(k.Selector)
		e.str(k.TXT)
		e.str(k.DNSError)
		e.time(k.FirstSeen)
		e.time(k.LastSeen)
		e.time(k.Seen)
		e.time(k.PrivateKeyPublished)
		e.str(k.Source)
		e.bool(k.Recovered)
		e.strs(k.RecoveredFrom)
	}
	e.strs(s.SignedHeaders)
	e.uint(uint64(len(s.Coverage)))
	for _, c := range s.Coverage {
		e.str(c.Name)
		e.int(int64(c.Count))
		e.uint(uint64(len(c.Signed)))
		for _, n := range c.Signed {
			e.int(int64(n))
		}
		e.bool(c.Oversigned)
	}
	e.int(s.BodyLength)
	e.int(s.UnsignedBodyBytes)
	e.time(s.Timestamp)
	e.bool(s.FutureTimestamp)
	e.time(s.Expires)
	e.str(s.B)
	e.bool(s.KeyMismatch)
	e.bool(s.Aligned)
}

// spoolWriter appends the binary form of a spooled assessment.
type spoolWriter struct{ b []byte }

func (e *spoolWriter) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *spoolWriter) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *spoolWriter) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *spoolWriter) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *spoolWriter) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// time writes t as gob does: nothing for the zero Time, else the bytes of
// MarshalBinary (instant, monotonic reading dropped, zone offset).
func (e *spoolWriter) time(t time.Time) {
	if t == (time.Time{}) {
		e.uint(0)
		return
	}
	b, err := t.MarshalBinary()
	if err != nil {
		// A zone offset that is not a whole minute: kept as the instant
		// in UTC, as no time this package makes has one.
		b, _ = t.UTC().MarshalBinary()
	}
	e.uint(uint64(len(b)))
	e.b = append(e.b, b...)
}

func (e *spoolWriter) paragraphs(ps []paragraph) {
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.b = binary.LittleEndian.AppendUint64(e.b, uint64(p))
	}
}

// err writes err as packErr keeps it.
func (e *spoolWriter) err(err error) { e.spoolErr(packErr(err)) }

func (e *spoolWriter) spoolErr(s *spoolErr) {
	if s == nil {
		e.bool(false)
		return
	}
	e.bool(true)
	e.bool(s.Set)
	e.str(s.Text)
	e.strs(s.Is)
	if p := s.Path; p == nil {
		e.bool(false)
	} else {
		e.bool(true)
		e.str(p.Path)
		e.int(int64(p.Index))
		e.int(p.Offset)
		e.str(p.Detail)
		e.spoolErr(p.Cause)
	}
	e.str(s.Unsupported)
}

// errSpoolRecord is what reading a damaged record of a Spool's file
// returns (wrapped); the file is the run's own, so it means the file was
// changed or cut under the run.
var errSpoolRecord = errors.New("a record of the temporary file is damaged")

// spoolReader reads what spoolWriter wrote; the first error sticks, and
// every read after it returns the zero value. The strings it returns are
// substrings of one copy of the record, s: one allocation a record, not
// one a string.
type spoolReader struct {
	b   []byte // what is left of the record
	s   string // the same bytes as b
	bad bool
}

// readAssessment decodes one assessment that appendAssessment wrote, all
// of b, as gob and restore give it back.
func readAssessment(b []byte) (*Assessment, error) {
	d := spoolReader{b: b, s: string(b)}
	a := &Assessment{}
	a.ID = d.str()
	a.File = d.str()
	a.Entry = int(d.int())
	a.Index = int(d.int())
	a.Offset = d.int()
	a.Size = d.int()
	a.SHA256 = d.str()
	a.Format = archive.Format(d.str())
	a.Separator = d.str()

	a.MessageID = d.str()
	a.From = d.str()
	a.FromAddress = d.str()
	a.Subject = d.str()
	a.To = d.str()
	a.Cc = d.str()
	a.InReplyTo = d.str()
	a.References = d.strs()
	a.Date = d.time()

	a.Verdict = Verdict(d.int())
	a.Confidence = Confidence(d.int())
	a.Summary = d.str()
	a.Signer = d.str()

	if n := d.countOf(27); n > 0 {
		a.Signatures = make([]SignatureResult, n)
		for i := range a.Signatures {
			d.signature(&a.Signatures[i])
		}
	}

	a.ARC.Chain = arc.ChainStatus(d.int())
	a.ARC.FailedInstance = int(d.int())
	a.ARC.Reason = d.str()
	if n := d.countOf(8); n > 0 {
		a.ARC.Instances = make([]ARCInstance, n)
		for i := range a.ARC.Instances {
			in := &a.ARC.Instances[i]
			in.Instance = int(d.int())
			in.Sealer = d.str()
			in.Selector = d.str()
			in.CV = d.str()
			in.Seal = dkim.Result(d.int())
			in.MessageSignature = dkim.Result(d.int())
			in.AuthenticationResults = d.str()
			in.Timestamp = d.time()
		}
	}

	if n := d.countOf(2); n > 0 {
		a.Coverage.Fields = make(map[string]FieldStatus, n)
		for range n {
			k := d.str()
			a.Coverage.Fields[k] = FieldStatus(d.int())
		}
	}
	a.Coverage.Body = BodyCoverage(d.int())
	if n := d.countOf(3); n > 0 {
		a.Coverage.Attachments = make([]Attachment, n)
		for i := range a.Coverage.Attachments {
			at := &a.Coverage.Attachments[i]
			at.Name = d.str()
			at.SHA256 = d.str()
			at.Covered = d.bool()
		}
	}

	if n := d.countOf(3); n > 0 {
		a.Evidence = make([]Evidence, n)
		for i := range a.Evidence {
			ev := &a.Evidence[i]
			ev.Code = d.str()
			ev.Severity = Severity(d.int())
			ev.Message = d.str()
		}
	}

	x := &a.Explanation
	x.Meaning = d.str()
	if n := d.countOf(2); n > 0 {
		x.Signatures = make([]SignatureAccount, n)
		for i := range x.Signatures {
			x.Signatures[i].Summary = d.str()
			x.Signatures[i].Details = d.strs()
		}
	}
	x.Proven = d.strs()
	x.ARC = d.strs()
	if n := d.countOf(2); n > 0 {
		x.Next = make([]NextStep, n)
		for i := range x.Next {
			x.Next[i].Code = d.str()
			x.Next[i].Text = d.str()
		}
	}

	a.Err = unpackErr(d.spoolErr(0))

	if n := d.countOf(6); n > 0 {
		a.Related = make([]Related, n)
		for i := range a.Related {
			r := &a.Related[i]
			r.Kind = d.str()
			r.ID = d.str()
			r.File = d.str()
			r.Entry = int(d.int())
			r.Index = int(d.int())
			r.Position = int(d.int())
		}
	}

	if d.bool() {
		v := &viewPrint{}
		copy(v.whole[:], d.take(len(v.whole)))
		for i := range v.elems {
			v.elems[i] = uint16(d.uint())
		}
		v.paras = d.paragraphs()
		v.quotes = d.paragraphs()
		a.view = v
	}
	if d.bad || len(d.b) > 0 {
		return nil, errSpoolRecord
	}
	normalize(a)
	return a, nil
}

func (d *spoolReader) signature(s *SignatureResult) {
	s.Type = dkim.SignatureType(d.int())
	s.Index = int(d.int())
	s.Domain = d.str()
	s.Selector = d.str()
	s.Identity = d.str()
	s.Algorithm = d.str()
	s.Canonicalization = d.str()
	s.Version = d.str()
	s.Draft = d.bool()
	s.LookupName = d.str()
	s.HeaderSignature = dkim.HeaderStatus(d.int())
	s.BodyHash = dkim.BodyStatus(d.int())
	s.Result = dkim.Result(d.int())
	s.Err = unpackErr(d.spoolErr(0))
	s.KeyBits = int(d.int())
	s.KeySource = d.str()
	if d.bool() {
		k := &dkim.KeyRecord{}
		k.Domain = d.str()
		k.Selector = d.str()
		k.TXT = d.str()
		k.DNSError = d.str()
		k.FirstSeen = d.time()
		k.LastSeen = d.time()
		k.Seen = d.time()
		k.PrivateKeyPublished = d.time()
		k.Source = d.str()
		k.Recovered = d.bool()
		k.RecoveredFrom = d.strs()
		s.Key = k
	}
	s.SignedHeaders = d.strs()
	if n := d.countOf(4); n > 0 {
		s.Coverage = make([]dkim.FieldCoverage, n)
		for i := range s.Coverage {
			c := &s.Coverage[i]
			c.Name = d.str()
			c.Count = int(d.int())
			if m := d.count(); m > 0 {
				c.Signed = make([]int, m)
				for j := range c.Signed {
					c.Signed[j] = int(d.int())
				}
			}
			c.Oversigned = d.bool()
		}
	}
	s.BodyLength = d.int()
	s.UnsignedBodyBytes = d.int()
	s.Timestamp = d.time()
	s.FutureTimestamp = d.bool()
	s.Expires = d.time()
	s.B = d.str()
	s.KeyMismatch = d.bool()
	s.Aligned = d.bool()
}

func (d *spoolReader) fail() { d.bad, d.b, d.s = true, nil, "" }

// skip moves past the next n bytes, which are there.
func (d *spoolReader) skip(n int) { d.b, d.s = d.b[n:], d.s[n:] }

func (d *spoolReader) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.skip(n)
	return v
}

func (d *spoolReader) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.skip(n)
	return v
}

func (d *spoolReader) bool() bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail()
		return false
	}
	v := d.b[0] == 1
	d.skip(1)
	return v
}

// take returns the next n bytes, nil (and a sticky error) when fewer are
// left.
func (d *spoolReader) take(n int) []byte {
	if n < 0 || n > len(d.b) {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.skip(n)
	return v
}

// count reads a length, which cannot exceed the bytes left (every element
// takes at least one).
func (d *spoolReader) count() int { return d.countOf(1) }

// countOf reads the length of a slice whose elements take at least size
// bytes each, so that a damaged length cannot make a large allocation.
func (d *spoolReader) countOf(size int) int {
	n := d.uint()
	if n > uint64(len(d.b)/size) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *spoolReader) str() string {
	n := d.count()
	if d.bad {
		return ""
	}
	v := d.s[:n]
	d.skip(n)
	return v
}

func (d *spoolReader) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *spoolReader) time() time.Time {
	b := d.take(d.count())
	if len(b) == 0 {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(b); err != nil {
		d.fail()
		return time.Time{}
	}
	return t
}

func (d *spoolReader) paragraphs() []paragraph {
	n := d.count()
	if n == 0 {
		return nil
	}
	b := d.take(8 * n)
	if b == nil {
		return nil
	}
	out := make([]paragraph, n)
	for i := range out {
		out[i] = paragraph(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// maxSpoolErrDepth bounds the nesting of archive.PathError causes read
// back, as a damaged file could claim any.
const maxSpoolErrDepth = 16

func (d *spoolReader) spoolErr(depth int) *spoolErr {
	if !d.bool() {
		return nil
	}
	if depth > maxSpoolErrDepth {
		d.fail()
		return nil
	}
	s := &spoolErr{Set: d.bool(), Text: d.str(), Is: d.strs()}
	if d.bool() {
		p := &spoolPathErr{Path: d.str(), Index: int(d.int()), Offset: d.int(), Detail: d.str()}
		p.Cause = d.spoolErr(depth + 1)
		s.Path = p
	}
	s.Unsupported = d.str()
	return s
}
