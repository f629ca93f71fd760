package provenance

import (
	"strings"
	"testing"

	"github.com/leakproof/leakproof/dkim"
	"github.com/stretchr/testify/assert"
)

// unfoldReference is unfold as it was before it read the value's bytes:
// the value copied to a string, then each replacement copying again.
func unfoldReference(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "")
	v = strings.ReplaceAll(v, "\n", "")
	return strings.TrimSpace(v)
}

// sameFields checks, for every field of msg's header, lowerName against
// strings.ToLower of the lenient name and unfold against the reference.
func sameFields(t testing.TB, msg []byte) {
	ph := dkim.ParseHeader(msg)
	for i := range ph.Len() {
		f := ph.Field(i)
		if got, want := lowerName(&f), strings.ToLower(f.Name()); got != want {
			t.Fatalf("lowerName(%q) = %q, want %q", f.NameRaw, got, want)
		}
		if got, want := unfold(f.Value()), unfoldReference(string(f.Value())); got != want {
			t.Fatalf("unfold(%q) = %q, reference %q", f.Value(), got, want)
		}
	}
}

var fieldsCases = []string{
	"From: Ann <ann@example.com>\r\nTo: bob@example.net\r\nSubject: figures\r\n\r\nbody\r\n",
	"FROM : Ann\nsubject:  a\n  folded\n\tvalue  \nX-Custom-Header-With-A-Long-Name-Over-32: v\n\nbody",
	"Subject: a\r\r\n b\r\nMessage-ID: <1@x>\r\n\r\n",
	"Subjéct: accented name\r\nTÖ: x\r\nDate:\r\n \r\n\r\n",
	"Subject: \xc2\r\n \xa0x\xc2\n\xa0\r\n\r\n",
	" From: leading space\r\n\tTo: tab\r\nFrom\t: tab before colon\r\n\r\n",
}

func TestHeaderFields(t *testing.T) {
	for _, msg := range fieldsCases {
		sameFields(t, []byte(msg))
	}
	h := headerOf(dkim.ParseHeader([]byte(fieldsCases[1])))
	assert.Equal(t, []string{"from", "subject", "x-custom-header-with-a-long-name-over-32"}, []string{h.fields[0].Name, h.fields[1].Name, h.fields[2].Name})
	assert.Equal(t, "a  folded\tvalue", h.fields[1].Value)
}

// FuzzHeaderFields checks lowerName and unfold against the former code on
// every field of any header, and unfold on the whole input.
func FuzzHeaderFields(f *testing.F) {
	for _, msg := range fieldsCases {
		f.Add([]byte(msg))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		sameFields(t, msg)
		if got, want := unfold(msg), unfoldReference(string(msg)); got != want {
			t.Fatalf("unfold(%q) = %q, reference %q", msg, got, want)
		}
	})
}

// FuzzLowerHeader checks lowerHeader against strings.ToLower, seeded with
// every name DisplayedFields and ShownFields hold.
func FuzzLowerHeader(f *testing.F) {
	for _, df := range append(DisplayedFields, ShownFields...) {
		f.Add(df.Header)
	}
	for _, s := range []string{"", "X-Mailer", "DKIM-Signature", "ÜBER", "Subject\u212a", "\xffFrom", strings.Repeat("Long-", 8), "FROM", "fRoM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := lowerHeader(name), strings.ToLower(name); got != want {
			t.Fatalf("lowerHeader(%q) = %q, strings.ToLower %q", name, got, want)
		}
	})
}
