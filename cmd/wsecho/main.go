// Command wsecho is a WebSocket echo server: every message it receives is
// sent back whole, with the same type. It is the testee of the Autobahn
// testsuite's fuzzingclient and the target of robustness tests.
//
//	wsecho -addr 127.0.0.1:9001 -read-limit 16777216
//
// Every path echoes, except /debug/vars, which serves expvar variables
// (among them "goroutines", the number of goroutines). SIGINT or SIGTERM
// close every connection with 1001 (going away) and stop the server.
package main

import (
	"context"
	"errors"
	"expvar"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	readLimit := flag.Int64("read-limit", 0, "largest message in bytes (0: the library default, 1 MiB; -1: none)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("wsecho: listening on %s", ln.Addr())
	if err := serve(ctx, ln, *readLimit); err != nil {
		log.Fatal(err)
	}
}

var publishOnce sync.Once

// serve runs the echo server on ln until ctx is done, then closes every
// connection with a closing handshake and returns.
func serve(ctx context.Context, ln net.Listener, readLimit int64) error {
	publishOnce.Do(func() {
		expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
	})
	e := newEcho(readLimit)
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx) // hijacked connections are not its business
	e.closeAll()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// echo is the handler: /debug/vars serves expvar, every other path echoes.
type echo struct {
	opts  conn.AcceptOptions
	vars  http.Handler
	mu    sync.Mutex
	live  map[*conn.Conn]struct{}
	conns sync.WaitGroup
}

func newEcho(readLimit int64) *echo {
	return &echo{
		opts: conn.AcceptOptions{
			ReadLimit: readLimit,
			// An echo server holds nothing a cross-site page could abuse,
			// and test clients send arbitrary origins.
			InsecureSkipOriginCheck: true,
		},
		vars: expvar.Handler(),
		live: make(map[*conn.Conn]struct{}),
	}
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/debug/vars" {
		e.vars.ServeHTTP(w, r)
		return
	}
	ws, err := conn.Accept(w, r, &e.opts)
	if err != nil {
		return // Accept answered the request
	}
	e.mu.Lock()
	e.live[ws] = struct{}{}
	e.conns.Add(1)
	e.mu.Unlock()
	defer func() {
		ws.CloseNow()
		e.mu.Lock()
		delete(e.live, ws)
		e.mu.Unlock()
		e.conns.Done()
	}()
	ctx := context.Background()
	for {
		msg, err := ws.Receive(ctx)
		if err != nil {
			return // the peer closed, or the connection failed
		}
		if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
			return
		}
		msg.Release() // Send keeps nothing of msg.Data: the buffer serves a later message
	}
}

// closeAll closes every live connection with 1001 and waits for their
// handlers.
func (e *echo) closeAll() {
	e.mu.Lock()
	var wg sync.WaitGroup
	for ws := range e.live {
		wg.Go(func() { ws.Close(conn.StatusGoingAway, "server shutting down") })
	}
	e.mu.Unlock()
	wg.Wait()
	e.conns.Wait()
}
