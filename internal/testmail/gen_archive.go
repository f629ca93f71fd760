package testmail

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// testdata/archive/: a leak of two mailboxes in which messages vouch for
// and against each other, for the archive pass (copies, cohorts, threads).
// Alice's Sent folder is a Maildir whose copies were stored before signing
// (no DKIM-Signature); Bob's mailbox is a folder of .eml files as
// delivered (signed, with a Received field); Carol's Inbox is an mboxrd;
// a zip holds a second export of Bob's mailbox with one planted copy.

// Alice's messages, written once and found in several places.
const (
	budgetBody = `Bob,

The draft budget for next year is attached to the board pack. The
headline is that travel is cut by a third and the two open posts stay
open until the audit is complete.

Can you check the staffing line before Thursday? I would like to send it
to Carol on Friday.

Alice
`
	paymentBody = `Bob,

Please schedule the payment to the printer for the 14th: 4,000 euros,
as agreed with their sales desk in January.

The invoice number is 2016-0117.

Alice
`
	paymentForged = `Bob,

Please schedule the payment to the printer for the 4th: 40,000 euros,
as agreed with their sales desk in January.

The invoice number is 2016-0117.

Alice
`
	notesBody = `All,

Notes from Tuesday's meeting. The venue for the conference is booked
for the second week of May, and the speakers are confirmed.

Catering is still open; Dave will ask three companies for quotes.

Dave
`
)

// quote quotes text as a mail client does, re-wrapped at width columns.
func quote(text string, width int) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString(">\n")
		}
		line := ">"
		for _, w := range strings.Fields(para) {
			if len(line)+1+len(w) > width && line != ">" {
				b.WriteString(line + "\n")
				line = ">"
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// delivered is msg as a receiving server stores it: a Received field on
// top, unsigned, as every delivered copy has.
func delivered(msg []byte, by string, t time.Time) []byte {
	return Prepend(msg, "Received", fmt.Sprintf("from mail.example.com (mail.example.com [192.0.2.25]) by %s with ESMTPS; %s", by, t.Add(30*time.Second).Format(time.RFC1123Z)))
}

// archiveFiles is testdata/archive/.
func archiveFiles() []File {
	var files []File
	add := func(path string, data []byte) { files = append(files, File{path, data}) }

	// Alice's messages to Bob: the Sent copy is the message before
	// signing; Bob's copy is the signed one, as delivered.
	budget := Message{From: "Alice Example <alice@example.com>", To: "Bob Example <bob@example.org>",
		Subject: "Budget draft", Date: at(24), MessageID: "<budget-draft@example.com>", Body: budgetBody}
	payment := Message{From: "Alice Example <alice@example.com>", To: "Bob Example <bob@example.org>",
		Subject: "Printer payment", Date: at(48), MessageID: "<printer-payment@example.com>", Body: paymentBody}
	forged := payment
	forged.Body = paymentForged
	budgetSigned := delivered(signedAt(budget, budget.Date, "rsa2048", nil), "mx.example.org", budget.Date)
	paymentSigned := delivered(signedAt(payment, payment.Date, "rsa2048", nil), "mx.example.org", payment.Date)

	// Alice's Sent folder: the budget as sent (corroborated by Bob's
	// copy), the payment as a forger changed it (contradicted by Bob's
	// copy and by Bob's reply, which quotes the real one), and her reply
	// to Dave's notes, which quotes them other than they are.
	notes := Message{From: "Dave Example <dave@example.net>", To: "Alice Example <alice@example.com>, Bob Example <bob@example.org>",
		Subject: "Meeting notes", Date: at(60), MessageID: "<meeting-notes@example.net>", Body: notesBody}
	notesReply := Message{From: "Alice Example <alice@example.com>", To: "Dave Example <dave@example.net>",
		Subject: "Re: Meeting notes", Date: at(62), MessageID: "<re-meeting-notes@example.com>",
		Extra: []Field{{"In-Reply-To", "<meeting-notes@example.net>"}, {"References", "<meeting-notes@example.net>"}},
		Body: "Dave,\n\nThanks, one correction below.\n\nOn 3 Mar 2016, Dave Example wrote:\n" +
			quote(strings.Replace(notesBody, "second week of May", "first week of June", 1), 66) + "\nAlice\n"}
	sent := [][]byte{budget.Bytes(), forged.Bytes(), notesReply.Bytes()}
	for i, m := range sent {
		add(fmt.Sprintf("archive/alice/Sent/cur/%s", maildirName(at(24*(i+1)), i+1)), LF(m))
	}

	// Bob's mailbox, one .eml file per message as delivered: the signed
	// budget and payment, Dave's unsigned notes, and Bob's own reply to the
	// payment (signed by example.org), which quotes Alice's real text and
	// refers to an earlier message the archive does not hold.
	bobReply := Message{From: "Bob Example <bob@example.org>", To: "Alice Example <alice@example.com>",
		Subject: "Re: Printer payment", Date: at(50), MessageID: "<re-printer-payment@example.org>",
		Extra: []Field{{"In-Reply-To", "<printer-payment@example.com>"},
			{"References", "<printer-contract@example.com> <printer-payment@example.com>"}},
		Body: "Alice,\n\nScheduled, see below.\n\nOn 3 Mar 2016, Alice Example wrote:\n" + quote(paymentBody, 60) + "\nBob\n"}
	bob := [][]byte{
		budgetSigned,
		paymentSigned,
		delivered(notes.Bytes(), "mx.example.org", notes.Date),
		signedAt(bobReply, bobReply.Date, "rsa2048b", nil),
	}
	for i, m := range bob {
		add(fmt.Sprintf("archive/bob/%d.eml", i+1), m)
	}

	// Carol's Inbox: example.org's newsletter every day (signed, passing),
	// one issue changed after signing (its selector's outlier), one issue
	// with no signature at all (example.org signs every other message),
	// an invoice dated before the key archive saw the selector's key, with
	// its Subject changed, and her reply to Alice's budget, which quotes it
	// word for word. The copy of Dave's notes here was edited: it differs
	// from Bob's copy, and neither is signed.
	var inbox []corpusMessage
	for i := range 8 {
		m := Message{From: "Example Org Desk <desk@example.org>", To: "Carol Example <carol@example.org>",
			Subject: fmt.Sprintf("Daily briefing %d", i+1), Date: at(24 * i), MessageID: fmt.Sprintf("<briefing-%d@example.org>", i+1),
			Body: fmt.Sprintf("Carol,\n\nToday's briefing, number %d: nothing new on the budget.\n\nThe desk\n", i+1)}
		raw := delivered(signedAt(m, m.Date, "rsa2048b", nil), "mx.example.org", m.Date)
		switch i {
		case 4:
			raw = bytes.Replace(raw, []byte("nothing new on the budget"), []byte("the budget was leaked to the press"), 1)
		case 6:
			m.Subject = "Daily briefing 7: urgent"
			m.Body = "Carol,\n\nToday's briefing, number 7: wire the deposit to the new account today.\n\nThe desk\n"
			raw = delivered(m.Bytes(), "mx.example.org", m.Date)
		}
		inbox = append(inbox, corpusMessage{envelope: "desk@example.org", date: m.Date, raw: raw})
	}
	invoice := Message{From: "Example Org Billing <billing@example.org>", To: "Carol Example <carol@example.org>",
		Subject: "Invoice 2013-44", Date: day(2013, 5, 2).Add(9 * time.Hour), MessageID: "<invoice-2013-44@example.org>",
		Body: "Carol,\n\nInvoice 2013-44 is due at the end of the month.\n\nBilling\n"}
	invoiceRaw := bytes.Replace(signedAt(invoice, invoice.Date, "rsa2048b", nil), []byte("Subject: Invoice 2013-44"), []byte("Subject: Invoice 2013-44 (final reminder)"), 1)
	inbox = append(inbox, corpusMessage{envelope: "billing@example.org", date: invoice.Date, raw: invoiceRaw})
	carolReply := Message{From: "Carol Example <carol@example.org>", To: "Alice Example <alice@example.com>",
		Subject: "Re: Budget draft", Date: at(30), MessageID: "<re-budget-draft@example.org>",
		Extra: []Field{{"In-Reply-To", "<budget-draft@example.com>"}, {"References", "<budget-draft@example.com>"}},
		Body:  "Alice,\n\nBob forwarded this; fine by me.\n\nOn 2 Mar 2016, Alice Example wrote:\n" + quote(budgetBody, 50) + "\nCarol\n"}
	inbox = append(inbox, corpusMessage{envelope: "carol@example.org", date: carolReply.Date, raw: signedAt(carolReply, carolReply.Date, "rsa2048b", nil)})
	editedNotes := notes
	editedNotes.Body = strings.Replace(notesBody, "three companies", "one company", 1)
	inbox = append(inbox, corpusMessage{envelope: "dave@example.net", date: notes.Date, raw: delivered(editedNotes.Bytes(), "mx.example.org", notes.Date)})
	add("archive/carol/Inbox.mbox", mboxFile(inbox, mboxrd, "\n"))

	// A second export of Bob's mailbox, zipped, in which the budget's copy
	// lost its signature and had its Subject changed.
	planted := bytes.Replace(budget.Bytes(), []byte("Subject: Budget draft"), []byte("Subject: Budget draft (cuts approved)"), 1)
	add("archive/bob-export.zip", zipFile([]File{
		{"Bob/Inbox/1.eml", delivered(planted, "mx.example.org", budget.Date)},
		{"Bob/Inbox/2.eml", paymentSigned},
	}))
	add("archive/README.md", []byte(archiveREADME))
	return files
}

const archiveREADME = `# archive

A generated leak of three mailboxes in which the messages vouch for and
against each other, for the archive pass (` + "`provenance.ArchivePass`" + `).
Every file is made by ` + "`internal/testmail`" + ` (` + "`gen_archive.go`" + `); never edit it
by hand.

- ` + "`alice/Sent/`" + ` (Maildir): Alice's Sent copies, stored before signing. The
  budget is as sent (Bob's signed copy corroborates it); the printer payment
  was changed by a forger (Bob's signed copy and Bob's reply contradict it);
  her reply to Dave's notes quotes them other than they are.
- ` + "`bob/`" + ` (.eml files): the signed budget and payment as delivered, Dave's
  unsigned notes, and Bob's signed reply quoting the payment word for word;
  it refers to an earlier message the leak does not hold.
- ` + "`carol/Inbox.mbox`" + ` (mboxrd): eight daily briefings signed by example.org,
  of which one was changed after signing and one carries no signature; an
  invoice dated before the key archive saw its key, with its Subject changed;
  Carol's signed reply quoting Alice's budget word for word; and an edited,
  unsigned copy of Dave's notes.
- ` + "`bob-export.zip`" + `: another export of Bob's mailbox, in which the budget's copy
  lost its signature and had its Subject changed.
`
