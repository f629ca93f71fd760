package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/rawheader"
	"github.com/leakproof/leakproof/internal/testmail"
)

// Red-team tables: messages built to make leakproof say authentic (or
// altered) when it must not. Each row names the verdict the message must
// never get and, where the rules of DESIGN.md fix it, the verdict it gets.

var rtTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// rtSelector is the selector under which rtKeys publishes the rsa2048 key
// for every extra domain a row signs as.
const rtSelector = "rt"

// rtKeys publishes every committed test key at its default name, rsa2048
// under selector rt for each of domains, and the special records the
// tables use (testing, published, weak).
func rtKeys(domains ...string) dkim.KeySource {
	var recs []dkim.KeyRecord
	for _, k := range testmail.Keys() {
		recs = append(recs, dkim.KeyRecord{Domain: k.Domain, Selector: k.Selector, TXT: k.Record(), Source: "rt"})
	}
	k := testmail.MustKey("rsa2048")
	for _, d := range domains {
		recs = append(recs, dkim.KeyRecord{Domain: d, Selector: rtSelector, TXT: k.Record(), Source: "rt"})
	}
	published := dkim.KeyRecord{Domain: "example.com", Selector: "leaked", TXT: testmail.MustKey("rsa2048p").Record(), Source: "rt",
		PrivateKeyPublished: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}
	weak := testmail.MustKey("rsa512")
	recs = append(recs, published,
		dkim.KeyRecord{Domain: "example.com", Selector: "testing", TXT: k.Record() + "; t=y", Source: "rt"},
		dkim.KeyRecord{Domain: "example.com", Selector: "weak", TXT: weak.Record(), Source: "rt"},
	)
	return dkim.NewKeyFile(recs)
}

func rtEML(raw []byte) *archive.Message {
	sum := sha256.Sum256(raw)
	return &archive.Message{File: "rt.eml", Index: 1, Format: "eml", Raw: raw, Size: int64(len(raw)), SHA256: hex.EncodeToString(sum[:])}
}

func rtSign(t *testing.T, msg []byte, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

// rtOn signs msg with rsa2048 as d=domain, s=rt.
func rtOn(t *testing.T, msg []byte, domain string, o *testmail.SignOptions) []byte {
	t.Helper()
	var opts testmail.SignOptions
	if o != nil {
		opts = *o
	}
	opts.Domain, opts.Selector = domain, rtSelector
	return rtSign(t, msg, "rsa2048", &opts)
}

func rtMsg(edit func(*testmail.Message)) []byte {
	m := testmail.Message{Subject: "Deposit", Body: "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"}
	if edit != nil {
		edit(&m)
	}
	return m.Bytes()
}

func rtPrepend(msg []byte, field string) []byte { return append([]byte(field+"\r\n"), msg...) }

// rtInsertBeforeBody puts field at the bottom of the header.
func rtInsertBeforeBody(msg []byte, field string) []byte {
	i := bytes.Index(msg, []byte("\r\n\r\n"))
	out := append([]byte{}, msg[:i+2]...)
	out = append(out, field+"\r\n"...)
	return append(out, msg[i+2:]...)
}

func rtCodes(a *Assessment) []string {
	var out []string
	for _, e := range a.Evidence {
		out = append(out, e.Code)
	}
	return out
}

func rtSigs(a *Assessment) string {
	var b strings.Builder
	for _, s := range a.Signatures {
		fmt.Fprintf(&b, "[d=%s s=%s %s/%s/%s aligned=%v err=%v] ", s.Domain, s.Selector, s.HeaderSignature, s.BodyHash, s.Result, s.Aligned, s.Err)
	}
	return b.String()
}

// rtDomains are the extra signing domains rtKeys publishes rsa2048 for.
var rtDomains = []string{"com", "co.uk", "evil.co.uk", "evil.github.io",
	"example-com.20150623.gappssmtp.com", "example-com.evilcorp.gappssmtp.com",
	"example-com.20150623.gappssmtp.com.evil.example", "mail-bank-com.20150623.gappssmtp.com",
	"Example-Com.20150623.GAPPSSMTP.com", "example.org.evil.example"}

// An rtRow is one red-team message with the verdict it gets and the
// evidence code that must explain it.
type rtRow struct {
	name    string
	m       *archive.Message
	trusted []string // TrustedSealers
	want    Verdict
	code    string
}

func rtCheck(t *testing.T, r rtRow) *Assessment {
	t.Helper()
	c := NewChecker(&Options{Keys: rtKeys(rtDomains...), Time: rtTime, TrustedSealers: r.trusted})
	a := c.Check(t.Context(), r.m)
	require.NoError(t, a.Err, "Check")
	return a
}

// rtSeal adds an ARC set sealed by key.
func rtSeal(t *testing.T, msg []byte, key string, o *testmail.SealOptions) []byte {
	t.Helper()
	out, err := testmail.Seal(msg, testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Seal")
	return out
}

// rtAdversarial are messages made to look more trustworthy than they are:
// none may ever be authentic.
func rtAdversarial(t *testing.T) []rtRow {
	var rows []rtRow
	add := func(name string, want Verdict, code string, raw []byte) {
		rows = append(rows, rtRow{name: name, m: rtEML(raw), want: want, code: code})
	}
	addM := func(name string, want Verdict, code string, m *archive.Message) {
		rows = append(rows, rtRow{name: name, m: m, want: want, code: code})
	}
	addT := func(name string, want Verdict, code string, raw []byte) {
		rows = append(rows, rtRow{name: name, m: rtEML(raw), trusted: []string{"example.org"}, want: want, code: code})
	}
	const (
		altered = VerdictAltered
		unverif = VerdictUnverifiable
		dupFrom = "header.unsigned_duplicate_from"
		notOne  = "identity.from_not_single_mailbox"
	)
	base := rtMsg(nil)
	good := rtSign(t, base, "rsa2048", nil)
	from := func(f string) []byte {
		return rtSign(t, rtMsg(func(m *testmail.Message) { m.From = f }), "rsa2048", nil)
	}

	// A second From the verifier and a mail client may read differently.
	add("lower-case from: prepended", altered, dupFrom, rtPrepend(good, "from: CEO <ceo@example.com>"))
	add("upper-case FROM: prepended", altered, dupFrom, rtPrepend(good, "FROM: CEO <ceo@example.com>"))
	add("From<TAB>: prepended", altered, "header.space_before_colon", rtPrepend(good, "From\t: CEO <ceo@example.com>"))
	add("From : prepended", altered, "header.space_before_colon", rtPrepend(good, "From : ceo@example.com"))
	add("From with its value folded onto the next line, prepended", altered, dupFrom, rtPrepend(good, "From:\r\n CEO <ceo@example.com>"))
	add("From name folded onto the next line, prepended", altered, "header.folded_name", rtPrepend(good, "From\r\n : ceo@example.com"))
	add("From behind a leading space on the first line", altered, "header.leading_whitespace", rtPrepend(good, " From: ceo@example.com"))
	add("From appended below the signed From", altered, "dkim.header_signature_invalid", rtInsertBeforeBody(good, "From: CEO <ceo@example.com>"))
	add("bare LF hides a From inside an unsigned field", altered, dupFrom, rtPrepend(good, "X-Note: x\nFrom: CEO <ceo@example.com>"))
	add("NUL in an unsigned field above a From", altered, dupFrom, rtPrepend(good, "X-Note: x\x00\r\nFrom: CEO <ceo@example.com>"))
	add("whitespace-only line in the header, From above it", altered, dupFrom, rtPrepend(good, "From: CEO <ceo@bank.example>\r\nX: y\r\n "))
	add("whitespace-only line in the header, From below it", altered, "dkim.header_signature_invalid", rtInsertBeforeBody(good, " \r\nFrom: CEO <ceo@bank.example>"))
	add("oversigned From, From prepended", altered, "dkim.header_signature_invalid",
		rtPrepend(rtSign(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "from", "to", "subject"}}), "From: ceo@example.com"))
	add("h= names From in mixed case, From prepended", altered, dupFrom,
		rtPrepend(rtSign(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"From", "To"}}), "From: ceo@example.com"))

	// Other displayed fields.
	add("Subject prepended", altered, "header.unsigned_duplicate_subject", rtPrepend(good, "Subject: Deposit cancelled"))
	add("To prepended", altered, "header.unsigned_duplicate_to", rtPrepend(good, "To: everyone@example.com"))
	add("Date prepended", altered, "header.unsigned_duplicate_date", rtPrepend(good, "Date: Wed, 2 Mar 2016 10:00:00 +0000"))
	add("Message-ID prepended", altered, "header.unsigned_duplicate_message_id", rtPrepend(good, "Message-ID: <other@example.com>"))
	add("Cc added where h= signs an absent Cc", altered, "dkim.header_signature_invalid",
		rtPrepend(rtSign(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject"}}), "Cc: everyone@example.com"))
	add("Reply-To prepended above a signed Reply-To", altered, "header.unsigned_duplicate_reply_to",
		rtPrepend(rtSign(t, rtMsg(func(m *testmail.Message) { m.Extra = []testmail.Field{{Name: "Reply-To", Value: "alice@example.com"}} }), "rsa2048",
			&testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "reply-to"}}), "Reply-To: mallory@evil.example"))

	// Bytes readers take differently, and MIME fields that change what the
	// signed body shows.
	add("lone CR hides a From inside an unsigned field", unverif, "header.lone_cr", rtPrepend(good, "X-Note: x\rFrom: CEO <ceo@example.com>"))
	add("lone CR hides a From just above the signed From", unverif, "header.lone_cr",
		bytes.Replace(good, []byte("\r\nFrom: "), []byte("\r\nX-Note: x\rFrom: CEO <ceo@bank.example>\r\nFrom: "), 1))
	add("unsigned Content-Type prepended", unverif, "header.duplicate_mime_field", rtPrepend(good, "Content-Type: text/html"))
	add("unsigned Content-Type appended below the signed one", unverif, "header.duplicate_mime_field", rtInsertBeforeBody(good, "Content-Type: text/html"))
	add("unsigned Content-Transfer-Encoding added", unverif, "header.duplicate_mime_field", rtPrepend(good, "Content-Transfer-Encoding: base64"))
	add("extra Content-Type above a signed one", altered, "header.unsigned_duplicate_mime",
		rtPrepend(rtSign(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}}), "Content-Type: text/html"))

	// Signed From values that are not one honest mailbox.
	add("NUL inside the signed From", unverif, notOne, from("alice@example.com\x00<ceo@bank.example>"))
	add("address in a comment", unverif, notOne, from("Alice (ceo@bank.example) <alice@example.com>"))
	add("address in a trailing comment", unverif, notOne, from("<alice@example.com> (ceo@bank.example)"))
	add("address in a comment before the local part", unverif, notOne, from("(ceo@bank.example)alice@example.com"))
	add("address in the display name", unverif, notOne, from(`"ceo@bank.example" <alice@example.com>`))
	add("address without a dot in the display name", unverif, notOne, from("ceo@bank <alice@example.com>"))
	add("full-width at sign in the display name", unverif, notOne, from("ceo＠bank.example <alice@example.com>"))
	add("encoded address in the display name", unverif, notOne, from("=?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?= <alice@example.com>"))
	add("encoded-word addr-spec", unverif, notOne, from("=?utf-8?q?ceo=40bank.example?="))
	add("group syntax", unverif, notOne, from("Board: alice@example.com;"))
	add("route syntax", unverif, notOne, from("<@evil.example:alice@example.com>"))
	add("quoted local part holding an address", unverif, notOne, from(`"ceo@bank.example"@example.com`))
	add("domain literal", unverif, notOne, from("alice@[192.0.2.1]"))
	add("comment between @ and the domain", unverif, notOne, from("alice@(bank.example)example.com"))
	add("comment between @ and the domain in angle brackets", unverif, notOne, from("Alice <alice@ (bank.example) example.com>"))
	add("comment between the local part and @", unverif, notOne, from("alice(bank.example)@example.com"))
	add("trailing dot on the From domain", unverif, notOne, from("alice@example.com."))
	add("text after the angle address", unverif, notOne, from("<alice@example.com> ceo@bank.example"))
	add("two angle addresses", unverif, notOne, from("<alice@example.com><ceo@bank.example>"))
	add("Cyrillic homograph in the From domain", unverif, "identity.idn_from_domain", from("alice@еxample.com"))
	add("From on a bare public suffix", unverif, notOne,
		rtOn(t, rtMsg(func(m *testmail.Message) { m.From = "alice@com" }), "com", nil))

	// Alignment.
	add("punycode From domain, d=example.com", unverif, "dkim.unaligned", from("alice@xn--xample-2of.com"))
	add("d=com", unverif, "dkim.unaligned", rtOn(t, base, "com", nil))
	bank := func(f string) []byte { return rtMsg(func(m *testmail.Message) { m.From = f }) }
	add("d=co.uk for bank.co.uk", unverif, "dkim.unaligned", rtOn(t, bank("alice@bank.co.uk"), "co.uk", nil))
	add("d=evil.co.uk for bank.co.uk", unverif, "dkim.unaligned", rtOn(t, bank("alice@bank.co.uk"), "evil.co.uk", nil))
	add("d=evil.github.io for bank.github.io", unverif, "dkim.unaligned", rtOn(t, bank("alice@bank.github.io"), "evil.github.io", nil))
	add("gappssmtp proxy without a date label", unverif, "dkim.unaligned", rtOn(t, base, "example-com.evilcorp.gappssmtp.com", nil))
	add("gappssmtp proxy name under another domain", unverif, "dkim.unaligned", rtOn(t, base, "example-com.20150623.gappssmtp.com.evil.example", nil))
	add("gappssmtp label ambiguous (mail-bank.com or mail.bank.com)", unverif, "dkim.unaligned",
		rtOn(t, bank("alice@mail-bank.com"), "mail-bank-com.20150623.gappssmtp.com", nil))
	add("d= with a trailing dot", unverif, "dkim.permerror", rtSign(t, base, "rsa2048", &testmail.SignOptions{Domain: "example.com."}))
	add("i= outside d=", unverif, "dkim.permerror", rtSign(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@bank.example"}))
	add("i= that only ends like d=", unverif, "dkim.permerror", rtSign(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@evilexample.com"}))

	add("Sender in the signing domain, From elsewhere", unverif, "dkim.unaligned",
		rtSign(t, rtMsg(func(m *testmail.Message) {
			m.From = "ceo@bank.example"
			m.Extra = []testmail.Field{{Name: "Sender", Value: "alice@example.com"}}
		}), "rsa2048", &testmail.SignOptions{Headers: []string{"from", "sender", "to", "subject"}}))
	add("i= naming the From domain under d=", unverif, "dkim.unaligned",
		rtSign(t, bank("ceo@bank.example"), "rsa2048", &testmail.SignOptions{Identity: "ceo@bank.example.example.com"}))
	add("From on top of 1000 unsigned fields above the signed message", altered, dupFrom,
		append([]byte("From: CEO <ceo@example.com>\r\n"+strings.Repeat("X-Junk: y\r\n", 1000)), good...))
	// F6: provenance reads the header as far as dkim does.
	add("extra Content-Type after 1000 unsigned fields", unverif, "header.duplicate_mime_field",
		rtInsertBeforeBody(good, strings.Repeat("X-Junk: y\r\n", 1000)+"Content-Type: text/html"))
	add("header past the reader's field cap", unverif, "header.too_large",
		rtInsertBeforeBody(good, strings.Repeat("X-Junk: y\r\n", rawheader.DefaultMaxFields)+"Content-Type: text/html"))

	// Tags and body length.
	add("duplicate d= tag", unverif, "dkim.permerror", rtSign(t, base, "rsa2048", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "d", Value: "evil.example"}}}))
	add("duplicate h= tag", unverif, "dkim.permerror", rtSign(t, base, "rsa2048", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "h", Value: "to"}}}))
	add("l=0", altered, "dkim.text_past_body_length", rtSign(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.ZeroLength}))
	lw := rtSign(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("text appended past l=", altered, "dkim.text_past_body_length", append(bytes.Clone(lw), "P.S. new account 66-6666\r\n"...))
	lws := rtSign(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody, Canonicalization: "simple/simple"})
	add("spaces appended past l= under simple", altered, "dkim.text_past_body_length", append(bytes.Clone(lws), "   \r\n"...))
	mp := rtMsg(func(m *testmail.Message) {
		m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
	})
	mpl := rtSign(t, mp, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("MIME part appended after the closing boundary, past l=", altered, "dkim.text_past_body_length",
		append(bytes.Clone(mpl), "\r\n--leakproof-boundary\r\nContent-Type: text/plain\r\n\r\nNew account 66-6666\r\n"...))
	emptyBH := sha256.Sum256([]byte("\r\n"))
	add("bh= of the empty body on a non-empty message", altered, "dkim.body_hash_mismatch",
		rtSign(t, base, "rsa2048", &testmail.SignOptions{BodyHash: base64.StdEncoding.EncodeToString(emptyBH[:])}))

	// Keys that prove nothing, alone or beside an unaligned strong pass.
	add("published key", unverif, "dkim.key_published", rtSign(t, base, "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}))
	add("testing key", unverif, "dkim.key_testing", rtSign(t, base, "rsa2048", &testmail.SignOptions{Selector: "testing"}))
	add("512-bit key at the From domain", unverif, "dkim.key_weak", rtSign(t, base, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}))
	add("aligned weak key beside an unaligned strong pass", unverif, "dkim.key_weak",
		rtSign(t, rtSign(t, base, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}), "rsa1024", nil))
	add("aligned published key beside an unaligned strong pass", unverif, "dkim.key_published",
		rtSign(t, rtSign(t, base, "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}), "rsa1024", nil))

	// Signatures that are not where a verifier looks.
	add("Authentication-Results dkim=pass on an unsigned message", unverif, "authres.unmatched_pass",
		rtPrepend(base, "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048"))
	add("DKIM-Signature in the body", unverif, "dkim.none", rtMsg(func(m *testmail.Message) {
		f, err := testmail.SignatureField(rtMsg(nil), testmail.MustKey("rsa2048"), nil)
		require.NoError(t, err, "SignatureField")
		m.Body = f + "\nhello\n"
	}))
	// F13: a second aligned (or unaligned) signature proves a change that
	// the narrower passing one does not cover.
	twice := rtSign(t, rtSign(t, base, "rsa2048", nil), "ed25519", &testmail.SignOptions{Headers: []string{"from"}})
	add("Subject changed under a second, narrower aligned signature", altered, "dkim.wider_signature_fails",
		bytes.Replace(twice, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1))
	esp := rtSign(t, rtSign(t, base, "rsa1024", nil), "rsa2048", &testmail.SignOptions{Headers: []string{"from"}})
	add("Subject changed under an ESP signature, aligned one signs From only", altered, "dkim.header_signature_invalid",
		bytes.Replace(esp, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1))

	many := good
	for i := range 16 {
		many = rtPrepend(many, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	add("the only passing signature is past the cap", unverif, "dkim.skipped", many)

	// mbox escaping: ">From : x" unescapes to a From field.
	fromLine := rtMsg(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the desk: yes.\n\nAlice\n" })
	fs := rtSign(t, fromLine, "rsa2048", nil)
	rdStored := bytes.ReplaceAll(testmail.LF(fs), []byte("\nFrom the"), []byte("\n>From the"))
	smuggled := append([]byte(">From : CEO <ceo@bank.example>\n"), rdStored...)
	add(".eml cut from an mboxrd file, >From : in the header", altered, "header.space_before_colon", smuggled)
	for _, f := range []archive.Format{"mboxrd", "mboxo", "mbox"} {
		addM(f.String()+" message with >From : in the header", altered, "header.space_before_colon",
			&archive.Message{File: "a.mbox", Index: 1, Format: f, Raw: smuggled})
	}
	changed := bytes.Replace(fs, []byte("yes."), []byte("no."), 1)
	add("changed body whose From line an unescape repair could touch", altered, "dkim.body_hash_mismatch",
		bytes.ReplaceAll(changed, []byte("\r\nFrom the"), []byte("\r\n>From the")))
	addM("changed body in an ambiguous mbox", altered, "dkim.body_hash_mismatch",
		&archive.Message{File: "a.mbox", Index: 1, Format: "mbox", Raw: testmail.LF(bytes.ReplaceAll(changed, []byte("\r\nFrom the"), []byte("\r\n>From the")))})

	// ARC, with example.org trusted.
	listed := append(bytes.Clone(good), "-- \r\nlist footer\r\n"...)
	rec := "mx.example.org; dkim=pass header.d=example.com header.s=s2048"
	sealed := rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec})
	addT("sealer whose name starts with the trusted one", altered, "arc.aar_pass_now_fails",
		rtSeal(t, listed, "rsa2048", &testmail.SealOptions{AuthResults: rec, Domain: "example.org.evil.example", Selector: rtSelector}))
	addT("trusted chain, From prepended after sealing", altered, notOne, rtPrepend(sealed, "From: CEO <ceo@example.com>"))
	addT("trusted chain, body changed after sealing", altered, "arc.chain_fail", bytes.Replace(sealed, []byte("list footer"), []byte("new account"), 1))
	for _, aar := range []string{
		"mx.example.org; dkim=fail (was pass) header.d=example.com",
		"mx.example.org; dkim=pass header.d=evil.example (header.d=example.com)",
		`mx.example.org; dkim=fail reason="dkim=pass header.d=example.com" header.d=example.com`,
		"mx.example.org; spf=pass smtp.mailfrom=example.com",
		"mx.example.org; dkim=pass header.d=example.com.evil.example",
		"mx.example.org; dkim=pass header.d=com",
	} {
		addT("trusted chain records "+aar, altered, "dkim.body_hash_mismatch", rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: aar}))
	}
	noFrom := rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: []string{"to", "subject", "date"}})
	addT("trusted AMS without From, From rewritten after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(noFrom, []byte("From: Alice Example <alice@example.com>"), []byte("From: Chief Executive <ceo@example.com>"), 1))
	addT("trusted AMS without From", altered, "dkim.body_hash_mismatch", noFrom)
	addT("trusted chain, lone CR hides a From added after sealing", altered, "header.lone_cr", rtPrepend(sealed, "X-Note: x\rFrom: CEO <ceo@example.com>"))
	addT("trusted chain, Content-Type added after sealing", altered, "header.duplicate_mime_field", rtPrepend(sealed, "Content-Type: text/html"))
	addT("trusted chain, leading whitespace added after sealing", altered, "header.leading_whitespace", rtPrepend(sealed, " X-A: b"))
	// F8: the trusted AMS picks its instances bottom up, like DKIM.
	addT("trusted chain, Subject prepended after sealing", altered, "header.unsigned_duplicate_subject", rtPrepend(sealed, "Subject: Deposit cancelled"))
	addT("trusted chain, To prepended after sealing", altered, "header.unsigned_duplicate_to", rtPrepend(sealed, "To: everyone@example.com"))
	addT("trusted chain, Date prepended after sealing", altered, "header.unsigned_duplicate_date", rtPrepend(sealed, "Date: Wed, 2 Mar 2016 10:00:00 +0000"))
	nosig := rtSeal(t, append(rtMsg(nil), "-- \r\nfooter\r\n"...), "rsa2048b", &testmail.SealOptions{AuthResults: rec})
	addT("trusted chain without DKIM, Subject prepended after sealing", altered, "header.unsigned_duplicate_subject", rtPrepend(nosig, "Subject: Deposit cancelled"))
	addT("untrusted set sealed on top of a trusted one", altered, "arc.aar_pass_now_fails", rtSeal(t, sealed, "rsa2048", &testmail.SealOptions{AuthResults: rec}))
	// Red team 4, R3: what the trusted AMS does not protect may have been
	// changed after sealing.
	withL := rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, BodyLength: testmail.WholeBody})
	addT("trusted AMS with l=, text appended after sealing", altered, "dkim.body_hash_mismatch", append(bytes.Clone(withL), "P.S. Use account 98-7654-321.\r\n"...))
	// Red team 5, F1, F2: a signature with a key that fails now over a
	// field the trusted AMS leaves out shows a change after sealing,
	// aligned or not, the field edited or deleted.
	withCc := rtMsg(func(m *testmail.Message) {
		m.Extra = append(m.Extra, testmail.Field{Name: "Cc", Value: "carol@example.net"})
	})
	amsNoCc := []string{"from", "to", "subject", "date", "message-id"}
	ccSigned := rtSign(t, withCc, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject", "date", "message-id"}})
	ccSealed := rtSeal(t, ccSigned, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: amsNoCc})
	addT("trusted AMS without Cc, aligned signature's Cc deleted after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(ccSealed, []byte("Cc: carol@example.net\r\n"), nil, 1))
	espCc := rtSign(t, rtSign(t, withCc, "rsa2048", &testmail.SignOptions{Selector: "nokey"}), "rsa1024",
		&testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject", "date", "message-id"}})
	espSealed := rtSeal(t, espCc, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=nokey", Headers: amsNoCc})
	addT("trusted AMS without Cc, an ESP's signature shows Cc edited after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(espSealed, []byte("Cc: carol@example.net"), []byte("Cc: mallory@evil.example"), 1))
	// Red team 6, B4: any field a keyed failing signature covers, Sender
	// as much as Cc.
	withSender := rtMsg(func(m *testmail.Message) {
		m.Extra = append(m.Extra, testmail.Field{Name: "Sender", Value: "alice@example.com"})
	})
	senderSealed := rtSeal(t, rtSign(t, withSender, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "sender", "to", "subject", "date", "message-id"}}),
		"rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: amsNoCc})
	addT("trusted AMS without Sender, Sender edited after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(senderSealed, []byte("Sender: alice@example.com"), []byte("Sender: mallory@evil.example"), 1))
	// Red team 6, B6: a record the same set contradicts, or a pass for a
	// signature the message does not carry, is not taken at its word.
	unsignedBody := append(rtMsg(nil), "-- \r\nfooter\r\n"...)
	addT("trusted record of a pass for a signature the message lacks", unverif, "arc.chain_pass",
		rtSeal(t, unsignedBody, "rsa2048b", &testmail.SealOptions{AuthResults: rec}))
	// Red team 9: one CR slipped in before a header line's end is no
	// text-mode copy: many readers end the header there.
	partialCR := bytes.Replace(rtSign(t, base, "rsa2048", nil), []byte("\r\nDate:"), []byte("\r\r\nDate:"), 1)
	add("one doubled CR in the header, not a text-mode copy", altered, "header.lone_cr", partialCR)
	// Red team 7, C2: a junk signature added after sealing does not stand
	// in for the one the record speaks of: the AMS does not cover it.
	addT("trusted record of a pass, a junk signature added after sealing", unverif, "arc.chain_fail",
		rtPrepend(rtSeal(t, unsignedBody, "rsa2048b", &testmail.SealOptions{AuthResults: rec}),
			"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2048; h=from; bh=AAAA; b=AAAA"))
	addT("trusted record that says dkim=pass and dmarc=fail", altered, "dkim.body_hash_mismatch",
		rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec + "; dmarc=fail header.from=example.com"}))
	noSubject := rtSeal(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: []string{"from", "to", "date", "message-id"}})
	addT("trusted AMS without Subject, Subject edited after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(noSubject, []byte("Subject: "), []byte("Subject: Wire the money today - "), 1))
	return rows
}

// TestRedTeamNeverAuthentic: no adversarial message is authentic, and each
// gets the verdict DESIGN.md's rules give it, with evidence saying why.
func TestRedTeamNeverAuthentic(t *testing.T) {
	for _, r := range rtAdversarial(t) {
		t.Run(r.name, func(t *testing.T) {
			a := rtCheck(t, r)
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "an adversarial message is never authentic; summary %q; evidence %v; %s", a.Summary, rtCodes(a), rtSigs(a))
			assert.Equal(t, r.want, a.Verdict, "verdict; summary %q; evidence %v; %s", a.Summary, rtCodes(a), rtSigs(a))
			assert.Contains(t, rtCodes(a), r.code, "evidence names the problem")
			assert.NotEmpty(t, a.Summary, "a summary is written")
		})
	}
}

// rtBenign are genuine messages with artifacts of transport, archiving or
// unusual but honest signing: none may be altered, and each is authentic.
func rtBenign(t *testing.T) []rtRow {
	var rows []rtRow
	add := func(name, code string, raw []byte) {
		rows = append(rows, rtRow{name: name, m: rtEML(raw), want: VerdictAuthentic, code: code})
	}
	addM := func(name, code string, m *archive.Message) {
		rows = append(rows, rtRow{name: name, m: m, want: VerdictAuthentic, code: code})
	}
	base := rtMsg(nil)
	good := rtSign(t, base, "rsa2048", nil)
	from := func(f string) []byte {
		return rtSign(t, rtMsg(func(m *testmail.Message) { m.From = f }), "rsa2048", nil)
	}
	add("plain signed message", "dkim.pass", good)
	add("8-bit display name", "dkim.pass", from("Ålice Ëxample <alice@example.com>"))
	add("display name naming another organization (no address)", "dkim.pass", from("Bank Example Support <alice@example.com>"))
	add("upper-case From address", "dkim.pass", from("Alice <ALICE@EXAMPLE.COM>"))
	add("signed From folded onto the next line", "dkim.pass", from("Alice Example\r\n <alice@example.com>"))
	add("signed From with a quoted display name holding a comma", "dkim.pass", from(`"Example, Alice" <alice@example.com>`))
	add("signed From with an encoded display name", "dkim.pass", from("=?utf-8?q?=C3=85lice?= <alice@example.com>"))
	add("unsigned Reply-To added where h= has none", "header.unsigned_field", rtPrepend(good, "Reply-To: list@example.org"))
	add("unsigned Cc added where h= has none", "header.unsigned_field", rtPrepend(good, "Cc: list@example.org"))
	add("Sender added", "dkim.pass", rtPrepend(good, "Sender: list@example.org"))
	add("Resent-From added", "dkim.pass", rtPrepend(good, "Resent-From: archive@example.org"))
	add("h= in upper case", "dkim.pass", rtSign(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"FROM", "To", "Subject", "Date", "Message-ID"}}))
	add("d= in upper case", "dkim.pass", rtSign(t, base, "rsa2048", &testmail.SignOptions{Domain: "EXAMPLE.COM"}))
	add("Google Workspace proxy signature", "dkim.pass", rtOn(t, base, "example-com.20150623.gappssmtp.com", nil))
	add("Google Workspace proxy signature in mixed case", "dkim.pass", rtOn(t, base, "Example-Com.20150623.GAPPSSMTP.com", nil))
	add("i= in a subdomain of d=", "dkim.pass", rtSign(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@mail.example.com"}))
	add("i= in upper case", "dkim.pass", rtSign(t, base, "rsa2048", &testmail.SignOptions{Identity: "Alice@EXAMPLE.com"}))
	lw := rtSign(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("whitespace-only lines past l= under relaxed", "dkim.body_length_limit", append(bytes.Clone(lw), " \t \r\n\r\n   \r\n"...))
	add("blank lines added at the end (simple)", "dkim.pass", append(rtSign(t, base, "rsa2048", &testmail.SignOptions{Canonicalization: "simple/simple"}), "\r\n\r\n"...))
	add("multipart with an attachment", "dkim.pass", rtSign(t, rtMsg(func(m *testmail.Message) {
		m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
	}), "rsa2048", nil))
	add("header-only message", "dkim.pass", rtSign(t, []byte("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: x\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <a@example.com>\r\n"), "rsa2048", nil))
	add("dkim-signature field name in lower case", "dkim.pass", bytes.Replace(good, []byte("DKIM-Signature:"), []byte("dkim-signature:"), 1))
	add("rsa-sha1", "dkim.sha1", rtSign(t, base, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}))
	add("pre-RFC draft signature (no v=)", "dkim.draft_signature", rtSign(t, base, "rsa2048", &testmail.SignOptions{Omit: []string{"v"}}))
	add("a receiver's dkim=pass for the passing signature", "authres.recorded",
		rtPrepend(good, "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048"))
	add("a receiver's dkim=fail for the passing signature", "authres.recorded",
		rtPrepend(good, "Authentication-Results: mx.example.org; dkim=fail header.d=example.com header.s=s2048"))
	twoSigs := rtSign(t, rtSign(t, base, "rsa2048", nil), "rsa1024", nil)
	add("unaligned pass above the aligned one", "dkim.pass", twoSigs)
	junkBelow := good
	for i := range 20 {
		junkBelow = rtInsertBeforeBody(junkBelow, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	// Past the cap nothing is authentic (red team 4, R2: junk signatures
	// can push the failure that shows a change past the cap), but junk
	// never makes a genuine message altered either.
	rows = append(rows, rtRow{name: "passing signature on top of twenty broken ones", m: rtEML(junkBelow), want: VerdictUnverifiable, code: "dkim.skipped"})
	add("an untrusted ARC set over a passing signature", "arc.chain_pass",
		rtSeal(t, good, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"}))
	// A real ">From " line alone in an mbox message: the stored bytes are a view.
	quoted := rtSign(t, rtMsg(func(m *testmail.Message) { m.Body = "Bob,\n\n>From your mail: no.\n\nAlice\n" }), "rsa2048", nil)
	addM("a real >From line in an mboxo message", "dkim.pass", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxo", Raw: testmail.LF(quoted)})
	rd := bytes.ReplaceAll(testmail.LF(quoted), []byte("\n>From"), []byte("\n>>From"))
	addM("a real >From line in an mboxrd message", "dkim.pass", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxrd", Raw: rd})
	// An mboxo writer escaped "From the desk" and left a real ">From" line.
	both := rtSign(t, rtMsg(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the desk: yes.\n>From your mail: no.\n\nAlice\n" }), "rsa2048", nil)
	oStored := bytes.ReplaceAll(testmail.LF(both), []byte("\nFrom the"), []byte("\n>From the"))
	for _, f := range []archive.Format{"mboxo", "mbox"} {
		addM("a real >From line and an escaped From line in one "+f.String()+" message", "repair.mbox_ambiguous",
			&archive.Message{File: "a.mbox", Index: 1, Format: f, Raw: oStored})
	}
	rows = append(rows, rtRow{name: "trusted sealer records the aligned pass a list broke", trusted: []string{"EXAMPLE.ORG."}, want: VerdictAuthentic, code: "arc.trusted_sealer",
		m: rtEML(rtSeal(t, append(bytes.Clone(good), "-- \r\nlist footer\r\n"...), "rsa2048b",
			&testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.i=@example.com"}))})
	return rows
}

// TestRedTeamNeverAltered: no benign artifact makes a genuine message
// altered; each stays authentic (but for the signature cap, see above).
func TestRedTeamNeverAltered(t *testing.T) {
	for _, r := range rtBenign(t) {
		t.Run(r.name, func(t *testing.T) {
			a := rtCheck(t, r)
			assert.NotEqual(t, VerdictAltered, a.Verdict, "a benign artifact never makes a message altered; summary %q; evidence %v; %s", a.Summary, rtCodes(a), rtSigs(a))
			assert.Equal(t, r.want, a.Verdict, "verdict; summary %q; evidence %v; %s", a.Summary, rtCodes(a), rtSigs(a))
			assert.Contains(t, rtCodes(a), r.code, "evidence")
			assert.Equal(t, "alice@example.com", a.FromAddress, "from_address is the signed mailbox, lower-cased")
		})
	}
}

// TestRedTeamPolicy: what the policy refuses never makes a message
// authentic, whatever else holds.
func TestRedTeamPolicy(t *testing.T) {
	base := rtMsg(nil)
	for _, tt := range []struct {
		name string
		opts Options
		raw  []byte
		code string
	}{
		{"rsa-sha1 under NoSHA1", Options{NoSHA1: true}, rtSign(t, base, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}), "dkim.sha1_rejected"},
		{"1024-bit key under MinRSABits 2048", Options{MinRSABits: 2048},
			rtSign(t, rtMsg(func(m *testmail.Message) { m.From = "desk@news.example" }), "rsa1024", nil), "dkim.key_weak"},
		{"768-bit key at the default minimum", Options{},
			rtSign(t, rtMsg(func(m *testmail.Message) { m.From = "eve@example.net" }), "rsa768", nil), "dkim.key_weak"},
		{"sealer not trusted when only a sealer with the same suffix is", Options{TrustedSealers: []string{"org"}},
			rtSeal(t, append(rtSign(t, base, "rsa2048", nil), "-- \r\nfooter\r\n"...), "rsa2048b",
				&testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com"}), "arc.aar_pass_now_fails"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Keys, o.Time = rtKeys(), rtTime
			a := NewChecker(&o).Check(t.Context(), rtEML(tt.raw))
			require.NoError(t, a.Err, "Check")
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "the policy refuses this; evidence %v; %s", rtCodes(a), rtSigs(a))
			assert.Contains(t, rtCodes(a), tt.code, "evidence says why")
		})
	}
}

// TestRedTeamKeyRecordOrder: a key archive holding a selector twice, once
// with a record that proves nothing (testing mode, private key published),
// listed first.
func TestRedTeamKeyRecordOrder(t *testing.T) {
	k := testmail.MustKey("rsa2048")
	good := rtSign(t, rtMsg(nil), "rsa2048", nil)
	rec := func(txt string, published bool) dkim.KeyRecord {
		r := dkim.KeyRecord{Domain: "example.com", Selector: "s2048", TXT: txt, Source: "rt"}
		if published {
			r.PrivateKeyPublished = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return r
	}
	for _, tt := range []struct {
		name string
		recs []dkim.KeyRecord
		code string
	}{
		{"published record first", []dkim.KeyRecord{rec(k.Record(), true), rec(k.Record(), false)}, "dkim.key_published"},
		{"testing record first", []dkim.KeyRecord{rec(k.Record()+"; t=y", false), rec(k.Record(), false)}, "dkim.key_testing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewChecker(&Options{Keys: dkim.NewKeyFile(tt.recs), Time: rtTime}).Check(t.Context(), rtEML(good))
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "verdict; evidence %v; %s", rtCodes(a), rtSigs(a))
			assert.Contains(t, rtCodes(a), tt.code, "evidence")
		})
	}
}

// TestRedTeamEveryLetterCounts changes each letter of the signed header
// values and of the body, one at a time, in a genuine message (relaxed and
// simple): no such change may leave the message authentic, and each is
// altered. It also inserts an unsigned, non-displayed field at every field
// boundary: that never makes the message altered.
func TestRedTeamEveryLetterCounts(t *testing.T) {
	c := NewChecker(&Options{Keys: rtKeys(), Time: rtTime})
	for _, canon := range []string{"relaxed/relaxed", "simple/simple"} {
		signedMsg := rtSign(t, rtMsg(nil), "rsa2048", &testmail.SignOptions{Canonicalization: canon})
		a := c.Check(t.Context(), rtEML(signedMsg))
		require.Equal(t, VerdictAuthentic, a.Verdict, "%s: the untouched message is authentic", canon)
		hdrEnd := bytes.Index(signedMsg, []byte("\r\n\r\n")) + 4
		sigEnd := 0 // end of the DKIM-Signature field (its own bytes are tested elsewhere)
		for i := bytes.Index(signedMsg, []byte("\r\n")); i >= 0 && i+2 < len(signedMsg); i = bytes.Index(signedMsg[sigEnd:], []byte("\r\n")) + sigEnd {
			if signedMsg[i+2] != ' ' && signedMsg[i+2] != '\t' {
				sigEnd = i + 2
				break
			}
			sigEnd = i + 2
		}
		signedNames := map[string]bool{"from": true, "to": true, "subject": true, "date": true, "message-id": true}
		changed, inserted := 0, 0
		lineStart := sigEnd
		for pos := sigEnd; pos < len(signedMsg); pos++ {
			if pos > 0 && signedMsg[pos-1] == '\n' {
				lineStart = pos
			}
			b := signedMsg[pos]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
				continue
			}
			if pos < hdrEnd {
				name, _, ok := bytes.Cut(signedMsg[lineStart:], []byte(":"))
				colon := lineStart + len(name)
				if !ok || pos <= colon || !signedNames[strings.ToLower(string(name))] {
					continue // a field name (case-insensitive under relaxed) or an unsigned field
				}
			}
			mutated := bytes.Clone(signedMsg)
			if b == 'x' || b == 'X' {
				mutated[pos] = b - 1
			} else {
				mutated[pos] = b + 1
				if b == 'z' || b == 'Z' {
					mutated[pos] = b - 1
				}
			}
			a := c.Check(t.Context(), rtEML(mutated))
			changed++
			if !assert.Equal(t, VerdictAltered, a.Verdict, "%s: byte %d (%q) changed; evidence %v", canon, pos, b, rtCodes(a)) {
				break
			}
		}
		for pos := 0; pos < hdrEnd-2; pos++ {
			if pos != 0 && signedMsg[pos-1] != '\n' || signedMsg[pos] == ' ' || signedMsg[pos] == '\t' {
				continue
			}
			withField := append(append(bytes.Clone(signedMsg[:pos]), "X-Archived: records office\r\n"...), signedMsg[pos:]...)
			a := c.Check(t.Context(), rtEML(withField))
			inserted++
			if !assert.Equal(t, VerdictAuthentic, a.Verdict, "%s: unsigned field inserted at byte %d; evidence %v", canon, pos, rtCodes(a)) {
				break
			}
		}
		t.Logf("%s: %d letters changed, %d insertion points", canon, changed, inserted)
		assert.Greater(t, changed, 100, "%s: letters changed", canon)
		assert.GreaterOrEqual(t, inserted, 6, "%s: insertion points tried", canon)
	}
}

// TestRedTeamRotatedKeyIsNotAltered: a selector reused for a newer key
// makes the key on file unable to have made the signature; that is no
// evidence of a change (F7), with or without a receiver's record of a pass.
func TestRedTeamRotatedKeyIsNotAltered(t *testing.T) {
	good := rtSign(t, rtMsg(nil), "rsa2048", nil)
	// The selector's newer key (rsa2048b) is the only one on file.
	rotated := dkim.NewKeyFile([]dkim.KeyRecord{{Domain: "example.com", Selector: "s2048", TXT: testmail.MustKey("rsa2048b").Record(), Source: "dns"}})
	withAR := rtPrepend(good, "Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=s2048")
	for _, tt := range []struct {
		name string
		raw  []byte
	}{
		{"genuine message", good},
		{"genuine message with a receiver's dkim=pass", withAR},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewChecker(&Options{Keys: rotated, Time: rtTime}).Check(t.Context(), rtEML(tt.raw))
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictUnverifiable, a.Verdict, "another key under the same selector is not evidence of a change; summary %q; evidence %v; %s", a.Summary, rtCodes(a), rtSigs(a))
			assert.Contains(t, rtCodes(a), "dkim.key_mismatch", "the evidence names the key mismatch")
			assert.NotContains(t, rtCodes(a), "dkim.header_signature_invalid", "no alteration evidence")
			assert.Contains(t, a.Summary, "older key", "the summary says what to look for")
		})
	}
	t.Run("control: the right key, a signed field changed", func(t *testing.T) {
		changed := bytes.Replace(good, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
		a := NewChecker(&Options{Keys: rtKeys(), Time: rtTime}).Check(t.Context(), rtEML(changed))
		require.NoError(t, a.Err, "Check")
		assert.Equal(t, VerdictAltered, a.Verdict, "a changed signed field under the right key is altered")
		assert.Equal(t, ConfidenceHigh, a.Confidence, "confidence of a changed signed field under the right key")
	})
}

// TestRedTeamGarbageSignatureIsNotAlteration: a b= the named key never
// made turns nothing into "altered" (F7, other direction).
func TestRedTeamGarbageSignatureIsNotAlteration(t *testing.T) {
	bogus := rtSign(t, rtMsg(nil), "rsa2048", &testmail.SignOptions{Signature: strings.Repeat("QUJD", 85) + "QQ=="})
	a := rtCheck(t, rtRow{m: rtEML(bogus)})
	assert.Equal(t, VerdictUnverifiable, a.Verdict, "a b= the key never made is not evidence of a change; evidence %v; %s", rtCodes(a), rtSigs(a))
	assert.Contains(t, rtCodes(a), "dkim.key_mismatch", "evidence")
}

// TestRedTeamUnsignedMIMEFieldsMakeNoAttachment: unsigned top-level MIME
// fields never make a covered attachment (F9).
func TestRedTeamUnsignedMIMEFieldsMakeNoAttachment(t *testing.T) {
	body := "Bob, the raw part follows.\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPay 66-6666\r\n--b\r\n" +
		"Content-Type: application/pdf; name=contract.pdf\r\nContent-Disposition: attachment; filename=contract.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n"
	plain := []byte("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: raw\r\n" +
		"Date: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <r@example.com>\r\n\r\n" + body)
	good := rtSign(t, rtMsg(nil), "rsa2048", nil)
	for _, tt := range []struct {
		name string
		raw  []byte
	}{
		{"multipart Content-Type added to a plain message", rtPrepend(rtSign(t, plain, "rsa2048", nil), "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b")},
		{"Content-Disposition added to a plain message", rtPrepend(good, "Content-Disposition: attachment; filename=contract.pdf")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := rtCheck(t, rtRow{m: rtEML(tt.raw)})
			require.NotEmpty(t, a.Coverage.Attachments, "precondition: the unsigned fields make an attachment")
			for _, att := range a.Coverage.Attachments {
				assert.False(t, att.Covered, "%s comes from unsigned MIME fields: not covered", att.Name)
			}
			assert.Contains(t, rtCodes(a), "header.unsigned_mime_field", "caution names the unsigned field")
		})
	}
	t.Run("control: signed Content-Type", func(t *testing.T) {
		msg := rtMsg(func(m *testmail.Message) {
			m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
		})
		a := rtCheck(t, rtRow{m: rtEML(rtSign(t, msg, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type"}}))})
		require.Len(t, a.Coverage.Attachments, 1, "one attachment")
		assert.True(t, a.Coverage.Attachments[0].Covered, "a signed Content-Type over a fully signed body covers the attachment")
		assert.NotContains(t, rtCodes(a), "header.unsigned_mime_field", "no caution when every MIME field is signed")
	})
}

// TestRedTeamAddedQuoteMarkerIsNotHighConfidence: an mbox repair that made
// the signature pass leaves the verdict at medium confidence at most, and
// the summary says so (F10).
func TestRedTeamAddedQuoteMarkerIsNotHighConfidence(t *testing.T) {
	m := rtMsg(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the bank: the deposit is safe.\n\nAlice\n" })
	signed := rtSign(t, m, "rsa2048", nil)
	quoted := bytes.Replace(signed, []byte("\r\nFrom the bank"), []byte("\r\n>From the bank"), 1)
	for _, msg := range []*archive.Message{rtEML(quoted), {File: "a.mbox", Index: 1, Format: "mboxcl2", Raw: testmail.LF(quoted)}} {
		t.Run(msg.Format.String(), func(t *testing.T) {
			a := rtCheck(t, rtRow{m: msg})
			assert.Equal(t, VerdictAuthentic, a.Verdict, "the repaired view verifies; evidence %v", rtCodes(a))
			assert.Equal(t, ConfidenceMedium, a.Confidence, "a repair that changed body text is not high confidence")
			assert.Contains(t, a.Summary, ">From", "the summary mentions the repair")
		})
	}
	t.Run("control: no repair needed", func(t *testing.T) {
		a := rtCheck(t, rtRow{m: rtEML(signed)})
		assert.Equal(t, ConfidenceHigh, a.Confidence, "the unrepaired message keeps high confidence")
		assert.NotContains(t, a.Summary, ">From", "no repair is mentioned")
	})
}

// TestRedTeamOwnSignatureBeatsTrustedSeal: when the message's own aligned
// signature passes, it decides (rule 3, high confidence), even if a
// trusted sealer also sealed it (O5).
func TestRedTeamOwnSignatureBeatsTrustedSeal(t *testing.T) {
	good := rtSign(t, rtMsg(nil), "rsa2048", nil)
	sealed := rtSeal(t, good, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"})
	a := rtCheck(t, rtRow{m: rtEML(sealed), trusted: []string{"example.org"}})
	assert.Equal(t, VerdictAuthentic, a.Verdict, "verdict; evidence %v", rtCodes(a))
	assert.Equal(t, ConfidenceHigh, a.Confidence, "the message's own signature decides at high confidence")
	assert.NotContains(t, rtCodes(a), "arc.trusted_sealer", "the verdict does not rest on the sealer's word")
	assert.Contains(t, a.Summary, "example.com's mail system", "the summary names the signer, not the sealer")
}

// TestRedTeamSkippedSignaturesAreCounted: signatures past the cap are one
// caution item that says how many were not checked (O7).
func TestRedTeamSkippedSignaturesAreCounted(t *testing.T) {
	changed := bytes.Replace(rtSign(t, rtMsg(nil), "rsa2048", nil), []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1)
	for i := range 16 {
		changed = rtPrepend(changed, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	a := rtCheck(t, rtRow{m: rtEML(changed)})
	assert.NotEqual(t, VerdictAuthentic, a.Verdict, "never authentic")
	var skipped []Evidence
	for _, e := range a.Evidence {
		if e.Code == "dkim.skipped" {
			skipped = append(skipped, e)
		}
	}
	require.Len(t, skipped, 1, "one dkim.skipped item however many were skipped")
	assert.Equal(t, SeverityCaution, skipped[0].Severity, "skipped signatures are caution evidence")
	assert.Contains(t, skipped[0].Message, "1 signature past the cap of 16 was not checked", "the item counts them")
}
