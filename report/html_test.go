package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// walkHTML calls f for every element of the parsed page.
func walkHTML(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

// TestHTMLSelfContained: the page runs no script, loads nothing, and has
// one section per assessment, with its verdict as the class the filters
// use, and the counts.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	w := report.NewHTMLWriter(&b)
	render(t, w, fixtures())
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	require.NoError(t, err, "the page parses")

	var sections []*html.Node
	csp := false
	walkHTML(doc, func(n *html.Node) {
		switch n.Data {
		case "script", "iframe", "object", "embed", "img", "link", "form", "base":
			t.Errorf("the page has a <%s> element", n.Data)
		case "details":
			sections = append(sections, n)
		case "meta":
			if attr(n, "http-equiv") == "Content-Security-Policy" {
				csp = strings.Contains(attr(n, "content"), "default-src 'none'")
			}
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler %s", n.Data, a.Key)
			}
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") && !strings.HasPrefix(a.Val, "#") {
				t.Errorf("<%s %s=%q> points outside the page", n.Data, a.Key, a.Val)
			}
		}
	})
	assert.True(t, csp, "a Content-Security-Policy forbids everything but inline style")
	as := fixtures()
	require.Len(t, sections, len(as), "one section per assessment")
	for i, a := range as {
		want := a.Verdict.String()
		if a.Err != nil {
			want = "unreadable"
		}
		assert.Equal(t, want, attr(sections[i], "class"), "section %d class", i+1)
	}
	page := text(doc)
	assert.Contains(t, page, w.Tally().String(), "the summary line")
	assert.Contains(t, page, report.Reminder, "the reminder")
	assert.Contains(t, page, as[0].SHA256, "chain of custody: the SHA-256")
}

// TestHTMLHostileText: header text cannot inject markup, and control and
// bidirectional characters are replaced as in the text table.
func TestHTMLHostileText(t *testing.T) {
	a := fixtures()[0]
	a.Subject = `</summary><script>alert(1)</script><img src=x onerror=alert(2)>` + "\u202Egnp.exe\x1b[2J"
	a.From = `"><a href="https://evil.example/">click</a>`
	a.FromAddress = ""
	a.Explanation = provenance.Explanation{Meaning: `<style>body{display:none}</style>`, Proven: []string{"<b>\u202e"}}
	a.Signatures[0].Algorithm = "rsa-sha256\u202e\u200b" // tag values are untrusted too
	a.Signatures[0].Canonicalization = "relaxed\u202e/relaxed"
	var b bytes.Buffer
	render(t, report.NewHTMLWriter(&b), []*provenance.Assessment{a})
	out := b.String()
	for _, bad := range []string{"<script>", "<img", `<a href="https://evil`, "<style>body", "\u202E", "\x1b"} {
		assert.NotContains(t, out, bad, "hostile text is escaped or replaced")
	}
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;", "the text is shown, escaped")
	doc, err := html.Parse(strings.NewReader(out))
	require.NoError(t, err, "the page parses")
	var subject string
	walkHTML(doc, func(n *html.Node) {
		if n.Data == "summary" {
			subject = text(n)
		}
	})
	assert.Contains(t, subject, "<script>alert(1)</script>", "the reader sees the subject as text")
}

// TestHTMLEmpty: a run with no message is still a whole page with counts.
func TestHTMLEmpty(t *testing.T) {
	var b bytes.Buffer
	w := report.NewHTMLWriter(&b)
	w.NotMail("notes.txt")
	require.NoError(t, w.Close())
	assert.True(t, strings.HasPrefix(b.String(), "<!DOCTYPE html>"), "a page")
	assert.Contains(t, b.String(), "0 messages: 0 authentic, 0 altered, 0 unverifiable; 1 non-mail file skipped")
	assert.True(t, strings.HasSuffix(b.String(), "</html>\n"), "ended")
}
