// Package base64x decodes standard base64 (RFC 4648 §4) as
// encoding/base64's StdEncoding.Decode does, faster on long runs of base64
// characters: the attachments of mail.
//
// Decode gives the same bytes, the same count and an error for the same
// inputs as base64.StdEncoding.Decode. On amd64 CPUs with AVX2 the longest
// prefix of src made of whole 32-character blocks of the alphabet alone
// (no padding, no line ending) is decoded 32 characters at a time in
// vector registers, and the rest by encoding/base64. Such a prefix is
// eight whole groups of four characters per block, decoded the same way
// whatever follows it, so the rest is read as it would have been in one
// call. Elsewhere, and with the build tag purego, Decode is
// base64.StdEncoding.Decode.
//
// # The vector decoding
//
// Each block of 32 characters is checked, translated and packed:
//
//   - Checked: a character is in the alphabet when no bit is set in both
//     checkLo[its low nibble] and checkHi[its high nibble]. Each bit of
//     checkHi names a class of high nibbles, and checkLo sets that bit for
//     the low nibbles that class does not allow: 0x10 for the high nibbles
//     with no character of the alphabet (0, 1, 8 to F), 0x01 for 2 (only
//     '+' and '/', low nibbles B and F), 0x02 for 3 (digits, 0 to 9), 0x04
//     for 4 and 6 (letters from low nibble 1) and 0x08 for 5 and 7 (letters
//     up to low nibble A). A block with any character outside the alphabet
//     is left to encoding/base64.
//   - Translated: a character's six-bit value is the character plus
//     shift[its high nibble], except '/', whose high nibble is that of '+'
//     and which takes shift[1] instead.
//   - Packed: the four six-bit values a, b, c, d of each group become
//     a<<18 | b<<12 | c<<6 | d by two multiply-adds (bytes to 12-bit
//     halves, halves to 24 bits), whose three bytes are then gathered,
//     most significant first, 12 per 128-bit lane and 24 per block.
package base64x
