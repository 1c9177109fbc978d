package conn_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
)

// echo answers every message with the same message, until the client leaves.
func echo(w http.ResponseWriter, r *http.Request) {
	ws, err := conn.Accept(w, r, nil)
	if err != nil {
		return // Accept has already answered the request
	}
	defer ws.CloseNow()
	ctx := context.Background()
	for {
		msg, err := ws.Receive(ctx)
		if err != nil {
			return
		}
		if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
			return
		}
		msg.Release() // Send keeps nothing of msg.Data: its buffer can serve the next message
	}
}

// A server handler: the seed's first example, receiving with a timeout in a
// loop and answering each message.
func ExampleAccept() {
	http.HandleFunc("/connect", func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{
			Ping: ping.Policy{Interval: 20 * time.Second, Timeout: 10 * time.Second},
		})
		if err != nil {
			return // Accept has already answered the request
		}
		defer ws.CloseNow()
		for {
			msg, err := ws.ReceiveTimeout(30 * time.Second)
			if errors.Is(err, context.DeadlineExceeded) {
				ws.Close(conn.StatusNormalClosure, "idle")
				return
			}
			if err != nil {
				return // the client left
			}
			log.Printf("received %q", msg.Text())
			if err := ws.SendText(context.Background(), "Hello!"); err != nil {
				return
			}
		}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}

// A client talking to an echo server running in the same process.
func ExampleDial() {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()

	ctx := context.Background()
	ws, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()

	if err := ws.SendText(ctx, "Olá!"); err != nil {
		fmt.Println(err)
		return
	}
	msg, err := ws.Receive(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Text())
	fmt.Println(ws.Close(conn.StatusNormalClosure, ""))
	// Output:
	// Olá!
	// <nil>
}

// A receive that times out leaves the connection open: nothing is lost, and
// the conversation goes on.
func ExampleConn_ReceiveTimeout() {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()

	ctx := context.Background()
	ws, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()

	_, err = ws.ReceiveTimeout(50 * time.Millisecond) // the echo server says nothing first
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	ws.SendText(ctx, "still open")
	msg, err := ws.ReceiveTimeout(5 * time.Second)
	fmt.Println(msg.Text(), err)
	ws.Close(conn.StatusNormalClosure, "")
	// Output:
	// true
	// still open <nil>
}

// New wraps a connection that is already upgraded, here both ends of an
// in-memory pipe.
func ExampleNew() {
	a, b := net.Pipe()
	server := conn.New(a, nil, frame.Server, nil)
	client := conn.New(b, nil, frame.Client, nil)
	defer server.CloseNow()
	defer client.CloseNow()

	ctx := context.Background()
	go func() {
		msg, err := server.Receive(ctx)
		if err == nil {
			server.SendText(ctx, strings.ToUpper(msg.Text()))
		}
	}()
	client.SendText(ctx, "over a pipe")
	msg, err := client.Receive(ctx)
	fmt.Println(msg.Text(), err)
	fmt.Println(client.Close(conn.StatusNormalClosure, "bye"))
	// Output:
	// OVER A PIPE <nil>
	// <nil>
}

// The ping policy keeps an idle connection open and detects a dead peer.
func ExampleConn_StartPing() {
	http.HandleFunc("/live", func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if err := ws.StartPing(ping.Policy{Interval: 15 * time.Second, Data: []byte("ping"), Timeout: 10 * time.Second}); err != nil {
			log.Print(err)
			return
		}
		_, err = ws.Receive(context.Background())
		if errors.Is(err, ping.ErrTimeout) {
			log.Print("the client vanished")
		}
	})
}

// An application that is done with a message gives its buffer back: the
// next message of about the same size reuses it instead of allocating.
func ExampleMessage_Release() {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()

	ctx := context.Background()
	ws, _, err := conn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()

	total := 0
	for i := range 3 {
		if err := ws.SendBinary(ctx, make([]byte, 2000+i)); err != nil {
			fmt.Println(err)
			return
		}
		msg, err := ws.Receive(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		total += len(msg.Data)
		msg.Release() // msg.Data must not be used after this
	}
	fmt.Println(total, "bytes echoed")
	ws.Close(conn.StatusNormalClosure, "")
	// Output:
	// 6003 bytes echoed
}
