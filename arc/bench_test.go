package arc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
)

// BenchmarkVerify checks an intact three-instance chain (two RSA-2048
// keys and one Ed25519 key).
func BenchmarkVerify(b *testing.B) {
	msg := chain(nil, nil, nil)
	opts := &dkim.Options{Keys: testKeys()}
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if r, err := arc.Verify(b.Context(), msg, opts); err != nil || r.Chain != arc.ChainPass {
			b.Fatalf("Verify: %v, %v", r, err)
		}
	}
}

// BenchmarkVerifyHostile checks 50 sets with 80 KB of
// ARC-Authentication-Results each (4 MB of header): every seal hashes the
// sets below it.
func BenchmarkVerifyHostile(b *testing.B) {
	var sb strings.Builder
	pad := strings.Repeat("x ", 40000)
	for i := arc.MaxInstances; i >= 1; i-- {
		fmt.Fprintf(&sb, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=example.org; s=s2048b; b=AAAA\r\n", i)
		fmt.Fprintf(&sb, "ARC-Message-Signature: i=%d; a=rsa-sha256; d=example.org; s=s2048b; h=from; bh=AAAA; b=AAAA\r\n", i)
		fmt.Fprintf(&sb, "ARC-Authentication-Results: i=%d; mx.example.org; %s\r\n", i, pad)
	}
	sb.WriteString("From: a@example.com\r\n\r\nbody\r\n")
	msg := []byte(sb.String())
	opts := &dkim.Options{Keys: testKeys()}
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if r, err := arc.Verify(b.Context(), msg, opts); err != nil || r.Chain != arc.ChainFail {
			b.Fatalf("Verify: %v, %v", r, err)
		}
	}
}
