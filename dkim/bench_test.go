package dkim_test

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/dkimcore"
	"github.com/leakproof/leakproof/internal/testmail"
)

// benchBody returns about size bytes of ordinary text, 70-odd bytes a line.
func benchBody(size int) string {
	line := "The figures for the quarter are attached; revenue is up 4% on last year.\n"
	return strings.Repeat(line, size/len(line)+1)[:size]
}

// benchMessage signs a message with a body of about size bytes.
func benchMessage(b *testing.B, size int, canon string) []byte {
	return sign(b, testmail.Message{Body: benchBody(size)}.Bytes(), "rsa2048", &testmail.SignOptions{Canonicalization: canon})
}

var benchSizes = []struct {
	name string
	size int
}{{"4KB", 4 << 10}, {"1MB", 1 << 20}}

var benchCanons = []string{"relaxed/relaxed", "simple/simple"}

// BenchmarkVerify verifies 2048-bit rsa-sha256 messages of 4 KB and 1 MB,
// relaxed and simple. BenchmarkSHA256 hashes the same bytes, the floor;
// BenchmarkMsgauthVerify (differential_test.go, -tags msgauth) is
// go-msgauth on the same messages.
func BenchmarkVerify(b *testing.B) {
	rsa := testmail.MustKey("rsa2048")
	opts := keysOf(record(rsa, ""))
	for _, sz := range benchSizes {
		for _, canon := range benchCanons {
			b.Run(fmt.Sprintf("%s/%s", sz.name, strings.ReplaceAll(canon, "/", "-")), func(b *testing.B) {
				msg := benchMessage(b, sz.size, canon)
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				for b.Loop() {
					v, err := dkim.Verify(b.Context(), bytes.NewReader(msg), opts)
					if err != nil || v.Signatures[0].Result != dkim.ResultPass {
						b.Fatalf("Verify: %v %v", err, v.Signatures[0].Err)
					}
				}
			})
		}
	}
}

// BenchmarkSHA256 is raw SHA-256 over messages of the BenchmarkVerify sizes.
func BenchmarkSHA256(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			msg := []byte(benchBody(sz.size))
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				sha256.Sum256(msg)
			}
		})
	}
}

// BenchmarkBodyHasher is body canonicalization and hashing alone.
func BenchmarkBodyHasher(b *testing.B) {
	for _, sz := range benchSizes {
		for _, c := range []dkimcore.Canonicalization{dkimcore.Relaxed, dkimcore.Simple} {
			b.Run(fmt.Sprintf("%s/%v", sz.name, c), func(b *testing.B) {
				body := []byte(strings.ReplaceAll(benchBody(sz.size), "\n", "\r\n"))
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					h := dkimcore.NewBodyHasher(crypto.SHA256, c, -1)
					h.Write(body)
					h.Sum()
				}
			})
		}
	}
}
