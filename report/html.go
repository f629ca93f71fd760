package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/provenance"
)

// An HTMLWriter writes a self-contained HTML report: no script, no image,
// no font and no link that leaves the report, so that it can be opened
// offline, mailed to an editor, copied to a USB stick or archived with the
// evidence. It streams: each message is written as it comes, so memory
// stays flat however large the archive, and what is known only at the end
// (the counts, the timeline, the table of signing domains) is written at
// Close and moved to the top of the page by CSS alone.
//
// Each message is a collapsible section (HTML details, no script needed)
// whose one-line heading gives the verdict, the file and the From and
// Subject; opened, it shows the summary, the plain-language explanation
// (what is proven among it), the chain-of-custody data, each signature,
// the attachments, the ARC chain, the links of the archive pass to other
// copies and quoting messages, and the evidence. Links at the top show
// only one verdict: each is a fragment (#altered) that CSS's :target
// selector acts on, so a filter needs no script and can be linked to.
//
// # Pages
//
// A browser lays out a page of a few thousand sections in a second or
// two, one of 100,000 not at all. [NewPagedHTMLWriter] splits a large
// report: the messages go to page files of [HTMLPages.Size] messages each,
// in a folder beside the report, and the report itself becomes an index
// page with the counts, the timeline, the domains and a table of the pages
// (what each holds, with links that open a page filtered by verdict). The
// archive pass's links lead to the page that holds the other message. A
// run that fits on one page is written as one page, as [NewHTMLWriter]
// writes it. Every file is self-contained and links to the others by
// relative links, so the folder and the index travel together.
//
// Header text is untrusted: it is escaped by html/template, cleaned of
// control characters and bidirectional controls like the text renderings,
// and isolated (bdi elements, unicode-bidi: plaintext paragraphs), so a
// right-to-left Subject cannot reorder the text around it. A
// Content-Security-Policy forbids scripts and every network request, as a
// second line of defence should anything slip through.
type HTMLWriter struct {
	w        io.Writer
	tally    Tally
	n        int
	header   bool
	manifest *Manifest
	pass     *provenance.ArchiveSummary
	over     overview
	err      error

	// A paged report: pages is nil for one page.
	pages *HTMLPages
	size  int
	buf   bytes.Buffer   // the first page's sections, until a second page shows the report needs pages
	page  *htmlPage      // the page being written; nil before the first message
	out   io.WriteCloser // the page's file, once the report needs pages
	done  []htmlPage     // the pages finished
}

// HTMLPages says where [NewPagedHTMLWriter] writes the page files of a
// report too large for one page.
type HTMLPages struct {
	// Create creates the page file of the given name ("page-0001.html",
	// "page-0002.html", ...) in Folder, truncating it if it exists. The
	// writer closes every file it creates, by Close at the latest. Create
	// must not be nil.
	Create func(name string) (io.WriteCloser, error)
	// Folder is the folder of the page files, relative to the index page,
	// as the index's links name it: "report.pages" for a report written
	// to report.html with its pages in report.pages/.
	Folder string
	// Index is the index page's file name, as the pages' links back to it
	// name it from Folder's parent: "report.html".
	Index string
	// Size is the number of messages on a page. If zero, 1000, which a
	// browser opens in about a second.
	Size int
}

// htmlPage is one page of a paged report, as the index lists it.
type htmlPage struct {
	Num, First, Last    int    // the page's number; its first and last message, numbered as the list numbers them
	Name                string // its file name
	FirstLoc, LastLoc   string // where its first and last message are: file#index
	Tally               Tally
	Href                template.URL // the link to it from the index
	Authentic, Altered  template.URL // the links to it filtered by verdict, from the index
	Unverifiable, Error template.URL
}

// NewHTMLWriter returns an HTMLWriter writing one page with every message
// to w.
func NewHTMLWriter(w io.Writer) *HTMLWriter {
	return &HTMLWriter{w: w}
}

// NewPagedHTMLWriter returns an HTMLWriter that writes a report of more
// than p.Size messages as an index page, to w, and page files, made by
// p.Create; a report of p.Size messages or fewer goes to w as one page,
// and p.Create is never called. Messages are put on pages by their
// [provenance.Assessment.Position] (by the order they are written in when
// no archive pass saw them): message Position 1 to Size on the first page,
// and so on, so that a link to another message can name its page before
// that message is written. Write them in archive order.
func NewPagedHTMLWriter(w io.Writer, p HTMLPages) *HTMLWriter {
	size := p.Size
	if size <= 0 {
		size = 1000
	}
	return &HTMLWriter{w: w, pages: &p, size: size}
}

// Write writes the section for a.
func (h *HTMLWriter) Write(a *provenance.Assessment) error {
	h.tally.Add(a)
	h.over.add(a)
	h.n++
	if h.pages == nil {
		h.head(h.w)
		h.exec(h.w, "message", newHTMLMessage(h.n, a, nil))
		return h.err
	}
	pos := a.Position()
	if pos == 0 {
		pos = h.n
	}
	if num := h.pageOf(pos); h.page == nil || num > h.page.Num {
		h.turn(num)
	}
	pg := h.page
	pg.Last, pg.LastLoc = h.n, location(a.File, a.Index)
	if pg.First == h.n {
		pg.FirstLoc = pg.LastLoc
	}
	pg.Tally.Add(a)
	var dst io.Writer = &h.buf
	if h.out != nil {
		dst = h.out
	}
	h.exec(dst, "message", newHTMLMessage(h.n, a, func(rel provenance.Related) string {
		if rel.Position > 0 && h.pageOf(rel.Position) != pg.Num {
			return pageName(h.pageOf(rel.Position))
		}
		return ""
	}))
	return h.err
}

// pageOf returns the number of the page that holds the message at pos.
func (h *HTMLWriter) pageOf(pos int) int { return (pos-1)/h.size + 1 }

func pageName(num int) string { return fmt.Sprintf("page-%04d.html", num) }

// turn ends the page being written, if any, and starts page num. The
// first page waits in memory: only a second page shows that the report
// needs pages at all.
func (h *HTMLWriter) turn(num int) {
	next := &htmlPage{Num: num, Name: pageName(num), First: h.n}
	if h.page != nil {
		if h.out == nil {
			h.open(h.page)
			if h.err == nil {
				_, h.err = h.out.Write(h.buf.Bytes())
			}
			h.buf = bytes.Buffer{}
		}
		h.endPage(next.Name)
		h.open(next)
	}
	h.page = next
}

// open creates the file of page pg and writes its head.
func (h *HTMLWriter) open(pg *htmlPage) {
	if h.err != nil {
		return
	}
	h.out, h.err = h.pages.Create(pg.Name)
	h.exec(h.out, "head", htmlHead{Title: fmt.Sprintf("leakproof report, page %d", pg.Num), List: true, Page: pg.Num})
}

// endPage writes the end of the page being written, with a link to the
// page named next ("" for the last), and closes its file.
func (h *HTMLWriter) endPage(next string) {
	pg := h.page
	if h.out == nil {
		return
	}
	nav := htmlPageNav{Page: pg, Pages: h.size, Index: template.URL("../" + url.PathEscape(h.pages.Index)), Reminder: Reminder}
	if len(h.done) > 0 {
		nav.Prev = template.URL(h.done[len(h.done)-1].Name)
	}
	if next != "" {
		nav.Next = template.URL(next)
	}
	h.exec(h.out, "page-end", nav)
	if err := h.out.Close(); h.err == nil {
		h.err = err
	}
	h.out = nil
	h.done = append(h.done, *pg)
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
// signing domains and selectors, and ends the page; for a paged report it
// ends the last page file and writes the index page, with the table of
// pages, to the writer given.
func (h *HTMLWriter) Close() error {
	paged := h.pages != nil && len(h.done) > 0
	switch {
	case paged:
		h.endPage("")
		h.exec(h.w, "head", htmlHead{Title: "leakproof report", Pages: len(h.done)})
	case h.pages != nil:
		// One page: the sections waited in memory.
		h.head(h.w)
		if h.err == nil {
			_, h.err = h.w.Write(h.buf.Bytes())
		}
	default:
		h.head(h.w)
	}
	if !paged {
		h.exec(h.w, "list-end", nil)
	}
	if h.manifest != nil {
		h.exec(h.w, "manifest", newHTMLManifest(h.manifest))
	}
	t := h.tally
	chart, desc := h.over.timeline()
	h.exec(h.w, "overview", struct {
		Tally                                        Tally
		Authentic, Altered, Unverifiable, Unreadable int
		Summary, Pass                                string
		Timeline                                     template.HTML
		TimelineText                                 string
		Selectors                                    []htmlSelectorRow
		Codes                                        []codeCount
	}{t, t.Authentic, t.Altered, t.Unverifiable, t.Unreadable, t.String(), passWords(h.pass),
		chart, desc, h.over.rows(), topCodes(h.over.codes, 5)})
	if paged {
		h.exec(h.w, "pages", h.pageTable())
	}
	h.exec(h.w, "end", Reminder)
	return h.err
}

// pageTable is what the index says of the pages.
func (h *HTMLWriter) pageTable() htmlPageTable {
	folder := url.PathEscape(h.pages.Folder)
	t := htmlPageTable{Folder: h.pages.Folder, Size: h.size, Pages: h.done}
	for i := range t.Pages {
		pg := &t.Pages[i]
		href := "./" + folder + "/" + pg.Name
		pg.Href = template.URL(href)
		pg.Authentic, pg.Altered = template.URL(href+"#authentic"), template.URL(href+"#altered")
		pg.Unverifiable, pg.Error = template.URL(href+"#unverifiable"), template.URL(href+"#unreadable")
	}
	return t
}

type htmlHead struct {
	Title string
	List  bool // the page lists messages (and has the filters)
	Page  int  // the number of a page file, 0 for the report's own page
	Pages int  // the number of page files, on an index page
}

type htmlPageNav struct {
	Page              *htmlPage
	Pages             int
	Index, Prev, Next template.URL
	Reminder          string
}

type htmlPageTable struct {
	Folder string
	Size   int
	Pages  []htmlPage
}

func (h *HTMLWriter) head(w io.Writer) {
	if h.header {
		return
	}
	h.header = true
	h.exec(w, "head", htmlHead{Title: "leakproof report", List: true})
}

func (h *HTMLWriter) exec(w io.Writer, name string, data any) {
	if h.err != nil {
		return
	}
	h.err = htmlTemplates.ExecuteTemplate(w, name, data)
}

// location is a message's place as the list shows it: file#index.
func location(file string, index int) string {
	loc := clean(file)
	if index > 0 {
		loc += "#" + strconv.Itoa(index)
	}
	return loc
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
	Kind, Location string
	Href           template.URL // "#m-<id>", or "page-0003.html#m-<id>" on another page
}

type htmlSignature struct {
	signatureRecord
	Headers string
	Key     string
	Length  string
}

// newHTMLMessage cleans what the message template shows of a, the n-th
// message written. page, if not nil, names the page file that holds a
// related message when it is not the page being written.
func newHTMLMessage(n int, a *provenance.Assessment, page func(provenance.Related) string) htmlMessage {
	r := newRecord(a)
	m := htmlMessage{
		N:          n,
		ID:         anchor(n, a.ID),
		Class:      r.Verdict,
		Verdict:    strings.ToUpper(r.Verdict),
		Confidence: r.Confidence,
		Location:   location(r.File, r.Index),
		From:       clean(r.FromAddress),
		Subject:    clean(r.Subject),
		Signer:     clean(a.Signer),
		Summary:    clean(r.Summary),
		Error:      clean(r.Error),
		ARC:        r.ARC,
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
		loc := location(rel.File, rel.Index)
		href := "#" + anchor(0, rel.ID)
		if page != nil {
			href = page(rel) + href
		}
		kind := map[string]string{"copy": "Copy", "quoted_by": "Quoted by", "quotes": "Quotes"}[rel.Kind]
		if kind == "" {
			kind = clean(rel.Kind)
		}
		m.Related = append(m.Related, htmlRelated{Kind: kind, Location: loc, Href: template.URL(href)})
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
<title>{{.Title}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fafafa;display:flex;flex-direction:column}
header,#manifest,#summary,#timeline,#domains,#pages,.pager,main,footer,.filters{max-width:72rem;margin:0 auto;padding:0 1rem;width:calc(100% - 2rem);box-sizing:content-box}
header,#manifest{order:-3}#summary,#timeline,#domains,.pager{order:-2}.filters{order:-1;margin:.5rem auto}
h1{font-size:1.4rem;margin:1rem 0 .25rem}h2{font-size:1.1rem;margin:.6rem 0 .2rem}h3{font-size:1rem;margin:.8rem 0 .2rem}
#timeline svg{display:block;width:100%;height:8rem;background:#fff;border:1px solid #ddd;border-radius:.3rem}
.legend span{display:inline-block;margin-right:.8rem;font-size:.85rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-.1rem;border-radius:2px}
.legend .authentic{background:#1a7f37}.legend .altered{background:#c62828}.legend .unverifiable{background:#b08900}.legend .unreadable{background:#777}
.scroll{overflow-x:auto;max-width:100%}#domains td{white-space:nowrap}
.note{color:#555;font-size:.9rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
.count{padding:.35rem .7rem;border-radius:.4rem;background:#eee;font-weight:600}
.count.authentic,.authentic .v{color:#1a7f37}.count.altered,.altered .v{color:#c62828}.count.unverifiable,.unverifiable .v{color:#8a6d00}.unreadable .v{color:#555}
.filters a,.pager a{display:inline-block;padding:.25rem .6rem;margin:0 .25rem .25rem 0;border:1px solid #bbb;border-radius:1rem;font-size:.9rem;background:#fff;color:inherit;text-decoration:none}
.filters a[href="#all"],#authentic:target~.filters a[href="#authentic"],#altered:target~.filters a[href="#altered"],#unverifiable:target~.filters a[href="#unverifiable"],#unreadable:target~.filters a[href="#unreadable"]{background:#1b1b1b;color:#fff;border-color:#1b1b1b}
.t:not(#all):target~.filters a[href="#all"]{background:#fff;color:inherit;border-color:#bbb}
#authentic:target~main details:not(.authentic),#altered:target~main details:not(.altered),#unverifiable:target~main details:not(.unverifiable),#unreadable:target~main details:not(.unreadable){display:none}
details{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:.3rem;margin:.4rem 0}
details.authentic{border-left-color:#1a7f37}details.altered{border-left-color:#c62828}details.unverifiable{border-left-color:#8a6d00}details.unreadable{border-left-color:#555}
summary,.cols{padding:.45rem .6rem;display:grid;grid-template-columns:3rem 8.5rem 5.5rem minmax(8rem,1fr) minmax(8rem,1.2fr) minmax(8rem,1.5fr);gap:.5rem;align-items:baseline}
summary{cursor:pointer}.cols{padding:.2rem calc(.6rem + 7px);font-size:.8rem;color:#666;text-transform:uppercase;letter-spacing:.04em}
summary>*,.cols>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
summary>.loc,td.loc{white-space:normal;overflow-wrap:anywhere;word-break:break-all}
@media (max-width:40rem){summary{grid-template-columns:2rem 8.5rem 1fr}summary>.loc,summary>.w{grid-column:1/-1}.cols{display:none}th,td{padding:.15rem .3rem}}
.n{color:#777;font-size:.85rem}.v{letter-spacing:.02em}
.b{padding:.2rem 1rem 1rem}.b p,.b li,dd{unicode-bidi:plaintext;overflow-wrap:anywhere}
.sum{font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0;font-size:.9rem}dt{font-weight:600}dd{margin:0}
.loc,dd,code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
ul,ol{margin:.3rem 0;padding-left:1.4rem}li{margin:.15rem 0}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.9rem}
th,td{border:1px solid #e2e2e2;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-weight:600}
.ev .alteration b{color:#c62828}.ev .caution b{color:#8a6d00}.ev .info b{color:#555;font-weight:400}
footer{order:1;margin:1.5rem auto;color:#555;font-size:.9rem}
#manifest details{border-left-width:1px;padding:.2rem .6rem}#manifest summary{display:block;padding:.2rem 0}#manifest pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem}
@media print{.filters,.pager a{display:none}details{break-inside:avoid}details:not([open])>summary{break-inside:avoid}}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{- if .Page}}
<p class="note">Messages in archive order; open a section for the evidence. The counts for the whole run, the timeline and the signing domains are on the report's first page (the link below).</p>
{{- else if .Pages}}
<p class="note">The messages are on {{.Pages}} pages, in the folder that goes with this file (below, keep the two together): open a page from the table of pages, or its count of a verdict to see only those messages. A verdict says what the cryptography shows about the bytes in this archive: <b>authentic</b> (sent as shown by the signing domain's mail system), <b>altered</b> (changed after it was sent) or <b>unverifiable</b> (nothing here vouches for it either way).</p>
{{- else}}
<p class="note">One section per message, in archive order; open a section for the evidence. A verdict says what the cryptography shows about the bytes in this archive: <b>authentic</b> (sent as shown by the signing domain's mail system), <b>altered</b> (changed after it was sent) or <b>unverifiable</b> (nothing here vouches for it either way).</p>
{{- end}}
</header>
{{- if .List}}
<i class="t" id="all"></i><i class="t" id="authentic"></i><i class="t" id="altered"></i><i class="t" id="unverifiable"></i><i class="t" id="unreadable"></i>
<nav class="filters">Show: <a href="#all">all</a><a href="#authentic">authentic</a><a href="#altered">altered</a><a href="#unverifiable">unverifiable</a><a href="#unreadable">unreadable</a></nav>
<main>
<div class="cols" aria-hidden="true"><span>#</span><span>Verdict</span><span>Conf.</span><span>Message</span><span>From</span><span>Subject</span></div>
{{- end}}
{{end -}}

{{- define "message" -}}
<details class="{{.Class}}" id="{{.ID}}"><summary><span class="n">{{.N}}</span><b class="v">{{.Verdict}}</b><span>{{.Confidence}}</span><bdi class="loc">{{.Location}}</bdi><bdi class="w">{{.From}}</bdi><bdi class="w">{{.Subject}}</bdi></summary>
<div class="b">
{{- if .Error}}
<p class="sum">This record could not be read: <bdi>{{.Error}}</bdi></p>
{{- else}}
<p class="sum">{{.Summary}}</p>
{{- range .Explanation}}
<p>{{.}}</p>
{{- end}}
{{- end}}
<h3>Chain of custody</h3>
<dl>{{range .Custody}}<dt>{{index . 0}}<dd>{{index . 1}}{{end}}</dl>
{{- if .Signatures}}
<h3>Signatures</h3>
<ol>
{{- range .Signatures}}
<li><bdi>{{.Domain}}</bdi>, selector <bdi>{{.Selector}}</bdi>{{if .Aligned}} (the From domain){{end}}: <b>{{.Result}}</b>; header signature {{.HeaderSignature}}, body hash {{.BodyHash}}; {{.Algorithm}} {{.Canonicalization}}{{if .Key}}; key: <bdi>{{.Key}}</bdi>{{end}}; signed fields: <bdi>{{.Headers}}</bdi>; body signed: {{.Length}}{{if .Timestamp}}; signed at (t=) {{.Timestamp}}{{end}}{{if .Reason}}; <bdi>{{.Reason}}</bdi>{{end}}</li>
{{- end}}
</ol>
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
<ul>
{{- range .Related}}
<li>{{.Kind}}: <a class="loc" href="{{.Href}}"><bdi>{{.Location}}</bdi></a></li>
{{- end}}
</ul>
{{- end}}
{{- if .Evidence}}
<h3>Evidence</h3>
<ul class="ev">
{{- range .Evidence}}
<li class="{{.Severity}}"><b>{{.Severity}}</b> <code>{{.Code}}</code> {{.Message}}</li>
{{- end}}
</ul>
{{- end}}
</div>
</details>
{{end -}}

{{- define "list-end" -}}
</main>
{{end -}}

{{- define "page-end" -}}
</main>
<nav class="pager">
<p>Page {{.Page.Num}}: messages {{.Page.First}} to {{.Page.Last}} ({{.Pages}} to a page). <a href="{{.Index}}">The report's first page</a>{{if .Prev}}<a href="{{.Prev}}">Previous page</a>{{end}}{{if .Next}}<a href="{{.Next}}">Next page</a>{{end}}</p>
<p class="counts"><span class="count">{{.Page.Tally.Messages}} messages</span><span class="count authentic">{{.Page.Tally.Authentic}} authentic</span><span class="count altered">{{.Page.Tally.Altered}} altered</span><span class="count unverifiable">{{.Page.Tally.Unverifiable}} unverifiable</span>{{if .Page.Tally.Unreadable}}<span class="count">{{.Page.Tally.Unreadable}} unreadable</span>{{end}}</p>
</nav>
<footer><p>{{.Reminder}}</p></footer>
</body>
</html>
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

{{- define "overview" -}}
<section id="summary">
<p class="counts"><span class="count">{{.Tally.Messages}} messages</span><span class="count authentic">{{.Authentic}} authentic</span><span class="count altered">{{.Altered}} altered</span><span class="count unverifiable">{{.Unverifiable}} unverifiable</span>{{if .Unreadable}}<span class="count">{{.Unreadable}} unreadable</span>{{end}}</p>
<p class="note">{{.Summary}}.</p>
{{- if .Pass}}
<p class="note">{{.Pass}}</p>
{{- end}}
{{- if .Codes}}
<p class="note">Most frequent evidence:{{range $i, $c := .Codes}}{{if $i}},{{end}} <code>{{$c.Code}}</code> ({{$c.N}}){{end}}.</p>
{{- end}}
</section>
{{- if .Timeline}}
<section id="timeline">
<h2>Messages by date</h2>
{{.Timeline}}
<p class="legend"><span><i class="authentic"></i>authentic</span><span><i class="altered"></i>altered</span><span><i class="unverifiable"></i>unverifiable</span><span><i class="unreadable"></i>unreadable</span></p>
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
{{end -}}

{{- define "pages" -}}
<section id="pages">
<h2>The messages, {{.Size}} to a page</h2>
<p class="note">In the folder <code>{{.Folder}}</code> beside this file. A count opens the page showing only the messages of that verdict.</p>
<table>
<tr><th>Page</th><th>Messages</th><th>Verdicts</th></tr>
{{- range .Pages}}
<tr><td><a href="{{.Href}}">{{.Num}}</a></td><td class="loc">{{.First}} to {{.Last}}: <bdi>{{.FirstLoc}}</bdi> to <bdi>{{.LastLoc}}</bdi></td><td>{{if .Tally.Authentic}}<a href="{{.Authentic}}">{{.Tally.Authentic}} authentic</a> {{end}}{{if .Tally.Altered}}<a href="{{.Altered}}">{{.Tally.Altered}} altered</a> {{end}}{{if .Tally.Unverifiable}}<a href="{{.Unverifiable}}">{{.Tally.Unverifiable}} unverifiable</a> {{end}}{{if .Tally.Unreadable}}<a href="{{.Error}}">{{.Tally.Unreadable}} unreadable</a>{{end}}</td></tr>
{{- end}}
</table>
</section>
{{end -}}

{{- define "end" -}}
<footer><p>{{.}}</p><p>Every message's SHA-256 is of its stored bytes, before any unescaping: recompute it to show that the message reported on is the one in the archive.</p></footer>
</body>
</html>
{{end -}}
`))
