package mbox

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// mixedMbox returns an mbox of about size bytes whose messages are sized as
// in a leak: 87% of 2 to 20 KB, 12% of 50 to 200 KB, 1% of 1 to 2 MB, with
// eol line endings, a few escaped "From " lines, and LF blank lines between
// messages (as mbox writers put them even in CRLF files).
func mixedMbox(size int, eol string) []byte {
	line := "The figures for the quarter are attached; revenue is up 4% on last year." + eol
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		n := 2<<10 + (i*7919)%(18<<10)
		switch {
		case i%100 == 99:
			n = 1<<20 + (i*7919)%(1<<20)
		case i%100 >= 87:
			n = 50<<10 + (i*7919)%(150<<10)
		}
		b.WriteString(sep1 + "\n")
		b.WriteString("From: alice@example.com" + eol + "Subject: minutes " + strconv.Itoa(i) + eol + eol)
		if i%10 == 0 {
			b.WriteString(">From the board" + eol)
		}
		b.WriteString(strings.Repeat(line, n/len(line)+1))
		b.WriteString("\n")
	}
	return b.Bytes()
}

// BenchmarkReader reads a 64 MB mbox of mixed message sizes: each message
// whole, either through Body into a reused buffer and then an exact-size
// copy (what a caller that keeps messages had to do), or as one slice of
// the Reader's buffer with Message.Bytes, given back with Release or not;
// or skipping every message.
func BenchmarkReader(b *testing.B) {
	for _, eol := range []string{"\n", "\r\n"} {
		in := mixedMbox(64<<20, eol)
		name := map[string]string{"\n": "LF", "\r\n": "CRLF"}[eol]
		b.Run(name+"/Body", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var scratch bytes.Buffer
			for b.Loop() {
				rd := NewReader(bytes.NewReader(in), nil)
				for m, err := range rd.All() {
					if err != nil {
						b.Fatal(err)
					}
					scratch.Reset()
					if _, err := scratch.ReadFrom(m.Body); err != nil {
						b.Fatal(err)
					}
					_ = bytes.Clone(scratch.Bytes())
				}
			}
		})
		b.Run(name+"/Bytes", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				rd := NewReader(bytes.NewReader(in), nil)
				for m, err := range rd.All() {
					if err != nil {
						b.Fatal(err)
					}
					if _, err := m.Bytes(1 << 30); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(name+"/Release", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				rd := NewReader(bytes.NewReader(in), nil)
				for m, err := range rd.All() {
					if err != nil {
						b.Fatal(err)
					}
					if _, err := m.Bytes(1 << 30); err != nil {
						b.Fatal(err)
					}
					m.Release()
				}
			}
		})
		b.Run(name+"/Skip", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				rd := NewReader(bytes.NewReader(in), nil)
				for _, err := range rd.All() {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
