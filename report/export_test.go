package report

import "github.com/leakproof/leakproof/provenance"

// NewJSONRecord is the JSON contract as a struct, which encoding/json
// marshals: the oracle the append-based encoder is held to.
func NewJSONRecord(a *provenance.Assessment) any { return newRecord(a) }
