package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// sendTimeout bounds one Send or Ping: a server that stops reading for this
// long does not hold the terminal.
const sendTimeout = 10 * time.Second

// client is one connection to a server and the loop that drives it: lines
// from the input, signals, and the end of the connection come to one
// goroutine (loop), while another one (receive) shows what arrives.
type client struct {
	cfg    *config
	ws     *conn.Conn
	out    *printer
	in     *input
	syntax syntax
	sigs   <-chan os.Signal

	received atomic.Int64  // messages shown so far
	enough   chan struct{} // closed when -n messages have arrived
	ended    chan error    // Receive's last error, sent once
}

// runClient connects to cfg.url and runs the session; it returns the exit
// status.
func runClient(cfg *config, out *printer, in *input, lines syntax, sigs <-chan os.Signal) int {
	opts, err := cfg.dialOptions()
	if err != nil {
		out.fail("%v", err)
		return 2
	}
	if cfg.insecure {
		out.status(0, "the server's certificate is not verified (-insecure)")
	}
	ws, resp, err := dial(cfg, opts, sigs)
	if err != nil {
		out.fail("%s", err)
		return 1
	}
	defer ws.CloseNow()
	out.status(0, "connected to %s%s; /help lists the commands", cfg.url, negotiated(ws.Subprotocol(), resp))
	c := &client{
		cfg: cfg, ws: ws, out: out, in: in, syntax: lines, sigs: sigs,
		enough: make(chan struct{}),
		ended:  make(chan error, 1),
	}
	go c.receive()
	return c.loop()
}

// dial opens the connection within -timeout; a signal gives up.
func dial(cfg *config, opts *conn.DialOptions, sigs <-chan os.Signal) (*conn.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	interrupted := make(chan struct{})
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			close(interrupted)
			cancel()
		case <-done:
		}
	}()
	ws, resp, err := conn.Dial(ctx, cfg.url, opts)
	close(done)
	if err != nil {
		select {
		case <-interrupted:
			return nil, nil, errors.New("interrupted while connecting")
		default:
		}
		return nil, nil, errors.New(dialError(err, resp, cfg.timeout))
	}
	return ws, resp, nil
}

// negotiated describes what the handshake agreed, for the status line.
func negotiated(subprotocol string, resp *http.Response) string {
	var parts []string
	if subprotocol != "" {
		parts = append(parts, fmt.Sprintf("subprotocol %q", subprotocol))
	}
	if resp != nil && strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		parts = append(parts, "permessage-deflate")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// receive shows every message until the connection ends, then sends the
// error that ended it.
func (c *client) receive() {
	for {
		msg, err := c.ws.Receive(context.Background())
		if err != nil {
			c.ended <- err
			return
		}
		c.out.message(0, msg)
		msg.Release()
		if n := c.received.Add(1); int(n) == c.cfg.count {
			close(c.enough)
		}
	}
}

// loop sends what the input asks for until the connection ends, and
// returns the exit status.
func (c *client) loop() int {
	lines := c.in.lines
	var wait <-chan time.Time
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				if c.cfg.interactive {
					return c.close(conn.StatusNormalClosure, "") // Ctrl-D
				}
				lines = nil
				if c.cfg.wait > 0 {
					wait = time.After(c.cfg.wait)
				}
				continue
			}
			c.in.number++
			cmd, err := c.syntax.parse(line)
			if err != nil && c.cfg.interactive {
				c.out.fail("%v", err)
				continue
			}
			if err != nil {
				// The script is wrong, not the server: close normally.
				c.ws.Close(conn.StatusNormalClosure, "")
				c.out.fail("line %d: %v", c.in.number, err)
				return 1
			}
			if status, done := c.do(cmd); done {
				return status
			}
		case <-c.sigs:
			return c.close(conn.StatusGoingAway, "") // Ctrl-C
		case err := <-c.ended:
			return c.report(ending{recvErr: err})
		case <-c.enough:
			return c.close(conn.StatusNormalClosure, "")
		case <-wait:
			if c.cfg.count == 0 {
				return c.close(conn.StatusNormalClosure, "")
			}
			c.ws.Close(conn.StatusNormalClosure, "")
			c.out.fail("timeout: %d of %d messages received within %v after the input ended (-wait)",
				c.received.Load(), c.cfg.count, c.cfg.wait)
			return 1
		}
	}
}

// do carries out one command; done says that the session is over, with
// status.
func (c *client) do(cmd command) (status int, done bool) {
	switch cmd.act {
	case actSend:
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		err := c.ws.Send(ctx, cmd.typ, cmd.data)
		if errors.Is(err, conn.ErrClosed) {
			return c.report(ending{recvErr: <-c.ended}), true
		}
		if err != nil {
			c.out.fail("send: %s", trimPrefix(err))
		}
	case actPing:
		go sendPing(c.out, 0, c.ws, cmd.data)
	case actClose:
		return c.close(cmd.code, cmd.reason), true
	case actQuit:
		return c.close(conn.StatusNormalClosure, ""), true
	case actHelp:
		c.out.statusLines(0, helpText)
	}
	return 0, false
}

// sendPing sends a ping to ws (client id's, or the server) and shows the
// round-trip time.
func sendPing(out *printer, id int, ws *conn.Conn, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	rtt, err := ws.Ping(ctx, data)
	switch {
	case err == nil:
		out.status(id, "pong %q after %v", data, rtt.Round(time.Microsecond))
	case !errors.Is(err, conn.ErrClosed):
		out.fail("/ping: %s", trimPrefix(err))
	}
}

// close runs the closing handshake with code and reason, and returns the
// exit status. A signal while it waits closes at once.
func (c *client) close(code conn.StatusCode, reason string) int {
	done := make(chan error, 1)
	go func() { done <- c.ws.Close(code, reason) }()
	var err error
	select {
	case err = <-done:
	case <-c.sigs:
		c.out.status(0, "closing at once")
		c.ws.CloseNow()
		err = <-done
	}
	return c.report(ending{local: true, code: code, reason: reason, closeErr: err, recvErr: <-c.ended})
}

// report shows how the connection ended and returns the exit status.
func (c *client) report(e ending) int {
	line, ok := e.verdict("server")
	if ok {
		c.out.status(0, "%s", line)
		return 0
	}
	c.out.fail("%s", line)
	return 1
}
