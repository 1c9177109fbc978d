package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	c, br := rawUpgrade(t, srv.Listener.Addr().String(), "/")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	code, pings, err := readUntilClose(br)
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

// rawUpgrade opens a WebSocket connection to path by hand and returns it
// after the 101: what it reads next is the server's frames as they are.
func rawUpgrade(t *testing.T, addr, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n"+
		"Upgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
	return c, br
}

// readUntilClose reads the server's frames, counting pings and answering
// none, up to its close frame, and returns the close code.
func readUntilClose(br *bufio.Reader) (code uint16, pings int, err error) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return 0, pings, err
		}
		n := int(h[1])
		if n > 125 {
			return 0, pings, fmt.Errorf("frame header %x: masked, or a payload too long for this test", h)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			return 0, pings, err
		}
		switch op := h[0] & 0x0f; op {
		case 0x9:
			pings++
		case 0x8:
			if n < 2 {
				return 0, pings, errors.New("close frame without a code")
			}
			return binary.BigEndian.Uint16(payload), pings, nil
		default:
			return 0, pings, fmt.Errorf("unexpected opcode %#x", op)
		}
	}
}
