package arc

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/rawheader"
	"github.com/leakproof/leakproof/internal/testmail"
)

// fuzzSeeds are messages with ARC sets: generated chains (intact, broken,
// with a gap) and hand-made malformed headers; FuzzCollect adds
// testdata/arc/*.eml when present.
func fuzzSeeds(f *testing.F) {
	msg := testmail.Message{}.Bytes()
	one := testmail.MustSeal(msg, testmail.MustKey("rsa2048b"), nil)
	two := testmail.MustSeal(one, testmail.MustKey("rsa2048"), nil)
	for _, s := range [][]byte{
		msg, one, two, testmail.LF(two),
		testmail.MustSeal(one, testmail.MustKey("rsa2048"), &testmail.SealOptions{Instance: 3}),
		testmail.MustSeal(one, testmail.MustKey("rsa2048"), &testmail.SealOptions{Instance: 1}),
		[]byte("ARC-Seal: i=0; cv=none\r\n\r\n"),
		[]byte("ARC-Seal: i=51; cv=none\r\nARC-Authentication-Results: i = 51 ; x\r\n\r\n"),
		[]byte("ARC-Authentication-Results: i=1\r\nARC-Message-Signature: i=1;;\r\n\r\n"),
		[]byte("arc-seal : i=1; a=rsa-sha256; b=; cv=pass; d=x; s=y; h=from\r\n\r\n"),
	} {
		f.Add(s)
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "arc", "*.eml"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
}

// FuzzCollect checks the ARC header parsers (set collection, instance
// numbering, structure) and Verify without keys on arbitrary input.
func FuzzCollect(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		hdr, _ := rawheader.Split(toCRLF(msg), nil)
		c, err := collect(hdr.Fields)
		if err != nil {
			if c != nil {
				t.Fatalf("collect: collection %v with error %v", c, err)
			}
		} else {
			checkCollection(t, hdr, c)
		}

		r, err := Verify(t.Context(), msg, nil)
		if err != nil {
			t.Fatalf("Verify: error %v without a cancelled context", err)
		}
		switch r.Chain {
		case ChainNone:
			if r.Reason != "" || r.Err != nil || r.FailedInstance != 0 || len(r.Instances) != 0 {
				t.Fatalf("Verify: chain none with reason %q, err %v, failed %d, %d instances", r.Reason, r.Err, r.FailedInstance, len(r.Instances))
			}
			if c != nil && len(c.fields) > 0 {
				t.Fatalf("Verify: chain none but %d ARC fields", len(c.fields))
			}
		case ChainFail:
			if r.Reason == "" || r.Err == nil {
				t.Fatalf("Verify: failed chain without reason (%q, %v)", r.Reason, r.Err)
			}
		case ChainPass:
			t.Fatalf("Verify: chain passes without keys")
		}
		if r.FailedInstance < 0 || r.FailedInstance > MaxInstances {
			t.Fatalf("Verify: FailedInstance %d", r.FailedInstance)
		}
		for i, in := range r.Instances {
			if in.Instance < 1 || in.Instance > MaxInstances || (i > 0 && in.Instance <= r.Instances[i-1].Instance) {
				t.Fatalf("Verify: instances out of order or range: %d after %v", in.Instance, r.Instances[:i])
			}
			if in.Seal == dkim.ResultPass || in.MessageSignature == dkim.ResultPass {
				t.Fatalf("Verify: instance %d passes without keys", in.Instance)
			}
		}
	})
}

// checkCollection checks the invariants of a collection.
func checkCollection(t *testing.T, hdr *rawheader.Header, c *collection) {
	t.Helper()
	arcFields := 0
	for i := range hdr.Fields {
		if _, ok := fieldKind(&hdr.Fields[i]); ok {
			arcFields++
		}
	}
	if len(c.fields) != arcFields {
		t.Fatalf("collect: %d fields collected, %d ARC fields in the header", len(c.fields), arcFields)
	}
	if c.max < 0 || c.max > MaxInstances {
		t.Fatalf("collect: max instance %d", c.max)
	}
	inSets := 0
	for i := range c.sets {
		for k := range numKinds {
			for _, af := range c.sets[i][k] {
				inSets++
				if af.instance != i || af.kind != k || af.err != nil {
					t.Fatalf("collect: field of instance %d kind %v filed under %d/%v (err %v)", af.instance, af.kind, i, k, af.err)
				}
			}
		}
	}
	valid := 0
	for _, af := range c.fields {
		if af.err == nil {
			valid++
			if af.instance < 1 || af.instance > MaxInstances {
				t.Fatalf("collect: valid field with instance %d", af.instance)
			}
		} else if af.instance != 0 {
			t.Fatalf("collect: invalid field (%v) with instance %d", af.err, af.instance)
		}
	}
	if inSets != valid {
		t.Fatalf("collect: %d fields in sets, %d valid fields", inSets, valid)
	}
	if _, err := c.structure(); err == nil {
		for i := 1; i <= c.max; i++ {
			for k := range numKinds {
				if c.one(i, k) == nil {
					t.Fatalf("structure: nil error but instance %d lacks a single %v", i, k)
				}
			}
		}
	}
}

func TestInstanceNumber(t *testing.T) {
	for n := 1; n <= MaxInstances; n++ {
		for _, form := range []string{"i=%d; mx", " i = %d ;mx", "\r\n\ti=%d\r\n ; mx"} {
			v := fmt.Sprintf(form, n)
			got, err := aarInstance(v)
			assert.NoError(t, err, "aarInstance(%q)", v)
			assert.Equal(t, n, got, "aarInstance(%q)", v)
		}
	}
	for _, v := range []string{"", "i=", "i=0;", "i=51;", "i=1", "I=1;", "i=+1;", "i=1a;", "x=1; i=1;", "i=99999999999999999999;"} {
		_, err := aarInstance(v)
		assert.ErrorIs(t, err, ErrInstance, "aarInstance(%q)", v)
	}
}
