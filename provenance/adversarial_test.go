package provenance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/leakproof/leakproof/internal/testmail"
)

// testKeys is the key archive of these tests: every committed test key at
// its default name, plus the special records the adversarial table needs.
func testKeys() dkim.KeySource {
	rec := func(k *testmail.Key, selector, txt string) dkim.KeyRecord {
		return dkim.KeyRecord{Domain: k.Domain, Selector: selector, TXT: txt, Source: "testkeys"}
	}
	var recs []dkim.KeyRecord
	for _, name := range []string{"rsa2048", "rsa2048b", "rsa1024", "rsa768", "rsa512", "ed25519", "ed25519b"} {
		k := testmail.MustKey(name)
		recs = append(recs, rec(k, k.Selector, k.Record()))
	}
	k := testmail.MustKey("rsa2048")
	// A key marked published taints every name it is served under, so
	// the published selector has a key of its own.
	published := rec(k, "leaked", testmail.MustKey("rsa2048p").Record())
	published.PrivateKeyPublished = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	recs = append(recs,
		rec(k, "testing", k.Record()+"; t=y"),
		published,
		rec(k, "revoked", "v=DKIM1; k=rsa; p="),
		// An RSA record under the selector an Ed25519 signature names.
		rec(testmail.MustKey("ed25519"), "mismatch", k.Record()),
	)
	return dkim.NewKeyFile(recs)
}

// eml wraps raw as a single-message file.
func eml(name string, raw []byte) *archive.Message {
	sum := sha256.Sum256(raw)
	return &archive.Message{File: name, Index: 1, Format: "eml", Raw: raw, Size: int64(len(raw)), SHA256: hex.EncodeToString(sum[:])}
}

func testChecker() *Checker {
	return NewChecker(&Options{Keys: testKeys(), Time: checkTime})
}

const adversarialBody = "Bob,\n\nPlease wire the deposit to the usual account by Friday.\n\nAlice\n"

func baseMessage() testmail.Message {
	return testmail.Message{Subject: "Deposit", Body: adversarialBody}
}

func signed(t *testing.T, m testmail.Message, key string, o *testmail.SignOptions) []byte {
	t.Helper()
	out, err := testmail.Sign(m.Bytes(), testmail.MustKey(key), o)
	require.NoError(t, err, "testmail.Sign with %s", key)
	return out
}

func withField(m testmail.Message, name, value string) testmail.Message {
	m.Extra = append(m.Extra, testmail.Field{Name: name, Value: value})
	return m
}

func prepend(msg []byte, field string) []byte {
	return append([]byte(field+"\r\n"), msg...)
}

// TestAdversarial is issue 7's adversarial table: none may be authentic.
// Each case also pins the verdict it gets now.
func TestAdversarial(t *testing.T) {
	c := testChecker()
	transplantTarget := baseMessage()
	transplantTarget.Body = "Bob,\n\nWire the deposit to account 12-3456-789 today.\n\nAlice\n"
	transplantField, err := testmail.SignatureField(baseMessage().Bytes(), testmail.MustKey("rsa2048"), nil)
	require.NoError(t, err, "testmail.SignatureField")

	lengthSigned := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{BodyLength: testmail.WholeBody})
	twoMailboxes := baseMessage()
	twoMailboxes.From = "alice@example.com, Mallory <mallory@evil.example>"
	unrelated := baseMessage()
	unrelated.From = "Alice <alice@bank.example>"

	for _, tt := range []struct {
		name    string
		raw     []byte
		verdict Verdict
		code    string // evidence that must be present
	}{
		{"prepended unsigned From", prepend(signed(t, baseMessage(), "rsa2048", nil), "From: Chief Executive <ceo@example.com>"),
			VerdictAltered, "header.unsigned_duplicate_from"},
		{"From with a space before the colon", prepend(signed(t, baseMessage(), "rsa2048", nil), "From : Chief Executive <ceo@example.com>"),
			VerdictAltered, "header.space_before_colon"},
		{"From with two mailboxes", signed(t, twoMailboxes, "rsa2048", nil),
			VerdictUnverifiable, "identity.from_not_single_mailbox"},
		{"d= with a parenthesis", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Domain: "example.com(evil)"}),
			VerdictUnverifiable, "dkim.permerror"},
		{"testing key", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Selector: "testing"}),
			VerdictUnverifiable, "dkim.key_testing"},
		{"published key", signed(t, baseMessage(), "rsa2048p", &testmail.SignOptions{Domain: "example.com", Selector: "leaked"}),
			VerdictUnverifiable, "dkim.key_published"},
		{"extra Subject on an oversigned message",
			prepend(signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Headers: []string{"from", "to", "subject", "subject", "date", "message-id"}}), "Subject: Deposit cancelled"),
			VerdictAltered, "dkim.header_signature_invalid"},
		{"text appended past l=", append(bytes.Clone(lengthSigned), "P.S. Use account 98-7654-321 instead.\r\n"...),
			VerdictAltered, "dkim.text_past_body_length"},
		{"unrelated d=", signed(t, unrelated, "rsa2048", nil),
			VerdictUnverifiable, "dkim.unaligned"},
		{"unsigned From (h= without from)", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Headers: []string{"to", "subject", "date"}}),
			VerdictUnverifiable, "dkim.permerror"},
		{"planted Authentication-Results", prepend(baseMessage().Bytes(), "Authentication-Results: mx.example.org; dkim=pass header.d=example.com header.s=s2048 header.b=AAAAAAAAAAAA"),
			VerdictUnverifiable, "authres.unmatched_pass"},
		{"signature transplanted onto another body", prepend(transplantTarget.Bytes(), strings.TrimRight(transplantField, "\r\n")),
			VerdictAltered, "dkim.body_hash_mismatch"},
		{"512-bit key", signed(t, baseMessage(), "rsa512", &testmail.SignOptions{Domain: "example.com"}),
			VerdictUnverifiable, "dkim.no_key"},
		{"512-bit key published for the domain", signed(t, testmail.Message{From: "Eve <eve@example.net>", Subject: "Deposit", Body: adversarialBody}, "rsa512", nil),
			VerdictUnverifiable, "dkim.key_weak"},
		{"revoked key", signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Selector: "revoked"}),
			VerdictUnverifiable, "dkim.key_revoked"},
		{"key-type mismatch", signed(t, baseMessage(), "ed25519", &testmail.SignOptions{Selector: "mismatch"}),
			VerdictUnverifiable, "dkim.permerror"},
		{"lone CR hides a From in an unsigned field", prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Note: x\rFrom: Chief Executive <ceo@example.com>"),
			VerdictUnverifiable, "header.lone_cr"},
		{"Content-Type prepended above an unsigned one", prepend(signed(t, baseMessage(), "rsa2048", nil), "Content-Type: text/html"),
			VerdictUnverifiable, "header.duplicate_mime_field"},
		{"Content-Type prepended above a signed one",
			prepend(signed(t, withField(baseMessage(), "Content-Type", "text/plain; charset=utf-8"), "rsa2048",
				&testmail.SignOptions{Headers: []string{"from", "to", "subject", "date", "message-id", "content-type"}}), "Content-Type: text/html"),
			VerdictAltered, "header.unsigned_duplicate_mime"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), eml("case.eml", tt.raw))
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.NotEqual(t, VerdictAuthentic, a.Verdict, "an adversarial message is never authentic; summary %q", a.Summary)
			assert.Equal(t, tt.verdict, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence names the problem")
		})
	}
}

// TestBenign is issue 7's benign table, plus the repairs: none may be
// altered, and each is authentic.
func TestBenign(t *testing.T) {
	c := testChecker()
	fromLine := baseMessage()
	fromLine.Body = "Bob,\n\nFrom the figures it is clear.\n>From an earlier mail: yes.\n\nAlice\n"
	fromSigned := signed(t, fromLine, "rsa2048", nil)
	mboxrdStored := bytes.ReplaceAll(bytes.ReplaceAll(testmail.LF(fromSigned), []byte("\n>From "), []byte("\n>>From ")), []byte("\nFrom "), []byte("\n>From "))

	both := baseMessage()
	both.Body = "Bob,\n\nFrom the figures it is clear.\n>From your last mail: no.\n\nAlice\n"
	// mboxo escapes "From " and leaves ">From " as it is: the two lines look alike.
	mboxoStored := bytes.ReplaceAll(testmail.LF(signed(t, both, "rsa2048", nil)), []byte("\nFrom the"), []byte("\n>From the"))

	expired := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Expiration: time.Date(2016, 3, 8, 0, 0, 0, 0, time.UTC)})
	// x= before t= (OpenDKIM's DKIM_SIGERROR_TIMESTAMPS): noted, never a failure.
	expiredFirst := signed(t, baseMessage(), "rsa2048", &testmail.SignOptions{Expiration: time.Date(2016, 2, 1, 0, 0, 0, 0, time.UTC)})

	for _, tt := range []struct {
		name   string
		m      *archive.Message
		code   string // evidence that must be present
		repair bool   // the code is a repair
	}{
		{"LF line endings", eml("lf.eml", testmail.LF(signed(t, baseMessage(), "rsa2048", nil))), "archive.lf_line_endings", false},
		{"mboxrd escaping", &archive.Message{File: "a.mbox", Index: 1, Format: "mboxrd", Raw: mboxrdStored}, "dkim.pass", false},
		{"Takeout headers", eml("takeout.eml", prepend(prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Gmail-Labels: Inbox,Important"), "X-GM-THRID: 1234567890123456789")),
			"archive.takeout_headers", false},
		{"unsigned header added on top", eml("added.eml", prepend(signed(t, baseMessage(), "rsa2048", nil), "X-Archived-By: records-office")), "dkim.pass", false},
		{"expired x=", eml("expired.eml", expired), "dkim.expired", false},
		{"x= before t=", eml("expired-first.eml", expiredFirst), "dkim.expired", false},
		{"mbox separator left at the top of an .eml", eml("sep.eml", append([]byte("From alice@example.com Tue Mar  1 10:00:00 2016\r\n"), signed(t, baseMessage(), "rsa2048", nil)...)),
			"archive.leading_separator", false},
		{"line endings doubled by a text-mode copy", eml("crcr.eml", bytes.ReplaceAll(signed(t, baseMessage(), "rsa2048", nil), []byte("\r\n"), []byte("\r\r\n"))),
			"repair.double_cr", true},
		{"mboxo: a real >From line and an escaped From line", &archive.Message{File: "o.mbox", Index: 1, Format: "mbox", Raw: mboxoStored}, "repair.mbox_ambiguous", true},
		{"blank line added at the end by the mbox writer", eml("blank.eml", append(signed(t, baseMessage(), "rsa2048", nil), "\r\n"...)), "dkim.pass", false},
		{"final CRLF missing", eml("nocrlf.eml", bytes.TrimSuffix(signed(t, baseMessage(), "rsa2048", nil), []byte("\r\n"))), "dkim.pass", false},
		{"blank line added, simple/simple with l=", eml("blank-l.eml", append(signed(t, baseMessage(), "rsa2048",
			&testmail.SignOptions{Canonicalization: "simple/simple", BodyLength: testmail.WholeBody}), "\r\n"...)), "dkim.body_length_limit", false},
		{"an .eml cut from an mboxrd file without unescaping", eml("cut.eml", mboxrdStored), "repair.mbox_unescaped", true},
		{"relaxed and simple with 1024-bit rsa-sha1", eml("sha1.eml", signed(t, testmail.Message{From: "News <desk@news.example>", Body: adversarialBody}, "rsa1024",
			&testmail.SignOptions{Algorithm: "rsa-sha1", Canonicalization: "simple/simple"})), "dkim.sha1", false},
		{"ed25519", eml("ed.eml", signed(t, baseMessage(), "ed25519", nil)), "dkim.pass", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), tt.m)
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.NotEqual(t, VerdictAltered, a.Verdict, "a benign artifact never makes a message altered; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Equal(t, VerdictAuthentic, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			assert.Contains(t, codesOf(a), tt.code, "evidence notes the artifact")
			if !tt.repair {
				for _, code := range codesOf(a) {
					assert.False(t, strings.HasPrefix(code, "repair."), "no repair was needed, got %s", code)
				}
			}
		})
	}
}

// TestRepairNeverHidesAChange: a message that was really changed stays
// altered whatever the repairs try.
func TestRepairNeverHidesAChange(t *testing.T) {
	c := testChecker()
	orig := signed(t, baseMessage(), "rsa2048", nil)
	changed := bytes.Replace(orig, []byte("usual account"), []byte("other account"), 1)
	for _, tt := range []struct {
		name string
		m    *archive.Message
	}{
		{"eml", eml("x.eml", changed)},
		{"with a separator on top", eml("x.eml", append([]byte("From x@y Tue Mar  1 10:00:00 2016\r\n"), changed...))},
		{"doubled CR", eml("x.eml", bytes.ReplaceAll(changed, []byte("\r\n"), []byte("\r\r\n")))},
		{"ambiguous mbox", &archive.Message{File: "x.mbox", Index: 1, Format: "mbox", Raw: testmail.LF(changed)}},
		{"ambiguous mbox with >From lines", &archive.Message{File: "x.mbox", Index: 1, Format: "mbox",
			Raw: bytes.ReplaceAll(testmail.LF(changed), []byte("\nPlease"), []byte("\n>From Please"))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Check(t.Context(), tt.m)
			require.NoError(t, a.Err, "Check")
			assert.Equal(t, VerdictAltered, a.Verdict, "a changed body stays altered; evidence %v", codesOf(a))
			assert.Contains(t, a.Summary, "the headers are as sent", "summary says the body changed, not the headers")
		})
	}
}

// TestCorpusFiles runs every file of testdata/adversarial/ and
// testdata/benign/ (written by the testmail generator) when they exist.
func TestCorpusFiles(t *testing.T) {
	root := testenv.ModuleRoot(t)
	keysPath := filepath.Join(root, "testdata", "keys.jsonl")
	f, err := os.Open(keysPath)
	if os.IsNotExist(err) {
		t.Skip("testdata/keys.jsonl not generated yet")
	}
	require.NoError(t, err, "open %s", keysPath)
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read %s", keysPath)
	c := NewChecker(&Options{Keys: kf, Time: checkTime})
	ran := 0
	for _, dir := range []struct {
		name  string
		never Verdict
	}{{"adversarial", VerdictAuthentic}, {"benign", VerdictAltered}} {
		path := filepath.Join(root, "testdata", dir.name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		err := c.Run(t.Context(), archive.Walk(t.Context(), path, nil), func(a *Assessment) error {
			if errors.Is(a.Err, archive.ErrNotMail) {
				return nil // README.md
			}
			ran++
			t.Run(dir.name+"/"+filepath.Base(a.File), func(t *testing.T) {
				require.NoError(t, a.Err, "Check(%s)", a.File)
				assertWellFormed(t, a)
				assert.NotEqual(t, dir.never, a.Verdict, "%s must never be %s; summary %q; evidence %v", a.File, dir.never, a.Summary, codesOf(a))
			})
			return nil
		})
		require.NoError(t, err, "Run over %s", path)
	}
	if ran == 0 {
		t.Skip("testdata/adversarial and testdata/benign not generated yet")
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestTrustedSealer is verdict rule 2 and the untrusted half of rule 1, on
// chains made by the test sealer: a list changed the body after the
// author signed it, then sealed what it had seen on arrival.
func TestTrustedSealer(t *testing.T) {
	signedMsg := signed(t, baseMessage(), "rsa2048", nil)
	listed := append(bytes.Clone(signedMsg), "-- \r\nSent through the board list\r\n"...)
	seal := func(msg []byte, aar string) []byte {
		return sealWith(t, msg, &testmail.SealOptions{AuthResults: aar})
	}
	recordedPass := "mx.example.org; dkim=pass header.d=example.com header.s=s2048"
	sealed := seal(listed, recordedPass)
	for _, tt := range []struct {
		name    string
		trusted []string
		raw     []byte
		verdict Verdict
		conf    Confidence
		code    string
		summary string
	}{
		{"trusted sealer vouches", []string{"EXAMPLE.org"}, sealed, VerdictAuthentic, ConfidenceMedium, "arc.trusted_sealer", "on the word of example.org"},
		{"untrusted sealer: recorded pass now fails", nil, sealed, VerdictAltered, ConfidenceHigh, "arc.aar_pass_now_fails", "ARC sealer"},
		{"trusted sealer, but changed after sealing", []string{"example.org"},
			bytes.Replace(sealed, []byte("usual account"), []byte("other account"), 1), VerdictAltered, ConfidenceNone, "arc.chain_fail", ""},
		{"trusted sealer records an unaligned pass", []string{"example.org"},
			seal(listed, "mx.example.org; dkim=pass header.d=evil.example"), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
		{"trusted sealer whose message signature does not cover From", []string{"example.org"},
			sealWith(t, listed, &testmail.SealOptions{AuthResults: recordedPass, Headers: []string{"to", "subject", "date"}}), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
		{"trusted sealer records a fail", []string{"example.org"},
			seal(listed, "mx.example.org; dkim=fail header.d=example.com"), VerdictAltered, ConfidenceNone, "arc.chain_pass", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(&Options{Keys: testKeys(), Time: checkTime, TrustedSealers: tt.trusted})
			a := c.Check(t.Context(), eml("arc.eml", tt.raw))
			require.NoError(t, a.Err, "Check")
			assertWellFormed(t, a)
			assert.Equal(t, tt.verdict, a.Verdict, "verdict; summary %q; evidence %v", a.Summary, codesOf(a))
			if tt.conf != ConfidenceNone {
				assert.Equal(t, tt.conf, a.Confidence, "confidence")
			}
			assert.Contains(t, codesOf(a), tt.code, "evidence")
			assert.Contains(t, a.Summary, tt.summary, "summary")
			assert.NotEqual(t, arc.ChainNone, a.ARC.Chain, "the ARC chain is reported")
			if a.Verdict == VerdictAuthentic {
				assert.Equal(t, "example.com", a.Signer, "the signer is the recorded aligned d=")
				assert.Contains(t, a.Summary, "fails now", "the summary names what differs now")
			}
		})
	}
}

func sealWith(t *testing.T, msg []byte, o *testmail.SealOptions) []byte {
	t.Helper()
	out, err := testmail.Seal(msg, testmail.MustKey("rsa2048b"), o)
	require.NoError(t, err, "testmail.Seal")
	return out
}

// TestConformanceMessages runs the stored messages of the external DKIM
// suites (../shared/conformance, found from the module root) through Run:
// each must give a well-formed assessment, and none whose authors assert
// that no signature passes may be authentic. The suites are absent on a
// plain checkout (skip) but present in CI (fail when missing).
func TestConformanceMessages(t *testing.T) {
	for _, suite := range []string{"mail-dkim", "dkimpy"} {
		t.Run(suite, func(t *testing.T) {
			dir := testenv.Conformance(t, suite)
			expected := map[string]string{}
			manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
			require.NoError(t, err, "read MANIFEST.tsv")
			for _, line := range strings.Split(string(manifest), "\n")[1:] {
				if f := strings.Split(line, "\t"); len(f) >= 2 {
					expected[f[0]] = f[1]
				}
			}
			kf, err := os.Open(filepath.Join(dir, "keys.jsonl"))
			require.NoError(t, err, "open keys.jsonl")
			defer kf.Close()
			keys, err := dkim.ReadKeyFile(kf, "keys.jsonl")
			require.NoError(t, err, "read keys.jsonl")
			c := NewChecker(&Options{Keys: keys, Time: checkTime})
			n := 0
			err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(dir, "messages"), nil), func(a *Assessment) error {
				if errors.Is(a.Err, archive.ErrNotMail) {
					return nil
				}
				n++
				name := filepath.Base(a.File)
				t.Run(name, func(t *testing.T) {
					require.NoError(t, a.Err, "Check(%s)", a.File)
					assertWellFormed(t, a)
					if exp := expected[name]; exp == "fail" || exp == "none" {
						assert.NotEqual(t, VerdictAuthentic, a.Verdict, "%s: the suite asserts %s; summary %q", name, exp, a.Summary)
					}
				})
				return nil
			})
			require.NoError(t, err, "Run")
			assert.Positive(t, n, "the suite has messages")
		})
	}
}

// TestSampleArchive checks the quickstart archive against the verdicts
// testdata/README.md promises a reporter, and every format's copy of the
// same messages against authentic.
func TestSampleArchive(t *testing.T) {
	root := testenv.ModuleRoot(t)
	f, err := os.Open(filepath.Join(root, "testdata", "keys.jsonl"))
	if os.IsNotExist(err) {
		t.Skip("testdata not generated yet")
	}
	require.NoError(t, err, "open keys.jsonl")
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	require.NoError(t, err, "read keys.jsonl")
	c := NewChecker(&Options{Keys: kf, Time: checkTime})

	want := []struct {
		verdict    Verdict
		confidence Confidence
	}{
		{VerdictAuthentic, ConfidenceHigh}, {VerdictAuthentic, ConfidenceMedium}, {VerdictAltered, ConfidenceHigh},
		{VerdictAltered, ConfidenceHigh}, {VerdictUnverifiable, ConfidenceLow}, {VerdictUnverifiable, ConfidenceLow},
		{VerdictAuthentic, ConfidenceHigh}, {VerdictAuthentic, ConfidenceHigh},
	}
	var got []*Assessment
	err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(root, "testdata", "sample.mbox"), nil), func(a *Assessment) error {
		got = append(got, a)
		return nil
	})
	require.NoError(t, err, "Run over sample.mbox")
	require.Len(t, got, len(want), "sample.mbox messages")
	for i, a := range got {
		assertWellFormed(t, a)
		assert.Equal(t, i+1, a.Index, "message %d in archive order", i+1)
		assert.Equal(t, want[i].verdict, a.Verdict, "message %d verdict; summary %q", i+1, a.Summary)
		assert.Equal(t, want[i].confidence, a.Confidence, "message %d confidence", i+1)
	}
	if len(got) == len(want) {
		assert.Contains(t, got[5].Summary, "selector s2015", "message 6 names the missing selector")
		if assert.Len(t, got[7].Coverage.Attachments, 1, "message 8 lists its attachment") {
			assert.True(t, got[7].Coverage.Attachments[0].Covered, "message 8's attachment is covered")
		}
	}

	n := 0
	err = c.Run(t.Context(), archive.Walk(t.Context(), filepath.Join(root, "testdata", "formats"), nil), func(a *Assessment) error {
		if errors.Is(a.Err, archive.ErrNotMail) {
			return nil
		}
		n++
		assert.NoError(t, a.Err, "%s#%d", a.File, a.Index)
		assert.Equal(t, VerdictAuthentic, a.Verdict, "%s#%d (%s): every format keeps the signed bytes; summary %q", a.File, a.Index, a.Format, a.Summary)
		return nil
	})
	require.NoError(t, err, "Run over testdata/formats")
	assert.Positive(t, n, "testdata/formats has messages")
}
