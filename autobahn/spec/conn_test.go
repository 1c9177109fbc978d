package spec_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/autobahn/spec"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

const (
	// caseTimeout bounds one case, whatever the endpoint does.
	caseTimeout = 15 * time.Second
	// doneTimeout bounds how long the connection may live on once the
	// peer has closed its end.
	doneTimeout = 5 * time.Second
)

// TestSpec runs every case of the catalogue against this module's
// connection: as a server (TestSpec/Server/5.15) facing a client peer, and,
// roles swapped, as a client (TestSpec/Client/5.15) facing a server peer. The
// endpoint is conn.New over loopback TCP with an echo loop: every message
// received is sent back with the same type.
func TestSpec(t *testing.T) {
	cases := spec.Cases()
	for _, side := range []struct {
		name string
		role frame.Role
	}{{"Server", frame.Server}, {"Client", frame.Client}} {
		t.Run(side.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.ID, func(t *testing.T) {
					t.Parallel()
					runCase(t, c, side.role)
				})
			}
		})
	}
}

func runCase(t *testing.T, c spec.Case, role frame.Role) {
	endpointEnd, peerEnd := tcpPair(t)
	ws := conn.New(endpointEnd, nil, role, options(c.Settings))
	echoed := make(chan error, 1)
	go func() { echoed <- echo(ws) }()

	as := frame.Client
	if role == frame.Client {
		as = frame.Server
	}
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	if err := spec.Run(ctx, peerEnd, as, c); err != nil {
		t.Error(err)
	}

	// The peer has closed its end: the connection must be over, and the
	// echo loop's Receive must have returned.
	select {
	case <-ws.Done():
	case <-time.After(doneTimeout):
		t.Errorf("%s: Done is still open %v after the peer closed the TCP connection", c.ID, doneTimeout)
	}
	var err error
	select {
	case err = <-echoed:
	case <-time.After(doneTimeout):
		ws.CloseNow()
		t.Fatalf("%s: Receive is still blocked %v after the peer closed the TCP connection", c.ID, doneTimeout)
	}
	ws.CloseNow()
	if !errors.Is(err, conn.ErrClosed) {
		t.Errorf("%s: Receive's final error %v does not wrap conn.ErrClosed", c.ID, err)
	}
	// When the endpoint fails the connection, Receive reports the
	// violation with the code that went on the wire.
	if c.Want.Closer == spec.Endpoint {
		var pe *frame.ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Receive's final error is %v, want a *frame.ProtocolError", c.ID, err)
		} else if !codeIn(pe.Code, c.Want.Codes) {
			t.Errorf("%s: Receive's final error carries code %d, want one of %v", c.ID, pe.Code, c.Want.Codes)
		}
	}
}

// options configures the endpoint as set says.
func options(set spec.Settings) *conn.Options {
	o := &conn.Options{
		ReadLimit:    set.ReadLimit,
		CloseTimeout: set.CloseTimeout,
		Deflate:      set.Deflate,
	}
	if z := set.Compression; z != nil {
		o.Compression = &conn.Compression{Threshold: z.Threshold, ContextTakeover: z.ContextTakeover}
		if z.Threshold == 0 {
			o.Compression.Threshold = -1 // every message
		}
	}
	return o
}

// echo sends every message back with its type until Receive reports the end
// of the connection, which it returns. A failed Send does not stop it: the
// messages received before the end still come out of Receive, then the end.
func echo(ws *conn.Conn) error {
	ctx := context.Background()
	for {
		m, err := ws.Receive(ctx)
		if err != nil {
			return err
		}
		ws.Send(ctx, m.Type, m.Data)
	}
}

func codeIn(c frame.StatusCode, codes []frame.StatusCode) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	dialed, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-accepted
	if r.err != nil {
		dialed.Close()
		t.Fatal(r.err)
	}
	return r.c, dialed
}
