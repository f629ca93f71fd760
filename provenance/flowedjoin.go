package provenance

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message"

	"github.com/leakproof/leakproof/dkim"
)

// flowedJoins is the misfit field of a body whose flowed text's line
// joins no proven signature fixes (flowedJoinsUnproven).
const flowedJoins = "flowed-joins"

// flowedJoinsPart reports whether a text part (or a single-part body) of
// media type mt, Content-Type ct and Content-Transfer-Encoding cte, whose
// undecoded bytes are data, is text/plain declared format=flowed with
// delsp=yes, sent without a transfer encoding (7bit, 8bit or none), with a
// line break inside a paragraph. A mail client joins a line that ends in a
// space to the next one and deletes the space (RFC 3676 §4.2, delsp=yes),
// so "12" and "500" on two lines read "12500" once a space ends the first.
// Relaxed body canonicalization signs a line the same with or without
// spaces at its end, so under it the signature does not fix where such
// text's words join. (Base64 and quoted-printable text carry their spaces
// encoded, which both canonicalizations sign.) The MIME walks ask it of
// every text part (sliceWalk.walk); nearly every Content-Type has no
// "format" in it and ends the check there.
func flowedJoinsPart(mt, ct, cte string, data []byte) bool {
	return flowModeOf(mt, ct) == flowDelSp && unencodedText(cte) && hasInnerBreak(data)
}

// goMessageFlowed is flowedJoinsPart over the text parts go-message
// reads, for a message neither walk over the bytes read to its end.
func goMessageFlowed(msg []byte) bool {
	e, err := message.Read(bytes.NewReader(msg))
	if e == nil || err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return false
	}
	found := false
	_ = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil || found {
			return err
		}
		ct := part.Header.Get("Content-Type")
		mt, _, _ := parseContentType(ct)
		if flowModeOf(mt, ct) != flowDelSp {
			return nil
		}
		text, err := io.ReadAll(io.LimitReader(part.Body, maxViewText))
		found = err == nil && flowedJoinsPart(mt, ct, part.Header.Get("Content-Transfer-Encoding"), text)
		return nil
	})
	return found
}

// unencodedText reports whether a Content-Transfer-Encoding value leaves
// the text as it is: none, 7bit, 8bit or binary.
func unencodedText(cte string) bool {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		return true
	}
	return false
}

// hasInnerBreak reports whether text has two lines in a row that both
// hold something besides white space: a break a space at the end of the
// first would turn into a join.
func hasInnerBreak(text []byte) bool {
	prev := false
	for line := range bytes.Lines(text) {
		cur := len(bytes.TrimSpace(line)) > 0
		if prev && cur {
			return true
		}
		prev = cur
	}
	return false
}

// flowedJoinsUnproven reports whether f's flowed text with delsp=yes
// (flowedJoinsPart) is proven only by signatures with relaxed body
// canonicalization: no proven passer whose body hash matches signs the
// body simple, spaces at line ends and all.
func flowedJoinsUnproven(f *facts, p *policy) bool {
	if !f.flowedJoinable {
		return false
	}
	for s := range provenPassers(f, p) {
		if s.BodyHash == dkim.BodyMatch && strings.HasSuffix(s.Canonicalization, "/simple") {
			return false
		}
	}
	return true
}

// sealedJoinsUnproven is flowedJoinsUnproven for a verdict on a trusted
// sealer's word: the latest ARC-Message-Signature, which vouches for the
// body then, signs the spaces at line ends only under simple body
// canonicalization.
func sealedJoinsUnproven(f *facts, p *policy) bool {
	ams := f.latestAMS()
	return flowedJoinsUnproven(f, p) && (ams == nil || !strings.HasSuffix(ams.Canonicalization, "/simple"))
}
