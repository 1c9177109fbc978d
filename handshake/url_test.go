package handshake

import (
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
