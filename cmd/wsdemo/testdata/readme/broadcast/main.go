package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func main() {
	// A member that cannot take a message within 10 s is closed with 1008;
	// the zero Group would drop the message for it instead.
	room := &conn.Group{CloseSlowAfter: 10 * time.Second}

	http.HandleFunc("/room", func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if err := room.Add(ws, r.URL.Query().Get("name")); err != nil {
			return // the name is taken, or the server is shutting down
		}
		for {
			msg, err := ws.Receive(context.Background())
			if err != nil {
				return // ws leaves the room by itself when it ends
			}
			p, err := conn.Prepare(msg.Type, msg.Data) // encoded once for all
			if err != nil {
				return
			}
			room.Broadcast(p) // never waits for a slow member
		}
	})

	// http.Server.Shutdown does not see hijacked connections: the group
	// sends them 1001, and waits at most 5 s for their answers.
	srv := &http.Server{Addr: "127.0.0.1:8080"}
	closed := make(chan struct{})
	srv.RegisterOnShutdown(func() {
		room.CloseAll(conn.StatusGoingAway, "server shutting down", 5*time.Second)
		close(closed)
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-closed
}
