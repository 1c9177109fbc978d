package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

func main() {
	opts := &conn.AcceptOptions{
		// A ping every 30 s; a peer that leaves one unanswered for 30 s is gone.
		Ping: ping.Policy{Interval: 30 * time.Second, Timeout: 30 * time.Second},
	}
	slots := make(chan struct{}, 1000) // at most 1000 connections at once
	http.HandleFunc("GET /chat", func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			http.Error(w, "too many connections", http.StatusServiceUnavailable)
			return
		}
		ws, err := conn.Accept(w, r, opts) // on error, Accept has answered the request
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
				return // the peer closed, vanished (no pong), or the connection failed
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
