package arc

import (
	"strings"

	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/rawheader"
)

// kind is the kind of an ARC header field.
type kind int

const (
	kindAAR kind = iota // ARC-Authentication-Results
	kindAMS             // ARC-Message-Signature
	kindAS              // ARC-Seal
	numKinds
)

var kindNames = [numKinds]string{"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"}

func (k kind) String() string { return kindNames[k] }

// fieldKind returns the kind of f, or false when f is not an ARC field.
func fieldKind(f *rawheader.Field) (kind, bool) {
	for k := range numKinds {
		if f.NameEqualFold(kindNames[k]) {
			return k, true
		}
	}
	return 0, false
}

// An arcField is one ARC header field, with its instance when it has a
// readable one.
type arcField struct {
	kind     kind
	field    *rawheader.Field
	index    int            // position of field in the header
	instance int            // 1..50; 0 when err is set
	tags     []dkimcore.Tag // the parsed tag list (ARC-Seal and ARC-Message-Signature)
	tagErr   error          // why the tag list did not parse; the instance may still be known
	err      error          // why the instance is unknown or invalid
	relaxed  []byte         // relaxed canonical form, once computed (seals)
}

// A set holds the fields of one instance, by kind.
type set [numKinds][]*arcField

// collection is the ARC fields of a message, in header order, and by
// instance.
type collection struct {
	fields []*arcField
	sets   [MaxInstances + 1]set // sets[i] for instance i; sets[0] unused
	max    int                   // highest valid instance seen
}

// collect reads the ARC fields of a header. Its only error is
// ErrTooManySets, given before any field is parsed when the header holds
// more ARC fields than 50 complete sets would.
func collect(fields []rawheader.Field) (*collection, error) {
	c := &collection{}
	n := 0
	for i := range fields {
		if _, ok := fieldKind(&fields[i]); ok {
			n++
		}
	}
	if n > int(numKinds)*MaxInstances {
		return nil, errf(ErrTooManySets, nil, "the header has %d ARC fields", n)
	}
	c.fields = make([]*arcField, 0, n)
	for i := range fields {
		k, ok := fieldKind(&fields[i])
		if !ok {
			continue
		}
		af := &arcField{kind: k, field: &fields[i], index: i}
		c.fields = append(c.fields, af)
		var inst int
		if k == kindAAR {
			inst, af.err = aarInstance(string(fields[i].Value()))
		} else {
			inst, af.tags, af.tagErr, af.err = tagInstance(string(fields[i].Value()))
		}
		if af.err != nil {
			af.err = errf(nil, af.err, "%v at byte %d", k, fields[i].Offset)
			continue
		}
		af.instance = inst
		c.sets[inst][k] = append(c.sets[inst][k], af)
		c.max = max(c.max, inst)
	}
	return c, nil
}

// structure checks RFC 8617 §5.2 step 1 (and the instance rules of §4.2.1):
// every ARC field has a valid instance, and every instance 1..N has exactly
// one field of each kind. It returns the first instance at fault (0 when
// none can be named) and the error.
func (c *collection) structure() (int, error) {
	for _, af := range c.fields {
		if af.err != nil {
			return 0, af.err
		}
	}
	for i := 1; i <= c.max; i++ {
		if inst, err := c.setError(i); err != nil {
			return inst, err
		}
	}
	return 0, nil
}

// setError checks that instance i has exactly one field of each kind.
func (c *collection) setError(i int) (int, error) {
	if len(c.sets[i][kindAAR])+len(c.sets[i][kindAMS])+len(c.sets[i][kindAS]) == 0 {
		return i, errf(ErrMissing, nil, "instance %d is missing: the numbering has a gap", i)
	}
	for k := range numKinds {
		switch n := len(c.sets[i][k]); {
		case n == 0:
			return i, errf(ErrMissing, nil, "instance %d has no %v", i, k)
		case n > 1:
			return i, errf(ErrDuplicate, nil, "instance %d has %d %v fields", i, n, k)
		}
	}
	return 0, nil
}

// complete reports whether instances 1..i each have exactly one field of
// each kind, so that the seal of instance i can be computed.
func (c *collection) complete(i int) bool {
	for j := 1; j <= i; j++ {
		if _, err := c.setError(j); err != nil {
			return false
		}
	}
	return true
}

// one returns the field of kind k of instance i when there is exactly one.
func (c *collection) one(i int, k kind) *arcField {
	if i < 1 || i > MaxInstances || len(c.sets[i][k]) != 1 {
		return nil
	}
	return c.sets[i][k][0]
}

// instances returns the bare per-instance report (tags only, no
// cryptography) for every instance number seen.
func (c *collection) instances() []Instance {
	out := []Instance{}
	for i := 1; i <= c.max; i++ {
		s := &c.sets[i]
		if len(s[kindAAR]) == 0 && len(s[kindAMS]) == 0 && len(s[kindAS]) == 0 {
			continue
		}
		in := Instance{Instance: i}
		if af := c.one(i, kindAAR); af != nil {
			in.AuthenticationResults = strings.TrimSpace(string(af.field.Value()))
		}
		if af := c.one(i, kindAS); af != nil {
			in.Sealer = tagValue(af.tags, "d")
			in.Selector = tagValue(af.tags, "s")
			in.CV = strings.ToLower(tagValue(af.tags, "cv"))
		}
		if af := c.one(i, kindAMS); af != nil {
			in.Domain = tagValue(af.tags, "d")
		}
		out = append(out, in)
	}
	return out
}

func tagValue(tags []dkimcore.Tag, name string) string {
	for _, t := range tags {
		if t.Name == name {
			return t.Value
		}
	}
	return ""
}

// aarInstance reads the instance that starts an ARC-Authentication-Results
// value. RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload,
// instance = [CFWS] %s"i" [CFWS] "=" [CFWS] 1*2DIGIT.
func aarInstance(v string) (int, error) {
	s := trimFWS(v)
	if !strings.HasPrefix(s, "i") {
		return 0, errf(ErrInstance, nil, "value does not start with i=")
	}
	s = trimFWS(s[1:])
	if !strings.HasPrefix(s, "=") {
		return 0, errf(ErrInstance, nil, "value does not start with i=")
	}
	s = trimFWS(s[1:])
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	inst, err := instanceNumber(s[:end])
	if err != nil {
		return 0, err
	}
	if rest := trimFWS(s[end:]); !strings.HasPrefix(rest, ";") {
		return 0, errf(ErrInstance, nil, "no ';' after i=%d", inst)
	}
	return inst, nil
}

// tagInstance parses the tag list of an ARC-Seal or ARC-Message-Signature
// and reads its i=. A tag list that does not parse leaves the instance
// unknown unless a plain "i=N" can still be read, so that the report can
// name the set.
func tagInstance(v string) (inst int, tags []dkimcore.Tag, tagErr, err error) {
	tags, tagErr = dkimcore.ParseTagList(v)
	if tagErr == nil {
		tagErr = emptySpec(v)
	}
	if tagErr != nil {
		return 0, nil, tagErr, errf(ErrMalformed, tagErr, "")
	}
	n := 0
	var iv string
	for _, t := range tags {
		if t.Name == "i" {
			n++
			iv = t.Value
		}
	}
	if n == 0 {
		return 0, tags, nil, errf(ErrInstance, nil, "no i= tag")
	}
	inst, err = instanceNumber(iv)
	return inst, tags, nil, err
}

// emptySpec reports an empty tag-spec (";;") before the end of a tag list.
// dkimcore.ParseTagList accepts them, as Mail::DKIM does for DKIM-Signature;
// the ABNF of RFC 6376 §3.2 (tag-spec *(";" tag-spec) [";"]) does not, and
// the ARC test suite (as_format_tags_sc) expects a chain with one to fail.
func emptySpec(v string) error {
	specs := strings.Split(v, ";")
	for _, spec := range specs[:len(specs)-1] {
		if strings.Trim(spec, " \t\r\n") == "" {
			return errf(dkimcore.ErrMalformedTags, nil, "empty tag-spec")
		}
	}
	return nil
}

// instanceNumber parses an i= value: decimal digits, 1 to 50
// (RFC 8617 §4.2.1).
func instanceNumber(s string) (int, error) {
	if s == "" {
		return 0, errf(ErrInstance, nil, "empty i=")
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errf(ErrInstance, nil, "i=%.20q is not a number", s)
		}
		if n <= MaxInstances {
			n = n*10 + int(c-'0')
		}
	}
	if n < 1 || n > MaxInstances {
		return 0, errf(ErrInstance, nil, "i=%.20s is outside 1..%d", s, MaxInstances)
	}
	return n, nil
}

// trimFWS removes leading folding whitespace.
func trimFWS(s string) string {
	return strings.TrimLeft(s, " \t\r\n")
}
