package handshake

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// h2Request returns an extended CONNECT for a WebSocket as net/http's HTTP/2
// server hands it to a handler (RFC 8441 §5.1, without Origin).
func h2Request(edit func(r *http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodConnect, "https://server.example.com/chat", nil)
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	r.Header.Set(":protocol", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Protocol", "chat, superchat")
	if edit != nil {
		edit(r)
	}
	return r
}

func TestCheckExtendedConnect(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *http.Request)
		status int // 0: accepted
	}{
		{name: "RFC 8441 §5.1 example"},
		{name: "a Sec-WebSocket-Key is ignored (§5)", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "not even base64") }},
		{name: "GET", edit: func(r *http.Request) { r.Method = http.MethodGet }, status: 405},
		{name: "no :protocol", edit: func(r *http.Request) { r.Header.Del(":protocol") }, status: 400},
		{name: "another :protocol", edit: func(r *http.Request) { r.Header.Set(":protocol", "webtransport") }, status: 400},
		{name: ":protocol in upper case", edit: func(r *http.Request) { r.Header.Set(":protocol", "WebSocket") }, status: 400},
		{name: "Connection (§5: MUST NOT)", edit: func(r *http.Request) { r.Header.Set("Connection", "Upgrade") }, status: 400},
		{name: "Upgrade (§5: MUST NOT)", edit: func(r *http.Request) { r.Header.Set("Upgrade", "websocket") }, status: 400},
		{name: "no :authority", edit: func(r *http.Request) { r.Host = "" }, status: 400},
		{name: "version 8", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, status: 426},
		{name: "no version", edit: func(r *http.Request) { r.Header.Del("Sec-WebSocket-Version") }, status: 426},
		{name: "malformed subprotocols", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Protocol", "chat;x") }, status: 400},
		{name: "malformed extensions", edit: func(r *http.Request) { r.Header.Set("Sec-WebSocket-Extensions", "permessage-deflate;;") }, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequest(h2Request(tt.edit))
			var he *Error
			switch {
			case tt.status == 0 && err != nil:
				t.Errorf("CheckRequest = %v, want nil", err)
			case tt.status != 0 && (!errors.As(err, &he) || he.Status != tt.status):
				t.Errorf("CheckRequest = %v, want an *Error with %d", err, tt.status)
			}
		})
	}
}

// TestAcceptStream: over HTTP/2 Accept answers 200 with the RFC 6455 fields
// that still apply (§5) and none of those superseded, and hands over the
// stream; a refusal ends the stream, not the connection.
func TestAcceptStream(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("Set-Cookie", "a=b")
	w.Header().Set("Upgrade", "h2c") // the handshake's own field: dropped
	offer := "permessage-deflate; client_max_window_bits"
	r := h2Request(func(r *http.Request) { r.Header.Set("Sec-WebSocket-Extensions", offer) })
	opts := &ServerOptions{Subprotocols: []string{"superchat"}, Deflate: &DeflateOptions{}}
	_, answer := negotiateDeflate([]string{offer}, opts.Deflate) // as over HTTP/1.1
	res, err := Accept(w, r, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stream == nil || res.Conn != nil {
		t.Fatalf("Result has Stream %v and Conn %v, want a Stream only", res.Stream, res.Conn)
	}
	if w.Code != http.StatusOK || !w.Flushed {
		t.Errorf("status %d, flushed %v; want 200, flushed", w.Code, w.Flushed)
	}
	want := http.Header{
		"Set-Cookie":               {"a=b"},
		"Sec-Websocket-Protocol":   {"superchat"},
		"Sec-Websocket-Extensions": {extensionsValue(answer)},
	}
	if diff := cmp.Diff(want, w.Result().Header); diff != "" {
		t.Errorf("response header (-want +got):\n%s", diff)
	}
	if res.Deflate == nil || res.Subprotocol != "superchat" {
		t.Errorf("Result: Deflate %v, Subprotocol %q", res.Deflate, res.Subprotocol)
	}

	for _, tt := range []struct {
		edit   func(r *http.Request)
		status int
		header http.Header
	}{
		{func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, 426, http.Header{"Sec-Websocket-Version": {"13"}}},
		{func(r *http.Request) { r.Method = http.MethodGet }, 405, http.Header{"Allow": {"CONNECT"}}},
		{func(r *http.Request) { r.Header.Set("Origin", "https://elsewhere.example") }, 403, http.Header{}},
	} {
		w := httptest.NewRecorder()
		w.Header().Set("Upgrade", "h2c")
		if _, err := Accept(w, h2Request(tt.edit), nil); err == nil {
			t.Fatalf("Accept took a request it should refuse with %d", tt.status)
		}
		got := w.Result().Header
		for _, name := range []string{"Content-Type", "X-Content-Type-Options"} {
			got.Del(name)
		}
		// No "Connection: close" (net/http's HTTP/2 server would end
		// the whole connection) and no Upgrade (malformed in HTTP/2).
		if w.Code != tt.status || !cmp.Equal(tt.header, got) {
			t.Errorf("refusal: %d %v, want %d %v", w.Code, got, tt.status, tt.header)
		}
	}
}

func TestCheckStreamResponse(t *testing.T) {
	offer := &ClientOptions{Subprotocols: []string{"chat"}, Deflate: &DeflateOptions{}}
	tests := []struct {
		name    string
		status  int
		major   int
		header  http.Header
		opts    *ClientOptions
		wantErr bool
	}{
		{name: "200", status: 200, major: 2, opts: &ClientOptions{}},
		{name: "200 with subprotocol and deflate", status: 200, major: 2, opts: offer, header: http.Header{
			"Sec-Websocket-Protocol":   {"chat"},
			"Sec-Websocket-Extensions": {"permessage-deflate; client_no_context_takeover"},
		}},
		{name: "404", status: 404, major: 2, opts: &ClientOptions{}, wantErr: true},
		{name: "over HTTP/1.1", status: 200, major: 1, opts: &ClientOptions{}, wantErr: true},
		{name: "a subprotocol not offered", status: 200, major: 2, opts: &ClientOptions{}, header: http.Header{"Sec-Websocket-Protocol": {"chat"}}, wantErr: true},
		{name: "an extension not offered", status: 200, major: 2, opts: &ClientOptions{}, header: http.Header{"Sec-Websocket-Extensions": {"permessage-deflate"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			resp := &http.Response{StatusCode: tt.status, ProtoMajor: tt.major, Header: h}
			_, _, _, err := checkStreamResponse(resp, tt.opts)
			var he *Error
			if tt.wantErr != (err != nil) || err != nil && (!errors.As(err, &he) || he.Status != tt.status) {
				t.Errorf("checkStreamResponse = %v, want an error with the status: %v", err, tt.wantErr)
			}
		})
	}
}

// TestStreamWriteDeadline: a write deadline cuts short the write under way
// (the stream is reset), but one that passes between writes harms nothing:
// net/http's own write deadline would have reset an idle stream.
func TestStreamWriteDeadline(t *testing.T) {
	pr, pw := io.Pipe()
	s := &Stream{body: io.NopCloser(strings.NewReader("")), pw: pw}
	go io.Copy(io.Discard, io.LimitReader(pr, 5))
	s.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := s.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // the deadline passes while no write is under way
	s.SetWriteDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Write([]byte("world")) // nobody reads: it blocks
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the write returned %v while nobody reads", err)
	default:
	}
	s.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("the blocked write returned %v, want an error wrapping os.ErrDeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write deadline did not end the blocked write")
	}
	if _, err := s.Write([]byte("!")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a write after the deadline returned %v, want os.ErrDeadlineExceeded", err)
	}
	s.Close()
	pr.Close()
}

// TestDialStreamNeedsHTTP2: a server that does not speak HTTP/2 is named as
// such, and ws:// is refused (net/http speaks HTTP/2 over TLS only).
func TestDialStreamNeedsHTTP2(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler()) // HTTP/1.1 only
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()
	ctx := ctxTimeout(t, 5*time.Second)
	_, _, err := Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https"), &ClientOptions{HTTP2: tr})
	if err == nil || !strings.Contains(err.Error(), "did not agree to HTTP/2") {
		t.Errorf("Dial to an HTTP/1.1 server: %v, want an error saying it does not speak HTTP/2", err)
	}
	_, _, err = Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "https"), &ClientOptions{HTTP2: tr})
	if err == nil || !strings.Contains(err.Error(), "wss://") {
		t.Errorf("Dial ws:// over HTTP/2: %v, want an error asking for wss://", err)
	}
}
