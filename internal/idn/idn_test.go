package idn

import "testing"

func TestToASCII(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"example.com", "example.com", true},
		{"Example.COM", "Example.COM", true}, // ASCII is left as it is
		{"bücher.example", "xn--bcher-kva.example", true},
		{"Bücher.example", "xn--bcher-kva.example", true},
		{"пример.рф", "xn--e1afmkfd.xn--p1ai", true},
		{"ｅｘａｍｐｌｅ.com", "", false},       // full-width letters
		{"bücher。example", "", false},    // ideographic full stop
		{"example\u212A.com", "", false}, // Kelvin sign
		{"\u0130nfo.example", "", false}, // dotted capital I
		{"BÜCHER.example", "", false},    // upper-case non-ASCII
	} {
		got, ok := ToASCII(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ToASCII(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzToASCII(f *testing.F) {
	for _, s := range []string{"example.com", "bücher.example", "ｅｘａｍｐｌｅ.com", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ToASCII(s)
		if !ok {
			return
		}
		for i := range len(got) {
			if got[i] >= 0x80 {
				t.Fatalf("ToASCII(%q) = %q holds non-ASCII bytes", s, got)
			}
		}
		if again, ok := ToASCII(got); !ok || again != got {
			t.Fatalf("ToASCII is not idempotent on %q: %q then %q, %v", s, got, again, ok)
		}
	})
}
