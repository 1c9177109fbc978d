package conn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// serve starts an httptest.Server that accepts WebSockets and runs handle on
// each; the test waits for every handler to return.
func serve(t *testing.T, handle func(ws *conn.Conn)) *httptest.Server {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		wg.Go(func() {
			defer ws.CloseNow()
			handle(ws)
		})
	}))
	t.Cleanup(func() {
		srv.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(soon):
			t.Error("a server handler did not return")
		}
	})
	return srv
}

func dial(t *testing.T, srv *httptest.Server) *conn.Conn {
	t.Helper()
	ws, _, err := conn.Dial(testCtx(t, soon), wsURL(srv), nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { closeAndWait(t, ws, "client") })
	return ws
}

// receiveLoop is the seed's first example: receive with a timeout in a loop,
// answer each message, and close when the client has been silent for the
// whole timeout (Sisk: ReceiveMessageAsync(timeout) returning null ends the
// loop).
func receiveLoop(timeout time.Duration) func(ws *conn.Conn) {
	return func(ws *conn.Conn) {
		ctx := context.Background()
		for {
			msg, err := ws.ReceiveTimeout(timeout)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					ws.Close(conn.StatusNormalClosure, "idle")
				}
				return
			}
			if err := ws.SendText(ctx, "Received: "+msg.Text()); err != nil {
				return
			}
		}
	}
}

// The seed's receive-with-timeout echo loop (issue 5, item 12).
func TestSeedReceiveLoop(t *testing.T) {
	const timeout = 300 * time.Millisecond
	srv := serve(t, receiveLoop(timeout))
	ws := dial(t, srv)
	for _, text := range []string{"Olá!", "second", ""} {
		if err := ws.SendText(testCtx(t, soon), text); err != nil {
			t.Fatalf("SendText: %v", err)
		}
		expectMessage(t, ws, conn.Text, "Received: "+text)
	}
	// A pause shorter than the timeout keeps the conversation going.
	time.Sleep(timeout / 3)
	if err := ws.SendText(testCtx(t, soon), "still here"); err != nil {
		t.Fatalf("SendText: %v", err)
	}
	expectMessage(t, ws, conn.Text, "Received: still here")

	// Silence: the server's receive times out and it closes.
	start := time.Now()
	expectCloseError(t, receiveErr(t, ws), conn.StatusNormalClosure, "idle")
	if took := time.Since(start); took < timeout/2 {
		t.Fatalf("server closed after %v of silence, before its timeout %v", took, timeout)
	}
}

// conversation is the seed's second example: ask the name until it is not
// empty, then the age until it is a number, then say what was learnt.
func conversation(timeout time.Duration) func(ws *conn.Conn) {
	return func(ws *conn.Conn) {
		ctx := context.Background()
		ask := func(question string, valid func(string) bool) (string, bool) {
			for {
				if err := ws.SendText(ctx, question); err != nil {
					return "", false
				}
				msg, err := ws.ReceiveTimeout(timeout)
				if err != nil {
					return "", false
				}
				if answer := strings.TrimSpace(msg.Text()); valid(answer) {
					return answer, true
				}
			}
		}
		name, ok := ask("What is your name?", func(s string) bool { return s != "" })
		if !ok {
			return
		}
		age, ok := ask("How old are you?", func(s string) bool {
			n, err := strconv.Atoi(s)
			return err == nil && n >= 0
		})
		if !ok {
			return
		}
		ws.SendText(ctx, "You are "+name+", and you are "+age+" years old")
		ws.Close(conn.StatusNormalClosure, "")
	}
}

// The seed's name/age conversation with its retries (issue 5, item 12).
func TestSeedConversation(t *testing.T) {
	srv := serve(t, conversation(soon))
	ws := dial(t, srv)
	steps := []struct {
		name     string
		expect   string
		answer   string
		finished bool
	}{
		{name: "first question", expect: "What is your name?", answer: ""},
		{name: "asked again after an empty name", expect: "What is your name?", answer: "   "},
		{name: "asked again after a blank name", expect: "What is your name?", answer: "Ana"},
		{name: "age question", expect: "How old are you?", answer: "thirty"},
		{name: "asked again after a non-number", expect: "How old are you?", answer: "-4"},
		{name: "asked again after a negative number", expect: "How old are you?", answer: "30"},
		{name: "summary", expect: "You are Ana, and you are 30 years old", finished: true},
	}
	for _, s := range steps {
		expectMessage(t, ws, conn.Text, s.expect)
		if s.finished {
			break
		}
		if err := ws.SendText(testCtx(t, soon), s.answer); err != nil {
			t.Fatalf("%s: SendText: %v", s.name, err)
		}
	}
	expectCloseError(t, receiveErr(t, ws), conn.StatusNormalClosure, "")
}

// A server that shuts down closes its connections with 1001; the clients see
// *CloseError and everything ends (issue 5, item 11: server shutdown).
func TestServerShutdown(t *testing.T) {
	var mu sync.Mutex
	var live []*conn.Conn
	accepted := make(chan struct{}, 4)
	srv := serve(t, func(ws *conn.Conn) {
		mu.Lock()
		live = append(live, ws)
		mu.Unlock()
		accepted <- struct{}{}
		for {
			msg, err := ws.Receive(context.Background())
			if err != nil {
				// Our own Close made Receive return: let its handshake end
				// before serve's deferred CloseNow cuts the connection.
				<-ws.Done()
				return
			}
			ws.Send(context.Background(), msg.Type, msg.Data)
		}
	})
	clients := []*conn.Conn{dial(t, srv), dial(t, srv), dial(t, srv)}
	for range clients {
		<-accepted
	}
	for _, c := range clients {
		c.SendText(testCtx(t, soon), "echo")
		expectMessage(t, c, conn.Text, "echo")
	}

	mu.Lock()
	var wg sync.WaitGroup
	for _, ws := range live {
		wg.Go(func() { ws.Close(conn.StatusGoingAway, "shutting down") })
	}
	mu.Unlock()
	within(t, soon, "closing every connection", wg.Wait)
	srv.Close()
	for _, c := range clients {
		expectCloseError(t, receiveErr(t, c), conn.StatusGoingAway, "shutting down")
		waitDone(t, c, soon)
	}
}
