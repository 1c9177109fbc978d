package handshake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/seed865a0254/websocket/handshake"
)

// The example handshake of RFC 6455 §1.3.
func ExampleComputeAccept() {
	fmt.Println(handshake.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

// NewKey reads its 16 random bytes from the reader it is given; Dial uses
// crypto/rand. The §1.3 sample nonce is the base64 of these 16 bytes.
func ExampleNewKey() {
	key, err := handshake.NewKey(strings.NewReader("the sample nonce"))
	fmt.Println(key, err)
	// Output: dGhlIHNhbXBsZSBub25jZQ== <nil>
}

// rfcRequest is the client's handshake of RFC 6455 §1.3.
func rfcRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://server.example.com/chat", nil)
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	r.Header.Set("Sec-WebSocket-Version", "13")
	return r
}

// A server that must route before upgrading can check the request first.
func ExampleCheckRequest() {
	r := rfcRequest()
	fmt.Println(handshake.CheckRequest(r))

	r.Header.Set("Sec-WebSocket-Version", "8")
	var he *handshake.Error
	if errors.As(handshake.CheckRequest(r), &he) {
		fmt.Println(he.Status, he.Reason)
	}
	// Output:
	// <nil>
	// 426 unsupported or missing Sec-WebSocket-Version, want 13
}

// The server's answer of RFC 6455 §1.3 completes the handshake of the request
// sent with the sample key.
func ExampleCheckResponse() {
	resp := &http.Response{StatusCode: http.StatusSwitchingProtocols, Header: http.Header{}}
	resp.Header.Set("Upgrade", "websocket")
	resp.Header.Set("Connection", "Upgrade")
	resp.Header.Set("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
	fmt.Println(handshake.CheckResponse(resp, "dGhlIHNhbXBsZSBub25jZQ=="))
	fmt.Println(handshake.CheckResponse(resp, "AQIDBAUGBwgJCgsMDQ4PEA=="))
	// Output:
	// <nil>
	// handshake: 101 Switching Protocols: wrong or missing Sec-WebSocket-Accept
}

// Accept upgrades the request and hands over the raw connection: here the
// server sends the RFC's unmasked "Hello" frame and hangs up.
func ExampleAccept() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return // Accept has answered the request
		}
		defer res.Conn.Close()
		res.Conn.Write([]byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'})
	}))
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Conn.Close()
	got, err := io.ReadAll(io.MultiReader(bytes.NewReader(res.Buffered), res.Conn))
	fmt.Printf("% x %v\n", got, err)
	// Output: 81 05 48 65 6c 6c 6f <nil>
}

// Dial returns the server's response too; a refusal comes with its status.
func ExampleDial() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer let-me-in" {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		if res, err := handshake.Accept(w, r, nil); err == nil {
			res.Conn.Close()
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	_, resp, err := handshake.Dial(ctx, srv.URL, nil)
	fmt.Println(resp.StatusCode, err)
	opts := &handshake.ClientOptions{Header: http.Header{"Authorization": {"Bearer let-me-in"}}}
	res, resp, err := handshake.Dial(ctx, srv.URL, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Upgrade"))
	// Output:
	// 401 handshake: 401 Unauthorized: the server did not switch protocols
	// 101 websocket
}

// upgrade returns a test server whose handler accepts the handshake with
// opts, reports the Result on results (nil if refused) and closes the
// connection.
func upgrade(opts *handshake.ServerOptions, results chan<- *handshake.Result) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, opts)
		if err == nil {
			res.Conn.Close()
		}
		results <- res
	}))
}

// The client offers subprotocols in its order of preference; the server
// picks the first of its own that was offered.
func ExampleClientOptions() {
	results := make(chan *handshake.Result, 1)
	srv := upgrade(&handshake.ServerOptions{Subprotocols: []string{"v2.chat", "v1.chat"}}, results)
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, &handshake.ClientOptions{
		Subprotocols: []string{"v1.chat", "v2.chat"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	fmt.Println(res.Subprotocol, (<-results).Subprotocol)
	// Output: v2.chat v2.chat
}

// By default a browser page of another host is refused (403);
// OriginPatterns lets chosen hosts in.
func ExampleServerOptions() {
	results := make(chan *handshake.Result, 2)
	srv := upgrade(&handshake.ServerOptions{OriginPatterns: []string{"*.example.com"}}, results)
	defer srv.Close()

	for _, origin := range []string{"https://app.example.com", "https://evil.example"} {
		opts := &handshake.ClientOptions{Header: http.Header{"Origin": {origin}}}
		res, resp, err := handshake.Dial(context.Background(), srv.URL, opts)
		if err == nil {
			res.Conn.Close()
		}
		fmt.Println(origin, resp.StatusCode, (<-results) != nil)
	}
	// Output:
	// https://app.example.com 101 true
	// https://evil.example 403 false
}

// With Deflate set on both sides, permessage-deflate is agreed. By default
// each side compresses every message on its own: the server answers
// server_no_context_takeover, the client promises client_no_context_takeover
// in its offer (which the server, not asked to, leaves unanswered). The
// client's PeerMaxWindowBits limits the server's window.
func ExampleDeflateOptions() {
	results := make(chan *handshake.Result, 1)
	srv := upgrade(&handshake.ServerOptions{Deflate: &handshake.DeflateOptions{}}, results)
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, &handshake.ClientOptions{
		Deflate: &handshake.DeflateOptions{PeerMaxWindowBits: 10},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	fmt.Printf("client: %+v\n", *res.Deflate)
	fmt.Printf("server: %+v\n", *(<-results).Deflate)
	// Output:
	// client: {ServerNoContextTakeover:true ClientNoContextTakeover:true ServerMaxWindowBits:10 ClientMaxWindowBits:15}
	// server: {ServerNoContextTakeover:true ClientNoContextTakeover:false ServerMaxWindowBits:10 ClientMaxWindowBits:15}
}

// The Deflate agreement tells a connection how to compress and what window
// its inflater needs.
func ExampleDeflate() {
	results := make(chan *handshake.Result, 1)
	srv := upgrade(&handshake.ServerOptions{Deflate: &handshake.DeflateOptions{ContextTakeover: true}}, results)
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, &handshake.ClientOptions{Deflate: &handshake.DeflateOptions{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	<-results
	d := res.Deflate
	fmt.Println("server keeps context:", !d.ServerNoContextTakeover, "window bits:", d.ServerMaxWindowBits)
	fmt.Println("client keeps context:", !d.ClientNoContextTakeover, "window bits:", d.ClientMaxWindowBits)
	// Output:
	// server keeps context: true window bits: 15
	// client keeps context: false window bits: 15
}

// Extensions is the server's answer, element by element.
func ExampleExtension() {
	results := make(chan *handshake.Result, 1)
	srv := upgrade(&handshake.ServerOptions{Deflate: &handshake.DeflateOptions{}}, results)
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, &handshake.ClientOptions{Deflate: &handshake.DeflateOptions{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	<-results
	for _, ext := range res.Extensions {
		fmt.Println(ext.Name, len(ext.Params))
	}
	// Output: permessage-deflate 1
}

// A parameter given without a value has an empty Value.
func ExampleParam() {
	results := make(chan *handshake.Result, 1)
	srv := upgrade(&handshake.ServerOptions{Deflate: &handshake.DeflateOptions{PeerMaxWindowBits: 12}}, results)
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, &handshake.ClientOptions{Deflate: &handshake.DeflateOptions{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Conn.Close()
	<-results
	for _, p := range res.Extensions[0].Params {
		fmt.Printf("%s=%q\n", p.Name, p.Value)
	}
	// Output:
	// server_no_context_takeover=""
	// client_max_window_bits="12"
}

// A refused handshake is an *Error with the status: here the server is no
// WebSocket endpoint.
func ExampleError() {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, resp, err := handshake.Dial(context.Background(), srv.URL, nil)
	var he *handshake.Error
	if errors.As(err, &he) {
		fmt.Println(he.Status, resp.StatusCode)
	}
	// Output: 404 404
}

func ExampleError_Error() {
	err := &handshake.Error{Status: http.StatusForbidden, Reason: "origin not allowed"}
	fmt.Println(err)
	// Output: handshake: 403 Forbidden: origin not allowed
}

// A proxy that wants credentials answers CONNECT with 407 and says how to
// authenticate.
func ExampleProxyError() {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="office"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)

	_, _, err := handshake.Dial(context.Background(), "ws://example.invalid/", &handshake.ClientOptions{Proxy: http.ProxyURL(proxyURL)})
	var pe *handshake.ProxyError
	if errors.As(err, &pe) {
		fmt.Println(pe.Status, pe.Response.Header.Get("Proxy-Authenticate"))
	}
	// Output: 407 Basic realm="office"
}

func ExampleProxyError_Error() {
	err := &handshake.ProxyError{Status: http.StatusBadGateway}
	fmt.Println(err)
	// Output: handshake: proxy refused CONNECT: 502 Bad Gateway
}

// Result.Buffered holds what the peer sent right behind its handshake,
// already read: a reader of the connection starts with it.
func ExampleResult() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer res.Conn.Close()
		io.Copy(res.Conn, io.MultiReader(bytes.NewReader(res.Buffered), res.Conn)) // echo the raw bytes
	}))
	defer srv.Close()

	res, _, err := handshake.Dial(context.Background(), srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Conn.Close()
	res.Conn.Write([]byte("raw bytes"))
	got := make([]byte, len("raw bytes"))
	_, err = io.ReadFull(io.MultiReader(bytes.NewReader(res.Buffered), res.Conn), got)
	fmt.Println(string(got), err, res.Subprotocol == "", res.Deflate == nil)
	// Output: raw bytes <nil> true true
}
