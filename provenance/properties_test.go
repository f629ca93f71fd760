package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/internal/rawheader"
	"github.com/leakproof/leakproof/internal/testmail"
)

// The two properties every verdict rule serves, tested over many inputs at
// once: a reader-visible change or a trick never gives authentic, and a
// benign artifact of transport or archiving never gives altered.

// attacks are messages made to look more trustworthy than they are, from
// every rule family: none may ever be authentic.
func attacks(t *testing.T) []verdictCase {
	var rows []verdictCase
	add := func(name string, want Verdict, code string, raw []byte) {
		rows = append(rows, verdictCase{name: name, m: asEML(raw), want: want, code: code})
	}
	addM := func(name string, want Verdict, code string, m *archive.Message) {
		rows = append(rows, verdictCase{name: name, m: m, want: want, code: code})
	}
	addT := func(name string, want Verdict, code string, raw []byte) {
		rows = append(rows, verdictCase{name: name, m: asEML(raw), trusted: []string{"example.org"}, want: want, code: code})
	}
	const (
		altered = VerdictAltered
		unverif = VerdictUnverifiable
		dupFrom = "header.unsigned_duplicate_from"
		notOne  = "identity.from_not_single_mailbox"
	)
	base := baseBytes(nil)
	good := signRaw(t, base, "rsa2048", nil)
	from := func(f string) []byte {
		return signRaw(t, baseBytes(func(m *testmail.Message) { m.From = f }), "rsa2048", nil)
	}

	// A second From the verifier and a mail client may read differently.
	add("lower-case from: prepended", altered, dupFrom, prepend(good, "from: CEO <ceo@example.com>"))
	add("upper-case FROM: prepended", altered, dupFrom, prepend(good, "FROM: CEO <ceo@example.com>"))
	add("From<TAB>: prepended", altered, "header.space_before_colon", prepend(good, "From\t: CEO <ceo@example.com>"))
	add("From : prepended", altered, "header.space_before_colon", prepend(good, "From : ceo@example.com"))
	add("From with its value folded onto the next line, prepended", altered, dupFrom, prepend(good, "From:\r\n CEO <ceo@example.com>"))
	add("From name folded onto the next line, prepended", altered, "header.folded_name", prepend(good, "From\r\n : ceo@example.com"))
	add("From behind a leading space on the first line", altered, "header.leading_whitespace", prepend(good, " From: ceo@example.com"))
	add("From appended below the signed From", altered, "dkim.header_signature_invalid", insertBeforeBody(good, "From: CEO <ceo@example.com>"))
	add("bare LF hides a From inside an unsigned field", altered, dupFrom, prepend(good, "X-Note: x\nFrom: CEO <ceo@example.com>"))
	add("NUL in an unsigned field above a From", altered, dupFrom, prepend(good, "X-Note: x\x00\r\nFrom: CEO <ceo@example.com>"))
	add("whitespace-only line in the header, From above it", altered, dupFrom, prepend(good, "From: CEO <ceo@bank.example>\r\nX: y\r\n "))
	add("whitespace-only line in the header, From below it", altered, "dkim.header_signature_invalid", insertBeforeBody(good, " \r\nFrom: CEO <ceo@bank.example>"))
	add("oversigned From, From prepended", altered, "dkim.header_signature_invalid",
		prepend(signRaw(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "from", "to", "subject"}}), "From: ceo@example.com"))
	add("h= names From in mixed case, From prepended", altered, dupFrom,
		prepend(signRaw(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"From", "To"}}), "From: ceo@example.com"))

	// Other displayed fields.
	add("Subject prepended", altered, "header.unsigned_duplicate_subject", prepend(good, "Subject: Deposit cancelled"))
	add("To prepended", altered, "header.unsigned_duplicate_to", prepend(good, "To: everyone@example.com"))
	add("Date prepended", altered, "header.unsigned_duplicate_date", prepend(good, "Date: Wed, 2 Mar 2016 10:00:00 +0000"))
	add("Message-ID prepended", altered, "header.unsigned_duplicate_message_id", prepend(good, "Message-ID: <other@example.com>"))
	add("Cc added where h= signs an absent Cc", altered, "dkim.header_signature_invalid",
		prepend(signRaw(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject"}}), "Cc: everyone@example.com"))
	add("Reply-To prepended above a signed Reply-To", altered, "header.unsigned_duplicate_reply_to",
		prepend(signRaw(t, baseBytes(func(m *testmail.Message) { m.Extra = []testmail.Field{{Name: "Reply-To", Value: "alice@example.com"}} }), "rsa2048",
			&testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "reply-to"}}), "Reply-To: mallory@evil.example"))

	// Bytes readers take differently, and MIME fields that change what the
	// signed body shows.
	add("lone CR hides a From inside an unsigned field", unverif, "header.lone_cr", prepend(good, "X-Note: x\rFrom: CEO <ceo@example.com>"))
	add("lone CR hides a From just above the signed From", unverif, "header.lone_cr",
		bytes.Replace(good, []byte("\r\nFrom: "), []byte("\r\nX-Note: x\rFrom: CEO <ceo@bank.example>\r\nFrom: "), 1))
	add("unsigned Content-Type prepended", unverif, "header.duplicate_mime_field", prepend(good, "Content-Type: text/html"))
	add("unsigned Content-Type appended below the signed one", unverif, "header.duplicate_mime_field", insertBeforeBody(good, "Content-Type: text/html"))
	add("unsigned Content-Transfer-Encoding added", unverif, "header.duplicate_mime_field", prepend(good, "Content-Transfer-Encoding: base64"))
	add("extra Content-Type above a signed one", altered, "header.unsigned_duplicate_mime",
		prepend(signRaw(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}}), "Content-Type: text/html"))

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
		signAs(t, baseBytes(func(m *testmail.Message) { m.From = "alice@com" }), "com", nil))

	// Alignment.
	add("punycode From domain, d=example.com", unverif, "dkim.unaligned", from("alice@xn--xample-2of.com"))
	add("d=com", unverif, "dkim.unaligned", signAs(t, base, "com", nil))
	bank := func(f string) []byte { return baseBytes(func(m *testmail.Message) { m.From = f }) }
	add("d=co.uk for bank.co.uk", unverif, "dkim.unaligned", signAs(t, bank("alice@bank.co.uk"), "co.uk", nil))
	add("d=evil.co.uk for bank.co.uk", unverif, "dkim.unaligned", signAs(t, bank("alice@bank.co.uk"), "evil.co.uk", nil))
	add("d=evil.github.io for bank.github.io", unverif, "dkim.unaligned", signAs(t, bank("alice@bank.github.io"), "evil.github.io", nil))
	add("gappssmtp proxy without a date label", unverif, "dkim.unaligned", signAs(t, base, "example-com.evilcorp.gappssmtp.com", nil))
	add("gappssmtp proxy name under another domain", unverif, "dkim.unaligned", signAs(t, base, "example-com.20150623.gappssmtp.com.evil.example", nil))
	add("gappssmtp label ambiguous (mail-bank.com or mail.bank.com)", unverif, "dkim.unaligned",
		signAs(t, bank("alice@mail-bank.com"), "mail-bank-com.20150623.gappssmtp.com", nil))
	add("d= with a trailing dot", unverif, "dkim.permerror", signRaw(t, base, "rsa2048", &testmail.SignOptions{Domain: "example.com."}))
	add("i= outside d=", unverif, "dkim.permerror", signRaw(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@bank.example"}))
	add("i= that only ends like d=", unverif, "dkim.permerror", signRaw(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@evilexample.com"}))

	add("Sender in the signing domain, From elsewhere", unverif, "dkim.unaligned",
		signRaw(t, baseBytes(func(m *testmail.Message) {
			m.From = "ceo@bank.example"
			m.Extra = []testmail.Field{{Name: "Sender", Value: "alice@example.com"}}
		}), "rsa2048", &testmail.SignOptions{Headers: []string{"from", "sender", "to", "subject"}}))
	add("i= naming the From domain under d=", unverif, "dkim.unaligned",
		signRaw(t, bank("ceo@bank.example"), "rsa2048", &testmail.SignOptions{Identity: "ceo@bank.example.example.com"}))
	add("From on top of 1000 unsigned fields above the signed message", altered, dupFrom,
		append([]byte("From: CEO <ceo@example.com>\r\n"+strings.Repeat("X-Junk: y\r\n", 1000)), good...))
	// provenance reads the header as far as dkim does: a MIME field below
	// many unsigned ones is still seen.
	add("extra Content-Type after 1000 unsigned fields", unverif, "header.duplicate_mime_field",
		insertBeforeBody(good, strings.Repeat("X-Junk: y\r\n", 1000)+"Content-Type: text/html"))
	add("header past the reader's field cap", unverif, "header.too_large",
		insertBeforeBody(good, strings.Repeat("X-Junk: y\r\n", rawheader.DefaultMaxFields)+"Content-Type: text/html"))

	// Tags and body length.
	add("duplicate d= tag", unverif, "dkim.permerror", signRaw(t, base, "rsa2048", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "d", Value: "evil.example"}}}))
	add("duplicate h= tag", unverif, "dkim.permerror", signRaw(t, base, "rsa2048", &testmail.SignOptions{Extra: []testmail.Tag{{Name: "h", Value: "to"}}}))
	add("l=0", altered, "dkim.text_past_body_length", signRaw(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.ZeroLength}))
	lw := signRaw(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("text appended past l=", altered, "dkim.text_past_body_length", append(bytes.Clone(lw), "P.S. new account 66-6666\r\n"...))
	lws := signRaw(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody, Canonicalization: "simple/simple"})
	add("spaces appended past l= under simple", altered, "dkim.text_past_body_length", append(bytes.Clone(lws), "   \r\n"...))
	mp := baseBytes(func(m *testmail.Message) {
		m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
	})
	mpl := signRaw(t, mp, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("MIME part appended after the closing boundary, past l=", altered, "dkim.text_past_body_length",
		append(bytes.Clone(mpl), "\r\n--leakproof-boundary\r\nContent-Type: text/plain\r\n\r\nNew account 66-6666\r\n"...))
	emptyBH := sha256.Sum256([]byte("\r\n"))
	add("bh= of the empty body on a non-empty message", altered, "dkim.body_hash_mismatch",
		signRaw(t, base, "rsa2048", &testmail.SignOptions{BodyHash: base64.StdEncoding.EncodeToString(emptyBH[:])}))

	// Keys that prove nothing, alone or beside an unaligned strong pass.
	add("published key", unverif, "dkim.key_published", signRaw(t, base, "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}))
	add("testing key", unverif, "dkim.key_testing", signRaw(t, base, "rsa2048", &testmail.SignOptions{Selector: "testing"}))
	add("512-bit key at the From domain", unverif, "dkim.key_weak", signRaw(t, base, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}))
	add("aligned weak key beside an unaligned strong pass", unverif, "dkim.key_weak",
		signRaw(t, signRaw(t, base, "rsa512", &testmail.SignOptions{Domain: "example.com", Selector: "weak"}), "rsa1024", nil))
	add("aligned published key beside an unaligned strong pass", unverif, "dkim.key_published",
		signRaw(t, signRaw(t, base, "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}), "rsa1024", nil))

	// Signatures that are not where a verifier looks.
	add("Authentication-Results dkim=pass on an unsigned message", unverif, "authres.unmatched_pass",
		prepend(base, "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048"))
	add("DKIM-Signature in the body", unverif, "dkim.none", baseBytes(func(m *testmail.Message) {
		f, err := testmail.SignatureField(baseBytes(nil), testmail.MustKey("rsa2048"), nil)
		require.NoError(t, err, "SignatureField")
		m.Body = f + "\nhello\n"
	}))
	// A second aligned (or unaligned) signature proves a change that the
	// narrower passing one does not cover.
	twice := signRaw(t, signRaw(t, base, "rsa2048", nil), "ed25519", &testmail.SignOptions{Headers: []string{"from"}})
	add("Subject changed under a second, narrower aligned signature", altered, "dkim.wider_signature_fails",
		bytes.Replace(twice, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1))
	esp := signRaw(t, signRaw(t, base, "rsa1024", nil), "rsa2048", &testmail.SignOptions{Headers: []string{"from"}})
	// The ESP is not the From domain: anyone could make its signature
	// fail, so no change is proven, but the Subject is in doubt.
	add("Subject changed under an ESP signature, aligned one signs From only", unverif, "dkim.unaligned_signature_fails",
		bytes.Replace(esp, []byte("Subject: Deposit"), []byte("Subject: Deposit cancelled"), 1))

	many := good
	for i := range 16 {
		many = prepend(many, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	add("the only passing signature is past the cap", unverif, "dkim.skipped", many)

	// mbox escaping: ">From : x" unescapes to a From field.
	fromLine := baseBytes(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the desk: yes.\n\nAlice\n" })
	fs := signRaw(t, fromLine, "rsa2048", nil)
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
	sealed := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec})
	addT("sealer whose name starts with the trusted one", altered, "arc.aar_pass_now_fails",
		sealWithKey(t, listed, "rsa2048", &testmail.SealOptions{AuthResults: rec, Domain: "example.org.evil.example", Selector: extraSelector}))
	addT("trusted chain, From prepended after sealing", altered, notOne, prepend(sealed, "From: CEO <ceo@example.com>"))
	addT("trusted chain, body changed after sealing", altered, "arc.chain_fail", bytes.Replace(sealed, []byte("list footer"), []byte("new account"), 1))
	for _, aar := range []string{
		"mx.example.org; dkim=fail (was pass) header.d=example.com",
		"mx.example.org; dkim=pass header.d=evil.example (header.d=example.com)",
		`mx.example.org; dkim=fail reason="dkim=pass header.d=example.com" header.d=example.com`,
		"mx.example.org; spf=pass smtp.mailfrom=example.com",
		"mx.example.org; dkim=pass header.d=example.com.evil.example",
		"mx.example.org; dkim=pass header.d=com",
	} {
		addT("trusted chain records "+aar, altered, "dkim.body_hash_mismatch", sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: aar}))
	}
	noFrom := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: []string{"to", "subject", "date"}})
	// The list's footer and the rewritten From break both halves of the
	// signature, and the AMS does not cover it: nothing ties it to the
	// message, so it is no proof of a change (never authentic either).
	addT("trusted AMS without From, From rewritten after sealing", unverif, "dkim.untied_signature_fails",
		bytes.Replace(noFrom, []byte("From: Alice Example <alice@example.com>"), []byte("From: Chief Executive <ceo@example.com>"), 1))
	addT("trusted AMS without From", altered, "dkim.body_hash_mismatch", noFrom)
	addT("trusted chain, lone CR hides a From added after sealing", altered, "header.lone_cr", prepend(sealed, "X-Note: x\rFrom: CEO <ceo@example.com>"))
	addT("trusted chain, Content-Type added after sealing", altered, "header.duplicate_mime_field", prepend(sealed, "Content-Type: text/html"))
	addT("trusted chain, leading whitespace added after sealing", altered, "header.leading_whitespace", prepend(sealed, " X-A: b"))
	// The trusted AMS picks its field instances bottom up, like DKIM: a
	// displayed field prepended after sealing is unsigned.
	addT("trusted chain, Subject prepended after sealing", altered, "header.unsigned_duplicate_subject", prepend(sealed, "Subject: Deposit cancelled"))
	addT("trusted chain, To prepended after sealing", altered, "header.unsigned_duplicate_to", prepend(sealed, "To: everyone@example.com"))
	addT("trusted chain, Date prepended after sealing", altered, "header.unsigned_duplicate_date", prepend(sealed, "Date: Wed, 2 Mar 2016 10:00:00 +0000"))
	nosig := sealWithKey(t, append(baseBytes(nil), "-- \r\nfooter\r\n"...), "rsa2048b", &testmail.SealOptions{AuthResults: rec})
	addT("trusted chain without DKIM, Subject prepended after sealing", altered, "header.unsigned_duplicate_subject", prepend(nosig, "Subject: Deposit cancelled"))
	addT("untrusted set sealed on top of a trusted one", altered, "arc.aar_pass_now_fails", sealWithKey(t, sealed, "rsa2048", &testmail.SealOptions{AuthResults: rec}))
	// What the trusted AMS does not protect (text past its l=) may have
	// been changed after sealing.
	withL := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, BodyLength: testmail.WholeBody})
	addT("trusted AMS with l=, text appended after sealing", altered, "dkim.body_hash_mismatch", append(bytes.Clone(withL), "P.S. Use account 98-7654-321.\r\n"...))
	// A signature with a key that fails now over a field the trusted AMS
	// leaves out shows a change after sealing, aligned or not, the field
	// edited or deleted.
	withCc := baseBytes(func(m *testmail.Message) {
		m.Extra = append(m.Extra, testmail.Field{Name: "Cc", Value: "carol@example.net"})
	})
	amsNoCc := []string{"from", "to", "subject", "date", "message-id"}
	ccSigned := signRaw(t, withCc, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject", "date", "message-id"}})
	ccSealed := sealWithKey(t, ccSigned, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: amsNoCc})
	addT("trusted AMS without Cc, aligned signature's Cc deleted after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(ccSealed, []byte("Cc: carol@example.net\r\n"), nil, 1))
	espCc := signRaw(t, signRaw(t, withCc, "rsa2048", &testmail.SignOptions{Selector: "nokey"}), "rsa1024",
		&testmail.SignOptions{Headers: []string{"from", "to", "cc", "subject", "date", "message-id"}})
	espSealed := sealWithKey(t, espCc, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=nokey", Headers: amsNoCc})
	addT("trusted AMS without Cc, an ESP's signature shows Cc edited after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(espSealed, []byte("Cc: carol@example.net"), []byte("Cc: mallory@evil.example"), 1))
	// Any field a keyed failing signature covers counts, Sender as much as
	// Cc.
	withSender := baseBytes(func(m *testmail.Message) {
		m.Extra = append(m.Extra, testmail.Field{Name: "Sender", Value: "alice@example.com"})
	})
	senderSealed := sealWithKey(t, signRaw(t, withSender, "rsa2048", &testmail.SignOptions{Headers: []string{"from", "sender", "to", "subject", "date", "message-id"}}),
		"rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: amsNoCc})
	addT("trusted AMS without Sender, Sender edited after sealing", altered, "dkim.header_signature_invalid",
		bytes.Replace(senderSealed, []byte("Sender: alice@example.com"), []byte("Sender: mallory@evil.example"), 1))
	// A record the same set contradicts, or a pass for a signature the
	// message does not carry, is not taken at its word.
	unsignedBody := append(baseBytes(nil), "-- \r\nfooter\r\n"...)
	addT("trusted record of a pass for a signature the message lacks", unverif, "arc.chain_pass",
		sealWithKey(t, unsignedBody, "rsa2048b", &testmail.SealOptions{AuthResults: rec}))
	// One CR slipped in before a header line's end is no text-mode copy:
	// many readers end the header there.
	partialCR := bytes.Replace(signRaw(t, base, "rsa2048", nil), []byte("\r\nDate:"), []byte("\r\r\nDate:"), 1)
	add("one doubled CR in the header, not a text-mode copy", altered, "header.lone_cr", partialCR)
	// A junk signature added after sealing does not stand in for the one
	// the record speaks of: the AMS does not cover it.
	addT("trusted record of a pass, a junk signature added after sealing", unverif, "arc.chain_fail",
		prepend(sealWithKey(t, unsignedBody, "rsa2048b", &testmail.SealOptions{AuthResults: rec}),
			"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2048; h=from; bh=AAAA; b=AAAA"))
	addT("trusted record that says dkim=pass and dmarc=fail", altered, "dkim.body_hash_mismatch",
		sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec + "; dmarc=fail header.from=example.com"}))
	noSubject := sealWithKey(t, listed, "rsa2048b", &testmail.SealOptions{AuthResults: rec, Headers: []string{"from", "to", "date", "message-id"}})
	addT("trusted AMS without Subject, Subject edited after sealing", unverif, "dkim.untied_signature_fails",
		bytes.Replace(noSubject, []byte("Subject: "), []byte("Subject: Wire the money today - "), 1))
	return rows
}

// TestAttacksNeverAuthentic: no message of attacks is authentic, and each
// gets the verdict the rules give it, with evidence saying why.
func TestAttacksNeverAuthentic(t *testing.T) {
	for _, r := range attacks(t) {
		t.Run(r.name, func(t *testing.T) {
			a := checkCase(t, r)
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "an adversarial message is never authentic; summary %q; evidence %v; %s", a.Summary, codesOf(a), describeSigs(a))
			assert.Equal(t, r.want, a.Verdict, "verdict; summary %q; evidence %v; %s", a.Summary, codesOf(a), describeSigs(a))
			assert.Contains(t, codesOf(a), r.code, "evidence names the problem")
			assert.NotEmpty(t, a.Summary, "a summary is written")
		})
	}
}

// benignArtifacts are genuine messages with artifacts of transport, archiving or
// unusual but honest signing: none may be altered, and each is authentic.
func benignArtifacts(t *testing.T) []verdictCase {
	var rows []verdictCase
	add := func(name, code string, raw []byte) {
		rows = append(rows, verdictCase{name: name, m: asEML(raw), want: VerdictAuthentic, code: code})
	}
	addM := func(name, code string, m *archive.Message) {
		rows = append(rows, verdictCase{name: name, m: m, want: VerdictAuthentic, code: code})
	}
	base := baseBytes(nil)
	good := signRaw(t, base, "rsa2048", nil)
	from := func(f string) []byte {
		return signRaw(t, baseBytes(func(m *testmail.Message) { m.From = f }), "rsa2048", nil)
	}
	add("plain signed message", "dkim.pass", good)
	add("8-bit display name", "dkim.pass", from("Ålice Ëxample <alice@example.com>"))
	add("display name naming another organization (no address)", "dkim.pass", from("Bank Example Support <alice@example.com>"))
	add("upper-case From address", "dkim.pass", from("Alice <ALICE@EXAMPLE.COM>"))
	add("signed From folded onto the next line", "dkim.pass", from("Alice Example\r\n <alice@example.com>"))
	add("signed From with a quoted display name holding a comma", "dkim.pass", from(`"Example, Alice" <alice@example.com>`))
	add("signed From with an encoded display name", "dkim.pass", from("=?utf-8?q?=C3=85lice?= <alice@example.com>"))
	add("unsigned Reply-To added where h= has none", "header.unsigned_field", prepend(good, "Reply-To: list@example.org"))
	add("unsigned Cc added where h= has none", "header.unsigned_field", prepend(good, "Cc: list@example.org"))
	add("Sender added", "dkim.pass", prepend(good, "Sender: list@example.org"))
	add("Resent-From added", "dkim.pass", prepend(good, "Resent-From: archive@example.org"))
	add("h= in upper case", "dkim.pass", signRaw(t, base, "rsa2048", &testmail.SignOptions{Headers: []string{"FROM", "To", "Subject", "Date", "Message-ID"}}))
	add("d= in upper case", "dkim.pass", signRaw(t, base, "rsa2048", &testmail.SignOptions{Domain: "EXAMPLE.COM"}))
	add("Google Workspace proxy signature", "dkim.pass", signAs(t, base, "example-com.20150623.gappssmtp.com", nil))
	add("Google Workspace proxy signature in mixed case", "dkim.pass", signAs(t, base, "Example-Com.20150623.GAPPSSMTP.com", nil))
	add("i= in a subdomain of d=", "dkim.pass", signRaw(t, base, "rsa2048", &testmail.SignOptions{Identity: "alice@mail.example.com"}))
	add("i= in upper case", "dkim.pass", signRaw(t, base, "rsa2048", &testmail.SignOptions{Identity: "Alice@EXAMPLE.com"}))
	lw := signRaw(t, base, "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	add("whitespace-only lines past l= under relaxed", "dkim.body_length_limit", append(bytes.Clone(lw), " \t \r\n\r\n   \r\n"...))
	add("blank lines added at the end (simple)", "dkim.pass", append(signRaw(t, base, "rsa2048", &testmail.SignOptions{Canonicalization: "simple/simple"}), "\r\n\r\n"...))
	add("multipart with an attachment", "dkim.pass", signRaw(t, baseBytes(func(m *testmail.Message) {
		m.Attachments = []testmail.Attachment{{Name: "invoice.pdf", Data: []byte("%PDF-1.4 real")}}
	}), "rsa2048", nil))
	add("header-only message", "dkim.pass", signRaw(t, []byte("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: x\r\nDate: Tue, 1 Mar 2016 10:00:00 +0000\r\nMessage-ID: <a@example.com>\r\n"), "rsa2048", nil))
	add("dkim-signature field name in lower case", "dkim.pass", bytes.Replace(good, []byte("DKIM-Signature:"), []byte("dkim-signature:"), 1))
	add("rsa-sha1", "dkim.sha1", signRaw(t, base, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}))
	add("pre-RFC draft signature (no v=)", "dkim.draft_signature", signRaw(t, base, "rsa2048", &testmail.SignOptions{Omit: []string{"v"}}))
	add("a receiver's dkim=pass for the passing signature", "authres.recorded",
		prepend(good, "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048"))
	add("a receiver's dkim=fail for the passing signature", "authres.recorded",
		prepend(good, "Authentication-Results: mx.example.org; dkim=fail header.d=example.com header.s=s2048"))
	twoSigs := signRaw(t, signRaw(t, base, "rsa2048", nil), "rsa1024", nil)
	add("unaligned pass above the aligned one", "dkim.pass", twoSigs)
	junkBelow := good
	for i := range 20 {
		junkBelow = insertBeforeBody(junkBelow, fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=nokey%d; h=from; bh=AAAA; b=AAAA", i))
	}
	// Past the cap nothing is authentic (junk signatures can push the
	// failure that shows a change past the cap), but junk never makes a
	// genuine message altered either.
	rows = append(rows, verdictCase{name: "passing signature on top of twenty broken ones", m: asEML(junkBelow), want: VerdictUnverifiable, code: "dkim.skipped"})
	add("an untrusted ARC set over a passing signature", "arc.chain_pass",
		sealWithKey(t, good, "rsa2048b", &testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com header.s=s2048"}))
	// A real ">From " line alone in an mbox message: the stored bytes are a view.
	quoted := signRaw(t, baseBytes(func(m *testmail.Message) { m.Body = "Bob,\n\n>From your mail: no.\n\nAlice\n" }), "rsa2048", nil)
	addM("a real >From line in an mboxo message", "dkim.pass", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxo", Raw: testmail.LF(quoted)})
	rd := bytes.ReplaceAll(testmail.LF(quoted), []byte("\n>From"), []byte("\n>>From"))
	addM("a real >From line in an mboxrd message", "dkim.pass", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxrd", Raw: rd})
	// An mboxo writer escaped "From the desk" and left a real ">From" line.
	both := signRaw(t, baseBytes(func(m *testmail.Message) { m.Body = "Bob,\n\nFrom the desk: yes.\n>From your mail: no.\n\nAlice\n" }), "rsa2048", nil)
	oStored := bytes.ReplaceAll(testmail.LF(both), []byte("\nFrom the"), []byte("\n>From the"))
	for _, f := range []archive.Format{"mboxo", "mbox"} {
		addM("a real >From line and an escaped From line in one "+f.String()+" message", "repair.mbox_ambiguous",
			&archive.Message{File: "a.mbox", Index: 1, Format: f, Raw: oStored})
	}
	rows = append(rows, verdictCase{name: "trusted sealer records the aligned pass a list broke", trusted: []string{"EXAMPLE.ORG."}, want: VerdictAuthentic, code: "arc.trusted_sealer",
		m: asEML(sealWithKey(t, append(bytes.Clone(good), "-- \r\nlist footer\r\n"...), "rsa2048b",
			&testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.i=@example.com"}))})
	return rows
}

// TestBenignArtifactsNeverAltered: no benign artifact makes a genuine
// message altered; each stays authentic, but for a passing signature past
// the signature cap, which is unverifiable.
func TestBenignArtifactsNeverAltered(t *testing.T) {
	for _, r := range benignArtifacts(t) {
		t.Run(r.name, func(t *testing.T) {
			a := checkCase(t, r)
			assert.NotEqual(t, VerdictAltered, a.Verdict, "a benign artifact never makes a message altered; summary %q; evidence %v; %s", a.Summary, codesOf(a), describeSigs(a))
			assert.Equal(t, r.want, a.Verdict, "verdict; summary %q; evidence %v; %s", a.Summary, codesOf(a), describeSigs(a))
			assert.Contains(t, codesOf(a), r.code, "evidence")
			assert.Equal(t, "alice@example.com", a.FromAddress, "from_address is the signed mailbox, lower-cased")
		})
	}
}

// TestCommonAttacksNeverAuthentic: the common attacks on a signed message
// (an added From, a transplanted signature, text past l=, keys that prove
// nothing, a planted receiver record) are never authentic, and each
// assessment is well formed. Each case also pins the verdict it gets now.
func TestCommonAttacksNeverAuthentic(t *testing.T) {
	c := testChecker()
	transplantTarget := baseMessage()
	transplantTarget.Body = "Bob,\n\nWire the deposit to account 12-3456-789 today.\n\nAlice\n"
	transplantField, err := testmail.SignatureField(baseMessage().Bytes(), testmail.MustKey("rsa2048"), nil)
	require.NoError(t, err, "testmail.SignatureField")

	lengthSigned := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	twoMailboxes := baseMessage()
	twoMailboxes.From = "alice@example.com, Mallory <mallory@evil.example>"
	unrelated := baseMessage()
	unrelated.From = "Alice <alice@bank.example>"

	for _, tt := range []struct {
		name    string
		raw     []byte
		verdict Verdict
		code    string // evidence that must be present
	}{
		{"prepended unsigned From", prepend(signed(t, baseMessage(), "rsa2048", nil), "From: Chief Executive <ceo@example.com>"),
			VerdictAltered, "header.unsigned_duplicate_from"},
		{"From with a space before the colon", prepend(signed(t, baseMessage(), "rsa2048", nil), "From : Chief Executive <ceo@example.com>"),
			VerdictAltered, "header.space_before_colon"},
		{"From with two mailboxes", signed(t, twoMailboxes, "rsa2048", nil),
			VerdictUnverifiable, "identity.from_not_single_mailbox"},
		{"d= with a parenthesis", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Domain: "example.com(evil)"}),
			VerdictUnverifiable, "dkim.permerror"},
		{"testing key", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Selector: "testing"}),
			VerdictUnverifiable, "dkim.key_testing"},
		{"published key", signed(t, baseMessage(), "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}),
			VerdictUnverifiable, "dkim.key_published"},
		{"extra Subject on an oversigned message",
			prepend(signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "subject", "date", "message-id"}}), "Subject: Deposit cancelled"),
			VerdictAltered, "dkim.header_signature_invalid"},
		{"text appended past l=", append(bytes.Clone(lengthSigned), "P.S. Use account 98-7654-321 instead.\r\n"...),
			VerdictAltered, "dkim.text_past_body_length"},
		{"unrelated d=", signed(t, unrelated, "rsa2048", nil),
			VerdictUnverifiable, "dkim.unaligned"},
		{"unsigned From (h= without from)", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Headers: []string{"to", "subject", "date"}}),
			VerdictUnverifiable, "dkim.permerror"},
		{"planted Authentication-Results", prepend(baseMessage().Bytes(), "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048 header.b=AAAAAAAAAAAA"),
			VerdictUnverifiable, "authres.unmatched_pass"},
		// A signature copied from another message fails over both its
		// header and its body: it proves nothing about this message.
		{"signature transplanted onto another body", prepend(transplantTarget.Bytes(), strings.TrimRight(transplantField, "\r\n")),
			VerdictUnverifiable, "dkim.untied_signature_fails"},
		{"512-bit key", signed(t, baseMessage(), "rsa512", &testmail.SignOptions{Domain: "example.com"}),
			VerdictUnverifiable, "dkim.no_key"},
		{"512-bit key published for the domain", signed(t, testmail.Message{From: "Eve <eve@example.net>", Subject: "Deposit", Body: adversarialBody}, "rsa512", nil),
			VerdictUnverifiable, "dkim.key_weak"},
		{"revoked key", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Selector: "revoked"}),
			VerdictUnverifiable, "dkim.key_revoked"},
		{"key-type mismatch", signed(t, baseMessage(), "ed25519", &testmail.SignOptions{Selector: "mismatch"}),
			VerdictUnverifiable, "dkim.permerror"},
		{"lone CR hides a From in an unsigned field", prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Note: x\rFrom: Chief Executive <ceo@example.com>"),
			VerdictUnverifiable, "header.lone_cr"},
		{"Content-Type prepended above an unsigned one", prepend(signed(t, baseMessage(), "rsa2048", nil), "Content-Type: text/html"),
			VerdictUnverifiable, "header.duplicate_mime_field"},
		{"Content-Type prepended above a signed one",
			prepend(signed(t, withField(baseMessage(), "Content-Type", "text/plain; charset=utf-8"), "rsa2048",
				&testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}}), "Content-Type: text/html"),
			VerdictAltered, "header.unsigned_duplicate_mime"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), eml("case.eml", tt.raw))
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "an adversarial message is never authentic; summary %q", a.Summary)
			assert.Equal(t, tt.verdict, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence names the problem")
		})
	}
}

// TestCommonArtifactsNeverAltered: the common artifacts of transport and
// archiving (LF endings, mbox escaping, Takeout fields, an expired x=),
// and the repairs, never make a genuine message altered; each is
// authentic.
func TestCommonArtifactsNeverAltered(t *testing.T) {
	c := testChecker()
	fromLine := baseMessage()
	fromLine.Body = "Bob,\n\nFrom the figures it is clear.\n>From an earlier mail: yes.\n\nAlice\n"
	fromSigned := signed(t, fromLine, "rsa2048", nil)
	mboxrdStored := bytes.ReplaceAll(bytes.ReplaceAll(testmail.LF(fromSigned), []byte("\n>From "), []byte("\n>>From ")), []byte("\nFrom "), []byte("\n>From "))

	both := baseMessage()
	both.Body = "Bob,\n\nFrom the figures it is clear.\n>From your last mail: no.\n\nAlice\n"
	// mboxo escapes "From " and leaves ">From " as it is: the two lines look alike.
	mboxoStored := bytes.ReplaceAll(testmail.LF(signed(t, both, "rsa2048", nil)), []byte("\nFrom the"), []byte("\n>From the"))

	expired := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Expiration: time.Date(2016, 3, 8, 0, 0, 0, 0, time.UTC)})
	// x= before t= (OpenDKIM's DKIM_SIGERROR_TIMESTAMPS): noted, never a failure.
	expiredFirst := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Expiration: time.Date(2016, 2, 1, 0, 0, 0, 0, time.UTC)})

	for _, tt := range []struct {
		name   string
		m      *archive.Message
		code   string // evidence that must be present
		repair bool   // the code is a repair
	}{
		{"LF line endings", eml("lf.eml", testmail.LF(signed(t, baseMessage(), "rsa2048", nil))), "archive.lf_line_endings", false},
		{"mboxrd escaping", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxrd", Raw: mboxrdStored}, "dkim.pass", false},
		{"Takeout headers", eml("takeout.eml", prepend(prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Gmail-Labels: Inbox,Important"), "X-GM-THRID: 1234567890123456789")),
			"archive.takeout_headers", false},
		{"unsigned header added on top", eml("added.eml", prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Archived-By: records-office")), "dkim.pass", false},
		{"expired x=", eml("expired.eml", expired), "dkim.expired", false},
		{"x= before t=", eml("expired-first.eml", expiredFirst), "dkim.expired", false},
		{"mbox separator left at the top of an .eml", eml("sep.eml", append([]byte("From alice@example.com Tue Mar  1 10:00:00 2016\r\n"), signed(t, baseMessage(), "rsa2048", nil)...)),
			"archive.leading_separator", false},
		{"line endings doubled by a text-mode copy", eml("crcr.eml", bytes.ReplaceAll(signed(t, baseMessage(), "rsa2048", nil), []byte("\r\n"), []byte("\r\r\n"))),
			"repair.double_cr", true},
		{"mboxo: a real >From line and an escaped From line", &archive.Message{File: "o.mbox", Index: 1, Format: "mbox", Raw: mboxoStored}, "repair.mbox_ambiguous", true},
		{"blank line added at the end by the mbox writer", eml("blank.eml", append(signed(t, baseMessage(), "rsa2048", nil), "\r\n"...)), "dkim.pass", false},
		{"final CRLF missing", eml("nocrlf.eml", bytes.TrimSuffix(signed(t, baseMessage(), "rsa2048", nil), []byte("\r\n"))), "dkim.pass", false},
		{"blank line added, simple/simple with l=", eml("blank-l.eml", append(signed(t, baseMessage(), "rsa2048",
			&testmail.SignOptions{Canonicalization: "simple/simple", BodyLength: testmail.WholeBody}), "\r\n"...)), "dkim.body_length_limit", false},
		{"an .eml cut from an mboxrd file without unescaping", eml("cut.eml", mboxrdStored), "repair.mbox_unescaped", true},
		{"relaxed and simple with 1024-bit rsa-sha1", eml("sha1.eml", signed(t, testmail.Message{From: "News <desk@news.example>", Body: adversarialBody}, "rsa1024",
			&testmail.SignOptions{Algorithm: "rsa-sha1", Canonicalization: "simple/simple"})), "dkim.sha1", false},
		{"ed25519", eml("ed.eml", signed(t, baseMessage(), "ed25519", nil)), "dkim.pass", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), tt.m)
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.NotEqual(t, VerdictAltered, a.Verdict, "a benign artifact never makes a message altered; summary %q; evidence %v", a.Summary, codesOf(a))
			want := VerdictAuthentic
			if tt.code == "repair.double_cr" {
				// The signature verifies read as CR LF, but a client that
				// ends a line at each CR shows the unsigned header fields
				// as body text (header.lone_cr).
				want = VerdictUnverifiable
			}
			assert.Equal(t, want, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence notes the artifact")
			if !tt.repair {
				for _, code := range codesOf(a) {
					assert.False(t, strings.HasPrefix(code, "repair."), "no repair was needed, got %s", code)
				}
			}
		})
	}
}

// TestPolicyRefusalsNeverAuthentic: what the policy refuses never makes a
// message authentic, whatever else holds.
func TestPolicyRefusalsNeverAuthentic(t *testing.T) {
	base := baseBytes(nil)
	for _, tt := range []struct {
		name string
		opts Options
		raw  []byte
		code string
	}{
		{"rsa-sha1 under NoSHA1", Options{NoSHA1: true}, signRaw(t, base, "rsa2048", &testmail.SignOptions{Algorithm: "rsa-sha1"}), "dkim.sha1_rejected"},
		{"1024-bit key under MinRSABits 2048", Options{MinRSABits: 2048},
			signRaw(t, baseBytes(func(m *testmail.Message) { m.From = "desk@news.example" }), "rsa1024", nil), "dkim.key_weak"},
		{"768-bit key at the default minimum", Options{},
			signRaw(t, baseBytes(func(m *testmail.Message) { m.From = "eve@example.net" }), "rsa768", nil), "dkim.key_weak"},
		{"sealer not trusted when only a sealer with the same suffix is", Options{TrustedSealers: []string{"org"}},
			sealWithKey(t, append(signRaw(t, base, "rsa2048", nil), "-- \r\nfooter\r\n"...), "rsa2048b",
				&testmail.SealOptions{AuthResults: "mx.example.org; dkim=pass header.d=example.com"}), "arc.aar_pass_now_fails"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Keys, o.Time = keysFor(), checkTime
			a := NewChecker(&o).Check(t.Context(), asEML(tt.raw))
			require.NoError(t, a.Err, "Check")
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "the policy refuses this; evidence %v; %s", codesOf(a), describeSigs(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence says why")
		})
	}
}

// TestEverySignedLetterCounts changes each letter of the signed header
// values and of the body, one at a time, in a genuine message (relaxed and
// simple): no such change may leave the message authentic, and each is
// altered. It also inserts an unsigned, non-displayed field at every field
// boundary: that never makes the message altered.
func TestEverySignedLetterCounts(t *testing.T) {
	c := NewChecker(&Options{Keys: keysFor(), Time: checkTime})
	for _, canon := range []string{"relaxed/relaxed", "simple/simple"} {
		signedMsg := signRaw(t, baseBytes(nil), "rsa2048", &testmail.SignOptions{Canonicalization: canon})
		a := c.Check(t.Context(), asEML(signedMsg))
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
			a := c.Check(t.Context(), asEML(mutated))
			changed++
			if !assert.Equal(t, VerdictAltered, a.Verdict, "%s: byte %d (%q) changed; evidence %v", canon, pos, b, codesOf(a)) {
				break
			}
		}
		for pos := 0; pos < hdrEnd-2; pos++ {
			if pos != 0 && signedMsg[pos-1] != '\n' || signedMsg[pos] == ' ' || signedMsg[pos] == '\t' {
				continue
			}
			withField := append(append(bytes.Clone(signedMsg[:pos]), "X-Archived: records office\r\n"...), signedMsg[pos:]...)
			a := c.Check(t.Context(), asEML(withField))
			inserted++
			if !assert.Equal(t, VerdictAuthentic, a.Verdict, "%s: unsigned field inserted at byte %d; evidence %v", canon, pos, codesOf(a)) {
				break
			}
		}
		t.Logf("%s: %d letters changed, %d insertion points", canon, changed, inserted)
		assert.Greater(t, changed, 100, "%s: letters changed", canon)
		assert.GreaterOrEqual(t, inserted, 6, "%s: insertion points tried", canon)
	}
}

// FuzzCheck feeds arbitrary bytes through Check as every format. Beyond
// not panicking: the check never fails internally, every evidence code is
// registered, and an unsigned message is never authentic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(plainMsg), "eml")
	f.Add([]byte("From : x@y.z\n\nbody\n"), "mbox")
	f.Add([]byte("From a@b Tue Mar  1 10:00:00 2016\r\r\nFrom: a@b.c\r\r\n\r\r\n>From x\r\r\n"), "mboxrd")
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Disposition: attachment; filename=a\r\n\r\nhi\r\n--x--\r\n"), "eml")
	f.Add(testmail.MustSign(testmail.Message{}.Bytes(), testmail.MustKey("ed25519"), nil), "eml")
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s2048; h=from; bh=; b=\r\nFrom: a@example.com\r\n\r\n"), "mboxo")
	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, MaxSignatures: 4})
	f.Fuzz(func(t *testing.T, raw []byte, format string) {
		a := c.Check(t.Context(), &archive.Message{File: "f", Index: 1, Format: archive.Format(format), Raw: raw})
		if a.Err != nil {
			t.Fatalf("Check failed: %v", a.Err)
		}
		for _, e := range a.Evidence {
			if _, ok := LookupCode(e.Code); !ok {
				t.Fatalf("unregistered evidence code %q", e.Code)
			}
		}
		if a.Verdict == VerdictAuthentic && !bytes.Contains(bytes.ToLower(raw), []byte("dkim-signature")) && !bytes.Contains(bytes.ToLower(raw), []byte("arc-seal")) {
			t.Fatalf("authentic without any signature: %q", a.Summary)
		}
		if a.Summary == "" || len(a.Explanation.Paragraphs()) == 0 {
			t.Fatalf("no summary or explanation")
		}
	})
}
