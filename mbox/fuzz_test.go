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
	UTF8BOM + sep1 + "\r\n" + UTF8BOM + "Subject: a\r\n\r\nx\r\n\r\n" + UTF8BOM + sep2 + "\r\nSubject: b\r\n\r\ny",
	sep1 + "\nContent-Length: 60\n\nx\n\n" + sep2 + "\nSubject: hidden\n\nh\n\n" + sep1 + "\nSubject: c\n",
	sep1 + "\nSubject: a\n\nno newline\nFrom a at b Mon Jan 01 00:00:00 GMT+01:00 2018\nSubject: b\n\nb\n",
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
		var held []heldBytes
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
			if m.BOM && !bytes.Contains(in[max(0, m.Offset-int64(len(m.Separator))-6):m.Offset], []byte(UTF8BOM+m.Separator)) {
				t.Fatalf("message %d: BOM is set, but no byte-order mark precedes its separator line", m.Index)
			}
			if prev != nil && prev.Offset+prev.Size+int64(len(m.Separator)) > m.Offset {
				t.Fatalf("message %d (%d bytes at %d) and the next separator overlap message %d at %d",
					prev.Index, prev.Size, prev.Offset, m.Index, m.Offset)
			}
			var b []byte
			if bodyReads%2 == 0 { // sometimes leave the body for Next to skip
				switch bodyReads % 6 {
				case 0, 4:
					b, err = io.ReadAll(m.Body)
				case 2:
					b, err = m.Bytes(len(in) + 1)
					held = append(held, heldBytes{m.Index, b, bytes.Clone(b)})
				default: // read, then given back for later messages
					b, err = m.Bytes(len(in) + 1)
					b = bytes.Clone(b)
					defer m.Release()
				}
				if err != nil {
					t.Fatalf("message %d: Body: %v", m.Index, err)
				}
				checkLines(t, m, b)
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
		for _, h := range held {
			if !bytes.Equal(h.got, h.want) {
				t.Fatalf("message %d: the slice Bytes returned was written over later", h.index)
			}
		}
		if prev != nil {
			// Size is final once the reader moved on.
			if end := prev.Offset + prev.Size; end > int64(len(in)) {
				t.Fatalf("the last message ends at %d, past the input's %d bytes", end, len(in))
			}
		}
	})
}

// heldBytes is a slice Bytes returned, and a copy of what it held then.
type heldBytes struct {
	index     int
	got, want []byte
}

// checkLines checks m.Lines against the message's bytes b, read whole.
func checkLines(t *testing.T, m *Message, b []byte) {
	t.Helper()
	trailer := 0
	if bytes.HasSuffix(b, []byte("\n")) {
		last := b[bytes.LastIndexByte(b[:len(b)-1], '\n')+1:]
		if s := string(last); s == "\n" || s == "\r\n" || s == "\r\r\n" {
			trailer = len(last)
		}
	}
	bare := false
	for i, c := range b[:len(b)-trailer] {
		bare = bare || c == '\n' && (i == 0 || b[i-1] != '\r')
	}
	want := Lines{Trailer: trailer, BareLF: bare, Escaped: HasEscapedLine(b)}
	if m.Lines.Escaped && !want.Escaped && bytes.Contains(b, bytes.Repeat([]byte(">"), 250)) {
		want.Escaped = true // the Reader looks at the first 256 bytes of a line
	}
	if m.Lines != want {
		t.Fatalf("message %d: Lines %+v, want %+v", m.Index, m.Lines, want)
	}
}

// FuzzViews checks that no view is longer than the stored bytes, that the
// format's own rule comes first, that views differ only in '>' bytes, that
// bytes without a line HasEscapedLine finds have one view, and that the
// rules that unescape only one level (mboxo, mboxcl) are idempotent.
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
		if !HasEscapedLine(raw) && len(views) != 1 {
			t.Fatalf("%d views of %q, which has no escaped line", len(views), raw)
		}
		for _, f := range []Format{FormatMboxo, FormatMboxcl, FormatMboxcl2} {
			once := OwnView(raw, f).Data
			if twice := OwnView(once, f).Data; !bytes.Equal(once, twice) {
				t.Fatalf("%s unescapes %q to %q, then again to %q", f, raw, once, twice)
			}
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

// FuzzMixedViews checks the mixed views: at most 1<<MaxMixedLines, none
// longer than raw, nothing before from changed, only '>' bytes removed,
// raw itself first, one view per subset of the ambiguous lines (counted
// line by line for reference); the last view unescapes every ambiguous
// line, so it has no mixed views of its own; and bytes without an escaped
// line have none.
func FuzzMixedViews(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), 0)
	}
	f.Add([]byte("From: a@b.c\n>From : x\n\n>From one\n>>From two\r\n>From three"), 23)
	f.Add([]byte(">From a\n>From b\n>From c\n>From d\n>From e\n>From f\n"), 0)
	f.Fuzz(func(t *testing.T, raw []byte, from int) {
		views := MixedViews(raw, from)
		ambiguous := 0 // the reference: lines from from on, one at a time
		for _, line := range bytes.SplitAfter(raw[min(max(from, 0), len(raw)):], []byte("\n")) {
			if bytes.HasPrefix(line, []byte(">From ")) {
				ambiguous++
			}
		}
		want := 1 << ambiguous
		if ambiguous == 0 || ambiguous > MaxMixedLines || len(raw) > maxMixedBytes {
			want = 0
		}
		if len(views) != want {
			t.Fatalf("%d mixed views of %q from %d, with %d ambiguous lines", len(views), raw, from, ambiguous)
		}
		if len(views) == 0 {
			return
		}
		keep := raw[:min(max(from, 0), len(raw))]
		if !HasEscapedLine(raw[len(keep):]) {
			t.Fatalf("mixed views of %q from %d, which has no escaped line there", raw, from)
		}
		if !bytes.Equal(views[0], raw) {
			t.Fatalf("the first mixed view %q is not raw %q", views[0], raw)
		}
		for i, v := range views {
			if len(v) > len(raw) || !bytes.HasPrefix(v, keep) {
				t.Fatalf("mixed view %d %q of %q adds bytes or changes what precedes offset %d", i, v, raw, from)
			}
			if !bytes.Equal(bytes.ReplaceAll(v, []byte(">"), nil), bytes.ReplaceAll(raw, []byte(">"), nil)) {
				t.Fatalf("mixed view %d changed more than '>' bytes", i)
			}
			for j := range i {
				if bytes.Equal(views[j], v) {
					t.Fatalf("mixed views %d and %d are identical", j, i)
				}
			}
		}
		if again := MixedViews(views[len(views)-1], from); again != nil {
			t.Fatalf("the last mixed view %q still has %d mixed views", views[len(views)-1], len(again))
		}
	})
}

// FuzzLeadingSeparator checks that a leading separator line is a prefix of
// msg that starts "From " and ends at its first "\n", and that it is looser
// than IsSeparator: a line IsSeparator takes, but for one that reads as a
// From field ("From : x ..."), is a leading separator too.
func FuzzLeadingSeparator(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("From MAILER-DAEMON\r\nX: y\n"))
	f.Add([]byte("From :x Mon Jan  1 00:00:00 2018\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		n := LeadingSeparatorLen(msg)
		if n < 0 || n > len(msg) {
			t.Fatalf("LeadingSeparatorLen(%q) = %d, outside the input", msg, n)
		}
		line, _, hasEOL := bytes.Cut(msg, []byte("\n"))
		if n > 0 && (!bytes.HasPrefix(msg, fromSpace) || !hasEOL || n != len(line)+1) {
			t.Fatalf("LeadingSeparatorLen(%q) = %d, not its first line", msg, n)
		}
		fieldLike := bytes.HasPrefix(bytes.TrimLeft(line[min(len(line), len(fromSpace)):], " \t"), []byte(":"))
		if hasEOL && IsSeparator(msg[:len(line)+1]) && !fieldLike && n == 0 {
			t.Fatalf("IsSeparator takes the first line of %q, LeadingSeparatorLen does not", msg)
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
// far ahead to check, or a header too long for the look-ahead to find one
// in (either makes the framing, and the variant, depend on the buffer).
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
			farAhead = farAhead || bytes.Contains([]byte(n), []byte("too far ahead")) ||
				bytes.Contains([]byte(n), []byte("Content-Length was not looked for"))
		}
		out = append(out, fmt.Sprintf("%d %d %d %s %q", m.Index, m.Offset, m.Size, m.Format, m.Separator))
	}
	return out, farAhead
}

// FuzzReaderBuffer checks that the buffer size and the read sizes never
// change what is read, unless a Content-Length, or the header line that
// holds it, lies past the look-ahead.
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
