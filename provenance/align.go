package provenance

// Alignment of a signing domain (d=) with the From domain.
//
// A signature is aligned with From when its d= is, in this order:
//
//  1. the same domain ("same domain"): compared case-insensitively, one
//     trailing dot ignored;
//  2. in the same organization ("same organization"): both have the same
//     registrable domain (eTLD+1) by the Public Suffix List as compiled
//     into golang.org/x/net/publicsuffix, private section included, so
//     a.github.io and b.github.io are different organizations;
//  3. a known provider proxy of the From domain ("Google Workspace proxy"):
//     see proxyOf.
//
// Both names must be host names (letters, digits, hyphens; see isHostName).
// A bare public suffix (com, co.uk, github.io) never aligns, not even with
// itself: nobody's mail system speaks for everyone under a suffix.

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// Reasons alignReason gives.
const (
	alignSameDomain  = "same domain"
	alignSameOrg     = "same organization"
	alignGoogleProxy = "Google Workspace proxy"
)

// aligned reports whether a signature with d=sigDomain speaks for mail from
// fromDomain (see the rules above).
func aligned(sigDomain, fromDomain string) bool {
	return alignReason(sigDomain, fromDomain) != ""
}

// alignReason names why sigDomain aligns with fromDomain ("same domain",
// "same organization", "Google Workspace proxy"), or returns "" when it
// does not.
func alignReason(sigDomain, fromDomain string) string {
	sig, from := normDomain(sigDomain), normDomain(fromDomain)
	if sig == "" || from == "" || isPublicSuffix(sig) || isPublicSuffix(from) {
		return ""
	}
	if sig == from {
		return alignSameDomain
	}
	so, err1 := publicsuffix.EffectiveTLDPlusOne(sig)
	fo, err2 := publicsuffix.EffectiveTLDPlusOne(from)
	if err1 == nil && err2 == nil && so == fo {
		return alignSameOrg
	}
	if proxyOf(sig, from) {
		return alignGoogleProxy
	}
	return ""
}

// normDomain lower-cases d and drops one trailing dot; it returns "" when
// the rest is not a host name.
func normDomain(d string) string {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if !mailsyntax.IsHostName(d) {
		return ""
	}
	return d
}

// isPublicSuffix reports whether d (normalized) is itself a public suffix,
// including a single unlisted label (the list's default rule "*").
func isPublicSuffix(d string) bool {
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}

// googleProxySuffix is the parent of Google Workspace's per-customer signing
// domains.
const googleProxySuffix = ".gappssmtp.com"

// maxProxyHyphens bounds the alternative readings proxyOf tries (2^n).
const maxProxyHyphens = 10

// proxyOf reports whether sig is a known provider proxy signing domain of
// from. The list has one entry:
//
//   - Google Workspace signs, for customers that have not set up their own
//     DKIM key, with d=<label>.<YYYYMMDD>.gappssmtp.com, where <label> is the
//     customer's domain with its dots turned into hyphens
//     (example-com.20150623.gappssmtp.com for example.com). sig matches when
//     it has exactly that shape (the middle label eight digits) and <label>
//     is from's, or from's organizational domain's, label.
//
// The label is ambiguous: "mail-bank.com" and "mail.bank.com" both become
// "mail-bank-com". So the proxy aligns only when no other reading of the
// label (turning any subset of its hyphens back into dots) is a registrable
// domain of a different organization; in practice, a two-label From domain
// without hyphens (example.com) aligns and bank.co.uk or my-bank.com do not.
//
// Microsoft 365's <tenant>.onmicrosoft.com signing domains are not on the
// list: the tenant name is chosen freely and says nothing about From.
func proxyOf(sig, from string) bool {
	rest, ok := strings.CutSuffix(sig, googleProxySuffix)
	if !ok {
		return false
	}
	label, date, ok := strings.Cut(rest, ".")
	if !ok || len(date) != 8 || strings.Trim(date, "0123456789") != "" || label == "" {
		return false
	}
	candidates := []string{from}
	if org, err := publicsuffix.EffectiveTLDPlusOne(from); err == nil && org != from {
		candidates = append(candidates, org)
	}
	for _, c := range candidates {
		if strings.ReplaceAll(c, ".", "-") == label && proxyLabelUnambiguous(label, c) {
			return true
		}
	}
	return false
}

// proxyLabelUnambiguous reports whether every reading of label as a domain
// (hyphens turned into dots, in any subset) other than domain itself is
// either not a host name, a bare public suffix, or in domain's organization.
func proxyLabelUnambiguous(label, domain string) bool {
	var hyphens []int
	for i := 0; i < len(label); i++ {
		if label[i] == '-' {
			hyphens = append(hyphens, i)
		}
	}
	if len(hyphens) > maxProxyHyphens {
		return false
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return false
	}
	b := []byte(label)
	for mask := 0; mask < 1<<len(hyphens); mask++ {
		for j, h := range hyphens {
			if mask&(1<<j) != 0 {
				b[h] = '.'
			} else {
				b[h] = '-'
			}
		}
		alt := string(b)
		if alt == domain || !mailsyntax.IsHostName(alt) || isPublicSuffix(alt) {
			continue
		}
		if o, err := publicsuffix.EffectiveTLDPlusOne(alt); err == nil && o != org {
			return false
		}
	}
	return true
}
