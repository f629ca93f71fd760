// Package testmail makes the synthetic test mail of this repository: fixed
// test keys, a deterministic message builder, a DKIM signer of its own
// (independent of the dkim package, so that tests comparing the two are
// differential), key-file writers and the generator of testdata/.
//
// It is for tests only. It must not import dkim, arc or provenance: their
// tests import it.
//
// # Keys
//
// [MustKey] returns one of the committed keys (keys/*.pem): "rsa2048",
// "rsa2048b", "rsa1024", "rsa768", "rsa512", "ed25519", "ed25519b". Each
// has a default domain and selector ([Key.Domain], [Key.Selector]) and a DKIM
// record ([Key.Record]). RSA keys under 1024 bits sign with plain math/big
// arithmetic ([SmallRSAKey]), since crypto/rsa refuses them;
// [VerifyPKCS1v15] checks such signatures the same way.
//
// # Messages
//
// [Message] renders a CRLF RFC 5322 message with fixed defaults (Date
// 2016-03-01 10:00:00 +0000), optionally multipart with attachments:
//
//	msg := testmail.Message{Subject: "Hello", Body: "Hi Bob.\n"}.Bytes()
//
// [Prepend], [ReplaceBody], [LF] and [CRLF] make the changes tests need
// after signing (a prepended From, an altered body, an mbox's bare LF).
//
// # Signing
//
// [Sign] prepends a DKIM-Signature:
//
//	signed, err := testmail.Sign(msg, testmail.MustKey("rsa2048"), nil)
//
// A nil [SignOptions] gives rsa-sha256 (ed25519-sha256 for an Ed25519 key),
// c=relaxed/relaxed, h=from:to:subject:date:message-id, v=1, d= and s= of
// the key and t= [DefaultUnix]. The options make rsa-sha1, the four
// canonicalizations, oversigned h= lists, l= ([WholeBody] or a length), t=,
// x=, i=, pre-RFC signatures (Omit "v", or Version "0.5"), extra and
// duplicate tags, a replaced bh= or b= (bad base64), d=/s= independent of
// the key, and another field name. Output is deterministic.
// [SignatureField] returns just the field, to transplant it onto another
// message.
//
// SignMsgauth signs the same options with go-msgauth where go-msgauth can
// (rsa-sha256 and ed25519-sha256, keys of 1024 bits or more, no l=).
//
// # Key files
//
// [KeyEntry] is one line of a JSON Lines key archive (docs/keys.md);
// [Key.Entry], [KeyFileLine] and [KeyFile] write them, [KeyEntry.ZoneRecord]
// writes a BIND TXT record, and [TXTLookup] answers go-msgauth's
// VerifyOptions.LookupTXT from entries, without the network.
package testmail
