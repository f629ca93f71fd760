package testmail

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file is a minimal DKIM verifier for this package's tests. It uses
// the package's canonicalization, which the conformance test checks against
// signatures made by other implementations (conformance_test.go).

// parseTestTags parses a tag list, stripping all whitespace from values.
func parseTestTags(value string) map[string]string {
	tags := make(map[string]string)
	for part := range strings.SplitSeq(value, ";") {
		name, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		v = strings.Join(strings.Fields(v), "")
		tags[strings.TrimSpace(name)] = v
	}
	return tags
}

// errKeyType is returned by verifyTest when a= names another key type than
// the key's.
var errKeyType = errors.New("a= does not match the key type")

var bValue = regexp.MustCompile(`(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*`)

// parsePublicKey reads the p= of a key record.
func parsePublicKey(record string) (crypto.PublicKey, error) {
	tags := parseTestTags(record)
	der, err := base64.StdEncoding.DecodeString(tags["p"])
	if err != nil {
		return nil, err
	}
	if tags["k"] == "ed25519" {
		if len(der) != ed25519.PublicKeySize {
			return nil, errors.New("bad ed25519 key size")
		}
		return ed25519.PublicKey(der), nil
	}
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		return pub, nil
	}
	return x509.ParsePKCS1PublicKey(der)
}

// verifyTest checks the index-th (0-based, top down) DKIM-Signature of a CRLF
// message with pub. It returns nil when the body hash and the header
// signature both verify.
func verifyTest(msg []byte, index int, pub crypto.PublicKey) error {
	header, body := splitMessage(msg)
	fields := headerFields(header)
	var sigField string
	for _, f := range fields {
		if strings.EqualFold(fieldName(f), "DKIM-Signature") {
			if index == 0 {
				sigField = f
				break
			}
			index--
		}
	}
	if sigField == "" {
		return errors.New("no such DKIM-Signature")
	}
	_, value, _ := strings.Cut(sigField, ":")
	tags := parseTestTags(value)
	hc, bc, ok := strings.Cut(tags["c"], "/")
	if !ok {
		bc = "simple"
	}
	if tags["c"] == "" {
		hc = "simple"
	}
	h := crypto.SHA256
	if strings.HasSuffix(tags["a"], "sha1") {
		h = crypto.SHA1
	}
	newHash := func() interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	} {
		if h == crypto.SHA1 {
			return sha1.New()
		}
		return sha256.New()
	}
	cb := canonBody(body, bc == "relaxed")
	if l, ok := tags["l"]; ok {
		n, err := strconv.Atoi(l)
		if err != nil || n > len(cb) {
			return fmt.Errorf("bad l=%q", l)
		}
		cb = cb[:n]
	}
	bh := newHash()
	bh.Write(cb)
	if got := base64.StdEncoding.EncodeToString(bh.Sum(nil)); got != tags["bh"] {
		return fmt.Errorf("body hash mismatch: computed %s, bh=%s", got, tags["bh"])
	}
	hh := newHash()
	for _, f := range pickFields(fields, strings.Split(tags["h"], ":")) {
		hh.Write([]byte(canonHeader(f, hc == "relaxed")))
	}
	name, value, _ := strings.Cut(sigField, ":")
	stripped := name + ":" + bValue.ReplaceAllString(value, "$1$2")
	if !strings.HasSuffix(stripped, "\r\n") {
		stripped += "\r\n"
	}
	hh.Write([]byte(strings.TrimSuffix(canonHeader(stripped, hc == "relaxed"), "\r\n")))
	digest := hh.Sum(nil)
	sig, err := base64.StdEncoding.DecodeString(tags["b"])
	if err != nil {
		return fmt.Errorf("b=: %w", err)
	}
	_, isEd := pub.(ed25519.PublicKey)
	if isEd != strings.HasPrefix(tags["a"], "ed25519-") {
		return errKeyType
	}
	switch pub := pub.(type) {
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, digest, sig) {
			return errors.New("ed25519 signature does not verify")
		}
		return nil
	case *rsa.PublicKey:
		if pub.N.BitLen() >= 1024 {
			return rsa.VerifyPKCS1v15(pub, h, digest, sig)
		}
		return VerifyPKCS1v15(pub, h, digest, sig)
	}
	return fmt.Errorf("unsupported key %T", pub)
}
