package dkim_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

// BenchmarkVerify verifies a 2048-bit rsa-sha256 relaxed/relaxed message.
func BenchmarkVerify(b *testing.B) {
	rsa := testmail.MustKey("rsa2048")
	msg := sign(b, testmail.Message{Body: strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 80)}.Bytes(), "rsa2048", nil)
	opts := keysOf(record(rsa, ""))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		v, err := dkim.Verify(b.Context(), bytes.NewReader(msg), opts)
		if err != nil || v.Signatures[0].Result != dkim.ResultPass {
			b.Fatalf("Verify: %v %v", err, v.Signatures[0].Err)
		}
	}
}
