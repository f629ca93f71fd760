package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// reflectJSON is the record of a as encoding/json writes the JSON
// contract's struct (HTML escaping off), the oracle of JSONWriter.
func reflectJSON(t testing.TB, a *provenance.Assessment) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(report.NewJSONRecord(a)), "encoding/json")
	return b.Bytes()
}

// hostile sets every text field of a copy of a to s, every number to n
// and the times to t: what an encoder must carry through unchanged.
func hostile(a *provenance.Assessment, s string, n int64, tm time.Time) *provenance.Assessment {
	c := *a
	c.ID, c.File, c.SHA256, c.MessageID, c.From, c.FromAddress = s, s, s, s, s, s
	c.To, c.Cc, c.Subject, c.InReplyTo, c.Summary, c.Signer = s, s, s, s, s, s
	c.Format = archive.Format("mbox\x00" + s)
	c.References = []string{s, "", s}
	c.Entry, c.Index, c.Offset, c.Size = int(n), int(-n), n, -n
	c.Date = tm
	c.Signatures = nil
	for _, sig := range a.Signatures {
		sig.Domain, sig.Selector, sig.Algorithm, sig.Canonicalization, sig.KeySource = s, s, s, s, s
		sig.SignedHeaders = []string{s}
		sig.KeyBits, sig.BodyLength, sig.UnsignedBodyBytes = int(n), n, -n
		sig.Timestamp, sig.Expires = tm, tm.Add(time.Hour)
		sig.Err = errors.New(s)
		c.Signatures = append(c.Signatures, sig)
	}
	c.ARC.Instances = nil
	for _, in := range a.ARC.Instances {
		in.Sealer, in.Selector, in.CV, in.AuthenticationResults = s, s, s, s
		in.Instance = int(n)
		c.ARC.Instances = append(c.ARC.Instances, in)
	}
	c.ARC.FailedInstance = int(n)
	c.Coverage.Attachments = nil
	for _, at := range a.Coverage.Attachments {
		at.Name, at.SHA256 = s, s
		c.Coverage.Attachments = append(c.Coverage.Attachments, at)
	}
	c.Evidence = nil
	for _, e := range a.Evidence {
		e.Code, e.Message = s, s
		c.Evidence = append(c.Evidence, e)
	}
	return &c
}

// hostileStrings are the texts whose escaping differs between JSON
// encoders: quotes, backslashes, every control character, invalid UTF-8,
// the JavaScript line ends, and HTML's < > &.
var hostileStrings = []string{
	"", `"quoted" \back\slash`, "\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "caf\xc3", "\xff\xfe", "\xe2\x80",
	"line\u2028para\u2029", "<b>&amp;</b>", "Jürgen 日本 🙂", "\u202eevil", "=cmd|' /C calc'!A0", " lead", "\\.",
}

func TestJSONWriterIsEncodingJSON(t *testing.T) {
	times := []time.Time{
		{}, time.Date(2016, 3, 4, 4, 0, 0, 0, time.FixedZone("", -7*3600)), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 2, 29, 23, 59, 59, 999, time.FixedZone("", 5*3600+1800)),
	}
	for i, a := range fixtures() {
		cases := []*provenance.Assessment{a}
		for j, s := range hostileStrings {
			cases = append(cases, hostile(a, s, int64(j)*1e12-7, times[j%len(times)]))
		}
		for j, c := range cases {
			t.Run(fmt.Sprintf("fixture%d/%d", i+1, j), func(t *testing.T) {
				var b bytes.Buffer
				require.NoError(t, report.NewJSONWriter(&b).Write(c), "Write")
				assert.Equal(t, string(reflectJSON(t, c)), b.String(), "JSONWriter.Write against encoding/json")
			})
		}
	}
}

func FuzzJSONWriter(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s, int64(len(s)), int64(1457092800))
	}
	fx := fixtures()
	f.Fuzz(func(t *testing.T, s string, n, unix int64) {
		tm := time.Unix(unix%(1<<40), n%1e9).In(time.FixedZone("", int(n%(14*3600))))
		a := hostile(fx[int(uint64(n)%uint64(len(fx)))], s, n, tm)
		if n%3 == 0 {
			a.Err = errors.New(s)
		}
		var b bytes.Buffer
		require.NoError(t, report.NewJSONWriter(&b).Write(a), "Write")
		want := reflectJSON(t, a)
		if !bytes.Equal(want, b.Bytes()) {
			t.Fatalf("JSONWriter.Write(%q):\nencoding/json: %s\nappend:        %s", s, want, b.Bytes())
		}
		assert.True(t, json.Valid(b.Bytes()), "the record is valid JSON")
	})
}

// TestRecordEncoders holds each RecordEncoder's two ways to the same
// bytes: Write, and WriteRecord of what AppendRecord made (in another
// goroutine, for the race detector).
func TestRecordEncoders(t *testing.T) {
	as := fixtures()
	for j, s := range hostileStrings {
		as = append(as, hostile(fixtures()[j%len(fixtures())], s, int64(j), time.Time{}))
	}
	as[len(as)-1].Err = errors.New("archive: damaged\nsecond line")
	for _, tt := range []struct {
		name string
		new  func(*bytes.Buffer) report.RecordEncoder
	}{
		{"json", func(b *bytes.Buffer) report.RecordEncoder { return report.NewJSONWriter(b) }},
		{"csv", func(b *bytes.Buffer) report.RecordEncoder { return report.NewCSVWriter(b) }},
		{"text", func(b *bytes.Buffer) report.RecordEncoder { return report.NewTextWriter(b) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want, got bytes.Buffer
			render(t, tt.new(&want), as)
			w := tt.new(&got)
			recs := make([][]byte, len(as))
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i, a := range as {
					recs[i] = w.AppendRecord([]byte("kept"), a)[len("kept"):]
				}
			}()
			<-done
			for i, a := range as {
				require.NoError(t, w.WriteRecord(a, recs[i]), "WriteRecord(%d)", i)
			}
			require.NoError(t, w.Close(), "Close")
			assert.Equal(t, want.String(), got.String(), "WriteRecord(AppendRecord) against Write")
		})
	}
}
