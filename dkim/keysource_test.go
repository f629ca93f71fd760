package dkim

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/internal/dkimcore"
)

// TestResultsMatchCore holds Result and HeaderStatus to the values of the
// key check's own lists, which Verify converts by value.
func TestResultsMatchCore(t *testing.T) {
	for _, tt := range []struct {
		core dkimcore.Result
		want Result
	}{
		{dkimcore.ResultNone, ResultNone}, {dkimcore.ResultPass, ResultPass}, {dkimcore.ResultFail, ResultFail},
		{dkimcore.ResultNoKey, ResultNoKey}, {dkimcore.ResultRevoked, ResultRevoked}, {dkimcore.ResultWeakKey, ResultWeakKey},
		{dkimcore.ResultTestingKey, ResultTestingKey}, {dkimcore.ResultPublishedKey, ResultPublishedKey},
		{dkimcore.ResultPermError, ResultPermError}, {dkimcore.ResultTempError, ResultTempError}, {dkimcore.ResultSkipped, ResultSkipped},
		{dkimcore.ResultRecoveredKey, ResultRecoveredKey},
	} {
		assert.Equal(t, tt.want, Result(tt.core), "Result(dkimcore %d) is %s", tt.core, tt.want)
	}
	assert.Equal(t, len(resultNames), int(dkimcore.ResultRecoveredKey)+1, "dkimcore lists every Result")
	for _, tt := range []struct {
		core dkimcore.HeaderStatus
		want HeaderStatus
	}{{dkimcore.HeaderUnchecked, HeaderUnchecked}, {dkimcore.HeaderValid, HeaderValid}, {dkimcore.HeaderInvalid, HeaderInvalid}} {
		assert.Equal(t, tt.want, HeaderStatus(tt.core), "HeaderStatus(dkimcore %d) is %s", tt.core, tt.want)
	}
}
