package report

import (
	"encoding/json"
	"io"
	"path"
	"slices"
	"time"

	"github.com/leakproof/leakproof/provenance"
)

// An FTMWriter writes one FollowTheMoney entity of the schema Email per
// message, as JSON Lines, for OCCRP Aleph's "alephclient write-entities"
// and the followthemoney tools. An entity is {"id", "schema",
// "properties"}, each property a list of strings, and only properties the
// Email schema (and the schemata it extends: Folder, PlainText, HyperText,
// Document, Thing, Analyzable) defines: messageId, subject, date (UTC,
// without an offset, as FtM's date type takes it), fileName, from, to, cc,
// inReplyTo, keywords (leakproof:VERDICT and leakproof:CONFIDENCE) and
// notes (the summary, then the key sources). An empty property is left out.
// The id is the message's id. A record that could not be read has no
// verdict and is not written.
type FTMWriter struct {
	enc *json.Encoder
}

// NewFTMWriter returns an FTMWriter writing to w.
func NewFTMWriter(w io.Writer) *FTMWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &FTMWriter{enc: enc}
}

type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// Write writes the entity for a, unless a could not be read.
func (f *FTMWriter) Write(a *provenance.Assessment) error {
	if a.Err != nil || a.Verdict == provenance.VerdictNone {
		return nil
	}
	props := map[string][]string{}
	add := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				props[name] = append(props[name], v)
			}
		}
	}
	add("messageId", a.MessageID)
	add("subject", a.Subject)
	if !a.Date.IsZero() {
		add("date", a.Date.UTC().Format(time.DateOnly+"T"+time.TimeOnly))
	}
	add("fileName", path.Base(a.File))
	add("from", a.From)
	add("to", a.To)
	add("cc", a.Cc)
	add("inReplyTo", a.InReplyTo)
	add("keywords", "leakproof:"+a.Verdict.String(), "leakproof:"+a.Confidence.String())
	add("notes", a.Summary)
	if src := keySources(a); len(src) > 0 {
		add("notes", "Keys from: "+joinList(src)+".")
	}
	return f.enc.Encode(ftmEntity{ID: a.ID, Schema: "Email", Properties: props})
}

// Close does nothing: every entity is complete when Write returns.
func (f *FTMWriter) Close() error { return nil }

// keySources lists where the keys of a's signatures came from, once each,
// in signature order.
func keySources(a *provenance.Assessment) []string {
	var out []string
	for _, s := range a.Signatures {
		if s.KeySource != "" && !slices.Contains(out, s.KeySource) {
			out = append(out, s.KeySource)
		}
	}
	return out
}

// joinList joins items as "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, s := range items[1 : len(items)-1] {
		out += ", " + s
	}
	return out + " and " + items[len(items)-1]
}
