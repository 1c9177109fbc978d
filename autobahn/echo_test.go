package autobahn

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestEchoHandler(t *testing.T) {
	srv := httptest.NewServer(EchoHandler(0, nil))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, wsURL(srv), &conn.DialOptions{ReadLimit: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()

	big := bytes.Repeat([]byte{0xA5}, 2<<20) // above the library's 1 MiB default limit
	tests := []struct {
		name string
		typ  conn.MessageType
		data []byte
	}{
		{name: "text", typ: conn.Text, data: []byte("Hello, κόσμε")},
		{name: "binary", typ: conn.Binary, data: []byte{0, 1, 2, 0xFF}},
		{name: "empty text", typ: conn.Text, data: []byte{}},
		{name: "2 MiB binary", typ: conn.Binary, data: big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ws.Send(ctx, tt.typ, tt.data); err != nil {
				t.Fatal(err)
			}
			msg, err := ws.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Type != tt.typ || !bytes.Equal(msg.Data, tt.data) {
				t.Errorf("echo = type %v, %d bytes; want type %v, %d bytes", msg.Type, len(msg.Data), tt.typ, len(tt.data))
			}
		})
	}
	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestEchoHandlerReadLimit(t *testing.T) {
	srv := httptest.NewServer(EchoHandler(16, nil))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, wsURL(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.SendBinary(ctx, make([]byte, 17)); err != nil {
		t.Fatal(err)
	}
	_, err = ws.Receive(ctx)
	var ce *conn.CloseError
	if !errors.As(err, &ce) || ce.Code != conn.StatusMessageTooBig {
		t.Errorf("Receive after an oversized message = %v, want a close with 1009", err)
	}
}
