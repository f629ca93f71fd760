package report

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
)

// An overview gathers, while the assessments stream past, what the HTML
// page shows above the message list: a timeline of messages by date and
// verdict, and a table per signing domain and selector. Its memory is
// bounded by the distinct days and selectors, never by the messages.
type overview struct {
	days      map[int64]*[4]int // days since 1970 (UTC): counts per verdict class
	undated   [4]int
	selectors map[selectorKey]*selectorRow
	overflow  selectorRow // the signatures of selectors past maxSelectorRows
	codes     map[string]int
}

type selectorKey struct{ domain, selector string }

// selectorRow is one line of the table of signing domains and selectors.
type selectorRow struct {
	Domain, Selector                   string
	Messages, Pass, Fail, NoKey, Other int
	first, last                        time.Time
}

// maxSelectorRows caps the rows of the table: a hostile archive can name a
// new selector in every message.
const maxSelectorRows = 2000

// Verdict classes of the timeline, in the order the bars stack.
var timelineClasses = []struct{ name, colour string }{
	{"authentic", "#1a7f37"}, {"altered", "#c62828"}, {"unverifiable", "#b08900"}, {"unreadable", "#777"},
}

func classOf(a *provenance.Assessment) int {
	switch {
	case a.Err != nil:
		return 3
	case a.Verdict == provenance.VerdictAuthentic:
		return 0
	case a.Verdict == provenance.VerdictAltered:
		return 1
	case a.Verdict == provenance.VerdictUnverifiable:
		return 2
	}
	return 3
}

func (o *overview) add(a *provenance.Assessment) {
	if o.days == nil {
		o.days, o.selectors, o.codes = map[int64]*[4]int{}, map[selectorKey]*selectorRow{}, map[string]int{}
	}
	c := classOf(a)
	if a.Date.IsZero() {
		o.undated[c]++
	} else {
		d := a.Date.UTC().Unix() / 86400
		if o.days[d] == nil {
			o.days[d] = &[4]int{}
		}
		o.days[d][c]++
	}
	for _, e := range a.Evidence {
		o.codes[e.Code]++
	}
	seen := map[selectorKey]bool{}
	for _, s := range a.Signatures {
		k := selectorKey{s.Domain, s.Selector}
		r := o.selectors[k]
		if r == nil {
			if len(o.selectors) >= maxSelectorRows {
				r = &o.overflow
			} else {
				r = &selectorRow{Domain: s.Domain, Selector: s.Selector}
				o.selectors[k] = r
			}
		}
		if !seen[k] {
			seen[k] = true
			r.Messages++
			if !a.Date.IsZero() {
				if r.first.IsZero() || a.Date.Before(r.first) {
					r.first = a.Date
				}
				if a.Date.After(r.last) {
					r.last = a.Date
				}
			}
		}
		switch s.Result {
		case dkim.ResultPass:
			r.Pass++
		case dkim.ResultFail:
			r.Fail++
		case dkim.ResultNoKey:
			r.NoKey++
		default:
			r.Other++
		}
	}
}

// topCodes returns the n most frequent evidence codes with their counts,
// most frequent first, ties in code order.
func topCodes(counts map[string]int, n int) []codeCount {
	var out []codeCount
	for c, k := range counts {
		out = append(out, codeCount{c, k})
	}
	slices.SortFunc(out, func(a, b codeCount) int {
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out[:min(n, len(out))]
}

type codeCount struct {
	Code string
	N    int
}

// rows returns the table of selectors, by domain then selector.
func (o *overview) rows() []htmlSelectorRow {
	var out []htmlSelectorRow
	for _, r := range o.selectors {
		out = append(out, newSelectorRow(r))
	}
	slices.SortFunc(out, func(a, b htmlSelectorRow) int {
		return cmp.Or(strings.Compare(a.Domain, b.Domain), strings.Compare(a.Selector, b.Selector))
	})
	if o.overflow.Messages > 0 {
		r := newSelectorRow(&o.overflow)
		r.Domain, r.Selector = fmt.Sprintf("(%d more selectors)", len(o.selectors)), ""
		out = append(out, r)
	}
	return out
}

type htmlSelectorRow struct {
	selectorRow
	Dates string
}

func newSelectorRow(r *selectorRow) htmlSelectorRow {
	h := htmlSelectorRow{selectorRow: *r}
	h.Domain, h.Selector = clean(r.Domain), clean(r.Selector)
	switch {
	case r.first.IsZero():
		h.Dates = "no dates"
	case r.first.UTC().Format(time.DateOnly) == r.last.UTC().Format(time.DateOnly):
		h.Dates = r.first.UTC().Format(time.DateOnly)
	default:
		h.Dates = r.first.UTC().Format(time.DateOnly) + " to " + r.last.UTC().Format(time.DateOnly)
	}
	return h
}

// timeline renders the messages by date as an inline SVG bar chart, bars
// stacked by verdict, and a description for screen readers. The bars are
// days, months or years, whichever gives at most about 120 of them.
func (o *overview) timeline() (template.HTML, string) {
	if len(o.days) == 0 {
		return "", ""
	}
	var lo, hi int64 = 1 << 62, -(1 << 62)
	for d := range o.days {
		lo, hi = min(lo, d), max(hi, d)
	}
	first, last := time.Unix(lo*86400, 0).UTC(), time.Unix(hi*86400, 0).UTC()
	unit := "day"
	bucket := func(t time.Time) time.Time { return t }
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	label := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch span := hi - lo; {
	case span > 3650:
		unit = "year"
		bucket = func(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC) }
		next = func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
		label = func(t time.Time) string { return t.Format("2006") }
	case span > 120:
		unit = "month"
		bucket = func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
		label = func(t time.Time) string { return t.Format("2006-01") }
	}
	var keys []time.Time
	counts := map[time.Time]*[4]int{}
	for t := bucket(first); !t.After(last); t = next(t) {
		keys = append(keys, t)
		counts[t] = &[4]int{}
	}
	peak := 1
	for d, c := range o.days {
		b := counts[bucket(time.Unix(d*86400, 0).UTC())]
		for i := range c {
			b[i] += c[i]
		}
	}
	for _, c := range counts {
		peak = max(peak, c[0]+c[1]+c[2]+c[3])
	}
	const width, height, top, bottom = 800.0, 160.0, 4.0, 1.0
	bw := width / float64(len(keys))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="timeline-chart" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="timeline-title" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">`, width, height)
	fmt.Fprintf(&b, `<title id="timeline-title">Messages per %s, %s to %s, coloured by verdict</title>`, unit, label(keys[0]), label(keys[len(keys)-1]))
	plot := height - top - bottom
	for i, k := range keys {
		c := counts[k]
		y := height - bottom
		for j, cl := range timelineClasses {
			if c[j] == 0 {
				continue
			}
			h := plot * float64(c[j]) / float64(peak)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>%s: %d %s</title></rect>`,
				float64(i)*bw+bw*0.1, y, bw*0.8, h, cl.colour, label(k), c[j], cl.name)
		}
	}
	fmt.Fprintf(&b, `<line x1="0" y1="%g" x2="%g" y2="%g" stroke="#999" stroke-width="1" vector-effect="non-scaling-stroke"/>`, height-bottom, width, height-bottom)
	b.WriteString(`</svg>`)
	desc := fmt.Sprintf("Messages per %s, from %s (left) to %s (right); the tallest bar is %d.", unit, label(keys[0]), label(keys[len(keys)-1]), peak)
	if n := o.undated[0] + o.undated[1] + o.undated[2] + o.undated[3]; n > 0 {
		verb := "are"
		if n == 1 {
			verb = "is"
		}
		desc += fmt.Sprintf(" %s no readable Date and %s not shown.", plural(n, "message has", "messages have"), verb)
	}
	// The SVG is built here from numbers and fixed words only: no text
	// from the messages goes into it.
	return template.HTML(b.String()), desc
}
