package testmail

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// An ARCCase is one generated ARC chain of testdata/arc/.
type ARCCase struct {
	File string // file name inside testdata/arc/
	// Chain and FailedInstance are what an RFC 8617 verifier must report:
	// "pass", "fail" or "none", and the instance that broke (0 for none).
	Chain          string
	FailedInstance int
	About          string // what the case is, one sentence
	Message        []byte // CRLF
}

// arcAuthResults is the ARC-Authentication-Results payload a sealer at
// instance i writes.
func arcAuthResults(authserv string, i int) string {
	ar := authserv + "; dkim=pass header.d=example.com header.s=s2048; spf=pass smtp.mailfrom=example.com"
	if i > 1 {
		ar += "; arc=pass"
	}
	return ar
}

// ARCCases returns the generated ARC chains, in a fixed order. Each starts
// from the same message, DKIM-signed by example.com (rsa2048), then sealed
// by example.org (rsa2048b, instance 1), mx.example.com's example.com key
// (rsa2048, instance 2) and example.org again (instance 3).
func ARCCases() []ARCCase {
	msg := MustSign(Message{
		Subject: "Board minutes (ARC test)",
		Body:    "The minutes of the March board meeting are below.\n\nAlice\n",
	}.Bytes(), MustKey("rsa2048"), nil)
	sealers := []struct{ key, authserv string }{
		{"rsa2048b", "mx.example.org"}, {"rsa2048", "mx.example.com"}, {"rsa2048b", "lists.example.org"},
	}
	seal := func(m []byte, i int, o SealOptions) []byte {
		s := sealers[(i-1)%len(sealers)]
		if o.AuthResults == "" {
			o.AuthResults = arcAuthResults(s.authserv, i)
		}
		return MustSeal(m, MustKey(s.key), &o)
	}
	chain := func(opts ...SealOptions) []byte {
		m := msg
		for n, o := range opts {
			i := o.Instance
			if i == 0 {
				i = n + 1
			}
			m = seal(m, i, o)
		}
		return m
	}
	return []ARCCase{
		{"intact.eml", "pass", 0,
			"Three intact ARC sets: every seal and the latest message signature verify.",
			chain(SealOptions{}, SealOptions{}, SealOptions{})},
		{"broken_seal_i2.eml", "fail", 2,
			"Three ARC sets whose instance-2 ARC-Seal has a corrupted b=; seal 3 still verifies over it.",
			chain(SealOptions{}, SealOptions{BreakSeal: true}, SealOptions{})},
		{"body_modified.eml", "fail", 2,
			"Two intact ARC sets, then the body was changed: the latest ARC-Message-Signature body hash no longer matches.",
			ReplaceBody(chain(SealOptions{}, SealOptions{}), "The minutes of the March board meeting were never approved.\n\nAlice\n")},
		{"gap.eml", "fail", 2,
			"ARC sets 1 and 3 with no set 2: the instance numbering has a gap.",
			chain(SealOptions{}, SealOptions{Instance: 3})},
	}
}

// ARCKeyFile returns the JSON Lines key file for the keys that sign the
// ARC cases (rsa2048 at s2048._domainkey.example.com, rsa2048b at
// s2048b._domainkey.example.org).
func ARCKeyFile() []byte {
	return KeyFile(MustKey("rsa2048").Entry(), MustKey("rsa2048b").Entry())
}

// ARCFiles returns the files of testdata/arc/ (paths relative to
// testdata/, "arc/intact.eml", ...), sorted by path: the chains of
// ARCCases, their key file (arc/keys.jsonl) and arc/README.md. The corpus
// generator can include them as they are.
func ARCFiles() []File {
	files := []File{{Path: "arc/README.md", Data: arcREADME()}, {Path: "arc/keys.jsonl", Data: ARCKeyFile()}}
	for _, c := range ARCCases() {
		files = append(files, File{Path: "arc/" + c.File, Data: c.Message})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files
}

// WriteARCTestdata writes ARCFiles into dir, the module's testdata/ (so the
// files land in dir/arc/), creating the folder if needed. Output is
// deterministic.
func WriteARCTestdata(dir string) error {
	for _, f := range ARCFiles() {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("testmail: %w", err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("testmail: %w", err)
		}
	}
	return nil
}

func arcREADME() []byte {
	var b strings.Builder
	b.WriteString(`# testdata/arc: generated ARC chains

Synthetic messages with ARC sets (RFC 8617), made by the test sealer
` + "`internal/testmail.Seal`" + ` with the committed test keys. Do not edit by hand;
regenerate with

    go test ./arc -run TestTestdata -update

(or ` + "`testmail.WriteARCTestdata(\"testdata\")`" + `; the corpus generator can
include ` + "`testmail.ARCFiles()`" + `).
The arc package's tests check that these files are what the generator makes
now and that each verifies as listed. Keys: ` + "`keys.jsonl`" + ` (rsa2048 as
s2048._domainkey.example.com, rsa2048b as s2048b._domainkey.example.org).
Line endings are CRLF.

| file | chain | failed instance | what it is |
|---|---|---|---|
`)
	for _, c := range ARCCases() {
		fmt.Fprintf(&b, "| `%s` | %s | %d | %s |\n", c.File, c.Chain, c.FailedInstance, c.About)
	}
	return []byte(b.String())
}
