package handshake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/handshake"
)

// Over HTTP/2 (RFC 8441) Accept and Dial hand over the request's stream
// instead of a connection. Here the server sends one unmasked text frame,
// "Hi" (RFC 6455 §5.7), and the client reads it. The server runs with
// GODEBUG=http2xconnect=1; without it, Dial's error wraps
// ErrNoExtendedConnect.
func ExampleStream() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer res.Stream.Close()
		res.Stream.Write([]byte{0x81, 0x02, 'H', 'i'})
		io.Copy(io.Discard, res.Stream) // until the client ends its side
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/chat"
	res, resp, err := handshake.Dial(ctx, url, &handshake.ClientOptions{HTTP2: tr})
	if errors.Is(err, handshake.ErrNoExtendedConnect) {
		fmt.Println("the server allows no WebSockets over HTTP/2: dial without HTTP2")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Stream.Close()
	frame := make([]byte, 4)
	_, err = io.ReadFull(res.Stream, frame)
	fmt.Printf("%s %d, frame % x %v\n", resp.Proto, resp.StatusCode, frame, err)
	res.Stream.CloseWrite()
	// Output: HTTP/2.0 200, frame 81 02 48 69 <nil>
}
