package conn_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// With DialOptions.HTTP2, Dial opens the WebSocket as one more stream of an
// HTTP/2 connection (RFC 8441), as browsers do; Accept takes it like any
// other. The server must run with GODEBUG=http2xconnect=1, and its handler
// keeps the stream until the connection ends.
func ExampleDialOptions_http2() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow() // over HTTP/2 the stream ends when the handler returns
		for {
			msg, err := ws.Receive(r.Context())
			if err != nil {
				return
			}
			ws.SendText(r.Context(), r.Proto+" "+r.Method+": "+msg.Text())
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	// One transport, shared: its WebSockets share its HTTP/2 connections.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https"), &conn.DialOptions{HTTP2: tr})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()
	ws.SendText(ctx, "Hello!")
	msg, err := ws.Receive(ctx)
	fmt.Println(msg.Text(), err)
	fmt.Println(ws.Close(conn.StatusNormalClosure, ""))
	// Output:
	// HTTP/2.0 CONNECT: Hello! <nil>
	// <nil>
}
