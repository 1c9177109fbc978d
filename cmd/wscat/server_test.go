package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/handshake"
)

// startServer starts wscat -l on a free port and returns it with its URL.
func startServer(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, append([]string{"-l", "127.0.0.1:0"}, args...)...)
	m := p.await(p.stderr, `^\* listening on (ws://\S+)$`)
	return p, m[1]
}

func dialTest(t *testing.T, url string, opts *conn.DialOptions) *conn.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func receiveText(t *testing.T, ws *conn.Conn) string {
	t.Helper()
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return msg.Text()
}

func expectClose(t *testing.T, ws *conn.Conn, code conn.StatusCode, reason string) {
	t.Helper()
	_, err := ws.ReceiveTimeout(5 * time.Second)
	var ce *conn.CloseError
	if !errors.As(err, &ce) || ce.Code != code || ce.Reason != reason {
		t.Fatalf("Receive = %v, want the close frame %d %q", err, code, reason)
	}
}

// Two clients and a person at the terminal: what each client sends is shown
// with its id; a typed line goes to both, "@ID line" to one; commands work
// per client; Ctrl-D closes the rest with 1000.
func TestServerTalk(t *testing.T) {
	p, url := startServer(t, "-mode", "tty")
	one := dialTest(t, url, nil)
	p.await(p.stderr, `^\* \[1\] connected from 127\.0\.0\.1:\d+, path /$`)
	two := dialTest(t, url+"chat/room", nil)
	p.await(p.stderr, `^\* \[2\] connected from .*, path /chat/room$`)

	if err := one.SendText(t.Context(), "hi from one"); err != nil {
		t.Fatal(err)
	}
	if got := p.next(p.stdout); got != "[1] < hi from one" {
		t.Fatalf("server shows %q", got)
	}
	if err := two.SendBinary(t.Context(), []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if got := p.next(p.stdout); got != "[2] < [binary 2 B] 0102" {
		t.Fatalf("server shows %q", got)
	}

	p.send("hello both")
	p.send("@2 just you, two")
	p.send("@1 just you, one")
	// Each client's next message tells what reached it, in order.
	if got := []string{receiveText(t, one), receiveText(t, one)}; !cmp.Equal(got, []string{"hello both", "just you, one"}) {
		t.Errorf("client 1 received %q", got)
	}
	if got := []string{receiveText(t, two), receiveText(t, two)}; !cmp.Equal(got, []string{"hello both", "just you, two"}) {
		t.Errorf("client 2 received %q", got)
	}

	p.send("@7 anyone?")
	p.await(p.stderr, `^wscat: no client 7 is connected \(connected: 1, 2\)$`)
	p.send("@2 /ping hey")
	p.await(p.stderr, `^\* \[2\] pong "hey" after \d`)
	p.send("@1 /close 4000 bye")
	expectClose(t, one, 4000, "bye")
	p.await(p.stderr, `^\* \[1\] closed: 4000 private use "bye"$`)

	p.stdin.Close() // Ctrl-D
	expectClose(t, two, 1000, "")
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if got := rest(p.stderr); !cmp.Equal(got, []string{"* [2] closed: 1000 normal closure"}) {
		t.Errorf("last stderr lines %q", got)
	}
}

// A client that closes, and a client that vanishes, are told apart.
func TestServerSeesClientsGo(t *testing.T) {
	p, url := startServer(t)
	ws := dialTest(t, url, nil)
	p.await(p.stderr, `\[1\] connected`)
	if err := ws.Close(conn.StatusGoingAway, "off"); err != nil {
		t.Fatal(err)
	}
	p.await(p.stderr, `^\* \[1\] closed by the client: 1001 going away "off"$`)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res, _, err := handshake.Dial(ctx, url, nil) // a bare connection, closed without a close frame
	if err != nil {
		t.Fatal(err)
	}
	p.await(p.stderr, `\[2\] connected`)
	res.Conn.Close()
	p.await(p.stderr, `^\* \[2\] connection lost: the client ended TCP without a close frame$`)
	p.send("anybody?")
	p.await(p.stderr, `^wscat: no client is connected$`)
	p.stdin.Close() // a pipe's end: the server goes on
	third := dialTest(t, url, nil)
	p.await(p.stderr, `\[3\] connected`)
	p.cmd.Process.Signal(syscall.SIGINT)
	expectClose(t, third, 1001, "")
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if got := rest(p.stdout); len(got) != 0 {
		t.Errorf("stdout %q, want nothing", got)
	}
}

// -path, -s, -o and -z choose what is served; -echo sends every message back;
// -n stops the server after N messages. wscat is the client as well.
func TestServerOptions(t *testing.T) {
	p, url := startServer(t, "-path", "/ws", "-s", "chat,json", "-o", "*", "-z", "-echo", "-n", "2")
	if url != regexp.MustCompile(`^ws://127\.0\.0\.1:\d+/ws$`).FindString(url) {
		t.Fatalf("URL %q", url)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, resp, err := conn.Dial(ctx, url+"/other", nil)
	var he *handshake.Error
	if !errors.As(err, &he) || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another path: %v, want 404", err)
	}
	ws, resp, err := conn.Dial(ctx, url, &conn.DialOptions{
		Subprotocols: []string{"json"},
		Header:       http.Header{"Origin": {"https://elsewhere.example"}},
		Compression:  &conn.Compression{},
	})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if ws.Subprotocol() != "json" || !strings.HasPrefix(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		t.Errorf("subprotocol %q, extensions %q: want json and permessage-deflate", ws.Subprotocol(), resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	ws.CloseNow()
	got := runWscat(t, "", "-x", "one", "-x", "two", "-n", "2", url)
	if got != (result{stdout: "one\ntwo\n"}) {
		t.Errorf("wscat client of wscat -echo = %+v", got)
	}
	if code := p.wait(); code != 0 {
		t.Errorf("server exit status %d, want 0", code)
	}
	if got := rest(p.stdout); !cmp.Equal(got, []string{"[2] one", "[2] two"}) {
		t.Errorf("server stdout %q", got)
	}
}

// A port in use, and a client flag given to a server, are errors.
func TestServerFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{name: "port in use", args: []string{"-l", busy.Addr().String()}, wantCode: 1,
			wantStderr: `^wscat: listen tcp 127\.0\.0\.1:\d+: bind: address already in use$`},
		{name: "bad address", args: []string{"-l", "127.0.0.1"}, wantCode: 1,
			wantStderr: `^wscat: listen tcp: address 127\.0\.0\.1: missing port in address$`},
		{name: "a client flag", args: []string{"-l", ":0", "-x", "hi"}, wantCode: 2,
			wantStderr: `^wscat: -x is for the client \(no -l\)$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runWscat(t, "", tt.args...)
			if got.code != tt.wantCode || got.stdout != "" || !regexp.MustCompile(tt.wantStderr).MatchString(got.stderr[:max(0, len(got.stderr)-1)]) {
				t.Fatalf("wscat %q = %+v, want status %d and stderr matching %q", tt.args, got, tt.wantCode, tt.wantStderr)
			}
		})
	}
}
