package base64x

import (
	"bytes"
	"encoding/base64"
	"fmt"
	mathrand "math/rand/v2"
	"testing"
)

// check compares Decode with base64.StdEncoding.Decode on src: the same
// count, an error for the same inputs, the same bytes, and nothing written
// past the room DecodedLen asks for (canary bytes follow dst).
func check(t *testing.T, src []byte, dstOff int) {
	t.Helper()
	want := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	wn, werr := base64.StdEncoding.Decode(want, src)
	buf := bytes.Repeat([]byte{0xa5}, dstOff+len(want)+64)
	dst := buf[dstOff : dstOff+len(want)]
	n, err := Decode(dst, src)
	if n != wn || (err == nil) != (werr == nil) {
		t.Fatalf("Decode(%q) = %d, %v; encoding/base64 gives %d, %v", src, n, err, wn, werr)
	}
	if !bytes.Equal(dst[:n], want[:wn]) {
		t.Fatalf("Decode(%q) = %x, encoding/base64 gives %x", src, dst[:n], want[:wn])
	}
	for i, b := range buf[dstOff+len(want):] {
		if b != 0xa5 {
			t.Fatalf("Decode(%q) wrote byte %d past the %d bytes of dst", src, i, len(dst))
		}
	}
}

// TestDecodeLengths decodes random bytes of every length up to 400 (up to
// a dozen 32-character blocks and every tail), with src and dst at every
// alignment within 32 bytes.
func TestDecodeLengths(t *testing.T) {
	r := mathrand.New(mathrand.NewChaCha8([32]byte{1}))
	for size := range 401 {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for off := range 32 {
			src := append(bytes.Repeat([]byte{'A'}, off), enc...)[off:]
			check(t, src, off)
		}
	}
}

// TestDecodeEveryByte puts each of the 256 byte values at each place of a
// 100-character text (three blocks and a tail): the vector check must
// take exactly the alphabet, and leave every other byte (padding, line
// endings, spaces, bytes over 0x7f) to encoding/base64.
func TestDecodeEveryByte(t *testing.T) {
	data := make([]byte, 75)
	for i := range data {
		data[i] = byte(i * 37)
	}
	enc := []byte(base64.StdEncoding.EncodeToString(data))
	src := make([]byte, len(enc))
	for at := range enc {
		for b := range 256 {
			copy(src, enc)
			src[at] = byte(b)
			check(t, src, 0)
		}
	}
}

// TestDecodeAlphabet decodes every character of the alphabet in every
// place of a group and of a block.
func TestDecodeAlphabet(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for shift := range 64 {
		src := make([]byte, 64)
		for i := range src {
			src[i] = alphabet[(i+shift)%64]
		}
		check(t, src, 0)
	}
}

// TestDecodeShortDst: a dst with less room than DecodedLen asks for is
// left to encoding/base64 where the vector loop would store past it, and
// so decodes the same as long as the decoded bytes fit.
func TestDecodeShortDst(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 30)
	enc := []byte(base64.StdEncoding.EncodeToString(data)) // 400 characters, no padding
	for room := len(data) - 16; room <= len(data); room++ {
		dst := make([]byte, room, room+64)
		if room < len(data) {
			// encoding/base64 would panic writing past dst: decode a
			// prefix that fits instead.
			n := room / 3 * 4
			got, err := Decode(dst, enc[:n])
			if err != nil || got != n/4*3 || !bytes.Equal(dst[:got], data[:got]) {
				t.Fatalf("room %d, %d characters: %d, %v", room, n, got, err)
			}
			if tail := dst[len(dst):cap(dst)]; !bytes.Equal(tail, make([]byte, len(tail))) {
				t.Fatalf("room %d: written past len(dst)", room)
			}
			continue
		}
		check(t, enc, 0)
	}
}

// TestDecodeBothPaths runs the tests above on encoding/base64's path
// alone too, where the CPU has the vector one.
func TestDecodeBothPaths(t *testing.T) {
	if !useAVX2 {
		t.Skip("the vector path is not used here; the tests above ran encoding/base64's")
	}
	useAVX2 = false
	defer func() { useAVX2 = true }()
	TestDecodeLengths(t)
	TestDecodeAlphabet(t)
}

// FuzzDecode compares Decode with encoding/base64 on any text, and on the
// base64 of any bytes with its line breaks and padding, at any alignment.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w"), uint8(0))
	f.Add([]byte("QUJD\r\nREVG==\n"), uint8(3))
	f.Add(bytes.Repeat([]byte("/+9z"), 40), uint8(31))
	f.Fuzz(func(t *testing.T, src []byte, off uint8) {
		check(t, src, int(off%32))
		enc := []byte(base64.StdEncoding.EncodeToString(src))
		check(t, enc, int(off%32))
		if len(enc) > 40 {
			// A line ending where a block would end.
			at := int(off) % len(enc)
			check(t, append(append(enc[:at:at], '\r', '\n'), enc[at:]...), 0)
		}
	})
}

func ExampleDecode() {
	src := []byte("TGVha2VkIG1haWwsIGRlY29kZWQgYXMgYmFzZTY0IGRlY29kZXMgaXQu")
	dst := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := Decode(dst, src)
	fmt.Printf("%q %v\n", dst[:n], err)
	// Output: "Leaked mail, decoded as base64 decodes it." <nil>
}

func BenchmarkDecode(b *testing.B) {
	data := make([]byte, 48<<10)
	for i := range data {
		data[i] = byte(i * 131)
	}
	src := []byte(base64.StdEncoding.EncodeToString(data))
	dst := make([]byte, len(data))
	for _, c := range []struct {
		name   string
		decode func(dst, src []byte) (int, error)
	}{
		{"base64x", Decode},
		{"encoding-base64", base64.StdEncoding.Decode},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := c.decode(dst, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
