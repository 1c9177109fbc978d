package handshake

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
)

// A WebSocket URI has no user info (RFC 6455 §3): Dial refuses a URL that
// carries credentials before it reaches the network, rather than send them
// as Basic authorization (in clear text over ws://, and beside an
// Authorization header of the caller's), and does not repeat the password
// in its error.
func TestDialRefusesUserinfo(t *testing.T) {
	tests := []struct {
		name, url string
		header    http.Header
	}{
		{name: "user and password over ws", url: "ws://alice:s3cret@127.0.0.1:1/"},
		{name: "user and password over wss", url: "wss://alice:s3cret@127.0.0.1:1/"},
		{name: "user and password beside an Authorization header", url: "ws://alice:s3cret@127.0.0.1:1/", header: http.Header{"Authorization": {"Bearer t"}}},
		{name: "user only", url: "ws://alice@127.0.0.1:1/"},
		{name: "empty user info", url: "ws://@127.0.0.1:1/"},
		{name: "escaped password", url: "ws://alice:s3%63ret@127.0.0.1:1/"},
		{name: "http scheme", url: "http://alice:s3cret@127.0.0.1:1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialed := false
			_, resp, err := Dial(t.Context(), tt.url, &ClientOptions{
				Header: tt.header,
				Proxy:  noProxy,
				NetDialContext: func(context.Context, string, string) (net.Conn, error) {
					dialed = true
					return nil, errors.New("must not dial")
				},
			})
			if err == nil || resp != nil || dialed {
				t.Fatalf("Dial = %v, %v (dialed %v); want an error before dialing", resp, err, dialed)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "handshake: ") || !strings.Contains(msg, "user info") || strings.Contains(msg, "s3cret") || strings.Contains(msg, "s3%63ret") {
				t.Errorf("error %q: want the package prefix, a word on user info, and no password", msg)
			}
		})
	}
}

// An IPv6 zone names an interface of this machine: the connection is dialed
// through it, but the Host header goes without it (RFC 6874 §4).
func TestDialHostHasNoZone(t *testing.T) {
	tests := []struct {
		name, url, addr, host string
	}{
		{name: "zone and port", url: "ws://[fe80::1%25lo]:8080/chat", addr: "[fe80::1%lo]:8080", host: "[fe80::1]:8080"},
		{name: "zone, default port", url: "ws://[fe80::1%25eth0]/", addr: "[fe80::1%eth0]:80", host: "[fe80::1]"},
		{name: "no zone", url: "ws://[fe80::1]:8080/", addr: "[fe80::1]:8080", host: "[fe80::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr string
			dialed := errors.New("dialed")
			_, _, err := Dial(t.Context(), tt.url, &ClientOptions{
				Proxy: noProxy,
				NetDialContext: func(_ context.Context, _, a string) (net.Conn, error) {
					addr = a
					return nil, dialed
				},
			})
			if !errors.Is(err, dialed) || addr != tt.addr {
				t.Errorf("dialed %q (%v), want %q", addr, err, tt.addr)
			}
			tgt, err := parseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(appendRequest(nil, tgt, sampleKey, &ClientOptions{}))
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
			if err != nil {
				t.Fatalf("request %q does not parse: %v", raw, err)
			}
			if req.Host != tt.host {
				t.Errorf("Host: %q, want %q", req.Host, tt.host)
			}
		})
	}
}

// An unparsable URL is not repeated in the error either: it may hold a
// password.
func TestDialErrorDoesNotRepeatAnUnparsableURL(t *testing.T) {
	for _, raw := range []string{"ws://alice:s3cret@[::1", "ws://alice:s3cret@host:port/", "ws://alice:s3cret@host/\x7f"} {
		_, _, err := Dial(t.Context(), raw, &ClientOptions{Proxy: noProxy})
		if err == nil || !strings.HasPrefix(err.Error(), "handshake: ") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Dial(%q) = %v; want a handshake error without the password", raw, err)
		}
	}
}
