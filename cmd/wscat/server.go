package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// server accepts WebSocket clients, shows what each sends and sends them what
// is typed. The loop goroutine reads the input; each client has a handler
// goroutine that receives.
type server struct {
	cfg    *config
	opts   *conn.AcceptOptions
	out    *printer
	syntax syntax

	mu       sync.Mutex
	clients  map[int]*peer
	lastID   int
	shutting bool // no new client once the server stops

	handlers sync.WaitGroup
	received atomic.Int64
	enough   chan struct{} // closed when -n messages have arrived
}

// peer is one connected client.
type peer struct {
	ws     *conn.Conn
	closes sync.Once   // our Close, once
	local  chan ending // what our Close gave, for the handler's last line
}

// runServer listens on cfg.listen and serves until the input or a signal
// stops it; it returns the exit status.
func runServer(cfg *config, out *printer, in *input, lines syntax, sigs <-chan os.Signal) int {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		out.fail("%v", err)
		return 1
	}
	s := &server{
		cfg: cfg, opts: cfg.acceptOptions(), out: out, syntax: lines,
		clients: map[int]*peer{},
		enough:  make(chan struct{}),
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go srv.Serve(ln)
	path := cfg.path
	if path == "" {
		path = "/"
	}
	out.status(0, "listening on ws://%s%s", ln.Addr(), path)
	code := s.loop(in, sigs)
	srv.Close()
	s.shutdown(code, sigs)
	return 0
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.path != "" && r.URL.Path != s.cfg.path {
		http.NotFound(w, r)
		return
	}
	ws, err := conn.Accept(w, r, s.opts)
	if err != nil {
		s.out.status(0, "refused %s from %s: %s", r.URL.Path, r.RemoteAddr, trimPrefix(err))
		return
	}
	p := &peer{ws: ws, local: make(chan ending, 1)}
	id, ok := s.add(p)
	if !ok {
		ws.Close(conn.StatusGoingAway, "server shutting down")
		return
	}
	defer s.handlers.Done()
	s.out.status(id, "connected from %s, path %s%s", r.RemoteAddr, r.URL.Path, negotiated(ws.Subprotocol(), nil))
	for {
		msg, err := ws.Receive(context.Background())
		if err != nil {
			s.remove(id)
			e := ending{recvErr: err}
			if err == conn.ErrClosed { // our own Close (or CloseNow) ended it
				e = <-p.local
				e.recvErr = err
			}
			line, _ := e.verdict("client")
			s.out.status(id, "%s", line)
			return
		}
		s.out.message(id, msg)
		if s.cfg.echo {
			ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
			ws.Send(ctx, msg.Type, msg.Data) // an error ends the next Receive
			cancel()
		}
		msg.Release()
		if n := s.received.Add(1); int(n) == s.cfg.count {
			close(s.enough)
		}
	}
}

// add gives p the next id, unless the server is stopping.
func (s *server) add(p *peer) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting {
		return 0, false
	}
	s.lastID++
	s.clients[s.lastID] = p
	s.handlers.Add(1)
	return s.lastID, true
}

func (s *server) remove(id int) {
	s.mu.Lock()
	delete(s.clients, id)
	s.mu.Unlock()
}

// targets returns the clients a command is for, by id: one (to > 0) or all.
func (s *server) targets(to int) (map[int]*peer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if to > 0 {
		p, ok := s.clients[to]
		if !ok {
			return nil, fmt.Errorf("no client %d is connected (%s)", to, s.idsLocked())
		}
		return map[int]*peer{to: p}, nil
	}
	if len(s.clients) == 0 {
		return nil, fmt.Errorf("no client is connected")
	}
	return maps.Clone(s.clients), nil
}

// idsLocked lists the connected clients' ids; s.mu is held.
func (s *server) idsLocked() string {
	if len(s.clients) == 0 {
		return "none is"
	}
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(s.clients)) {
		ids = append(ids, fmt.Sprint(id))
	}
	return "connected: " + strings.Join(ids, ", ")
}

// loop reads the input until it asks to stop, the input of a terminal ends,
// a signal comes or -n messages have arrived; it returns the close code for
// every client.
func (s *server) loop(in *input, sigs <-chan os.Signal) conn.StatusCode {
	lines := in.lines
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				if s.cfg.interactive {
					return conn.StatusNormalClosure // Ctrl-D
				}
				lines = nil // a script's input has ended; the server goes on
				continue
			}
			cmd, err := s.syntax.parse(line)
			if err == nil {
				err = s.do(cmd)
			}
			if err == errQuit {
				return conn.StatusNormalClosure
			}
			if err != nil {
				s.out.fail("%v", err)
			}
		case <-sigs:
			return conn.StatusGoingAway
		case <-s.enough:
			return conn.StatusNormalClosure
		}
	}
}

var errQuit = errors.New("quit")

// do carries out one command.
func (s *server) do(cmd command) error {
	switch cmd.act {
	case actQuit:
		return errQuit
	case actHelp:
		s.out.statusLines(0, helpText+"\n"+targetHelp)
		return nil
	}
	peers, err := s.targets(cmd.to)
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(peers)) {
		p := peers[id]
		switch cmd.act {
		case actSend:
			ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
			err := p.ws.Send(ctx, cmd.typ, cmd.data)
			cancel()
			if err != nil {
				s.out.fail("[%d] send: %s", id, trimPrefix(err))
			}
		case actPing:
			go sendPing(s.out, id, p.ws, cmd.data)
		case actClose:
			go p.close(cmd.code, cmd.reason)
		}
	}
	return nil
}

// close runs our closing handshake with the client, once, and hands the
// result to its handler.
func (p *peer) close(code conn.StatusCode, reason string) {
	p.closes.Do(func() {
		err := p.ws.Close(code, reason)
		p.local <- ending{local: true, code: code, reason: reason, closeErr: err}
	})
}

// shutdown closes every client with code and waits for their handlers; a
// signal while it waits closes them at once.
func (s *server) shutdown(code conn.StatusCode, sigs <-chan os.Signal) {
	s.mu.Lock()
	s.shutting = true
	peers := maps.Clone(s.clients)
	s.mu.Unlock()
	for _, p := range peers {
		go p.close(code, "")
	}
	done := make(chan struct{})
	go func() { s.handlers.Wait(); close(done) }()
	select {
	case <-done:
	case <-sigs:
		s.out.status(0, "closing at once")
		for _, p := range peers {
			p.ws.CloseNow()
		}
		<-done
	}
}
