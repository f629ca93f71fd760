package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/provenance"
)

// An HTMLWriter writes a self-contained HTML report: one page, no script,
// no image, no font and no link that leaves it, so that it can be opened
// offline, mailed to an editor or archived with the evidence. The page
// streams: each message is written as it comes, so memory stays flat
// however large the archive, and the counts, written at Close, are moved
// to the top of the page by CSS alone.
//
// Each message is a collapsible section (HTML details, no script needed)
// whose one-line heading gives the verdict, the file and the From and
// Subject; opened, it shows the summary, the plain-language explanation,
// the chain-of-custody data, each signature, the coverage, the ARC chain
// and the evidence. Buttons at the top show only one verdict (radio
// buttons and CSS, again no script).
//
// Header text is untrusted: it is escaped by html/template, cleaned of
// control characters and bidirectional controls like the text renderings,
// and isolated with bdi elements, so a right-to-left Subject cannot reorder
// the text around it. A Content-Security-Policy forbids scripts and every
// network request, as a second line of defence should anything slip
// through.
type HTMLWriter struct {
	w        io.Writer
	tally    Tally
	n        int
	header   bool
	manifest *Manifest
	pass     *provenance.ArchiveSummary
	over     overview
	err      error
}

// NewHTMLWriter returns an HTMLWriter writing to w.
func NewHTMLWriter(w io.Writer) *HTMLWriter {
	return &HTMLWriter{w: w}
}

// Write writes the section for a, after the page head for the first one.
func (h *HTMLWriter) Write(a *provenance.Assessment) error {
	h.head()
	h.tally.Add(a)
	h.over.add(a)
	h.n++
	h.exec("message", newHTMLMessage(h.n, a))
	return h.err
}

// NotMail counts a file that was skipped because it is not mail.
func (h *HTMLWriter) NotMail(file string) { h.tally.NotMail++ }

// Tally returns the counts so far.
func (h *HTMLWriter) Tally() Tally { return h.tally }

// SetManifest sets the manifest that Close shows in the page's header: how
// the report was made. Without one the page has no such section.
func (h *HTMLWriter) SetManifest(m *Manifest) { h.manifest = m }

// SetArchiveSummary sets what the archive pass found, which Close shows
// with the counts.
func (h *HTMLWriter) SetArchiveSummary(s provenance.ArchiveSummary) { h.pass = &s }

// Close writes the manifest, the counts, the timeline, the table of
// signing domains and selectors, and ends the page.
func (h *HTMLWriter) Close() error {
	h.head()
	if h.manifest != nil {
		h.exec("manifest", newHTMLManifest(h.manifest))
	}
	t := h.tally
	chart, desc := h.over.timeline()
	h.exec("foot", struct {
		Tally                                        Tally
		Authentic, Altered, Unverifiable, Unreadable int
		Summary, Reminder, Pass                      string
		Timeline                                     template.HTML
		TimelineText                                 string
		Selectors                                    []htmlSelectorRow
		Codes                                        []codeCount
	}{t, t.Authentic, t.Altered, t.Unverifiable, t.Unreadable, t.String(), Reminder, passWords(h.pass),
		chart, desc, h.over.rows(), topCodes(h.over.codes, 5)})
	return h.err
}

func (h *HTMLWriter) head() {
	if h.header {
		return
	}
	h.header = true
	h.exec("head", nil)
}

func (h *HTMLWriter) exec(name string, data any) {
	if h.err != nil {
		return
	}
	h.err = htmlTemplates.ExecuteTemplate(h.w, name, data)
}

// htmlMessage is what the message template shows, cleaned.
type htmlMessage struct {
	N                              int
	ID                             string // the anchor: "m1", "m2"...
	Class                          string // the verdict, or "unreadable"
	Verdict, Confidence            string
	Location                       string // file#index
	From, Subject, Signer, Summary string
	Error                          string
	Explanation                    []string
	Custody                        [][2]string
	Signatures                     []htmlSignature
	Attachments                    []attachmentRecord
	ARC                            arcRecord
	Evidence                       []evidenceRecord
	Related                        []htmlRelated
}

// htmlRelated is a link to another message the archive pass names.
type htmlRelated struct {
	Kind, Anchor, Location string
}

type htmlSignature struct {
	signatureRecord
	Headers string
	Key     string
	Length  string
}

func newHTMLMessage(n int, a *provenance.Assessment) htmlMessage {
	r := newRecord(a)
	m := htmlMessage{
		N:          n,
		ID:         anchor(n, a.ID),
		Class:      r.Verdict,
		Verdict:    strings.ToUpper(r.Verdict),
		Confidence: r.Confidence,
		Location:   clean(r.File),
		From:       clean(r.FromAddress),
		Subject:    clean(r.Subject),
		Signer:     clean(a.Signer),
		Summary:    clean(r.Summary),
		Error:      clean(r.Error),
		ARC:        r.ARC,
	}
	if r.Index > 0 {
		m.Location += "#" + strconv.Itoa(r.Index)
	}
	if m.From == "" {
		m.From = clean(r.From)
	}
	if r.Error != "" {
		m.Class, m.Verdict = "unreadable", "UNREADABLE"
	}
	for _, p := range a.Explanation.Paragraphs() {
		m.Explanation = append(m.Explanation, clean(p))
	}
	m.Custody = [][2]string{
		{"ID", r.ID},
		{"File", clean(r.File)},
	}
	if r.Entry > 0 {
		m.Custody = append(m.Custody, [2]string{"Zip entry", strconv.Itoa(r.Entry) + " of the entries of this name"})
	}
	m.Custody = append(m.Custody, [][2]string{
		{"Index", strconv.Itoa(r.Index)},
		{"Byte offset", strconv.FormatInt(r.Offset, 10)},
		{"Size", plural(int(r.Size), "byte", "bytes")},
		{"SHA-256", r.SHA256},
		{"Stored as", clean(r.Format)},
		{"Message-ID", clean(r.MessageID)},
		{"From", clean(r.From)},
		{"Date", r.Date},
	}...)
	for _, s := range r.Signatures {
		hs := htmlSignature{signatureRecord: s, Headers: strings.Join(s.SignedHeaders, ", ")}
		hs.Domain, hs.Selector, hs.Reason, hs.KeySource = clean(s.Domain), clean(s.Selector), clean(s.Reason), clean(s.KeySource)
		hs.Headers = clean(hs.Headers)
		hs.Algorithm, hs.Canonicalization = clean(s.Algorithm), clean(s.Canonicalization)
		hs.Timestamp, hs.Result = clean(s.Timestamp), clean(s.Result)
		if s.KeyBits > 0 {
			hs.Key = fmt.Sprintf("%d bits, from %s", s.KeyBits, hs.KeySource)
		}
		switch {
		case s.BodyLength < 0:
			hs.Length = "whole body"
		case s.UnsignedBodyBytes > 0:
			hs.Length = fmt.Sprintf("first %d bytes (l=); %d bytes follow unsigned", s.BodyLength, s.UnsignedBodyBytes)
		default:
			hs.Length = fmt.Sprintf("first %d bytes (l=)", s.BodyLength)
		}
		m.Signatures = append(m.Signatures, hs)
	}
	for _, at := range r.Coverage.Attachments {
		at.Name = clean(at.Name)
		m.Attachments = append(m.Attachments, at)
	}
	for i := range m.ARC.Instances {
		in := &m.ARC.Instances[i]
		in.Sealer, in.Selector, in.AuthenticationResults = clean(in.Sealer), clean(in.Selector), clean(in.AuthenticationResults)
		in.CV, in.Seal, in.MessageSignature = clean(in.CV), clean(in.Seal), clean(in.MessageSignature)
	}
	m.ARC.Chain = clean(m.ARC.Chain)
	for _, e := range r.Evidence {
		e.Message, e.Code = clean(e.Message), clean(e.Code)
		m.Evidence = append(m.Evidence, e)
	}
	for _, rel := range a.Related {
		loc := clean(rel.File)
		if rel.Index > 0 {
			loc += "#" + strconv.Itoa(rel.Index)
		}
		kind := map[string]string{"copy": "Copy", "quoted_by": "Quoted by", "quotes": "Quotes"}[rel.Kind]
		if kind == "" {
			kind = clean(rel.Kind)
		}
		m.Related = append(m.Related, htmlRelated{Kind: kind, Anchor: anchor(0, rel.ID), Location: loc})
	}
	return m
}

// anchor is the id of a message's section: from its id, which other
// sections link to, else from its number.
func anchor(n int, id string) string {
	if id != "" && strings.Trim(id, "0123456789abcdef") == "" {
		return "m-" + id
	}
	return "m" + strconv.Itoa(n)
}

// passWords says what the archive pass found, or "" without one or when
// it found nothing.
func passWords(s *provenance.ArchiveSummary) string {
	if s == nil || s.CopyGroups+s.CohortOutliers+s.QuotedBy+s.QuoteConflicts+s.MissingReferences == 0 {
		return ""
	}
	return fmt.Sprintf("Archive pass: %s held more than once; %d made authentic by an identical authentic copy, %d made altered by a differing one; %s with a cohort caution; %s quoted word for word by an authentic reply, %s with a contradicting quote; %s referred to but not in the archive.",
		plural(s.CopyGroups, "Message-ID", "Message-IDs"), s.Corroborated, s.Conflicts,
		plural(s.CohortOutliers, "message", "messages"), plural(s.QuotedBy, "message", "messages"),
		plural(s.QuoteConflicts, "message", "messages"), plural(s.MissingReferences, "message", "messages"))
}

var htmlTemplates = template.Must(template.New("report").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`
{{- define "head" -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="leakproof">
<title>leakproof report</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fafafa;display:flex;flex-direction:column}
header,#manifest,#summary,#timeline,#domains,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem;width:calc(100% - 2rem)}
header,#manifest{order:-3}#summary,#timeline,#domains{order:-2}
#timeline h2,#domains h2,#summary h2{font-size:1.1rem;margin:.6rem 0 .2rem}
#timeline svg{display:block;width:100%;height:8rem;background:#fff;border:1px solid #ddd;border-radius:.3rem}
.legend span{display:inline-block;margin-right:.8rem;font-size:.85rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-.1rem;border-radius:2px}
.scroll{overflow-x:auto;max-width:100%}#domains td{white-space:nowrap}
.related a{word-break:break-all}.filters{order:-1;max-width:72rem;margin:.5rem auto;padding:0 1rem;width:calc(100% - 2rem)}
h1{font-size:1.4rem;margin:1rem 0 .25rem}
.note{color:#555;font-size:.9rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
.count{padding:.35rem .7rem;border-radius:.4rem;background:#eee;font-weight:600}
.filters input{position:absolute;opacity:0}
.filters label{display:inline-block;padding:.25rem .6rem;margin:0 .25rem .25rem 0;border:1px solid #bbb;border-radius:1rem;cursor:pointer;font-size:.9rem;background:#fff}
#f-all:checked~.filters label[for=f-all],#f-authentic:checked~.filters label[for=f-authentic],#f-altered:checked~.filters label[for=f-altered],#f-unverifiable:checked~.filters label[for=f-unverifiable],#f-unreadable:checked~.filters label[for=f-unreadable]{background:#1b1b1b;color:#fff;border-color:#1b1b1b}
#f-authentic:checked~main details:not(.authentic),#f-altered:checked~main details:not(.altered),#f-unverifiable:checked~main details:not(.unverifiable),#f-unreadable:checked~main details:not(.unreadable){display:none}
.radios{position:absolute;left:-9999px}
details{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:.3rem;margin:.4rem 0}
details.authentic{border-left-color:#1a7f37}details.altered{border-left-color:#c62828}details.unverifiable{border-left-color:#8a6d00}details.unreadable{border-left-color:#555}
summary,.cols{padding:.45rem .6rem;display:grid;grid-template-columns:3rem 8.5rem 5.5rem minmax(8rem,1fr) minmax(8rem,1.2fr) minmax(8rem,1.5fr);gap:.5rem;align-items:baseline}
summary{cursor:pointer}.cols{padding:.2rem calc(.6rem + 7px);font-size:.8rem;color:#666;text-transform:uppercase;letter-spacing:.04em}
summary>span,.cols>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
summary>span.loc{white-space:normal;overflow-wrap:anywhere;word-break:break-all}
@media (max-width:40rem){summary{grid-template-columns:2rem 8.5rem 1fr}summary>span.loc,summary>span.wide{grid-column:1/-1}.cols{display:none}th,td{padding:.15rem .3rem}}
.n{color:#777;font-size:.85rem}
.v{font-weight:700;letter-spacing:.02em}
.authentic .v{color:#1a7f37}.altered .v{color:#c62828}.unverifiable .v{color:#8a6d00}.unreadable .v{color:#555}
.body{padding:.2rem 1rem 1rem}
.sum{font-weight:600}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.9rem}
th,td{border:1px solid #e2e2e2;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-weight:600}
td.mono,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
h3{font-size:1rem;margin:.8rem 0 .2rem}
.sev-alteration{color:#c62828;font-weight:700}.sev-caution{color:#8a6d00;font-weight:700}.sev-info{color:#555}
footer{order:1;margin:1.5rem auto;color:#555;font-size:.9rem}
#manifest h2{font-size:1.1rem;margin:.6rem 0 .2rem}#manifest details{border-left-width:1px;padding:.2rem .6rem}#manifest summary{display:block;padding:.2rem 0}#manifest pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem}
@media print{.filters,.radios{display:none}details{break-inside:avoid}}
</style>
</head>
<body>
<header>
<h1>leakproof report</h1>
<p class="note">One section per message, in archive order; open a section for the evidence. A verdict says what the cryptography shows about the bytes in this archive: <b>authentic</b> (sent as shown by the signing domain's mail system), <b>altered</b> (changed after it was sent) or <b>unverifiable</b> (nothing here vouches for it either way).</p>
</header>
<input class="radios" type="radio" name="f" id="f-all" checked><input class="radios" type="radio" name="f" id="f-authentic"><input class="radios" type="radio" name="f" id="f-altered"><input class="radios" type="radio" name="f" id="f-unverifiable"><input class="radios" type="radio" name="f" id="f-unreadable">
<div class="filters">Show: <label for="f-all">all</label><label for="f-authentic">authentic</label><label for="f-altered">altered</label><label for="f-unverifiable">unverifiable</label><label for="f-unreadable">unreadable</label></div>
<main>
<div class="cols" aria-hidden="true"><span>#</span><span>Verdict</span><span>Conf.</span><span>Message</span><span>From</span><span>Subject</span></div>
{{end -}}

{{- define "message" -}}
<details class="{{.Class}}" id="{{.ID}}">
<summary><span class="n">{{.N}}</span><span class="v">{{.Verdict}}</span><span>{{.Confidence}}</span><span class="loc mono"><bdi>{{.Location}}</bdi></span><span class="wide"><bdi>{{.From}}</bdi></span><span class="wide"><bdi>{{.Subject}}</bdi></span></summary>
<div class="body">
{{- if .Error}}
<p class="sum">This record could not be read: <bdi>{{.Error}}</bdi></p>
{{- else}}
<p class="sum"><bdi>{{.Summary}}</bdi></p>
{{- range .Explanation}}
<p><bdi>{{.}}</bdi></p>
{{- end}}
{{- end}}
<h3>Chain of custody</h3>
<table>
{{- range .Custody}}
<tr><th>{{index . 0}}</th><td class="mono"><bdi>{{index . 1}}</bdi></td></tr>
{{- end}}
</table>
{{- if .Signatures}}
<h3>Signatures</h3>
<table>
<tr><th>#</th><th>Signer</th><th>Result</th><th>Header signature</th><th>Body hash</th><th>Algorithm</th><th>Key</th><th>Signed fields</th><th>Body signed</th><th>Signed at (t=)</th><th>Reason</th></tr>
{{- range $i, $s := .Signatures}}
<tr><td>{{inc $i}}</td><td><bdi>{{$s.Domain}}</bdi> <span class="note">selector <bdi>{{$s.Selector}}</bdi>{{if $s.Aligned}}, matches From{{end}}</span></td><td>{{$s.Result}}</td><td>{{$s.HeaderSignature}}</td><td>{{$s.BodyHash}}</td><td>{{$s.Algorithm}} {{$s.Canonicalization}}</td><td><bdi>{{$s.Key}}</bdi></td><td><bdi>{{$s.Headers}}</bdi></td><td>{{$s.Length}}</td><td>{{$s.Timestamp}}</td><td><bdi>{{$s.Reason}}</bdi></td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Attachments}}
<h3>Attachments</h3>
<table>
<tr><th>Name</th><th>SHA-256 of the decoded bytes</th><th>Covered</th></tr>
{{- range .Attachments}}
<tr><td><bdi>{{.Name}}</bdi></td><td class="mono">{{.SHA256}}</td><td>{{if .Covered}}yes{{else}}no{{end}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .ARC.Instances}}
<h3>ARC chain: {{.ARC.Chain}}</h3>
<table>
<tr><th>Set</th><th>Sealer</th><th>cv</th><th>Seal</th><th>Message signature</th><th>Recorded results</th></tr>
{{- range .ARC.Instances}}
<tr><td>{{.Instance}}</td><td><bdi>{{.Sealer}}</bdi> <span class="note">selector <bdi>{{.Selector}}</bdi></span></td><td>{{.CV}}</td><td>{{.Seal}}</td><td>{{.MessageSignature}}</td><td class="mono"><bdi>{{.AuthenticationResults}}</bdi></td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Related}}
<h3>Other messages of the archive</h3>
<ul class="related">
{{- range .Related}}
<li>{{.Kind}}: <a href="#{{.Anchor}}"><bdi>{{.Location}}</bdi></a></li>
{{- end}}
</ul>
{{- end}}
{{- if .Evidence}}
<h3>Evidence</h3>
<table>
<tr><th>Severity</th><th>Code</th><th>What it means</th></tr>
{{- range .Evidence}}
<tr><td class="sev-{{.Severity}}">{{.Severity}}</td><td class="mono">{{.Code}}</td><td><bdi>{{.Message}}</bdi></td></tr>
{{- end}}
</table>
{{- end}}
</div>
</details>
{{end -}}

{{- define "manifest" -}}
<section id="manifest">
<h2>How this report was made</h2>
<table>
{{- range .Rows}}
<tr><th>{{index . 0}}</th><td class="mono"><bdi>{{index . 1}}</bdi></td></tr>
{{- end}}
</table>
<details><summary>{{.InputsLabel}}</summary>
<table>
<tr><th>File</th><th>Size (bytes)</th><th>SHA-256 of the whole file</th></tr>
{{- range .Inputs}}
<tr><td class="mono"><bdi>{{.Path}}</bdi></td><td>{{.Size}}</td><td class="mono">{{.SHA256}}</td></tr>
{{- end}}
</table>
</details>
<details><summary>The manifest as JSON (as written by --manifest)</summary>
<pre>{{.JSON}}</pre>
</details>
</section>
{{end -}}

{{- define "foot" -}}
</main>
<section id="summary">
<p class="counts"><span class="count">{{.Tally.Messages}} messages</span><span class="count" style="color:#1a7f37">{{.Authentic}} authentic</span><span class="count" style="color:#c62828">{{.Altered}} altered</span><span class="count" style="color:#8a6d00">{{.Unverifiable}} unverifiable</span>{{if .Unreadable}}<span class="count">{{.Unreadable}} unreadable</span>{{end}}</p>
<p class="note">{{.Summary}}.</p>
{{- if .Pass}}
<p class="note">{{.Pass}}</p>
{{- end}}
{{- if .Codes}}
<p class="note">Most frequent evidence:{{range $i, $c := .Codes}}{{if $i}},{{end}} <span class="mono">{{$c.Code}}</span> ({{$c.N}}){{end}}.</p>
{{- end}}
</section>
{{- if .Timeline}}
<section id="timeline">
<h2>Messages by date</h2>
{{.Timeline}}
<p class="legend"><span><i style="background:#1a7f37"></i>authentic</span><span><i style="background:#c62828"></i>altered</span><span><i style="background:#b08900"></i>unverifiable</span><span><i style="background:#777"></i>unreadable</span></p>
<p class="note">{{.TimelineText}}</p>
</section>
{{- end}}
{{- if .Selectors}}
<section id="domains">
<h2>Signing domains and selectors</h2>
<div class="scroll"><table>
<tr><th>Domain</th><th>Selector</th><th>Messages</th><th>Pass</th><th>Fail</th><th>No key</th><th>Other</th><th>Dates</th></tr>
{{- range .Selectors}}
<tr><td><bdi>{{.Domain}}</bdi></td><td><bdi>{{.Selector}}</bdi></td><td>{{.Messages}}</td><td>{{.Pass}}</td><td>{{.Fail}}</td><td>{{.NoKey}}</td><td>{{.Other}}</td><td>{{.Dates}}</td></tr>
{{- end}}
</table></div>
<p class="note">Each signature counted once per message; "other" is any other result (weak or revoked key, permerror, ...).</p>
</section>
{{- end}}
<footer><p>{{.Reminder}}</p><p>Every message's SHA-256 is of its stored bytes, before any unescaping: recompute it to show that the message reported on is the one in the archive.</p></footer>
</body>
</html>
{{end -}}
`))
