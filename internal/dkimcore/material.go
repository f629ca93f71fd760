package dkimcore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"regexp"
	"slices"
	"strings"
)

// This file holds key material: what identifies a public key whatever
// record or name it is published under, and the lenient reading of
// records marked published (RecordMaterials).

// sameMaterial reports whether k and o hold the same public key (type,
// modulus and exponent, or Ed25519 bytes), whatever their records' flags.
func (k *Key) sameMaterial(o *Key) bool {
	if k == o {
		return true
	}
	if k == nil || o == nil || k.typ != o.typ || k.revoked || o.revoked {
		return false
	}
	if k.typ == "ed25519" {
		return bytes.Equal(k.ed, o.ed)
	}
	return k.rsaN != nil && o.rsaN != nil && k.rsaN.Cmp(o.rsaN) == 0 && k.rsaE.Cmp(o.rsaE) == 0
}

// material identifies the key itself, whatever record or name it is
// published under: the type and the public key (for RSA the modulus
// alone: whoever holds the private half of a modulus can sign for any
// exponent). "" for a revoked key.
func (k *Key) material() string {
	switch {
	case k == nil || k.revoked:
		return ""
	case k.typ == "ed25519":
		return edMaterial(k.ed)
	case k.rsaN != nil:
		return rsaMaterial(k.rsaN)
	}
	return ""
}

func edMaterial(pub []byte) string  { return "ed25519:" + hex.EncodeToString(pub) }
func rsaMaterial(n *big.Int) string { return "rsa:" + n.Text(16) }

// RecordMaterials reads the keys out of a record marked published as
// leniently as it can, because the mark must not be lost to a record that
// strict parsing refuses (key archives hold hand-pasted records): an Ed25519 key in
// SubjectPublicKeyInfo form, an unknown v=, a duplicate or empty p=, junk
// after the key, a bare base64 key without p=, dig's or a zone file's
// quoted strings pasted as they are, PEM armour. It returns every key it
// finds, none when there is none.
func RecordMaterials(txt string) []string {
	if k, err := ParseKey(txt); err == nil {
		if m := k.material(); m != "" {
			return []string{m}
		}
		return nil
	}
	// dig and zone files: the record is the quoted strings, joined; a
	// zone line's parentheses and PEM armour go too.
	txt = quoteJoins.ReplaceAllString(txt, "")
	txt = strings.NewReplacer(`"`, "", "(", "", ")", "").Replace(txt)
	txt = pemArmour.ReplaceAllString(txt, "")
	candidates := []string{txt} // a bare base64 key, perhaps
	for part := range strings.SplitSeq(txt, ";") {
		if name, value, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(name), "p") {
			candidates = append(candidates, value)
		}
	}
	var out []string
	for _, c := range candidates {
		if m := derMaterial(RemoveFWS(c)); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

var (
	pemArmour  = regexp.MustCompile(`-----[A-Z0-9 ]+-----`)
	quoteJoins = regexp.MustCompile(`"\s*"`)
)

// derMaterial decodes a base64 public key of any form this package reads:
// a raw Ed25519 key, an Ed25519 or RSA SubjectPublicKeyInfo, a PKCS #1 RSA
// key. It returns "" when p is none of them.
func derMaterial(p string) string {
	// The URL-safe alphabet too: a key copied out of a web tool; and hex.
	der, err := DecodeBase64(strings.NewReplacer("-", "+", "_", "/").Replace(p))
	if h, herr := hex.DecodeString(p); herr == nil && len(h) > 0 {
		der, err = h, nil
	}
	if err != nil || len(der) == 0 {
		return ""
	}
	if len(der) == ed25519.PublicKeySize {
		return edMaterial(der)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err == nil && spki.Algorithm.Algorithm.Equal(keyOIDEd25519) {
		if pub := spki.PublicKey.RightAlign(); len(pub) == ed25519.PublicKeySize {
			return edMaterial(pub)
		}
	}
	if n, _, err := parseRSAPublicKey(der); err == nil {
		return rsaMaterial(n)
	}
	// The leaked private key itself, recorded as the evidence of the leak:
	// its modulus is the public key.
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return rsaMaterial(k.N)
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return rsaMaterial(k.N)
		case ed25519.PrivateKey:
			return edMaterial(k.Public().(ed25519.PublicKey))
		}
	}
	return ""
}
