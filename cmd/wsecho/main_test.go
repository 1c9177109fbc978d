package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func TestEcho(t *testing.T) {
	srv := httptest.NewServer(newEcho(defaultConfig()))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/any/path", nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer ws.CloseNow()
	tests := []struct {
		name string
		typ  conn.MessageType
		data []byte
	}{
		{"text", conn.Text, []byte("Olá, echo!")},
		{"binary", conn.Binary, []byte{0, 1, 2, 0xff, 0xfe}},
		{"empty text", conn.Text, []byte{}},
		{"large binary", conn.Binary, make([]byte, 200<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ws.Send(ctx, tt.typ, tt.data); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msg, err := ws.Receive(ctx)
			if err != nil {
				t.Fatalf("Receive: %v", err)
			}
			if msg.Type != tt.typ || string(msg.Data) != string(tt.data) {
				t.Fatalf("echo = %v %d bytes, want %v %d bytes", msg.Type, len(msg.Data), tt.typ, len(tt.data))
			}
		})
	}
	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestDebugVars(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, defaultConfig()) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/debug/vars")
	if err != nil {
		t.Fatalf("GET /debug/vars: %v", err)
	}
	var vars map[string]any
	err = json.NewDecoder(resp.Body).Decode(&vars)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("decode /debug/vars: %v", err)
	}
	if n, ok := vars["goroutines"].(float64); !ok || n < 1 {
		t.Fatalf("goroutines = %v, want a positive number", vars["goroutines"])
	}

	// Shutdown closes live connections with 1001.
	dctx, dcancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer dcancel()
	ws, _, err := conn.Dial(dctx, "ws://"+ln.Addr().String()+"/", nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer ws.CloseNow()
	if err := ws.SendText(dctx, "hi"); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Receive(dctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = ws.Receive(dctx)
	var ce *conn.CloseError
	if !errors.As(err, &ce) || ce.Code != conn.StatusGoingAway {
		t.Fatalf("Receive after shutdown: %v, want close 1001", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
}

// -compress accepts permessage-deflate (RFC 7692) and echoes compressed
// messages; without it the offer is ignored.
func TestCompress(t *testing.T) {
	for _, compress := range []bool{false, true} {
		cfg := defaultConfig()
		cfg.compress = compress
		srv := httptest.NewServer(newEcho(cfg))
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		ws, resp, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &conn.DialOptions{Compression: &conn.Compression{}})
		if err != nil {
			t.Fatalf("compress=%v: Dial: %v", compress, err)
		}
		got := resp.Header.Get("Sec-WebSocket-Extensions")
		if negotiated := strings.HasPrefix(got, "permessage-deflate"); negotiated != compress {
			t.Errorf("compress=%v: the server answered Sec-WebSocket-Extensions %q", compress, got)
		}
		data := []byte(strings.Repeat(`{"echo":"compressed"},`, 200))
		if err := ws.Send(ctx, conn.Text, data); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if msg, err := ws.Receive(ctx); err != nil || string(msg.Data) != string(data) {
			t.Errorf("compress=%v: echo %d bytes, %v; want %d bytes", compress, len(msg.Data), err, len(data))
		}
		ws.Close(conn.StatusNormalClosure, "")
		cancel()
		srv.Close()
	}
}
