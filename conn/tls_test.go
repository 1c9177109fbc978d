package conn_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// TestTLS runs a connection over wss://: the handshake, small and large
// messages both ways (the large ones take the writer's direct path), and the
// closing handshake, all through crypto/tls, which has no CloseWrite on the
// read side and no raw socket to wait on.
func TestTLS(t *testing.T) {
	done := make(chan error, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			done <- err
			return
		}
		defer ws.CloseNow()
		ctx := context.Background()
		for {
			msg, err := ws.Receive(ctx)
			if err != nil {
				var ce *conn.CloseError
				if errors.As(err, &ce) && ce.Code == conn.StatusNormalClosure {
					err = nil
				}
				done <- err
				return
			}
			if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
				done <- err
				return
			}
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "wss" + strings.TrimPrefix(srv.URL, "https")
	if _, _, err := conn.Dial(ctx, url, nil); err == nil {
		t.Fatal("Dial without trusting the test certificate succeeded")
	}
	tlsConfig := srv.Client().Transport.(*http.Transport).TLSClientConfig
	ws, _, err := conn.Dial(ctx, url, &conn.DialOptions{TLSConfig: tlsConfig})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer ws.CloseNow()

	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 000 bytes
	msgs := []conn.Message{
		{Type: conn.Text, Data: []byte("héllo over TLS")},
		{Type: conn.Binary, Data: big},
		{Type: conn.Binary, Data: []byte{}},
	}
	for _, m := range msgs {
		if err := ws.Send(ctx, m.Type, m.Data); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	for i, want := range msgs {
		got, err := ws.Receive(ctx)
		if err != nil {
			t.Fatalf("Receive %d: %v", i, err)
		}
		if got.Type != want.Type || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("message %d: got %v of %d bytes, want %v of %d bytes", i, got.Type, len(got.Data), want.Type, len(want.Data))
		}
	}
	if err := ws.Close(conn.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the server did not see the close")
	}
}
