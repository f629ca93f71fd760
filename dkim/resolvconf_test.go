package dkim

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseResolvConf(t *testing.T) {
	for _, tt := range []struct {
		name, conf, want string
		err              error
	}{
		{"first nameserver", "# comment\nsearch example.org\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n", "10.0.0.1", nil},
		{"ipv6", "nameserver ::1\n", "::1", nil},
		{"zone suffix kept", "nameserver fe80::1%eth0\n", "fe80::1%eth0", nil},
		{"tabs and trailing words", "nameserver\t10.0.0.4  # home router\n", "10.0.0.4", nil},
		{"not an address passed over", "nameserver :\nnameserver dns.example\nnameserver 10.0.0.3\n", "10.0.0.3", nil},
		{"no nameserver", "search example.org\noptions ndots:2\n", "", ErrNoNameserver},
		{"empty", "", "", ErrNoNameserver},
		{"commented out", "#nameserver 10.0.0.1\n", "", ErrNoNameserver},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResolvConf(strings.NewReader(tt.conf))
			require.ErrorIs(t, err, tt.err, "ParseResolvConf(%q)", tt.conf)
			assert.Equal(t, tt.want, got, "ParseResolvConf(%q)", tt.conf)
		})
	}
	boom := errors.New("disk gone")
	_, err := ParseResolvConf(iotest.ErrReader(boom))
	assert.ErrorIs(t, err, boom, "a failing reader")
	// Past 64 KiB nothing is read.
	_, err = ParseResolvConf(strings.NewReader(strings.Repeat("#\n", 40<<10) + "nameserver 10.0.0.9\n"))
	assert.ErrorIs(t, err, ErrNoNameserver, "a nameserver past the cap")
}

// NewSystemDNSSource asks the server ParseResolvConf finds in the system's
// configuration, or fails where there is none. Nothing is sent.
func TestNewSystemDNSSource(t *testing.T) {
	src, err := NewSystemDNSSource(nil)
	f, openErr := os.Open(ResolvConfPath)
	if openErr != nil {
		assert.ErrorIs(t, err, openErr.(*os.PathError).Err, "no %s", ResolvConfPath)
		return
	}
	defer f.Close()
	server, parseErr := ParseResolvConf(f)
	if parseErr != nil {
		assert.ErrorIs(t, err, ErrNoNameserver, "%s names no server", ResolvConfPath)
		return
	}
	require.NoError(t, err, "NewSystemDNSSource")
	assert.Equal(t, net.JoinHostPort(server, "53"), src.Server(), "the server of %s", ResolvConfPath)
}

// FuzzParseResolvConf checks that the server found is one whole word of a
// nameserver line of the input, an IP address, and that NewDNSSource
// makes it a host:port on port 53.
func FuzzParseResolvConf(f *testing.F) {
	for _, s := range []string{"nameserver 10.0.0.1\n", "# x\nsearch a\nnameserver ::1\n", "nameserver\n", "", "nameserver [::1]:53 x\n", "nameserver fe80::1%eth0\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, conf string) {
		got, err := ParseResolvConf(strings.NewReader(conf))
		if err != nil {
			return
		}
		if got == "" || strings.ContainsAny(got, " \t\n") {
			t.Fatalf("ParseResolvConf(%q) = %q: not one word", conf, got)
		}
		if !strings.Contains(conf, "nameserver") || !strings.Contains(conf, got) {
			t.Fatalf("ParseResolvConf(%q) = %q: not taken from a nameserver line", conf, got)
		}
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("ParseResolvConf(%q) = %q: not an IP address (%v)", conf, got, err)
		}
		server := NewDNSSource(got, nil).Server()
		host, port, err := net.SplitHostPort(server)
		if err != nil || host != got || port != "53" {
			t.Fatalf("NewDNSSource(%q).Server() = %q: want %s on port 53 (%v)", got, server, got, err)
		}
	})
}
