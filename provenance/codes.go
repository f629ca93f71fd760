package provenance

import (
	"fmt"
	"slices"
)

// A CodeInfo documents one evidence code. docs/evidence.md holds the same
// list in prose; a test keeps the two in sync.
type CodeInfo struct {
	Code     string   // stable dotted identifier ("dkim.body_hash_mismatch")
	Severity Severity // the severity every item with this code carries
	Meaning  string   // what the evidence means, one sentence
	Next     string   // what a reporter should do next, one sentence
}

// codes is the evidence code registry. Every Evidence the package emits has
// a code listed here, and carries the severity listed here.
var codes = []CodeInfo{
	// dkim: one item per signature outcome.
	{"dkim.pass", SeverityInfo,
		"A DKIM signature verifies: the signed header fields and body are as the signing domain's mail system sent them.",
		"Check that the signing domain is the one the message claims to come from (see dkim.unaligned)."},
	{"dkim.body_hash_mismatch", SeverityAlteration,
		"The body no longer matches the hash the signature recorded: the body was changed after signing.",
		"Compare the text with another copy of the message; do not quote the body as sent."},
	{"dkim.header_signature_invalid", SeverityAlteration,
		"The signature over the header fields does not verify with the signer's key: a signed header field was changed after signing.",
		"Compare the signed header fields (From, To, Subject, Date, and the DKIM-Signature field itself, whose tags are signed too) with another copy of the message."},
	{"dkim.untied_signature_fails", SeverityCaution,
		"A signature fails over both the signed header fields and the body, and no passing signature covers it: nothing ties it to this message. Anyone can copy a signature from any public email onto another message, so its failure proves nothing either way.",
		"Judge the message on its other signatures; if none verifies, corroborate it by other means. Do not report it as altered on this signature's account."},
	{"dkim.unaligned_signature_fails", SeverityCaution,
		"A signature by a domain other than the From domain fails. Anyone can sign a message with a domain of their own so that the signature fails, so this proves no change to the message.",
		"Judge the message on the From domain's own signatures; say which domain's signature fails if the message passed through that domain's systems (a mailing list, a mail provider)."},
	{"dkim.other_signature_fails", SeverityCaution,
		"A signature fails while another, aligned signature verifies the message (mailing lists and forwarders often break extra signatures).",
		"Rely on the signature that verifies; mention the failing one if the message passed through a list or forwarder."},
	{"dkim.wider_signature_fails", SeverityAlteration,
		"An aligned signature verifies, but another signature, checked with its key, covers a field (or body text) the passing one does not and fails: a real key signed content that differs now.",
		"Compare the fields the failing signature covers (named in the evidence) with another copy of the message; do not quote them as sent."},
	{"dkim.key_mismatch", SeverityCaution,
		"The key on file for this selector cannot have made this signature (its b= is not a signature by that key): usually a newer key published under a reused selector, sometimes a damaged or made-up b=. It is no evidence of a change.",
		"Look for the selector's older key in a DKIM key archive and check again with it."},
	{"dkim.no_key", SeverityCaution,
		"The key for this signature's selector is not in the key archive (or DNS recorded no such name).",
		"Look the selector up in a public DKIM key archive and add the record to your key file."},
	{"dkim.key_revoked", SeverityCaution,
		"The key record for this selector is empty (p=): the key was withdrawn, so the signature cannot be checked.",
		"Find the key as it was published when the message was sent, in a DKIM key archive."},
	{"dkim.key_weak", SeverityCaution,
		"The signature was checked with an RSA key shorter than the policy minimum: such keys can be broken, so it vouches for nothing.",
		"Treat the message as unverified; look for other copies or other evidence."},
	{"dkim.key_testing", SeverityCaution,
		"The key record is marked as a test key (t=y): its owner said signatures with it should not be trusted.",
		"Treat the message as unverified; look for other copies or other evidence."},
	{"dkim.key_published", SeverityCaution,
		"The private half of this key was made public: anyone could have made this signature.",
		"Treat the signature as worthless for messages signed after the key was published; look for other evidence."},
	{"dkim.key_recovered", SeverityCaution,
		"The only key that verifies this signature was recovered from signatures of this archive (keys recover): it shows that these messages were signed with one key, not whose key it is, since anyone can make a key and sign with any selector.",
		"Find the same key in an independent source (a public key archive, a colleague's key file, DNS) and add it to your key files: then the signature counts."},
	{"dkim.permerror", SeverityCaution,
		"The signature or its key record is malformed, unsupported or breaks a key restriction, so it cannot be checked.",
		"Read the reason; a malformed signature may be an attempt to confuse verifiers."},
	{"dkim.temperror", SeverityCaution,
		"A DNS lookup for the key failed temporarily (recorded or live), so the signature could not be checked.",
		"Retry the lookup later or find the key in a DKIM key archive."},
	{"dkim.unaligned", SeverityCaution,
		"The signing domain (d=) is not the From domain nor part of the same organization: the signature does not vouch for the sender shown.",
		"Say which domain signed; it shows the message passed through that domain's systems, not who wrote it."},
	{"dkim.draft_signature", SeverityInfo,
		"The signature follows a pre-RFC draft of DKIM (2005 to 2007); it was verified the way Mail::DKIM verifies such signatures.",
		"Nothing to do; old signatures are expected in old mail."},
	{"dkim.sha1", SeverityInfo,
		"The signature uses rsa-sha1, which the policy accepts at medium confidence at most.",
		"Prefer a copy signed with rsa-sha256 if one exists."},
	{"dkim.sha1_rejected", SeverityCaution,
		"The signature uses rsa-sha1, which the policy does not accept.",
		"Run again without --no-sha1 if rsa-sha1 signatures should count."},
	{"dkim.body_length_limit", SeverityCaution,
		"The signature covers only the first part of the body (l=): text after that point is not signed.",
		"Quote only the signed part of the body."},
	{"dkim.text_past_body_length", SeverityAlteration,
		"Text follows the part of the body an aligned, passing signature covers (l=): it was added after signing (or the signer left it out on purpose); nothing vouches for it.",
		"Quote only the signed part of the body, and say that the text after it is not vouched for."},
	{"dkim.expired", SeverityInfo,
		"The signature's expiry time (x=) has passed; expiry does not apply to archived mail.",
		"Nothing to do."},
	{"dkim.future_timestamp", SeverityCaution,
		"The signature's own timestamp (t=) is later than the time of the check.",
		"Check the Date and Received fields; a signer's clock may have been wrong, or the message was made up."},
	{"dkim.signed_after_receipt", SeverityCaution,
		"The signature's timestamp (t=) is later than a Received hop that was added after signing: by the clocks, the message was received before it was signed.",
		"Compare with other mail of the same day from the same systems; a wrong clock explains this, and so does a Received field written by hand."},
	{"dkim.signed_far_from_date", SeverityCaution,
		"The signature's timestamp (t=) is more than a day from the Date field: the message was signed long before or after the time it says it was written.",
		"Look for Resent- fields or an earlier copy; a message signed again when re-sent looks like this, and so does a Date that is not what it was."},
	{"dkim.skipped", SeverityCaution,
		"The message has more signatures than the per-message cap; the rest were not checked, so the message cannot be authentic: junk signatures can push a real failure past the cap.",
		"Raise the cap (Options.MaxSignatures; the command uses the default of 16) to check them all."},
	{"dkim.none", SeverityInfo,
		"The message carries no DKIM signature, so nothing here vouches for it.",
		"Look for other copies of the message, or for the sender's or recipients' confirmation."},
	{"dkim.key_outside_seen_dates", SeverityCaution,
		"The signature's own timestamp (t=) or the message's Date lies outside the dates the key archive saw the key that verified it published (first_seen to last_seen): the key may have been used before or after those dates, or the date was set wrong. The signature keeps its result.",
		"Check the date against the key archive's history of the selector, or against other mail signed with it; a date years away from the key's is worth a second source."},

	// domainkeys: DomainKey-Signature fields (RFC 4870, DKIM's predecessor,
	// 2004 to about 2010), verified as Mail::DKIM verifies them. The
	// outcomes they share with DKIM (no_key, key_weak, permerror, ...) use
	// the dkim codes.
	{"domainkeys.pass", SeverityInfo,
		"A DomainKeys signature verifies: the header fields it signs and the body, hashed together, are as the signing domain's mail system sent them. DomainKeys is rsa-sha1 by definition, so it makes a message authentic at medium confidence at most.",
		"Check that the signing domain is the one the message claims to come from (see dkim.unaligned); prefer a DKIM signature of the same domain when there is one."},
	{"domainkeys.signature_invalid", SeverityAlteration,
		"A DomainKeys signature does not verify with the signer's key: a header field it signs or the body was changed after signing (DomainKeys hashes both together, so it cannot say which).",
		"Compare the signed header fields and the body with another copy of the message; with simple canonicalization even changed spacing breaks it, so check whether an archive tool rewrote whitespace."},

	// header: what the header itself shows.
	{"header.unsigned_duplicate_from", SeverityAlteration,
		"The message has an extra From field that the passing signature does not cover: a mail client may show the unsigned one.",
		"Do not trust the sender shown; report that a From field was added after signing."},
	{"header.unsigned_duplicate_to", SeverityAlteration,
		"The message has an extra To field that the passing signature does not cover.",
		"Report that a To field was added after signing."},
	{"header.unsigned_duplicate_cc", SeverityAlteration,
		"The message has an extra Cc field that the passing signature does not cover.",
		"Report that a Cc field was added after signing."},
	{"header.unsigned_duplicate_subject", SeverityAlteration,
		"The message has an extra Subject field that the passing signature does not cover: a mail client may show the unsigned one.",
		"Report that a Subject field was added after signing."},
	{"header.unsigned_duplicate_date", SeverityAlteration,
		"The message has an extra Date field that the passing signature does not cover.",
		"Report that a Date field was added after signing."},
	{"header.unsigned_duplicate_message_id", SeverityAlteration,
		"The message has an extra Message-ID field that the passing signature does not cover.",
		"Report that a Message-ID field was added after signing."},
	{"header.unsigned_duplicate_reply_to", SeverityAlteration,
		"The message has an extra Reply-To field that the passing signature does not cover.",
		"Report that a Reply-To field was added after signing."},
	{"header.unsigned_duplicate_sender", SeverityAlteration,
		"The message has an extra Sender field that the passing signature does not cover: Outlook and others show it as \"Sender on behalf of From\".",
		"Report that a Sender field was added after signing; do not name the person it shows."},
	{"header.unsigned_duplicate_bcc", SeverityAlteration,
		"The message has an extra Bcc field that the passing signature does not cover.",
		"Report that a Bcc field was added after signing."},
	{"header.unsigned_duplicate_in_reply_to", SeverityAlteration,
		"The message has an extra In-Reply-To field that the passing signature does not cover: it can move the message into another thread.",
		"Report that an In-Reply-To field was added after signing; do not place the message in a thread on its account."},
	{"header.unsigned_duplicate_references", SeverityAlteration,
		"The message has an extra References field that the passing signature does not cover: it can move the message into another thread.",
		"Report that a References field was added after signing; do not place the message in a thread on its account."},
	{"header.unsigned_duplicate_mime", SeverityAlteration,
		"The message has an extra Content-Type, Content-Disposition or Content-Transfer-Encoding field that the passing signature does not cover: it can change how a mail client shows the body.",
		"Report that a field deciding how the body is shown was added after signing; read the body as the signed field says."},
	{"header.duplicate_mime_field", SeverityCaution,
		"The header has more than one Content-Type, Content-Disposition or Content-Transfer-Encoding field; mail clients disagree on which one decides how the body is shown.",
		"Look at the raw message; what a reader saw may differ from what was signed."},
	{"header.lone_cr", SeverityCaution,
		"The header holds a carriage return that does not end a line; some mail clients start a new field there and may show a field the signature does not cover. Also given when every line ends CR CR LF (a text-mode copy, read as CR LF to check the signatures): a client that ends a line at each CR ends the header after the first line and shows the rest of the header, unsigned fields included, as the start of the body (and, when that first line is a Content-Type of another type than text/plain or a decoding Content-Transfer-Encoding, as a body of that kind). No authentic verdict.",
		"Look at the raw header bytes; this is a known way to show a different sender than the one signed."},
	{"header.unsigned_field", SeverityCaution,
		"A displayed field is present but not covered by the deciding signature: it may have been changed.",
		"Do not quote that field as proven."},
	{"header.unsigned_mime_field", SeverityCaution,
		"A top-level Content-Type, Content-Disposition or Content-Transfer-Encoding field is not covered by the deciding signature: the body bytes are proven, not how a mail client splits or decodes them, so no attachment counts as covered.",
		"Quote the body text as signed bytes; do not present any attachment as signed."},
	{"header.too_large", SeverityCaution,
		"The header is larger than the reader's cap, so its signatures and fields were not checked.",
		"Inspect the header by hand; an enormous header is often an attempt to hide fields from checkers."},
	{"header.space_before_colon", SeverityCaution,
		"A field name is followed by a space before its colon (\"From :\"): verifiers and mail clients may disagree on which field is which, and some (Python's email package) end the header there and show that line, and the fields after it, as the body. No authentic verdict.",
		"Look at the raw header; this is a known way to show a different sender than the one signed."},
	{"header.leading_whitespace", SeverityCaution,
		"The first header line starts with whitespace, which hides a field from some readers.",
		"Look at the raw header; this is a known way to show a different sender than the one signed."},
	{"header.folded_name", SeverityCaution,
		"A field name is folded onto the next line, which readers interpret differently (some end the header at the name's line). No authentic verdict.",
		"Look at the raw header; this is a known way to show a different sender than the one signed."},
	{"header.non_ascii_name", SeverityCaution,
		"A field name holds bytes outside printable ASCII, which readers interpret differently.",
		"Look at the raw header."},
	{"header.no_colon", SeverityCaution,
		"A header line is not a field at all (it has no colon).",
		"Look at the raw header; an archive tool may have damaged it."},
	{"header.lookalike_name", SeverityCaution,
		"A field's name is a displayed field's (From, Subject...) padded with Unicode spaces or control characters; mail clients that trim them show a second such field, which no signature covers.",
		"Read the raw header; a name like \"From\\v\" is a way to add a From that verifiers ignore."},
	{"header.stray_line", SeverityCaution,
		"A header line that is not a proper field (no colon, or a name that starts with a vertical tab, a form feed or a Unicode space) follows a displayed field (From, To, Subject...); some mail clients show it as part of that field, which the signature does not cover, so the message cannot be authentic as displayed.",
		"Look at the raw header: a line slipped in after From can add an address no signature covered."},
	{"header.date_unparseable", SeverityInfo,
		"The Date field is missing or cannot be read.",
		"Use the Received fields to date the message."},

	// identity: who the message claims to be from.
	{"identity.from_not_single_mailbox", SeverityCaution,
		"The From field is not exactly one mailbox, so there is no single sender a signature could vouch for.",
		"Look at the raw From field; several addresses or an address hidden in the name are ways to mislead."},
	{"identity.idn_from_domain", SeverityCaution,
		"The From domain is internationalized (an xn-- name in DNS); mail clients may show it in Unicode, where letters of other scripts can imitate a familiar domain.",
		"Compare the domain letter by letter with the one it seems to be; the signature vouches for the xn-- name, not for a look-alike."},
	{"identity.mailbox_provider", SeverityInfo,
		"The signing domain is a public mailbox provider: the signature proves the message came from that account, not who typed it.",
		"Confirm who controls the account before attributing the message to a person."},
	{"identity.platform_mail", SeverityInfo,
		"The message was generated by a platform's systems (alerts, notifications), as its signature shows.",
		"Treat it as the platform's automatic mail, not a person's message."},

	// authres: what receivers recorded.
	{"authres.pass_now_fails", SeverityAlteration,
		"A receiver recorded that this signature passed on arrival, and it fails now: the message was changed after it was received.",
		"Report that the message was changed after delivery; compare with another copy."},
	{"authres.pass_not_tied", SeverityCaution,
		"A receiver's record (Authentication-Results, or an ARC set's ARC-Authentication-Results) of a pass for a signature that fails now, where that signature is not the From domain's or nothing ties it to this message: a signature copied from another message can bring that message's record along, so this proves no change.",
		"Judge the message on its other signatures; corroborate it by other means before treating it as altered."},
	{"authres.recorded", SeverityInfo,
		"A receiver recorded a DKIM result on arrival; a recorded result alone never makes a message authentic.",
		"Nothing to do; it is context for the signatures."},
	{"authres.unmatched_pass", SeverityCaution,
		"A receiver's recorded dkim=pass names a signature the message no longer carries (or anyone could have written that field).",
		"Do not rely on the recorded result; look for another copy with the signature intact."},

	// arc: what sealers recorded (RFC 8617).
	{"arc.chain_pass", SeverityInfo,
		"The message carries an intact ARC chain: each sealer's record of what it saw is unchanged.",
		"Read what the sealers recorded; trust it only as far as you trust the sealers."},
	{"arc.chain_fail", SeverityCaution,
		"The message's ARC chain is broken: the sealers' records cannot be relied on.",
		"Read the reason; a broken chain often means the message was changed after sealing."},
	{"arc.sealed", SeverityInfo,
		"An ARC set records what one receiving system saw.",
		"Nothing to do; it is context for the verdict."},
	{"arc.aar_pass_now_fails", SeverityAlteration,
		"An ARC sealer the policy does not trust recorded dkim=pass for a signature that fails now: the message was changed after sealing, or the record was forged.",
		"Report that the message was changed after delivery; compare with another copy."},
	{"arc.trusted_sealer", SeverityCaution,
		"The verdict rests on a trusted ARC sealer's record of a passing aligned signature, not on the signature as it stands now.",
		"Say that the verdict rests on the sealer's word, and name what differs now."},

	// coverage
	{"coverage.mime_mismatch", SeverityCaution,
		"The body bytes are proven, but an unsigned top-level MIME field (Content-Type with its boundary and charset, Content-Transfer-Encoding, Content-Disposition) does not fit them as their only natural reading, or the text is format=flowed with delsp=yes, sent without a transfer encoding, and only relaxed body canonicalization signs it (a space at a line's end, which relaxed does not sign, joins two words there): a forger can change how a mail client splits, decodes or presents the signed bytes without breaking any signature, so what a reader sees is not proven and the message cannot be authentic.",
		"Read the body from its raw bytes (as the structure they hold shows it), not as a mail client displays it; compare with another copy of the message before quoting it."},
	{"coverage.mime_ambiguous", SeverityCaution,
		"MIME readers read the body differently: a line of a multipart body starts with its boundary but is not a delimiter line as RFC 2046 defines it (text after the boundary, or a line break of another kind than the message's), where strict readers list no part after it; or a multipart Content-Type gives its boundary twice, in RFC 2231's form, with white space at its end or oddly quoted, or cannot be read strictly at all (an unquoted boundary with \"=\" in it); or a Content-Type or Content-Disposition gives another parameter (charset, name, filename) twice, or plainly and in RFC 2231's form with different values; or a part header has two Content-Type, Content-Transfer-Encoding or Content-Disposition fields of different values, or a line that is no header field; or a Content-Transfer-Encoding goes on after base64 or quoted-printable (a comment, a parameter), which some readers decode and others show encoded; or base64 text goes on after its padding or after a byte that is not base64; or an attachment's quoted-printable text holds a byte go-message's decoder stops at (a control byte), where others decode on; or a part (a nested multipart with no boundary, a part header cut off) stops the reading of the structure before its end, so the parts after it are go-message's reading alone. The attachments and text are one reading (a mail client's, for a delimiter line); copies of the message are compared on their bytes, not on that reading.",
		"Open the message in more than one mail client or MIME tool and compare the parts each shows before quoting its attachments or text."},
	{"coverage.mime_truncated", SeverityCaution,
		"The MIME structure is deeper or larger than the reader walks; attachments and text past the caps are not listed, so the list is incomplete, and copies of the message are compared on the body's bytes.",
		"Extract the attachments with a mail client or a MIME tool before relying on the list."},

	// copies, cohort, thread: what the other messages of the archive say
	// (the archive pass, archivepass.go).
	{"copies.conflict", SeverityAlteration,
		"Another copy of the message (the same Message-ID) is authentic, and this copy differs from it in what a reader sees (a displayed field, the body as displayed, or an attachment; trace fields such as Received do not count): this copy was changed after it was sent, or it is another message under the same Message-ID.",
		"Quote the authentic copy the evidence names, not this one; compare the two on what differs."},
	{"copies.corroborated", SeverityInfo,
		"This copy carries no signature that vouches for it, but another copy of the message (the same Message-ID) is authentic and shows a reader exactly what this one shows (trace fields aside), as a sender's Sent-folder copy, stored before it was signed, does: the message is authentic by that copy, at its confidence at most and for the elements its signature proves.",
		"Cite the authentic copy the evidence names as the proof, and quote only what its signature proves."},
	{"copies.differ", SeverityCaution,
		"Another copy of the message (the same Message-ID) differs from this one in what a reader sees, and the copies' verdicts cannot say which is the changed one: both are authentic (a mailing list adds a footer and signs again), or neither is.",
		"Compare the copies on what differs before quoting either; find out which copy the source's mailbox held."},
	{"cohort.selector_outlier", SeverityCaution,
		"The signature fails where the same signing domain and selector verify nearly every other message of the archive dated within 30 days: a planted or edited message often stands out so among authentic neighbours.",
		"Compare this message with its neighbours from the same sender; look for another copy of it."},
	{"cohort.unsigned_outlier", SeverityCaution,
		"The message carries no signature, although its From domain signs every other message it sent in the archive: a message made up and slipped among real ones often looks like this (a Sent-folder copy stored before signing does too).",
		"Look for a signed copy of the message (the recipient's Inbox); ask how the message came into the archive."},
	{"cohort.outside_key_dates", SeverityCaution,
		"The message is dated outside the dates the key archive saw its selector's key published: either the key archive's history is incomplete, or the Date is not what it was.",
		"Check the selector's history in another key archive, and the Date against the Received fields and the neighbouring messages."},
	{"thread.quoted_by", SeverityInfo,
		"An authentic reply in the archive quotes this message's text word for word (after its quote marks are removed and its lines re-wrapped): the quoted text is what the replier received.",
		"Cite the reply as corroboration of the quoted text; it says nothing of the parts the reply does not quote."},
	{"thread.quote_conflict", SeverityCaution,
		"A reply's quote of the message it answers differs from that message's text in a paragraph: one of the two was changed, or the replier edited the quote.",
		"Compare the quote with the message it quotes; find out which of them the other copies and the sender confirm."},

	// received: the header chain.
	{"received.out_of_order", SeverityCaution,
		"A Received hop is timestamped earlier than the hop below it: the header chain is out of order.",
		"Check the hops; clocks can be wrong, but an edited header chain looks like this too."},
	{"received.date_far_from_first_hop", SeverityCaution,
		"The Date field is far from the time the first server received the message.",
		"Check the Date against the Received hops before quoting it."},
	{"received.impossible_zone", SeverityCaution,
		"A Received timestamp has a time zone that does not exist.",
		"Check the hop; hand-edited headers often show this."},
	{"received.unparseable", SeverityInfo,
		"A Received field could not be read.",
		"Nothing to do unless the header chain matters."},

	// archive and repair: how the stored bytes were read.
	{"archive.lf_line_endings", SeverityInfo,
		"The archive stores the message with bare LF line endings; they were made CRLF, as mail is sent, before checking.",
		"Nothing to do; this is how most archives store mail."},
	{"archive.header_only", SeverityCaution,
		"The file holds a header and no body: an export of the header alone. The body could not be checked, and nothing vouches for it.",
		"Find the full message; the header alone cannot show the body was not changed."},
	{"archive.takeout_headers", SeverityInfo,
		"Gmail export fields (X-GM-THRID, X-Gmail-Labels) were added on top of the message by Google Takeout; they are not signed and do not matter.",
		"Nothing to do."},
	{"archive.leading_separator", SeverityInfo,
		"An mbox separator line (\"From sender date\") sits at the top of a single-message file, left there by an export tool; it is not a header field and was set aside.",
		"Nothing to do."},
	{"archive.bom", SeverityInfo,
		"A UTF-8 byte-order mark, which Windows tools write at the start of a text file, sits at the start of the file or of the message (or before an mbox separator line); it is a storage artifact, not part of the message, and was set aside. The custody offset, size and SHA-256 are still those of the stored bytes.",
		"Nothing to do."},
	{"archive.content_length_conflict", SeverityInfo,
		"The message's Content-Length field disagrees with the mbox separator lines: the count stops short of the next separator line, or reaches over a separator line where another message starts. The separator lines frame the message, as mail readers read the file, so no message is hidden inside another.",
		"Nothing to do for this message; tools that rewrite a stored message often leave its Content-Length stale. If the count reached over another message, that message is reported on its own."},
	{"archive.note", SeverityInfo,
		"The archive reader noted something about how the message was stored.",
		"Read the note; it may explain a failing signature."},
	{"repair.mbox_unescaped", SeverityInfo,
		"The signature verifies once the mbox escaping of lines starting with \"From \" is read differently.",
		"Look at the body lines starting with \">From \": most likely the archive's escaping differed, but a \">\" someone added is the same bytes, so an authentic verdict is medium confidence at most."},
	{"repair.mbox_ambiguous", SeverityInfo,
		"The signature checks come out better once some body lines starting with \">From \" are unescaped and others read as written: the mbox variant cannot tell a quoted line from an escaped one.",
		"Look at the body lines starting with \">From \": most likely the archive's escaping differed, but a \">\" someone added is the same bytes, so an authentic verdict is medium confidence at most."},
	{"repair.double_cr", SeverityInfo,
		"The signature verifies once line endings doubled by a text-mode copy (CR CR LF) are read as CR LF.",
		"The line endings are a copy tool's, not the sender's; but a mail client that ends a line at each CR shows the header's unsigned fields as body text, so the message is unverifiable (header.lone_cr): read it with CR LF line endings, and find a copy stored without the doubling."},
}

// codeIndex maps codes to their position in codes.
var codeIndex = func() map[string]int {
	m := make(map[string]int, len(codes))
	for i, c := range codes {
		m[c.Code] = i
	}
	return m
}()

// Codes returns the documented evidence codes, in documentation order.
func Codes() []CodeInfo { return slices.Clone(codes) }

// LookupCode returns the documentation of code, and false when the code is
// not registered.
func LookupCode(code string) (CodeInfo, bool) {
	i, ok := codeIndex[code]
	if !ok {
		return CodeInfo{}, false
	}
	return codes[i], true
}

// evidence returns an Evidence item with code's registered severity and a
// message built from format and args. An unregistered code is a bug in this
// package; tests catch it, and at run time it is reported as caution.
func evidence(code, format string, args ...any) Evidence {
	sev := SeverityCaution
	if c, ok := LookupCode(code); ok {
		sev = c.Severity
	}
	return Evidence{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...)}
}
