package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// Full duplex: any number of goroutines send on one connection while another
// receives.
func ExampleConn() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()

	var senders sync.WaitGroup
	for i := range 3 {
		senders.Go(func() { ws.SendText(ctx, fmt.Sprint("from sender ", i)) })
	}
	var got []string
	for range 3 {
		msg, err := ws.ReceiveTimeout(5 * time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		got = append(got, msg.Text())
	}
	senders.Wait()
	slices.Sort(got) // the senders raced: their messages arrive in some order, each whole
	fmt.Println(strings.Join(got, ", "))
	// Output: from sender 0, from sender 1, from sender 2
}

// Receive in a loop until the peer closes: every message sent before the
// close frame comes first.
func ExampleConn_Receive() {
	server, client := examplePair()
	defer client.CloseNow()
	ctx := context.Background()
	closed := make(chan error)
	go func() {
		server.SendText(ctx, "one")
		server.SendText(ctx, "two")
		closed <- server.Close(conn.StatusNormalClosure, "that is all")
	}()
	for {
		msg, err := client.Receive(ctx)
		if err != nil {
			code, _ := conn.CloseStatus(err)
			fmt.Println("closed by the peer:", code)
			break
		}
		fmt.Println(msg.Text())
	}
	fmt.Println(<-closed)
	// Output:
	// one
	// two
	// closed by the peer: 1000 normal closure
	// <nil>
}

// Send takes the type as an argument, for code that forwards messages; a
// text that is not UTF-8 is refused and nothing is sent.
func ExampleConn_Send() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()

	fmt.Println(ws.Send(ctx, conn.Text, []byte{0xff, 0xfe}))
	fmt.Println(ws.Send(ctx, conn.Binary, []byte{0xff, 0xfe}))
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(msg.Type, msg.Data, err)
	// Output:
	// conn: text message is not valid UTF-8
	// <nil>
	// binary [255 254] <nil>
}

func ExampleConn_SendText() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	if err := ws.SendText(context.Background(), "Olá!"); err != nil {
		fmt.Println(err)
		return
	}
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(msg.Type, msg.Text(), err)
	// Output: text Olá! <nil>
}

func ExampleConn_SendBinary() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	if err := ws.SendBinary(context.Background(), []byte{0xca, 0xfe}); err != nil {
		fmt.Println(err)
		return
	}
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Printf("%s % x %v\n", msg.Type, msg.Data, err)
	// Output: binary ca fe <nil>
}

// Writer sends a message whose size is not known in advance, in fragments;
// the peer receives it whole.
func ExampleConn_Writer() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	w, err := ws.Writer(ctx, conn.Text)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, part := range []string{"one message, ", "three ", "frames"} {
		io.WriteString(w, part) // one frame each
	}
	if err := w.Close(); err != nil { // the final frame
		fmt.Println(err)
		return
	}
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(msg.Text(), err)
	// Output: one message, three frames <nil>
}

// Reader takes a message as it arrives, never held whole: here 2 MiB, over
// the 1 MiB ReadLimit, which StreamLimit allows.
func ExampleConn_Reader() {
	a, b := net.Pipe()
	server := conn.New(a, nil, frame.Server, nil)
	client := conn.New(b, nil, frame.Client, &conn.Options{StreamLimit: 4 << 20})
	defer server.CloseNow()
	defer client.CloseNow()
	ctx := context.Background()

	sent := make(chan error)
	go func() {
		w, err := server.Writer(ctx, conn.Binary)
		if err != nil {
			sent <- err
			return
		}
		chunk := make([]byte, 64<<10)
		for range 32 {
			w.Write(chunk)
		}
		sent <- w.Close()
	}()
	r, err := client.Reader(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := io.Copy(io.Discard, r) // or to a file, a hash, a decoder
	fmt.Println(r.Type, n, err, <-sent)
	// Output: binary 2097152 <nil> <nil>
}

// Ping measures the round trip to the peer, which answers on its own.
func ExampleConn_Ping() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rtt, err := ws.Ping(ctx, []byte("are you there?"))
	fmt.Println(rtt > 0, err)
	// Output: true <nil>
}

// Close runs the closing handshake; the connection is then finished for
// every method.
func ExampleConn_Close() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	fmt.Println(ws.Close(conn.StatusNormalClosure, "bye")) // the server answered
	err = ws.SendText(context.Background(), "too late")
	fmt.Println(errors.Is(err, conn.ErrClosed))
	fmt.Println(ws.Close(conn.StatusNormalClosure, "bye")) // the same result again
	// Output:
	// <nil>
	// true
	// <nil>
}

// CloseNow drops the connection without a handshake; deferred, it makes sure
// a connection ends on every path. The peer sees no close frame.
func ExampleConn_CloseNow() {
	server, client := examplePair()
	defer server.CloseNow()
	fmt.Println(client.CloseNow())
	_, err := client.ReceiveTimeout(time.Second)
	fmt.Println(errors.Is(err, conn.ErrClosed))
	_, err = server.ReceiveTimeout(5 * time.Second)
	_, sentClose := conn.CloseStatus(err)
	fmt.Println(errors.Is(err, conn.ErrClosed), sentClose)
	// Output:
	// <nil>
	// true
	// true false
}

// Done tells a goroutine that does not receive that the connection has
// ended: here a producer that must stop then.
func ExampleConn_Done() {
	server, client := examplePair()
	defer client.CloseNow()
	ctx := context.Background()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ticker := time.NewTicker(time.Hour)
		defer ticker.Stop()
		for {
			select {
			case <-client.Done():
				return
			case <-ticker.C:
				client.SendText(ctx, "tick")
			}
		}
	}()
	fmt.Println(server.Close(conn.StatusGoingAway, "restart")) // the client's reader answers it
	<-stopped
	_, err := client.Receive(ctx)
	fmt.Println(err)
	// Output:
	// <nil>
	// conn: peer closed the connection: 1001 going away: restart
}

// LocalAddr is this end's address.
func ExampleConn_LocalAddr() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	host, _, err := net.SplitHostPort(ws.LocalAddr().String())
	fmt.Println(ws.LocalAddr().Network(), host, err)
	// Output: tcp 127.0.0.1 <nil>
}

// The server names the subprotocols it speaks, the client those it wants;
// both ends learn the choice.
func ExampleConn_Subprotocol() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{Subprotocols: []string{"chat.v2", "chat.v1"}})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ws.SendText(context.Background(), "server speaks "+ws.Subprotocol())
		ws.Receive(context.Background()) // until the client closes
	}))
	defer srv.Close()

	opts := &conn.DialOptions{Subprotocols: []string{"chat.v1"}}
	ws, _, err := conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(ws.Subprotocol(), "|", msg.Text(), err)
	fmt.Println(ws.Close(conn.StatusNormalClosure, ""))
	// Output:
	// chat.v1 | server speaks chat.v1 <nil>
	// <nil>
}

// A server whose page is served from another host lets that origin in; a
// page from anywhere else is refused with 403.
func ExampleAcceptOptions() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{
			OriginPatterns: []string{"app.example.com"},
			ReadLimit:      64 << 10,
		})
		if err != nil {
			return
		}
		ws.Close(conn.StatusNormalClosure, "")
	}))
	defer srv.Close()

	for _, origin := range []string{"https://app.example.com", "https://elsewhere.example"} {
		opts := &conn.DialOptions{Header: http.Header{"Origin": {origin}}}
		ws, _, err := conn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), opts)
		var refused *handshake.Error
		switch {
		case errors.As(err, &refused):
			fmt.Println(origin, "refused:", refused.Status)
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(origin, "accepted")
			ws.CloseNow()
		}
	}
	// Output:
	// https://app.example.com accepted
	// https://elsewhere.example refused: 403
}

// Credentials go in a header; the response comes back even when the server
// refuses.
func ExampleDialOptions() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret" {
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		echo(w, r)
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	ctx := context.Background()

	_, resp, err := conn.Dial(ctx, url, nil)
	fmt.Println(resp.StatusCode, err != nil)
	ws, resp, err := conn.Dial(ctx, url, &conn.DialOptions{
		Header:       http.Header{"Authorization": {"Bearer secret"}},
		CloseTimeout: 2 * time.Second,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()
	fmt.Println(resp.StatusCode, ws.Close(conn.StatusNormalClosure, ""))
	// Output:
	// 401 true
	// 101 <nil>
}

// With Compression on both sides, permessage-deflate is agreed and messages
// of at least the threshold travel compressed; the application sees the same
// messages.
func ExampleCompression() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{Compression: &conn.Compression{}})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			msg, err := ws.Receive(context.Background())
			if err != nil || ws.Send(context.Background(), msg.Type, msg.Data) != nil {
				return
			}
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	ws, resp, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &conn.DialOptions{
		Compression: &conn.Compression{Threshold: conn.DefaultCompressionThreshold},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()
	fmt.Println(resp.Header.Get("Sec-WebSocket-Extensions"))
	long := strings.Repeat("all work and no play ", 100)
	ws.SendText(ctx, long)
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(msg.Text() == long, err)
	// Output:
	// permessage-deflate; server_no_context_takeover; client_no_context_takeover
	// true <nil>
}

// Options sets the limits of a connection made by New. A message over
// ReadLimit fails the connection with 1009 before its payload is read.
func ExampleOptions() {
	fmt.Println("defaults:", conn.DefaultReadLimit, conn.DefaultQueueSize, conn.DefaultCloseTimeout)
	a, b := net.Pipe()
	server := conn.New(a, nil, frame.Server, &conn.Options{ReadLimit: 8, CloseTimeout: time.Second})
	client := conn.New(b, nil, frame.Client, nil)
	defer server.CloseNow()
	defer client.CloseNow()
	ctx := context.Background()

	client.SendText(ctx, "more than eight bytes")
	_, err := server.ReceiveTimeout(5 * time.Second)
	var violation *frame.ProtocolError
	if errors.As(err, &violation) { // the server failed the connection
		fmt.Println(errors.Is(err, conn.ErrClosed), violation.Code)
	}
	_, err = client.ReceiveTimeout(5 * time.Second)
	fmt.Println(err)
	// Output:
	// defaults: 1048576 16 5s
	// true 1009 message too big
	// conn: peer closed the connection: 1009 message too big
}

// The peer's close frame is a *CloseError, after the messages sent before it.
func ExampleCloseError() {
	server, client := examplePair()
	defer server.CloseNow()
	closed := make(chan error)
	go func() { closed <- client.Close(conn.StatusGoingAway, "app update") }()

	_, err := server.Receive(context.Background())
	var ce *conn.CloseError
	if errors.As(err, &ce) {
		fmt.Println(uint16(ce.Code), ce.Reason)
	}
	fmt.Println(<-closed)
	// Output:
	// 1001 app update
	// <nil>
}

func ExampleCloseError_Error() {
	err := &conn.CloseError{Code: conn.StatusPolicyViolation, Reason: "too fast"}
	fmt.Println(err)
	// Output: conn: peer closed the connection: 1008 policy violation: too fast
}

// Every ending matches ErrClosed, the peer's close frame included: one test
// tells whether a connection is finished.
func ExampleCloseError_Is() {
	var err error = &conn.CloseError{Code: conn.StatusNormalClosure}
	fmt.Println(errors.Is(err, conn.ErrClosed))
	fmt.Println(errors.Is(fmt.Errorf("chat: %w", err), conn.ErrClosed))
	// Output:
	// true
	// true
}

// A Message is the type and the payload; Text reads a text message.
func ExampleMessage() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	ws.SendText(ctx, "hello")
	ws.SendBinary(ctx, []byte{1, 2})
	for range 2 {
		msg, err := ws.ReceiveTimeout(5 * time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch msg.Type {
		case conn.Text:
			fmt.Println("text:", msg.Text())
		case conn.Binary:
			fmt.Println("binary:", msg.Data)
		}
	}
	// Output:
	// text: hello
	// binary: [1 2]
}

func ExampleMessage_Text() {
	msg := conn.Message{Type: conn.Text, Data: []byte("Olá")}
	fmt.Println(msg.Text(), len(msg.Data))
	// Output: Olá 4
}

// Forwarding keeps the type of each message.
func ExampleMessageType() {
	server, client := examplePair()
	defer server.CloseNow()
	defer client.CloseNow()
	ctx := context.Background()
	for _, m := range []conn.Message{{Type: conn.Binary, Data: []byte{7}}, {Type: conn.Text, Data: []byte("seven")}} {
		client.Send(ctx, m.Type, m.Data)
		got, _ := server.ReceiveTimeout(5 * time.Second)
		fmt.Println(got.Type == m.Type, got.Type)
	}
	// Output:
	// true binary
	// true text
}

func ExampleMessageType_String() {
	fmt.Println(conn.Text, conn.Binary, conn.MessageType(9))
	// Output: text binary MessageType(9)
}

// A MessageReader is an io.Reader over one message.
func ExampleMessageReader() {
	ws, done, err := dialEcho()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	ws.SendText(ctx, "line one\nline two\n")
	r, err := ws.Reader(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := io.ReadAll(r)
	fmt.Printf("%s %q %v\n", r.Type, b, err)
	// Output: text "line one\nline two\n" <nil>
}

// Read gives the bytes of a message as they arrive.
func ExampleMessageReader_Read() {
	server, client := examplePair()
	defer server.CloseNow()
	defer client.CloseNow()
	ctx := context.Background()
	go server.SendText(ctx, "streamed")

	r, err := client.Reader(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]byte, 4)
	for {
		n, err := io.ReadFull(r, buf)
		fmt.Printf("%q %v\n", buf[:n], err)
		if err != nil {
			break
		}
	}
	// Output:
	// "stre" <nil>
	// "amed" <nil>
	// "" EOF
}

// A Read that times out loses nothing: with a new context, the next Read goes
// on where it stopped.
func ExampleMessageReader_SetContext() {
	server, client := examplePair()
	defer server.CloseNow()
	defer client.CloseNow()
	ctx := context.Background()
	next, sent := make(chan struct{}), make(chan error)
	go func() {
		w, err := server.Writer(ctx, conn.Text)
		if err != nil {
			sent <- err
			return
		}
		io.WriteString(w, "first half, ")
		<-next
		io.WriteString(w, "second half")
		sent <- w.Close()
	}()

	r, err := client.Reader(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	first := make([]byte, len("first half, "))
	io.ReadFull(r, first)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	r.SetContext(short)
	_, err = r.Read(make([]byte, 10))
	fmt.Println(string(first), errors.Is(err, context.DeadlineExceeded))

	close(next)
	r.SetContext(ctx)
	rest, err := io.ReadAll(r)
	fmt.Println(string(rest), err, <-sent)
	// Output:
	// first half,  true
	// second half <nil> <nil>
}

// conn.StatusCode is frame.StatusCode: the codes of either package mix.
func ExampleStatusCode() {
	var code conn.StatusCode = frame.StatusTryAgainLater
	fmt.Println(code == conn.StatusTryAgainLater, code, code.ValidOnWire())
	// Output: true 1013 try again later true
}
