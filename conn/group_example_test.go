package conn_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// examplePair returns a server connection and the client connected to it,
// in memory.
func examplePair() (server, client *conn.Conn) {
	a, b := net.Pipe()
	return conn.New(a, nil, frame.Server, nil), conn.New(b, nil, frame.Client, nil)
}

// A chat room: every client of /room is a member of one group, and every
// message one of them sends goes to all of them, encoded once.
func ExampleGroup() {
	var room conn.Group // the zero Group is ready; this one drops a message for a member that cannot take it at once
	http.HandleFunc("/room", func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if err := room.Add(ws, ""); err != nil {
			return // the server is shutting down
		}
		for {
			msg, err := ws.Receive(context.Background())
			if err != nil {
				return // ws has left the room by itself
			}
			if p, err := conn.Prepare(msg.Type, msg.Data); err == nil {
				room.Broadcast(p)
			}
		}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}

// A group whose members must each receive every message, or be closed.
func ExampleGroup_closeSlowAfter() {
	room := &conn.Group{CloseSlowAfter: 10 * time.Second}
	server, client := examplePair()
	defer client.CloseNow()
	room.Add(server, "")
	msg, _ := conn.Prepare(conn.Text, []byte("everyone gets this, or is closed with 1008"))
	room.Broadcast(msg)
	got, _ := client.ReceiveTimeout(time.Second)
	fmt.Println(got.Text())
	// Output: everyone gets this, or is closed with 1008
}

func ExampleGroup_Add() {
	var g conn.Group
	server, client := examplePair()
	fmt.Println(g.Add(server, "alice"))
	fmt.Println(g.Add(server, "alice") != nil) // already a member
	client.CloseNow()
	<-server.Done()
	fmt.Println(g.Len()) // it left when its connection ended
	// Output:
	// <nil>
	// true
	// 0
}

func ExampleGroup_Remove() {
	var g conn.Group
	server, client := examplePair()
	defer client.CloseNow()
	defer server.CloseNow()
	g.Add(server, "alice")
	fmt.Println(g.Remove(server), g.Len())
	fmt.Println(g.Remove(server))
	// Output:
	// true 0
	// false
}

func ExampleGroup_Lookup() {
	var g conn.Group
	server, client := examplePair()
	defer client.CloseNow()
	defer server.CloseNow()
	g.Add(server, "alice")
	if ws, ok := g.Lookup("alice"); ok {
		ws.SendText(context.Background(), "hello, alice")
	}
	msg, _ := client.ReceiveTimeout(time.Second)
	fmt.Println(msg.Text())
	_, ok := g.Lookup("bob")
	fmt.Println(ok)
	// Output:
	// hello, alice
	// false
}

func ExampleGroup_All() {
	var g conn.Group
	for _, id := range []string{"carol", "alice", "bob"} {
		server, client := examplePair()
		defer client.CloseNow()
		defer server.CloseNow()
		g.Add(server, id)
	}
	var ids []string
	for id := range g.All() {
		ids = append(ids, id)
	}
	slices.Sort(ids) // All yields in no particular order
	fmt.Println(ids)
	// Output: [alice bob carol]
}

func ExampleGroup_Len() {
	var g conn.Group
	server, client := examplePair()
	defer client.CloseNow()
	defer server.CloseNow()
	g.Add(server, "")
	fmt.Println(g.Len())
	// Output: 1
}

// Broadcast encodes the message once and queues it on every member without
// waiting for any of them.
func ExampleGroup_Broadcast() {
	var g conn.Group
	var clients []*conn.Conn
	for range 3 {
		server, client := examplePair()
		defer client.CloseNow()
		defer server.CloseNow()
		g.Add(server, "")
		clients = append(clients, client)
	}
	msg, err := conn.Prepare(conn.Text, []byte("news for everyone"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("queued for", g.Broadcast(msg), "members")
	for _, c := range clients {
		got, _ := c.ReceiveTimeout(time.Second)
		fmt.Println(got.Text())
	}
	// Output:
	// queued for 3 members
	// news for everyone
	// news for everyone
	// news for everyone
}

// On shutdown, http.Server does not see hijacked connections: the group
// says goodbye to them, with 1001, within 5 seconds.
func ExampleGroup_CloseAll() {
	var clients conn.Group
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		if clients.Add(ws, "") != nil {
			return
		}
		for {
			if _, err := ws.Receive(context.Background()); err != nil {
				return
			}
		}
	})}
	srv.RegisterOnShutdown(func() {
		clients.CloseAll(conn.StatusGoingAway, "server shutting down", 5*time.Second)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)

	ws, _, err := conn.Dial(context.Background(), "ws://"+ln.Addr().String(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.CloseNow()
	for clients.Len() == 0 {
		time.Sleep(time.Millisecond) // until the handler has added it
	}
	srv.Shutdown(context.Background())
	_, err = ws.ReceiveTimeout(5 * time.Second)
	var ce *conn.CloseError
	if errors.As(err, &ce) {
		fmt.Println(uint16(ce.Code), ce.Reason)
	}
	// Output: 1001 server shutting down
}

// Prepare makes a message to send to many connections.
func ExamplePrepare() {
	msg, err := conn.Prepare(conn.Text, []byte("the same for all"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = conn.Prepare(conn.Text, []byte{0xff})
	fmt.Println(msg != nil, err)
	// Output: true conn: text message is not valid UTF-8
}

// A prepared message is encoded once, whatever the number of connections it
// goes to; each connection masks it if it is a client, and compresses it
// itself only if it keeps a compression context.
func ExamplePreparedMessage() {
	msg, _ := conn.Prepare(conn.Binary, []byte{1, 2, 3})
	var got []string
	for range 2 {
		server, client := examplePair()
		go server.SendPrepared(context.Background(), msg)
		m, _ := client.ReceiveTimeout(time.Second)
		got = append(got, fmt.Sprint(m.Type, m.Data))
		client.CloseNow()
		server.CloseNow()
	}
	fmt.Println(strings.Join(got, ", "))
	// Output: binary [1 2 3], binary [1 2 3]
}

func ExampleConn_SendPrepared() {
	server, client := examplePair()
	defer client.CloseNow()
	defer server.CloseNow()
	msg, _ := conn.Prepare(conn.Text, []byte("prepared once"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	go func() {
		if err := client.SendPrepared(ctx, msg); err != nil { // a client masks it with a fresh key
			fmt.Println(err)
		}
	}()
	got, _ := server.Receive(ctx)
	fmt.Println(got.Text())
	// Output: prepared once
}
