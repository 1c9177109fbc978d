package spec_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/autobahn/spec"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// TestSpecHTTP2 runs every case without compression (sections 1–7 and 10,
// and this module's rules) with the endpoint on an HTTP/2 stream (RFC 8441)
// instead of a TCP connection: as a server (TestSpecHTTP2/Server/5.15),
// conn.Accept in the handler of an HTTPS server, facing a peer that opened
// an extended CONNECT; and as a client (TestSpecHTTP2/Client/5.15),
// conn.Dial with DialOptions.HTTP2, facing a peer in the handler. Every
// WebSocket of a side is a stream of the same HTTP/2 connection. The peer's
// "TCP connection" is its stream: END_STREAM stands for a TCP close (§5).
func TestSpecHTTP2(t *testing.T) {
	byID := map[string]spec.Case{}
	var cases []spec.Case
	for _, c := range spec.Cases() {
		if c.Settings.Deflate == nil {
			byID[c.ID] = c
			cases = append(cases, c)
		}
	}
	var results sync.Map // case ID and side → chan error, from the handler
	result := func(key string) chan error {
		ch, _ := results.LoadOrStore(key, make(chan error, 1))
		return ch.(chan error)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		side, id, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		c, ok := byID[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		defer cancel()
		switch side {
		case "server": // the endpoint is our server
			ws, err := conn.Accept(w, r, &conn.AcceptOptions{ReadLimit: c.Settings.ReadLimit, CloseTimeout: c.Settings.CloseTimeout})
			if err != nil {
				result(side + id) <- err
				return
			}
			defer ws.CloseNow() // the stream ends when the handler returns
			result(side + id) <- endpointEnd(c, ws, ws.Done())
		case "client": // the peer is the server
			res, err := handshake.Accept(w, r, nil)
			if err != nil {
				result(side + id) <- err
				return
			}
			result(side + id) <- spec.Run(ctx, &streamNetConn{s: res.Stream}, frame.Server, c)
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP2(true)
	defer tr.CloseIdleConnections()
	base := "wss" + strings.TrimPrefix(srv.URL, "https")

	t.Run("Server", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.ID, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
				defer cancel()
				res, _, err := handshake.Dial(ctx, base+"/server/"+c.ID, &handshake.ClientOptions{HTTP2: tr})
				if err != nil {
					t.Fatal(err)
				}
				if err := spec.Run(ctx, &streamNetConn{s: res.Stream}, frame.Client, c); err != nil {
					t.Error(err)
				}
				select {
				case err := <-result("server" + c.ID):
					if err != nil {
						t.Error(err)
					}
				case <-time.After(2 * doneTimeout):
					t.Errorf("%s: the server's handler has not returned %v after the peer closed its stream", c.ID, 2*doneTimeout)
				}
			})
		}
	})
	t.Run("Client", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.ID, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
				defer cancel()
				ws, _, err := conn.Dial(ctx, base+"/client/"+c.ID, &conn.DialOptions{
					HTTP2: tr, ReadLimit: c.Settings.ReadLimit, CloseTimeout: c.Settings.CloseTimeout,
				})
				if err != nil {
					t.Fatal(err)
				}
				defer ws.CloseNow()
				ended := make(chan error, 1)
				go func() { ended <- endpointEnd(c, ws, ws.Done()) }()
				select {
				case err := <-result("client" + c.ID):
					if err != nil {
						t.Error(err)
					}
				case <-ctx.Done():
					t.Errorf("%s: the peer did not finish within %v", c.ID, caseTimeout)
				}
				if err := <-ended; err != nil {
					t.Error(err)
				}
			})
		}
	})
}

// endpointEnd runs the echo loop of ws until Receive reports the end, then
// checks what runCase checks over TCP: the connection ends, Receive's final
// error wraps conn.ErrClosed and, when the endpoint failed the connection,
// carries the code that went on the wire.
func endpointEnd(c spec.Case, ws *conn.Conn, done <-chan struct{}) error {
	echoed := make(chan error, 1)
	go func() { echoed <- echo(ws) }()
	var err error
	select {
	case err = <-echoed:
	case <-time.After(caseTimeout):
		ws.CloseNow()
		return errors.New(c.ID + ": Receive is still blocked after " + caseTimeout.String())
	}
	select {
	case <-done:
	case <-time.After(doneTimeout):
		return errors.New(c.ID + ": Done is still open " + doneTimeout.String() + " after Receive returned")
	}
	if !errors.Is(err, conn.ErrClosed) {
		return errors.New(c.ID + ": Receive's final error does not wrap conn.ErrClosed: " + err.Error())
	}
	if c.Want.Closer == spec.Endpoint {
		var pe *frame.ProtocolError
		if !errors.As(err, &pe) {
			return errors.New(c.ID + ": Receive's final error is not a *frame.ProtocolError: " + err.Error())
		}
		if !codeIn(pe.Code, c.Want.Codes) {
			return errors.New(c.ID + ": Receive's final error carries code " + pe.Code.String())
		}
	}
	return nil
}

// streamNetConn is the peer's side of an HTTP/2 stream as the net.Conn
// spec.Run expects: a deadline that passes (only ever set when the case's
// context ends) closes the stream.
type streamNetConn struct {
	s    *handshake.Stream
	once sync.Once
}

func (c *streamNetConn) Read(p []byte) (int, error)  { return c.s.Read(p) }
func (c *streamNetConn) Write(p []byte) (int, error) { return c.s.Write(p) }
func (c *streamNetConn) Close() error {
	c.once.Do(func() { c.s.Close() })
	return nil
}
func (c *streamNetConn) LocalAddr() net.Addr  { return c.s.LocalAddr() }
func (c *streamNetConn) RemoteAddr() net.Addr { return c.s.RemoteAddr() }
func (c *streamNetConn) SetDeadline(t time.Time) error {
	if !t.IsZero() {
		time.AfterFunc(time.Until(t), func() { c.Close() })
	}
	return nil
}
func (c *streamNetConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *streamNetConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }
