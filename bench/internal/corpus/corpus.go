// Package corpus makes the mixed corpus that bench/run.sh measures (the
// throughput targets of docs/performance.md are stated on it) and reads its
// truth files back for the tools that check themselves against them.
//
// Every message is distinct and drawn from the seed and its index alone, so
// the first n messages of a larger corpus are the n-message corpus. Per
// message:
//
//   - size: 87% text of 2 to 20 KB; 12% 50 to 200 KB, a short text and a
//     base64 attachment; 1% 1 to 2 MB, the same with a large attachment;
//   - key: 55% RSA-2048 (example.com), 20% RSA-1024 (news.example),
//     25% Ed25519 (example.com), the From domain the signing domain;
//   - outcome: 88% intact; 6% with the body changed after signing; 3% with
//     the signed Subject changed after signing; 3% signed under a selector
//     that keys.jsonl does not publish (no key).
//
// Write puts four files in a folder: bench.mbox (LF line endings, a
// separator line before each message and a blank line after it, nothing to
// escape), keys.jsonl (the three keys, docs/keys.md), truth.jsonl (one Truth
// per message, in order) and truth.json (the Summary). truth.json is written
// last: its presence means the corpus is complete.
package corpus

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/leakproof/leakproof/internal/testmail"
)

// Size classes of the mixed corpus.
const (
	ClassText       = "text"       // 2 to 20 KB of text
	ClassAttachment = "attachment" // 50 to 200 KB with an attachment
	ClassLarge      = "large"      // 1 to 2 MB with an attachment
)

// Outcomes of the mixed corpus: what was done to a message after signing.
const (
	CaseIntact        = "intact"
	CaseBodyAltered   = "body_altered"
	CaseHeaderAltered = "header_altered"
	CaseNoKey         = "no_key"
)

// mixedKeys are the signing keys of the mixed corpus, with the From address
// of the messages they sign (whose domain is the key's default domain).
var mixedKeys = []struct{ name, from string }{
	{"rsa2048", "Alice Example <alice@example.com>"},
	{"rsa1024", "Nina Reporter <nina@news.example>"},
	{"ed25519", "Alice Example <alice@example.com>"},
}

// A Truth is one line of truth.jsonl: what message Index (1-based, in
// archive order) is and what every verifier should say of it.
type Truth struct {
	Index int `json:"index"`
	// Start is the byte offset of the message's separator line, Offset and
	// Size those of the message itself (after the separator, without the
	// blank line that ends it).
	Start  int64  `json:"start"`
	Offset int64  `json:"offset"`
	Size   int    `json:"size"`
	Class  string `json:"class"`
	// Key names the testmail key that signed; Algorithm and Bits describe it.
	Key       string `json:"key"`
	Algorithm string `json:"algorithm"`
	Bits      int    `json:"bits"`
	Domain    string `json:"domain"`
	Selector  string `json:"selector"`
	Case      string `json:"case"`
	// DKIM is the result of the one signature: "pass", "fail" or "no_key".
	// A plain DKIM verifier (go-msgauth, dkimpy) passes the message exactly
	// when it is "pass".
	DKIM string `json:"dkim"`
	// Verdict is leakproof's verdict: "authentic", "altered" or
	// "unverifiable".
	Verdict string `json:"verdict"`
	// Digest is the hex SHA-256 of the canonicalized header that the
	// signature signs, and Signature the b= value (base64): with the key
	// they make one public-key verification, which succeeds (the digest is
	// the one signed, whatever was changed afterwards).
	Digest    string `json:"digest"`
	Signature string `json:"b"`
}

// Counts are the passes and failures of one group of messages.
type Counts struct {
	Messages int `json:"messages"`
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
}

func (c *Counts) add(pass bool) {
	c.Messages++
	if pass {
		c.Pass++
	} else {
		c.Fail++
	}
}

// A Summary is truth.json: the counts every verifier must reproduce.
type Summary struct {
	Generator string `json:"generator"`
	Seed      uint64 `json:"seed"`
	Messages  int    `json:"messages"`
	Bytes     int64  `json:"bytes"`
	// Pass and Fail count messages whose signature verifies or not; a
	// message passes exactly when its verdict is authentic.
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	// Signatures is one per message; KeyedSignatures those whose key is
	// in keys.jsonl, each one public-key verification for any verifier.
	Signatures      int               `json:"signatures"`
	KeyedSignatures int               `json:"keyed_signatures"`
	Verdicts        map[string]int    `json:"verdicts"`
	Cases           map[string]int    `json:"cases"`
	Classes         map[string]int    `json:"classes"`
	Algorithms      map[string]Counts `json:"algorithms"`
}

// mixedMessage is one generated message, stored as the mbox stores it.
type mixedMessage struct {
	stored []byte // separator line, LF message, blank line
	sepLen int    // length of the separator line
	truth  Truth
}

// Write writes the corpus of the given number of messages and seed to the
// folder dir, creating it if needed, and returns its summary. Messages are
// made on all cores, a few per core in memory at once.
func Write(ctx context.Context, dir string, messages int, seed uint64) (Summary, error) {
	sum := Summary{
		Generator: "bench/genmbox -mixed", Seed: seed, Messages: messages,
		Verdicts: map[string]int{}, Cases: map[string]int{}, Classes: map[string]int{},
		Algorithms: map[string]Counts{},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, err
	}
	// A stale truth.json must not vouch for a half-written corpus.
	if err := os.Remove(filepath.Join(dir, "truth.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return sum, err
	}
	var entries []testmail.KeyEntry
	for _, k := range mixedKeys {
		entries = append(entries, testmail.MustKey(k.name).Entry())
	}
	if err := os.WriteFile(filepath.Join(dir, "keys.jsonl"), testmail.KeyFile(entries...), 0o644); err != nil {
		return sum, err
	}

	mf, err := os.Create(filepath.Join(dir, "bench.mbox"))
	if err != nil {
		return sum, err
	}
	tf, err := os.Create(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		mf.Close()
		return sum, err
	}
	mw, tw := bufio.NewWriterSize(mf, 1<<20), bufio.NewWriterSize(tf, 1<<16)
	werr := writeMixed(ctx, mw, tw, messages, seed, &sum)
	if err := errors.Join(werr, mw.Flush(), tw.Flush(), mf.Close(), tf.Close()); err != nil {
		return sum, err
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return sum, err
	}
	return sum, os.WriteFile(filepath.Join(dir, "truth.json"), append(b, '\n'), 0o644)
}

// writeMixed makes the messages on all cores and writes them in order.
func writeMixed(ctx context.Context, mw, tw io.Writer, messages int, seed uint64, sum *Summary) error {
	type job struct {
		index int
		out   chan<- mixedResult
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job)
	order := make(chan chan mixedResult, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				m, err := mixedMessageAt(seed, j.index)
				j.out <- mixedResult{m, err}
			}
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); wg.Wait() }()
	go func() {
		defer close(order)
		defer close(jobs)
		for i := range messages {
			// The job is handed out before its result is queued: every
			// result the writer waits for has a worker making it.
			out := make(chan mixedResult, 1)
			select {
			case jobs <- job{i, out}:
			case <-ctx.Done():
				return
			}
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
		}
	}()
	enc := json.NewEncoder(tw)
	var offset int64
	for out := range order {
		r := <-out
		if r.err != nil {
			return r.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		m := r.msg
		m.truth.Start = offset
		m.truth.Offset = offset + int64(m.sepLen)
		if _, err := mw.Write(m.stored); err != nil {
			return err
		}
		offset += int64(len(m.stored))
		if err := enc.Encode(m.truth); err != nil {
			return err
		}
		sum.count(m.truth)
	}
	sum.Bytes = offset
	return ctx.Err()
}

type mixedResult struct {
	msg mixedMessage
	err error
}

// count adds message t to the summary.
func (s *Summary) count(t Truth) {
	pass := t.DKIM == "pass"
	if pass {
		s.Pass++
	} else {
		s.Fail++
	}
	s.Signatures++
	if t.Case != CaseNoKey {
		s.KeyedSignatures++
	}
	s.Verdicts[t.Verdict]++
	s.Cases[t.Case]++
	s.Classes[t.Class]++
	a := s.Algorithms[t.Key]
	a.add(pass)
	s.Algorithms[t.Key] = a
}

// draw decides message i (0-based) of the corpus of seed: its class, the
// size it aims at, its key and what is done to it, with the results every
// verifier should give. It returns the random source, for the text and
// attachment. It depends on nothing else, so messages can be made in any
// order.
func draw(seed uint64, i int) (t Truth, total int, from string, r *rand.Rand) {
	r = rand.New(rand.NewPCG(seed, uint64(i)))
	t = Truth{Index: i + 1}
	switch u := r.IntN(100); {
	case u < 87:
		t.Class, total = ClassText, 2<<10+r.IntN(18<<10+1)
	case u < 99:
		t.Class, total = ClassAttachment, 50<<10+r.IntN(150<<10+1)
	default:
		t.Class, total = ClassLarge, 1<<20+r.IntN(1<<20+1)
	}
	km := mixedKeys[0]
	switch u := r.IntN(100); {
	case u < 55:
	case u < 75:
		km = mixedKeys[1]
	default:
		km = mixedKeys[2]
	}
	switch u := r.IntN(100); {
	case u < 88:
		t.Case = CaseIntact
	case u < 94:
		t.Case = CaseBodyAltered
	case u < 97:
		t.Case = CaseHeaderAltered
	default:
		t.Case = CaseNoKey
	}

	key := testmail.MustKey(km.name)
	t.Key, t.Algorithm, t.Bits, t.Domain, t.Selector = key.Name, key.Algorithm(), key.Bits, key.Domain, key.Selector
	if t.Case == CaseNoKey {
		t.Selector += "-retired"
	}
	switch t.Case {
	case CaseIntact:
		t.DKIM, t.Verdict = "pass", "authentic"
	case CaseNoKey:
		t.DKIM, t.Verdict = "no_key", "unverifiable"
	default:
		t.DKIM, t.Verdict = "fail", "altered"
	}
	return t, total, km.from, r
}

// mixedMessageAt makes message i (0-based) of the corpus of seed.
func mixedMessageAt(seed uint64, i int) (mixedMessage, error) {
	t, total, from, r := draw(seed, i)
	key := testmail.MustKey(t.Key)
	date := time.Unix(testmail.DefaultDate, 0).Add(time.Duration(i) * time.Minute).UTC()
	subject := fmt.Sprintf("Board minutes %d", i+1)
	m := testmail.Message{From: from, Subject: subject, Date: date}
	if t.Class == ClassText {
		m.Body = mixedText(r, i, total)
	} else {
		textSize := 2<<10 + r.IntN(6<<10+1)
		if t.Class == ClassLarge {
			textSize = 4<<10 + r.IntN(12<<10+1)
		}
		m.Body = mixedText(r, i, textSize)
		// base64 writes 4 bytes (and 2 of CRLF per 76) for every 3.
		data := make([]byte, max(total-textSize, 1024)*57/78)
		var cs [32]byte
		binary.LittleEndian.PutUint64(cs[:], seed)
		binary.LittleEndian.PutUint64(cs[8:], uint64(i))
		rand.NewChaCha8(cs).Read(data)
		m.Attachments = []testmail.Attachment{{Name: fmt.Sprintf("scan-%d.pdf", i+1), ContentType: "application/pdf", Data: data}}
	}

	signer := &digestSigner{inner: key.Private}
	signing := *key
	signing.Private = signer
	signed, err := testmail.Sign(m.Bytes(), &signing, &testmail.SignOptions{
		Algorithm: key.Algorithm(), Selector: t.Selector, Time: date.Add(5 * time.Second),
	})
	if err != nil {
		return mixedMessage{}, fmt.Errorf("message %d: %w", i+1, err)
	}
	t.Digest = hex.EncodeToString(signer.digest)
	t.Signature = base64.StdEncoding.EncodeToString(signer.sig)

	switch t.Case {
	case CaseBodyAltered:
		signed = replaceOnce(signed, "up 4%", "up 40%")
	case CaseHeaderAltered:
		signed = replaceOnce(signed, "\r\nSubject: "+subject+"\r\n", "\r\nSubject: "+subject+" (final)\r\n")
	}
	lf := testmail.LF(signed)
	t.Size = len(lf)
	sep := "From " + addrOf(from) + " " + date.Format("Mon Jan _2 15:04:05 2006") + "\n"
	stored := make([]byte, 0, len(sep)+len(lf)+1)
	stored = append(append(append(stored, sep...), lf...), '\n')
	return mixedMessage{stored: stored, sepLen: len(sep), truth: t}, nil
}

// replaceOnce replaces the first old in b by new; old must occur.
func replaceOnce(b []byte, old, new string) []byte {
	if !bytes.Contains(b, []byte(old)) {
		panic(fmt.Sprintf("genmbox: %q not in message", old))
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// addrOf returns the address between the angle brackets of a From value.
func addrOf(from string) string {
	_, a, _ := strings.Cut(from, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

// digestSigner signs with inner and keeps the digest it was given and the
// signature it made, so that the truth file can hold both. For an Ed25519
// key it signs the digest itself (RFC 8463), whatever opts says: testmail
// tells Ed25519 keys apart by the type of Key.Private, which this wrapper
// hides, so the caller names the algorithm in SignOptions.
type digestSigner struct {
	inner       crypto.Signer
	digest, sig []byte
}

func (s *digestSigner) Public() crypto.PublicKey { return s.inner.Public() }

func (s *digestSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, ok := s.inner.(ed25519.PrivateKey); ok {
		opts = crypto.Hash(0)
	}
	sig, err := s.inner.Sign(rand, digest, opts)
	s.digest, s.sig = bytes.Clone(digest), sig
	return sig, err
}

// Words of the mixed corpus's text. None is "From", so no line starts with
// "From " and needs escaping in the mbox.
var mixedWords = strings.Fields(`the a of and to in for on with board figures
	quarter revenue costs budget plan draft minutes meeting agreed noted
	contract supplier payment invoice review audit report account office
	please keep this until after before we they our their will should could
	confidential numbers margin forecast shares deal offer press statement
	London Paris Berlin Monday Tuesday Friday March April legal counsel`)

// mixedText returns about size bytes of text for message i: a first line
// that a body alteration changes, then lines of up to 72 columns in
// paragraphs, one line in four with a double space and a trailing space
// (which relaxed canonicalization rewrites). It ends with a line feed.
func mixedText(r *rand.Rand, i, size int) string {
	var b strings.Builder
	b.Grow(size + 80)
	fmt.Fprintf(&b, "The figures for quarter %d are attached; revenue is up 4%% on last year.\n\n", i+1)
	line := 0
	for b.Len() < size {
		col := 0
		for col < 60 {
			w := mixedWords[r.IntN(len(mixedWords))]
			if col > 0 {
				b.WriteByte(' ')
				col++
				if line%4 == 1 && col < 30 && col+len(w) >= 30 {
					b.WriteByte(' ')
					col++
				}
			}
			b.WriteString(w)
			col += len(w)
		}
		if line%4 == 1 {
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
		line++
		if r.IntN(6) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// ReadTruth reads a truth.jsonl, checking that its messages are numbered 1,
// 2, 3 and so on.
func ReadTruth(path string) ([]Truth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ts []Truth
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	for {
		var t Truth
		if err := dec.Decode(&t); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if t.Index != len(ts)+1 {
			return nil, fmt.Errorf("%s: message %d follows message %d", path, t.Index, len(ts))
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: no messages", path)
	}
	return ts, nil
}
