package provenance

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
)

func TestCheckErrors(t *testing.T) {
	c := NewChecker(nil)
	a := c.Check(t.Context(), nil)
	require.NotNil(t, a, "Check(nil) returns an assessment")
	assert.ErrorIs(t, a.Err, ErrNilMessage, "Check(nil).Err")

	damaged := errors.New("archive: truncated")
	a = c.Check(t.Context(), &archive.Message{File: "x.mbox", Index: 3, Offset: 10, Err: damaged})
	assert.ErrorIs(t, a.Err, damaged, "the archive error is kept")
	assert.Equal(t, VerdictNone, a.Verdict, "an unreadable message has no verdict")
	assert.Equal(t, "x.mbox", a.File, "chain of custody is kept")
	assert.Equal(t, 3, a.Index, "index is kept")
	assert.Equal(t, arc.ChainNone, a.ARC.Chain, "the arc object is complete even on an error")
	assert.NotNil(t, a.ARC.Instances, "arc instances are empty, not nil")
	assert.NotNil(t, a.Signatures, "signatures are empty, not nil")
	assert.NotNil(t, a.Evidence, "evidence is empty, not nil")
	assert.NotNil(t, a.Coverage.Attachments, "attachments are empty, not nil")
	assert.Len(t, a.Coverage.Fields, len(DisplayedFields), "coverage.fields is complete")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	a = c.Check(ctx, &archive.Message{File: "x.eml", Index: 1, Format: "eml", Raw: []byte(plainMsg)})
	assert.ErrorIs(t, a.Err, context.Canceled, "a cancelled check is an error record")
	assert.Equal(t, VerdictNone, a.Verdict, "a cancelled check has no verdict")
}

func TestNewCheckerCopiesOptions(t *testing.T) {
	opts := &Options{TrustedSealers: []string{"Sealer.Example."}, Workers: 3}
	c := NewChecker(opts)
	opts.TrustedSealers[0] = "other.example"
	opts.Workers = 9
	assert.True(t, c.policy.trusted["sealer.example"], "sealers are normalized and copied")
	assert.False(t, c.policy.trusted["other.example"], "later changes to the options do not leak in")
	assert.Equal(t, 3, c.workers(), "Workers is copied")
	assert.Positive(t, NewChecker(nil).workers(), "nil options: GOMAXPROCS workers")
}
