package main

// leakproof bundle: a folder that lets a third party re-check one message's
// signatures without leakproof, with dkimpy, Mail::DKIM and mailauth, offline.

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/mbox"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// The helper scripts the bundle ships, so that its README's commands can be
// pasted as they are. Each calls its verifier's own library and replaces
// only the DNS lookup, with one answering from keys.jsonl.
var (
	//go:embed bundle/verify-dkimpy.py
	dkimpyScript []byte
	//go:embed bundle/verify-maildkim.pl
	maildkimScript []byte
)

const bundleSynopsis = "leakproof bundle [options] --out DIR [--file INNER [--entry N]] [--index N] PATH"

func runBundle(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	var cf checkFlags
	cf.register(fs)
	var ref messageRef
	ref.register(fs)
	out := fs.String("out", "", "the folder to write the bundle to")
	if code := parseFlags(fs, args, stdout, stderr); code >= 0 {
		return code
	}
	if code := ref.check(fs, stderr); code >= 0 {
		return code
	}
	if msg, hint := cf.validate(); msg != "" {
		return usageError(stderr, msg, hint)
	}
	if *out == "" {
		return usageError(stderr, "no --out DIR", "name a folder for the bundle: a new one, or an empty one")
	}
	if msg := checkBundleDir(*out); msg != "" {
		return usageError(stderr, msg, "name a new folder, or an empty one: a bundle never mixes with other files")
	}
	root, code := ref.path(fs, stderr, bundleSynopsis)
	if code >= 0 {
		return code
	}

	opts, hint, err := cf.options()
	if err != nil {
		cf.close()
		errorf(stderr, err.Error(), hint)
		return exitInput
	}
	defer cf.close() // for the early returns; closing twice is harmless

	m, code := ref.find(ctx, root, stderr)
	if m == nil {
		return code
	}
	if m.Err != nil {
		errorf(stderr, fmt.Sprintf("%s could not be read: %v", m.File, m.Err), `"leakproof explain" says why; there is nothing to bundle`)
		return exitInput
	}
	a := provenance.NewChecker(opts).Check(ctx, m)
	if a.Err != nil {
		errorf(stderr, fmt.Sprintf("%s#%d could not be checked: %v", m.File, m.Index, a.Err), `"leakproof explain" says why; there is nothing to bundle`)
		return exitInput
	}
	files, err := makeBundle(ctx, m, a, opts)
	if err == nil {
		err = writeBundle(*out, files)
	}
	if err != nil {
		errorf(stderr, err.Error(), "no bundle was written")
		return exitInput
	}
	if err := cf.close(); err != nil {
		errorf(stderr, err.Error(), "the DNS answers were not all recorded")
		return exitInput
	}
	ref.noteFirstFile(m, root, stderr)
	fmt.Fprintf(stdout, "%s: a proof bundle of %s#%d (%s), %d files; %s says how to re-verify it\n",
		printable(*out), printable(m.File), m.Index, a.Verdict, len(files), printable(filepath.Join(*out, "README.md")))
	return exitOK
}

// checkBundleDir returns why dir cannot take a bundle, or "" when it can:
// it must not exist, or be an empty folder.
func checkBundleDir(dir string) string {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ""
	case err != nil:
		return fmt.Sprintf("--out %s: %v", dir, err)
	case !fi.IsDir():
		return fmt.Sprintf("--out %s: a file, not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Sprintf("--out %s: %v", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Sprintf("--out %s: the folder is not empty", dir)
	}
	return ""
}

// A bundleFile is one file of a bundle.
type bundleFile struct {
	name  string
	data  []byte
	exec  bool   // a script: mode 0755
	about string // what it is, for the README's table
}

// writeBundle writes files into dir, which checkBundleDir accepted: into a
// new folder beside it, renamed to dir once complete, so that a failure
// leaves no half bundle.
func writeBundle(dir string, files []bundleFile) error {
	dir = filepath.Clean(dir)
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return fmt.Errorf("writing the bundle: %w", err)
	}
	err = func() error {
		for _, f := range files {
			mode := fs.FileMode(0o644)
			if f.exec {
				mode = 0o755
			}
			path := filepath.Join(tmp, f.name)
			if err := os.WriteFile(path, f.data, mode); err != nil {
				return err
			}
			if err := os.Chmod(path, mode); err != nil { // whatever the umask
				return err
			}
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			return err
		}
		// The folder may exist, empty (checkBundleDir): it gives way to the
		// complete bundle. A file that appeared in it since is not removed.
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return os.Rename(tmp, dir)
	}()
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("writing the bundle: %w", err)
	}
	return nil
}

// makeBundle returns the bundle's files, in the order its README lists
// them, SHA256SUMS last.
func makeBundle(ctx context.Context, m *archive.Message, a *provenance.Assessment, opts *provenance.Options) ([]bundleFile, error) {
	view, changes := checkedView(ctx, m, a, opts)
	keys := bundleKeys(ctx, a, opts)

	var rec bytes.Buffer
	jw := report.NewJSONWriter(&rec)
	if err := jw.Write(a); err != nil {
		return nil, err
	}
	if err := jw.Close(); err != nil {
		return nil, err
	}
	var assessment bytes.Buffer
	if err := json.Indent(&assessment, bytes.TrimSpace(rec.Bytes()), "", "  "); err != nil {
		return nil, err
	}
	assessment.WriteByte('\n')
	var explanation bytes.Buffer
	if err := report.WriteExplanation(&explanation, a); err != nil {
		return nil, err
	}
	keysJSONL, err := keysJSONLines(keys)
	if err != nil {
		return nil, err
	}
	cache, err := mailauthCache(keys)
	if err != nil {
		return nil, err
	}

	files := []bundleFile{{name: "message.eml", data: m.Raw,
		about: "the message's bytes exactly as stored in the archive"}}
	checked := "message.eml"
	if view != nil {
		checked = "message-unescaped.eml"
		files = append(files, bundleFile{name: checked, data: view,
			about: "the message as leakproof checked it: message.eml with " + strings.Join(changes, ", ")})
	}
	files = append(files,
		bundleFile{name: "assessment.json", data: assessment.Bytes(),
			about: "leakproof's JSON record of the message (the fields of `leakproof verify --format json`)"},
		bundleFile{name: "explain.txt", data: explanation.Bytes(),
			about: "leakproof's plain-language account (`leakproof explain`)"},
		bundleFile{name: "keys.jsonl", data: keysJSONL,
			about: "the key records looked up for the signatures, one JSON object per line, with their `source`, dates and marks; `used_by` names the signatures that looked each up, `decided_for` those whose result it decided (a leakproof key file: `--keys keys.jsonl`)"},
		bundleFile{name: "keys.zone", data: keysZone(keys),
			about: "the same records as a BIND zone file"},
		bundleFile{name: "mailauth-dns-cache.json", data: cache,
			about: "the same records as a DNS cache file for mailauth's `--dns-cache`"},
		bundleFile{name: "verify-dkimpy.py", data: dkimpyScript, exec: true,
			about: "re-verifies with dkimpy, the keys from keys.jsonl"},
		bundleFile{name: "verify-maildkim.pl", data: maildkimScript, exec: true,
			about: "re-verifies with Mail::DKIM, the keys from keys.jsonl"},
	)
	readme := bundleReadme(m, a, keys, files, checked)
	files = append(files, bundleFile{name: "README.md", data: readme, about: "this file"})

	var sums bytes.Buffer
	names := make([]string, 0, len(files))
	byName := map[string][]byte{}
	for _, f := range files {
		names = append(names, f.name)
		byName[f.name] = f.data
	}
	slices.Sort(names)
	for _, n := range names {
		sum := sha256.Sum256(byName[n])
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return append(files, bundleFile{name: "SHA256SUMS", data: sums.Bytes(),
		about: "SHA-256 of every other file (`sha256sum -c SHA256SUMS`)"}), nil
}

// checkedView returns the bytes leakproof's verifier checked, when they
// differ from the stored ones, with what changed. That is the message as
// its format defines it (mbox escaping undone, a byte-order mark set
// aside, bare LF made CRLF) and, when the assessment records a repair,
// the repaired view: rebuilt from the same candidates the checker tries
// and recognised by giving every signature the checks the assessment
// records.
func checkedView(ctx context.Context, m *archive.Message, a *provenance.Assessment, opts *provenance.Options) ([]byte, []string) {
	raw := m.Raw
	var changes []string
	if bytes.HasPrefix(raw, []byte(mbox.UTF8BOM)) {
		raw = raw[len(mbox.UTF8BOM):]
		changes = append(changes, "the byte-order mark at its start set aside (a storage artifact of Windows tools)")
	}
	own := mbox.OwnView(raw, mbox.Format(m.Format)).Data
	if n := len(raw) - len(own); n > 0 {
		changes = append(changes, fmt.Sprintf("the archive's mbox escaping undone (by the %s rule, %s)",
			m.Format, plural(n, "line lost the \">\" before its \"From \"", "lines lost the \">\" before their \"From \"")))
	}
	primary := crlf(own)
	if len(primary) > len(own) {
		changes = append(changes, "its bare LF line endings made CRLF, as mail has on the wire (RFC 5322)")
	}

	var repair string
	for _, e := range a.Evidence {
		if strings.HasPrefix(e.Code, "repair.") {
			repair = e.Code
		}
	}
	if repair != "" {
		if v, ok := repairedView(ctx, raw, primary, m.Format, a, opts); ok {
			primary = v
			changes = append(changes, fmt.Sprintf("then leakproof's repair %s (its evidence in assessment.json says what it changed)", repair))
		} else {
			changes = append(changes, fmt.Sprintf("but not leakproof's repair %s, which could not be rebuilt: the other verifiers may disagree with leakproof on this file", repair))
		}
	}
	if bytes.Equal(primary, m.Raw) {
		return nil, nil
	}
	return primary, changes
}

// repairedView returns the view among the checker's repair candidates
// whose signature checks are the assessment's.
func repairedView(ctx context.Context, raw, primary []byte, format archive.Format, a *provenance.Assessment, opts *provenance.Options) ([]byte, bool) {
	f, ok := mbox.ParseFormat(format.String())
	if !ok {
		f = mbox.FormatMbox // a single-message file cut out of an mbox
	}
	var candidates [][]byte
	for _, v := range mbox.Views(raw, f) {
		candidates = append(candidates, crlf(v.Data))
	}
	if f.Ambiguous() {
		for _, v := range mbox.MixedViews(raw, bodyStart(raw)) {
			candidates = append(candidates, crlf(v))
		}
	}
	candidates = append(candidates, bytes.ReplaceAll(primary, []byte("\r\r\n"), []byte("\r\n")))
	dopts := &dkim.Options{Keys: opts.Keys, DNS: opts.DNS, MinRSABits: opts.MinRSABits, MaxSignatures: opts.MaxSignatures}
	for _, c := range candidates {
		if bytes.Equal(c, primary) {
			continue
		}
		ver, err := dkim.VerifyBytes(ctx, c, dopts)
		if err != nil {
			continue
		}
		got := append(slices.Clone(ver.Signatures), ver.DomainKeys...)
		if len(got) != len(a.Signatures) {
			continue
		}
		same := true
		for i := range got {
			same = same && got[i].HeaderSignature == a.Signatures[i].HeaderSignature && got[i].BodyHash == a.Signatures[i].BodyHash
		}
		if same {
			return c, true
		}
	}
	return nil, false
}

// bodyStart returns the offset of the body of msg: after the first empty
// line, or len(msg) when there is none.
func bodyStart(msg []byte) int {
	for i := 0; i < len(msg); {
		j := bytes.IndexByte(msg[i:], '\n')
		if j < 0 {
			break
		}
		line := msg[i : i+j]
		i += j + 1
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return i
		}
	}
	return len(msg)
}

// crlf returns b with every bare LF made CRLF (b itself when it has none).
func crlf(b []byte) []byte {
	bare := bytes.Count(b, []byte("\n")) - bytes.Count(b, []byte("\r\n"))
	if bare == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+bare)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// A bundleKey is one key record of the bundle, with the signatures that
// looked it up.
type bundleKey struct {
	rec        dkim.KeyRecord
	name       string   // selector._domainkey.domain, lower-case
	asWritten  []string // the same name as each signature writes s= and d= (mailauth's cache is case-sensitive)
	usedBy     []string // "DKIM-Signature 1", ...
	decidedFor []string
}

// sigLabel names a signature as the README and the scripts do: its field
// name and its 1-based place among the fields of that name.
func sigLabel(s *provenance.SignatureResult) string {
	if s.Type == dkim.SignatureDomainKeys {
		return fmt.Sprintf("DomainKey-Signature %d", s.Index+1)
	}
	return fmt.Sprintf("DKIM-Signature %d", s.Index+1)
}

// bundleKeys gathers the key records the checker saw for each signature:
// every record of the key files for its name (all of them are tried), or
// DNS's answer when they hold none, with the record that decided first, so
// that a verifier that reads only a name's first record (mailauth) gets it.
func bundleKeys(ctx context.Context, a *provenance.Assessment, opts *provenance.Options) []*bundleKey {
	var keys []*bundleKey
	byRecord := map[string]*bundleKey{}
	for i := range a.Signatures {
		s := &a.Signatures[i]
		if s.LookupName == "" || s.Result == dkim.ResultSkipped {
			continue
		}
		var recs []dkim.KeyRecord
		if s.Key != nil {
			recs = append(recs, *s.Key)
		}
		if opts.Keys != nil {
			found, _ := opts.Keys.Lookup(ctx, s.Domain, s.Selector)
			recs = append(recs, found...)
		}
		usable := slices.ContainsFunc(recs, func(r dkim.KeyRecord) bool { return r.DNSError == "" })
		if !usable && opts.DNS != nil {
			// The checker asked DNS for this name; a DNSSource answers a
			// name it asked again from what it kept.
			found, _ := opts.DNS.Lookup(ctx, s.Domain, s.Selector)
			recs = append(recs, found...)
		}
		name := strings.ToLower(strings.TrimSuffix(s.LookupName, "."))
		written := s.Selector + "._domainkey." + s.Domain
		label := sigLabel(s)
		for j, r := range recs {
			id, err := json.Marshal(r)
			if err != nil {
				continue
			}
			k := name + "\x00" + string(id)
			bk := byRecord[k]
			if bk == nil {
				bk = &bundleKey{rec: r, name: name}
				byRecord[k] = bk
				keys = append(keys, bk)
			}
			if !slices.Contains(bk.asWritten, written) {
				bk.asWritten = append(bk.asWritten, written)
			}
			if !slices.Contains(bk.usedBy, label) {
				bk.usedBy = append(bk.usedBy, label)
			}
			if j == 0 && s.Key != nil && !slices.Contains(bk.decidedFor, label) {
				bk.decidedFor = append(bk.decidedFor, label)
			}
		}
	}
	return keys
}

// keysJSONLines writes the records as a leakproof key file, each with the
// signatures that used it.
func keysJSONLines(keys []*bundleKey) ([]byte, error) {
	var b bytes.Buffer
	for _, k := range keys {
		line, err := json.Marshal(k.rec)
		if err != nil {
			return nil, err
		}
		used, _ := json.Marshal(k.usedBy)
		decided, _ := json.Marshal(append([]string{}, k.decidedFor...))
		b.Write(bytes.TrimSuffix(line, []byte("}")))
		fmt.Fprintf(&b, `,"used_by":%s,"decided_for":%s}`+"\n", used, decided)
	}
	return b.Bytes(), nil
}

// keysZone writes the records as a BIND zone file; a recorded DNS failure
// is a comment. Strings are cut at 255 bytes, as DNS stores them.
func keysZone(keys []*bundleKey) []byte {
	var b bytes.Buffer
	b.WriteString("; The DKIM key records looked up for the signatures of this bundle's message,\n" +
		"; from leakproof's key sources (keys.jsonl holds the same, with all their fields).\n" +
		"; A recorded DNS failure appears as a comment only.\n$TTL 3600\n")
	for _, k := range keys {
		b.WriteString("\n; " + printable(keyComment(k)) + "\n")
		if k.rec.DNSError != "" {
			fmt.Fprintf(&b, "; %s. recorded %s\n", k.name, printable(k.rec.DNSError))
			continue
		}
		fmt.Fprintf(&b, "%s. 3600 IN TXT (", k.name)
		for _, chunk := range txtChunks(k.rec.TXT) {
			b.WriteString("\n\t\"" + zoneEscape(chunk) + "\"")
		}
		b.WriteString(" )\n")
	}
	return b.Bytes()
}

// keyComment says which signatures used a record, and where it came from.
func keyComment(k *bundleKey) string {
	var parts []string
	for _, l := range k.usedBy {
		if slices.Contains(k.decidedFor, l) {
			l += " (decided)"
		}
		parts = append(parts, l)
	}
	s := strings.Join(parts, ", ") + ": source " + strconvQuote(k.rec.Source)
	for _, t := range []struct {
		what string
		at   string
	}{
		{"first seen", dateOf(k.rec.FirstSeen.IsZero(), k.rec.FirstSeen.Format("2006-01-02"))},
		{"last seen", dateOf(k.rec.LastSeen.IsZero(), k.rec.LastSeen.Format("2006-01-02"))},
		{"answered by DNS", dateOf(k.rec.Seen.IsZero(), k.rec.Seen.Format("2006-01-02"))},
		{"PRIVATE KEY PUBLISHED", dateOf(k.rec.PrivateKeyPublished.IsZero(), k.rec.PrivateKeyPublished.Format("2006-01-02"))},
	} {
		if t.at != "" {
			s += ", " + t.what + " " + t.at
		}
	}
	return s
}

func dateOf(zero bool, s string) string {
	if zero {
		return ""
	}
	return s
}

// strconvQuote quotes s for a comment line, never letting it end the line.
func strconvQuote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// txtChunks cuts a TXT record's text into DNS character-strings of at most
// 255 bytes.
func txtChunks(txt string) []string {
	chunks := []string{}
	for len(txt) > 255 {
		chunks = append(chunks, txt[:255])
		txt = txt[255:]
	}
	return append(chunks, txt)
}

// zoneEscape escapes a character-string for a zone file: '"' and '\' with
// a backslash, any byte that is not printable ASCII as \DDD.
func zoneEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mailauthCache writes the records in the DNS cache format that mailauth's
// --dns-cache reads: {"NAME": {"TXT": [["chunk", ...], ...]}}, as Node's
// dns.resolveTxt answers. mailauth looks a key up under s= and d= exactly
// as the signature writes them and reads only the first record, so each
// name is listed as written and in lower case, the deciding record first.
// Recorded DNS failures are left out: mailauth then finds no key.
func mailauthCache(keys []*bundleKey) ([]byte, error) {
	cache := map[string]map[string][][]string{}
	add := func(name string, chunks []string) {
		if cache[name] == nil {
			cache[name] = map[string][][]string{"TXT": {}}
		}
		cache[name]["TXT"] = append(cache[name]["TXT"], chunks)
	}
	for _, k := range keys {
		if k.rec.DNSError != "" {
			continue
		}
		names := append([]string{k.name}, k.asWritten...)
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			add(n, txtChunks(k.rec.TXT))
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cache); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// expected says what each verifier should print for a signature: the
// scripts' lines for dkimpy and Mail::DKIM, mailauth's status.result (and
// comment). "" means the verifier does not list the signature.
type expected struct {
	dkimpy, maildkim, mailauth string
}

// expect predicts the other verifiers' outcome for s from leakproof's
// checks and the known differences of each (see the README's "Reading a
// difference").
func expect(s *provenance.SignatureResult, keys []*bundleKey) expected {
	name := strings.ToLower(strings.TrimSuffix(s.LookupName, "."))
	hasRecord := slices.ContainsFunc(keys, func(k *bundleKey) bool { return k.name == name && k.rec.DNSError == "" })
	if s.Type == dkim.SignatureDomainKeys {
		e := expected{maildkim: "fail (...)"}
		switch {
		case !hasRecord:
			e.maildkim = "invalid (public key: not available)"
		case s.HeaderSignature == dkim.HeaderValid:
			e.maildkim = "pass"
		case s.HeaderSignature == dkim.HeaderUnchecked:
			e.maildkim = "invalid (...)"
		}
		return e
	}
	switch {
	case s.LookupName == "" || s.Result == dkim.ResultPermError && s.Key == nil:
		return expected{"invalid (...)", "invalid (...)", "neutral (...)"}
	case !hasRecord:
		return expected{"invalid (no key record for " + name + " in keys.jsonl)", "invalid (public key: not available)", "neutral (no key)"}
	case s.Result == dkim.ResultRevoked:
		return expected{"invalid (...)", "invalid (public key: revoked)", "neutral (invalid public key)"}
	case s.HeaderSignature == dkim.HeaderUnchecked:
		return expected{"invalid (...)", "invalid (...)", "neutral (...)"}
	case s.BodyHash == dkim.BodyMismatch:
		e := expected{"fail (body hash mismatch (got ..., expected ...))", "fail (body has been altered)", "neutral (body hash did not verify)"}
		if s.HeaderSignature != dkim.HeaderValid {
			e.maildkim = "fail (message has been altered)"
		}
		return e
	case s.HeaderSignature == dkim.HeaderInvalid:
		e := expected{"fail (signature verification failed)", "fail (message has been altered)", "fail (bad signature)"}
		if s.KeyMismatch {
			e.maildkim = "fail (bad RSA signature)"
		}
		return e
	}
	// The arithmetic verifies: what is left are the verifiers' policies.
	e := expected{"pass (signature ok)", "pass", "pass"}
	if strings.HasPrefix(s.Algorithm, "ed25519") {
		e.maildkim = "invalid (unsupported algorithm " + s.Algorithm + ") in Mail::DKIM releases without Ed25519 (Debian 12's 1.20230212); pass in those with it"
	}
	if strings.HasPrefix(s.Algorithm, "rsa") && s.KeyBits < 1024 {
		e.dkimpy = fmt.Sprintf("invalid (public key too small: %d)", s.KeyBits)
		e.mailauth = "policy (dkim-rules: weak-key)"
	}
	if !s.Expires.IsZero() {
		e.dkimpy += ", or fail (x= value is past) once x= " + s.Expires.UTC().Format("2006-01-02") + " has passed"
		e.maildkim += ", or invalid (signature is expired) once x= has passed"
		e.mailauth += ", or neutral (expired) once x= has passed"
	}
	return e
}

// bundleReadme writes the bundle's README.md: what each file is, and the
// exact commands that re-verify the message without leakproof, with what
// they should print.
func bundleReadme(m *archive.Message, a *provenance.Assessment, keys []*bundleKey, files []bundleFile, checked string) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	subject := report.Clean(a.Subject)
	if subject == "" {
		subject = "(no subject)"
	}
	p("# Proof bundle: %s\n\n", subject)
	p("Made by `leakproof bundle` (%s) for one message of a mail archive, so that\n", versionLine())
	p("anyone can re-check its DKIM signatures without leakproof, with three other\n")
	p("verifiers, offline.\n\n")
	p("- message: `%s#%d` (id `%s`)\n", report.Clean(m.File), m.Index, a.ID)
	if m.Entries > 1 {
		p("- zip entry: %d of %d entries of that name\n", m.Entry, m.Entries)
	}
	p("- stored as: %s, %d bytes at offset %d, SHA-256 `%s`\n", a.Format, a.Size, a.Offset, a.SHA256)
	p("- From: %s\n- Date: %s\n- Message-ID: %s\n", mdText(a.From), mdText(dateText(a)), mdText(a.MessageID))
	p("- leakproof's verdict: **%s**", a.Verdict)
	if a.Confidence != provenance.ConfidenceNone {
		p(" (%s confidence)", a.Confidence)
	}
	p(". %s\n\n", mdText(a.Summary))
	p("First check that nothing in this folder changed since it was made:\n\n    sha256sum -c SHA256SUMS\n\n")

	p("## Files\n\n| file | what it is |\n|---|---|\n")
	for _, f := range files {
		p("| `%s` | %s |\n", f.name, f.about)
	}
	p("| `README.md` | this file |\n")
	p("| `SHA256SUMS` | SHA-256 of every other file (`sha256sum -c SHA256SUMS`) |\n\n")
	if checked != "message.eml" {
		p("Verify `%s`: that is what leakproof checked. `message.eml` is the evidence as\n", checked)
		p("found; the two differ only as the table says (`diff --strip-trailing-cr message.eml %s`\n", checked)
		p("shows the lines that differ in more than their endings), and a verifier given\n")
		p("`message.eml` may fail where leakproof passed for that reason alone.\n\n")
	}

	p("## The signatures\n\n")
	if len(a.Signatures) == 0 {
		p("The message has no DKIM-Signature or DomainKey-Signature field: there is nothing to\n")
		p("re-verify. The other verifiers should find none either.\n\n")
	}
	exp := make([]expected, len(a.Signatures))
	for i := range a.Signatures {
		s := &a.Signatures[i]
		exp[i] = expect(s, keys)
		p("%d. **%s** d=`%s` s=`%s` a=`%s`", i+1, sigLabel(s), mdCode(s.Domain), mdCode(s.Selector), mdCode(s.Algorithm))
		if s.BodyLength >= 0 {
			p(" l=%d", s.BodyLength)
		}
		p(": leakproof says `%s` (header signature %s, body hash %s", s.Result, s.HeaderSignature, s.BodyHash)
		if s.KeyBits > 0 {
			p(", %d-bit key", s.KeyBits)
		}
		if s.KeySource != "" {
			p(", key record from %s", mdText(strconvQuote(s.KeySource)))
		}
		p(")")
		if s.Err != nil {
			p(": %s", mdText(s.Err.Error()))
		}
		p(".\n")
	}
	if len(a.Signatures) > 0 {
		p("\n")
	}

	p("## Re-verify with dkimpy\n\n")
	p("Needs Python 3 and dkimpy (`apt-get install python3-dkim`, or `pip install dkimpy`;\n")
	p("PyNaCl too for Ed25519 signatures):\n\n")
	p("    python3 verify-dkimpy.py %s\n\n", checked)
	p("dkimpy's own `dkimverify < %s` does the same check with keys from DNS, and\n", checked)
	p("DNS has today's keys, not those of the day the mail was sent. dkimverify has no option\n")
	p("to read a key from a file; the script calls the library function dkimverify calls,\n")
	p("`dkim.DKIM(message).verify(idx, dnsfunc=...)`, with a `dnsfunc` that answers from\n")
	p("`keys.jsonl`. It should print:\n\n")
	p("%s\n", expectedBlock(a, exp, func(e expected) string { return e.dkimpy }, dkim.SignatureDKIM))

	p("## Re-verify with Mail::DKIM\n\n")
	p("Needs Perl and Mail::DKIM (`apt-get install libmail-dkim-perl`, or `cpan Mail::DKIM`):\n\n")
	p("    perl verify-maildkim.pl %s\n\n", checked)
	p("The script uses `Mail::DKIM::Verifier` and replaces only `Mail::DKIM::DNS::query`,\n")
	p("the function through which it asks DNS for keys, with a lookup in `keys.jsonl`;\n")
	p("it prints each signature's `result_detail`. It should print:\n\n")
	p("%s\n", expectedBlock(a, exp, func(e expected) string { return e.maildkim }, -1))

	p("## Re-verify with mailauth\n\n")
	p("Needs Node.js; install mailauth into a folder of its own (not globally), then run it\n")
	p("with the bundle's DNS cache, which answers every DNS query it makes (SPF, DMARC and ARC\n")
	p("lookups find nothing there and are no part of this check):\n\n")
	p("    npm install --prefix ./mailauth-tools mailauth\n")
	p("    ./mailauth-tools/node_modules/.bin/mailauth report --dns-cache mailauth-dns-cache.json %s\n\n", checked)
	p("(`npx mailauth report --dns-cache mailauth-dns-cache.json %s` does the same, fetching\n", checked)
	p("mailauth first.) It prints a JSON report; each signature is one item of\n")
	p("`dkim.results`, with `signingDomain`, `selector`, and `status.result` (and\n")
	p("`status.comment`). They should read:\n\n")
	p("%s\n", expectedBlock(a, exp, func(e expected) string { return e.mailauth }, dkim.SignatureDKIM))

	p("## Reading a difference\n\n")
	p("The three verifiers and leakproof compute the same arithmetic; where they differ it is\n")
	p("policy, and leakproof's differs by design, because it judges archived mail, not mail\n")
	p("arriving now:\n\n")
	p("- **x= (expiry).** dkimpy, Mail::DKIM and mailauth refuse a signature whose `x=` time\n")
	p("  has passed. leakproof reports `x=` and never fails a signature for it: an archive's\n")
	p("  mail is old, and a signature that verifies still proves what it covers.\n")
	p("- **t= in the future.** dkimpy refuses a signature dated after the time of the check;\n")
	p("  leakproof verifies it and notes the date.\n")
	p("- **l= (body length).** All four check only the first `l=` bytes of the body. leakproof\n")
	p("  reports the bytes past `l=`, and text past an aligned signature's `l=` makes the\n")
	p("  message `altered` while the signature itself passes: a reader sees text nobody signed.\n")
	p("- **Short keys.** dkimpy refuses RSA keys under 1024 bits and mailauth reports\n")
	p("  `policy` (weak-key); Mail::DKIM passes them. leakproof checks the arithmetic and\n")
	p("  reports `weak_key` below `--min-rsa-bits` (1024 by default): it never makes a message\n")
	p("  authentic.\n")
	p("- **rsa-sha1.** All pass it; leakproof passes it at medium confidence at most\n")
	p("  (`--no-sha1`: not at all).\n")
	p("- **Testing (t=y) and published keys.** The others pass a signature made with a key\n")
	p("  marked `t=y`, or whose private half was published (`private_key_published` in\n")
	p("  keys.jsonl, something only an archive of keys knows); leakproof reports\n")
	p("  `testing_key` or `published_key`: anyone could have made it.\n")
	p("- **Ed25519.** Mail::DKIM releases without Ed25519 support (Debian 12's 1.20230212)\n")
	p("  report `invalid (unsupported algorithm ed25519-sha256)`; dkimpy needs PyNaCl.\n")
	p("- **DomainKeys.** Only Mail::DKIM and leakproof check DomainKey-Signature fields.\n")
	p("- **Several records under one name** (a selector reused with a new key). leakproof and\n")
	p("  the two scripts try each; mailauth reads only the first, the one that decided\n")
	p("  leakproof's result.\n")
	p("- **Which bytes.** leakproof checks the message as its archive format defines it (mbox\n")
	p("  escaping undone, CRLF line endings), and may repair bytes a copy tool added (see\n")
	p("  `repair.*` in assessment.json's evidence); give the other verifiers `%s`.\n", checked)
	p("- **Verdicts.** A verdict is more than one signature's result: alignment with From,\n")
	p("  coverage of the fields a reader sees, unsigned extra fields, the MIME structure.\n")
	p("  explain.txt says how this one was reached. The other verifiers give no verdict.\n")
	return b.Bytes()
}

// expectedBlock formats the predicted lines of one verifier as an indented
// block; only signatures of type t are listed (all, for t < 0).
func expectedBlock(a *provenance.Assessment, exp []expected, pick func(expected) string, t dkim.SignatureType) string {
	var b strings.Builder
	for i := range a.Signatures {
		s := &a.Signatures[i]
		if t >= 0 && s.Type != t {
			continue
		}
		what := pick(exp[i])
		if what == "" {
			continue
		}
		fmt.Fprintf(&b, "    %s d=%s s=%s: %s\n", sigLabel(s), printable(s.Domain), printable(s.Selector), printable(what))
	}
	if b.Len() == 0 {
		return "    (no signature it checks)\n"
	}
	return b.String()
}

// dateText is the message's Date as the JSON record gives it.
func dateText(a *provenance.Assessment) string {
	if a.Date.IsZero() {
		return ""
	}
	return a.Date.Format("2006-01-02T15:04:05Z07:00")
}

// mdText makes header text safe to show in Markdown: control characters
// replaced, and the characters Markdown acts on escaped.
func mdText(s string) string {
	s = report.Clean(s)
	if s == "" {
		return "(none)"
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode makes s safe inside a Markdown code span.
func mdCode(s string) string {
	return strings.ReplaceAll(report.Clean(s), "`", "'")
}
