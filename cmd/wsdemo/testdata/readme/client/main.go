package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws, _, err := conn.Dial(ctx, "ws://127.0.0.1:8080/echo", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ws.CloseNow()

	if err := ws.SendText(ctx, "Hello!"); err != nil {
		log.Fatal(err)
	}
	msg, err := ws.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Text()) // Hello!

	if err := ws.Close(conn.StatusNormalClosure, ""); err != nil {
		log.Fatal(err)
	}
}
