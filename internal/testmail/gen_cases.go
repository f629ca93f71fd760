package testmail

import (
	"fmt"
	"strings"
	"time"
)

// A Case is one file of testdata/adversarial/ or testdata/benign/.
type Case struct {
	// File is the file name within its folder.
	File string
	// Tests says what the case exercises.
	Tests string
	// Never is the verdict the message must never get: "authentic" for the
	// adversarial cases, "altered" for the benign ones.
	Never string
	// Data is the file's content.
	Data []byte
}

type corpusCase struct {
	file, tests string
	data        []byte
}

// AdversarialCases returns the cases of testdata/adversarial/, messages
// built to look more trustworthy than they are: none may ever be assessed
// authentic. Keys are those of testdata/keys.jsonl.
func AdversarialCases() []Case { return exportCases(adversarialCases(), "authentic") }

// BenignCases returns the cases of testdata/benign/: archive artifacts that
// must never make a message altered.
func BenignCases() []Case { return exportCases(benignCases(), "altered") }

func exportCases(cs []corpusCase, never string) []Case {
	out := make([]Case, len(cs))
	for i, c := range cs {
		out[i] = Case{File: c.file, Tests: c.tests, Never: never, Data: c.data}
	}
	return out
}

// base is the message most cases start from, sent at hour h.
func base(h int, subject, body string) Message {
	return Message{
		From: "Alice Example <alice@example.com>", To: "Bob Example <bob@example.org>",
		Subject: subject, Body: body, Date: at(h),
	}
}

func adversarialCases() []corpusCase {
	body := "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"
	sign := func(h int, subject, key string, o *SignOptions) []byte {
		m := base(h, subject, body)
		return signedAt(m, m.Date, key, o)
	}
	oversigned := &SignOptions{Headers: []string{"from", "from", "to", "subject", "subject", "date", "message-id"}}

	transplantSource := base(30, "Deposit", "Bob,\n\nNo deposit this month.\n\nAlice\n")
	transplantTarget := base(30, "Deposit", "Bob,\n\nWire the deposit to account 12-3456-789 today.\n\nAlice\n")
	transplantField, err := SignatureField(transplantSource.Bytes(), MustKey("rsa2048"), &SignOptions{Time: at(30).Add(5 * time.Second)})
	if err != nil {
		panic(err)
	}

	return []corpusCase{
		{"prepended_from.eml", "a second, unsigned From (the attacker's) prepended above a validly signed message; mail clients show the top one",
			Prepend(sign(20, "Deposit", "rsa2048", nil), "From", "Chief Executive <ceo@example.com>")},
		{"from_space_colon.eml", "an unsigned `From :` field (space before the colon) prepended above a signed message; verifiers and clients disagree on whether it is a From",
			Prepend(sign(21, "Deposit", "rsa2048", nil), "From ", "Chief Executive <ceo@example.com>")},
		{"from_two_mailboxes.eml", "a validly signed From holding two mailboxes: no single identity",
			signedAt(Message{From: "alice@example.com, Mallory <mallory@evil.example>", To: "Bob Example <bob@example.org>",
				Subject: "Deposit", Body: body, Date: at(22)}, at(22), "rsa2048", nil)},
		{"d_parenthesis.eml", "d=example.com(evil): not a valid domain name, an attack on the key lookup name",
			sign(23, "Deposit", "rsa2048", &SignOptions{Domain: "example.com(evil)"})},
		{"testing_key.eml", "signed with a key whose record says t=y (testing mode): verifies, but proves nothing",
			sign(24, "Deposit", "rsa2048", &SignOptions{Selector: selectorTesting})},
		{"published_key.eml", "signed with a key whose private half was published (keys.jsonl private_key_published): anyone could have signed it",
			signedAt(Message{From: "Carol Example <carol@example.org>", To: "Bob Example <bob@example.org>",
				Subject: "Deposit", Body: body, Date: at(25)}, at(25), "rsa2048p", &SignOptions{Selector: selectorPublished})},
		{"oversigned_extra_subject.eml", "an extra Subject prepended to a message whose signature oversigns Subject (h= lists it twice)",
			Prepend(sign(26, "Deposit", "rsa2048", oversigned), "Subject", "Deposit - URGENT, new account")},
		{"appended_past_l.eml", "text appended after the body length the signature covers (l=)",
			append(sign(27, "Deposit", "rsa2048", &SignOptions{BodyLength: WholeBody}),
				"\r\nP.S. New bank details: account 12-3456-789. Do not call to confirm.\r\n"...)},
		{"unrelated_d.eml", "From alice@example.com but signed by d=news.example, an unrelated domain: a valid signature that vouches for someone else",
			sign(28, "Deposit", "rsa1024", nil)},
		{"unsigned_from.eml", "h= without from: the signature does not cover the From field",
			sign(29, "Deposit", "rsa2048", &SignOptions{Headers: []string{"to", "subject", "date", "message-id"}})},
		{"planted_auth_results.eml", "an unsigned message carrying a planted Authentication-Results: dkim=pass",
			Prepend(base(31, "Deposit", body).Bytes(), "Authentication-Results",
				"mx.example.org; dkim=pass (2048-bit key) header.d=example.com header.i=@example.com header.s=s2048 header.b=AbCdEfGh")},
		{"transplanted_signature.eml", "a signature copied from another message onto a different body with the same header fields",
			append([]byte(transplantField), transplantTarget.Bytes()...)},
		{"weak_key_512.eml", "signed with a 512-bit RSA key (d=example.net, s=s512): factorable, proves nothing",
			signedAt(Message{From: "Erin Example <erin@example.net>", To: "Bob Example <bob@example.org>",
				Subject: "Deposit", Body: body, Date: at(32)}, at(32), "rsa512", nil)},
		{"revoked_key.eml", "signed under a selector whose key record is revoked (empty p=)",
			sign(33, "Deposit", "rsa2048", &SignOptions{Selector: selectorRevoked})},
		{"key_type_mismatch.eml", "an ed25519-sha256 signature (key ed25519) whose key record is a valid k=rsa record (key rsa2048)",
			signedAt(base(34, "Deposit", body), at(34), "ed25519", &SignOptions{Selector: selectorMismatch})},
	}
}

func benignCases() []corpusCase {
	lf := base(40, "Travel plans", "Bob,\n\nI land at 18:20 on Tuesday.\n\nAlice\n")
	onTop := base(41, "Travel plans", "Bob,\n\nThe hotel is booked.\n\nAlice\n")
	expired := base(42, "Travel plans", "Bob,\n\nSee you on Tuesday.\n\nAlice\n")
	rotated := base(43, "Old key", "Bob,\n\nSigned in 2015 with the key the selector held then.\n\nAlice\n")
	rotated.Date = time.Date(2015, 3, 1, 10, 0, 0, 0, time.UTC)
	quoted := Message{From: "Carol Example <carol@example.org>", To: "Bob Example <bob@example.org>",
		Subject: "Fwd: minutes", Body: quotedFromBody, Date: at(44)}
	takeoutMsg := base(45, "Travel plans", "Bob,\n\nBack on Friday.\n\nAlice\n")

	quotedMsg := corpusMessage{envelope: "carol@example.org", date: at(44).Add(time.Minute),
		raw: signedAt(quoted, quoted.Date, "ed25519b", nil)}
	takeoutRaw := corpusMessage{envelope: "alice@example.com", date: at(45).Add(time.Minute),
		raw: signedAt(takeoutMsg, takeoutMsg.Date, "rsa2048", nil)}

	return []corpusCase{
		{"lf_line_endings.eml", "a signed message stored with bare LF line endings, as most stores keep mail",
			LF(signedAt(lf, lf.Date, "rsa2048", nil))},
		{"mboxrd_escaping.mbox", "an mboxrd file whose body has lines beginning `From ` and `>From `, escaped as `>From ` and `>>From `",
			mboxFile([]corpusMessage{quotedMsg}, mboxrd, "\n")},
		{"takeout_headers.mbox", "a Google Takeout mbox: X-GM-THRID and X-Gmail-Labels added on top of a signed message, CRLF",
			takeoutMbox([]corpusMessage{takeoutRaw})},
		{"unsigned_header_on_top.eml", "unsigned trace fields (Received, X-Spam-Status) added on top by the receiving server",
			Prepend(Prepend(signedAt(onTop, onTop.Date, "rsa2048", nil), "X-Spam-Status", "No, score=-0.1"),
				"Received", "from mail.example.com (mail.example.com [192.0.2.1])\r\n\tby mx.example.org with ESMTPS id 4F2A1; Tue, 1 Mar 2016 12:00:03 +0000")},
		{"expired_x.eml", "a signature whose x= expiry passed long ago (2016-03-08); expiry is reported, never a failure",
			signedAt(expired, expired.Date, "rsa2048", &SignOptions{Expiration: expired.Date.Add(7 * 24 * time.Hour)})},
		{"rotated_key.eml", "signed in 2015 by the older key of the reused selector s2048 (keys.jsonl holds both records)",
			signedAt(rotated, rotated.Date, "rsa2048b", &SignOptions{Domain: "example.com", Selector: "s2048"})},
	}
}

func caseREADME(title, intro, never string, cs []corpusCase) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\nGenerated by `go run ./internal/testmail/cmd/gentestdata`; do not edit. "+
		"Keys: `../keys.jsonl` (or `../keys.zone`).\n\n", title, intro)
	fmt.Fprintf(&b, "| file | what it tests | must never be |\n|---|---|---|\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.file, strings.ReplaceAll(c.tests, "|", `\|`), never)
	}
	return []byte(b.String())
}

func adversarialREADME() []byte {
	return caseREADME("Adversarial messages",
		"One message per adversarial case. Each is built to look more trustworthy than it is; "+
			"whatever else the verifier says, none of them may ever be assessed `authentic`.",
		"authentic", adversarialCases())
}

func benignREADME() []byte {
	return caseREADME("Benign archive artifacts",
		"Changes that archives and mail stores make to genuine mail. None of them may ever make a message `altered`.",
		"altered", benignCases())
}

// testdataREADME is testdata/README.md.
func testdataREADME(files []File) []byte {
	var b strings.Builder
	b.WriteString(`# testdata

Synthetic test mail for the whole module. Every file here is made by a
checked-in generator from fixed test keys; none of it is real mail.

    go run ./internal/testmail/cmd/gentestdata

regenerates it. The output is deterministic (fixed dates, fixed signing
times, deterministic signatures, a stored zip), so running the command again
gives no diff, and a test in ` + "`internal/testmail`" + ` fails when these files
differ from what the generator makes now: never edit them by hand, change
the generator. The same command writes ` + "`testdata/arc/`" + ` (ARC chains made by
the test sealer, ` + "`testmail.WriteARCTestdata`" + `), which ` + "`go test ./arc`" + ` checks
and its own README describes.

## How it is made

- Keys: ` + "`internal/testmail/keys/*.pem`" + `, generated once and committed: RSA
  2048 (rsa2048, rsa2048b), 1024, 768 and 512 bits, and two Ed25519 keys.
  Keys under 1024 bits sign with plain math/big arithmetic (crypto/rsa
  refuses them).
- Messages: ` + "`testmail.Message`" + ` renders CRLF RFC 5322 messages dated from
  2016-03-01 10:00:00 +0000; signatures carry t= five seconds after Date.
- Signatures: ` + "`testmail.Sign`" + `, the repository's own test signer, with its
  own canonicalization (checked against the Mail::DKIM and dkimpy corpora and
  against go-msgauth's verifier).
- Containers: mbox files are written with LF line endings unless named
  otherwise; Maildir and ` + "`.emlx`" + ` messages use LF, ` + "`.eml`" + ` files CRLF.
  Maildir file names leave out the ` + "`:2,S`" + ` info suffix, because Go module
  zips refuse ':' in file names.

## Keys (keys.jsonl, keys.zone)

| domain | selector | record |
|---|---|---|
`)
	for _, e := range corpusKeyEntries() {
		what := "key " + keyNameOf(e.TXT)
		if e.Note != "" {
			what = e.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.Domain, e.Selector, what)
	}
	b.WriteString(`
` + "`keys.zone`" + ` holds the same records as a BIND zone file (long records as
several strings, every other one in parenthesised multi-line form); the
recorded DNS failures appear there only as comments.

## sample.mbox

The quickstart archive (` + "`leakproof verify --keys testdata/keys.jsonl testdata/sample.mbox`" + `):

| # | message | what a verifier should find |
|---|---|---|
| 1 | Quarterly figures, alice@example.com | rsa-sha256, 2048-bit, relaxed: authentic |
| 2 | Embargoed: council budget, desk@news.example | rsa-sha1, 1024-bit: authentic, medium confidence |
| 3 | Re: Quarterly figures, carol@example.org | body changed after signing: altered |
| 4 | Payment on Friday, alice@example.com | Subject changed after signing: altered |
| 5 | No signature here, dave@example.net | unsigned: unverifiable |
| 6 | Old selector, alice@example.com | selector s2015 is in no key file: unverifiable |
| 7 | Minutes, carol@example.org | ed25519; a body line "From the chair" stored mboxo-escaped: authentic |
| 8 | Board pack, alice@example.com | multipart with a CSV attachment: authentic |

## Files

| file | what it is |
|---|---|
`)
	desc := map[string]string{
		"keys.jsonl":                   "key archive (JSON Lines, docs/keys.md)",
		"keys.zone":                    "the same records as a BIND zone file",
		"sample.mbox":                  "quickstart archive, 8 messages, LF",
		"formats/mboxo.mbox":           "3 messages, mboxo (`From ` lines escaped as `>From `)",
		"formats/mboxrd.mbox":          "3 messages, mboxrd",
		"formats/mboxcl.mbox":          "3 messages, mboxcl (Content-Length, mboxo escaping)",
		"formats/mboxcl2.mbox":         "3 messages, mboxcl2 (Content-Length, no escaping)",
		"formats/crlf.mbox":            "3 messages, mboxrd with CRLF line endings",
		"formats/takeout.mbox":         "3 messages as Google Takeout exports them (`From <id>@xxx` separators, X-GM-THRID and X-Gmail-Labels on top, CRLF)",
		"formats/apple/4012.emlx":      "Apple Mail .emlx: length line, message, plist trailer",
		"formats/archive.zip":          "zip (stored) of an mbox, two .eml files and a text file",
		"formats/notes.txt":            "not mail: must be skipped",
		"formats/maildir/tmp/.gitkeep": "keeps the empty Maildir tmp/ folder in git",
		"adversarial/README.md":        "the adversarial cases and the verdict each must never get",
		"benign/README.md":             "the benign artifacts, none of which may make a message altered",
	}
	for _, f := range files {
		d, ok := desc[f.Path]
		switch {
		case ok:
		case strings.HasPrefix(f.Path, "formats/maildir/"):
			d = "Maildir message (LF)"
		case strings.HasPrefix(f.Path, "formats/eml/"):
			d = ".eml message (CRLF)"
		case strings.HasPrefix(f.Path, "adversarial/"), strings.HasPrefix(f.Path, "benign/"):
			d = "see the folder's README.md"
		default:
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", f.Path, d)
	}
	b.WriteString("| `arc/` | generated ARC chains and their keys; see `arc/README.md` |\n")
	return []byte(b.String())
}

// keyNameOf names the test key whose record text is txt, or "".
func keyNameOf(txt string) string {
	for _, k := range Keys() {
		if k.Record() == txt {
			return k.Name
		}
	}
	return ""
}
