package mailsyntax

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/leakproof/leakproof/internal/uts39"
)

func TestParseFrom(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     string // "" when not ok
		reason   string // a fragment of the reason when not ok
	}{
		{"bare", "alice@example.com", "alice@example.com", ""},
		{"bare upper case", "Alice@Example.COM", "alice@example.com", ""},
		{"angle only", "<alice@example.com>", "alice@example.com", ""},
		{"display name", "Alice Smith <alice@example.com>", "alice@example.com", ""},
		{"quoted display name", `"Smith, Alice" <alice@example.com>`, "alice@example.com", ""},
		{"quoted pair in name", `"Alice \"Al\" Smith" <alice@example.com>`, "alice@example.com", ""},
		{"obsolete dot in name", "John Q. Public <jqp@example.com>", "jqp@example.com", ""},
		{"comment after bare", "alice@example.com (Alice Smith)", "alice@example.com", ""},
		{"nested comment", "alice@example.com (Alice (work) Smith)", "alice@example.com", ""},
		{"spaces inside angle", "Alice < alice@example.com >", "alice@example.com", ""},
		{"folded", "Alice Smith\r\n <alice@example.com>", "alice@example.com", ""},
		{"folded LF", "\"Alice Smith\"\n\t<alice@example.com>", "alice@example.com", ""},
		{"encoded-word name", "=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "j@example.de", ""},
		{"utf-8 name", "Jürgen Müller <j@example.de>", "j@example.de", ""},
		{"latin-1 bytes in name", "J\xfcrgen <j@example.de>", "j@example.de", ""},
		{"utf-8 local part", "<jürgen@example.de>", "jürgen@example.de", ""},
		{"plus and dots", "a.b+tag@mail.example.co.uk", "a.b+tag@mail.example.co.uk", ""},
		{"same address in name", `"alice@example.com" <Alice@example.com>`, "alice@example.com", ""},
		{"quoted dot-atom local part", `"alice"@example.com`, "alice@example.com", ""},
		{"quoted local part with space", `"alice smith"@example.com`, `"alice smith"@example.com`, ""},
		{"quoted local part with quote", `"a\"b"@example.com`, `"a\"b"@example.com`, ""},
		{"xn-- domain", "a@xn--mller-kva.de", "a@xn--mller-kva.de", ""},
		{"hyphen domain", "a@my-bank.com", "a@my-bank.com", ""},

		{"empty", "", "", "empty"},
		{"blank", "  \t ", "", "empty"},
		{"comment only", "(nobody)", "", "empty"},
		{"two mailboxes", "alice@example.com, bob@example.com", "", "more than one mailbox"},
		{"two name-addrs", `Alice <a@example.com>, "Bob" <b@example.com>`, "", "more than one mailbox"},
		{"trailing comma", "alice@example.com,", "", "more than one mailbox"},
		{"leading comma", ", alice@example.com", "", "more than one mailbox"},
		{"group", "Team: alice@example.com;", "", "group syntax"},
		{"empty group", "undisclosed-recipients:;", "", "group syntax"},
		{"route", "<@relay.example.net:alice@example.com>", "", "route syntax"},
		{"route list", "Alice <@a.example,@b.example:alice@example.com>", "", "route syntax"},
		{"address in quoted name", `"ceo@bank.com" <evil@x.com>`, "", "ceo@bank.com"},
		{"address in name words", `"CEO (ceo@bank.com)" <evil@x.com>`, "", "ceo@bank.com"},
		{"address in comment", "evil@x.com (ceo@bank.com)", "", "ceo@bank.com"},
		{"address in encoded name", "=?utf-8?q?ceo=40bank=2Ecom?= <evil@x.com>", "", "ceo@bank.com"},
		{"address split over encoded words", "=?utf-8?q?ceo?= =?utf-8?q?=40bank.com?= <evil@x.com>", "", "ceo@bank.com"},
		{"fullwidth at in name", "\"ceo\uff20bank.com\" <evil@x.com>", "", "bank.com"},
		{"unquoted address as name", "ceo@bank.com <evil@x.com>", "", "before the one in angle brackets"},
		{"unquoted same address as name", "Alice@Example.com <alice@example.com>", "alice@example.com", ""},
		{"unquoted same address then junk", "alice@example.com <alice@example.com> x", "", "before the one in angle brackets"},
		{"unquoted same address with hidden comment", "alice@example.com (ceo@bank.com) <alice@example.com>", "", "ceo@bank.com"},
		{"fullwidth address in name", "\"ｃｅｏ＠ｂａｎｋ．ｃｏｍ\" <evil@x.com>", "", "ceo@bank.com"},
		{"address in unknown charset", "=?iso-2022-jp?q?ceo=40bank.com?= <evil@x.com>", "", "ceo@bank.com"},
		{"address in utf-16", "=?utf-16be?b?AGMAZQBvAEAAYgBhAG4AawAuAGMAbwBt?= <evil@x.com>", "", "ceo@bank.com"},
		{"japanese name in unknown charset", "=?iso-2022-jp?B?GyRCOzNFRBsoQg==?= <taro@example.jp>", "taro@example.jp", ""},
		{"encoded word local part", "=?utf-8?q?ceo=40bank.com?=@x.com", "", "encoded word"},
		{"encoded word local part in angle", "Bank <=?utf-8?b?Y2VvQGJhbmsuY29t?=@x.com>", "", "encoded word"},
		{"no domain", "alice", "", "no address"},
		{"no domain angle", "Alice <alice>", "", "no domain"},
		{"at no domain", "alice@", "", "no domain"},
		{"empty angle", "Alice <>", "", "no address"},
		{"address literal", "alice@[192.0.2.1]", "", "address literal"},
		{"ip domain", "alice@192.0.2.1", "", "not a valid domain"},
		{"single label domain", "root@localhost", "", "fully qualified"},
		{"trailing dot domain", "alice@example.com.", "", "ends with a dot"},
		{"double dot domain", "alice@example..com", "", "empty part"},
		{"double dot local", "a..b@example.com", "", "empty part"},
		{"leading dot local", ".a@example.com", "", "not a valid address"},
		{"underscore domain", "a@ex_ample.com", "", "not a valid domain"},
		{"hyphen label edge", "a@-example.com", "", "not a valid domain"},
		{"obsolete local part", `"a".b@example.com`, "", "obsolete"},
		{"cfws inside local part", "a . b@example.com", "", "obsolete"},
		{"at in quoted local", `"ceo@bank.com"@x.com`, "", "@ inside"},
		{"unclosed angle", "Alice <alice@example.com", "", "closing"},
		{"unclosed quote", `"Alice <alice@example.com>`, "", "unclosed quoted"},
		{"unclosed comment", "alice@example.com (Alice", "", "comment"},
		{"comment after at", "alice@(bank.example)example.com", "", "next to its @"},
		{"comment before at", "<alice(x)@example.com>", "", "next to its @"},
		{"space around at", "alice @ example.com", "", "next to its @"},
		{"text after", "Alice <alice@example.com> trailing", "", "unexpected text"},
		{"two angle addrs", "<a@example.com> <b@example.com>", "", "before the one in angle brackets"},
		{"junk after", "a@example.com junk", "", "unexpected text"},
		{"internationalized domain, as A-labels", "a@Müller.de", "a@xn--mller-kva.de", ""},
		{"full-width domain", "a@ｅｘａｍｐｌｅ.com", "", "not a valid internationalized domain name"},
		{"Kelvin sign for k", "a@example\u212A.com", "", "not a valid internationalized domain name"},
		{"dotted capital I", "a@\u0130nfo.example", "", "not a valid internationalized domain name"},
		{"control char in quoted local", "\"a\x01b\"@example.com", "", "control"},
		{"invalid utf-8 local", "a\xff@example.com", "", "UTF-8"},
		{"too long", "a@example.com (" + strings.Repeat("x", maxFromLen) + ")", "", "too long"},
		{"deep comment", "a@example.com " + strings.Repeat("(", 40) + strings.Repeat(")", 40), "", "comment"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, ok, reason := ParseFrom(tt.in)
			if tt.want != "" {
				assert.True(t, ok, "ParseFrom(%q) ok; reason %q", tt.in, reason)
				assert.Equal(t, tt.want, addr, "ParseFrom(%q) address", tt.in)
				assert.Empty(t, reason, "ParseFrom(%q) reason when ok", tt.in)
				return
			}
			assert.False(t, ok, "ParseFrom(%q) must not be ok; got address %q", tt.in, addr)
			assert.Empty(t, addr, "ParseFrom(%q) address when not ok", tt.in)
			assert.Contains(t, reason, tt.reason, "ParseFrom(%q) reason", tt.in)
		})
	}
}

func TestDomain(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
		ok             bool
	}{
		{"name-addr", "Alice <Alice@Mail.Example.COM>", "mail.example.com", true},
		{"bare", "bob@example.org", "example.org", true},
		{"two mailboxes", "a@example.com, b@example.org", "", false},
		{"quoted local", `"a b"@example.net`, "example.net", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, ok, _ := ParseFrom(tt.in)
			assert.Equal(t, tt.ok, ok, "ParseFrom(%q) ok", tt.in)
			assert.Equal(t, tt.want, Domain(addr), "Domain of ParseFrom(%q)", tt.in)
		})
	}
	assert.Equal(t, "", Domain("nodomain"), `Domain("nodomain")`)
	assert.Equal(t, "x.com", Domain(`"a@b"@x.com`), "Domain takes the last @")
}

// requireNoOtherAddressShown fails when an accepted From shows a reader,
// in its display name or a comment, an addr-spec other than addr: each
// form a client shows (shownForms) is normalised with the whole-string
// UTS #39 skeleton, not the rune-by-rune folding ParseFrom uses.
func requireNoOtherAddressShown(t *testing.T, in, addr string) {
	p := &fromParser{s: in}
	_, r := p.mailbox()
	require.Empty(t, r, "ParseFrom(%q) accepted but re-parsing refuses", in)
	// A match whose local part was only quote marks ("\"@x.com" folds
	// to "''@x.com") shows just "@" and a domain: it must be the
	// address's own domain.
	want := map[string]bool{}
	for _, d := range []string{Domain(addr), unicodeDomain(Domain(addr))} {
		want[wholeSkeleton(addr[:strings.LastIndexByte(addr, '@')+1]+d)] = true
		want[wholeSkeleton("@"+d)] = true
	}
	for _, text := range p.shown {
		for _, form := range readerForms(text) {
			form = strings.Map(func(r rune) rune {
				if uts39.IsDefaultIgnorable(r) || isNarrowSpace(r) {
					return -1
				}
				return r
			}, form)
			sk := wholeSkeleton(foldLookalikes(norm.NFKC.String(form)))
			for _, m := range shownAddrRe.FindAllString(sk, -1) {
				m = strings.Trim(strings.TrimLeft(m, "'`"), ".")
				if m != "" && !want[m] {
					require.Failf(t, "hidden address accepted", "ParseFrom(%q) = %q, but the display form %+q shows %q", in, addr, form, m)
				}
			}
		}
	}
}

// wholeSkeleton is the case-insensitive skeleton of s as a whole.
func wholeSkeleton(s string) string {
	return strings.ToLower(uts39.Skeleton(strings.ToLower(s)))
}

// FuzzParseFrom checks ParseFrom's invariants: an accepted value yields a
// lower-case, valid UTF-8 address without control characters, with exactly
// one @ outside quotes and a valid, fully qualified ASCII domain that
// Domain returns; the address re-parses to itself, alone, inside angle
// brackets and after a display name; a refusal always has a reason, one
// line of valid UTF-8 and bounded length, and no address. An accepted
// value never shows another address in its display name or a comment,
// after the normalisation a reader's client applies.
func FuzzParseFrom(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", "Alice <alice@example.com>", `"ceo@bank.com" <evil@x.com>`,
		"a@b.com, c@d.com", "Team: a@b.com;", "<@r.example:a@b.com>", `"a\"b"@example.com`,
		"=?utf-8?q?x?= <a@b.com>", "a@b.com (c (d) e)", "John Q. Public <jqp@example.com>",
		"=?utf-8?q?ceo=40bank.com?=@x.com", "<jürgen@example.de>", "a@[1.2.3.4]",
		"\"ceo\u200b@bank\ufe52example\" <a@b.com>", "\"\u202emoc.knab@oec\u202c\" <a@b.com>",
		"=?utf-7?Q?ceo+AEA-bank.com?= <a@b.com>", "\"Zoë 👩\u200d💻 محمد\" <a@b.com>",
		"0@0.A(\"@0.A)", "a@b.com (\"@bank.com)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		addr, ok, reason := ParseFrom(in)
		if !ok {
			require.NotEmpty(t, reason, "ParseFrom(%q) refused without a reason", in)
			require.Empty(t, addr, "ParseFrom(%q) refused but gave an address", in)
			require.True(t, utf8.ValidString(reason), "ParseFrom(%q) reason %q is valid UTF-8", in, reason)
			require.NotContains(t, reason, "\n", "ParseFrom(%q) reason is one line", in)
			require.NotContains(t, reason, "\r", "ParseFrom(%q) reason is one line", in)
			require.Less(t, len(reason), 1024, "ParseFrom(%q) reason stays a clause", in)
			return
		}
		require.Empty(t, reason, "ParseFrom(%q) accepted with a reason", in)
		requireNoOtherAddressShown(t, in, addr)
		require.True(t, utf8.ValidString(addr), "ParseFrom(%q) = %q: valid UTF-8", in, addr)
		require.Equal(t, strings.ToLower(addr), addr, "ParseFrom(%q) = %q: lower-case", in, addr)
		require.False(t, strings.ContainsFunc(addr, unicode.IsControl), "ParseFrom(%q) = %q: no control characters", in, addr)
		local, domain, found := strings.Cut(addr, "@")
		if strings.HasPrefix(local, `"`) {
			end := strings.LastIndex(addr, `"@`)
			require.Positive(t, end, "ParseFrom(%q) = %q: quoted local part not closed", in, addr)
			local, domain = addr[:end+1], addr[end+2:]
			found = true
		}
		require.True(t, found, "ParseFrom(%q) = %q: no @", in, addr)
		require.NotContains(t, domain, "@", "ParseFrom(%q) = %q: more than one @", in, addr)
		require.NotEmpty(t, local, "ParseFrom(%q) = %q: empty local part", in, addr)
		require.True(t, IsHostName(domain) && strings.Contains(domain, "."),
			"ParseFrom(%q) = %q: domain %q not a fully qualified host name", in, addr, domain)
		require.Equal(t, strings.ToLower(domain), domain, "ParseFrom(%q) domain not lower-case", in)
		for i := 0; i < len(domain); i++ {
			require.Less(t, domain[i], byte(0x80), "ParseFrom(%q) = %q: domain not ASCII (A-labels)", in, addr)
		}
		require.Equal(t, domain, Domain(addr), "Domain(%q)", addr)

		again, ok2, reason2 := ParseFrom(addr)
		require.True(t, ok2, "ParseFrom(%q) accepted %q, which does not re-parse: %s", in, addr, reason2)
		require.Equal(t, addr, again, "ParseFrom round trip of %q", addr)
		again, ok2, reason2 = ParseFrom("<" + addr + ">")
		require.True(t, ok2, "ParseFrom(<%s>) does not parse: %s", addr, reason2)
		require.Equal(t, addr, again, "ParseFrom(<%s>) round trip", addr)
		again, ok2, reason2 = ParseFrom("Name <" + addr + ">")
		require.True(t, ok2, "ParseFrom(Name <%s>) does not parse: %s", addr, reason2)
		require.Equal(t, addr, again, "ParseFrom(Name <%s>) round trip", addr)
	})
}

func TestParseFromReasonIsShort(t *testing.T) {
	in := `"` + strings.Repeat("a", 5000) + `@bank.example" <evil@x.example>`
	_, ok, reason := ParseFrom(in)
	assert.False(t, ok, "ParseFrom with a long hidden address is refused")
	assert.Less(t, len(reason), 400, "the reason stays a sentence, whatever the input length: %q", reason)
	assert.Contains(t, reason, "...", "a long address is clipped in the reason")
}
