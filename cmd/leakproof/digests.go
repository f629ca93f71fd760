package main

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/hex"
	"iter"
	"os"
	"sync"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/provenance"
)

// digests holds the further hashes of the stored bytes that the join table
// and the Datashare batches need and an assessment does not carry. The
// pipeline's reader adds them while the bytes are at hand; the writer
// takes them, in archive order, by the message's id. Safe for concurrent
// use.
type digests struct {
	project   string // Datashare's digest project name, "" for none
	datashare bool   // compute Datashare's document id

	mu   sync.Mutex
	byID map[string]*digest
}

type digest struct {
	sha1, sha384, docID string
	n                   int // records with this id not yet written
}

// withDigests passes msgs through, hashing each message's stored bytes.
func (d *digests) withDigests(msgs iter.Seq[*archive.Message]) iter.Seq[*archive.Message] {
	return func(yield func(*archive.Message) bool) {
		for m := range msgs {
			if m != nil && m.Raw != nil {
				m.Digest() // d keys the hashes by ID
				d.add(m)
			}
			if !yield(m) {
				return
			}
		}
	}
}

func (d *digests) add(m *archive.Message) {
	s1 := sha1.Sum(m.Raw)
	s384 := sha512.Sum384(m.Raw)
	g := digest{sha1: hex.EncodeToString(s1[:]), sha384: hex.EncodeToString(s384[:])}
	if d.datashare && isWholeFile(m) {
		// Datashare's document id: SHA-384 over the project name and
		// then the file's bytes, in lower-case hex.
		h := sha512.New384()
		h.Write([]byte(d.project))
		h.Write(m.Raw)
		g.docID = hex.EncodeToString(h.Sum(nil))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byID == nil {
		d.byID = map[string]*digest{}
	}
	if old := d.byID[m.ID]; old != nil {
		// The same id means the same bytes at the same place: the same
		// path given twice.
		old.n++
		return
	}
	g.n = 1
	d.byID[m.ID] = &g
}

// take returns the hashes of a's stored bytes ("" when they were not read).
func (d *digests) take(a *provenance.Assessment) digest {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.byID[a.ID]
	if g == nil {
		return digest{}
	}
	if g.n--; g.n == 0 {
		delete(d.byID, a.ID)
	}
	return *g
}

// isWholeFile reports whether m's stored bytes are a whole file on disk (a
// single .eml file, not an mbox's message nor a zip entry): only such a
// file is a document of its own in Datashare, named by its digest.
func isWholeFile(m *archive.Message) bool {
	if m.Err != nil || m.Format != archive.FormatEML || m.Offset != 0 {
		return false
	}
	fi, err := os.Stat(m.File)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == m.Size
}
