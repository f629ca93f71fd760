// Differential tests against dkimpy, Perl Mail::DKIM and mailauth.

package dkim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/internal/testmail"
)

// oracleCase is one generated message: its name lists what the generator
// chose (body, header shape, signatures, mutation), so that an expected
// disagreement can be matched by name.
type oracleCase struct {
	name string
	sigs []string // each signature's key:canonicalization:h= set[+l], top to bottom
	msg  []byte
}

// oracleBodies are bodies that canonicalize in different ways; each is
// written as is (CRLF line ends where it has them).
var oracleBodies = []struct{ name, body string }{
	{"empty", ""},
	{"crlf", "\r\n"},
	{"short", "Hi.\r\n"},
	{"nofinal", "no final line break"},
	{"trailblank", "text\r\n\r\n\r\n\r\n"},
	{"wsp", "a  b \t c\t\t\r\n \t \r\n\tindented  \r\n"},
	{"wsponly", " \r\n\t\r\n  \r\n"},
	{"8bit", "caf\xc3\xa9 na\xefve \xff\xfe\r\n"},
	{"lonecr", "a\rb\r\nc \r d\r\n"},
	{"crend", "ends in a CR\r"},
	{"long", strings.Repeat("0123456789 abcdefghij\t", 400) + "\r\n" + strings.Repeat("x", 3000) + "\r\n"},
	{"dotlines", ".\r\n..\r\nFrom me\r\n>From you\r\n"},
}

// oracleSubjects are Subject fields (name, colon and value, without the
// final CRLF) in odd shapes: folds, obs-fold, whitespace runs, 8-bit bytes.
var oracleSubjects = []struct{ name, field string }{
	{"plain", "Subject: Quarterly figures"},
	{"runs", "Subject:   Quarterly \t  figures  \t"},
	{"folded", "Subject: Quarterly\r\n figures\r\n\tfor Q3"},
	{"obsfold", "Subject:\r\n \r\n Quarterly figures"},
	{"tabfold", "Subject:\tQuarterly\r\n\t\tfigures"},
	{"empty", "Subject:"},
	{"wspvalue", "Subject: \t "},
	{"8bit", "Subject: caf\xc3\xa9 \xe2\x80\x94 d\xe9j\xe0 vu"},
	{"utf8-a-grave", "Subject: voil\xc3\xa0 (UTF-8 \xc3\xa0 ends in byte A0)"},
	{"long", "Subject: " + strings.Repeat("very long subject ", 60)},
	{"nospace", "Subject:Quarterly figures"},
	{"wspname", "Subject : Quarterly figures"},
	{"case", "sUBJECT: Quarterly figures"},
	{"lonecr", "Subject: Quarterly\r figures"},
}

// oracleHeaderSets are h= lists (nil: testmail's default).
var oracleHeaderSets = []struct {
	name string
	h    []string
}{
	{"default", nil},
	{"oversigned", []string{"from", "from", "to", "subject", "subject", "date", "message-id", "cc"}},
	{"oddcase", []string{"FROM", "To", "sUbJeCt", "Date"}},
	{"spaces", []string{" from", "to ", " subject ", "date"}},
	{"received", []string{"received", "received", "from", "subject", "received"}},
	{"nosubject", []string{"from", "to", "date"}},
}

// oracleMutations change a signed message, at byte level; some break a
// signature under one canonicalization and not under another. Each gets
// the message and the index of its first body byte.
var oracleMutations = []struct {
	name string
	f    func(m []byte, body int) []byte
}{
	{"none", func(m []byte, _ int) []byte { return m }},
	{"subj-name-case", func(m []byte, _ int) []byte { return replaceFold(m, "\nSubject:", "\nSUBJECT:") }},
	{"subj-space-after-colon", func(m []byte, _ int) []byte { return replaceFold(m, "\nSubject:", "\nSubject: \t") }},
	{"subj-trailing-space", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return f + "  " })
	}},
	{"subj-refold", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return strings.Replace(f, " ", "\r\n\t", 1) })
	}},
	{"subj-unfold", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return strings.ReplaceAll(f, "\r\n", "") })
	}},
	{"subj-wsp-double", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return strings.Replace(f, " ", "  ", 1) })
	}},
	{"subj-tab-for-space", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return strings.Replace(f, " ", "\t", 1) })
	}},
	{"subj-lone-cr", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return f + "\r" })
	}},
	{"subj-word", func(m []byte, body int) []byte {
		return editField(m, body, "subject", func(f string) string { return f + "x" })
	}},
	{"from-prepended", func(m []byte, _ int) []byte { return testmail.Prepend(m, "From", "Mallory <m@example.net>") }},
	{"from-appended", func(m []byte, body int) []byte { return insertAt(m, body-2, "From: Mallory <m@example.net>\r\n") }},
	{"received-prepended", func(m []byte, _ int) []byte {
		return testmail.Prepend(m, "Received", "from relay by mx; Tue, 1 Mar 2016 10:00:09 +0000")
	}},
	{"cc-appended", func(m []byte, body int) []byte { return insertAt(m, body-2, "Cc: eve@example.net\r\n") }},
	{"sig-name-case", func(m []byte, _ int) []byte {
		return append([]byte("dkim-signature"), bytes.TrimPrefix(m, []byte("DKIM-Signature"))...)
	}},
	{"sig-refold", func(m []byte, body int) []byte {
		return editField(m, body, "dkim-signature", func(f string) string { return strings.Replace(f, "; ", ";\r\n  ", 1) })
	}},
	{"sig-b-fws", func(m []byte, body int) []byte {
		return editField(m, body, "dkim-signature", func(f string) string {
			i := bTag.FindStringIndex(f)[1] // the b= value's start
			return f[:i+10] + "\r\n " + f[i+10:]
		})
	}},
	{"sig-b-wsp-inside-tag", func(m []byte, body int) []byte {
		return editField(m, body, "dkim-signature", func(f string) string {
			i := bTag.FindStringIndex(f)[1]
			return f[:i-1] + " = " + f[i:]
		})
	}},
	{"bare-lf", func(m []byte, _ int) []byte { return testmail.LF(m) }},
	{"body-spaces-doubled", func(m []byte, body int) []byte {
		return append(bytes.Clone(m[:body]), bytes.ReplaceAll(m[body:], []byte(" "), []byte("  "))...)
	}},
	{"body-trailing-wsp", func(m []byte, body int) []byte {
		return append(bytes.Clone(m[:body]), bytes.ReplaceAll(m[body:], []byte("\r\n"), []byte(" \t\r\n"))...)
	}},
	{"body-tab-for-space", func(m []byte, body int) []byte {
		return append(bytes.Clone(m[:body]), bytes.ReplaceAll(m[body:], []byte(" "), []byte("\t"))...)
	}},
	{"body-blank-lines", func(m []byte, _ int) []byte { return append(bytes.Clone(m), "\r\n\r\n"...) }},
	{"header-only", func(m []byte, body int) []byte { return bytes.Clone(m[:body-2]) }}, // body and empty line dropped
	{"body-crlf-dropped", func(m []byte, _ int) []byte { return bytes.TrimSuffix(m, []byte("\r\n")) }},
	{"body-wsp-line", func(m []byte, _ int) []byte { return append(bytes.Clone(m), " \r\n"...) }},
	{"body-lone-cr", func(m []byte, body int) []byte { return insertAt(m, body, "\r") }},
	{"body-lone-lf", func(m []byte, body int) []byte { return insertAt(m, body, "x\ny") }},
	{"body-lead-space", func(m []byte, body int) []byte { return insertAt(m, body, " ") }},
	{"body-appended", func(m []byte, _ int) []byte { return append(bytes.Clone(m), "P.S. wire the money.\r\n"...) }},
	{"body-8bit", func(m []byte, body int) []byte { return insertAt(m, body, "\xe9") }},
}

// bTag finds the b= tag of a DKIM-Signature field (not bh=).
var bTag = regexp.MustCompile(`[;\s]b=`)

// replaceFold replaces the first occurrence of old (matched with old's
// letter case) after the first byte.
func replaceFold(m []byte, old, new string) []byte {
	return bytes.Replace(m, []byte(old), []byte(new), 1)
}

func insertAt(m []byte, i int, s string) []byte {
	out := append(bytes.Clone(m[:i]), s...)
	return append(out, m[i:]...)
}

// editField rewrites the last field named name in the header (m[:body]),
// the field without its final CRLF; m is unchanged when there is none.
func editField(m []byte, body int, name string, f func(string) string) []byte {
	header := string(m[:body])
	start := -1
	for i := 0; i < len(header); {
		end := strings.Index(header[i:], "\r\n")
		if end < 0 {
			break
		}
		line := header[i : i+end]
		if n, _, ok := strings.Cut(line, ":"); ok && line != "" && line[0] != ' ' && line[0] != '\t' && strings.EqualFold(strings.TrimRight(n, " \t"), name) {
			start = i
		}
		i += end + 2
	}
	if start < 0 {
		return m
	}
	end := start
	for {
		e := strings.Index(header[end:], "\r\n")
		end += e + 2
		if end >= len(header) || (header[end] != ' ' && header[end] != '\t') {
			break
		}
	}
	field := header[start : end-2]
	return append([]byte(header[:start]+f(field)+"\r\n"), m[end:]...)
}

// bodyStart returns the index of the first body byte: after the first
// CRLFCRLF, or after the first LFLF when the message has bare LF lines.
func bodyStart(m []byte) int {
	if i := bytes.Index(m, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	if i := bytes.Index(m, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	return len(m)
}

// oracleKeys are the keys the generator signs with: two RSA keys of 1024
// bits or more and an Ed25519 key, all of which every verifier accepts.
var oracleKeys = []string{"rsa2048", "rsa1024", "ed25519", "rsa2048b"}

var oracleCanons = []string{"relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"}

// oracleSpec is what one case is made of: names from oracleBodies,
// oracleSubjects and oracleMutations, and its signatures in signing order
// (bottom to top).
type oracleSpec struct {
	body, subject, mutation string
	secondTo                bool // a second To field, after the first
	sigs                    []oracleSigSpec
}

type oracleSigSpec struct {
	key, canon, headers string // headers names an oracleHeaderSets entry
	l                   bool   // l= with the whole body's length
}

// oraclePinned are cases made whatever the seed: one for each expected
// disagreement, so that every entry of expectedOracleDisagreements is
// exercised (rsa2048 signs them, a key every verifier here checks).
var oraclePinned = []oracleSpec{
	{"short", "plain", "from-prepended", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"short", "wspname", "none", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"short", "plain", "subj-lone-cr", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"wsp", "plain", "body-crlf-dropped", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"nofinal", "plain", "none", false, []oracleSigSpec{{"rsa2048", "simple/simple", "default", false}}},
	{"crend", "plain", "none", false, []oracleSigSpec{{"rsa2048", "relaxed/simple", "default", false}}},
	{"short", "lonecr", "none", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"lonecr", "plain", "body-tab-for-space", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"short", "empty", "subj-lone-cr", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"short", "utf8-a-grave", "none", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"empty", "plain", "header-only", false, []oracleSigSpec{{"rsa2048", "relaxed/relaxed", "default", false}}},
	{"empty", "plain", "body-lead-space", false, []oracleSigSpec{{"rsa2048", "simple/relaxed", "default", false}}},
}

// genOracleCases makes the pinned cases, then n messages from a fixed seed:
// a header with a Subject of oracleSubjects (and duplicate Received and
// sometimes To fields), a body of oracleBodies, one to three signatures
// (key, canonicalization, h=, sometimes l=), then, for three in four, one
// mutation.
func genOracleCases(t *testing.T, seed uint64, n int) []oracleCase {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var cases []oracleCase
	for _, spec := range oraclePinned {
		cases = append(cases, buildOracleCase(t, len(cases), spec))
	}
	for range n {
		spec := oracleSpec{
			body:     oracleBodies[r.IntN(len(oracleBodies))].name,
			subject:  oracleSubjects[r.IntN(len(oracleSubjects))].name,
			mutation: "none",
			secondTo: r.IntN(3) == 0,
		}
		nsig := 1 + r.IntN(3)
		if nsig == 3 && r.IntN(2) == 0 {
			nsig = 2
		}
		for range nsig {
			spec.sigs = append(spec.sigs, oracleSigSpec{
				key:     oracleKeys[r.IntN(len(oracleKeys))],
				canon:   oracleCanons[r.IntN(len(oracleCanons))],
				headers: oracleHeaderSets[r.IntN(len(oracleHeaderSets))].name,
				l:       r.IntN(5) == 0,
			})
		}
		if r.IntN(4) != 0 {
			spec.mutation = oracleMutations[1+r.IntN(len(oracleMutations)-1)].name
		}
		cases = append(cases, buildOracleCase(t, len(cases), spec))
	}
	return cases
}

// byName returns the entry of list whose name is name; it panics on a
// name that is not there (a mistake in the test's own tables).
func byName[T any](list []T, name string, nameOf func(T) string) T {
	for _, x := range list {
		if nameOf(x) == name {
			return x
		}
	}
	panic("oracle test: no entry " + name)
}

func buildOracleCase(t *testing.T, i int, spec oracleSpec) oracleCase {
	t.Helper()
	body := byName(oracleBodies, spec.body, func(x struct{ name, body string }) string { return x.name })
	subj := byName(oracleSubjects, spec.subject, func(x struct{ name, field string }) string { return x.name })
	mut := byName(oracleMutations, spec.mutation, func(x struct {
		name string
		f    func(m []byte, body int) []byte
	}) string {
		return x.name
	})
	var h bytes.Buffer
	h.WriteString("Received: from a by b; Tue, 1 Mar 2016 10:00:01 +0000\r\n")
	h.WriteString("Received: from c by d; Tue, 1 Mar 2016 10:00:02 +0000\r\n")
	h.WriteString("From: Alice Example <alice@example.com>\r\n")
	h.WriteString("To: Bob <bob@example.org>\r\n")
	if spec.secondTo {
		h.WriteString("To:  carol@example.org \r\n")
	}
	h.WriteString(subj.field + "\r\n")
	h.WriteString("Date: Tue, 01 Mar 2016 10:00:00 +0000\r\n")
	h.WriteString("Message-ID: <" + fmt.Sprint(i) + "@example.com>\r\n")
	msg := append(h.Bytes(), "\r\n"...)
	msg = append(msg, body.body...)

	var sigNames []string // in signing order, bottom to top
	for _, ss := range spec.sigs {
		key := testmail.MustKey(ss.key)
		hs := byName(oracleHeaderSets, ss.headers, func(x struct {
			name string
			h    []string
		}) string {
			return x.name
		})
		o := &testmail.SignOptions{Canonicalization: ss.canon, Headers: hs.h}
		l := ""
		if ss.l {
			o.BodyLength, l = testmail.WholeBody, "+l"
		}
		signed, err := testmail.Sign(msg, key, o)
		require.NoError(t, err, "case %d: signing", i)
		msg = signed
		sigNames = append(sigNames, fmt.Sprintf("%s:%s:%s%s", key.Name, ss.canon, hs.name, l))
	}
	msg = mut.f(msg, bodyStart(msg))
	name := fmt.Sprintf("%03d/body=%s/subject=%s/sigs=%s/mut=%s/flags=%s", i, body.name, subj.name, strings.Join(sigNames, ","), mut.name, oracleFlags(msg))
	slices.Reverse(sigNames)
	return oracleCase{name: name, sigs: sigNames, msg: msg}
}

// oracleFlags names what the message (after its mutation) holds that some
// verifier reads in its own way, in the view the verifiers get (oracleView):
// "dupfrom" (two From fields), "wspcolon" (WSP between a field name and its
// colon), "hdrcr" and "bodycr" (a CR not followed by LF in the header or the
// body), "hdrcrend" (a field ending in such a CR), "coloncr" (a field whose
// value starts with one, after WSP or not), "tailcr" (such a CR among
// the CR and LF bytes that end the body), "a0" (the byte A0 in the header),
// "noblank" (no empty line ends the header), "nofinalcrlf" (a non-empty body
// that does not end in CRLF), "endcr" and "endwsp" (the body ends in a CR, or
// in a space or tab), "blankend" (its unterminated last line is only spaces
// and tabs).
func oracleFlags(msg []byte) string {
	m := oracleView(msg)
	var flags []string
	i := bytes.Index(m, []byte("\r\n\r\n"))
	header, body := m, []byte(nil)
	if i >= 0 {
		header, body = m[:i+2], m[i+4:]
	}
	froms := 0
	for _, line := range bytes.Split(header, []byte("\r\n")) {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if bytes.EqualFold(bytes.TrimRight(name, " \t"), []byte("from")) {
			froms++
		}
		if len(bytes.TrimRight(name, " \t")) != len(name) {
			flags = append(flags, "wspcolon")
		}
	}
	if froms > 1 {
		flags = append(flags, "dupfrom")
	}
	loneCR := func(b []byte) bool {
		for j, c := range b {
			if c == '\r' && (j+1 == len(b) || b[j+1] != '\n') {
				return true
			}
		}
		return false
	}
	if loneCR(header) {
		flags = append(flags, "hdrcr")
	}
	if bytes.Contains(header, []byte("\r\r\n")) {
		flags = append(flags, "hdrcrend")
	}
	if colonCR.Match(header) {
		flags = append(flags, "coloncr")
	}
	if bytes.IndexByte(header, 0xa0) >= 0 {
		flags = append(flags, "a0")
	}
	if i < 0 {
		flags = append(flags, "noblank")
	}
	if loneCR(body) {
		flags = append(flags, "bodycr")
	}
	if tail := body[len(bytes.TrimRight(body, "\r\n")):]; loneCR(tail) {
		flags = append(flags, "tailcr")
	}
	if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
		flags = append(flags, "nofinalcrlf")
		switch body[len(body)-1] {
		case '\r':
			flags = append(flags, "endcr")
		case ' ', '\t':
			flags = append(flags, "endwsp")
			if last := body[bytes.LastIndexByte(body, '\n')+1:]; len(bytes.Trim(last, " \t")) == 0 {
				flags = append(flags, "blankend")
			}
		}
	}
	slices.Sort(flags)
	flags = slices.Compact(flags)
	return strings.Join(flags, ",")
}

// colonCR finds a field whose value starts with a lone CR, after WSP or not.
var colonCR = regexp.MustCompile(`(?m)^[^ \t:]+[ \t]*:[ \t]*\r([^\n]|$)`)

// oracleSig is one verifier's outcome for one DKIM-Signature.
type oracleSig struct {
	D   string `json:"d"`
	S   string `json:"s"`
	R   string `json:"r"` // "pass" or "fail" (any other outcome)
	Why string `json:"why"`
}

// oracle is one other verifier: the batch script of testdata/oracles and
// the command that runs it.
type oracle struct {
	name   string
	argv   []string // the command; the script's path is appended
	env    []string // added to the environment
	script string
	// noEd25519 is the verifier's words for an Ed25519 signature (RFC 8463)
	// it does not implement (Debian 12's Mail::DKIM 1.20230212: "unsupported
	// algorithm ed25519-sha256"); such a signature is not compared.
	noEd25519 string
}

// runOracle starts the verifier once, writes the keys and then every
// message as JSON lines to its standard input, and returns its outcomes by
// case index. It runs on its own goroutine, so it returns errors rather
// than failing the test.
func runOracle(ctx context.Context, dir string, o oracle, keys map[string]string, cases []oracleCase) ([][]oracleSig, error) {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	if err := enc.Encode(map[string]any{"keys": keys}); err != nil {
		return nil, err
	}
	for i, c := range cases {
		if err := enc.Encode(map[string]any{"id": i, "msg": base64.StdEncoding.EncodeToString(oracleView(c.msg))}); err != nil {
			return nil, err
		}
	}
	script, err := filepath.Abs(filepath.Join("testdata", "oracles", o.script))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.argv[0], append(o.argv[1:], script)...)
	cmd.Env = append(os.Environ(), o.env...)
	cmd.Dir = dir // not the package folder: Python would import dkim/ from it
	cmd.Stdin = &in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w; stderr:\n%s", o.name, err, stderr.String())
	}
	out := make([][]oracleSig, len(cases))
	seen := 0
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(`{"id"`)) {
			continue // mailauth prints other lines too
		}
		var res struct {
			ID   int         `json:"id"`
			Sigs []oracleSig `json:"sigs"`
		}
		if err := json.Unmarshal(line, &res); err != nil {
			return nil, fmt.Errorf("%s: output line %s: %w", o.name, line, err)
		}
		if res.ID < 0 || res.ID >= len(cases) || out[res.ID] != nil {
			return nil, fmt.Errorf("%s: output line with id %d", o.name, res.ID)
		}
		out[res.ID] = res.Sigs
		if out[res.ID] == nil {
			out[res.ID] = []oracleSig{}
		}
		seen++
	}
	if seen != len(cases) {
		return nil, fmt.Errorf("%s answered %d of %d messages; stderr:\n%s", o.name, seen, len(cases), stderr.String())
	}
	return out, sc.Err()
}

// oracleView is the message as given to the other verifiers: leakproof
// reads a bare LF as CRLF (mail stores keep LF line ends), so the others
// get that reading, with every bare LF made CRLF; the comparison is then of
// verification, not of line-end handling, which only leakproof does on
// purpose (internal/dkimcore's canonicalization). A lone CR stays as it is.
func oracleView(m []byte) []byte {
	var b bytes.Buffer
	for i, c := range m {
		if c == '\n' && (i == 0 || m[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	return b.Bytes()
}

// expectedOracleDisagreement is a known disagreement with one verifier: on
// a case whose name matches name, for a signature whose descriptor
// (oracleCase.sigs) matches sig, the verifier may say theirs ("pass",
// "fail", "any" for either, or "missing": it does not see the signature)
// while leakproof says the other. Each carries its reason.
type expectedOracleDisagreement struct {
	oracle    string
	name, sig *regexp.Regexp
	theirs    string
	why       string
}

// The expected disagreements. Every one is a message outside RFC 5322's
// syntax (a lone CR, WSP before a colon, a second From, no empty line after
// the header) or a body the RFC 6376 text leaves open (an unterminated last
// line), or a verifier reading the RFC its own way; in each leakproof follows
// the RFC 6376 text (docs/bundle.md, "Reading a difference", has them as a
// table).
var expectedOracleDisagreements = []expectedOracleDisagreement{
	{"dkimpy", flag("dupfrom"), anySig, "fail",
		"dkimpy adds one more \"from\" to h= when it verifies (its fix for Debian bug 644046), so a second From " +
			"field breaks every signature over From; RFC 6376 5.4.2 takes the bottom-most instance, and leakproof " +
			"reports the unsigned extra From as header.unsigned_duplicate_from instead"},
	{"dkimpy", flag("wspcolon"), anySig, "missing",
		"dkimpy refuses a header with WSP before a colon (\"Unexpected characters in RFC822 header\"); " +
			"RFC 5322 4.5.3 (obs-optional) allows it and RFC 6376 3.4.2 (relaxed) deletes that WSP"},
	{"dkimpy", flag("hdrcrend"), relaxedHeader, "pass",
		"dkimpy's relaxed header canonicalization ends with Python's bytes.strip(), which also removes a CR; " +
			"RFC 6376 3.4.2 deletes only WSP (SP and HTAB) at the end of the value"},
	{"dkimpy", flag("endwsp"), relaxedBody, "fail",
		"an unterminated last body line ending in WSP: dkimpy deletes trailing WSP only before a CRLF, then adds " +
			"the CRLF, so it hashes the WSP; RFC 6376 3.4.4 says to ignore whitespace at the end of lines and then " +
			"to add the missing CRLF, as leakproof, Mail::DKIM and mailauth do (RFC 4871 erratum 1384 on the order)"},
	{"Mail::DKIM", flag("nofinalcrlf"), simpleBody, "fail",
		"Mail::DKIM's simple body canonicalization adds a CRLF only to an empty body (finish_body), so a body " +
			"that does not end in CRLF is hashed without one; RFC 6376 3.4.3: \"If there is no body or no trailing " +
			"CRLF on the message body, a CRLF is added\""},
	{"mailauth", flag("tailcr"), anySig, "any",
		"mailauth's body canonicalization holds back every CR and LF byte at the end of the body as line ends, " +
			"so a lone CR there vanishes; RFC 5322 2.3 forbids a lone CR and RFC 6376 does not make it a line end: " +
			"leakproof (and dkimpy) hash it as content"},
	{"mailauth", flag("hdrcr"), relaxedHeader, "any",
		"mailauth's relaxed header canonicalization collapses JavaScript's \\s, which includes CR, to one space " +
			"(and trims it at the end); RFC 6376 3.4.2 touches only WSP and CRLF, as leakproof, dkimpy's inner " +
			"runs and Mail::DKIM do"},
	{"mailauth", flag("bodycr"), relaxedBody, "any",
		"mailauth's relaxed body canonicalization keeps a lone CR but merges the WSP on both sides of it into " +
			"one space before it (\"c \\r d\" is hashed as \"c \\rd\"); RFC 6376 3.4.4 reduces each WSP run in " +
			"place, and a lone CR is neither WSP nor a line end"},
	{"Mail::DKIM", flag("coloncr"), relaxedHeader, "pass",
		"Mail::DKIM's relaxed header canonicalization deletes Perl's \\s, which includes CR, after the colon, " +
			"so a value that starts with a lone CR loses it; RFC 6376 3.4.2 deletes only WSP there"},
	{"mailauth", flag("a0"), relaxedHeader, "fail",
		"mailauth decodes header bytes as Latin-1 and collapses \\s, which includes U+00A0, so the byte A0 " +
			"(the last byte of UTF-8 \"à\", RFC 6532) becomes a space; RFC 6376 3.4.2 reduces only WSP"},
	{"mailauth", flag("noblank"), anySig, "missing",
		"a message whose header is not followed by an empty line (an empty body): mailauth sees no header; " +
			"RFC 5322 3.5 makes the body and its empty line optional, and leakproof verifies it (as go-msgauth " +
			"cannot, TestDivergenceMsgauth)"},
	{"mailauth", flag("blankend"), relaxedBody, "fail",
		"a body whose unterminated last line is only WSP: mailauth keeps that WSP, as dkimpy does " +
			"(see dkimpy's endwsp entry); RFC 6376 3.4.4 ignores whitespace at the end of lines"},
}

// flag matches a case whose flags (oracleFlags) include f.
func flag(f string) *regexp.Regexp {
	return regexp.MustCompile(`/flags=([a-z0-9]+,)*` + f + `(,|$)`)
}

var (
	anySig        = regexp.MustCompile(``)
	relaxedHeader = regexp.MustCompile(`^[a-z0-9]+:relaxed/`)
	relaxedBody   = regexp.MustCompile(`^[a-z0-9]+:[a-z]+/relaxed:`)
	simpleBody    = regexp.MustCompile(`^[a-z0-9]+:[a-z]+/simple:`)
)

// TestDifferentialOracles generates signed messages, many of them then
// changed at byte level, and verifies each with leakproof and with each of
// dkimpy, Mail::DKIM and mailauth (each started once, reading every message
// from one batch): the pass/fail outcome of every signature must agree,
// apart from expectedOracleDisagreements. Only signatures every verifier
// claims to check are made: rsa-sha256 and ed25519-sha256, keys of 1024
// bits or more, no x=; l= only with its true length. A verifier that is
// missing is skipped, unless CI is set.
func TestDifferentialOracles(t *testing.T) {
	oracles := []oracle{}
	if py := testenv.Verifier(t, "dkimpy", testenv.PythonWithDKIM); py != "" {
		oracles = append(oracles, oracle{name: "dkimpy", script: "dkimpy.py", argv: []string{py}, env: []string{"PYTHONDONTWRITEBYTECODE=1"}})
	}
	if perl := testenv.Verifier(t, "Mail::DKIM", testenv.PerlWithMailDKIM); perl != "" {
		oracles = append(oracles, oracle{name: "Mail::DKIM", script: "maildkim.pl", argv: []string{perl}, noEd25519: "unsupported algorithm"})
	}
	if mods := testenv.Verifier(t, "mailauth", testenv.MailauthModules); mods != "" {
		node, err := exec.LookPath("node")
		require.NoError(t, err, "node")
		oracles = append(oracles, oracle{name: "mailauth", script: "mailauth.js", argv: []string{node}, env: []string{"NODE_PATH=" + mods}})
	}
	if len(oracles) == 0 {
		t.Skip("no other verifier installed")
	}

	cases := genOracleCases(t, 29, 240)
	var entries []testmail.KeyEntry
	keys := map[string]string{}
	for _, name := range oracleKeys {
		e := testmail.MustKey(name).Entry()
		entries = append(entries, e)
		keys[e.Name()] = e.TXT
	}
	recs := make([]dkim.KeyRecord, len(entries))
	for i, e := range entries {
		recs[i] = dkim.KeyRecord{Domain: e.Domain, Selector: e.Selector, TXT: e.TXT, Source: "test"}
	}
	opts := &dkim.Options{Keys: dkim.NewKeyFile(recs), Time: time.Unix(testmail.DefaultUnix+3600, 0)}

	ours := make([]*dkim.Verification, len(cases))
	for i, c := range cases {
		v, err := dkim.VerifyBytes(t.Context(), c.msg, opts)
		require.NoError(t, err, "%s: VerifyBytes", c.name)
		ours[i] = v
	}

	theirs := make([][][]oracleSig, len(oracles))
	errs := make([]error, len(oracles))
	var wg sync.WaitGroup
	for j, o := range oracles {
		dir := t.TempDir()
		wg.Go(func() { theirs[j], errs[j] = runOracle(t.Context(), dir, o, keys, cases) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	used := make([]int, len(expectedOracleDisagreements)) // signatures each entry covered
	passes, sigs := 0, 0
	for i := range cases {
		for _, s := range ours[i].Signatures {
			sigs++
			if s.Result == dkim.ResultPass {
				passes++
			}
		}
	}
	for j, o := range oracles {
		agree, total, expected := 0, 0, 0
		for i, c := range cases {
			got := theirs[j][i]
			our := ours[i].Signatures
			if len(got) != len(our) {
				if e := matchExpected(o.name, c, -1, "missing"); len(got) == 0 && e >= 0 {
					used[e] += len(our)
					expected += len(our)
					total += len(our)
					continue
				}
				t.Errorf("%s: %s: %d signatures, leakproof %d (theirs %+v)", o.name, c.name, len(got), len(our), got)
				continue
			}
			for k, s := range our {
				if o.noEd25519 != "" && strings.HasPrefix(s.Algorithm, "ed25519") && strings.Contains(got[k].Why, o.noEd25519) {
					continue
				}
				total++
				if !assert.Equal(t, s.Domain+" "+s.Selector, got[k].D+" "+got[k].S, "%s: %s: signature %d is the same one", o.name, c.name, k) {
					continue
				}
				ourPass := s.Result == dkim.ResultPass
				theirPass := got[k].R == "pass"
				if ourPass == theirPass {
					agree++
					continue
				}
				if e := matchExpected(o.name, c, k, got[k].R); e >= 0 {
					used[e]++
					expected++
					continue
				}
				t.Errorf("%s: %s: signature %d (%s): leakproof %v (%v), %s %s (%s)", o.name, c.name, k,
					c.sigs[k], s.Result, s.Err, o.name, got[k].R, got[k].Why)
			}
		}
		t.Logf("%s: %d of %d signature outcomes agree, %d expected disagreements", o.name, agree, total, expected)
	}
	t.Logf("%d messages, %d signatures, %d pass for leakproof", len(cases), sigs, passes)
	ran := map[string]bool{}
	for _, o := range oracles {
		ran[o.name] = true
	}
	for i, e := range expectedOracleDisagreements {
		if !ran[e.oracle] {
			continue
		}
		t.Logf("expected: %s %s %s on %d signatures", e.oracle, e.name, e.theirs, used[i])
		// An entry no generated case needs any more is stale: the
		// generator or the verifier changed, and the table must follow.
		assert.Positive(t, used[i], "the expected disagreement with %s on %s still occurs (%s)", e.oracle, e.name, e.why)
	}
	assert.Greater(t, passes, sigs/4, "the generated set has passes")
	assert.Less(t, passes, sigs*3/4, "the generated set has failures")
}

// matchExpected returns the index in expectedOracleDisagreements of the
// entry that covers signature k (-1: every signature) of c, or -1.
func matchExpected(oracle string, c oracleCase, k int, theirs string) int {
	for i, e := range expectedOracleDisagreements {
		if e.oracle != oracle || (e.theirs != theirs && (e.theirs != "any" || theirs == "missing")) || !e.name.MatchString(c.name) {
			continue
		}
		sigOK := true
		for j, desc := range c.sigs {
			if (k < 0 || j == k) && !e.sig.MatchString(desc) {
				sigOK = false
			}
		}
		if sigOK {
			return i
		}
	}
	return -1
}
