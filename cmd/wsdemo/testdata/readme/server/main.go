package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func main() {
	http.HandleFunc("GET /chat", func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil) // on error, Accept has answered the request
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			msg, err := ws.ReceiveTimeout(30 * time.Second)
			if errors.Is(err, context.DeadlineExceeded) {
				continue // no message in 30 s; the connection is still open
			}
			if err != nil {
				return // the peer closed, or the connection failed
			}
			if err := ws.SendText(r.Context(), "Received: "+msg.Text()); err != nil {
				return
			}
		}
	})
	srv := &http.Server{
		Addr:              "127.0.0.1:8080",
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Fatal(srv.ListenAndServe())
}
