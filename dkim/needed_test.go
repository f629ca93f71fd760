package dkim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestKeysNeeded(t *testing.T) {
	t2016 := time.Date(2016, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, header string
		want         []KeyNeed
	}{
		{"none", "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n", nil},
		{"dkim with t=", "DKIM-Signature: v=1; a=rsa-sha256; d=Example.COM; s=S2016; t=1456826400; h=from; bh=AAAA; b=AAAA\r\nFrom: a@example.com\r\n\r\n",
			[]KeyNeed{{Type: "dkim", Domain: "Example.COM", Selector: "S2016", Timestamp: t2016}}},
		{"a broken signature still names its key", "DKIM-Signature: v=9; d=example.com; s=s1\r\n\r\n",
			[]KeyNeed{{Type: "dkim", Domain: "example.com", Selector: "s1"}}},
		{"invalid d= names no key", "DKIM-Signature: v=1; d=exa mple.com; s=s1; a=rsa-sha256\r\n\r\n", nil},
		{"U-label d= in A-label form", "DKIM-Signature: v=1; d=bücher.example; s=s1\r\n\r\n",
			[]KeyNeed{{Type: "dkim", Domain: "xn--bcher-kva.example", Selector: "s1"}}},
		{"domainkeys", "DomainKey-Signature: a=rsa-sha1; c=nofws; d=yahoo.com; s=s1024; q=dns;\r\n  b=AAAA\r\nFrom: a@yahoo.com\r\n\r\n",
			[]KeyNeed{{Type: "domainkeys", Domain: "yahoo.com", Selector: "s1024"}}},
		{"both, top to bottom; other names are not signatures",
			"DomainKey-Signature: d=gmail.com; s=gamma; b=AA\r\nX-Google-DKIM-Signature: d=google.com; s=x\r\nDKIM-Signature: d=gmail.com; s=gamma; t=bad\r\n\r\n",
			[]KeyNeed{{Type: "domainkeys", Domain: "gmail.com", Selector: "gamma"}, {Type: "dkim", Domain: "gmail.com", Selector: "gamma"}}},
		{"domainkeys without s=", "DomainKey-Signature: d=gmail.com; b=AA\r\n\r\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := KeysNeeded(ParseHeader([]byte(tt.header)))
			assert.Equal(t, tt.want, got, "KeysNeeded(%q)", tt.header)
		})
	}
}
