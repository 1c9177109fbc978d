package conn_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/handshake"
)

// h2Server starts an HTTPS server that speaks HTTP/2 and runs serve on every
// WebSocket it accepts, and returns its wss:// URL and a client transport
// that speaks HTTP/2 only.
func h2Server(t testing.TB, opts *conn.AcceptOptions, serve func(ws *conn.Conn, r *http.Request)) (string, *http.Transport) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer ws.CloseNow() // the stream ends when the handler returns
		serve(ws, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return "wss" + strings.TrimPrefix(srv.URL, "https"), tr
}

// echoUntilEnd sends back every message until Receive fails, and returns
// that error.
func echoUntilEnd(ws *conn.Conn) error {
	ctx := context.Background()
	for {
		m, err := ws.Receive(ctx)
		if err != nil {
			return err
		}
		if err := ws.Send(ctx, m.Type, m.Data); err != nil {
			return err
		}
	}
}

func TestHTTP2Echo(t *testing.T) {
	type seen struct {
		Proto, Method, Protocol string
		Addrs                   string // the request's remote address and the stream's
		End                     error
	}
	got := make(chan seen, 1)
	url, tr := h2Server(t, nil, func(ws *conn.Conn, r *http.Request) {
		addrs := r.RemoteAddr + " " + ws.RemoteAddr().String()
		err := echoUntilEnd(ws)
		got <- seen{r.Proto, r.Method, r.Header.Get(":protocol"), addrs, err}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := conn.Dial(ctx, url+"/echo", &conn.DialOptions{HTTP2: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
		t.Errorf("response %s %d, want HTTP/2.0 200", resp.Proto, resp.StatusCode)
	}
	if remote := "wss://" + ws.RemoteAddr().String(); remote != url {
		t.Errorf("RemoteAddr %s, want the server's address (%s)", remote, url)
	}
	big := make([]byte, 300<<10) // larger than a flow-control window's first grant
	for i := range big {
		big[i] = byte(i * 7)
	}
	for _, m := range []conn.Message{{Type: conn.Text, Data: []byte("Hello!")}, {Type: conn.Binary, Data: big}, {Type: conn.Text, Data: []byte{}}} {
		if err := ws.Send(ctx, m.Type, m.Data); err != nil {
			t.Fatal(err)
		}
		back, err := ws.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if back.Type != m.Type || !cmp.Equal(back.Data, m.Data, cmp.Comparer(func(a, b []byte) bool { return string(a) == string(b) })) {
			t.Fatalf("echo of a %v message of %d bytes: got a %v message of %d bytes", m.Type, len(m.Data), back.Type, len(back.Data))
		}
	}
	if err := ws.Close(conn.StatusNormalClosure, "bye"); err != nil {
		t.Errorf("Close: %v", err)
	}
	s := <-got
	var ce *conn.CloseError
	if !errors.As(s.End, &ce) || ce.Code != conn.StatusNormalClosure || ce.Reason != "bye" {
		t.Errorf("the server's Receive ended with %v, want the close frame 1000 bye", s.End)
	}
	s.End = nil
	client := ws.LocalAddr().String()
	if diff := cmp.Diff(seen{Proto: "HTTP/2.0", Method: "CONNECT", Protocol: "websocket", Addrs: client + " " + client}, s); diff != "" {
		t.Errorf("the request the handler saw (-want +got):\n%s", diff)
	}
}

// TestHTTP2ReceiveTimeout: a Receive that times out, on either side of a
// WebSocket over HTTP/2, loses nothing and leaves the stream usable.
func TestHTTP2ReceiveTimeout(t *testing.T) {
	url, tr := h2Server(t, nil, func(ws *conn.Conn, r *http.Request) {
		timeouts := 0
		for {
			m, err := ws.ReceiveTimeout(5 * time.Millisecond)
			if errors.Is(err, context.DeadlineExceeded) {
				timeouts++
				continue
			}
			if err != nil {
				return
			}
			time.Sleep(30 * time.Millisecond) // the client's ReceiveTimeout gives up meanwhile
			ws.SendText(context.Background(), m.Text()+" after "+strconv.Itoa(min(timeouts, 1))+" timeouts")
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, url, &conn.DialOptions{HTTP2: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	var got []string
	for i := range 5 {
		time.Sleep(20 * time.Millisecond) // the server's ReceiveTimeout gives up meanwhile
		if err := ws.SendText(ctx, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.ReceiveTimeout(time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReceiveTimeout before the answer: %v, want context.DeadlineExceeded", err)
		}
		m, err := ws.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Text())
	}
	want := []string{"0 after 1 timeouts", "1 after 1 timeouts", "2 after 1 timeouts", "3 after 1 timeouts", "4 after 1 timeouts"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestHTTP2ManyStreams opens 100 WebSockets at once over one HTTP/2
// connection. 99 receive numbered messages and must get them all, in order;
// the other one never reads, and the server's sends to it must stop at what
// HTTP/2 flow control lets through, without holding up the others.
func TestHTTP2ManyStreams(t *testing.T) {
	const (
		streams   = 100
		messages  = 200
		stallSize = 64 << 10
		stallMax  = 1000 // 64 MiB: far beyond any window
	)
	var stallSent atomic.Int64
	var mu sync.Mutex
	remotes := map[string]int{}
	url, tr := h2Server(t, nil, func(ws *conn.Conn, r *http.Request) {
		mu.Lock()
		remotes[r.RemoteAddr]++
		mu.Unlock()
		ctx := context.Background()
		if r.URL.Path == "/stall" {
			payload := make([]byte, stallSize)
			for range stallMax {
				if ws.SendBinary(ctx, payload) != nil {
					return
				}
				stallSent.Add(1)
			}
			return
		}
		for i := range messages {
			if ws.SendText(ctx, strconv.Itoa(i)) != nil {
				return
			}
		}
		ws.Receive(ctx) // until the client closes
		// The answer to its close frame is on its way: the handler keeps
		// the stream until it has gone (CloseNow would wait one second
		// at most, which a loaded machine running the race detector can
		// exceed).
		<-ws.Done()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stalled, _, err := conn.Dial(ctx, url+"/stall", &conn.DialOptions{HTTP2: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.CloseNow()

	errs := make(chan error, streams-1)
	for range streams - 1 {
		go func() {
			errs <- func() error {
				ws, _, err := conn.Dial(ctx, url+"/count", &conn.DialOptions{HTTP2: tr})
				if err != nil {
					return err
				}
				defer ws.CloseNow()
				for i := range messages {
					m, err := ws.Receive(ctx)
					if err != nil {
						return fmt.Errorf("message %d: %w", i, err)
					}
					if m.Text() != strconv.Itoa(i) {
						return fmt.Errorf("message %d is %q", i, m.Text())
					}
				}
				return ws.Close(conn.StatusNormalClosure, "")
			}()
		}()
	}
	for range streams - 1 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// The stalled stream: its sends stop once the windows are full.
	before := int64(-1)
	for now := stallSent.Load(); now != before; now = stallSent.Load() {
		before = now
		time.Sleep(200 * time.Millisecond)
	}
	if before >= stallMax {
		t.Errorf("the server sent all %d messages of %d KiB to a client that reads none", stallMax, stallSize>>10)
	}
	t.Logf("the stalled stream took %d messages of %d KiB before flow control held it", before, stallSize>>10)
	mu.Lock()
	if len(remotes) != 1 {
		t.Errorf("the %d WebSockets came over %d connections, want 1: %v", streams, len(remotes), remotes)
	}
	mu.Unlock()
}

// TestHTTP2WithoutXConnect runs a server in a process without
// GODEBUG=http2xconnect=1, as most are: Dial over HTTP/2 reports that the
// server does not allow it, and Dial over HTTP/1.1 works as always.
func TestHTTP2WithoutXConnect(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHTTP2Helper$")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, noRerun+"=1", "WEBSOCKET_H2_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // the helper's cue to stop
		go io.Copy(io.Discard, stdout)
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper: %v", err)
		}
	}()
	sc := bufio.NewScanner(stdout)
	var url string
	for url == "" && sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = s
		}
	}
	if url == "" {
		t.Fatal("the helper printed no URL")
	}
	insecure := &tls.Config{InsecureSkipVerify: true} // the helper's test certificate
	tr := &http.Transport{TLSClientConfig: insecure, Protocols: new(http.Protocols)}
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, _, err = conn.Dial(ctx, url, &conn.DialOptions{HTTP2: tr})
	if !errors.Is(err, handshake.ErrNoExtendedConnect) {
		t.Errorf("Dial over HTTP/2: %v, want an error wrapping handshake.ErrNoExtendedConnect", err)
	}
	ws, resp, err := conn.Dial(ctx, url, &conn.DialOptions{TLSConfig: insecure})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("status %d, want 101", resp.StatusCode)
	}
	if err := ws.SendText(ctx, "over HTTP/1.1"); err != nil {
		t.Fatal(err)
	}
	if m, err := ws.Receive(ctx); err != nil || m.Text() != "over HTTP/1.1" {
		t.Errorf("echo: %q, %v", m.Text(), err)
	}
	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestHTTP2Helper is TestHTTP2WithoutXConnect's server, in its own process:
// it serves WebSockets over HTTPS with HTTP/2 on, prints its URL and serves
// until its standard input ends.
func TestHTTP2Helper(t *testing.T) {
	if os.Getenv("WEBSOCKET_H2_HELPER") == "" {
		t.Skip("run by TestHTTP2WithoutXConnect")
	}
	url, _ := h2Server(t, nil, func(ws *conn.Conn, r *http.Request) { echoUntilEnd(ws) })
	fmt.Println("URL " + url)
	io.Copy(io.Discard, os.Stdin)
}

// TestHTTP2IdleBeyondCloseTimeout: the stall bound on writes (CloseTimeout)
// holds while a write is under way only. net/http's own write deadline would
// reset an HTTP/2 stream that stays idle past it.
func TestHTTP2IdleBeyondCloseTimeout(t *testing.T) {
	const closeTimeout = 50 * time.Millisecond
	url, tr := h2Server(t, &conn.AcceptOptions{CloseTimeout: closeTimeout}, func(ws *conn.Conn, r *http.Request) {
		echoUntilEnd(ws)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, url, &conn.DialOptions{HTTP2: tr, CloseTimeout: closeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for i := range 3 {
		if err := ws.SendText(ctx, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if m, err := ws.Receive(ctx); err != nil || m.Text() != strconv.Itoa(i) {
			t.Fatalf("echo %d: %q, %v", i, m.Text(), err)
		}
		time.Sleep(4 * closeTimeout)
	}
	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestHTTP2StalledPeerFails: a peer that stops reading while the server has
// data for it is failed after CloseTimeout, as over TCP; its stream is reset.
func TestHTTP2StalledPeerFails(t *testing.T) {
	sendErr := make(chan error, 1)
	url, tr := h2Server(t, &conn.AcceptOptions{CloseTimeout: 200 * time.Millisecond}, func(ws *conn.Conn, r *http.Request) {
		payload := make([]byte, 64<<10)
		for {
			if err := ws.SendBinary(context.Background(), payload); err != nil {
				sendErr <- err
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, url, &conn.DialOptions{HTTP2: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	select {
	case err := <-sendErr:
		if !errors.Is(err, conn.ErrClosed) {
			t.Errorf("Send to a peer that reads nothing: %v, want an error wrapping ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("the server still sends to a peer that reads nothing")
	}
}
