package conn_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// Accept and Dial agree on a subprotocol, and Subprotocol reports it on both
// sides; a connection made with New has none.
func TestSubprotocol(t *testing.T) {
	cases := []struct {
		name          string
		server, offer []string
		want          string
	}{
		{name: "one in common", server: []string{"chat.v2", "chat"}, offer: []string{"mqtt", "chat"}, want: "chat"},
		{name: "none in common", server: []string{"chat"}, offer: []string{"mqtt"}, want: ""},
		{name: "none offered", server: []string{"chat"}, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, accepted := acceptServer(t, &conn.AcceptOptions{Subprotocols: tc.server})
			client, _, err := conn.Dial(testCtx(t, soon), wsURL(srv), &conn.DialOptions{Subprotocols: tc.offer})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer closeAndWait(t, client, "client")
			server := <-accepted
			if server == nil {
				t.Fatal("Accept failed")
			}
			defer closeAndWait(t, server, "server")
			if got := server.Subprotocol(); got != tc.want {
				t.Errorf("server Subprotocol() = %q, want %q", got, tc.want)
			}
			if got := client.Subprotocol(); got != server.Subprotocol() {
				t.Errorf("client Subprotocol() = %q, server's %q", got, server.Subprotocol())
			}
		})
	}
	t.Run("New", func(t *testing.T) {
		a, _ := newPair(t, pipeTransport, frame.Server, nil, nil)
		if got := a.Subprotocol(); got != "" {
			t.Errorf("Subprotocol() of a New connection = %q", got)
		}
	})
}

// A failed handshake: Dial returns the server's response with its status;
// Accept has already answered and returns an error.
func TestHandshakeRefused(t *testing.T) {
	t.Run("not a WebSocket endpoint", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		ws, resp, err := conn.Dial(testCtx(t, soon), wsURL(srv), nil)
		if err == nil {
			ws.CloseNow()
			t.Fatal("Dial to a 404 endpoint succeeded")
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("Dial response %v, want the 404", resp)
		}
	})
	t.Run("plain GET to Accept", func(t *testing.T) {
		srv, accepted := acceptServer(t, nil)
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Fatalf("plain GET answered %s, want a 4xx", resp.Status)
		}
		if ws := <-accepted; ws != nil {
			t.Fatal("Accept returned a connection for a plain GET")
		}
		http.DefaultClient.CloseIdleConnections()
	})
	t.Run("cross-origin refused by default", func(t *testing.T) {
		srv, accepted := acceptServer(t, nil)
		h := http.Header{"Origin": {"https://evil.example"}}
		ws, resp, err := conn.Dial(testCtx(t, soon), wsURL(srv), &conn.DialOptions{Header: h})
		if err == nil {
			ws.CloseNow()
			t.Fatal("Dial with a foreign Origin succeeded")
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("Dial response %v, want 403", resp)
		}
		if ws := <-accepted; ws != nil {
			t.Fatal("Accept returned a connection for a foreign origin")
		}
	})
	t.Run("cross-origin allowed by pattern", func(t *testing.T) {
		srv, accepted := acceptServer(t, &conn.AcceptOptions{OriginPatterns: []string{"*.example"}})
		h := http.Header{"Origin": {"https://app.example"}}
		ws, _, err := conn.Dial(testCtx(t, soon), wsURL(srv), &conn.DialOptions{Header: h})
		if err != nil {
			t.Fatalf("Dial with an allowed Origin: %v", err)
		}
		closeAndWait(t, ws, "client")
		if s := <-accepted; s == nil {
			t.Fatal("Accept failed for an allowed origin")
		} else {
			closeAndWait(t, s, "server")
		}
	})
	t.Run("Dial context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		srv, _ := acceptServer(t, nil)
		if ws, _, err := conn.Dial(ctx, wsURL(srv), nil); err == nil {
			ws.CloseNow()
			t.Fatal("Dial with a cancelled context succeeded")
		}
	})
}

// Bytes the peer sent right after the handshake, already read by someone
// else, are handed to New and read before the socket.
func TestNewBuffered(t *testing.T) {
	for _, r := range roles {
		t.Run("ours="+roleName(r), func(t *testing.T) {
			x, y := pipeConns(t)
			p := &rawPeer{nc: y, client: r == frame.Server}
			msgs := append(p.frameBytes(true, frame.OpText, []byte("early")), p.frameBytes(true, frame.OpBinary, []byte("split message"))...)
			cut := len(msgs) - 5
			ws := conn.New(x, msgs[:cut], r, nil)
			defer closeAndWait(t, ws, "ws")
			wrote := p.sendAsync(msgs[cut:])
			expectMessage(t, ws, conn.Text, "early")
			expectMessage(t, ws, conn.Binary, "split message")
			if err := <-wrote; err != nil {
				t.Fatalf("raw write: %v", err)
			}
		})
	}
}

// Message.Text returns the data as a string; Done is open while the
// connection lives.
func TestMessageAndDone(t *testing.T) {
	if got := (conn.Message{Type: conn.Text, Data: []byte("Olá!")}).Text(); got != "Olá!" {
		t.Fatalf("Text() = %q", got)
	}
	if conn.Text != conn.MessageType(frame.OpText) || conn.Binary != conn.MessageType(frame.OpBinary) {
		t.Fatal("Text and Binary differ from the opcodes' values")
	}
	a, b := newPair(t, pipeTransport, frame.Client, nil, nil)
	if isDone(a) || isDone(b) {
		t.Fatal("Done closed on a new connection")
	}
	time.Sleep(20 * time.Millisecond)
	if isDone(a) || isDone(b) {
		t.Fatal("Done closed on an idle connection")
	}
	if !strings.Contains(conn.ErrClosed.Error(), "conn:") {
		t.Errorf("ErrClosed = %q, want the package prefix", conn.ErrClosed)
	}
}
