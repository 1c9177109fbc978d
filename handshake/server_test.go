package handshake

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sampleKey and sampleAccept are the example of RFC 6455 §1.3.
const (
	sampleKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// upgradeRequest returns a valid handshake request for tests to spoil.
func upgradeRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://example.com/chat", nil)
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Sec-WebSocket-Key", sampleKey)
	r.Header.Set("Sec-WebSocket-Version", "13")
	return r
}

func TestAcceptRefuses(t *testing.T) {
	tests := []struct {
		name       string
		opts       *ServerOptions
		edit       func(r *http.Request)
		status     int
		wantHeader map[string]string
	}{
		{
			name:       "POST",
			edit:       func(r *http.Request) { r.Method = http.MethodPost },
			status:     http.StatusMethodNotAllowed,
			wantHeader: map[string]string{"Allow": "GET"},
		},
		{
			name:   "HTTP/1.0",
			edit:   func(r *http.Request) { r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.0", 1, 0 },
			status: http.StatusBadRequest,
		},
		{
			name:       "no Upgrade",
			edit:       func(r *http.Request) { r.Header.Del("Upgrade") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Upgrade": "websocket"},
		},
		{
			name:       "Upgrade is another protocol",
			edit:       func(r *http.Request) { r.Header.Set("Upgrade", "h2c") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Upgrade": "websocket"},
		},
		{
			name:       "no Connection: Upgrade",
			edit:       func(r *http.Request) { r.Header.Set("Connection", "keep-alive") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Upgrade": "websocket"},
		},
		{
			name:       "version 8",
			edit:       func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Sec-WebSocket-Version": "13"},
		},
		{
			name:       "no version",
			edit:       func(r *http.Request) { r.Header.Del("Sec-WebSocket-Version") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Sec-WebSocket-Version": "13"},
		},
		{
			name:       "two versions",
			edit:       func(r *http.Request) { r.Header.Add("Sec-WebSocket-Version", "13") },
			status:     http.StatusUpgradeRequired,
			wantHeader: map[string]string{"Sec-WebSocket-Version": "13"},
		},
		{
			name:   "no key",
			edit:   func(r *http.Request) { r.Header.Del("Sec-WebSocket-Key") },
			status: http.StatusBadRequest,
		},
		{
			name:   "key not base64",
			edit:   func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "!GhlIHNhbXBsZSBub25jZQ==") },
			status: http.StatusBadRequest,
		},
		{
			name:   "key of 15 bytes",
			edit:   func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ") },
			status: http.StatusBadRequest,
		},
		{
			name:   "key of 17 bytes",
			edit:   func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZTEy") },
			status: http.StatusBadRequest,
		},
		{
			name:   "key twice",
			edit:   func(r *http.Request) { r.Header.Add("Sec-WebSocket-Key", sampleKey) },
			status: http.StatusBadRequest,
		},
		{
			name:   "request body",
			edit:   func(r *http.Request) { r.ContentLength = 5; r.Body = io.NopCloser(strings.NewReader("hello")) },
			status: http.StatusBadRequest,
		},
		{
			name:   "chunked request body",
			edit:   func(r *http.Request) { r.ContentLength = -1; r.TransferEncoding = []string{"chunked"} },
			status: http.StatusBadRequest,
		},
		{
			name:   "no Host",
			edit:   func(r *http.Request) { r.Host = "" },
			status: http.StatusBadRequest,
		},
		{
			name:   "malformed subprotocol list",
			edit:   func(r *http.Request) { r.Header.Set("Sec-WebSocket-Protocol", "a b") },
			status: http.StatusBadRequest,
		},
		{
			name:   "malformed extension list",
			edit:   func(r *http.Request) { r.Header.Set("Sec-WebSocket-Extensions", `x; p="`) },
			status: http.StatusBadRequest,
		},
		{
			name:   "cross origin",
			edit:   func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") },
			status: http.StatusForbidden,
		},
		{
			// A valid request, but httptest.ResponseRecorder cannot be hijacked.
			name:   "not hijackable",
			status: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			if tt.edit != nil {
				tt.edit(r)
			}
			w := httptest.NewRecorder()
			res, err := Accept(w, r, tt.opts)
			if err == nil || res != nil {
				t.Fatalf("Accept = %v, %v; want an error", res, err)
			}
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (err %v)", w.Code, tt.status, err)
			}
			var he *Error
			if errors.As(err, &he) && he.Status != tt.status {
				t.Errorf("Error.Status = %d, want %d", he.Status, tt.status)
			}
			if !strings.HasPrefix(err.Error(), "handshake: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if got := w.Header().Get("Connection"); got != "close" {
				t.Errorf("Connection = %q, want close", got)
			}
			if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain", got)
			}
			if body := w.Body.String(); body == "" || len(body) > 200 {
				t.Errorf("body = %q, want a short text", body)
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestCheckRequestAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *http.Request)
	}{
		{name: "canonical"},
		{name: "token lists and case", edit: func(r *http.Request) {
			r.Header.Set("Connection", "keep-alive, Upgrade")
			r.Header.Set("Upgrade", "WebSocket")
		}},
		{name: "Connection over two lines", edit: func(r *http.Request) {
			r.Header["Connection"] = []string{"keep-alive", "upgrade"}
		}},
		{name: "browser extensions offer", edit: func(r *http.Request) {
			r.Header.Set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
		}},
		// (Over HTTP/2 a WebSocket opens with an extended CONNECT, not
		// with an upgrade: TestCheckExtendedConnect.)
		{name: "a later HTTP/1 minor version", edit: func(r *http.Request) { r.ProtoMajor, r.ProtoMinor = 1, 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			if tt.edit != nil {
				tt.edit(r)
			}
			if err := CheckRequest(r); err != nil {
				t.Errorf("CheckRequest: %v", err)
			}
		})
	}
}

func TestCheckOrigin(t *testing.T) {
	tests := []struct {
		name   string
		host   string
		origin []string
		opts   ServerOptions
		ok     bool
	}{
		{name: "no Origin", host: "example.com", ok: true},
		{name: "same host", host: "example.com", origin: []string{"https://example.com"}, ok: true},
		{name: "same host, other case", host: "Example.COM", origin: []string{"https://example.com"}, ok: true},
		{name: "same host and port", host: "example.com:8080", origin: []string{"http://example.com:8080"}, ok: true},
		{name: "port differs", host: "example.com:8080", origin: []string{"http://example.com:9090"}},
		{name: "port missing", host: "example.com:8080", origin: []string{"http://example.com"}},
		{name: "other host", host: "example.com", origin: []string{"https://evil.com"}},
		{name: "suffix trick", host: "example.com", origin: []string{"https://example.com.evil.com"}},
		{name: "null", host: "example.com", origin: []string{"null"}},
		{name: "not a URL", host: "example.com", origin: []string{"%zz"}},
		{name: "two Origins", host: "example.com", origin: []string{"https://example.com", "https://example.com"}},
		{
			name: "pattern", host: "api.example.com", origin: []string{"https://app.example.com"},
			opts: ServerOptions{OriginPatterns: []string{"*.example.com"}}, ok: true,
		},
		{
			name: "pattern case-insensitive", host: "api.example.com", origin: []string{"https://APP.example.com"},
			opts: ServerOptions{OriginPatterns: []string{"*.Example.com"}}, ok: true,
		},
		{
			name: "pattern matches host with port", host: "api.example.com", origin: []string{"http://app.example.com:3000"},
			opts: ServerOptions{OriginPatterns: []string{"*.example.com"}}, ok: true,
		},
		{
			name: "host:port pattern", host: "api.example.com", origin: []string{"http://localhost:3000"},
			opts: ServerOptions{OriginPatterns: []string{"localhost:*"}}, ok: true,
		},
		{
			name: "host:port pattern, other port", host: "api.example.com", origin: []string{"http://localhost:3000"},
			opts: ServerOptions{OriginPatterns: []string{"localhost:8080"}},
		},
		{
			name: "pattern does not match", host: "api.example.com", origin: []string{"https://example.org"},
			opts: ServerOptions{OriginPatterns: []string{"*.example.com"}},
		},
		{
			name: "star does not cross dots into another domain", host: "x", origin: []string{"https://evil.com"},
			opts: ServerOptions{OriginPatterns: []string{"*.example.com"}},
		},
		{
			name: "skip check", host: "example.com", origin: []string{"https://evil.com"},
			opts: ServerOptions{InsecureSkipOriginCheck: true}, ok: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			r.Host = tt.host
			r.Header["Origin"] = tt.origin
			err := checkOrigin(r, &tt.opts)
			if (err == nil) != tt.ok {
				t.Fatalf("checkOrigin = %v, want ok %v", err, tt.ok)
			}
			var he *Error
			if err != nil && (!errors.As(err, &he) || he.Status != http.StatusForbidden) {
				t.Errorf("error %v is not a 403 *Error", err)
			}
		})
	}
}

func TestSelectSubprotocol(t *testing.T) {
	tests := []struct {
		name    string
		offered []string
		ours    []string
		want    string
	}{
		{name: "server order wins", offered: []string{"b, a"}, ours: []string{"a", "b"}, want: "a"},
		{name: "first common", offered: []string{"x, b"}, ours: []string{"a", "b"}, want: "b"},
		{name: "over lines", offered: []string{"x", "b"}, ours: []string{"b"}, want: "b"},
		{name: "none in common", offered: []string{"x, y"}, ours: []string{"a"}, want: ""},
		{name: "none offered", ours: []string{"a"}, want: ""},
		{name: "server has none", offered: []string{"a"}, want: ""},
		{name: "case-sensitive", offered: []string{"Chat"}, ours: []string{"chat"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			r.Header["Sec-Websocket-Protocol"] = tt.offered
			if got := selectSubprotocol(r, tt.ours); got != tt.want {
				t.Errorf("selectSubprotocol = %q, want %q", got, tt.want)
			}
		})
	}
}

// acceptServer starts a loopback server whose handler calls Accept and
// hands each Result (or error) to results.
func acceptServer(t *testing.T, opts *ServerOptions, prepare func(w http.ResponseWriter)) (*httptest.Server, chan acceptOutcome) {
	t.Helper()
	results := make(chan acceptOutcome, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if prepare != nil {
			prepare(w)
		}
		res, err := Accept(w, r, opts)
		results <- acceptOutcome{res, err}
	}))
	t.Cleanup(srv.Close)
	return srv, results
}

type acceptOutcome struct {
	res *Result
	err error
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out")
		panic("unreachable")
	}
}

// rawExchange writes req on a new loopback connection to srv and returns
// the connection and a reader of what the server sends.
func rawExchange(t *testing.T, srv *httptest.Server, req string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

const goldenRequest = "GET /chat HTTP/1.1\r\n" +
	"Host: server.example.com\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Origin: http://example.com\r\n" +
	"Sec-WebSocket-Protocol: chat, superchat\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"\r\n"

// The §1.3 handshake, byte for byte; the response headers the handler set
// beforehand follow, sorted, but for the handshake's own.
func TestAcceptGoldenTranscript(t *testing.T) {
	opts := &ServerOptions{Subprotocols: []string{"superchat", "chat"}, OriginPatterns: []string{"example.com"}}
	srv, results := acceptServer(t, opts, func(w http.ResponseWriter) {
		w.Header().Set("X-Server", "test")
		w.Header().Set("Set-Cookie", "a=b")
		w.Header().Set("Connection", "keep-alive") // the handshake's own: dropped
	})
	c, br := rawExchange(t, srv, goldenRequest)
	out := receive(t, results)
	if out.err != nil {
		t.Fatalf("Accept: %v", out.err)
	}
	defer out.res.Conn.Close()
	want := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
		"Sec-WebSocket-Protocol: superchat\r\n" +
		"Set-Cookie: a=b\r\n" +
		"X-Server: test\r\n" +
		"\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("response:\n%q\nwant:\n%q", got, want)
	}
	if out.res.Subprotocol != "superchat" || out.res.Buffered != nil || out.res.Extensions != nil {
		t.Errorf("Result = %+v", out.res)
	}
	// Nothing more was sent, and the connection now belongs to us.
	out.res.Conn.Write([]byte("after"))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	rest := make([]byte, 5)
	if _, err := io.ReadFull(br, rest); err != nil || string(rest) != "after" {
		t.Errorf("after the 101 read %q, %v", rest, err)
	}
}

// A client that sends its first frame in the same write as its request:
// the bytes net/http already buffered come back in Result.Buffered.
func TestAcceptBuffered(t *testing.T) {
	srv, results := acceptServer(t, nil, nil)
	frame := "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58" // §5.7 masked "Hello"
	_, br := rawExchange(t, srv, strings.Replace(goldenRequest, "Origin: http://example.com\r\n", "", 1)+frame)
	out := receive(t, results)
	if out.err != nil {
		t.Fatalf("Accept: %v", out.err)
	}
	defer out.res.Conn.Close()
	if len(out.res.Buffered) == 0 {
		t.Errorf("Buffered is empty, want the frame sent with the request")
	}
	// Whatever was not buffered is still on the connection: nothing is lost.
	got := append([]byte(nil), out.res.Buffered...)
	out.res.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(got) < len(frame) {
		buf := make([]byte, len(frame)-len(got))
		n, err := out.res.Conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != frame {
		t.Errorf("frame bytes = %q, want %q", got, frame)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("response %v, %v", resp, err)
	}
}

// A refused upgrade closes the connection: a request pipelined behind it
// is never answered.
func TestAcceptRefusalClosesConnection(t *testing.T) {
	srv, results := acceptServer(t, nil, nil)
	bad := strings.Replace(goldenRequest, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7", 1)
	pipelined := "GET /other HTTP/1.1\r\nHost: server.example.com\r\n\r\n"
	_, br := rawExchange(t, srv, bad+pipelined)
	out := receive(t, results)
	var he *Error
	if !errors.As(out.err, &he) || he.Status != http.StatusUpgradeRequired {
		t.Fatalf("Accept error = %v, want a 426 *Error", out.err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "13") {
		t.Errorf("body %q does not say which version", body)
	}
	if resp.StatusCode != http.StatusUpgradeRequired || !resp.Close || resp.Header.Get("Sec-WebSocket-Version") != "13" {
		t.Errorf("got %d, close %v, headers %v", resp.StatusCode, resp.Close, resp.Header)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the refusal read %q, %v; want EOF", rest, err)
	}
	select {
	case out := <-results:
		t.Errorf("the pipelined request reached the handler: %+v", out)
	default:
	}
}
