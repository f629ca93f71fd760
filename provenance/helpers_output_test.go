package provenance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/mailsyntax"
)

// The evidence helpers are internal to the package; these tests show how
// the checker uses them, with the output they give.

func TestAlignReasonOutput(t *testing.T) {
	var got strings.Builder
	for _, d := range []string{"example.com", "mail.example.com", "example-com.20150623.gappssmtp.com", "example.net"} {
		fmt.Fprintf(&got, "%s: %q\n", d, alignReason(d, "example.com"))
	}
	want := strings.Join([]string{
		"example.com: \"same domain\"",
		"mail.example.com: \"same organization\"",
		"example-com.20150623.gappssmtp.com: \"Google Workspace proxy\"",
		"example.net: \"\"",
	}, "\n") + "\n"
	assert.Equal(t, want, got.String(), "the output of alignReason")
}

func TestMatchAuthResultOutput(t *testing.T) {
	var got strings.Builder
	ar, err := mailsyntax.ParseAuthResults("mx.example.net; dkim=pass (2048-bit key) header.d=example.com header.s=sel header.b=AbCd1234; spf=pass smtp.mailfrom=example.com")
	if err != nil {
		t.Fatalf("ParseAuthResults: %v", err)
	}
	sigs := []dkim.Signature{
		{Domain: "list.example.org", Selector: "k1", B: "ZZZZ0000"},
		{Domain: "example.com", Selector: "sel", B: "AbCd1234moreBase64"},
	}
	for _, r := range ar.Results {
		i, by := matchAuthResult(r, sigs)
		fmt.Fprintf(&got, "%s=%s -> signature %d (%s)\n", r.Method, r.Result, i, by)
	}
	want := strings.Join([]string{
		"dkim=pass -> signature 1 (header.b)",
		"spf=pass -> signature -1 ()",
	}, "\n") + "\n"
	assert.Equal(t, want, got.String(), "the output of matchAuthResult")
}

func TestReceivedEvidenceOutput(t *testing.T) {
	var got strings.Builder
	chain := []string{ // top (newest) to bottom (oldest)
		"from relay.example.net by mx.example.org with ESMTP id B2; Tue, 3 Jun 2008 09:00:00 -0400",
		"from laptop by relay.example.net with ESMTPSA id A1; Tue, 3 Jun 2008 11:05:00 -0400",
	}
	date := time.Date(2008, 6, 1, 11, 0, 0, 0, time.FixedZone("", -4*3600))
	for _, e := range receivedEvidence(chain, date, true) {
		fmt.Fprintf(&got, "%s (%s): %s\n", e.Code, e.Severity, e.Message)
	}
	want := strings.Join([]string{
		"received.out_of_order (caution): The 1st Received field (counting from the top) is timestamped 2008-06-03 09:00:00 -0400, 2 hours before the hop below it (2008-06-03 11:05:00 -0400), although it was added later.",
		"received.date_far_from_first_hop (caution): The Date field (2008-06-01 11:00:00 -0400) is 2 days earlier than the time the first server received the message (2008-06-03 11:05:00 -0400).",
	}, "\n") + "\n"
	assert.Equal(t, want, got.String(), "the output of receivedEvidence")
}
