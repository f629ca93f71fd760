package mailsyntax_test

import (
	"fmt"

	"github.com/leakproof/leakproof/internal/mailsyntax"
)

func ExampleParseFrom() {
	for _, v := range []string{
		`"Alice Smith" <Alice@Example.COM>`,
		`"ceo@bank.example" <evil@attacker.example>`,
		`alice@example.com, bob@example.com`,
	} {
		addr, ok, reason := mailsyntax.ParseFrom(v)
		if ok {
			fmt.Printf("ok %s (domain %s)\n", addr, mailsyntax.Domain(addr))
		} else {
			fmt.Printf("refused: %s\n", reason)
		}
	}
	// Output:
	// ok alice@example.com (domain example.com)
	// refused: the From display name shows the address ceo@bank.example, but the message is from evil@attacker.example
	// refused: the From field lists more than one mailbox
}

func ExampleParseDate() {
	for _, v := range []string{
		"Tue, 3 Jun 2008 11:05:30 -0400 (EDT)",
		"Tue Jun  3 11:05:30 2008",
		"3 Jun 2008 11:05:30 +2500",
	} {
		t, z, err := mailsyntax.ParseDate(v)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s unknown zone: %t, problem: %q\n", t.Format("2006-01-02 15:04:05 -0700"), z.Unknown, z.Problem)
	}
	// Output:
	// 2008-06-03 11:05:30 -0400 unknown zone: false, problem: ""
	// 2008-06-03 11:05:30 +0000 unknown zone: true, problem: ""
	// 2008-06-03 11:05:30 +2500 unknown zone: false, problem: "the zone +2500 is more than 14 hours from UTC"
}

func ExampleParseReceived() {
	r, err := mailsyntax.ParseReceived("from mail.example.com (mail.example.com [192.0.2.1])\r\n" +
		"\tby mx.example.net (Postfix) with ESMTPS id 4A1B2C3D4E\r\n" +
		"\tfor <bob@example.net>; Tue,  3 Jun 2008 11:05:30 -0400 (EDT)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("from %s [%s] by %s with %s id %s for %s at %s\n", r.From, r.FromInfo, r.By, r.With, r.ID, r.For, r.Date.Format("15:04:05 -0700"))
	// Output:
	// from mail.example.com [mail.example.com [192.0.2.1]] by mx.example.net with ESMTPS id 4A1B2C3D4E for bob@example.net at 11:05:30 -0400
}

func ExampleParseAuthResults() {
	ar, err := mailsyntax.ParseAuthResults("mx.example.net; dkim=pass (2048-bit key) header.d=example.com header.s=sel header.b=AbCd1234; spf=pass smtp.mailfrom=example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("written by", ar.AuthServID)
	for _, r := range ar.Results {
		fmt.Printf("%s=%s (%s) d=%q mailfrom=%q\n", r.Method, r.Result, r.Comment, r.Prop("header.d"), r.Prop("smtp.mailfrom"))
	}
	// Output:
	// written by mx.example.net
	// dkim=pass (2048-bit key) d="example.com" mailfrom=""
	// spf=pass () d="" mailfrom="example.com"
}
