package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"

	"github.com/leakproof/leakproof/internal/testmail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnflow(t *testing.T) {
	for _, c := range []struct {
		name, in string
		delsp    bool
		want     string
		ok       bool
	}{
		{"fixed lines", "a\nb\n", false, "a\nb\n", true},
		{"a soft break keeps its space", "pay 1 \n00 dollars\n", false, "pay 1 00 dollars\n", true},
		{"delsp deletes it", "pay 1 \n00 dollars\n", true, "pay 100 dollars\n", true},
		{"delsp deletes one space of two", "pay 1  \n00\n", true, "pay 1 00\n", true},
		{"CRLF lines", "pay 1 \r\n00\r\n", true, "pay 100\n", true},
		{"a soft break before an empty line ends the paragraph", "abc \n\ndef\n", false, "abc \ndef\n", true},
		{"a soft break at the end", "abc ", false, "abc \n", true},
		{"a tab is no soft break", "abc\t\ndef\n", false, "abc\t\ndef\n", true},
		{"the signature separator is fixed", "-- \nAlice\n", true, "-- \nAlice\n", true},
		{"a quoted signature separator is fixed", "> -- \n> Alice\n", true, "> -- \n> Alice\n", true},
		{"a stuffed signature separator is fixed", " -- \nAlice\n", false, "-- \nAlice\n", true},
		{"not the separator: two dashes and two spaces", "--  \nAlice\n", true, "-- Alice\n", true},
		{"space-stuffing undone, a leading space written stuffed", "  indented\n From here\n", false, "  indented\nFrom here\n", true},
		{"stuffed quote mark kept apart from a quote", " > not quoted\n> quoted\n", false, " > not quoted\n> quoted\n", true},
		{"quoted lines joined", "> pay 1 \n> 00\n", true, "> pay 100\n", true},
		{"quote marks without the stuffing space", ">pay 1 \n>00\n", true, "> pay 100\n", true},
		{"quote depth two", ">> a \n>> b\n", false, ">> a b\n", true},
		{"lines of another depth are not joined", "> pay 1 \n>> 00\n00\n", true, "> pay 1\n>> 00\n00\n", true},
		{"an unquoted line after a quoted soft break", "> a \nb\n", false, "> a \nb\n", true},
		{"an empty quoted line", ">\n> a\n", false, "> \n> a\n", true},
		{"a last line without a line break", "a \nb", true, "ab\n", true},
		{"a lone CR", "pay 1 \r00\n", true, "", false},
		{"a line of one space", "a \n \nb\n", false, "", false},
		{"a quoted line of one space", "> \n", false, "", false},
		{"empty", "", false, "", true},
	} {
		got, ok := unflow(nil, []byte(c.in), c.delsp)
		require.Equal(t, c.ok, ok, c.name)
		if ok {
			assert.Equal(t, c.want, string(got), c.name)
		}
	}
}

func TestFlowModeOf(t *testing.T) {
	for _, c := range []struct {
		mt, ct string
		want   flowMode
	}{
		{"text/plain", `text/plain; charset="us-ascii"`, flowNone},
		{"text/plain", `text/plain; format=fixed`, flowNone},
		{"text/plain", `text/plain; format=flowed`, flowFlowed},
		{"text/plain", `Text/Plain; Format="Flowed"; DelSp=No`, flowFlowed},
		{"text/plain", `text/plain; format=flowed; delsp=yes`, flowDelSp},
		{"text/plain", `text/plain; delsp=YES; FORMAT=FLOWED`, flowDelSp},
		{"text/plain", `text/plain; format*=us-ascii''flowed`, flowFlowed},
		{"text/plain", `text/plain; format=fixed; format=flowed`, flowAmbiguous},
		{"text/plain", `text/plain; format=flowed; delsp=no; DELSP=yes`, flowAmbiguous},
		{"text/html", `text/html; format=flowed; delsp=yes`, flowNone},
	} {
		assert.Equal(t, c.want, flowModeOf(c.mt, c.ct), c.ct)
	}
}

// flowedBody is a message whose meaning a soft break changes: a figure
// split over two lines.
const flowedBody = "Bob,\n\nplease wire the deposit of 12\n500 dollars to the usual account by Friday.\n\nAlice\n-- \nAlice Example, Treasury\n"

// withBody is baseMessage with body, its Content-Type set to ct (when not
// empty) and its transfer encoding to cte (when not empty, the body
// encoded so).
func withBody(body, ct, cte string) []byte {
	m := testmail.Message{Subject: "Deposit", Body: body, MessageID: "<deposit-1@example.com>"}
	msg := m.Bytes()
	if ct != "" {
		msg = replaceOnce(msg, `Content-Type: text/plain; charset="us-ascii"`, "Content-Type: "+ct)
	}
	switch cte {
	case "quoted-printable", "base64":
		i := bytes.Index(msg, []byte("\r\n\r\n")) + 4
		var enc bytes.Buffer
		if cte == "base64" {
			s := base64.StdEncoding.EncodeToString(msg[i:])
			for len(s) > 76 {
				enc.WriteString(s[:76] + "\r\n")
				s = s[76:]
			}
			enc.WriteString(s + "\r\n")
		} else {
			w := quotedprintable.NewWriter(&enc)
			w.Write(msg[i:])
			w.Close()
		}
		msg = append(replaceOnce(msg[:i], "Content-Transfer-Encoding: 7bit", "Content-Transfer-Encoding: "+cte), enc.Bytes()...)
	}
	return msg
}

// inPart puts a message of withBody's as the text part of a multipart
// message, with an attachment.
func inPart(msg []byte) []byte {
	i := bytes.Index(msg, []byte("Content-Type: "))
	head, part := msg[:i], msg[i:]
	const b = "flowed-boundary"
	return slices.Concat(head, []byte("Content-Type: multipart/mixed; boundary=\""+b+"\"\r\n\r\n--"+b+"\r\n"), part,
		[]byte("\r\n--"+b+"\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--"+b+"--\r\n"))
}

// softened adds a space at the end of the line of body that is line.
func softened(body, line string) string {
	body = "\n" + body
	if !strings.Contains(body, "\n"+line+"\n") {
		panic("softened: no line " + line)
	}
	return strings.Replace(body, "\n"+line+"\n", "\n"+line+" \n", 1)[1:]
}

// flowedForgeries are an authentic message and a forged copy a mail client
// shows otherwise, whose lines differ only in white space at their ends
// and whose Content-Type may add the flowed parameters.
func flowedForgeries() []struct{ name, orig, forged []byte } {
	type pair = struct{ name, orig, forged []byte }
	plain := withBody(flowedBody, "", "")
	const flowed = `text/plain; charset="us-ascii"; format=flowed`
	const delsp = flowed + "; delsp=yes"
	// A flowed original: the first paragraph in soft-broken lines.
	flowedOrig := "Bob,\n\nplease wire the deposit of 12 \n500 dollars to the usual \naccount by Friday.\n\nAlice\n-- \nAlice Example, Treasury\n"
	out := []pair{
		{[]byte("plain original, the copy flowed with delsp=yes: 12 and 500 joined as 12500"), plain,
			withBody(softened(flowedBody, "please wire the deposit of 12"), delsp, "")},
		{[]byte("plain original, the copy flowed: 12 and 500 joined as 12 500"), plain,
			withBody(softened(flowedBody, "please wire the deposit of 12"), flowed, "")},
		{[]byte("plain original, the copy flowed: the blank line after Bob, removed"), plain,
			withBody(softened(flowedBody, "Bob,"), flowed, "")},
		{[]byte("plain original, the copy flowed in quoted-printable"), plain,
			withBody(softened(flowedBody, "please wire the deposit of 12"), delsp, "quoted-printable")},
		{[]byte("flowed original, a soft break made hard"), withBody(flowedOrig, flowed, ""),
			withBody(strings.Replace(flowedOrig, "usual \n", "usual\n", 1), flowed, "")},
		{[]byte("flowed original, a hard break made soft"), withBody(flowedOrig, flowed, ""),
			withBody(softened(flowedOrig, "account by Friday."), flowed, "")},
		{[]byte("flowed original, a hard break made soft with delsp=yes"), withBody(flowedOrig, delsp, ""),
			withBody(softened(flowedOrig, "Alice"), delsp, "")},
		{[]byte("flowed original, a soft break moved: clients that do not know the format show other lines"), withBody(flowedOrig, flowed, ""),
			withBody(strings.Replace(flowedOrig, "of 12 \n500 dollars", "of \n12 500 dollars", 1), flowed, "")},
		{[]byte("flowed original, the copy adds delsp=yes: 12 and 500 joined as 12500"), withBody(flowedOrig, flowed, ""),
			withBody(flowedOrig, delsp, "")},
		{[]byte("flowed original, the copy drops format=flowed"), withBody(flowedOrig, flowed, ""),
			withBody(flowedOrig, `text/plain; charset="us-ascii"`, "")},
		{[]byte("flowed original, the copy gives format twice"), withBody(flowedOrig, flowed, ""),
			withBody(strings.Replace(flowedOrig, "usual \n", "usual\n", 1), flowed+"; format=fixed", "")},
	}
	// The same in a multipart message's text part.
	for _, p := range out[:len(out):len(out)] {
		out = append(out, pair{append([]byte("in a multipart message: "), p.name...), inPart(p.orig), inPart(p.forged)})
	}
	return out
}

// A copy of an authentic message whose lines differ only in the white
// space at their ends, or whose Content-Type adds, drops or changes the
// flowed parameters, and which a mail client shows otherwise, is never
// corroborated by the authentic copy.
func TestFlowedCopyNotCorroborated(t *testing.T) {
	c := testChecker()
	// Simple body canonicalization: under relaxed, a flowed original with
	// delsp=yes is not authentic itself (TestFlowedRelaxedJoinsUnproven).
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version"), Canonicalization: "relaxed/simple"}
	for _, f := range flowedForgeries() {
		orig := signRaw(t, f.orig, "rsa2048", o)
		a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", f.forged))
		assertCopyJudged(t, a, b, string(f.name), false)
	}
}

// A flowed message is authentic, and the copies a server makes of it (in
// quoted-printable or base64, with LF line endings) are corroborated.
func TestFlowedCopyReencodedCorroborated(t *testing.T) {
	c := testChecker()
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version"), Canonicalization: "relaxed/simple"}
	body := "Bob,\n\nplease wire the deposit of 12 \n500 dollars to the usual \naccount by Friday.\n\n> You said 12 \n> 500?\n\n From the desk of\nAlice\n-- \nAlice Example\n"
	for _, ct := range []string{`text/plain; charset="us-ascii"; format=flowed`, `text/plain; charset="us-ascii"; format=flowed; delsp=yes`} {
		for _, wrap := range []func([]byte) []byte{func(b []byte) []byte { return b }, inPart} {
			orig := signRaw(t, wrap(withBody(body, ct, "")), "rsa2048", o)
			for _, cte := range []string{"quoted-printable", "base64", "lf"} {
				var cp []byte
				if cte == "lf" {
					cp = bytes.ReplaceAll(wrap(withBody(body, ct, "")), []byte("\r\n"), []byte("\n"))
				} else {
					cp = wrap(withBody(body, ct, cte))
				}
				a, b := c.Check(t.Context(), eml("sent.eml", orig)), c.Check(t.Context(), eml("copy.eml", cp))
				assertCopyJudged(t, a, b, ct+" re-encoded "+cte, true)
			}
		}
	}
}

// The view of a flowed message holds its paragraphs unflowed: the first
// text part's paragraphs, for quotes, are the sender's words.
func TestFlowedViewText(t *testing.T) {
	msg := withBody("please wire 12 \n500 dollars\n\n> pay 1 \n> 00\n", `text/plain; format=flowed; delsp=yes`, "quoted-printable")
	all, first := displayedText(splitHeader(msg), msg, new(textBuffers))
	fixed := sha256.Sum256([]byte("please wire 12\n500 dollars\n\n> pay 1\n> 00"))
	assert.Equal(t, "\x00flowed "+hex.EncodeToString(fixed[:16])+"\nplease wire 12500 dollars\n\n> pay 100", string(all))
	assert.Equal(t, "please wire 12500 dollars\n\n> pay 100", string(first))
	own, quoted := paragraphs(first)
	assert.Equal(t, []paragraph{paragraphOf("please wire 12500 dollars")}, own)
	assert.Equal(t, []paragraph{paragraphOf("pay 100")}, quoted)
}

// paragraphOf is the paragraph of text's words.
func paragraphOf(text string) paragraph {
	own, _ := paragraphs([]byte(text))
	return own[0]
}

// clientShows is how a mail client shows text/plain text in a Content-Type
// with the given flowed parameters, written apart from unflow as RFC 3676
// §4.2 reads: a list of paragraphs, each its quote depth and its text
// with white space at its end removed; ok is false for text clients show
// in different ways.
func clientShows(text string, flowed, delsp bool) (shown []string, ok bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.Contains(text, "\r") {
		return nil, false
	}
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil, true
	}
	if !flowed {
		for l := range strings.SplitSeq(text, "\n") {
			shown = append(shown, strings.TrimRight(l, " \t"))
		}
		return trimEmpty(shown, ""), true
	}
	type para struct {
		depth int
		text  string
		open  bool
	}
	var ps []para
	for l := range strings.SplitSeq(text, "\n") {
		rest := strings.TrimLeft(l, ">")
		depth := len(l) - len(rest)
		if rest == " " {
			return nil, false
		}
		rest = strings.TrimPrefix(rest, " ")
		soft := strings.HasSuffix(rest, " ") && rest != "-- "
		if soft && delsp {
			rest = rest[:len(rest)-1]
		}
		if n := len(ps); n > 0 && ps[n-1].open && ps[n-1].depth == depth {
			ps[n-1].text += rest
			ps[n-1].open = soft
			continue
		}
		ps = append(ps, para{depth, rest, soft})
	}
	for _, p := range ps {
		shown = append(shown, fmt.Sprintf("flowed %d %q", p.depth, strings.TrimRight(p.text, " \t")))
	}
	return trimEmpty(shown, `flowed 0 ""`), true
}

// trimEmpty removes the empty lines, written empty, at the start and the
// end of shown: a client shows none.
func trimEmpty(shown []string, empty string) []string {
	for len(shown) > 0 && shown[0] == empty {
		shown = shown[1:]
	}
	for len(shown) > 0 && shown[len(shown)-1] == empty {
		shown = shown[:len(shown)-1]
	}
	if len(shown) == 0 {
		return nil
	}
	return shown
}

// For generated text and a forger's edits of it (white space added to or
// removed from the end of lines, the flowed parameters added, dropped or
// changed), a copy's view equals the original's only when a mail client
// shows both alike; and a server's re-encoding of either keeps its view.
func TestPropertyFlowedViewIsWhatClientsShow(t *testing.T) {
	r := rand.New(rand.NewPCG(3676, 28))
	words := []string{"pay", "1", "00", "dollars", ">", "-", "--", "From", "x"}
	gen := func() string {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(strings.Repeat(">", max(0, r.IntN(5)-2)))
			b.WriteString(strings.Repeat(" ", r.IntN(3)))
			for k := range r.IntN(4) {
				if k > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteString(strings.Repeat(" ", r.IntN(3)))
			b.WriteByte('\n')
		}
		return b.String()
	}
	// edit moves white space at the ends of some lines.
	edit := func(s string) string {
		lines := strings.Split(s, "\n")
		for i := range lines {
			switch r.IntN(4) {
			case 0:
				lines[i] += " "
			case 1:
				lines[i] = strings.TrimRight(lines[i], " ")
			}
		}
		return strings.Join(lines, "\n")
	}
	modes := []struct {
		ct            string
		flowed, delsp bool
	}{
		{`text/plain; charset="us-ascii"`, false, false},
		{`text/plain; charset="us-ascii"; format=flowed`, true, false},
		{`text/plain; charset="us-ascii"; format=flowed; delsp=yes`, true, true},
	}
	view := func(msg []byte) string {
		all, _ := displayedText(splitHeader(msg), msg, new(textBuffers))
		return string(all)
	}
	same, differ := 0, 0
	for range 3000 {
		s1 := gen()
		s2 := s1
		if r.IntN(4) > 0 {
			s2 = edit(s1)
		}
		m1, m2 := modes[r.IntN(3)], modes[r.IntN(3)]
		if r.IntN(2) == 0 {
			m2 = m1
		}
		msg1, msg2 := withBody(s1, m1.ct, ""), withBody(s2, m2.ct, "")
		if r.IntN(2) == 0 {
			msg2 = inPart(msg2)
			msg1 = inPart(msg1)
		}
		v1, v2 := view(msg1), view(msg2)
		shown1, ok1 := clientShows(s1, m1.flowed, m1.delsp)
		shown2, ok2 := clientShows(s2, m2.flowed, m2.delsp)
		// What a client that does not know the format shows.
		fixed1, _ := clientShows(s1, false, false)
		fixed2, _ := clientShows(s2, false, false)
		if v1 == v2 {
			same++
			require.True(t, ok1 && ok2 || strings.Trim(s1, "\n") == strings.Trim(s2, "\n"), "views alike for text read in different ways: %q (%s), %q (%s)", s1, m1.ct, s2, m2.ct)
			if ok1 && ok2 {
				require.Equal(t, shown1, shown2, "views alike: %q (%s), %q (%s)", s1, m1.ct, s2, m2.ct)
				require.Equal(t, fixed1, fixed2, "views alike: %q (%s), %q (%s), shown as fixed lines", s1, m1.ct, s2, m2.ct)
			}
		} else {
			differ++
		}
		for _, cte := range []string{"quoted-printable", "base64"} {
			re := withBody(s1, m1.ct, cte)
			if bytes.Contains(msg1, []byte("flowed-boundary")) {
				re = inPart(re)
			}
			require.Equal(t, v1, view(re), "%q (%s) in %s", s1, m1.ct, cte)
		}
	}
	t.Logf("%d pairs alike, %d apart", same, differ)
	assert.Positive(t, same)
	assert.Positive(t, differ)
}

func FuzzUnflow(f *testing.F) {
	for _, s := range []string{"pay 1 \r\n00\r\n", "> a \n>> b\nc", "-- \n", " > x \n  y", "a \r b", "> \n", ""} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, delsp bool) {
		out, ok := unflow(nil, b, delsp)
		if !ok {
			return
		}
		if len(out) > 2*len(b)+1 {
			t.Fatalf("unflow wrote %d bytes for %d", len(out), len(b))
		}
		// Unflowed text is fixed: unflowed again (its white space at line
		// ends removed, as the view does) it is the same.
		n := normalizeText(nil, out)
		again, ok := unflow(nil, n, delsp)
		if !ok || !bytes.Equal(normalizeText(nil, again), n) {
			t.Fatalf("unflow not idempotent on %q: %q then %q", b, n, again)
		}
		// Every word is kept, in order, but for the spaces delsp deletes.
		words := func(b []byte) []byte { return bytes.Join(bytes.Fields(b), []byte(" ")) }
		if !delsp && !bytes.ContainsRune(b, '>') && !bytes.Equal(words(out), words(b)) {
			t.Fatalf("words changed: %q -> %q", b, out)
		}
	})
}

// Relaxed body canonicalization signs a line the same with or without
// spaces at its end, and with format=flowed; delsp=yes a space at a line's
// end joins two words ("12" and "500" read "12500"): text sent that way
// without a transfer encoding is not authentic under relaxed signatures
// alone, and the doctored message (a space removed or added, the
// signature still valid) is not either. Simple canonicalization, a
// transfer encoding, delsp=no (whose joins keep the words apart) and text
// of one line each paragraph are proven as before.
func TestFlowedRelaxedJoinsUnproven(t *testing.T) {
	c := testChecker()
	body := "Bob,\n\nplease wire the deposit of 12\n500 dollars to the usual \naccount by Friday.\n\nAlice\n"
	const delsp, flowed = `text/plain; charset="us-ascii"; format=flowed; delsp=yes`, `text/plain; charset="us-ascii"; format=flowed`
	for _, tc := range []struct {
		name, ct, cte, canon string
		wrap                 func([]byte) []byte
		authentic            bool
	}{
		{"delsp=yes, relaxed", delsp, "", "relaxed/relaxed", nil, false},
		{"delsp=yes, relaxed, in a multipart", delsp, "", "relaxed/relaxed", inPart, false},
		{"delsp=yes, 8bit, relaxed", delsp, "8bit", "relaxed/relaxed", nil, false},
		{"delsp=yes, simple", delsp, "", "relaxed/simple", nil, true},
		{"delsp=yes, simple, in a multipart", delsp, "", "simple/simple", inPart, true},
		{"delsp=yes, quoted-printable, relaxed", delsp, "quoted-printable", "relaxed/relaxed", nil, true},
		{"delsp=yes, base64, relaxed, in a multipart", delsp, "base64", "relaxed/relaxed", inPart, true},
		{"delsp=no, relaxed", flowed, "", "relaxed/relaxed", nil, true},
		{"not flowed, relaxed", `text/plain; charset="us-ascii"`, "", "relaxed/relaxed", nil, true},
	} {
		wrap := tc.wrap
		if wrap == nil {
			wrap = func(b []byte) []byte { return b }
		}
		o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version"), Canonicalization: tc.canon}
		signed := signRaw(t, wrap(withBody(body, tc.ct, tc.cte)), "rsa2048", o)
		a := c.Check(t.Context(), eml("sent.eml", signed))
		require.NoError(t, a.Err, "%s", tc.name)
		if tc.authentic {
			assert.Equal(t, VerdictAuthentic, a.Verdict, "%s (%v)", tc.name, codesOf(a))
			continue
		}
		assert.Equal(t, VerdictUnverifiable, a.Verdict, "%s (%v)", tc.name, codesOf(a))
		assert.Contains(t, codesOf(a), "coverage.mime_mismatch", "%s", tc.name)
		assert.Contains(t, strings.Join(a.Explanation.Proven, " "), "which of its flowed lines a mail client joins", "%s", tc.name)
		// The forger's edit: the space after "usual" removed and one
		// added after "12". Relaxed canonicalization signs it the same.
		doctored := bytes.Replace(bytes.Replace(signed, []byte("usual \r\n"), []byte("usual\r\n"), 1), []byte("of 12\r\n"), []byte("of 12 \r\n"), 1)
		require.NotEqual(t, signed, doctored, "%s: the edit applies", tc.name)
		d := c.Check(t.Context(), eml("doctored.eml", doctored))
		assert.NotEqual(t, VerdictAuthentic, d.Verdict, "%s: the doctored message (%v)", tc.name, codesOf(d))
		assert.Contains(t, codesOf(d), "dkim.pass", "%s: the doctored message still passes DKIM", tc.name)
	}
}

// flowedJoinsPart is asked of each text part by the walks over the bytes,
// and goMessageFlowed of the parts go-message reads when neither walk
// reaches the end: both find a flowed part with delsp=yes and a line
// break inside a paragraph, and nothing else.
func TestFlowedJoinsPart(t *testing.T) {
	const delsp = `text/plain; charset="us-ascii"; format=flowed; delsp=yes`
	for _, tc := range []struct {
		name, ct, cte, body string
		want                bool
	}{
		{"delsp=yes", delsp, "", "12\n500 dollars\n", true},
		{"delsp=yes in another case, folded", "Text/Plain;\r\n\tFormat=\"Flowed\"; DelSp=Yes", "7bit", "12\n500\n", true},
		{"delsp=yes, one line per paragraph", delsp, "", "12\n\n500\n", false},
		{"delsp=yes, quoted-printable", delsp, "quoted-printable", "12\n500\n", false},
		{"delsp=no", `text/plain; format=flowed; delsp=no`, "", "12\n500\n", false},
		{"format=fixed", `text/plain; format=fixed; delsp=yes`, "", "12\n500\n", false},
		{"text/html", `text/html; format=flowed; delsp=yes`, "", "12\n500\n", false},
	} {
		mt, _, _ := parseContentType(tc.ct)
		assert.Equal(t, tc.want, flowedJoinsPart(mt, tc.ct, tc.cte, []byte(tc.body)), "%s", tc.name)
		msg := inPart(withBody(tc.body, strings.ReplaceAll(tc.ct, "\r\n", ""), ""))
		if tc.cte != "" && tc.cte != "7bit" {
			continue // withBody encodes the text; inPart's part is what matters here
		}
		assert.Equal(t, tc.want, goMessageFlowed(msg), "%s, through go-message", tc.name)
	}
}

// On a trusted sealer's word (rule 3) the latest ARC-Message-Signature
// vouches for the body: under relaxed body canonicalization it does not
// fix where flowed text with delsp=yes joins its words, so the sealer's
// word gives no authentic verdict for such text, and the forger's edit
// that joins "12" and "500" gains nothing from it.
func TestSealedFlowedJoinsUnproven(t *testing.T) {
	body := "Bob,\n\nplease wire the deposit of 12\n500 dollars to the usual \naccount by Friday.\n\nAlice\n"
	const delsp = `text/plain; charset="us-ascii"; format=flowed; delsp=yes`
	o := &testmail.SignOptions{Headers: append(testmail.DefaultHeaders(), "content-type", "mime-version"), Canonicalization: "relaxed/relaxed"}
	// A list added a footer after the author signed, then sealed.
	listed := append(signRaw(t, withBody(body, delsp, ""), "rsa2048", o), "-- \r\nSent through the board list\r\n"...)
	trusted := []string{"example.org"}
	for _, tc := range []struct {
		canon     string
		authentic bool
	}{
		{"relaxed/relaxed", false},
		{"simple/relaxed", false},
		{"", false}, // testmail's default, relaxed/relaxed
		{"relaxed/simple", true},
	} {
		sealed := sealWith(t, listed, &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048", Headers: append(slices.Clone(o.Headers), "dkim-signature"), Canonicalization: tc.canon})
		a := checkCase(t, verdictCase{m: asEML(sealed), trusted: trusted})
		assertWellFormed(t, a)
		if tc.authentic {
			assert.Equal(t, VerdictAuthentic, a.Verdict, "AMS c=%s: %s %v", tc.canon, a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), "arc.trusted_sealer", "AMS c=%s", tc.canon)
			continue
		}
		assert.NotEqual(t, VerdictAuthentic, a.Verdict, "AMS c=%s: %s %v", tc.canon, a.Summary, codesOf(a))
		assert.Contains(t, codesOf(a), "coverage.mime_mismatch", "AMS c=%s: the joins are named", tc.canon)
		assert.NotContains(t, codesOf(a), "arc.trusted_sealer", "AMS c=%s: the sealer's word is not taken", tc.canon)
		doctored := bytes.Replace(bytes.Replace(sealed, []byte("usual \r\n"), []byte("usual\r\n"), 1), []byte("of 12\r\n"), []byte("of 12 \r\n"), 1)
		require.NotEqual(t, sealed, doctored, "AMS c=%s: the edit applies", tc.canon)
		d := checkCase(t, verdictCase{m: asEML(doctored), trusted: trusted})
		assert.NotEqual(t, VerdictAuthentic, d.Verdict, "AMS c=%s: the doctored message (%v)", tc.canon, codesOf(d))
		assert.Contains(t, codesOf(d), "arc.chain_pass", "AMS c=%s: the doctored message's chain still passes", tc.canon)
	}
}
