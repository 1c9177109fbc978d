package handshake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/handshake"
)

// streamPair opens a WebSocket over HTTP/2 and returns the client's stream;
// serve gets the server's, and the server's handler returns when serve
// does. stop closes both and the server. The process must run with
// GODEBUG=http2xconnect=1 (the tests of this package do).
func streamPair(serve func(s *handshake.Stream)) (client *handshake.Stream, stop func(), err error) {
	served := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer close(served)
		defer res.Stream.Close()
		serve(res.Stream)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/"
	res, _, err := handshake.Dial(ctx, url, &handshake.ClientOptions{HTTP2: tr})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return res.Stream, func() {
		res.Stream.Close()
		<-served
		tr.CloseIdleConnections()
		srv.Close()
	}, nil
}

// The client reads the server's unmasked "Hi" frame (RFC 6455 §5.7) from
// its stream.
func ExampleStream_Read() {
	s, stop, err := streamPair(func(s *handshake.Stream) {
		s.Write([]byte{0x81, 0x02, 'H', 'i'})
		io.Copy(io.Discard, s)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	frame := make([]byte, 4)
	n, err := io.ReadFull(s, frame)
	fmt.Printf("% x %d %v\n", frame[:n], n, err)
	// Output: 81 02 48 69 4 <nil>
}

// The client writes a masked "Hello" frame (RFC 6455 §5.7); the server
// reads it from its stream.
func ExampleStream_Write() {
	got := make(chan []byte, 1)
	s, stop, err := streamPair(func(s *handshake.Stream) {
		b := make([]byte, 11)
		io.ReadFull(s, b)
		got <- b
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	n, err := s.Write([]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})
	fmt.Println(n, err)
	fmt.Printf("% x\n", <-got)
	// Output:
	// 11 <nil>
	// 81 85 37 fa 21 3d 7f 9f 4d 51 58
}

// CloseWrite ends the client's side of the stream (END_STREAM): the server
// reads io.EOF, and can still answer.
func ExampleStream_CloseWrite() {
	s, stop, err := streamPair(func(s *handshake.Stream) {
		_, err := io.Copy(io.Discard, s) // returns nil at io.EOF
		fmt.Println("server: the client's side ended:", err == nil)
		s.Write([]byte{0x88, 0x00}) // an empty close frame
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	s.CloseWrite()
	b := make([]byte, 2)
	_, err = io.ReadFull(s, b)
	fmt.Printf("client: % x %v\n", b, err)
	// Output:
	// server: the client's side ended: true
	// client: 88 00 <nil>
}

// Close makes a Read that waits return.
func ExampleStream_Close() {
	s, stop, err := streamPair(func(s *handshake.Stream) { io.Copy(io.Discard, s) })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	read := make(chan error, 1)
	go func() {
		_, err := s.Read(make([]byte, 1)) // the server sends nothing
		read <- err
	}()
	s.Close()
	fmt.Println("the read returned an error:", <-read != nil)
	// Output: the read returned an error: true
}

// A write deadline bounds writes; one that passes resets the stream, so a
// write after it fails.
func ExampleStream_SetWriteDeadline() {
	s, stop, err := streamPair(func(s *handshake.Stream) { io.Copy(io.Discard, s) })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	s.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err = s.Write([]byte{0x89, 0x80, 1, 2, 3, 4}) // a masked, empty ping
	fmt.Println("before the deadline:", err)
	s.SetWriteDeadline(time.Now().Add(-time.Second))
	_, err = s.Write([]byte{0x89, 0x80, 1, 2, 3, 4})
	fmt.Println("after it:", errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// before the deadline: <nil>
	// after it: true
}

// The addresses are those of the HTTP/2 connection that carries the
// stream: every WebSocket on it shares them.
func ExampleStream_LocalAddr() {
	s, stop, err := streamPair(func(s *handshake.Stream) { io.Copy(io.Discard, s) })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	fmt.Println(s.LocalAddr().(*net.TCPAddr).IP.IsLoopback())
	// Output: true
}

func ExampleStream_RemoteAddr() {
	s, stop, err := streamPair(func(s *handshake.Stream) { io.Copy(io.Discard, s) })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	fmt.Println(s.RemoteAddr().(*net.TCPAddr).IP.IsLoopback())
	// Output: true
}
