package provenance

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paras returns n distinct paragraphs of 10 words, distinct per seed.
func attackParas(seed, n int) []paragraph {
	out := make([]paragraph, n)
	for i := range out {
		out[i] = paragraph(uint64(seed*1000+i+1)<<16 | 10)
	}
	return out
}

// TestArchivePassParagraphChunkFull adds messages whose paragraphs fill
// the first paragraph chunk exactly, then a message with a Message-ID and
// a view but no paragraph (an empty body), which a reply already added
// answers. The empty message's paragraphs start at the end of the full
// chunk, where no chunk is yet: reading its zero paragraphs must not
// index past the chunks.
func TestArchivePassParagraphChunkFull(t *testing.T) {
	const per = 16 // paragraphs per message: paraChunk is a multiple
	p := NewArchivePass()
	var all []*Assessment
	for i := range paraChunk/per - 1 {
		a := &Assessment{ID: fmt.Sprint(i), File: "a.mbox", Index: i, Verdict: VerdictUnverifiable, MessageID: fmt.Sprintf("<m%d@x>", i)}
		a.view = &viewPrint{whole: [16]byte{byte(i), byte(i >> 8)}, paras: attackParas(i, per)}
		all = append(all, a)
	}
	// The last message to fill the chunk is an authentic reply to the
	// empty message, own paragraphs and quoted ones together.
	reply := &Assessment{ID: "reply", File: "a.mbox", Index: len(all), Verdict: VerdictAuthentic, MessageID: "<reply@x>", InReplyTo: "<empty@x>"}
	reply.view = &viewPrint{whole: [16]byte{1}, paras: attackParas(-1, per/2), quotes: attackParas(-2, per/2)}
	all = append(all, reply)
	empty := &Assessment{ID: "empty", File: "a.mbox", Index: len(all), Verdict: VerdictUnverifiable, MessageID: "<empty@x>"}
	empty.view = &viewPrint{whole: [16]byte{2}}
	all = append(all, empty)
	for _, a := range all {
		p.Add(a)
	}
	require.Len(t, p.paras.chunks, 1, "the first chunk holds every paragraph")
	require.Equal(t, paraChunk, len(p.paras.chunks[0]), "the first chunk is full")
	var sum ArchiveSummary
	require.NotPanics(t, func() { sum = p.Summary() })
	assert.Equal(t, len(all), sum.Messages)
	assert.Zero(t, sum.QuoteConflicts, "an empty message contradicts no quote")
	assert.Zero(t, sum.QuotedBy, "an empty message is not quoted word for word")
	for _, a := range all {
		p.Apply(a)
	}
}
