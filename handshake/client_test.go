package handshake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// noProxy keeps the environment's proxy settings out of the tests.
func noProxy(*http.Request) (*url.URL, error) { return nil, nil }

// rawServer listens on loopback and runs handle for each connection, with
// the request already read. It returns the listener's address.
func rawServer(t *testing.T, handle func(c net.Conn, req *http.Request, raw string)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // listener closed
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				var raw strings.Builder
				for {
					line, err := br.ReadString('\n')
					raw.WriteString(line)
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw.String())))
				if err != nil {
					t.Errorf("server: %v", err)
					return
				}
				handle(c, req, raw.String())
			})
		}
	})
	return ln.Addr().String()
}

// switching returns a valid 101 response to req, with extra header lines.
func switching(req *http.Request, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + ComputeAccept(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// The client's request, byte for byte, with the §1.3 nonce; and the server's
// first frame, sent in the same write as its 101, lands in Result.Buffered.
func TestDialGoldenTranscript(t *testing.T) {
	frame := "\x81\x05Hello" // §5.7 unmasked "Hello"
	requests := make(chan string, 1)
	addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
		requests <- raw
		io.WriteString(c, switching(req, "Sec-WebSocket-Protocol: chat\r\n")+frame)
		io.Copy(io.Discard, c)
	})
	opts := &ClientOptions{
		Subprotocols: []string{"chat", "superchat"},
		Header:       http.Header{"Origin": {"http://example.com"}, "X-Token": {"a", "b"}},
		Proxy:        noProxy,
	}
	res, resp, err := dial(ctxTimeout(t, 5*time.Second), "ws://"+addr+"/chat?room=1", opts, strings.NewReader("the sample nonce"))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer res.Conn.Close()
	want := "GET /chat?room=1 HTTP/1.1\r\n" +
		"Host: " + addr + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: chat, superchat\r\n" +
		"Origin: http://example.com\r\n" +
		"X-Token: a\r\n" +
		"X-Token: b\r\n" +
		"\r\n"
	if got := receive(t, requests); got != want {
		t.Errorf("request:\n%q\nwant:\n%q", got, want)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != sampleAccept {
		t.Errorf("response %d %v", resp.StatusCode, resp.Header)
	}
	if res.Subprotocol != "chat" {
		t.Errorf("Subprotocol = %q, want chat", res.Subprotocol)
	}
	got := append([]byte(nil), res.Buffered...)
	res.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(got) < len(frame) {
		buf := make([]byte, len(frame)-len(got))
		n, err := res.Conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != frame {
		t.Errorf("frame bytes = %q, want %q", got, frame)
	}
	if len(res.Buffered) == 0 {
		t.Errorf("Buffered is empty, want the frame sent with the 101")
	}
}

// Dial against Accept, on loopback, both ways of spelling the URL.
func TestDialAccept(t *testing.T) {
	srv, results := acceptServer(t, &ServerOptions{Subprotocols: []string{"v2", "v1"}}, nil)
	for _, scheme := range []string{"ws", "http"} {
		t.Run(scheme, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			res, _, err := Dial(ctx, scheme+"://"+srv.Listener.Addr().String()+"/", &ClientOptions{Subprotocols: []string{"v1", "v2"}, Proxy: noProxy})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer res.Conn.Close()
			out := receive(t, results)
			if out.err != nil {
				t.Fatalf("Accept: %v", out.err)
			}
			defer out.res.Conn.Close()
			if res.Subprotocol != "v2" || out.res.Subprotocol != "v2" {
				t.Errorf("subprotocols %q and %q, want the server's first, v2", res.Subprotocol, out.res.Subprotocol)
			}
			// The dial's ctx no longer matters once Dial has returned.
			cancel()
			time.Sleep(10 * time.Millisecond)
			if _, err := out.res.Conn.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			res.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			var b [1]byte
			if _, err := io.ReadFull(res.Conn, b[:]); err != nil || b[0] != 'x' {
				t.Errorf("after cancel read %q, %v", b[:], err)
			}
		})
	}
}

func TestDialSubprotocols(t *testing.T) {
	tests := []struct {
		name    string
		offer   []string
		header  http.Header
		answer  string // extra response header lines
		want    string
		wantErr bool
	}{
		{name: "chosen", offer: []string{"a", "b"}, answer: "Sec-WebSocket-Protocol: b\r\n", want: "b"},
		{name: "none chosen", offer: []string{"a"}, want: ""},
		{name: "not offered", offer: []string{"a"}, answer: "Sec-WebSocket-Protocol: c\r\n", wantErr: true},
		{name: "none offered", answer: "Sec-WebSocket-Protocol: a\r\n", wantErr: true},
		{name: "two chosen", offer: []string{"a", "b"}, answer: "Sec-WebSocket-Protocol: a, b\r\n", wantErr: true},
		{name: "two lines", offer: []string{"a", "b"}, answer: "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n", wantErr: true},
		{name: "case differs", offer: []string{"a"}, answer: "Sec-WebSocket-Protocol: A\r\n", wantErr: true},
		{
			name: "offered by header", header: http.Header{"Sec-WebSocket-Protocol": {"x, y"}},
			answer: "Sec-WebSocket-Protocol: y\r\n", want: "y",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
				io.WriteString(c, switching(req, tt.answer))
				io.Copy(io.Discard, c)
			})
			res, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, &ClientOptions{Subprotocols: tt.offer, Header: tt.header, Proxy: noProxy})
			if tt.wantErr {
				var he *Error
				if !errors.As(err, &he) || resp == nil {
					t.Fatalf("Dial = %v, %v, %v; want an *Error and the response", res, resp, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			res.Conn.Close()
			if res.Subprotocol != tt.want {
				t.Errorf("Subprotocol = %q, want %q", res.Subprotocol, tt.want)
			}
		})
	}
}

func TestDialBadResponse(t *testing.T) {
	tests := []struct {
		name     string
		response func(req *http.Request) string
		status   int
		errIs    error
	}{
		{
			name: "wrong accept",
			response: func(req *http.Request) string {
				return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
					"Sec-WebSocket-Accept: " + sampleAccept + "\r\n\r\n"
			},
			status: 101,
		},
		{
			name: "accept of the key itself",
			response: func(req *http.Request) string {
				return strings.Replace(switching(req, ""), ComputeAccept(req.Header.Get("Sec-WebSocket-Key")), req.Header.Get("Sec-WebSocket-Key"), 1)
			},
			status: 101,
		},
		{
			name: "no accept",
			response: func(*http.Request) string {
				return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
			},
			status: 101,
		},
		{
			name: "no Upgrade",
			response: func(req *http.Request) string {
				return strings.Replace(switching(req, ""), "Upgrade: websocket\r\n", "", 1)
			},
			status: 101,
		},
		{
			name: "Upgrade is another protocol too",
			response: func(req *http.Request) string {
				return strings.Replace(switching(req, ""), "Upgrade: websocket", "Upgrade: websocket, h2c", 1)
			},
			status: 101,
		},
		{
			name: "no Connection: Upgrade",
			response: func(req *http.Request) string {
				return strings.Replace(switching(req, ""), "Connection: Upgrade", "Connection: keep-alive", 1)
			},
			status: 101,
		},
		{
			name: "extension not offered",
			response: func(req *http.Request) string {
				return switching(req, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
			},
			status: 101,
		},
		{
			name:     "200",
			response: func(*http.Request) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" },
			status:   200,
		},
		{
			name: "header too large",
			response: func(*http.Request) string {
				return "HTTP/1.1 101 Switching Protocols\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("a", 1000)+"\r\n", 80) + "\r\n"
			},
			errIs: errHeaderTooLarge,
		},
		{
			name:     "not HTTP",
			response: func(*http.Request) string { return "SSH-2.0-OpenSSH_9.6\r\n" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
				io.WriteString(c, tt.response(req))
			})
			res, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, &ClientOptions{Proxy: noProxy})
			if err == nil {
				res.Conn.Close()
				t.Fatal("Dial succeeded")
			}
			if !strings.HasPrefix(err.Error(), "handshake: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if tt.errIs != nil && !errors.Is(err, tt.errIs) {
				t.Errorf("error %v is not %v", err, tt.errIs)
			}
			var he *Error
			if tt.status == 0 {
				if resp != nil || errors.As(err, &he) {
					t.Errorf("got response %v, error %v; want neither", resp, err)
				}
				return
			}
			if !errors.As(err, &he) || he.Status != tt.status || resp == nil || resp.StatusCode != tt.status {
				t.Errorf("Dial = %v, %v; want an *Error and a response with status %d", resp, err, tt.status)
			}
		})
	}
}

// A refusal comes back as the response, with a body bounded to 1 KiB.
func TestDialRefusedResponse(t *testing.T) {
	t.Run("origin", func(t *testing.T) {
		srv, results := acceptServer(t, nil, nil)
		_, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+srv.Listener.Addr().String(),
			&ClientOptions{Header: http.Header{"Origin": {"https://evil.example"}}, Proxy: noProxy})
		var he *Error
		if !errors.As(err, &he) || he.Status != http.StatusForbidden {
			t.Fatalf("Dial error = %v, want a 403 *Error", err)
		}
		if out := receive(t, results); out.err == nil {
			t.Error("Accept accepted a cross-origin request")
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "origin") {
			t.Errorf("response %d %q", resp.StatusCode, body)
		}
	})
	t.Run("large body", func(t *testing.T) {
		addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
			io.WriteString(c, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 100000))
		})
		_, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, &ClientOptions{Proxy: noProxy})
		if err == nil || resp == nil {
			t.Fatalf("Dial = %v, %v", resp, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized || len(body) != maxRefusalBody {
			t.Errorf("status %d, body of %d bytes; want 401 and %d", resp.StatusCode, len(body), maxRefusalBody)
		}
	})
}

// A server that accepts the connection and never answers: the ctx ends the
// dial on time, whether it carries a deadline or is cancelled.
func TestDialServerNeverAnswers(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
		io.Copy(io.Discard, c) // never answer; return once the client hangs up
	})
	t.Run("deadline", func(t *testing.T) {
		start := time.Now()
		_, _, err := Dial(ctxTimeout(t, 100*time.Millisecond), "ws://"+addr, &ClientOptions{Proxy: noProxy})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v is not DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Dial took %v with a 100ms context", d)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, _, err := Dial(ctx, "ws://"+addr, &ClientOptions{Proxy: noProxy})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not Canceled", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Dial took %v after a cancel at 100ms", d)
		}
	})
}

func TestDialTLS(t *testing.T) {
	results := make(chan acceptOutcome, 2)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := Accept(w, r, nil)
		results <- acceptOutcome{res, err}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused certificate is logged
	srv.StartTLS()
	t.Cleanup(srv.Close)
	url := "wss://" + srv.Listener.Addr().String() + "/tls"

	_, _, err := Dial(ctxTimeout(t, 5*time.Second), url, &ClientOptions{Proxy: noProxy})
	var unknown x509.UnknownAuthorityError
	if err == nil || !errors.As(err, &unknown) {
		t.Errorf("Dial without trusting the certificate = %v, want an unknown-authority error", err)
	}

	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig
	res, _, err := Dial(ctxTimeout(t, 5*time.Second), url, &ClientOptions{TLSConfig: cfg, Proxy: noProxy})
	if err != nil {
		t.Fatalf("Dial with the server's certificate: %v", err)
	}
	defer res.Conn.Close()
	if cfg.ServerName != "" {
		t.Errorf("Dial modified the caller's TLSConfig (ServerName %q)", cfg.ServerName)
	}
	tc, ok := res.Conn.(*tls.Conn)
	if !ok || !tc.ConnectionState().HandshakeComplete {
		t.Fatalf("Result.Conn is %T, want a completed *tls.Conn", res.Conn)
	}
	if out := receive(t, results); out.err != nil {
		t.Fatalf("Accept: %v", out.err)
	} else {
		out.res.Conn.Close()
	}
}

// connectProxy starts a loopback HTTP CONNECT proxy (over TLS when secure)
// that wants the given credentials, or none when user is "".
func startProxy(t *testing.T, secure bool, user, pass string, seen chan<- string) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		seen <- r.Host
		if user != "" && r.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)) {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			http.Error(w, "who are you", http.StatusProxyAuthRequired)
			return
		}
		target, err := net.DialTimeout("tcp", r.Host, 2*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer target.Close()
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		done := make(chan struct{})
		go func() {
			io.Copy(target, brw.Reader)
			target.(*net.TCPConn).CloseWrite()
			close(done)
		}()
		io.Copy(c, target)
		c.Close()
		<-done
	})
	var p *httptest.Server
	if secure {
		p = httptest.NewTLSServer(h)
	} else {
		p = httptest.NewServer(h)
	}
	t.Cleanup(p.Close)
	return p
}

func TestDialProxy(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if res, err := Accept(w, r, nil); err == nil {
			io.Copy(io.Discard, res.Conn) // until the client closes
			res.Conn.Close()
		}
	}))
	t.Cleanup(tlsSrv.Close)
	plainSrv := httptest.NewServer(tlsSrv.Config.Handler)
	t.Cleanup(plainSrv.Close)
	cfg := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig

	tests := []struct {
		name        string
		secureProxy bool
		target      *httptest.Server
		scheme      string
		wantUser    string
		userinfo    *url.Userinfo
		wantErr     bool
	}{
		{name: "ws through http proxy", target: plainSrv, scheme: "ws"},
		{name: "wss through http proxy", target: tlsSrv, scheme: "wss"},
		{name: "ws through https proxy", secureProxy: true, target: plainSrv, scheme: "ws"},
		{name: "wss through https proxy", secureProxy: true, target: tlsSrv, scheme: "wss"},
		{name: "credentials", target: plainSrv, scheme: "ws", wantUser: "al:ice", userinfo: url.UserPassword("al:ice", "s3cr:t")},
		{name: "wrong credentials", target: plainSrv, scheme: "ws", wantUser: "al:ice", userinfo: url.UserPassword("al:ice", "guess"), wantErr: true},
		{name: "no credentials", target: plainSrv, scheme: "ws", wantUser: "al:ice", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(chan string, 1)
			p := startProxy(t, tt.secureProxy, tt.wantUser, "s3cr:t", seen)
			proxyURL, _ := url.Parse(p.URL)
			proxyURL.User = tt.userinfo
			var asked *url.URL
			opts := &ClientOptions{TLSConfig: cfg, Proxy: func(r *http.Request) (*url.URL, error) {
				asked = r.URL
				return proxyURL, nil
			}}
			addr := tt.target.Listener.Addr().String()
			res, resp, err := Dial(ctxTimeout(t, 5*time.Second), tt.scheme+"://"+addr+"/p", opts)
			if got := receive(t, seen); got != addr {
				t.Errorf("proxy was asked for %q, want %q", got, addr)
			}
			if wantScheme := map[string]string{"ws": "http", "wss": "https"}[tt.scheme]; asked == nil || asked.Scheme != wantScheme {
				t.Errorf("Proxy was given URL %v, want scheme %s", asked, wantScheme)
			}
			if tt.wantErr {
				var pe *ProxyError
				if !errors.As(err, &pe) || pe.Status != http.StatusProxyAuthRequired || resp != nil {
					t.Fatalf("Dial = %v, %v; want a *ProxyError with 407 and no response", resp, err)
				}
				if got := pe.Response.Header.Get("Proxy-Authenticate"); got != `Basic realm="test"` {
					t.Errorf("the refusal's Proxy-Authenticate = %q", got)
				}
				if body, _ := io.ReadAll(pe.Response.Body); string(body) != "who are you\n" {
					t.Errorf("the refusal's body = %q", body)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			res.Conn.Close()
		})
	}
}

func TestDialOptionsRefused(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts ClientOptions
	}{
		{name: "CR LF in value", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"X-A": {"a\r\nX-Evil: 1"}}}},
		{name: "LF in value", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"X-A": {"a\nb"}}}},
		{name: "NUL in value", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"X-A": {"a\x00b"}}}},
		{name: "bad header name", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"X-A: b\r\nX-B": {"c"}}}},
		{name: "Upgrade", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"Upgrade": {"h2c"}}}},
		{name: "Connection", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"Connection": {"close"}}}},
		{name: "key", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"Sec-WebSocket-Key": {sampleKey}}}},
		{name: "key, lower case", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"sec-websocket-key": {sampleKey}}}},
		{name: "version", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"Sec-WebSocket-Version": {"8"}}}},
		{name: "extensions", url: "ws://127.0.0.1/", opts: ClientOptions{Header: http.Header{"Sec-WebSocket-Extensions": {"x"}}}},
		{
			name: "protocol header beside Subprotocols", url: "ws://127.0.0.1/",
			opts: ClientOptions{Subprotocols: []string{"a"}, Header: http.Header{"Sec-WebSocket-Protocol": {"b"}}},
		},
		{name: "subprotocol with space", url: "ws://127.0.0.1/", opts: ClientOptions{Subprotocols: []string{"a b"}}},
		{name: "subprotocol with CRLF", url: "ws://127.0.0.1/", opts: ClientOptions{Subprotocols: []string{"a\r\nX: y"}}},
		{name: "empty subprotocol", url: "ws://127.0.0.1/", opts: ClientOptions{Subprotocols: []string{""}}},
		{name: "duplicate subprotocol", url: "ws://127.0.0.1/", opts: ClientOptions{Subprotocols: []string{"a", "a"}}},
		{name: "scheme", url: "ftp://127.0.0.1/"},
		{name: "no host", url: "ws:///path"},
		{name: "fragment", url: "ws://127.0.0.1/#frag"},
		{name: "empty fragment", url: "ws://127.0.0.1/#"},
		{name: "not a URL", url: "ws://[::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialed := false
			tt.opts.Proxy = noProxy
			tt.opts.NetDialContext = func(context.Context, string, string) (net.Conn, error) {
				dialed = true
				return nil, errors.New("must not dial")
			}
			_, resp, err := Dial(t.Context(), tt.url, &tt.opts)
			if err == nil || resp != nil || !strings.HasPrefix(err.Error(), "handshake: ") {
				t.Errorf("Dial = %v, %v; want a handshake error", resp, err)
			}
			if dialed {
				t.Error("Dial reached the network despite bad options")
			}
		})
	}
}

func TestDialAddress(t *testing.T) {
	tests := []struct {
		name, url, addr, host string
	}{
		{name: "ws default port", url: "ws://example.com/a", addr: "example.com:80", host: "example.com"},
		{name: "wss default port", url: "wss://example.com", addr: "example.com:443", host: "example.com"},
		{name: "http maps to ws", url: "http://example.com", addr: "example.com:80", host: "example.com"},
		{name: "https maps to wss", url: "HTTPS://example.com", addr: "example.com:443", host: "example.com"},
		{name: "explicit port", url: "ws://example.com:8080", addr: "example.com:8080", host: "example.com:8080"},
		{name: "IPv6", url: "wss://[::1]:9000/x", addr: "[::1]:9000", host: "[::1]:9000"},
		{name: "IPv6 default port", url: "ws://[::1]/x", addr: "[::1]:80", host: "[::1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr string
			var hostLine string
			dialed := errors.New("dialed")
			opts := &ClientOptions{
				Proxy: noProxy,
				NetDialContext: func(_ context.Context, network, a string) (net.Conn, error) {
					addr = a
					if network != "tcp" {
						t.Errorf("network %q", network)
					}
					return nil, dialed
				},
			}
			_, _, err := Dial(t.Context(), tt.url, opts)
			if !errors.Is(err, dialed) || addr != tt.addr {
				t.Errorf("dialed %q (%v), want %q", addr, err, tt.addr)
			}
			tgt, err := parseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			hostLine = string(appendRequest(nil, tgt, sampleKey, &ClientOptions{}))
			if !strings.Contains(hostLine, "\r\nHost: "+tt.host+"\r\n") {
				t.Errorf("request %q lacks Host: %s", hostLine, tt.host)
			}
		})
	}
}

// A response cut short at any byte before its blank line reads as
// io.ErrUnexpectedEOF, or as the error that ended the stream (a reset), not
// as a malformed response: the connection ended.
func TestReadResponseCutShort(t *testing.T) {
	full := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + sampleAccept + "\r\n\r\n"
	reset := errors.New("connection reset by peer")
	for n := range len(full) {
		_, _, err := readResponse(strings.NewReader(full[:n]), http.MethodGet)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("response cut after %d bytes: %v, want io.ErrUnexpectedEOF", n, err)
		}
		r := io.MultiReader(strings.NewReader(full[:n]), iotest.ErrReader(reset))
		if _, _, err := readResponse(r, http.MethodGet); !errors.Is(err, reset) {
			t.Fatalf("response reset after %d bytes: %v, want %v", n, err, reset)
		}
	}
	if _, _, err := readResponse(strings.NewReader(full), http.MethodGet); err != nil {
		t.Fatalf("whole response: %v", err)
	}
}

func FuzzReadResponse(f *testing.F) {
	good := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + sampleAccept + "\r\n"
	for _, s := range []string{
		good + "\r\n",
		good + "\r\n\x81\x05Hello",
		good + "Sec-WebSocket-Protocol: chat\r\n\r\n",
		good + "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\"\r\n\r\n",
		"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope.",
		"HTTP/1.0 101 OK\r\n\r\n",
		"HTTP/1.1 101\r\nUpgrade: websocket\r\n Connection: upgrade\r\n\r\n",
		"garbage",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := &countingReader{r: bytes.NewReader(data)}
		resp, buffered, err := readResponse(cr, http.MethodGet)
		if cr.n > maxResponseHeader {
			t.Fatalf("read %d bytes, more than the %d allowed", cr.n, maxResponseHeader)
		}
		if err != nil {
			return
		}
		if !bytes.HasSuffix(data, buffered) {
			t.Fatalf("buffered %q is not the tail of the input", buffered)
		}
		if err := CheckResponse(resp, sampleKey); err != nil {
			var he *Error
			if !errors.As(err, &he) || he.Status != resp.StatusCode {
				t.Fatalf("CheckResponse error %v is not an *Error with the status", err)
			}
			keepBody(resp)
			if b, _ := io.ReadAll(resp.Body); len(b) > maxRefusalBody {
				t.Fatalf("kept a body of %d bytes", len(b))
			}
			return
		}
		if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != sampleAccept {
			t.Fatalf("CheckResponse accepted %d %v", resp.StatusCode, resp.Header)
		}
	})
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestAppendRequestHeaders(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		header  http.Header
		want    []string // lines the request must hold
		notWant []string
	}{
		{
			name: "Host override", url: "ws://10.0.0.1:8080/", header: http.Header{"host": {"chat.example.com"}},
			want: []string{"Host: chat.example.com"}, notWant: []string{"Host: 10.0.0.1:8080", "host: "},
		},
		{
			name: "caller's Authorization", url: "ws://example.com/", header: http.Header{"Authorization": {"Bearer t"}},
			want: []string{"Authorization: Bearer t"},
		},
		{
			name: "query kept, empty path is /", url: "ws://example.com?a=1&b=%20",
			want: []string{"GET /?a=1&b=%20 HTTP/1.1"},
		},
		{
			name: "escaped path kept", url: "ws://example.com/a%2Fb/c%20d",
			want: []string{"GET /a%2Fb/c%20d HTTP/1.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &ClientOptions{Header: tt.header}
			if err := checkClientOptions(opts); err != nil {
				t.Fatal(err)
			}
			tgt, err := parseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			req := string(appendRequest(nil, tgt, sampleKey, opts))
			for _, line := range tt.want {
				if !strings.Contains(req, "\r\n"+line+"\r\n") && !strings.HasPrefix(req, line+"\r\n") {
					t.Errorf("request %q lacks line %q", req, line)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(req, s) {
					t.Errorf("request %q holds %q", req, s)
				}
			}
			if _, err := http.ReadRequest(bufio.NewReader(strings.NewReader(req))); err != nil {
				t.Errorf("request does not parse: %v", err)
			}
		})
	}
}

// Bytes a proxy sends right behind its 200 belong to the tunnel.
func TestConnectProxyBuffered(t *testing.T) {
	client, proxy := net.Pipe()
	defer client.Close()
	go func() {
		defer proxy.Close()
		br := bufio.NewReader(proxy)
		req, err := http.ReadRequest(br)
		if err != nil || req.Method != http.MethodConnect || req.Host != "target:1" {
			t.Errorf("proxy got %v, %v", req, err)
			return
		}
		io.WriteString(proxy, "HTTP/1.1 200 OK\r\n\r\nearly")
		io.WriteString(proxy, "late")
	}()
	p, _ := url.Parse("http://proxy:3128")
	c, err := connectProxy(t.Context(), client, p, "target:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	if string(got) != "earlylate" {
		t.Errorf("tunnel read %q, want %q", got, "earlylate")
	}
}
