package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto/tls"
	"crypto/x509"
	"github.com/seed865a0254/websocket/conn"
	"strconv"
)

// startDemo serves a demo on a loopback httptest server and returns it with
// the server's ws:// base URL.
func startDemo(t *testing.T) (*demo, string) {
	t.Helper()
	d := newDemo(t.Output())
	return d, serveDemo(t, d)
}

// serveDemo serves d on a loopback httptest server and returns its ws://
// base URL. Cleanup closes every connection and waits for the handlers, so
// none of them logs after the test.
func serveDemo(t *testing.T, d *demo) string {
	t.Helper()
	srv := httptest.NewServer(d.handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func dial(t *testing.T, url string) *conn.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func send(t *testing.T, ws *conn.Conn, typ conn.MessageType, data string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Send(ctx, typ, []byte(data)); err != nil {
		t.Fatalf("send %q: %v", data, err)
	}
}

func receive(t *testing.T, ws *conn.Conn) conn.Message {
	t.Helper()
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return msg
}

// expectClose receives until the connection ends and checks that the peer
// closed it with code and reason.
func expectClose(t *testing.T, ws *conn.Conn, code conn.StatusCode, reason string) {
	t.Helper()
	msg, err := ws.ReceiveTimeout(10 * time.Second)
	var ce *conn.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("receive = (%v %q, %v), want a close frame with %d", msg.Type, msg.Data, err, code)
	}
	if ce.Code != code || ce.Reason != reason {
		t.Fatalf("peer closed with %d %q, want %d %q", ce.Code, ce.Reason, code, reason)
	}
}

func TestEcho(t *testing.T) {
	_, base := startDemo(t)
	ws := dial(t, base+"/echo")
	tests := []struct {
		name string
		typ  conn.MessageType
		data string
	}{
		{name: "text", typ: conn.Text, data: "hello"},
		{name: "empty text", typ: conn.Text, data: ""},
		{name: "multi-byte text", typ: conn.Text, data: "Olá, 世界 🌍"},
		{name: "binary", typ: conn.Binary, data: "\x00\x01\xfe\xff"},
		{name: "empty binary", typ: conn.Binary, data: ""},
		{name: "large binary", typ: conn.Binary, data: strings.Repeat("\xa5", 300_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send(t, ws, tt.typ, tt.data)
			got := receive(t, ws)
			if got.Type != tt.typ || !bytes.Equal(got.Data, []byte(tt.data)) {
				t.Fatalf("echo = %v (%d bytes), want %v (%d bytes)", got.Type, len(got.Data), tt.typ, len(tt.data))
			}
		})
	}
}

// The demo accepts permessage-deflate, which browsers offer on every
// connection (Chromium: "permessage-deflate; client_max_window_bits").
func TestEchoCompressed(t *testing.T) {
	_, base := startDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := conn.Dial(ctx, base+"/echo", &conn.DialOptions{Compression: &conn.Compression{}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	if got := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(got, "permessage-deflate") {
		t.Errorf("Sec-WebSocket-Extensions = %q, want permessage-deflate", got)
	}
	data := strings.Repeat("compress me, ", 1000)
	send(t, ws, conn.Text, data)
	if got := receive(t, ws); got.Type != conn.Text || string(got.Data) != data {
		t.Fatalf("echo = %v (%d bytes), want text (%d bytes)", got.Type, len(got.Data), len(data))
	}
}

func TestConnectAnswersEachMessage(t *testing.T) {
	var out lockedBuffer
	d := newDemo(io.MultiWriter(&out, t.Output()))
	d.connectTimeout = 20 * time.Millisecond // several receives time out during the pause below
	ws := dial(t, serveDemo(t, d)+"/connect")

	send(t, ws, conn.Text, "first")
	if got := receive(t, ws).Text(); got != "Received: first" {
		t.Fatalf("answer = %q, want %q", got, "Received: first")
	}
	time.Sleep(10 * d.connectTimeout)
	if n := strings.Count(out.String(), "no message for"); n < 2 {
		t.Fatalf("%d receives timed out during a pause of 10 timeouts, want several", n)
	}
	send(t, ws, conn.Text, "after the timeouts")
	if got := receive(t, ws).Text(); got != "Received: after the timeouts" {
		t.Fatalf("answer after timeouts = %q", got)
	}
	send(t, ws, conn.Binary, "\x01\x02\x03")
	if got := receive(t, ws).Text(); got != "Received 3 bytes of binary data" {
		t.Fatalf("answer to binary = %q", got)
	}

	if err := ws.Close(conn.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestConversation(t *testing.T) {
	const (
		askName   = "What is your name?"
		reName    = "Your name cannot be empty. What is your name?"
		askAge    = "What is your age?"
		reAge     = "That is not a number. What is your age?"
		binaryMsg = "\x00binary"
	)
	tests := []struct {
		name    string
		names   []string // answers to the name question, the last one accepted
		ages    []string
		prompts []string // every question the server asks, in order
		answer  string
	}{
		{
			name:    "straight answers",
			names:   []string{"Ana"},
			ages:    []string{"42"},
			prompts: []string{askName, askAge},
			answer:  "You are Ana, and you are 42 years old",
		},
		{
			name:    "empty names are asked again",
			names:   []string{"", "   ", "Bruno Souza"},
			ages:    []string{"7"},
			prompts: []string{askName, reName, reName, askAge},
			answer:  "You are Bruno Souza, and you are 7 years old",
		},
		{
			name:    "ages that are not numbers are asked again",
			names:   []string{" Carla "},
			ages:    []string{"forty", "", "-3", "4.5", " 31 "},
			prompts: []string{askName, askAge, reAge, reAge, reAge, reAge},
			answer:  "You are Carla, and you are 31 years old",
		},
		{
			name:    "binary answers are asked again",
			names:   []string{binaryMsg, "Davi"},
			ages:    []string{binaryMsg, "0"},
			prompts: []string{askName, reName, askAge, reAge},
			answer:  "You are Davi, and you are 0 years old",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startDemo(t)
			ws := dial(t, base+"/conversation")
			answers := append(append([]string{}, tt.names...), tt.ages...)
			if len(answers) != len(tt.prompts) {
				t.Fatalf("bad test: %d answers for %d prompts", len(answers), len(tt.prompts))
			}
			for i, want := range tt.prompts {
				if got := receive(t, ws).Text(); got != want {
					t.Fatalf("prompt %d = %q, want %q", i, got, want)
				}
				typ := conn.Text
				if answers[i] == binaryMsg {
					typ = conn.Binary
				}
				send(t, ws, typ, answers[i])
			}
			if got := receive(t, ws).Text(); got != tt.answer {
				t.Fatalf("answer = %q, want %q", got, tt.answer)
			}
			expectClose(t, ws, conn.StatusNormalClosure, "goodbye")
		})
	}
}

func TestPage(t *testing.T) {
	srv := httptest.NewServer(newDemo(t.Output()).handler())
	defer srv.Close()
	tests := []struct {
		name        string
		path        string
		contentType string
		contains    string
	}{
		{name: "index", path: "/", contentType: "text/html; charset=utf-8", contains: "<title>wsdemo</title>"},
		{name: "script", path: "/app.js", contentType: "text/javascript; charset=utf-8", contains: "new WebSocket("},
		{name: "style sheet", path: "/style.css", contentType: "text/css; charset=utf-8", contains: "#log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") {
				t.Errorf("Content-Security-Policy = %q, want default-src 'self'", got)
			}
			if !bytes.Contains(body, []byte(tt.contains)) {
				t.Errorf("body does not contain %q", tt.contains)
			}
		})
	}
}

// external matches what would make a browser fetch something from another
// host: absolute http(s) URLs, protocol-relative URLs in attributes or CSS,
// and CSS imports.
var external = regexp.MustCompile(`(?i)https?://|(src|href|action)\s*=\s*["']?//|url\(\s*["']?//|@import`)

func TestExternal(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{name: "https script", text: `<script src="https://cdn.example/x.js">`, want: true},
		{name: "http link", text: `<link href="http://fonts.example/css">`, want: true},
		{name: "protocol-relative", text: `<img src="//example.com/a.png">`, want: true},
		{name: "css url", text: `background: url(//example.com/a.png)`, want: true},
		{name: "css import", text: `@import "x.css";`, want: true},
		{name: "relative", text: `<script src="app.js"></script>`},
		{name: "websocket URL built from the page's host", text: `scheme + "//" + location.host`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := external.MatchString(tt.text); got != tt.want {
				t.Fatalf("external.MatchString(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestPageLoadsNothingExternal(t *testing.T) {
	n := 0
	err := fs.WalkDir(staticFiles, "static", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		n++
		b, err := staticFiles.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := external.FindIndex(b); loc != nil {
			t.Errorf("%s refers to another host: %q", path, b[loc[0]:min(len(b), loc[1]+40)])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("walked %d embedded files, want the page, its script and its style sheet", n)
	}
}

func TestServerBounds(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout != 5*time.Second {
		t.Errorf("ReadHeaderTimeout = %v, want 5s", srv.ReadHeaderTimeout)
	}
	if srv.MaxHeaderBytes != 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want 64 KiB", srv.MaxHeaderBytes)
	}
}

func TestPageURL(t *testing.T) {
	tests := []struct {
		name string
		addr string
		want string
	}{
		{name: "loopback", addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080/"},
		{name: "all IPv4 interfaces", addr: "0.0.0.0:9000", want: "http://localhost:9000/"},
		{name: "all IPv6 interfaces", addr: "[::]:9000", want: "http://localhost:9000/"},
		{name: "IPv6 loopback", addr: "[::1]:80", want: "http://[::1]:80/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, err := net.ResolveTCPAddr("tcp", tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := pageURL("http", addr); got != tt.want {
				t.Fatalf("pageURL(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

// TestShutdownSendsGoingAway runs serve as main does and stops it as Ctrl-C
// does: open connections must receive close 1001, and serve must return.
func TestShutdownSendsGoingAway(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out lockedBuffer
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, &out, defaultLimits(), nil) }()

	base := "ws://" + ln.Addr().String()
	echo := dial(t, base+"/echo")
	send(t, echo, conn.Text, "ping")
	if got := receive(t, echo).Text(); got != "ping" {
		t.Fatalf("echo = %q", got)
	}
	talk := dial(t, base+"/conversation")
	if got := receive(t, talk).Text(); got != "What is your name?" {
		t.Fatalf("first question = %q", got)
	}

	stop()
	expectClose(t, echo, conn.StatusGoingAway, "server shutting down")
	expectClose(t, talk, conn.StatusGoingAway, "server shutting down")
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(shutdownTimeout + 2*time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	if !strings.Contains(out.String(), "open http://"+ln.Addr().String()+"/") {
		t.Errorf("output does not name the page URL:\n%s", out.String())
	}
	dctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if ws, _, err := conn.Dial(dctx, base+"/echo", nil); err == nil {
		ws.CloseNow()
		t.Fatal("dial after shutdown succeeded")
	}
}

func TestConnectionDuringShutdownIsTurnedAway(t *testing.T) {
	d, base := startDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.shutdown(ctx); err != nil {
		t.Fatalf("shutdown with no connections: %v", err)
	}
	ws := dial(t, base+"/echo")
	expectClose(t, ws, conn.StatusGoingAway, "server shutting down")
}

// lockedBuffer is a bytes.Buffer that serve's logger and the test may use at
// the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHTTP2 runs serve with -tls: a client that asks for HTTP/2 opens its
// WebSockets with an extended CONNECT on one HTTP/2 connection (the log
// shows the request), echo and the conversation work over it, and Ctrl-C
// still closes them with 1001, at once.
func TestHTTP2(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := localhostTLS()
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out lockedBuffer
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, &out, defaultLimits(), cfg) }()

	roots := x509.NewCertPool()
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots.AddCert(leaf)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, Protocols: new(http.Protocols)}
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()
	base := "wss://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	dialH2 := func(path string) *conn.Conn {
		t.Helper()
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws, _, err := conn.Dial(dctx, base+path, &conn.DialOptions{HTTP2: tr})
		if err != nil {
			t.Fatalf("dial %s: %v", path, err)
		}
		t.Cleanup(func() { ws.CloseNow() })
		return ws
	}

	talk := dialH2("/conversation")
	for _, step := range []struct{ answer, question string }{
		{"", "What is your name?"}, {"Ada", "What is your age?"}, {"36", "You are Ada, and you are 36 years old"},
	} {
		if step.answer != "" {
			send(t, talk, conn.Text, step.answer)
		}
		if got := receive(t, talk).Text(); got != step.question {
			t.Fatalf("after %q: %q, want %q", step.answer, got, step.question)
		}
	}
	expectClose(t, talk, conn.StatusNormalClosure, "goodbye")
	echo := dialH2("/echo")
	send(t, echo, conn.Binary, "over HTTP/2")
	if m := receive(t, echo); m.Type != conn.Binary || m.Text() != "over HTTP/2" {
		t.Fatalf("echo = %v %q", m.Type, m.Data)
	}
	if n := strings.Count(out.String(), "open (CONNECT HTTP/2.0)"); n != 2 {
		t.Errorf("the log shows %d WebSockets opened by extended CONNECT over HTTP/2, want 2:\n%s", n, out.String())
	}

	stopped := time.Now()
	stop()
	expectClose(t, echo, conn.StatusGoingAway, "server shutting down")
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(shutdownTimeout + 2*time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	if d := time.Since(stopped); d > shutdownTimeout/2 {
		t.Errorf("shutting down took %v: it waited for the WebSocket streams instead of closing them", d)
	}
}
