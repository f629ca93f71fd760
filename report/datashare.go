package report

import (
	"encoding/json"
	"io"

	"github.com/leakproof/leakproof/provenance"
)

// DatashareBatch is the most document ids a DatashareWriter puts in one
// tag batch, so that each HTTP request stays small.
const DatashareBatch = 1000

// A DatashareWriter writes the tag batches that ICIJ Datashare's
// "POST /api/PROJECT/documents/batchUpdate/tag" endpoint takes, one JSON
// object per line: {"docIds": [...], "tags": ["leakproof:VERDICT",
// "leakproof:CONFIDENCE"]}, each batch holding the documents that share
// both tags, at most [DatashareBatch] of them.
//
// Datashare names a document by a digest of its file (docs/integrations.md
// says which), which the assessment does not carry: docID returns it, or
// "" for a message that is no file of its own in Datashare (a message of an
// mbox, a zip entry), which is then skipped and counted. A record that could
// not be read is skipped too.
//
// Batches are written as they fill and at Close, which must be called.
type DatashareWriter struct {
	enc     *json.Encoder
	docID   func(*provenance.Assessment) string
	order   []string
	batches map[string]*datashareBatch
	skipped int
}

type datashareBatch struct {
	DocIDs []string `json:"docIds"`
	Tags   []string `json:"tags"`
}

// NewDatashareWriter returns a DatashareWriter writing to w that names each
// message's document with docID.
func NewDatashareWriter(w io.Writer, docID func(*provenance.Assessment) string) *DatashareWriter {
	return &DatashareWriter{enc: json.NewEncoder(w), docID: docID, batches: map[string]*datashareBatch{}}
}

// Write adds a's document to the batch of its tags, and writes the batch
// when it is full.
func (d *DatashareWriter) Write(a *provenance.Assessment) error {
	id := ""
	if a.Err == nil && a.Verdict != provenance.VerdictNone {
		id = d.docID(a)
	}
	if id == "" {
		d.skipped++
		return nil
	}
	key := a.Verdict.String() + "/" + a.Confidence.String()
	b := d.batches[key]
	if b == nil {
		b = &datashareBatch{Tags: []string{"leakproof:" + a.Verdict.String(), "leakproof:" + a.Confidence.String()}}
		d.batches[key] = b
		d.order = append(d.order, key)
	}
	b.DocIDs = append(b.DocIDs, id)
	if len(b.DocIDs) < DatashareBatch {
		return nil
	}
	return d.flush(b)
}

func (d *DatashareWriter) flush(b *datashareBatch) error {
	if len(b.DocIDs) == 0 {
		return nil
	}
	err := d.enc.Encode(b)
	b.DocIDs = b.DocIDs[:0]
	return err
}

// Skipped returns how many records had no Datashare document id.
func (d *DatashareWriter) Skipped() int { return d.skipped }

// Close writes the batches not yet written, in the order their tags first
// appeared.
func (d *DatashareWriter) Close() error {
	for _, k := range d.order {
		if err := d.flush(d.batches[k]); err != nil {
			return err
		}
	}
	return nil
}
