package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

type point struct{ X, Y int }

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := conn.Dial(ctx, "ws://127.0.0.1:8080/echo", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ws.CloseNow()

	// One JSON value per text message, with Receive's timeout and ReadLimit.
	if err := ws.SendJSON(ctx, point{1, 2}); err != nil {
		log.Fatal(err)
	}
	var p point
	if err := ws.ReceiveJSON(ctx, &p); err != nil {
		log.Fatal(err) // JSON that does not decode is an error too; the connection stays usable
	}
	fmt.Println(p) // {1 2}

	// A byte stream in binary messages, for code that speaks net.Conn. A Read
	// past its deadline is an ordinary timeout, and the stream goes on.
	nc := conn.NetConn(ws, conn.Binary)
	nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, err = nc.Read(make([]byte, 16))
	fmt.Println(errors.Is(err, os.ErrDeadlineExceeded)) // true: nothing was sent yet
	nc.SetReadDeadline(time.Time{})
	fmt.Fprint(nc, "hello") // one message
	buf := make([]byte, 5)
	if _, err := io.ReadFull(nc, buf); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(buf)) // hello

	// Close's handshake with 1000; a Read would return io.EOF after the peer's.
	if err := nc.Close(); err != nil {
		code, ok := conn.CloseStatus(err) // the peer's close code, if it sent one
		log.Println(code, ok, err)
	}
}
