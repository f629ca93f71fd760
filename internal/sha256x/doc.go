// Package sha256x computes two independent SHA-256 digests (FIPS 180-4) in
// one pass, for callers that hash two byte streams of one message at once:
// the chain-of-custody digest of the stored bytes and the DKIM body hash of
// the canonical body.
//
// The digests are exactly those of crypto/sha256; only the cost differs.
// SHA-256 is a chain: each round needs the one before, so one stream keeps
// the CPU's hashing unit waiting on its own latency. On amd64 CPUs with the
// SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2) the two streams'
// message schedules and rounds are interleaved, so the rounds of one fill
// the gaps of the other and two digests cost little more than one.
// Elsewhere, and on CPUs without those instructions, each stream goes
// through crypto/sha256, which is what [Sum2] and [Pair] then amount to.
// The build tag purego selects that path on amd64 too.
//
// # Streams of different lengths
//
// The streams need not be the same length: the interleaved loop runs while
// both have a whole 64-byte block left, then the longer one is finished
// alone.
package sha256x
