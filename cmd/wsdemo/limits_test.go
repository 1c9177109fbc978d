package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/cmd/internal/rawws"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// A client that stays connected and sends nothing is closed with 1001 once
// it has been idle for the idle timeout, on every endpoint; /connect stops
// logging its timeouts then.
func TestIdleConnectionsAreClosed(t *testing.T) {
	for _, path := range []string{"/connect", "/echo", "/conversation"} {
		t.Run(path, func(t *testing.T) {
			var out lockedBuffer
			d := newDemo(io.MultiWriter(&out, t.Output()))
			d.connectTimeout = 20 * time.Millisecond
			d.idleTimeout = 150 * time.Millisecond
			ws := dial(t, serveDemo(t, d)+path)
			if path == "/conversation" {
				if got := receive(t, ws).Text(); got != "What is your name?" {
					t.Fatalf("first question = %q", got)
				}
			}
			if path != "/conversation" {
				// A message restarts the idle clock.
				time.Sleep(d.idleTimeout / 2)
				send(t, ws, conn.Text, "still here")
				receive(t, ws)
			}
			start := time.Now()
			expectClose(t, ws, conn.StatusGoingAway, "idle")
			if waited := time.Since(start); waited < d.idleTimeout*2/3 {
				t.Errorf("closed %v after the last message, want about the idle timeout, %v", waited, d.idleTimeout)
			}
			logged := strings.Count(out.String(), "no message for")
			time.Sleep(5 * d.connectTimeout)
			if n := strings.Count(out.String(), "no message for"); n != logged {
				t.Errorf("%d more timeouts logged after the connection was closed", n-logged)
			}
			if path == "/connect" && logged > 2*int(d.idleTimeout/d.connectTimeout) {
				t.Errorf("%d timeouts logged in an idle timeout of %v, want at most about %d", logged, d.idleTimeout, d.idleTimeout/d.connectTimeout)
			}
		})
	}
}

// A client that stops answering pings is dropped: after the ping timeout the
// server fails the connection with 1011 and ends TCP.
func TestDeadPeerIsDropped(t *testing.T) {
	d := newDemo(t.Output())
	d.ping = ping.Policy{Interval: 20 * time.Millisecond, Timeout: 60 * time.Millisecond}
	base := serveDemo(t, d)
	c, br := rawws.Upgrade(t, strings.TrimPrefix(base, "ws://"), "/echo")
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
// ends; the page is still served.
func TestConnectionCap(t *testing.T) {
	d := newDemo(t.Output())
	d.maxConns = 2
	base := serveDemo(t, d)
	first := dial(t, base+"/echo")
	dial(t, base+"/connect")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := conn.Dial(ctx, base+"/echo", nil)
	if err == nil {
		ws.CloseNow()
		t.Fatal("a connection beyond the cap was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("Dial beyond the cap = %v, %v; want a 503", resp, err)
	}
	page, err := http.Get("http" + strings.TrimPrefix(base, "ws") + "/")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Errorf("the page at the cap: %d, want 200", page.StatusCode)
	}

	if err := first.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	for {
		ws, _, err := conn.Dial(ctx, base+"/echo", nil)
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
