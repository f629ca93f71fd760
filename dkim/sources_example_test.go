package dkim_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/leakproof/leakproof/dkim"
)

// A key source held in memory: records a program has gathered itself (from
// a database, an API), answered without any file or network.
func ExampleNewKeyFile() {
	keys := dkim.NewKeyFile([]dkim.KeyRecord{
		{Domain: "example.com", Selector: "s2048", TXT: exampleTXT("example.com", "s2048"), Source: "newsroom key store"},
	})
	msg, err := os.ReadFile("../testdata/formats/eml/Sent/board-pack.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := dkim.VerifyBytes(context.Background(), msg, &dkim.Options{Keys: keys})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := v.Signatures[0]
	fmt.Printf("d=%s s=%s: %s, %d-bit key from %s\n", s.Domain, s.Selector, s.Result, s.KeyBits, s.KeySource)
	// Output:
	// d=example.com s=s2048: pass, 2048-bit key from newsroom key store
}

// Any resolver with net.Resolver's LookupTXT signature plugs in:
// net.DefaultResolver.LookupTXT, a caching resolver, a DNS-over-HTTPS
// client. Here a map stands in for DNS; a name it lacks is answered as
// DNS answers a name that does not exist.
func ExampleNewLookupTXTSource() {
	zone := map[string][]string{
		"s2048._domainkey.example.com.": {exampleTXT("example.com", "s2048")},
	}
	lookup := func(ctx context.Context, name string) ([]string, error) {
		if txt, ok := zone[name]; ok {
			return txt, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	// With a real resolver: dkim.NewLookupTXTSource(net.DefaultResolver.LookupTXT)
	src := dkim.NewLookupTXTSource(lookup)

	for _, sel := range []string{"s2048", "s2015"} {
		recs, err := src.Lookup(context.Background(), "example.com", sel)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range recs {
			fmt.Printf("%s._domainkey.%s: txt %t, dns error %q, source %s\n", r.Selector, r.Domain, r.TXT != "", r.DNSError, r.Source)
		}
	}
	// Output:
	// s2048._domainkey.example.com: txt true, dns error "", source dns
	// s2015._domainkey.example.com: txt false, dns error "NXDOMAIN", source dns
}

// The system's resolver configuration, as resolv.conf(5) writes it; the
// first nameserver with an address is the one a DNSSource asks.
func ExampleParseResolvConf() {
	conf := "# written by NetworkManager\nsearch newsroom.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"
	server, err := dkim.ParseResolvConf(strings.NewReader(conf))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dkim.NewDNSSource(server, nil).Server())
	// Output:
	// 192.0.2.53:53
}

// DNS only when asked for: a source that asks the system's DNS server,
// handed to the verifier as Options.DNS, which is asked only for names the
// key files do not hold. Recording every answer lets the run be repeated
// offline. (Not run here: it needs the network.)
func ExampleNewSystemDNSSource() {
	record, err := os.Create("dns-answers.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer record.Close()
	dns, err := dkim.NewSystemDNSSource(&dkim.DNSOptions{Timeout: 3 * time.Second, Record: record})
	if err != nil {
		fmt.Println(err) // no /etc/resolv.conf: name a server with dkim.NewDNSSource
		return
	}
	opts := &dkim.Options{DNS: dns}
	msg, err := os.ReadFile("message.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := dkim.VerifyBytes(context.Background(), msg, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range v.Signatures {
		fmt.Println(s.Domain, s.Selector, s.Result)
	}
}

// Key files from several places merged into one list, as "leakproof keys
// import" writes it: the same record from two sources becomes one that
// names both, with the earliest first sighting.
func ExampleMergeKeyRecords() {
	txt := exampleTXT("example.com", "s2048")
	merged := dkim.MergeKeyRecords([]dkim.KeyRecord{
		{Domain: "example.com", Selector: "s2048", TXT: txt, Source: "archive.zk.email", FirstSeen: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Domain: "example.com", Selector: "gone", DNSError: "NXDOMAIN", Source: "dns"},
		{Domain: "example.com", Selector: "s2048", TXT: txt, Source: "colleague.zone", FirstSeen: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)},
	})
	for _, r := range merged {
		fmt.Printf("%s %s: %q, first seen %s\n", r.Selector, r.Domain, r.Source, r.FirstSeen.Format(time.DateOnly))
	}
	// Output:
	// gone example.com: "dns", first seen 0001-01-01
	// s2048 example.com: "archive.zk.email; colleague.zone", first seen 2015-06-01
}

// exampleTXT returns the record testdata/keys.jsonl holds for a name.
func exampleTXT(domain, selector string) string {
	f, err := os.Open("../testdata/keys.jsonl")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	kf, err := dkim.ReadKeyFile(f, "keys.jsonl")
	if err != nil {
		panic(err)
	}
	recs, _ := kf.Lookup(context.Background(), domain, selector)
	return recs[0].TXT
}
