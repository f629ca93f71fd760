package dkimcore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTagList(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want []Tag
		err  error
	}{
		{"simple", "v=1; a=rsa-sha256", []Tag{{"v", "1"}, {"a", "rsa-sha256"}}, nil},
		{"trailing semicolon", "v=1; a=rsa-sha256;", []Tag{{"v", "1"}, {"a", "rsa-sha256"}}, nil},
		{"fws around names and values", " v \r\n\t= 1 ;\r\n a=\r\n x ", []Tag{{"v", "1"}, {"a", "x"}}, nil},
		{"inner whitespace kept", "b=abc\r\n def", []Tag{{"b", "abc\r\n def"}}, nil},
		{"empty value", "p=", []Tag{{"p", ""}}, nil},
		{"empty specs", "v=1;; ;a=b", []Tag{{"v", "1"}, {"a", "b"}}, nil},
		{"empty input", "", nil, nil},
		{"value with equals", "z=a=b|c", []Tag{{"z", "a=b|c"}}, nil},
		{"8-bit value", "z=Subject:\xc3\xa9", []Tag{{"z", "Subject:\xc3\xa9"}}, nil},
		{"duplicate", "v=1; v=1", nil, ErrDuplicateTag},
		{"duplicate is malformed", "a=1; a=2", nil, ErrMalformedTags},
		{"no equals", "v=1; garbage", nil, ErrMalformedTags},
		{"empty name", "=x", nil, ErrMalformedTags},
		{"name starts with digit", "1a=x", nil, ErrMalformedTags},
		{"name with space", "a b=x", nil, ErrMalformedTags},
		{"nul in value", "d=exa\x00mple.com", nil, ErrMalformedTags},
		{"too many tags", strings.Repeat("a=1;", 1) + tagSeq(300), nil, ErrMalformedTags},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTagList(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err, "ParseTagList(%q) error", tt.in)
				assert.Nil(t, got, "ParseTagList(%q) result on error", tt.in)
				return
			}
			require.NoError(t, err, "ParseTagList(%q)", tt.in)
			assert.Equal(t, tt.want, got, "ParseTagList(%q)", tt.in)
		})
	}
}

func tagSeq(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("t")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26)))
		b.WriteString("=v;")
	}
	return b.String()
}

func FuzzParseTagList(f *testing.F) {
	for _, s := range []string{
		"v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=abc=; b=def",
		" v \r\n\t= 1 ;\r\n a=\r\n x ",
		"v=1; v=1",
		"=;;",
		"z=a=b|c;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := ParseTagList(s)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformedTags, "every error wraps ErrMalformedTags")
			require.Nil(t, tags, "no tags on error")
			return
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			require.True(t, validTagName(tag.Name), "tag name %q is valid", tag.Name)
			require.False(t, seen[tag.Name], "tag %q is not duplicated", tag.Name)
			seen[tag.Name] = true
			require.Equal(t, TrimFWS(tag.Value), tag.Value, "value %q is trimmed", tag.Value)
			require.NotContains(t, tag.Value, ";", "value holds no separator")
		}
		// Re-serialising the tags parses to the same list.
		var b strings.Builder
		for _, tag := range tags {
			b.WriteString(tag.Name + "=" + tag.Value + ";")
		}
		again, err := ParseTagList(b.String())
		require.NoError(t, err, "re-parse of %q", b.String())
		require.Equal(t, tags, again, "round trip of %q", s)
	})
}
