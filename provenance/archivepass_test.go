package provenance

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/internal/testmail"
)

// corpusKeys reads testdata/keys.jsonl.
func corpusKeys(t testing.TB) dkim.KeySource {
	path := filepath.Join(testenv.ModuleRoot(t), "testdata", "keys.jsonl")
	f, err := os.Open(path)
	require.NoError(t, err, "open %s", path)
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read %s", path)
	return kf
}

// passLine is the golden line of one assessment after the archive pass:
// where it is, its verdict, and the codes and links the pass added.
func passLine(root string, a *Assessment, before map[string]int) string {
	rel, _ := filepath.Rel(root, a.File)
	where := filepath.ToSlash(rel)
	if a.Entry > 0 {
		where += fmt.Sprintf("@%d", a.Entry)
	}
	where += fmt.Sprintf("#%d", a.Index)
	var codes []string
	for _, e := range a.Evidence[before[a.ID]:] {
		codes = append(codes, e.Code)
	}
	var rel2 []string
	for _, r := range a.Related {
		f, _ := filepath.Rel(root, r.File)
		rel2 = append(rel2, fmt.Sprintf("%s:%s#%d", r.Kind, filepath.ToSlash(f), r.Index))
	}
	return fmt.Sprintf("%-70s %-12s %-6s %-12s pass=[%s] related=[%s]", where, a.Verdict, a.Confidence, a.Signer, strings.Join(codes, " "), strings.Join(rel2, " "))
}

// TestArchivePassCorpus runs the archive pass over testdata/archive and
// compares what it decided with testdata/archivepass.golden: the planted
// forgeries stand out, copies corroborate and contradict each other across
// folders and formats, replies vouch for the text they quote. It decides
// the same with the paragraphs in memory and in a paragraph store, in
// chunks small enough that the corpus's fill several.
func TestArchivePassCorpus(t *testing.T) {
	root := testenv.ModuleRoot(t)
	dir := filepath.Join(root, "testdata", "archive")
	golden := filepath.Join("testdata", "archivepass.golden")
	for _, store := range []bool{false, true} {
		t.Run(fmt.Sprint("store=", store), func(t *testing.T) {
			c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime, Workers: 2})
			spool, err := os.CreateTemp(t.TempDir(), "spool-*")
			require.NoError(t, err, "create spool")
			defer spool.Close()
			var paras ParagraphStore
			if store {
				smallParaChunks(t)
				f, err := os.CreateTemp(t.TempDir(), "paras-*")
				require.NoError(t, err, "create paragraph store")
				defer f.Close()
				paras = f
			}
			before := map[string]int{}
			var lines []string
			sum, err := c.RunArchive(t.Context(), archive.Walk(t.Context(), dir, nil), spool, paras,
				func(a *Assessment) { before[a.ID] = len(a.Evidence) },
				func(a *Assessment) error {
					if errors.Is(a.Err, archive.ErrNotMail) || strings.HasSuffix(a.File, "README.md") {
						return nil
					}
					require.NoError(t, a.Err, "%s#%d", a.File, a.Index)
					assertWellFormed(t, a)
					for _, e := range a.Evidence {
						info, ok := LookupCode(e.Code)
						require.True(t, ok, "evidence code %q is registered", e.Code)
						assert.Equal(t, info.Severity, e.Severity, "%s carries its registered severity", e.Code)
					}
					lines = append(lines, passLine(dir, a, before))
					return nil
				})
			require.NoError(t, err, "RunArchive(testdata/archive)")
			if store {
				fi, err := paras.(*os.File).Stat()
				require.NoError(t, err, "stat the paragraph store")
				require.NotZero(t, fi.Size(), "the paragraph store holds the chunks before the last")
			}
			lines = append(lines, fmt.Sprintf("summary %+v", sum))
			got := strings.Join(lines, "\n") + "\n"
			if *update && !store {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644), "write %s", golden)
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "read %s (run with -update to create it)", golden)
			assert.Equal(t, string(want), got, "archive pass over testdata/archive (go test ./provenance -run TestArchivePassCorpus -update rewrites the golden file)")
		})
	}
}

// smallParaChunks makes the archive pass's paragraph chunks as small as
// they can be until t ends, so that a small archive fills many.
func smallParaChunks(t *testing.T) {
	old := paraChunk
	paraChunk = 2 * maxParagraphs
	t.Cleanup(func() { paraChunk = old })
}

// passOver checks raws as .eml files named by their keys, runs the pass
// in memory and returns the assessments by name.
func passOver(t *testing.T, files ...string) map[string]*Assessment {
	t.Helper()
	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime})
	pass := NewArchivePass()
	out := map[string]*Assessment{}
	var order []*Assessment
	for i := 0; i+1 < len(files); i += 2 {
		a := c.Check(t.Context(), eml(files[i], []byte(files[i+1])))
		out[files[i]] = a
		order = append(order, a)
		pass.Add(a)
	}
	for _, a := range order {
		pass.Apply(a)
	}
	return out
}

func TestArchivePassCopies(t *testing.T) {
	msg := testmail.Message{Subject: "Copies", MessageID: "<copies@example.com>", Body: "Bob,\n\nThe figures are final.\n\nAlice\n"}
	signedMsg := string(testmail.MustSign(msg.Bytes(), testmail.MustKey("rsa2048"), nil))
	unsigned := string(msg.Bytes())
	changed := strings.Replace(unsigned, "final", "wrong", 1)
	received := string(testmail.Prepend([]byte(unsigned), "Received", "from a by b; Tue, 1 Mar 2016 10:00:00 +0000"))
	other := msg
	other.Body = "Bob,\n\nThe figures are final. -- sent via the list\n\nAlice\n"
	otherSigned := string(testmail.MustSign(other.Bytes(), testmail.MustKey("rsa2048"), nil))

	for _, tt := range []struct {
		name    string
		files   []string
		subject string // the file whose verdict is checked
		verdict Verdict
		code    string
		absent  string
	}{
		{"identical copy is corroborated", []string{"signed.eml", signedMsg, "sent.eml", unsigned}, "sent.eml", VerdictAuthentic, "copies.corroborated", ""},
		{"trace fields do not count", []string{"signed.eml", signedMsg, "sent.eml", received}, "sent.eml", VerdictAuthentic, "copies.corroborated", ""},
		{"differing copy is altered", []string{"signed.eml", signedMsg, "sent.eml", changed}, "sent.eml", VerdictAltered, "copies.conflict", ""},
		{"authentic copy is never overturned", []string{"signed.eml", signedMsg, "list.eml", otherSigned}, "signed.eml", VerdictAuthentic, "copies.differ", "copies.conflict"},
		{"no authentic copy: each differs", []string{"a.eml", unsigned, "b.eml", changed}, "b.eml", VerdictUnverifiable, "copies.differ", "copies.conflict"},
		{"the authentic copy itself is unchanged", []string{"signed.eml", signedMsg, "sent.eml", changed}, "signed.eml", VerdictAuthentic, "", "copies.differ"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := passOver(t, tt.files...)
			a := got[tt.subject]
			assert.Equal(t, tt.verdict, a.Verdict, "verdict of %s; summary %q; evidence %v", tt.subject, a.Summary, codesOf(a))
			if tt.code != "" {
				assert.Contains(t, codesOf(a), tt.code, "evidence of %s", tt.subject)
				assert.NotEmpty(t, a.Related, "%s links to its copy", tt.subject)
			}
			if tt.absent != "" {
				assert.NotContains(t, codesOf(a), tt.absent, "evidence of %s", tt.subject)
			}
			assertWellFormed(t, a)
		})
	}
	t.Run("corroboration names the copy and caps the confidence", func(t *testing.T) {
		got := passOver(t, "signed.eml", signedMsg, "sent.eml", unsigned)
		a, s := got["sent.eml"], got["signed.eml"]
		assert.Equal(t, s.Confidence, a.Confidence, "confidence of the corroborated copy")
		assert.Equal(t, "example.com", a.Signer, "signer of the corroborated copy")
		assert.Contains(t, a.Summary, "signed.eml", "summary names the copy")
		assert.Equal(t, FieldSigned, a.Coverage.Fields["subject"], "the copy's signature proves Subject")
		assert.Empty(t, a.Signatures, "the copy's own (absent) signatures stand")
		assert.Contains(t, codesOf(a), "dkim.none", "the copy's own evidence stands beside")
	})
	t.Run("conflict names what differs", func(t *testing.T) {
		got := passOver(t, "signed.eml", signedMsg, "sent.eml", changed)
		a := got["sent.eml"]
		var msg string
		for _, e := range a.Evidence {
			if e.Code == "copies.conflict" {
				msg = e.Message
			}
		}
		assert.Contains(t, msg, "the body", "copies.conflict says what differs")
		assert.Contains(t, msg, "signed.eml#1", "copies.conflict names the authentic copy's place")
		assert.Contains(t, msg, "id ", "copies.conflict names the authentic copy's id")
	})
}

func TestArchivePassCohorts(t *testing.T) {
	var files []string
	for i := range 7 {
		m := testmail.Message{Subject: fmt.Sprintf("Note %d", i), Date: time.Unix(testmail.DefaultDate, 0).Add(time.Duration(i) * 24 * time.Hour),
			Body: fmt.Sprintf("Bob,\n\nNote number %d.\n\nAlice\n", i)}
		raw := string(testmail.MustSign(m.Bytes(), testmail.MustKey("rsa2048"), &testmail.SignOptions{Time: m.Date}))
		if i == 3 {
			raw = strings.Replace(raw, "Note number 3.", "Note number 3, changed.", 1)
		}
		files = append(files, fmt.Sprintf("%d.eml", i), raw)
	}
	unsigned := testmail.Message{Subject: "No signature", Body: "Bob,\n\nUnsigned.\n\nAlice\n"}
	files = append(files, "unsigned.eml", string(unsigned.Bytes()))
	got := passOver(t, files...)
	assert.Contains(t, codesOf(got["3.eml"]), "cohort.selector_outlier", "the changed note fails among passing neighbours")
	for _, e := range got["3.eml"].Evidence {
		if e.Code == "cohort.selector_outlier" {
			assert.Contains(t, e.Message, "unlike 6 of its 6 neighbours", "the outlier's words")
		}
	}
	assert.NotContains(t, codesOf(got["2.eml"]), "cohort.selector_outlier", "a passing note is no outlier")
	assert.Contains(t, codesOf(got["unsigned.eml"]), "cohort.unsigned_outlier", "example.com signs all its other messages")
	assert.Equal(t, VerdictUnverifiable, got["unsigned.eml"].Verdict, "cohorts are evidence only")
}

func TestMatchQuote(t *testing.T) {
	para := func(s string) paragraph { return newParagraph(strings.Fields(s)) }
	text := []paragraph{para("Please pay the printer 4,000 euros on the 14th."), para("The invoice number is 2016-0117 and it is due."), para("Alice")}
	for _, tt := range []struct {
		name         string
		quote        []paragraph
		matched      int
		contradicted bool
	}{
		{"whole quote", text, 3, false},
		{"part quoted", text[:2], 2, false},
		{"one word changed", []paragraph{para("Please pay the printer 40,000 euros on the 4th."), text[1]}, 0, true},
		{"a fragment is no contradiction", []paragraph{para("Please pay the printer"), text[1]}, 0, false},
		{"too short to vouch", text[2:], 0, false},
		{"nothing in common", []paragraph{para("Something else entirely, much longer than anything in the message it answers, by far.")}, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, c := matchQuote(tt.quote, text)
			assert.Equal(t, tt.matched, m, "matched")
			assert.Equal(t, tt.contradicted, c, "contradicted")
		})
	}
}

func TestParagraphs(t *testing.T) {
	text := normalizeText(nil, []byte("\r\nHello Bob,  \r\n\r\nOn Monday Alice wrote:\r\n> first line\r\n> wrapped here\r\n>\r\n> second\r\n>> older\r\n\r\nBye\r\n\r\n"))
	assert.Equal(t, "Hello Bob,\n\nOn Monday Alice wrote:\n> first line\n> wrapped here\n>\n> second\n>> older\n\nBye", string(text), "normalizeText")
	own, quoted := paragraphs(text)
	want := func(s ...string) []paragraph {
		var out []paragraph
		for _, p := range s {
			out = append(out, newParagraph(strings.Fields(p)))
		}
		return out
	}
	assert.Equal(t, want("Hello Bob,", "On Monday Alice wrote:", "Bye"), own, "own paragraphs")
	assert.Equal(t, want("first line wrapped here", "second"), quoted, "quoted paragraphs, re-wrapped")
}

func TestSpoolRoundTrip(t *testing.T) {
	c := testChecker()
	in := []*Assessment{
		c.Check(t.Context(), eml("a.eml", testmail.MustSign(baseMessage().Bytes(), testmail.MustKey("rsa2048"), nil))),
		c.Check(t.Context(), eml("b.eml", baseMessage().Bytes())),
		c.Check(t.Context(), &archive.Message{File: "c.eml", Index: 0, Err: errors.New("boom")}),
	}
	f, err := os.CreateTemp(t.TempDir(), "spool-*")
	require.NoError(t, err, "create spool")
	defer f.Close()
	sp := NewSpool(f)
	for _, a := range in {
		require.NoError(t, sp.Write(a), "Spool.Write")
	}
	i := 0
	for got, err := range sp.All() {
		require.NoError(t, err, "Spool.All")
		want := in[i]
		assert.Equal(t, errText(want.Err), errText(got.Err), "Err of record %d", i)
		for j := range want.Signatures {
			assert.Equal(t, errText(want.Signatures[j].Err), errText(got.Signatures[j].Err), "signature %d Err of record %d", j, i)
			want.Signatures[j].Err, got.Signatures[j].Err = nil, nil
		}
		want.Err, got.Err = nil, nil
		assert.True(t, want.Date.Equal(got.Date), "Date of record %d", i)
		want.Date, got.Date = time.Time{}, time.Time{}
		for j := range want.Signatures {
			assert.True(t, want.Signatures[j].Timestamp.Equal(got.Signatures[j].Timestamp), "t= of record %d", i)
			want.Signatures[j].Timestamp, got.Signatures[j].Timestamp = time.Time{}, time.Time{}
			if want.Signatures[j].Key != nil {
				assert.Equal(t, want.Signatures[j].Key.TXT, got.Signatures[j].Key.TXT, "key of record %d", i)
				want.Signatures[j].Key, got.Signatures[j].Key = nil, nil
			}
		}
		assert.Equal(t, want, got, "record %d read back", i)
		i++
	}
	assert.Equal(t, len(in), i, "records read back")
	assert.Error(t, sp.Write(in[0]), "Write after All")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// passHeap feeds n generated assessments to an ArchivePass that keeps its
// paragraphs in store (nil: in memory), runs it, and returns the live heap
// with only the pass held, and the memory the pass mapped outside the
// heap, in bytes.
func passHeap(b *testing.B, templates []*Assessment, n int, store ParagraphStore) (uint64, ArchiveSummary) {
	pass := NewArchivePass()
	pass.SetParagraphStore(store)
	for i := range n {
		t := templates[i%len(templates)]
		a := *t                                           // the assessment is dropped after Add, as RunArchive's spool does
		a.ID = archive.MessageID("", fmt.Sprint(i), 0, 1) // SHA-256 hex, as archive gives
		a.File = fmt.Sprintf("leak/folder%03d/%d.eml", i%500, i)
		a.MessageID = fmt.Sprintf("m%d@example.com", i-i%7) // copies: runs of seven messages share a Message-ID
		if i%3 == 1 {
			a.InReplyTo = fmt.Sprintf("m%d@example.com", i-1)
			a.References = []string{fmt.Sprintf("t%d@example.com", i/10), a.InReplyTo}
		}
		a.Date = t.Date.Add(time.Duration(i) * time.Minute)
		pass.Add(&a)
	}
	sum := pass.Summary()
	if err := pass.Err(); err != nil {
		b.Fatalf("the paragraph store: %v", err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mapped := pass.pool.mapped.Load()
	runtime.KeepAlive(pass)
	return ms.HeapAlloc + uint64(mapped), sum
}

// BenchmarkArchivePassMemory measures the memory the archive pass keeps
// per message, with the paragraphs in memory and in a paragraph store:
// the heap over 100,000 messages less the heap over 1,000 must stay under
// 50 MB (docs/performance.md). Run it with
// go test ./provenance -run '^$' -bench ArchivePassMemory -benchtime 1x.
func BenchmarkArchivePassMemory(b *testing.B) {
	c := NewChecker(&Options{Keys: testKeys(), Time: checkTime})
	var templates []*Assessment
	for i := range 8 {
		m := testmail.Message{Subject: fmt.Sprintf("Template %d", i),
			Body: strings.Repeat(fmt.Sprintf("Paragraph of template %d with a dozen words or so in it.\n\n", i), 3+i) + "> quoted line one\n> quoted line two\n"}
		raw := m.Bytes()
		if i%2 == 0 {
			raw = testmail.MustSign(raw, testmail.MustKey("rsa2048"), nil)
		}
		templates = append(templates, c.Check(b.Context(), eml("t.eml", raw)))
	}
	for _, store := range []bool{false, true} {
		b.Run(fmt.Sprint("store=", store), func(b *testing.B) {
			var paras ParagraphStore
			if store {
				f, err := os.CreateTemp(b.TempDir(), "paras-*")
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				paras = f
			}
			for b.Loop() {
				small, _ := passHeap(b, templates, 1000, paras)
				runtime.GC()
				large, sum := passHeap(b, templates, 100000, paras)
				growth := float64(int64(large)-int64(small)) / 1e6
				b.ReportMetric(growth, "MB-growth")
				b.ReportMetric(growth*1e6/99000, "B/message")
				if sum.Messages != 100000 {
					b.Fatalf("summary counts %d messages, want 100000", sum.Messages)
				}
				if growth >= 50 {
					b.Fatalf("the pass over 100,000 messages holds %.1f MB more than over 1,000: want under 50 MB", growth)
				}
			}
		})
	}
}

// threadArchive generates n assessments from seed, as the archive pass
// sees them: messages with a Message-ID or none (some shared by copies),
// some without a reader's view, up to 30 paragraphs each; and replies to
// earlier messages whose quotes are the paragraphs of the message
// answered, some changed in a word, reworded to another length, left out
// or made up, and some quoting nothing it holds.
func threadArchive(seed uint64, n int) []*Assessment {
	r := rand.New(rand.NewPCG(seed, 1))
	para := func() paragraph { return paragraph(r.Uint64()<<16 | uint64(1+r.IntN(40))) }
	var out []*Assessment
	for i := range n {
		a := &Assessment{ID: fmt.Sprint("m", i), File: "a.mbox", Index: i,
			Verdict: []Verdict{VerdictAuthentic, VerdictAuthentic, VerdictUnverifiable, VerdictAltered, VerdictNone}[r.IntN(5)]}
		if r.IntN(6) > 0 {
			a.MessageID = fmt.Sprintf("<%d@x>", r.IntN(n))
		}
		v := &viewPrint{whole: [16]byte{byte(i), byte(i >> 8), byte(r.IntN(2))}}
		for range r.IntN(31) {
			v.paras = append(v.paras, para())
		}
		if i > 0 && r.IntN(5) < 2 {
			parent := out[r.IntN(i)]
			a.InReplyTo = parent.MessageID
			if a.InReplyTo == "" || r.IntN(10) == 0 {
				a.InReplyTo = fmt.Sprintf("<%d@x>", r.IntN(n))
			}
			var text []paragraph
			if parent.view != nil {
				text = parent.view.paras
			}
			for _, p := range text {
				switch r.IntN(12) {
				case 0: // a word changed
					v.quotes = append(v.quotes, p^1<<40)
				case 1: // a word added
					v.quotes = append(v.quotes, p+1)
				case 2: // left out
				case 3: // made up, after the quoted one
					v.quotes = append(v.quotes, p, para())
				default:
					v.quotes = append(v.quotes, p)
				}
			}
		}
		if r.IntN(20) > 0 {
			a.view = v
		}
		out = append(out, a)
	}
	return out
}

// TestArchivePassParagraphStore: the thread rules decide the same with
// the paragraphs kept in memory and in a ParagraphStore, whatever the
// archive and wherever the chunks end (as small as they can be here, so
// that a generated archive crosses a hundred of them): the same summary,
// and every message gets the same evidence and related messages.
func TestArchivePassParagraphStore(t *testing.T) {
	run := func(t *testing.T, seed uint64, store ParagraphStore) (ArchiveSummary, []*Assessment) {
		msgs := threadArchive(seed, 400)
		p := NewArchivePass()
		defer p.Release()
		p.SetParagraphStore(store)
		for _, a := range msgs {
			p.Add(a)
		}
		sum := p.Summary()
		require.NoError(t, p.Err(), "the paragraph store's error")
		for _, a := range msgs {
			p.Apply(a)
		}
		return sum, msgs
	}
	var quoted, conflicts int
	for seed := range uint64(20) {
		wantSum, want := run(t, seed, nil)
		quoted += wantSum.QuotedBy
		conflicts += wantSum.QuoteConflicts
		for _, tt := range []struct {
			name  string
			store bool
		}{
			{"memory, small chunks", false},
			{"store, small chunks", true},
		} {
			t.Run(fmt.Sprintf("seed %d, %s", seed, tt.name), func(t *testing.T) {
				smallParaChunks(t)
				var store ParagraphStore
				if tt.store {
					f, err := os.CreateTemp(t.TempDir(), "paras-*")
					require.NoError(t, err, "create the paragraph store")
					defer f.Close()
					store = f
				}
				sum, got := run(t, seed, store)
				assert.Equal(t, wantSum, sum, "summary")
				for i := range want {
					assert.Equal(t, want[i].Evidence, got[i].Evidence, "evidence of message %d", i)
					assert.Equal(t, want[i].Related, got[i].Related, "related messages of message %d", i)
				}
			})
		}
	}
	// The generated archives exercise both thread rules.
	assert.NotZero(t, quoted, "messages quoted word for word, over every seed")
	assert.NotZero(t, conflicts, "messages with a quote conflict, over every seed")
}

// A brokenStore is a ParagraphStore on a file that fails as set.
type brokenStore struct {
	*os.File
	failWrite, failRead, lose bool
}

var errBrokenStore = errors.New("broken store")

func (s brokenStore) WriteAt(b []byte, off int64) (int, error) {
	switch {
	case s.failWrite:
		return 0, errBrokenStore
	case s.lose:
		return len(b), nil // says it wrote, but kept nothing
	}
	return s.File.WriteAt(b, off)
}

func (s brokenStore) ReadAt(b []byte, off int64) (int, error) {
	if s.failRead {
		return 0, errBrokenStore
	}
	return s.File.ReadAt(b, off)
}

// TestArchivePassParagraphStoreFails: a paragraph store that fails to
// write, to read, or loses what it was given, makes RunArchive fail with
// its error before any record is emitted, instead of a run whose thread
// evidence is quietly missing; ArchivePass.Err says so to a caller that
// runs the pass itself.
func TestArchivePassParagraphStoreFails(t *testing.T) {
	dir := filepath.Join(testenv.ModuleRoot(t), "testdata", "archive")
	c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime, Workers: 2})
	for _, tt := range []struct {
		name  string
		store brokenStore
		want  error
	}{
		{"write fails", brokenStore{failWrite: true}, errBrokenStore},
		{"read fails", brokenStore{failRead: true}, errBrokenStore},
		{"written data lost", brokenStore{lose: true}, io.ErrUnexpectedEOF},
	} {
		t.Run(tt.name, func(t *testing.T) {
			smallParaChunks(t)
			spool, err := os.CreateTemp(t.TempDir(), "spool-*")
			require.NoError(t, err, "create spool")
			defer spool.Close()
			f, err := os.CreateTemp(t.TempDir(), "paras-*")
			require.NoError(t, err, "create the paragraph store")
			defer f.Close()
			store := tt.store
			store.File = f
			emitted := 0
			_, err = c.RunArchive(t.Context(), archive.Walk(t.Context(), dir, nil), spool, store, nil, func(*Assessment) error {
				emitted++
				return nil
			})
			require.ErrorIs(t, err, tt.want, "RunArchive's error")
			assert.ErrorContains(t, err, "provenance: paragraph store: ", "RunArchive's error names the store")
			assert.Zero(t, emitted, "records emitted without the thread rules")

			p := NewArchivePass()
			defer p.Release()
			p.SetParagraphStore(store)
			for _, a := range threadArchive(1, 400) {
				p.Add(a)
			}
			p.Summary()
			assert.ErrorIs(t, p.Err(), tt.want, "ArchivePass.Err")
		})
	}
}
