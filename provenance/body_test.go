package provenance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/testmail"
)

// misfitFields lists the fields of ms, in order.
func misfitFields(ms []mimeMisfit) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.field)
	}
	return out
}

const (
	ctField  = "content-type"
	cteField = "content-transfer-encoding"
	cdField  = "content-disposition"
)

// TestMIMEFit holds the fit rules on the shapes real mailers write (none
// may be flagged) and on the edits a forger makes (each flags its field).
func TestMIMEFit(t *testing.T) {
	const mixed = "--b1\r\nContent-Type: text/plain\r\n\r\nHello.\r\n--b1\r\nContent-Type: application/pdf; name=a.pdf\r\n" +
		"Content-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b1--\r\n"
	const alternative = "--b2\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi\r\n\r\n--b2\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<div>Hi</div>\r\n\r\n--b2--\r\n"
	const quoted = "Bob,\r\n\r\nI will not sign.\r\n\r\nAlice\r\n\r\n-----Original Message-----\r\nFrom: Bob <bob@example.org>\r\nSubject: Contract\r\n\r\nPlease confirm you accept.\r\n"
	for _, tt := range []struct {
		name         string
		ct, cte, cd  string
		body         string
		want         []string // the fields that do not fit, in order
		wantInReason string
	}{
		// What mailers write.
		{"plain text, no MIME fields", "", "", "", "Hello.\r\n", nil, ""},
		{"multipart/mixed with an attachment", `multipart/mixed; boundary="b1"`, "", "", mixed, nil, ""},
		{"Gmail's multipart/alternative, no preamble", `multipart/alternative; boundary="b2"`, "", "", alternative, nil, ""},
		{"Thunderbird's preamble note", "multipart/mixed; boundary=b1", "7bit", "", "This is a multi-part message in MIME format.\r\n" + mixed, nil, ""},
		{"Outlook's preamble note", "multipart/mixed;\r\n\tboundary=\"b1\"", "", "", "This is a multipart message in MIME format.\r\n\r\n" + mixed, nil, ""},
		{"Listserv's two-sentence note, wrapped", "multipart/mixed; boundary=b1", "", "",
			"This is a MIME-formatted message.  If you see this text it means that your\r\nE-mail software does not support MIME-formatted messages.\r\n\r\n" + mixed, nil, ""},
		{"transport padding after the delimiters", "multipart/mixed; boundary=b1", "", "", strings.ReplaceAll(mixed, "--b1\r\n", "--b1  \r\n"), nil, ""},
		{"blank lines after the closing delimiter", "multipart/mixed; boundary=b1", "", "", mixed + "\r\n\r\n", nil, ""},
		{"LF line endings", "multipart/mixed; boundary=b1", "", "", strings.ReplaceAll(mixed, "\r\n", "\n"), nil, ""},
		{"8bit multipart", "multipart/mixed; boundary=b1", "8bit", "", mixed, nil, ""},
		{"ISO-8859-1 text", "text/plain; charset=iso-8859-1", "8bit", "", "Gr\xfc\xdfe, caf\xe9.\r\n", nil, ""},
		{"Windows-1252 text with smart quotes", "text/plain; charset=windows-1252", "8bit", "", "\x93Yes,\x94 she said \x96 twice.\r\n", nil, ""},
		{"7bit over 8-bit bytes", "text/plain; charset=iso-8859-1", "7bit", "", "caf\xe9\r\n", nil, ""},
		{"us-ascii over UTF-8 bytes", "text/plain; charset=us-ascii", "7bit", "", "Grüße\r\n", nil, ""},
		{"UTF-8 text", "text/plain; charset=utf-8", "8bit", "", "Grüße, Ελένη.\r\n", nil, ""},
		{"ISO-2022-JP text", "text/plain; charset=ISO-2022-JP", "7bit", "", "\x1b$B$3$s$K$A$O\x1b(B\r\n", nil, ""},
		{"Shift_JIS text", "text/plain; charset=shift_jis", "8bit", "", "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\r\n", nil, ""},
		{"a charset this package does not know", "text/plain; charset=x-mac-klingon", "8bit", "", "Gr\xfc\xdfe\r\n", nil, ""},
		{"base64 text", "text/plain; charset=utf-8", "base64", "", "R3LDvMOfZSwgQm9iLg==\r\n", nil, ""},
		{"base64 without its padding", "text/plain; charset=utf-8", "base64", "", "R3LDvMOfZSwgQm9iLg\r\n", nil, ""},
		{"quoted-printable text", "text/plain; charset=utf-8", "quoted-printable", "", "Gr=C3=BC=C3=9Fe, a long line that goes o=\r\nn.\r\n", nil, ""},
		{"quoted-printable declared over text with no escapes", "text/plain", "quoted-printable", "", "x = y\r\n", nil, ""},
		{"attachment as the whole message", "application/pdf; name=a.pdf", "base64", "attachment; filename=a.pdf", "JVBERi0xLjQ=\r\n", nil, ""},
		{"inline disposition over text", "text/plain", "", "inline", "Hello.\r\n", nil, ""},
		{"message/rfc822 holding a multipart message", "message/rfc822", "", "", "Content-Type: multipart/mixed; boundary=b1\r\n\r\n" + mixed, nil, ""},

		// What a forger makes of the same bytes.
		{"boundary makes the sender's words a preamble", "multipart/mixed; boundary=\"---Original Message-----\"", "", "", quoted,
			[]string{ctField, ctField}, "preamble"},
		{"boundary pushes the attachment into the epilogue", "multipart/mixed; boundary=b2", "", "",
			"--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n" + alternative + "\r\n" + mixed[strings.Index(mixed, "--b1\r\nContent-Type: application"):],
			[]string{ctField, ctField}, "epilogue"},
		{"one changed character: no part found", "multipart/mixed; boundary=b3", "", "", mixed, []string{ctField}, `delimited by "b1"`},
		{"boundary in another case: no part found", "multipart/mixed; boundary=B1", "", "", mixed, []string{ctField}, "matches no delimiter line"},
		{"no boundary at all", "multipart/mixed", "", "", mixed, []string{ctField}, "no boundary"},
		{"two boundaries", "multipart/mixed; boundary=b1; boundary=b3", "", "", mixed, []string{ctField}, "two different boundaries"},
		{"part with no header", "multipart/mixed; boundary=b1", "", "", "--b1\r\nHello.\r\n--b1--\r\n", []string{ctField}, "not with a header"},
		{"part with an empty header", "multipart/mixed; boundary=b1", "", "", "--b1\r\n\r\nHello.\r\n--b1--\r\n", nil, ""},
		{"PGP/MIME preamble note", `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary=b1`, "", "",
			"This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b1\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nx\r\n-----END PGP SIGNATURE-----\r\n--b1--\r\n", nil, ""},
		{"mixed relabelled as signed", `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary=b1`, "", "", mixed, []string{ctField}, "multipart/signed"},
		{"two text parts relabelled as alternative", "multipart/alternative; boundary=b1", "", "",
			"--b1\r\nContent-Type: text/plain\r\n\r\nThis is a scam.\r\n--b1\r\nContent-Type: text/plain\r\n\r\nWire the money.\r\n--b1--\r\n", []string{ctField}, "both text/plain"},
		{"related with a start parameter", `multipart/related; start="<b@x>"; boundary=b1`, "", "", mixed, []string{ctField}, "start parameter"},
		{"digest over text parts", "multipart/digest; boundary=b1", "", "", mixed, []string{ctField}, "multipart/digest"},
		{"encrypted over text", "multipart/encrypted; boundary=b1", "", "", mixed, []string{ctField}, "multipart/encrypted"},
		{"boundary given plainly and in RFC 2231 form", "multipart/mixed; boundary=\"b1\"; boundary*=us-ascii''XYZ", "", "", mixed, []string{ctField}, "two different boundaries"},
		{"charset given plainly and in RFC 2231 form", "text/plain; charset=utf-8; charset*=us-ascii''iso-8859-1", "", "", "Hi\r\n", []string{ctField}, "two different charsets"},
		{"html over plain text", "text/html; charset=us-ascii", "", "", "The board has <not> approved the merger.\r\n", []string{ctField}, "no HTML markup"},
		{"html", "text/html; charset=us-ascii", "", "", "<p>The board has approved the merger.</p>\r\n", nil, ""},
		{"part header ended by a line of spaces", "multipart/mixed; boundary=b1", "", "",
			"--b1\r\nContent-Type: text/plain\r\n \r\nWarning: this is a scam.\r\n\r\nWire the money.\r\n--b1--\r\n", []string{bodyStructure}, "line of spaces"},
		{"ebcdic", "text/plain; charset=ibm500", "", "", "Hello\r\n", []string{ctField}, "other characters"},
		{"utf-32", "text/plain; charset=utf-32", "", "", "Hello\r\n", []string{ctField}, "other characters"},
		{"disposition with a duplicate parameter", "text/plain", "", "attachment; filename=a; filename=b", "Hi\r\n", []string{"content-disposition"}, "attachment"},
		{"base64 in chunks, padded mid-stream", "text/plain; charset=utf-8", "base64", "", "SGk=\r\nQm9i\r\n", nil, ""},
		{"quoted-printable with a stray sign and soft line breaks", "text/html", "quoted-printable", "", "<a href=3D\"x?a=1&b\">link</a> and a long lin=\r\ne\r\n", nil, ""},
		{"no closing delimiter", "multipart/mixed; boundary=b1", "", "", strings.TrimSuffix(mixed, "--b1--\r\n"), []string{ctField}, "closing delimiter"},
		{"mixed made alternative: the text hides behind the attachment", "multipart/alternative; boundary=b1", "", "", mixed, []string{ctField}, "alternative"},
		{"multipart made plain text", "text/plain", "", "", mixed, []string{ctField}, "raw text"},
		{"multipart with its Content-Type removed", "", "", "", "This is a multi-part message in MIME format.\r\n\r\n" + mixed, []string{ctField}, "raw text"},
		{"utf-8 over Latin-1 bytes", "text/plain; charset=utf-8", "8bit", "", "Gr\xfc\xdfe\r\n", []string{ctField}, "not valid UTF-8"},
		{"utf-16 over ASCII", "text/plain; charset=utf-16", "7bit", "", "Pay the invoice.\r\n", []string{ctField}, "other characters"},
		{"utf-7 over ASCII with a plus sign", "text/plain; charset=utf-7", "7bit", "", "Call +44 20 7946 0000.\r\n", []string{ctField}, "other characters"},
		{"EBCDIC over ASCII", "text/plain; charset=ibm037", "7bit", "", "Pay the invoice.\r\n", []string{ctField}, "other characters"},
		{"Latin-1 over UTF-8 text", "text/plain; charset=iso-8859-1", "8bit", "", "Grüße\r\n", []string{ctField}, "UTF-8 text"},
		{"base64 over text", "text/plain", "base64", "", "Pay the invoice by Friday.\r\n", []string{cteField}, "not base64"},
		{"quoted-printable over text with escapes and bare signs", "text/plain", "quoted-printable", "", "Total = 100, ref=4F2A\r\n", []string{cteField}, "never encoded"},
		{"base64 over a multipart body", "multipart/mixed; boundary=b1", "base64", "", mixed, []string{cteField}, "never encoded as a whole"},
		{"the body presented as a file", "text/plain", "", "attachment; filename=invoice.pdf", "Hello.\r\n", []string{cdField}, "attachment"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := mimeFit(tt.ct, tt.cte, tt.cd, []byte(tt.body))
			assert.Equal(t, tt.want, misfitFields(got), "mimeFit(%q, %q, %q): fields; misfits %v", tt.ct, tt.cte, tt.cd, got)
			if tt.wantInReason != "" && len(got) > 0 {
				var reasons []string
				for _, m := range got {
					reasons = append(reasons, m.reason)
				}
				assert.Contains(t, strings.Join(reasons, " | "), tt.wantInReason, "mimeFit(%q, ...): reason", tt.ct)
			}
		})
	}
}

// setField replaces the first field called name in msg's header (all of
// its lines) with "name: value", or adds it on top when msg has none.
func setField(msg []byte, name, value string) []byte {
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	lines := strings.SplitAfter(string(msg[:end+2]), "\r\n")
	for i := 0; i < len(lines); i++ {
		n, _, ok := strings.Cut(lines[i], ":")
		if !ok || !strings.EqualFold(n, name) {
			continue
		}
		j := i + 1
		for j < len(lines) && lines[j] != "" && (lines[j][0] == ' ' || lines[j][0] == '\t') {
			j++
		}
		out := strings.Join(lines[:i], "") + name + ": " + value + "\r\n" + strings.Join(lines[j:], "")
		return append([]byte(out), msg[end+2:]...)
	}
	return prepend(msg, name+": "+value)
}

// A mimeBase is a message signed with the MIME fields left unsigned, as
// Gmail signs, and its Content-Type as the signer wrote it.
type mimeBase struct {
	name     string
	raw      []byte
	mt       string            // the media type
	params   map[string]string // its parameters
	boundary string            // "" for a single part
	text     bool              // a single text part
	others   []string          // lines of the body a forger could name as the boundary ("--" dropped)
}

// contractMessage is the multipart message the regression tests attack:
// the sender's answer, a quoted message below it, and a signed attachment.
func contractMessage() testmail.Message {
	return testmail.Message{
		Subject: "Contract",
		Body: "Bob,\n\nI will not sign this contract.\n\nAlice\n\n-----Original Message-----\nFrom: Bob <bob@example.org>\n" +
			"Subject: Contract\n\nPlease confirm that you accept the contract.\n",
		Attachments: []testmail.Attachment{{Name: "contract.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF-1.4 terms\n"), 20)}},
	}
}

// nestedMessage is a multipart/mixed message holding a multipart/
// alternative (text and HTML) and an attachment, as Gmail sends one.
func nestedMessage() []byte {
	m := testmail.Message{Subject: "Figures", Body: "x"}.Bytes()
	body := "--outer-b1x\r\nContent-Type: multipart/alternative; boundary=\"inner-b2y\"\r\n\r\n" +
		"--inner-b2y\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\nThe figures are attached.\r\n\r\n" +
		"--inner-b2y\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div>The figures are attached.</div>\r\n\r\n--inner-b2y--\r\n" +
		"--outer-b1x\r\nContent-Type: application/pdf; name=\"figures.pdf\"\r\nContent-Disposition: attachment; filename=\"figures.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKZmlndXJlcwo=\r\n--outer-b1x--\r\n"
	m = testmail.ReplaceBody(m, body)
	m = setField(m, "Content-Type", `multipart/mixed; boundary="outer-b1x"`)
	return setField(m, "Content-Transfer-Encoding", "7bit")
}

// mimeBases are the signed messages the MIME properties edit.
func mimeBases(t *testing.T) []mimeBase {
	utf8Text := setField(setField(testmail.Message{Subject: "Grüße", Body: "Grüße aus Köln, Bob. Call +49 221 555 0100.\n"}.Bytes(),
		"Content-Type", `text/plain; charset="utf-8"`), "Content-Transfer-Encoding", "8bit")
	return []mimeBase{
		{name: "mixed with attachment", raw: signRaw(t, contractMessage().Bytes(), "rsa2048", nil), mt: "multipart/mixed",
			params: map[string]string{"boundary": "=_testmail_boundary_0001"}, boundary: "=_testmail_boundary_0001", others: []string{"---Original Message-----"}},
		{name: "nested alternative", raw: signRaw(t, nestedMessage(), "rsa2048", nil), mt: "multipart/mixed",
			params: map[string]string{"boundary": "outer-b1x"}, boundary: "outer-b1x", others: []string{"inner-b2y"}},
		{name: "utf-8 text", raw: signRaw(t, utf8Text, "rsa2048", nil), mt: "text/plain", params: map[string]string{"charset": "utf-8"}, text: true},
	}
}

// TestMIMEMismatchNeverAuthentic holds each attack on the unsigned MIME
// fields of a signed message: the signed bytes are untouched, what a
// reader sees is not, and the verdict says so.
func TestMIMEMismatchNeverAuthentic(t *testing.T) {
	mixed := signRaw(t, contractMessage().Bytes(), "rsa2048", nil)
	nested := signRaw(t, nestedMessage(), "rsa2048", nil)
	latin1 := signRaw(t, setField(setField(testmail.Message{Subject: "Gruss", Body: "Gr\xfc\xdfe, Bob.\n"}.Bytes(),
		"Content-Type", "text/plain; charset=iso-8859-1"), "Content-Transfer-Encoding", "8bit"), "rsa2048", nil)
	utf8Text := mimeBases(t)[2].raw
	plain := signRaw(t, testmail.Message{Subject: "Total", Body: "Total = 100 USD, ref=4F2A.\n"}.Bytes(), "rsa2048", nil)
	for _, base := range [][]byte{mixed, nested, latin1, utf8Text, plain} {
		a := checkCase(t, verdictCase{m: asEML(base)})
		require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: the unedited message is authentic: %s %v", a.Summary, codesOf(a))
		require.NotContains(t, codesOf(a), "coverage.mime_mismatch", "precondition: the unedited message fits")
	}
	for _, tt := range []struct {
		name         string
		raw          []byte
		field        string // the header name the evidence names
		wantInReason string
	}{
		{"boundary makes the sender's words an invisible preamble", setField(mixed, "Content-Type", `multipart/mixed; boundary="---Original Message-----"`), "Content-Type", "preamble"},
		{"boundary pushes the signed attachment into the epilogue", setField(nested, "Content-Type", `multipart/mixed; boundary="inner-b2y"`), "Content-Type", "epilogue"},
		{"one changed character: the attachment vanishes", setField(mixed, "Content-Type", `multipart/mixed; boundary="=_testmail_boundary_0002"`), "Content-Type", "matches no delimiter line"},
		{"mixed made alternative: the text hides", setField(mixed, "Content-Type", `multipart/alternative; boundary="=_testmail_boundary_0001"`), "Content-Type", "alternative"},
		{"multipart made plain text", setField(mixed, "Content-Type", `text/plain; charset="us-ascii"`), "Content-Type", "raw text"},
		{"utf-8 declared over Latin-1 bytes", setField(latin1, "Content-Type", "text/plain; charset=utf-8"), "Content-Type", "not valid UTF-8"},
		{"Latin-1 declared over UTF-8 text", setField(utf8Text, "Content-Type", "text/plain; charset=iso-8859-1"), "Content-Type", "UTF-8 text"},
		{"utf-16 declared over ASCII", setField(plain, "Content-Type", "text/plain; charset=utf-16"), "Content-Type", "other characters"},
		{"utf-7 declared over a plus sign", setField(utf8Text, "Content-Type", "text/plain; charset=utf-7"), "Content-Type", "UTF-8 text"},
		{"base64 declared over text", setField(plain, "Content-Transfer-Encoding", "base64"), "Content-Transfer-Encoding", "not base64"},
		{"quoted-printable declared over text with = signs", setField(plain, "Content-Transfer-Encoding", "quoted-printable"), "Content-Transfer-Encoding", "never encoded"},
		{"base64 declared over the multipart body", setField(mixed, "Content-Transfer-Encoding", "base64"), "Content-Transfer-Encoding", "never encoded as a whole"},
		{"the text presented as a file", setField(plain, "Content-Disposition", "attachment; filename=invoice.pdf"), "Content-Disposition", "attachment"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := checkCase(t, verdictCase{m: asEML(tt.raw)})
			assertWellFormed(t, a)
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, a.Summary, "does not fit", "the summary says why")
			var found bool
			for _, e := range a.Evidence {
				if e.Code == "coverage.mime_mismatch" && strings.Contains(e.Message, tt.field) && strings.Contains(e.Message, tt.wantInReason) {
					found = true
				}
			}
			assert.True(t, found, "coverage.mime_mismatch names %s and %q: %v", tt.field, tt.wantInReason, a.Evidence)
			assert.Equal(t, BodyFull, a.Coverage.Body, "the body bytes stay proven")
			assert.Equal(t, "example.com", a.Signer, "the signature that proves the bytes is named")
			for _, at := range a.Coverage.Attachments {
				assert.False(t, at.Covered, "%s: no attachment is covered when the structure is not proven", at.Name)
			}
			assert.Contains(t, strings.Join(a.Explanation.Proven, " "), "Not proven: the body as a mail client shows it", "explain says what is not proven")
		})
	}

	t.Run("a signed Content-Type needs no check: the edit breaks the signature", func(t *testing.T) {
		signedCT := signRaw(t, contractMessage().Bytes(), "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}})
		a := checkCase(t, verdictCase{m: asEML(signedCT)})
		require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: authentic")
		a = checkCase(t, verdictCase{m: asEML(setField(signedCT, "Content-Type", `multipart/mixed; boundary="---Original Message-----"`))})
		assert.Equal(t, VerdictAltered, a.Verdict, "a signed Content-Type changed is an alteration")
	})
	t.Run("a signed Content-Type over a body that fits it oddly stays authentic", func(t *testing.T) {
		// The signer vouches for the field: whatever reading it gives is
		// the sender's own.
		msg := setField(testmail.Message{Subject: "Odd", Body: "Pay the invoice.\n"}.Bytes(), "Content-Type", "text/plain; charset=utf-16")
		a := checkCase(t, verdictCase{m: asEML(signRaw(t, msg, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}}))})
		assert.Equal(t, VerdictAuthentic, a.Verdict, "signed MIME fields are not checked: %s %v", a.Summary, codesOf(a))
		assert.NotContains(t, codesOf(a), "coverage.mime_mismatch", "no mismatch for a signed field")
	})
}

// TestSealerWordNeedsTheBodyView: a trusted sealer vouches for the body
// bytes it saw, not for a MIME field its ARC-Message-Signature leaves
// unsigned; with one that does not fit, rule 3 gives no authentic verdict
// either, and the message is judged as if no sealer were trusted.
func TestSealerWordNeedsTheBodyView(t *testing.T) {
	// A list added a footer after the author signed, then sealed.
	listed := append(signRaw(t, baseBytes(nil), "rsa2048", nil), "-- \r\nSent through the board list\r\n"...)
	sealed := sealWith(t, listed, &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	trusted := []string{"example.org"}
	a := checkCase(t, verdictCase{m: asEML(sealed), trusted: trusted})
	require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: the sealer's word makes it authentic: %s %v", a.Summary, codesOf(a))

	a = checkCase(t, verdictCase{m: asEML(setField(sealed, "Content-Type", "text/plain; charset=utf-16")), trusted: trusted})
	assertWellFormed(t, a)
	// Without the sealer's word, the author's signature over a body the
	// list changed decides, as it does when the sealer is not trusted.
	assert.Equal(t, VerdictAltered, a.Verdict, "an unsigned charset that reads the bytes as other text: %s %v", a.Summary, codesOf(a))
	assert.Contains(t, codesOf(a), "coverage.mime_mismatch", "the misfit is named")
	assert.NotContains(t, codesOf(a), "arc.trusted_sealer", "the sealer's word is not taken")
}

// contentTypeValue writes mt with params in one of the ways mailers write
// the same value: case of the type and the parameter names, quoting,
// white space, folding, order, extra parameters.
func contentTypeValue(rng *rand.Rand, mt string, params map[string]string) string {
	switch rng.IntN(3) {
	case 1: // "Multipart/Mixed"
		typ, sub, _ := strings.Cut(mt, "/")
		mt = strings.ToUpper(typ[:1]) + typ[1:] + "/" + strings.ToUpper(sub[:1]) + sub[1:]
	case 2:
		mt = strings.ToUpper(mt)
	}
	names := make([]string, 0, len(params)+1)
	for n := range params {
		names = append(names, n)
	}
	slices.Sort(names)
	extra := map[string]string{}
	if rng.IntN(2) == 0 {
		if strings.HasPrefix(strings.ToLower(mt), "text/") {
			extra["format"] = "flowed"
		} else {
			extra["type"] = "text/plain"
		}
	}
	for n := range extra {
		names = append(names, n)
	}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	var b strings.Builder
	b.WriteString(mt)
	for _, n := range names {
		v, ok := params[n]
		if !ok {
			v = extra[n]
		}
		b.WriteString([]string{";", "; ", " ;", ";\r\n\t", ";\r\n ", " ;  "}[rng.IntN(6)])
		switch rng.IntN(3) {
		case 1:
			n = strings.ToUpper(n)
		case 2:
			n = strings.ToUpper(n[:1]) + n[1:]
		}
		token := !strings.ContainsAny(v, "()<>@,;:\\\"/[]?= ")
		if token && rng.IntN(2) == 0 {
			b.WriteString(n + "=" + v)
		} else {
			b.WriteString(n + `="` + v + `"`)
		}
	}
	if rng.IntN(4) == 0 {
		b.WriteString(";")
	}
	return b.String()
}

// TestBenignContentTypeStaysAuthentic: the same Content-Type written
// another way (case, quoting, order, folding, white space) never loses
// an authentic verdict.
func TestBenignContentTypeStaysAuthentic(t *testing.T) {
	bases := mimeBases(t)
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 19))
		base := bases[rng.IntN(len(bases))]
		ct := contentTypeValue(rng, base.mt, base.params)
		a := checkCase(t, verdictCase{m: asEML(setField(base.raw, "Content-Type", ct))})
		assert.Equal(t, VerdictAuthentic, a.Verdict, "seed %d, %s, Content-Type %q: %s %v", seed, base.name, ct, a.Summary, codesOf(a))
	}
}

// displayEdit is a change of the unsigned MIME fields of base that changes
// what a reader sees: it returns the fields to set.
func displayEdit(rng *rand.Rand, base mimeBase) (string, map[string]string) {
	params := func(kv ...string) map[string]string {
		p := map[string]string{}
		for k, v := range base.params {
			p[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(p, kv[i])
			} else {
				p[kv[i]] = kv[i+1]
			}
		}
		return p
	}
	set := func(mt string, p map[string]string) map[string]string {
		return map[string]string{"Content-Type": contentTypeValue(rng, mt, p)}
	}
	if base.text {
		switch rng.IntN(6) {
		case 0:
			return "charset utf-16", set(base.mt, params("charset", []string{"utf-16", "utf-16be", "UTF-16LE"}[rng.IntN(3)]))
		case 1:
			return "charset single-byte over UTF-8", set(base.mt, params("charset", []string{"iso-8859-1", "windows-1252", "koi8-r", "iso-8859-7", "gb18030"}[rng.IntN(5)]))
		case 2:
			return "charset ebcdic", set(base.mt, params("charset", "ibm037"))
		case 3:
			return "base64", map[string]string{"Content-Transfer-Encoding": "base64"}
		case 4:
			return "disposition attachment", map[string]string{"Content-Disposition": "attachment; filename=\"note.pdf\""}
		}
		return "charset utf-7", set(base.mt, params("charset", "utf-7"))
	}
	b := base.boundary
	mutate := func() string {
		const bchars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?"
		r := []byte(b)
		i := rng.IntN(len(r))
		switch rng.IntN(4) {
		case 0: // one character changed
			c := bchars[rng.IntN(len(bchars))]
			for c == r[i] {
				c = bchars[rng.IntN(len(bchars))]
			}
			r[i] = c
		case 1: // one character dropped
			r = append(r[:i], r[i+1:]...)
		case 2: // one character added
			r = slices.Insert(r, i, bchars[rng.IntN(len(bchars))])
		default: // a letter's case flipped, or one added
			for j := range r {
				if k := (i + j) % len(r); 'a' <= r[k] && r[k] <= 'z' || 'A' <= r[k] && r[k] <= 'Z' {
					r[k] ^= 0x20
					return string(r)
				}
			}
			r = append(r, 'Q')
		}
		return string(r)
	}
	switch rng.IntN(7) {
	case 0, 1:
		nb := mutate()
		if nb == "" || nb == b {
			nb = b + "x"
		}
		return "boundary " + nb, set(base.mt, params("boundary", nb))
	case 2:
		o := base.others[rng.IntN(len(base.others))]
		return "boundary from the body " + o, set(base.mt, params("boundary", o))
	case 3:
		return "no boundary", set(base.mt, params("boundary", ""))
	case 4:
		return "not multipart", set([]string{"text/plain", "text/html", "application/octet-stream"}[rng.IntN(3)], params("boundary", ""))
	case 5:
		return "encoded as a whole", map[string]string{"Content-Transfer-Encoding": []string{"base64", "quoted-printable"}[rng.IntN(2)]}
	}
	return "disposition attachment", map[string]string{"Content-Disposition": "attachment; filename=\"body.bin\""}
}

// TestMIMEDisplayEditsNeverAuthentic: random edits of the unsigned MIME
// fields that change what a reader sees never give authentic.
func TestMIMEDisplayEditsNeverAuthentic(t *testing.T) {
	bases := mimeBases(t)
	for seed := range uint64(120) {
		rng := rand.New(rand.NewPCG(seed, 1919))
		base := bases[rng.IntN(len(bases))]
		what, fields := displayEdit(rng, base)
		raw := base.raw
		for name, v := range fields {
			raw = setField(raw, name, v)
		}
		a := checkCase(t, verdictCase{m: asEML(raw)})
		if !assert.NotEqual(t, VerdictAuthentic, a.Verdict, "seed %d, %s: %s: %v; %s", seed, base.name, what, fields, a.Summary) {
			continue
		}
		assert.Contains(t, codesOf(a), "coverage.mime_mismatch", "seed %d, %s: %s: %v: the misfit is named", seed, base.name, what, fields)
	}
}

// FuzzMIMEFit checks that mimeFit never panics, that it names only the
// three fields with a one-line reason, and that a Content-Type written
// another way with the same meaning gets the same answer.
func FuzzMIMEFit(f *testing.F) {
	mixed := contractMessage().Bytes()
	_, mixedBody := testmail.Split(mixed)
	_, nestedBody := testmail.Split(nestedMessage())
	f.Add(`multipart/mixed; boundary="=_testmail_boundary_0001"`, "", "", mixedBody)
	f.Add(`multipart/mixed; boundary="outer-b1x"`, "7bit", "", nestedBody)
	f.Add(`multipart/mixed; boundary="inner-b2y"`, "7bit", "", nestedBody)
	f.Add(`multipart/alternative; boundary=x; boundary=y`, "base64", "inline", []byte("--x\r\nA: b\r\n\r\nc\r\n--x--\r\n"))
	f.Add("text/plain; charset=utf-8", "quoted-printable", "attachment", []byte("a=3Db = c\r\n"))
	f.Add("text/plain; charset=utf-16", "base64", "", []byte("SGVsbG8=\r\n"))
	f.Add("text/plain; charset=utf-7", "8bit", "", []byte("+AGEAYgBj-\r\n"))
	f.Add("", "", "", []byte("This is a multi-part message in MIME format.\r\n--q\r\nX: y\r\n\r\n--q--\r\n"))
	f.Fuzz(func(t *testing.T, ct, cte, cd string, body []byte) {
		got := mimeFit(ct, cte, cd, body)
		for _, m := range got {
			if m.field != ctField && m.field != cteField && m.field != cdField && m.field != bodyStructure {
				t.Fatalf("mimeFit(%q, %q, %q): unknown field %q", ct, cte, cd, m.field)
			}
			if m.reason == "" || strings.ContainsAny(m.reason, "\r\n") {
				t.Fatalf("mimeFit(%q, %q, %q): reason %q is not one line", ct, cte, cd, m.reason)
			}
		}
		again := mimeFit(ct, cte, cd, body)
		if fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("mimeFit(%q, ...) is not deterministic: %v then %v", ct, got, again)
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.Contains(mt, "/") {
			return
		}
		if same := mime.FormatMediaType(mt, params); same != "" {
			if other := mimeFit(same, cte, cd, body); fmt.Sprint(other) != fmt.Sprint(got) {
				t.Fatalf("mimeFit(%q) = %v, but the same value written as %q gives %v", ct, got, same, other)
			}
		}
	})
}

// TestStructureHiddenByRelaxedWhitespace: relaxed body canonicalization
// signs a line of spaces as an empty line, so a forger can turn the empty
// line that ends a part's header into one of spaces: a mail client then
// reads the part's first lines as more header fields and hides them. The
// body's bytes still verify, even with Content-Type signed; what a reader
// sees is not proven.
func TestStructureHiddenByRelaxedWhitespace(t *testing.T) {
	h := append(testmail.DefaultHeaders(), "content-type")
	signedMsg := signRaw(t, contractMessage().Bytes(), "rsa2048", &testmail.SignOptions{Headers: h, Canonicalization: "relaxed/relaxed"})
	a := checkCase(t, verdictCase{m: asEML(signedMsg)})
	require.Equal(t, VerdictAuthentic, a.Verdict, "precondition: the unedited message is authentic: %v", codesOf(a))
	body := bytes.Index(signedMsg, []byte("\r\n\r\n")) + 4
	part := bytes.Index(signedMsg[body:], []byte("\r\nContent-Type:")) + body
	end := bytes.Index(signedMsg[part+2:], []byte("\r\n\r\n")) + part + 2
	require.Greater(t, end, part, "precondition: the first part has a header")
	forged := slices.Concat(signedMsg[:end+2], []byte(" "), signedMsg[end+2:])
	a = checkCase(t, verdictCase{m: asEML(forged)})
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "a part header run on over a line of spaces; summary %q; evidence %v", a.Summary, codesOf(a))
	assert.Contains(t, codesOf(a), "coverage.mime_mismatch", "the structure is named")
	assert.Contains(t, a.Summary, "line of spaces", "the summary says why")
}
