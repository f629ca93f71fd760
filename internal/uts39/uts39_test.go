package uts39

import (
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTablesMatchGoUnicode(t *testing.T) {
	assert.Equal(t, unicode.Version, unicodeVersion+".0", "the tables must be of the Unicode edition Go's unicode package uses")
	for i := 1; i < len(confusables); i++ {
		require.Less(t, confusables[i-1].r, confusables[i].r, "confusables sorted at %d", i)
	}
}

func TestSkeleton(t *testing.T) {
	for _, tt := range []struct{ name, a, b string }{
		{"Cyrillic paypal", "раураl", "paypal"},
		{"small full stop is not folded by the skeleton alone", "a.b", "a.b"},
		{"Lisu tone mark is a dot", "bank\ua4f8example", "bank.example"},
		{"Arabic-Indic zero is a dot", "bank\u0660example", "bank.example"},
		{"digit one and letter l", "pay1", "payl"},
		{"composed and decomposed", "caf\u00e9", "cafe\u0301"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, Skeleton(tt.b), Skeleton(tt.a), "Skeleton(%q) and Skeleton(%q)", tt.a, tt.b)
		})
	}
	assert.NotEqual(t, Skeleton("bank"), Skeleton("bunk"), "different words keep different skeletons")
	assert.Equal(t, "rn", Skeleton("m"), `Skeleton("m")`)
}

func TestSkeletonRune(t *testing.T) {
	for _, s := range []string{"раураl", "Jürgen", "ceo@bank\ua4f8example", "東京", "\xff"} {
		var got string
		for _, r := range s {
			got += SkeletonRune(r)
		}
		assert.Equal(t, Skeleton(s), got, "SkeletonRune over %q", s)
	}
}

func TestIsDefaultIgnorable(t *testing.T) {
	for _, r := range []rune{0xad, 0x34f, 0x200b, 0x200c, 0x200d, 0x200e, 0x202e, 0x2066, 0x2069, 0xfe0f, 0xfeff, 0xe0041, 0xe0100, 0x3164} {
		assert.True(t, IsDefaultIgnorable(r), "IsDefaultIgnorable(%U)", r)
	}
	for _, r := range []rune{'a', ' ', '@', '.', 0xa0, 0x2009, 0x00e9, 0x6771, 0x0627, 0x1f600} {
		assert.False(t, IsDefaultIgnorable(r), "IsDefaultIgnorable(%U)", r)
	}
}

func TestASCIILookalike(t *testing.T) {
	for _, tt := range []struct {
		label, reads string
		ok           bool
	}{
		{"аррӏе", "appie", true}, // U+04CF's prototype is "i"
		{"сосо", "coco", true},
		{"ѕсоре", "scope", true},
		{"раураӏ", "paypai", true},
		{"lınkedin", "linkedin", true},
		{"apple", "", false}, // ASCII already
		{"почта", "", false},
		{"пример", "", false},
		{"рф", "", false},
		{"bücher", "", false},
		{"münchen", "", false},
		{"東京", "", false},
		{"", "", false},
	} {
		t.Run(tt.label, func(t *testing.T) {
			reads, ok := ASCIILookalike(tt.label)
			assert.Equal(t, tt.ok, ok, "ASCIILookalike(%q) ok", tt.label)
			assert.Equal(t, tt.reads, reads, "ASCIILookalike(%q) reading", tt.label)
		})
	}
}
