package mbox

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

var fuzzSeeds = []string{
	"",
	sep1 + "\nSubject: a\n\nbody\n\n" + sep2 + "\nSubject: b\n\n>From x\n>>From y\n",
	sep1 + "\r\nSubject: a\r\nContent-Length: 5\r\n\r\nabcde\r\n\r\n" + sep1 + "\r\nb",
	sep1 + "\r\r\nSubject: a\r\r\n\r\r\nbody\r\r\n\r\r\n" + sep2 + "\r\r\nSubject: b\r\r\n\r\r\nx\r\r\n",
	sep1 + "\nContent-Length: 40\n\nx\n\n" + sep1 + "\nFrom a@b Mon Jan  1 00:00:00 2018\n",
	"\n\n" + sep1 + "\nContent-Length: 2\nContent-Length: 3\n\nab\n",
	"Subject: not mbox\n",
	sep1,
}

// FuzzReader checks that reading never panics, that messages are in order
// and within the input, and that their bytes and separators never add up to
// more than the input.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), 0)
		f.Add([]byte(s), 2)
	}
	for _, in := range goldenCases() {
		f.Add(in, 1)
	}
	f.Fuzz(func(t *testing.T, in []byte, bodyReads int) {
		// A buffer barely larger than the Content-Length look-ahead needs, fed
		// in small chunks, reaches every buffer boundary case.
		rd := NewReader(&chunkReader{in: in, n: 1 + (bodyReads&0xff)%7}, &Options{MaxLineLength: 64})
		rd.buf = make([]byte, 2*MaxSeparatorLength+16)
		var total, last int64 = 0, -1
		var prev *Message
		for m, err := range rd.All() {
			if err != nil {
				if m != nil {
					t.Fatalf("an error pair carries a message: %v", err)
				}
				return
			}
			if m.Offset <= last {
				t.Fatalf("message %d: Offset %d not after the previous %d", m.Index, m.Offset, last)
			}
			last = m.Offset
			if prev != nil && prev.Offset+prev.Size+int64(len(m.Separator)) > m.Offset {
				t.Fatalf("message %d (%d bytes at %d) and the next separator overlap message %d at %d",
					prev.Index, prev.Size, prev.Offset, m.Index, m.Offset)
			}
			var b []byte
			if bodyReads%2 == 0 { // sometimes leave the body for Next to skip
				b, err = io.ReadAll(m.Body)
				if err != nil {
					t.Fatalf("message %d: Body: %v", m.Index, err)
				}
				if int64(len(b)) != m.Size {
					t.Fatalf("message %d: Size %d, Body gave %d bytes", m.Index, m.Size, len(b))
				}
				if m.Offset+m.Size > int64(len(in)) || !bytes.Equal(b, in[m.Offset:m.Offset+m.Size]) {
					t.Fatalf("message %d: Body is not the input at Offset", m.Index)
				}
			}
			bodyReads++
			if m.Offset < total+int64(len(m.Separator)) {
				t.Fatalf("message %d: Offset %d leaves no room for its separator after %d bytes", m.Index, m.Offset, total)
			}
			total = m.Offset
			prev = m
		}
		if prev != nil {
			// Size is final once the reader moved on.
			if end := prev.Offset + prev.Size; end > int64(len(in)) {
				t.Fatalf("the last message ends at %d, past the input's %d bytes", end, len(in))
			}
		}
	})
}

// FuzzViews checks that no view is longer than the stored bytes, that the
// format's own rule comes first, and that views differ only in '>' bytes.
func FuzzViews(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), "mbox")
		f.Add([]byte(s), "mboxcl2")
	}
	f.Add([]byte(">From a\n>>From b\r\n>>>From c"), "mboxrd")
	f.Fuzz(func(t *testing.T, raw []byte, format string) {
		views := Views(raw, Format(format))
		if len(views) == 0 {
			t.Fatal("no views")
		}
		if own := OwnView(raw, Format(format)); own.Format != views[0].Format || !bytes.Equal(own.Data, views[0].Data) {
			t.Fatalf("OwnView gives %s %q, Views %s %q first", own.Format, own.Data, views[0].Format, views[0].Data)
		}
		for _, f := range []Format{FormatMboxrd, FormatMboxo, FormatMboxcl2} {
			if got, want := string(must(unescape(raw, f))), string(naiveUnescape(raw, f)); got != want {
				t.Fatalf("unescape(%q, %s) = %q, reference %q", raw, f, got, want)
			}
		}
		own := Format(format)
		if own == FormatMbox {
			own = FormatMboxrd
		}
		if views[0].Format != own {
			t.Fatalf("first view is %s, want %s", views[0].Format, own)
		}
		for i, v := range views {
			if len(v.Data) > len(raw) {
				t.Fatalf("view %d (%s) has %d bytes, more than the %d stored", i, v.Format, len(v.Data), len(raw))
			}
			if !bytes.Equal(bytes.ReplaceAll(v.Data, []byte(">"), nil), bytes.ReplaceAll(raw, []byte(">"), nil)) {
				t.Fatalf("view %d (%s) changed more than '>' bytes", i, v.Format)
			}
			for j := range i {
				if bytes.Equal(views[j].Data, v.Data) {
					t.Fatalf("views %d and %d are identical", j, i)
				}
			}
		}
	})
}

// chunkReader yields in, n bytes at a time.
type chunkReader struct {
	in []byte
	n  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.in)
	c.in = c.in[k:]
	return k, nil
}

// summary lists what a reading found, and whether a Content-Length was too
// far ahead to check (which makes the framing depend on the buffer).
func summary(t *testing.T, rd *Reader) (out []string, farAhead bool) {
	for m, err := range rd.All() {
		if err != nil {
			out = append(out, "error "+err.Error())
			break
		}
		if _, err := io.Copy(io.Discard, m.Body); err != nil {
			t.Fatalf("message %d: Body: %v", m.Index, err)
		}
		for _, n := range m.Notes {
			farAhead = farAhead || bytes.Contains([]byte(n), []byte("too far ahead"))
		}
		out = append(out, fmt.Sprintf("%d %d %d %s %q", m.Index, m.Offset, m.Size, m.Format, m.Separator))
	}
	return out, farAhead
}

// FuzzReaderBuffer checks that the buffer size and the read sizes never
// change what is read, unless a Content-Length reaches past the look-ahead.
func FuzzReaderBuffer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), 3)
	}
	for _, in := range goldenCases() {
		f.Add(in, 5)
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk int) {
		big, far1 := summary(t, NewReader(bytes.NewReader(in), nil))
		rd := NewReader(&chunkReader{in: in, n: 1 + (chunk&0xff)%13}, nil)
		rd.buf = make([]byte, 2*MaxSeparatorLength+16)
		small, far2 := summary(t, rd)
		if far1 || far2 {
			return
		}
		if fmt.Sprint(big) != fmt.Sprint(small) {
			t.Fatalf("a small buffer read\n%q\nwhere a large one read\n%q", small, big)
		}
	})
}

func must(b []byte, _ bool) []byte { return b }
