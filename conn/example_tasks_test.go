package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/handshake"
)

// dialEcho connects to a new in-process echo server; close() ends both.
func dialEcho() (ws *conn.Conn, close func(), err error) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	ws, _, err = conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return ws, func() { ws.CloseNow(); srv.Close() }, nil
}

// A net.Conn over binary messages: its read deadline is an ordinary timeout,
// and the stream goes on after it.
func ExampleNetConn() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	nc := conn.NetConn(ws, conn.Binary)

	nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = nc.Read(make([]byte, 8))
	fmt.Println("timeout:", errors.Is(err, os.ErrDeadlineExceeded))

	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(nc, "one message")
	buf := make([]byte, len("one message"))
	_, err = io.ReadFull(nc, buf)
	fmt.Println(string(buf), err)
	fmt.Println(nc.Close())
	// Output:
	// timeout: true
	// one message <nil>
	// <nil>
}

// JSON values, one per text message.
func ExampleConn_SendJSON() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	type greeting struct {
		To   string `json:"to"`
		Text string `json:"text"`
	}
	if err := ws.SendJSON(ctx, greeting{To: "Ana", Text: "Olá"}); err != nil {
		fmt.Println(err)
		return
	}
	var g greeting
	err = ws.ReceiveJSON(ctx, &g)
	fmt.Printf("%+v %v\n", g, err)
	// Output:
	// {To:Ana Text:Olá} <nil>
}

// A message that is not JSON is an error; the connection stays usable.
func ExampleConn_ReceiveJSON() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	ws.SendText(ctx, "not JSON")
	ws.SendText(ctx, `{"n": 7}`)
	var v struct{ N int }
	fmt.Println(ws.ReceiveJSON(ctx, &v) != nil)
	fmt.Println(ws.ReceiveJSON(ctx, &v), v.N)
	// Output:
	// true
	// <nil> 7
}

// CloseStatus tells how the peer closed, if it did.
func ExampleCloseStatus() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	_, err = ws.ReceiveTimeout(20 * time.Millisecond)
	_, ok := conn.CloseStatus(err)
	fmt.Println(ok) // a timeout is no close

	err = &conn.CloseError{Code: conn.StatusGoingAway, Reason: "restart"}
	code, ok := conn.CloseStatus(fmt.Errorf("reading: %w", err))
	fmt.Println(code, ok)
	// Output:
	// false
	// 1001 going away true
}

// RemoteAddr is the peer's address as the server's TCP connection sees it.
func ExampleConn_RemoteAddr() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	fmt.Println(ws.RemoteAddr().Network(), strings.HasPrefix(ws.RemoteAddr().String(), "127.0.0.1:"))
	fmt.Println(ws.LocalAddr().Network())
	// Output:
	// tcp true
	// tcp
}

// A proxy that wants credentials refuses CONNECT with 407.
func ExampleDial_proxyRefused() {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="office"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	_, _, err := conn.Dial(context.Background(), "ws://example.invalid/", &conn.DialOptions{Proxy: http.ProxyURL(proxyURL)})
	var pe *handshake.ProxyError
	if errors.As(err, &pe) {
		fmt.Println(pe.Status, pe.Response.Header.Get("Proxy-Authenticate"))
	}
	// Output:
	// 407 Basic realm="office"
}
