package archive

import (
	"bytes"

	"github.com/leakproof/leakproof/mbox"
)

// SniffSize is how many leading bytes of a file [Detect] needs to decide.
const SniffSize = 64 << 10

// A Kind is the container format of one file, as [Detect] reads it.
type Kind int

// The kinds of file Walk tells apart.
const (
	KindNotMail Kind = iota // none of the below
	KindEML                 // one RFC 5322 message
	KindEmlx                // Apple Mail: a length line, the message, a plist trailer
	KindMbox                // an mbox file of any variant
	KindZip                 // a zip file
	KindTar                 // a tar file (POSIX, GNU or V7)
	KindGzip                // a gzip stream: a .tar.gz, a .mbox.gz
	KindBzip2               // a bzip2 stream: a .tar.bz2, a .mbox.bz2
)

var kindNames = [...]string{"not mail", "eml", "emlx", "mbox", "zip", "tar", "gzip", "bzip2"}

// String returns the kind's name ("eml", "mbox", "not mail", ...).
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Detect reports the kind of a file from its first bytes (up to [SniffSize];
// pass the whole file when it is shorter), by content, never by name:
//
//   - zip: the local-file or end-of-directory signature ("PK\x03\x04",
//     "PK\x05\x06");
//   - gzip: its magic number and the deflate method (1f 8b 08); bzip2:
//     "BZh", a block size digit and the magic of a block or of the end;
//   - tar: a first 512-byte header whose checksum is right, with the
//     "ustar" magic or, for V7 tar, an empty magic and a file type;
//   - mbox: a separator line ([mbox.IsSeparator]) first, after optional
//     blank lines;
//   - emlx: a line holding only a byte count, then a plausible header;
//   - eml: a plausible RFC 5322 header: at least two well-formed fields
//     (continuation lines allowed, a space before the colon tolerated), one
//     of them a field every mail system writes (From, Date, Received,
//     Message-ID, ...), up to the blank line that ends the header or the end
//     of head.
//
// A UTF-8 byte-order mark at the start of head (Windows tools write one)
// is read past for an mbox, whose reader sets it aside; for the other
// kinds the mark stays, and a verifier sets it aside.
//
// Anything else, an empty head included, is KindNotMail. Detect is safe for
// concurrent use.
func Detect(head []byte) Kind {
	if len(head) > SniffSize {
		head = head[:SniffSize]
	}
	switch {
	case len(head) == 0:
		return KindNotMail
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return KindZip
	case bytes.HasPrefix(head, []byte("\x1f\x8b\x08")):
		return KindGzip
	case isBzip2(head):
		return KindBzip2
	case isTarHeader(head):
		return KindTar
	}
	b := bytes.TrimPrefix(head, []byte(mbox.UTF8BOM))
	for {
		if bytes.HasPrefix(b, []byte("\n")) {
			b = b[1:]
		} else if bytes.HasPrefix(b, []byte("\r\n")) {
			b = b[2:]
		} else {
			break
		}
	}
	if line, ok := firstLine(b, len(head) < SniffSize); ok && mbox.IsSeparator(line) {
		return KindMbox
	}
	if n, lineLen, ok := emlxLength(head); ok && n > 0 && plausibleHeader(head[lineLen:], len(head) < SniffSize) {
		return KindEmlx
	}
	if plausibleHeader(head, len(head) < SniffSize) {
		return KindEML
	}
	return KindNotMail
}

// isBzip2 reports whether head starts a bzip2 stream: "BZh", the block
// size '1' to '9', then the magic of a block (pi) or of the stream's end
// (sqrt pi), which an empty stream starts with.
func isBzip2(head []byte) bool {
	if len(head) < 10 || !bytes.HasPrefix(head, []byte("BZh")) || head[3] < '1' || head[3] > '9' {
		return false
	}
	m := head[4:10]
	return bytes.Equal(m, []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}) || bytes.Equal(m, []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90})
}

// isTarHeader reports whether head starts with a tar header block: its
// checksum (the byte sum of the block with the checksum field read as
// spaces, in octal) is right, and it has the "ustar" magic (POSIX and GNU
// tar) or, as V7 tar writes, no magic and a regular, link or folder type.
func isTarHeader(head []byte) bool {
	if len(head) < 512 {
		return false
	}
	blk := head[:512]
	field := bytes.Trim(blk[148:156], " \x00")
	if len(field) == 0 {
		return false
	}
	var want int64
	for _, c := range field {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var unsigned, signed int64
	for i, c := range blk {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	if want != unsigned && want != signed {
		return false
	}
	if bytes.HasPrefix(blk[257:], []byte("ustar")) {
		return true
	}
	return blk[0] != 0 && bytes.Count(blk[257:265], []byte{0}) == 8 && bytes.IndexByte([]byte("\x0001257"), blk[156]) >= 0
}

// firstLine returns the first line of b with its line ending; when b holds
// no newline, all of b if final (b is the whole file), else false.
func firstLine(b []byte, final bool) ([]byte, bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], true
	}
	return b, final
}

// emlxLength parses the length line of an .emlx file: optional blanks, a
// decimal byte count, optional blanks, a line ending. It returns the count
// and the length of the line.
func emlxLength(b []byte) (n int64, lineLen int, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 || i > 40 {
		return 0, 0, false
	}
	line := bytes.Trim(b[:i], " \t\r")
	if len(line) == 0 || len(line) > 15 {
		return 0, 0, false
	}
	for _, c := range line {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, i + 1, true
}

// commonFields are header fields nearly every stored message has; one of them
// must be present for a file to count as mail.
var commonFields = []string{
	"from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
	"dkim-signature", "mime-version", "delivered-to", "reply-to", "content-type",
	"sender", "in-reply-to", "references", "x-gm-thrid", "x-gmail-labels",
	"authentication-results", "arc-seal", "x-mailer", "user-agent",
}

// signatureFields are fields that make a header worth verifying on their own:
// a message cut down to its signature (as verifier test corpora have) is still
// mail.
var signatureFields = []string{"dkim-signature", "domainkey-signature", "arc-seal", "arc-message-signature"}

// plausibleHeader reports whether b starts with what reads as an RFC 5322
// header: two or more well-formed fields, one of them a common one, or a
// single signature field. final says b is the whole file, so its last line is
// complete.
//
// Malformed lines are where two needs meet. An adversary must not drop a
// message from a folder's report by adding an odd line to its header (the
// checker reports such lines as evidence); and a log, a YAML file or an
// HTTP dump that quotes a few header lines must not be read as mail. So:
//   - lines of the smuggling kind (oddLine: a field name padded with
//     control or non-ASCII bytes, a line that starts with one, a NUL in a
//     value) are tolerated anywhere, the first line included;
//   - any other malformed line (prose, a log or status line, "- item") is
//     fatal as the first line, and tolerated later only in a header that
//     holds a signature field and a From field: what the checker is for.
func plausibleHeader(b []byte, final bool) bool {
	fields, bad, known, signed, from := 0, 0, false, false, false
	first := true
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else if final {
			line, b = b, nil
		} else {
			break // the window ends inside a line
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break // the end of the header
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line (or a leading-whitespace first line, an attack the checker reports)
		}
		if first && isExchangePreamble(line) {
			first = false
			continue // Exchange's transport-header export starts so
		}
		name, ok := fieldName(line)
		if !ok {
			switch {
			case oddLine(line, first):
				// The smuggling patterns the checker reports.
			case first:
				return false
			default:
				bad++
			}
			first = false
			continue
		}
		first = false
		fields++
		from = from || bytes.EqualFold(name, []byte("from"))
		for _, f := range signatureFields {
			if bytes.EqualFold(name, []byte(f)) {
				signed = true
			}
		}
		if !known {
			for _, f := range commonFields {
				if bytes.EqualFold(name, []byte(f)) {
					known = true
					break
				}
			}
		}
	}
	if bad > 0 && !(signed && from) {
		return false
	}
	return fields >= 2 && known || signed
}

// oddLine reports whether a malformed header line is of the kind header
// smuggling uses: it starts with a control or non-ASCII byte ("\v, evil@x",
// a no-break space), or it would be a well-formed field but for control or
// non-ASCII bytes in its name or a NUL in its value ("From\v: Mallory").
// As the first line only the second kind counts: a byte-order mark or a
// non-ASCII word must not carry a log past the first-line check.
func oddLine(line []byte, first bool) bool {
	return !first && (line[0] < ' ' || line[0] >= 0x7f) || nearField(line)
}

// ExchangePreamble is the first line of the header exports of Microsoft
// Exchange and Outlook ("Internet headers"): no header field, and no sign
// of tampering.
const ExchangePreamble = "Microsoft Mail Internet Headers Version 2.0"

// isExchangePreamble reports whether line, without its line ending, is
// ExchangePreamble.
func isExchangePreamble(line []byte) bool {
	return string(line) == ExchangePreamble
}

// A LeadKind is the kind of line an export tool leaves at the top of a
// single message's bytes, above its header: no header field, and no sign
// of tampering.
type LeadKind int

// The lines LeadingLine tells apart.
const (
	LeadNone      LeadKind = iota // no such line: a header field, or anything else
	LeadSeparator                 // an mbox separator line ([mbox.LeadingSeparatorLen])
	LeadExchange                  // [ExchangePreamble], as Exchange and Outlook header exports start
)

// LeadingLine reports the kind of line an export tool left at the start of
// msg, a message's bytes (an .eml file, or a view of one), and its length
// up to and including its "\n"; LeadNone and 0 when there is none. A line
// without a line ending, the whole of msg, is none. A checker sets such a
// line aside instead of reading it as a malformed header field.
func LeadingLine(msg []byte) (LeadKind, int) {
	if n := mbox.LeadingSeparatorLen(msg); n > 0 {
		return LeadSeparator, n
	}
	head := msg[:min(len(msg), len(ExchangePreamble)+2)] // room for the preamble and its line ending
	if i := bytes.IndexByte(head, '\n'); i >= 0 && isExchangePreamble(bytes.TrimSuffix(head[:i], []byte("\r"))) {
		return LeadExchange, i + 1
	}
	return LeadNone, 0
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// nearField reports whether line would be a well-formed field but for
// control bytes or non-ASCII bytes in its name ("From\v: x", "From\xa0:").
func nearField(line []byte) bool {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || colon > 80 {
		return false
	}
	n := 0
	letter := false
	for _, c := range line[:colon] {
		switch {
		case c < ' ' || c >= 0x7f:
			// dropped
		case c == ' ':
			return false // "Nov 25 10:00:00 host ..." is a log line
		default:
			if n == 0 {
				letter = isLetter(c)
			}
			n++
		}
	}
	return n > 0 && letter
}

// fieldName returns the name of a well-formed header line: printable ASCII
// other than the colon (RFC 5322 §2.2), 1 to 76 bytes, blanks allowed
// before the colon, and no NUL anywhere in the line.
func fieldName(line []byte) ([]byte, bool) {
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, false
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, false
	}
	name := bytes.TrimRight(line[:colon], " \t")
	if len(name) == 0 || len(name) > 76 || !isLetter(name[0]) {
		// Real field names start with a letter; "2024-01-01T10" is the
		// start of a log line's timestamp, and a log that quotes a header
		// is not mail.
		return nil, false
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return nil, false
		}
	}
	return name, true
}
