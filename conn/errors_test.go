package conn_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
	"github.com/seed865a0254/websocket/ping"
)

func TestCloseStatus(t *testing.T) {
	peer := &conn.CloseError{Code: conn.StatusGoingAway, Reason: "restart"}
	tests := []struct {
		name   string
		err    error
		code   conn.StatusCode
		wantOK bool
	}{
		{"nil", nil, 0, false},
		{"the peer's close", peer, conn.StatusGoingAway, true},
		{"wrapped", fmt.Errorf("read: %w", peer), conn.StatusGoingAway, true},
		{"no code in the frame", &conn.CloseError{Code: conn.StatusNoStatusRcvd}, conn.StatusNoStatusRcvd, true},
		{"local close", conn.ErrClosed, 0, false},
		{"TCP ended", fmt.Errorf("%w: %w", conn.ErrClosed, io.ErrUnexpectedEOF), 0, false},
		{"our protocol error", fmt.Errorf("%w: %w", conn.ErrClosed, frame.ErrMessageTooBig), 0, false},
		{"ping timeout", fmt.Errorf("%w: %w", conn.ErrClosed, ping.ErrTimeout), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, ok := conn.CloseStatus(tt.err)
			if code != tt.code || ok != tt.wantOK {
				t.Errorf("CloseStatus = %v, %v; want %v, %v", code, ok, tt.code, tt.wantOK)
			}
		})
	}
}

// CloseStatus on what Receive returns after the peer's close, over loopback
// TCP, and after a local close.
func TestCloseStatusFromReceive(t *testing.T) {
	a, b := httpPair(t, frame.Server, nil, nil)
	go b.Close(conn.StatusPolicyViolation, "no")
	if code, ok := conn.CloseStatus(receiveErr(t, a)); code != conn.StatusPolicyViolation || !ok {
		t.Errorf("after the peer's close: %v, %v; want 1008, true", code, ok)
	}
	c, _ := httpPair(t, frame.Client, nil, nil)
	c.CloseNow()
	if code, ok := conn.CloseStatus(receiveErr(t, c)); ok {
		t.Errorf("after our own close: %v, %v; want no status", code, ok)
	}
}

// A proxy that refuses CONNECT: conn.Dial's error is a *handshake.ProxyError
// with the proxy's status and answer.
func TestDialProxyRefused(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="office"`)
		http.Error(w, "credentials, please", http.StatusProxyAuthRequired)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	ws, resp, err := conn.Dial(testCtx(t, soon), "ws://example.invalid/", &conn.DialOptions{
		Proxy: http.ProxyURL(proxyURL),
	})
	if ws != nil || resp != nil {
		t.Fatalf("Dial = %v, %v; want no connection and no response", ws, resp)
	}
	var pe *handshake.ProxyError
	if !errors.As(err, &pe) {
		t.Fatalf("Dial: %T %v; want a *handshake.ProxyError", err, err)
	}
	if pe.Status != http.StatusProxyAuthRequired || pe.Response.Header.Get("Proxy-Authenticate") != `Basic realm="office"` {
		t.Errorf("ProxyError = %d, %v", pe.Status, pe.Response.Header)
	}
	var he *handshake.Error
	if errors.As(err, &he) {
		t.Errorf("a proxy's refusal matches *handshake.Error (the server's refusal): %v", err)
	}
}
