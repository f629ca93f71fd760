package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// checkFlags are the key and policy flags that verify and explain share.
type checkFlags struct {
	keys         stringList
	dns          bool
	dnsServer    string
	record       string
	minRSABits   int
	noSHA1       bool
	trustSealers stringList
	resolvConf   string // where the system resolver is read; tests change it
	recordFile   *os.File
	dnsSource    *dkim.DNSSource

	// Set by options, for the manifest.
	keyFiles      []report.ManifestKeyFile
	dnsServerUsed string
}

func (c *checkFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.keys, "keys", "key archive `FILE` (repeatable)")
	fs.BoolVar(&c.dns, "dns", false, "ask DNS for keys missing from the key files")
	fs.StringVar(&c.dnsServer, "dns-server", "", "DNS server `ADDR`; implies --dns")
	fs.StringVar(&c.record, "record", "", "append every DNS answer to `FILE`")
	fs.IntVar(&c.minRSABits, "min-rsa-bits", 1024, "weakest RSA key that counts, in bits")
	fs.BoolVar(&c.noSHA1, "no-sha1", false, "rsa-sha1 signatures count for nothing")
	fs.Var(&c.trustSealers, "trust-sealer", "trusted ARC sealer `DOMAIN` (repeatable)")
	c.resolvConf = "/etc/resolv.conf"
}

// validate reports a usage error in the flags, or "" when there is none.
func (c *checkFlags) validate() (msg, hint string) {
	switch {
	case c.minRSABits < 1:
		return fmt.Sprintf("--min-rsa-bits %d: must be a positive number of bits", c.minRSABits), "the default is 1024"
	case c.record != "" && !c.dns && c.dnsServer == "":
		return "--record needs --dns or --dns-server", "add --dns to ask DNS and record its answers"
	}
	for _, s := range c.trustSealers {
		if s == "" || strings.ContainsAny(s, " \t/@") {
			return fmt.Sprintf("--trust-sealer %q: not a domain name", s), "name the sealer's domain, for example --trust-sealer google.com"
		}
	}
	return "", ""
}

// options turns the flags into checker options: it reads the key files and
// sets up the DNS source. The caller must call close when done (it closes
// the --record file). An error is about a key file or the DNS setup, and
// comes with a hint.
func (c *checkFlags) options() (opts *provenance.Options, hint string, err error) {
	opts = &provenance.Options{
		MinRSABits:     c.minRSABits,
		NoSHA1:         c.noSHA1,
		TrustedSealers: c.trustSealers,
	}
	var srcs []dkim.KeySource
	c.keyFiles = []report.ManifestKeyFile{}
	for _, path := range c.keys {
		src, sum, err := readKeyFile(path)
		if err != nil {
			hint := "fix the line named above; a key archive is JSON Lines or a BIND zone file (see README.md)"
			switch {
			case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission):
				hint = "check the path; a key archive is JSON Lines or a BIND zone file (see README.md)"
			case errors.Is(err, errNeedsImport):
				hint = "convert it first: leakproof keys import --out keys.jsonl " + path
			}
			return nil, hint, err
		}
		srcs = append(srcs, src)
		c.keyFiles = append(c.keyFiles, report.ManifestKeyFile{Path: path, SHA256: sum})
	}
	if len(srcs) > 0 {
		opts.Keys = dkim.KeySources(srcs...)
	}
	if c.dns || c.dnsServer != "" {
		server := c.dnsServer
		if server == "" {
			server, err = systemResolver(c.resolvConf)
			if err != nil {
				return nil, "name a DNS server with --dns-server ADDR", err
			}
		}
		dopts := &dkim.DNSOptions{}
		if c.record != "" {
			f, err := os.OpenFile(c.record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				return nil, "check that the --record file can be written", fmt.Errorf("--record: %w", err)
			}
			c.recordFile = f
			dopts.Record = f
		}
		c.dnsServerUsed = withPort(server)
		c.dnsSource = dkim.NewDNSSource(c.dnsServerUsed, dopts)
		opts.DNS = c.dnsSource
	}
	return opts, "", nil
}

// close closes the --record file and reports any failure to write it.
func (c *checkFlags) close() error {
	if c.recordFile == nil {
		return nil
	}
	err := c.dnsSource.RecordErr()
	if cerr := c.recordFile.Close(); err == nil {
		err = cerr
	}
	c.recordFile = nil
	if err != nil {
		return fmt.Errorf("--record %s: %w", c.record, err)
	}
	return nil
}

// errNeedsImport: a key file in a format only "keys import" reads.
var errNeedsImport = errors.New("not a key archive")

// readKeyFile opens and reads one key archive, and returns the hex SHA-256
// of the whole file, for the manifest.
func readKeyFile(path string) (dkim.KeySource, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, dkim.MaxKeyFileSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("key file %s: %w", path, err)
	}
	// A public archive's JSON would read as a zone file with no records,
	// and a DNS cache fails on its first line: say what to do instead.
	if k := importKind(data); k == importZK || k == importMailauth {
		return nil, "", fmt.Errorf("key file %s is %s JSON: %w", path, k, errNeedsImport)
	}
	h := sha256.New()
	h.Write(data)
	kf, err := dkim.ReadKeyFile(bytes.NewReader(data), path)
	if err != nil {
		return nil, "", fmt.Errorf("key file %s: %w", path, err)
	}
	// The hash is of the whole file, whatever the reader left unread.
	if _, err := io.Copy(h, f); err != nil {
		return nil, "", fmt.Errorf("key file %s: %w", path, err)
	}
	return kf, hex.EncodeToString(h.Sum(nil)), nil
}

// systemResolver returns the first nameserver of a resolv.conf file at
// path (dkim.NewSystemDNSSource reads /etc/resolv.conf; the tests point
// path elsewhere).
func systemResolver(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("finding the system DNS server: %w", err)
	}
	defer f.Close()
	server, err := dkim.ParseResolvConf(f)
	if err != nil {
		return "", fmt.Errorf("finding the system DNS server: %s: %w", path, err)
	}
	return server, nil
}

// withPort adds DNS's port 53 to a server address that has none.
func withPort(server string) string {
	if _, _, err := net.SplitHostPort(server); err == nil {
		return server
	}
	return net.JoinHostPort(strings.Trim(server, "[]"), "53")
}
