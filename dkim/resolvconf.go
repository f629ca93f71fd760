package dkim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// ErrNoNameserver is the error of ParseResolvConf for a configuration
// that names no DNS server by IP address.
var ErrNoNameserver = errors.New("dkim: no nameserver line")

// maxResolvConf caps how much of a resolver configuration is read.
const maxResolvConf = 64 << 10

// ParseResolvConf returns the address of the first DNS server that a
// resolv.conf(5) file read from r names: the first "nameserver" line that
// holds an IP address (a zone suffix, as in "fe80::1%eth0", kept). Other
// lines, comments and nameserver lines without an address are passed over;
// a configuration without such a line gives [ErrNoNameserver]. At most
// 64 KiB of r is read. The address, without a port, is what
// [NewDNSSource] takes (port 53 is then assumed).
func ParseResolvConf(r io.Reader) (string, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxResolvConf))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			// An IPv6 zone names an interface: one with a bracket could
			// not be written as host:port, so the line is not usable.
			if a, err := netip.ParseAddr(fields[1]); err == nil && !strings.ContainsAny(a.Zone(), "[]") {
				return fields[1], nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("dkim: reading the resolver configuration: %w", err)
	}
	return "", ErrNoNameserver
}

// ResolvConfPath is where NewSystemDNSSource reads the system's resolver
// configuration, as the C library's resolver does on Unix systems.
const ResolvConfPath = "/etc/resolv.conf"

// NewSystemDNSSource returns a DNSSource asking the system's DNS server:
// the first nameserver of [ResolvConfPath], read with [ParseResolvConf].
// It fails where that file is missing (Windows, some containers) or names
// no server; a program can then read its own configuration and call
// [NewDNSSource]. Like any DNSSource it touches the network only when a
// caller looks a name up, and only where it is handed to the verifier:
// today's DNS shows today's keys, and each lookup tells the domain's
// operator that someone is checking.
func NewSystemDNSSource(opts *DNSOptions) (*DNSSource, error) {
	f, err := os.Open(ResolvConfPath)
	if err != nil {
		return nil, fmt.Errorf("dkim: finding the system DNS server: %w", err)
	}
	defer f.Close()
	server, err := ParseResolvConf(f)
	if err != nil {
		return nil, fmt.Errorf("dkim: finding the system DNS server in %s: %w", ResolvConfPath, err)
	}
	return NewDNSSource(server, opts), nil
}
