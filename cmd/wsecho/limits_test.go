package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/cmd/internal/rawws"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// The defaults keep an Autobahn run unharmed: no case lasts a ping interval,
// and the testsuite's connections, one after another, stay far below the cap.
func TestDefaultsSuitAutobahn(t *testing.T) {
	cfg := defaultConfig()
	if err := cfg.ping.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.ping.Interval < 30*time.Second || cfg.ping.Timeout <= 0 {
		t.Errorf("ping policy %+v: want an interval of 30 s or more, and a timeout", cfg.ping)
	}
	if cfg.maxConns < 1000 {
		t.Errorf("maxConns = %d, want at least 1000", cfg.maxConns)
	}
}

// A client that stops answering pings is dropped: after the ping timeout the
// server fails the connection with 1011 and ends TCP.
func TestDeadPeerIsDropped(t *testing.T) {
	cfg := defaultConfig()
	cfg.ping = ping.Policy{Interval: 20 * time.Millisecond, Timeout: 60 * time.Millisecond}
	srv := httptest.NewServer(newEcho(cfg))
	defer srv.Close()
	c, br := rawws.Upgrade(t, srv.Listener.Addr().String(), "/")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	code, pings, err := rawws.ReadUntilClose(br)
	if err != nil {
		t.Fatalf("after %d pings: %v; want a close frame", pings, err)
	}
	if pings == 0 || code != uint16(conn.StatusInternalError) {
		t.Errorf("%d pings, then close %d; want pings, then 1011", pings, code)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the close frame read %q, %v; want EOF", rest, err)
	}
}

// Beyond the cap, WebSocket requests are refused with 503 until a connection
// ends; /debug/vars is still served.
func TestConnectionCap(t *testing.T) {
	cfg := defaultConfig()
	cfg.maxConns = 2
	srv := httptest.NewServer(newEcho(cfg))
	defer srv.Close()
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var open []*conn.Conn
	for range 2 {
		ws, _, err := conn.Dial(ctx, base+"/", nil)
		if err != nil {
			t.Fatalf("Dial below the cap: %v", err)
		}
		defer ws.CloseNow()
		open = append(open, ws)
	}
	ws, resp, err := conn.Dial(ctx, base+"/", nil)
	if err == nil {
		ws.CloseNow()
		t.Fatal("a connection beyond the cap was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("Dial beyond the cap = %v, %v; want a 503", resp, err)
	}
	vars, err := http.Get(srv.URL + "/debug/vars")
	if err != nil {
		t.Fatal(err)
	}
	vars.Body.Close()
	if vars.StatusCode != http.StatusOK {
		t.Errorf("/debug/vars at the cap: %d, want 200", vars.StatusCode)
	}

	if err := open[0].Close(conn.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	for {
		ws, _, err := conn.Dial(ctx, base+"/", nil)
		if err == nil {
			ws.CloseNow()
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no connection accepted after one of two ended: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
