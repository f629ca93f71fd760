package provenance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/leakproof/leakproof/mbox"
)

func TestToCRLF(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
		changed        bool
	}{
		{"empty", "", "", false},
		{"CRLF kept", "a\r\nb\r\n", "a\r\nb\r\n", false},
		{"bare LF", "a\nb\n", "a\r\nb\r\n", true},
		{"mixed", "a\r\nb\nc", "a\r\nb\r\nc", true},
		{"leading LF", "\nx", "\r\nx", true},
		{"lone CR untouched", "a\rb\n", "a\rb\r\n", true},
		{"lone CR, no LF", "a\rb", "a\rb", false},
		{"CRLF then bare LF", "a\r\n\nb", "a\r\n\r\nb", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := toCRLF([]byte(tt.in))
			assert.Equal(t, tt.want, string(got), "toCRLF(%q)", tt.in)
			assert.Equal(t, tt.changed, changed, "toCRLF(%q) changed", tt.in)
		})
	}
}

func TestImproves(t *testing.T) {
	v := func(sigs ...dkim.Signature) *dkim.Verification { return &dkim.Verification{Signatures: sigs} }
	for _, tt := range []struct {
		name          string
		before, after *dkim.Verification
		want          bool
	}{
		{"fail to pass", v(sig("example.com", bodyMismatch)), v(sig("example.com")), true},
		{"header fixed, body still fails", v(sig("example.com", bodyMismatch, headerInvalid)), v(sig("example.com", bodyMismatch)), true},
		{"no change", v(sig("example.com", bodyMismatch)), v(sig("example.com", bodyMismatch)), false},
		{"one fixed, another broken", v(sig("a.example", bodyMismatch), sig("example.com")), v(sig("a.example"), sig("example.com", bodyMismatch)), false},
		{"signature set differs", v(sig("example.com", bodyMismatch)), v(sig("example.org")), false},
		{"signature count differs", v(sig("example.com", bodyMismatch)), v(), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, improves(tt.before, tt.after), "improves")
		})
	}
}

func TestRepairCandidatesBounded(t *testing.T) {
	raw := []byte("From x@y Tue Mar  1 10:00:00 2016\r\r\nFrom: a@b.c\r\r\n\r\r\n>From here\r\r\n>>From there\r\r\n")
	for _, format := range []archive.Format{"eml", "mbox", "mboxo", "mboxrd", "mboxcl", "mboxcl2"} {
		m := &archive.Message{Format: format, Raw: raw}
		p := (&Checker{}).primaryView(m)
		cs := repairCandidates(m, p)
		assert.LessOrEqual(t, len(cs), 4+1<<mbox.MaxMixedLines, "%s: the repairs are a bounded set", format)
		stored, _ := toCRLF(raw)
		for _, c := range cs {
			assert.NotEqual(t, p.data, c.data, "%s: a repair differs from the primary view", format)
			assert.LessOrEqual(t, len(c.data), len(stored), "%s: a repair only removes stored bytes (%s)", format, c.code)
			_, ok := LookupCode(c.code)
			assert.True(t, ok, "%s: repair code %q is registered", format, c.code)
		}
	}
}

// FuzzViews checks the view helpers on arbitrary bytes: CRLF conversion
// leaves no bare LF and adds exactly one CR per bare LF; a leading line
// set aside is a prefix; mixed views, made CRLF, never add bytes to the
// CRLF message and never touch its header.
func FuzzViews(f *testing.F) {
	f.Add([]byte("From a@b Tue Mar  1 10:00:00 2016\nFrom: a@b.c\n\n>From x\n>From y\n"))
	f.Add([]byte("a\r\nb\nc\r\r\n\n"))
	f.Add([]byte(">From : x\n\n>From z"))
	f.Add([]byte("Subject: a line of plain words\n\nbody text, eight bytes and more\nx\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		crlf, changed := toCRLF(raw)
		bare := bytes.Count(raw, []byte("\n")) - bytes.Count(raw, []byte("\r\n"))
		if len(crlf) != len(raw)+bare || changed != (bare > 0) {
			t.Fatalf("toCRLF: %d bytes from %d with %d bare LFs (changed %v)", len(crlf), len(raw), bare, changed)
		}
		if bytes.Count(crlf, []byte("\n")) != bytes.Count(crlf, []byte("\r\n")) {
			t.Fatalf("toCRLF left a bare LF in %q", crlf)
		}
		var want []byte // a CR before every LF that has none, byte by byte
		for i, c := range raw {
			if c == '\n' && (i == 0 || raw[i-1] != '\r') {
				want = append(want, '\r')
			}
			want = append(want, c)
		}
		if !bytes.Equal(crlf, want) {
			t.Fatalf("toCRLF(%q) = %q, want %q", raw, crlf, want)
		}
		if lead, n := archive.LeadingLine(raw); n < 0 || n > len(raw) || (lead == archive.LeadNone) != (n == 0) {
			t.Fatalf("LeadingLine(%q) = %v, %d", raw, lead, n)
		}
		hdr := crlf[:splitHeader(crlf).body]
		for _, v := range mbox.MixedViews(raw, splitHeader(raw).body) {
			v, _ = toCRLF(v)
			if len(v) > len(crlf) || !bytes.HasPrefix(v, hdr) {
				t.Fatalf("mixed view %q of %q adds bytes or changes the header", v, crlf)
			}
		}
	})
}

// TestMboxoReadAsMboxrd: the mbox reader infers mboxrd from a ">>From "
// line anywhere earlier in the file, but an mboxo writer leaves such a
// line as the text had it. A genuine mboxo message with one escaped and
// one quoted ">From " line must then still find its repair, not be
// altered.
func TestMboxoReadAsMboxrd(t *testing.T) {
	body := "From here on, the figures are final.\n>From there, Bob quoted this.\n"
	msg := signed(t, testmail.Message{Subject: "Figures", Body: body}, "rsa2048", nil)
	lf := bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
	// mboxo escapes only lines that start with "From ".
	escaped := bytes.ReplaceAll(lf, []byte("\nFrom here"), []byte("\n>From here"))
	filler := "From: x@example.net\nSubject: filler\n\n>>From someone quoted twice\n"
	mbox := "From x@example.net Tue Mar  1 10:00:00 2016\n" + filler + "\n" +
		"From alice@example.com Tue Mar  1 10:00:00 2016\n" + string(escaped) + "\n"
	path := filepath.Join(t.TempDir(), "inbox.mbox")
	require.NoError(t, os.WriteFile(path, []byte(mbox), 0o444), "writing the mbox")
	var got []*Assessment
	for m := range archive.Walk(t.Context(), path, nil) {
		got = append(got, testChecker().Check(t.Context(), m))
	}
	require.Len(t, got, 2, "two messages in the mbox")
	a := got[1]
	require.Equal(t, archive.FormatMboxrd, a.Format, "the reader's guess, from the filler's >>From line")
	assert.Equal(t, VerdictAuthentic, a.Verdict, "summary: %s", a.Summary)
	assert.Contains(t, codesOf(a), "repair.mbox_ambiguous")
}

// TestPooledViewNotRetained: the primary view's CRLF copy goes back to a
// pool when Check returns, so nothing in the Assessment may point into it.
// Overwriting every pooled buffer afterwards must not change a thing. Today
// the Assessment holds only strings, which are copies, so this guards
// against a []byte field added later; sync.Pool may also drop buffers (it
// does at random under -race), so it catches such a field often, not
// always.
func TestPooledViewNotRetained(t *testing.T) {
	lf := testmail.LF(signed(t, withField(baseMessage(), "Cc", "Carol <carol@example.org>"), "rsa2048", nil))
	sealed := testmail.LF(testmail.MustSeal(signed(t, baseMessage(), "rsa2048", nil), testmail.MustKey("rsa2048b"), nil))
	for _, raw := range [][]byte{lf, sealed, testmail.ReplaceBody(lf, "changed\n")} {
		a := testChecker().Check(t.Context(), eml("lf.eml", raw))
		require.Contains(t, codesOf(a), "archive.lf_line_endings", "the view was copied to CRLF")
		before := fmt.Sprintf("%+v", *a)
		for range 8 {
			buf := crlfBuffers.Get().(*[]byte)
			b := (*buf)[:cap(*buf)]
			for i := range b {
				b[i] = 'X'
			}
			crlfBuffers.Put(buf)
		}
		assert.Equal(t, before, fmt.Sprintf("%+v", *a), "the Assessment does not alias the pooled view")
	}
}

// TestEscapedHeaderLineBlocksRepairs: a ">From : Mallory" line added at the
// bottom of the header of a signed mbox message is an unsigned From in the
// format's own view, so the signature fails; no mbox repair may read it as
// a harmless field named ">From " and pass, with or
// without a body line that needs the mixed-view repair.
func TestEscapedHeaderLineBlocksRepairs(t *testing.T) {
	for name, body := range map[string]string{
		"plain body":          "Please wire the deposit by Friday.\n",
		"body needing repair": "From here on, the figures are final.\n>From there, Bob quoted this.\n",
	} {
		t.Run(name, func(t *testing.T) {
			msg := testmail.LF(signed(t, testmail.Message{Subject: "Deposit", Body: body}, "rsa2048", nil))
			msg = bytes.ReplaceAll(msg, []byte("\nFrom here"), []byte("\n>From here"))
			end := bytes.Index(msg, []byte("\n\n")) + 1
			stored := append(append(append([]byte{}, msg[:end]...), ">From : Mallory <m@evil.example>\n"...), msg[end:]...)
			for _, f := range []archive.Format{"mbox", "mboxo", "mboxrd"} {
				a := testChecker().Check(t.Context(), &archive.Message{File: "a.mbox", Index: 1, Format: f, Raw: stored})
				assert.NotEqual(t, VerdictAuthentic, a.Verdict, "%s: summary %s; evidence %v", f, a.Summary, codesOf(a))
				assert.NotContains(t, codesOf(a), "repair.mbox_unescaped", f)
				assert.NotContains(t, codesOf(a), "repair.mbox_ambiguous", f)
			}
		})
	}
}

// TestHeaderOnlyFile: a genuine signed header exported without its body
// (no empty line, no body) is not altered: the body is missing, not
// changed. A changed signed field still counts.
func TestHeaderOnlyFile(t *testing.T) {
	msg := signed(t, baseMessage(), "rsa2048", nil)
	header := msg[:bytes.Index(msg, []byte("\r\n\r\n"))+2]
	a := testChecker().Check(t.Context(), eml("headers.txt", header))
	assert.NotEqual(t, VerdictAltered, a.Verdict, "summary: %s; evidence %v", a.Summary, codesOf(a))
	assert.Contains(t, codesOf(a), "archive.header_only", "the missing body is named")
	// The separator removed from a doctored message: its body lines are
	// no fields, and it is still altered.
	doctored := bytes.Replace(msg, []byte("\r\n\r\n"), []byte("\r\n"), 1)
	doctored = bytes.Replace(doctored, []byte("deposit"), []byte("DEPOSIT"), 1)
	a = testChecker().Check(t.Context(), eml("doctored.eml", doctored))
	assert.NotContains(t, codesOf(a), "archive.header_only", "body lines in the header are not a header export")
	assert.Equal(t, VerdictAltered, a.Verdict, "the separator removed does not hide a changed body; summary: %s", a.Summary)
	edited := bytes.Replace(header, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
	a = testChecker().Check(t.Context(), eml("edited-headers.txt", edited))
	// With no body, a failing header signature is not tied to this
	// message (a signature copied into a header export fails the same way).
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "a changed signed field in a header-only file; summary: %s", a.Summary)
	assert.Contains(t, codesOf(a), "dkim.untied_signature_fails", "the failing signature is named as untied")
}

// TestForcedFileIsLowConfidence: a file read as mail only because it was
// named directly gets low confidence whatever the verdict: a log quoting a
// message reads the same as a doctored one.
func TestForcedFileIsLowConfidence(t *testing.T) {
	msg := testmail.ReplaceBody(signed(t, baseMessage(), "rsa2048", nil), "changed\n")
	m := eml("quoted.log", append([]byte("X\r\n"), msg...))
	m.Forced = true
	a := testChecker().Check(t.Context(), m)
	assert.Equal(t, ConfidenceLow, a.Confidence, "verdict %s; summary: %s", a.Verdict, a.Summary)
}

// TestRepairNeverHidesAChange: a message that was really changed stays
// altered whatever the repairs try.
func TestRepairNeverHidesAChange(t *testing.T) {
	c := testChecker()
	orig := signed(t, baseMessage(), "rsa2048", nil)
	changed := bytes.Replace(orig, []byte("usual account"), []byte("other account"), 1)
	for _, tt := range []struct {
		name string
		m    *archive.Message
	}{
		{"eml", eml("x.eml", changed)},
		{"with a separator on top", eml("x.eml", append([]byte("From x@y Tue Mar  1 10:00:00 2016\r\n"), changed...))},
		{"doubled CR", eml("x.eml", bytes.ReplaceAll(changed, []byte("\r\n"), []byte("\r\r\n")))},
		{"ambiguous mbox", &archive.Message{File: "x.mbox", Index: 1, Format: "mbox", Raw: testmail.LF(changed)}},
		{"ambiguous mbox with >From lines", &archive.Message{File: "x.mbox", Index: 1, Format: "mbox",
			Raw: bytes.ReplaceAll(testmail.LF(changed), []byte("\nPlease"), []byte("\n>From Please"))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), tt.m)
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictAltered, a.Verdict, "a changed body stays altered; evidence %v", codesOf(a))
			assert.Contains(t, a.Summary, "the headers are as sent", "summary says the body changed, not the headers")
		})
	}
}

// TestQuoteMarkerRepairIsNotHighConfidence: an mbox repair that made
// the signature pass leaves the verdict at medium confidence at most, and
// the summary says so.
func TestQuoteMarkerRepairIsNotHighConfidence(t *testing.T) {
	m := baseBytes(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the bank: the deposit is safe.\n\nAlice\n" })
	signed := signRaw(t, m, "rsa2048", nil)
	quoted := bytes.Replace(signed, []byte("\r\nFrom the bank"), []byte("\r\n>From the bank"), 1)
	for _, msg := range []*archive.Message{asEML(quoted), {File: "a.mbox", Index: 1, Format: "mboxcl2", Raw: testmail.LF(quoted)}} {
		t.Run(msg.Format.String(), func(t *testing.T) {
			a := checkCase(t, verdictCase{m: msg})
			assert.Equal(t, VerdictAuthentic, a.Verdict, "the repaired view verifies; evidence %v", codesOf(a))
			assert.Equal(t, ConfidenceMedium, a.Confidence, "a repair that changed body text is not high confidence")
			assert.Contains(t, a.Summary, ">From", "the summary mentions the repair")
		})
	}
	t.Run("control: no repair needed", func(t *testing.T) {
		a := checkCase(t, verdictCase{m: asEML(signed)})
		assert.Equal(t, ConfidenceHigh, a.Confidence, "the unrepaired message keeps high confidence")
		assert.NotContains(t, a.Summary, ">From", "no repair is mentioned")
	})
}

// TestCRLFMboxNotLF: an mbox of CRLF messages written by a tool that ends
// its separator and blank lines with a bare LF (as most mbox writers do,
// whatever the messages hold). The blank line before each separator is the
// writer's, not the message's: the messages are CRLF, so they are read as
// stored, with no archive.lf_line_endings, and verify. Escaped lines and
// the last message, with no blank line after it, read the same.
func TestCRLFMboxNotLF(t *testing.T) {
	var in bytes.Buffer
	var want []string // sha256 of each message's stored bytes
	for i, body := range []string{
		"The figures are final.\r\n",
		"From here on, the figures are final.\r\n",
		"Last one, with no blank line after it.\r\n",
	} {
		msg := signed(t, testmail.Message{Subject: fmt.Sprintf("Figures %d", i+1), Body: body}, "rsa2048", nil)
		require.False(t, bytes.Contains(bytes.ReplaceAll(msg, []byte("\r\n"), nil), []byte("\n")), "message %d is CRLF", i+1)
		stored := bytes.ReplaceAll(msg, []byte("\r\nFrom here"), []byte("\r\n>From here")) // mboxo escaping
		if i < 2 {
			stored = append(stored, '\n')
		}
		in.WriteString("From alice@example.com Tue Mar  1 10:00:00 2016\n")
		in.Write(stored)
		want = append(want, sha256Hex(stored))
	}
	path := filepath.Join(t.TempDir(), "crlf.mbox")
	require.NoError(t, os.WriteFile(path, in.Bytes(), 0o444), "writing the mbox")
	for _, deferred := range []bool{false, true} {
		var got []*Assessment
		for m := range archive.Walk(t.Context(), path, &archive.Options{DeferDigest: deferred}) {
			require.NotNil(t, m.Lines, "message %d: the mbox reader's line facts", m.Index)
			assert.False(t, m.Lines.BareLF, "message %d: no line of the message ends in a bare LF", m.Index)
			assert.Equal(t, m.Index == 2, m.Lines.Escaped, "message %d: only the second has an escaped line", m.Index)
			got = append(got, testChecker().Check(t.Context(), m))
		}
		require.Len(t, got, 3, "three messages in the mbox (DeferDigest %v)", deferred)
		for i, a := range got {
			assert.Equal(t, VerdictAuthentic, a.Verdict, "message %d (DeferDigest %v): %s", i+1, deferred, a.Summary)
			assert.NotContains(t, codesOf(a), "archive.lf_line_endings", "message %d (DeferDigest %v): its lines are CRLF", i+1, deferred)
			assert.Equal(t, want[i], a.SHA256, "message %d (DeferDigest %v): the custody hash covers the stored bytes, blank line included", i+1, deferred)
			assert.NotEmpty(t, a.ID, "message %d (DeferDigest %v): ID", i+1, deferred)
		}
	}
}
