package handshake

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// "The |Sec-WebSocket-Protocol| header field MUST NOT appear more than once
// in an HTTP response." (RFC 6455 §11.3.4) A client that took the first of
// two lines would believe one subprotocol chosen while the server speaks
// another: the handshake fails instead, whatever the lines hold.
func TestDialRefusesSubprotocolFieldTwice(t *testing.T) {
	tests := []struct {
		name   string
		answer string
	}{
		{name: "empty, then chosen", answer: "Sec-WebSocket-Protocol: \r\nSec-WebSocket-Protocol: b\r\n"},
		{name: "chosen, then empty", answer: "Sec-WebSocket-Protocol: b\r\nSec-WebSocket-Protocol: \r\n"},
		{name: "same twice", answer: "Sec-WebSocket-Protocol: b\r\nSec-WebSocket-Protocol: b\r\n"},
		{name: "two chosen", answer: "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
				io.WriteString(c, switching(req, tt.answer))
				io.Copy(io.Discard, c)
			})
			res, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, &ClientOptions{Subprotocols: []string{"a", "b"}, Proxy: noProxy})
			if err == nil {
				res.Conn.Close()
				t.Fatalf("Dial succeeded with subprotocol %q", res.Subprotocol)
			}
			var he *Error
			if !errors.As(err, &he) || he.Status != http.StatusSwitchingProtocols || resp == nil {
				t.Errorf("Dial = %v, %v; want an *Error with the 101 and the response", resp, err)
			}
		})
	}
}
