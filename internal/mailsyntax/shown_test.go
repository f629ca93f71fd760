package mailsyntax

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/leakproof/leakproof/internal/uts39"
)

// realFrom is the address every hidden-address case is sent from.
const realFrom = "press@campaign.example"

func utf7B(s string) string {
	var buf []byte
	for _, r := range s {
		buf = append(buf, byte(r>>8), byte(r))
	}
	return "+" + base64.RawStdEncoding.EncodeToString(buf) + "-"
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// TestParseFromHiddenAddress holds the rule that a display name (or a
// comment) showing a reader another address is refused whatever hides the
// address from a byte comparison: invisible code points, look-alike
// letters and dots, bidirectional overrides, encoded words in any charset.
func TestParseFromHiddenAddress(t *testing.T) {
	cp1251, err := charmap.Windows1251.NewEncoder().String("сео@bank.example")
	require.NoError(t, err, "encode windows-1251")
	for _, tt := range []struct{ name, display string }{
		{"zero-width space", "ceo\u200b@bank.example"},
		{"zero-width non-joiner", "ceo@\u200cbank.example"},
		{"zero-width joiner", "c\u200de\u200do@bank\u200d.example"},
		{"word joiner", "ceo\u2060@bank.example"},
		{"soft hyphen", "ceo@ba\u00adnk.ex\u00adample"},
		{"byte-order mark", "\ufeffceo@\ufeffbank.example"},
		{"variation selector", "ceo\ufe0f@bank\ufe00.example"},
		{"supplementary variation selector", "ceo@bank\U000E0100.example"},
		{"tag characters", "ceo@bank.example\U000E0041\U000E0042"},
		{"tag characters inside", "ceo\U000E0020@bank.example"},
		{"combining grapheme joiner", "ceo\u034f@bank.example"},
		{"hangul filler", "ceo@\u3164bank.example"},
		{"left-to-right mark", "ceo\u200e@bank.example"},
		{"small full stop", "ceo@bank\ufe52example"},
		{"Lisu tone mark dot", "ceo@bank\ua4f8example"},
		{"Arabic-Indic zero dot", "ceo@bank\u0660example"},
		{"extended Arabic-Indic zero dot", "ceo@bank\u06f0example"},
		{"one dot leader", "ceo@bank\u2024example"},
		{"ideographic full stop", "ceo@bank\u3002example"},
		{"small commercial at", "ceo\ufe6bbank.example"},
		{"full-width at", "ceo\uff20bank.example"},
		{"Cyrillic look-alike letters", "сео@bаnk.example"},
		{"mathematical bold letters", "𝐜𝐞𝐨@𝐛𝐚𝐧𝐤.example"},
		{"hair space before the at", "ceo\u200a@bank.example"},
		{"right-to-left override, written backwards", "\u202e" + reverse("ceo@bank.example") + "\u202c"},
		{"override inside a name", "CEO \u202e" + reverse("ceo@bank.example") + "\u202c Office"},
		{"right-to-left isolate, written backwards, with overrides", "\u2067\u202e" + reverse("ceo@bank.example") + "\u202c\u2069"},
		{"UTF-7 encoded word, Q", "=?utf-7?Q?ceo+AEA-bank.example?="},
		{"UTF-7 encoded word, B", "=?UTF-7?B?" + base64.StdEncoding.EncodeToString([]byte(utf7B("ceo@bank.example"))) + "?="},
		{"UTF-7 with zero-width space", "=?utf-7?Q?ceo" + utf7B("\u200b@") + "bank.example?="},
		{"windows-1251 encoded word", "=?windows-1251?B?" + base64.StdEncoding.EncodeToString([]byte(cp1251)) + "?="},
		{"override in an encoded word", "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("\u202e"+reverse("ceo@bank.example"))) + "?="},
		{"malformed word does not stop decoding", "=?utf-8?B?!!!?= =?utf-8?Q?ceo=40bank.example?="},
		{"language suffix on the charset", "=?utf-8*en?Q?ceo=40bank.example?="},
		{"domain only", "Press Office @bank.example"},
		{"domain only, hidden", "Press Office @bank\u200b\ufe52example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, in := range []string{
				`"` + tt.display + `" <` + realFrom + `>`,
				realFrom + " (" + tt.display + ")",
			} {
				addr, ok, reason := ParseFrom(in)
				assert.False(t, ok, "ParseFrom(%q) must be refused; got %q", in, addr)
				assert.Contains(t, reason, "shows the", "ParseFrom(%q) reason says the name shows another address", in)
				assert.Contains(t, reason, "but the message is from "+realFrom, "ParseFrom(%q) reason names the real address", in)
			}
		})
	}
}

// TestParseFromHiddenAddressReason holds that the reason shows the
// address as a reader sees it: without the invisible characters, in
// display order.
func TestParseFromHiddenAddressReason(t *testing.T) {
	for _, tt := range []struct{ in, shown string }{
		{"\"ceo\u200b@bank.example\" <" + realFrom + ">", "the address ceo@bank.example,"},
		{"\"\u202e" + reverse("ceo@bank.example") + "\u202c\" <" + realFrom + ">", "the address ceo@bank.example,"},
		{"\"Press @bank.example\" <" + realFrom + ">", "the domain @bank.example,"},
	} {
		_, _, reason := ParseFrom(tt.in)
		assert.Contains(t, reason, tt.shown, "ParseFrom(%q) reason", tt.in)
	}
}

// TestParseFromInternationalNames holds that names in any script, with
// accents, emoji (joiner sequences included) and right-to-left text, and
// the sender's own address however written, are accepted.
func TestParseFromInternationalNames(t *testing.T) {
	for _, display := range []string{
		"José Müller-Lüdenscheidt", "Ünsal Öztürk", "Zoë Ørsted", "Łukasz Żółć", "Nguyễn Văn Anh",
		"山田太郎", "김민준", "Ωμέγα Παπαδόπουλος", "Сергей Иванов", "محمد علي", "דוד לוי", "नरेंद्र",
		"Alice 🚀", "Zoë 👩\u200d💻", "🇩🇪 Team", "Dev ❤\ufe0f", "1\ufe0f\u20e3 Support",
		"Press Office (@campaign)", "Ali \u200fعلي\u200f", "CEO's office. Bank, Inc.",
		"press@campaign.example", "press\u200b@campaign.example", "PRESS@Campaign.Example",
		"=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("محمد علي")) + "?=",
		"=?iso-2022-jp?B?GyRCOzNFRBsoQg==?=", "=?koi8-r?B?8MXU0s/XyQ==?=", "=?utf-7?Q?J+APw-rgen?=",
		"Campaign @campaign.example",
	} {
		in := `"` + display + `" <` + realFrom + `>`
		addr, ok, reason := ParseFrom(in)
		assert.True(t, ok, "ParseFrom(%q) accepted; reason %q", in, reason)
		assert.Equal(t, realFrom, addr, "ParseFrom(%q) address", in)
	}
	addr, ok, reason := ParseFrom("\"jürgen@müller.example\" <Jürgen@xn--mller-kva.example>")
	assert.True(t, ok, "the Unicode form of the sender's own domain is the same address; reason %q", reason)
	assert.Equal(t, "jürgen@xn--mller-kva.example", addr, "address of an IDN sender")
}

// hiders are what a forger inserts into an address to hide it from a
// byte comparison while a reader still sees it.
var hiders = []string{
	"\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\ufe0f", "\ufe0e", "\U000E0100", "\U000E0061",
	"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c",
	"\u034f", "\u180e", "\u2061", "\u200a",
}

// lookalikes replace an ASCII character of the address with one a reader
// takes for it.
var lookalikes = map[rune][]string{
	'.': {"\ufe52", "\ua4f8", "\u0660", "\u06f0", "\u2024", "\uff0e", "\u3002"},
	'@': {"\uff20", "\ufe6b"},
	'a': {"а", "ɑ", "ａ", "𝐚"}, 'c': {"с", "ϲ", "ｃ"}, 'e': {"е", "ｅ", "𝐞"}, 'o': {"о", "ο", "օ", "0"},
	'p': {"р", "ρ"}, 'x': {"х", "ⅹ"}, 'k': {"κ", "ｋ"}, 'l': {"1", "I", "ӏ", "ⅼ"}, 'm': {"rn", "ｍ"},
	'b': {"Ь", "ｂ"}, 'n': {"ո", "ｎ"},
}

// hide returns addr with random hiders, look-alikes, a backwards override
// and an encoded word applied.
func hide(rng *rand.Rand, addr string) string {
	// Under an override the address must read forwards; a bidirectional
	// control inside it would break the run and show a reader garble, so
	// only invisible code points without bidi effect are inserted then.
	backwards := rng.IntN(4) == 0
	hs := hiders
	if backwards {
		hs = slices.DeleteFunc(slices.Clone(hiders), func(h string) bool { return needsBidi(h) })
	}
	var b strings.Builder
	for _, r := range addr {
		if alts := lookalikes[r]; len(alts) > 0 && rng.IntN(3) == 0 {
			b.WriteString(alts[rng.IntN(len(alts))])
		} else {
			b.WriteRune(r)
		}
		for rng.IntN(3) == 0 {
			b.WriteString(hs[rng.IntN(len(hs))])
		}
	}
	s := b.String()
	if backwards {
		s = "\u202e" + reverse(s) + "\u202c"
	}
	prefix := []string{"", "CEO ", "Re: ", "From ", "محمد "}[rng.IntN(5)]
	s = prefix + s
	switch rng.IntN(4) {
	case 0:
		return "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	case 1:
		var u strings.Builder
		for _, r := range s {
			if r < 0x80 && !strings.ContainsRune("+?=_ @:", r) {
				u.WriteRune(r)
			} else {
				u.WriteString(utf7B(string(r)))
			}
		}
		return "=?utf-7?Q?" + u.String() + "?="
	}
	return `"` + strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(s) + `"`
}

// TestParseFromRefusesHiddenAddresses is the property: an address hidden
// in a display name by any mix of invisible code points, bidirectional
// controls, look-alikes and encoded words is refused.
func TestParseFromRefusesHiddenAddresses(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 2))
	targets := []string{"ceo@bank.example", "alice@example.com", "security@paypal.example", "m.lopez@mail.example.org"}
	for i := range 3000 {
		display := hide(rng, targets[i%len(targets)])
		in := display + " <" + realFrom + ">"
		addr, ok, reason := ParseFrom(in)
		require.False(t, ok, "case %d: ParseFrom(%q) must be refused; got %q", i, in, addr)
		require.Contains(t, reason, "shows the", "case %d: ParseFrom(%q) reason", i, in)
	}
}

// TestParseFromAcceptsOrdinaryNames is the converse property: display
// names built from ordinary words of many scripts, emoji and the same
// invisible characters, with no "@", are accepted.
func TestParseFromAcceptsOrdinaryNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 3))
	words := []string{"José", "Müller", "山田", "太郎", "김민준", "Ωμέγα", "Сергей", "محمد", "علي", "דוד", "नरेंद्र",
		"Zoë", "👩\u200d💻", "🚀", "🇩🇪", "❤\ufe0f", "Inc.", "Bank", "ceo", "example.com", "(work)", "Dr.", "O'Neil", "co-op", "١٢٣"}
	for i := range 3000 {
		var parts []string
		for range 1 + rng.IntN(4) {
			w := words[rng.IntN(len(words))]
			if rng.IntN(4) == 0 {
				w += hiders[rng.IntN(len(hiders))]
			}
			parts = append(parts, w)
		}
		display := strings.Join(parts, " ")
		if rng.IntN(3) == 0 {
			display = "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte(display)) + "?="
		} else {
			display = `"` + display + `"`
		}
		in := fmt.Sprintf("%s <%s>", display, realFrom)
		addr, ok, reason := ParseFrom(in)
		require.True(t, ok, "case %d: ParseFrom(%q) accepted; reason %q", i, in, reason)
		require.Equal(t, realFrom, addr, "case %d: ParseFrom(%q) address", i, in)
	}
}

// TestFoldRuneASCII checks foldRune's table of ASCII runes against the
// fold it stands for.
func TestFoldRuneASCII(t *testing.T) {
	for r := range rune(0x80) {
		assert.Equal(t, strings.ToLower(uts39.SkeletonRune(unicode.ToLower(r))), foldRune(r), "fold of %q", r)
	}
}
