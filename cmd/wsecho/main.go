// Command wsecho is a WebSocket echo server: every message it receives is
// sent back whole, with the same type. It is the testee of the Autobahn
// testsuite's fuzzingclient and the target of robustness tests.
//
//	wsecho -addr 127.0.0.1:9001 -read-limit 16777216
//
// Every path echoes, except /debug/vars, which serves expvar variables
// (among them "goroutines", the number of goroutines). SIGINT or SIGTERM
// close every connection with 1001 (going away) and stop the server.
//
// Idle connections cost little, but not nothing: every connection is pinged
// (-ping-interval, 1 minute by default) and failed with 1011 when a ping
// stays unanswered for -ping-timeout (30 s), so a vanished peer does not
// hold its connection forever; and at most -max-conns connections (10,000)
// are open at once: beyond them, requests are refused with 503. A peer that
// answers pings but sends nothing is kept, within that cap. The defaults
// leave an Autobahn run alone: no case lasts a ping interval, and the
// testsuite opens its connections one after another.
//
// With -compress it accepts permessage-deflate (RFC 7692) when the client
// offers it, with the library's defaults (conn.Compression).
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
	"github.com/seed865a0254/websocket/ping"
)

func main() {
	cfg := defaultConfig()
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	flag.Int64Var(&cfg.readLimit, "read-limit", cfg.readLimit, "largest message in bytes (0: the library default, 1 MiB; -1: none)")
	flag.DurationVar(&cfg.ping.Interval, "ping-interval", cfg.ping.Interval, "time between pings on every connection (0: no pings)")
	flag.DurationVar(&cfg.ping.Timeout, "ping-timeout", cfg.ping.Timeout, "how long a ping may stay unanswered before the connection is failed (0: forever)")
	flag.IntVar(&cfg.maxConns, "max-conns", cfg.maxConns, "WebSocket connections open at once; more are refused with 503")
	flag.BoolVar(&cfg.compress, "compress", cfg.compress, "accept permessage-deflate (RFC 7692) when the client offers it")
	flag.Parse()
	if err := cfg.check(); err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("wsecho: listening on %s", ln.Addr())
	if err := serve(ctx, ln, cfg); err != nil {
		log.Fatal(err)
	}
}

// config is what the flags set.
type config struct {
	readLimit int64       // AcceptOptions.ReadLimit
	ping      ping.Policy // every connection's
	maxConns  int         // WebSocket connections open at once
	compress  bool        // accept permessage-deflate
}

func defaultConfig() config {
	return config{
		ping:     ping.Policy{Interval: time.Minute, Timeout: 30 * time.Second},
		maxConns: 10_000,
	}
}

func (c config) check() error {
	if c.maxConns < 1 {
		return errors.New("wsecho: -max-conns must be at least 1")
	}
	return c.ping.Validate()
}

var publishOnce sync.Once

// serve runs the echo server on ln until ctx is done, then closes every
// connection with a closing handshake and returns.
func serve(ctx context.Context, ln net.Listener, cfg config) error {
	publishOnce.Do(func() {
		expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
	})
	e := newEcho(cfg)
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
	opts     conn.AcceptOptions
	maxConns int
	vars     http.Handler
	mu       sync.Mutex
	live     map[*conn.Conn]struct{}
	busy     int // handlers holding a connection slot
	conns    sync.WaitGroup
}

func newEcho(cfg config) *echo {
	var comp *conn.Compression
	if cfg.compress {
		comp = &conn.Compression{}
	}
	return &echo{
		opts: conn.AcceptOptions{
			ReadLimit:   cfg.readLimit,
			Ping:        cfg.ping,
			Compression: comp,
			// An echo server holds nothing a cross-site page could abuse,
			// and test clients send arbitrary origins.
			InsecureSkipOriginCheck: true,
		},
		maxConns: cfg.maxConns,
		vars:     expvar.Handler(),
		live:     make(map[*conn.Conn]struct{}),
	}
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/debug/vars" {
		e.vars.ServeHTTP(w, r)
		return
	}
	if !e.enter() {
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		return
	}
	defer e.leave()
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
			return // the peer closed, or the connection failed (a ping timeout among the causes)
		}
		if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
			return
		}
		msg.Release() // Send keeps nothing of msg.Data: the buffer serves a later message
	}
}

// enter takes a connection slot, if one is free.
func (e *echo) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.busy >= e.maxConns {
		return false
	}
	e.busy++
	return true
}

// leave gives the slot back.
func (e *echo) leave() {
	e.mu.Lock()
	e.busy--
	e.mu.Unlock()
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
