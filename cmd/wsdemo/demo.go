package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

//go:embed static
var staticFiles embed.FS

// connectTimeout is how long /connect waits for each message, as the seed's
// first example does with ReceiveMessageAsync(timeout: 30 s).
const connectTimeout = 30 * time.Second

// limits bound what the clients that stay connected cost the server.
type limits struct {
	// ping is every connection's ping policy: a peer that stops answering
	// is failed with 1011 (a browser answers pings by itself).
	ping ping.Policy
	// idleTimeout is how long a connection may go without a message from
	// the client before the server closes it with 1001 (going away).
	idleTimeout time.Duration
	// maxConns is how many WebSocket connections may be open at once;
	// beyond them requests are refused with 503.
	maxConns int
}

func defaultLimits() limits {
	return limits{
		ping:        ping.Policy{Interval: 30 * time.Second, Timeout: 30 * time.Second},
		idleTimeout: 5 * time.Minute,
		maxConns:    1000,
	}
}

func (l limits) check() error {
	if l.idleTimeout <= 0 || l.maxConns < 1 {
		return errors.New("-idle-timeout must be positive and -max-conns at least 1")
	}
	return l.ping.Validate()
}

// errIdle ends a connection whose client sent nothing for the idle timeout.
var errIdle = errors.New("idle")

// demo serves the page and the four WebSocket endpoints, and keeps track of
// the open connections so that shutdown can say goodbye to each of them.
type demo struct {
	log            *log.Logger
	connectTimeout time.Duration
	limits
	room *chatRoom

	open    conn.Group // every open WebSocket connection
	mu      sync.Mutex
	busy    int // WebSocket requests being served, accepted or not yet
	closing bool
	wg      sync.WaitGroup // one per running WebSocket handler
}

func newDemo(out io.Writer) *demo {
	return &demo{
		log:            log.New(out, "wsdemo: ", log.Ltime),
		connectTimeout: connectTimeout,
		limits:         defaultLimits(),
		room:           newChatRoom(),
	}
}

// handler returns the routes: the page at / and the endpoints it talks to.
func (d *demo) handler() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(static)
	mux := http.NewServeMux()
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The page must load nothing from the network: the browser enforces it.
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:")
		h.Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	for path, talk := range map[string]func(context.Context, *conn.Conn) error{
		"/connect":      d.connect,
		"/conversation": d.conversation,
		"/echo":         d.echo,
		"/chat":         d.chat,
	} {
		// GET over HTTP/1.1; CONNECT over HTTP/2 (RFC 8441).
		mux.HandleFunc("GET "+path, d.websocket(talk))
		mux.HandleFunc("CONNECT "+path, d.websocket(talk))
	}
	return mux
}

// websocket upgrades the request, registers the connection for shutdown, runs
// talk and closes the connection when talk returns: with 1001 if the client
// was idle too long, else with 1000 (unless it has already ended).
func (d *demo) websocket(talk func(ctx context.Context, ws *conn.Conn) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !d.enter() {
			http.Error(w, "too many connections", http.StatusServiceUnavailable)
			return
		}
		defer d.leave()
		// Browsers offer permessage-deflate on every connection.
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{Ping: d.ping, Compression: &conn.Compression{}})
		if err != nil {
			d.log.Printf("%s %s: %v", r.URL.Path, r.RemoteAddr, err)
			return // Accept has already answered the request
		}
		if !d.track(ws) {
			ws.Close(conn.StatusGoingAway, "server shutting down")
			return
		}
		defer d.untrack(ws)
		d.log.Printf("%s %s: open (%s %s)", r.URL.Path, r.RemoteAddr, r.Method, r.Proto)
		err = talk(r.Context(), ws)
		code, reason := conn.StatusNormalClosure, ""
		var ce *conn.CloseError
		switch {
		case errors.Is(err, errIdle):
			d.log.Printf("%s %s: no message for %v: closing", r.URL.Path, r.RemoteAddr, d.idleTimeout)
			code, reason = conn.StatusGoingAway, "idle"
		case errors.As(err, &ce):
			d.log.Printf("%s %s: the peer closed with %d %q", r.URL.Path, r.RemoteAddr, uint16(ce.Code), ce.Reason)
		case errors.Is(err, conn.ErrClosed):
			d.log.Printf("%s %s: closed: %v", r.URL.Path, r.RemoteAddr, err)
		case err != nil:
			d.log.Printf("%s %s: %v", r.URL.Path, r.RemoteAddr, err)
		default:
			d.log.Printf("%s %s: done", r.URL.Path, r.RemoteAddr)
		}
		// Close is idempotent: after the peer's close or our own it only returns.
		ws.Close(code, reason)
	}
}

// enter takes one of the maxConns slots, if one is free.
func (d *demo) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.busy >= d.maxConns {
		return false
	}
	d.busy++
	return true
}

// leave gives the slot back.
func (d *demo) leave() {
	d.mu.Lock()
	d.busy--
	d.mu.Unlock()
}

// track registers ws for the goodbye on shutdown, unless shutdown has begun.
// A connection leaves d.open by itself when it ends.
func (d *demo) track(ws *conn.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing || d.open.Add(ws, "") != nil {
		return false
	}
	d.wg.Add(1)
	return true
}

func (d *demo) untrack(ws *conn.Conn) {
	d.wg.Done()
}

// shutdown sends close 1001 (going away) to every open connection and waits
// for their handlers to finish, or for ctx to end; connections that have not
// answered by then are dropped without a handshake.
func (d *demo) shutdown(ctx context.Context) error {
	d.mu.Lock()
	d.closing = true
	d.mu.Unlock()

	bound := shutdownTimeout
	if deadline, ok := ctx.Deadline(); ok {
		bound = time.Until(deadline)
	}
	n := d.open.Len()
	if err := d.open.CloseAll(conn.StatusGoingAway, "server shutting down", bound); err != nil {
		d.log.Print(err)
	}
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wsdemo: closing %d connections: %w", n, ctx.Err())
	}
}

// connect is the seed's first example: wait up to 30 s for each message and
// answer it. A receive that times out returns no message, and the connection
// stays open for the next one, until the client has been idle for the idle
// timeout.
func (d *demo) connect(ctx context.Context, ws *conn.Conn) error {
	idleEnd := time.Now().Add(d.idleTimeout)
	for {
		wait := min(d.connectTimeout, time.Until(idleEnd))
		if wait <= 0 {
			return errIdle
		}
		msg, err := ws.ReceiveTimeout(wait)
		if errors.Is(err, context.DeadlineExceeded) {
			if wait == d.connectTimeout {
				d.log.Printf("/connect: no message for %v; the connection stays open", wait)
			}
			continue
		}
		if err != nil {
			return err
		}
		idleEnd = time.Now().Add(d.idleTimeout)
		reply := "Received: " + msg.Text()
		if msg.Type == conn.Binary {
			reply = fmt.Sprintf("Received %d bytes of binary data", len(msg.Data))
		}
		if err := ws.SendText(ctx, reply); err != nil {
			return err
		}
	}
}

// conversation is the seed's persistent conversation, in English: it asks for
// a name and an age, asking again until each answer is usable, then answers
// and closes.
func (d *demo) conversation(ctx context.Context, ws *conn.Conn) error {
	name, err := d.ask(ctx, ws, "What is your name?", "Your name cannot be empty. What is your name?",
		func(s string) bool { return s != "" })
	if err != nil {
		return err
	}
	age, err := d.ask(ctx, ws, "What is your age?", "That is not a number. What is your age?",
		func(s string) bool { n, err := strconv.Atoi(s); return err == nil && n >= 0 })
	if err != nil {
		return err
	}
	if err := ws.SendText(ctx, fmt.Sprintf("You are %s, and you are %s years old", name, age)); err != nil {
		return err
	}
	return ws.Close(conn.StatusNormalClosure, "goodbye")
}

// ask sends question, then reprompt after every answer that is not text or
// that ok refuses, and returns the first accepted answer without surrounding
// spaces.
func (d *demo) ask(ctx context.Context, ws *conn.Conn, question, reprompt string, ok func(string) bool) (string, error) {
	for {
		if err := ws.SendText(ctx, question); err != nil {
			return "", err
		}
		msg, err := d.receive(ctx, ws)
		if err != nil {
			return "", err
		}
		answer := strings.TrimSpace(msg.Text())
		if msg.Type == conn.Text && ok(answer) {
			return answer, nil
		}
		question = reprompt
	}
}

// echo sends every message back as it came, text as text and binary as binary.
func (d *demo) echo(ctx context.Context, ws *conn.Conn) error {
	for {
		msg, err := d.receive(ctx, ws)
		if err != nil {
			return err
		}
		if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
			return err
		}
	}
}

// receive returns the next message, or errIdle if none comes within the idle
// timeout.
func (d *demo) receive(ctx context.Context, ws *conn.Conn) (conn.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, d.idleTimeout)
	defer cancel()
	msg, err := ws.Receive(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return msg, errIdle
	}
	return msg, err
}
