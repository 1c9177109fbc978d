package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// NetConn returns a net.Conn that carries a byte stream over ws in messages
// of type typ (Text or Binary), for code that speaks net.Conn: an RPC
// library, a TLS or SSH session inside the WebSocket, io.Copy.
//
// Write sends p as one message (an empty p sends nothing); a Text stream
// must write valid UTF-8 in every call. Read reads the messages' bytes in
// order as one stream, with no boundaries between them: a message may be
// read across several Reads. A message that begins while a Read waits is
// read as its frames arrive (see [Conn.Reader]), never held whole, up to
// the StreamLimit option; one that begins while no Read waits is taken
// whole by the background reader, under ReadLimit.
//
// Deadlines are those of net.Conn, and they do what a Receive call's
// context does: a Read or Write past its deadline returns an error that is
// a net.Error whose Timeout is true and that matches os.ErrDeadlineExceeded,
// and the connection stays usable. Nothing is lost: the bytes that arrive
// after a Read timed out are returned by the next Read. A deadline set while
// a Read or Write waits applies to it. A Write whose large message had begun
// to go out when its deadline passed still sends it whole and reports it
// written.
//
// Read returns io.EOF once the peer has closed the connection with
// StatusNormalClosure (1000); any other ending is an error that wraps its
// cause (see [CloseStatus] for the peer's code). A message of the other
// type fails the connection with StatusUnsupportedData (1003, RFC 6455
// §7.4.1), and Read returns an error wrapping [ErrClosed].
//
// Close starts the closing handshake with StatusNormalClosure, as
// ws.Close does, after making every waiting Read and Write return; later
// calls return an error matching net.ErrClosed, as do Read and Write.
// LocalAddr and RemoteAddr are ws's.
//
// A nil ws or a typ other than Text or Binary is a mistake: every method of
// the returned net.Conn then returns an error saying so.
//
// The net.Conn owns ws's receiving side: do not call ws.Receive or
// ws.Reader as well (a Reader call would skip the rest of the message the
// net.Conn is reading). While a Read has taken part of a message and no
// Read follows, nothing is read from the connection, so pings go
// unanswered: keep reading.
//
// # Concurrency
//
// All methods are safe for concurrent use, as net.Conn requires. Reads are
// served one at a time, in the order they take their turn; Writes from
// several goroutines send their messages whole, in some order.
func NetConn(ws *Conn, typ MessageType) net.Conn {
	nc := &netConn{ws: ws, typ: typ, reading: make(chan struct{}, 1)}
	switch {
	case ws == nil:
		nc.bad = errNilConn
	case typ != Text && typ != Binary:
		nc.bad = errMessageType
	}
	// Its Writes' contexts interrupt even a small message's write.
	base := context.WithValue(context.Background(), interruptibleKey{}, true)
	nc.closed, nc.close = context.WithCancelCause(base)
	nc.rd.init(nc.closed)
	nc.wr.init(nc.closed)
	return nc
}

var errNilConn = errors.New("conn: nil *Conn")

// errOtherType is why a net.Conn fails its connection when a message of the
// other type arrives.
var errOtherType = errors.New("conn: net.Conn got a message of the other type")

// netConn is what NetConn returns.
type netConn struct {
	ws  *Conn
	typ MessageType
	bad error // the caller's mistake, if any

	// closed ends with Close (cause net.ErrClosed); the deadlines'
	// contexts are its children.
	closed    context.Context
	close     context.CancelCauseFunc
	closeOnce sync.Once
	rd, wr    deadline

	// reading is the Reads' turn (one slot): its holder owns r and end.
	reading chan struct{}
	r       *MessageReader // the message being read, if any
	end     error          // what every later Read returns
}

func (nc *netConn) Read(p []byte) (int, error) {
	if nc.bad != nil {
		return 0, nc.opError("read", nc.bad)
	}
	ctx := nc.rd.context()
	select {
	case nc.reading <- struct{}{}:
	case <-ctx.Done():
		return 0, nc.opError("read", context.Cause(ctx))
	}
	defer func() { <-nc.reading }()
	if nc.end != nil {
		return 0, nc.end
	}
	if ctx.Err() != nil {
		return 0, nc.opError("read", context.Cause(ctx))
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if nc.r == nil {
			r, err := nc.ws.Reader(ctx)
			if err != nil {
				return 0, nc.readError(ctx, err)
			}
			if r.Type != nc.typ {
				nc.ws.fail(errOtherType, StatusUnsupportedData)
				return 0, nc.readError(ctx, closedBy(errOtherType))
			}
			nc.r = r
		}
		if nc.r.ctx != nil {
			// Streamed (a message whole in the queue has no context).
			nc.r.SetContext(ctx)
		}
		n, err := nc.r.Read(p)
		switch {
		case err == io.EOF:
			nc.r = nil
			if n == 0 {
				continue // an empty message, or its end: read the next
			}
		case err != nil:
			return n, nc.readError(ctx, err)
		}
		return n, nil
	}
}

// readError returns the error for a Read that failed with err: a timeout or
// net.ErrClosed when ctx ended (the Read can be repeated), else the end of
// the stream, which every later Read returns too.
func (nc *netConn) readError(ctx context.Context, err error) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed)) {
		return nc.opError("read", context.Cause(ctx))
	}
	if ce, ok := errors.AsType[*CloseError](err); ok && ce.Code == StatusNormalClosure {
		nc.end = io.EOF
	} else {
		nc.end = nc.opError("read", err)
	}
	nc.r = nil
	return nc.end
}

func (nc *netConn) Write(p []byte) (int, error) {
	if nc.bad != nil {
		return 0, nc.opError("write", nc.bad)
	}
	ctx := nc.wr.context()
	if ctx.Err() != nil {
		return 0, nc.opError("write", context.Cause(ctx))
	}
	if len(p) == 0 {
		return 0, nil
	}
	err := nc.ws.Send(ctx, nc.typ, p)
	if _, still := errors.AsType[*stillSent](err); err == nil || still {
		return len(p), nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed)) {
		err = context.Cause(ctx)
	}
	return 0, nc.opError("write", err)
}

func (nc *netConn) Close() error {
	if nc.bad != nil {
		return nc.opError("close", nc.bad)
	}
	first := false
	nc.closeOnce.Do(func() {
		first = true
		nc.close(net.ErrClosed)
	})
	if !first {
		return nc.opError("close", net.ErrClosed)
	}
	if err := nc.ws.Close(StatusNormalClosure, ""); err != nil {
		return nc.opError("close", err)
	}
	return nil
}

func (nc *netConn) LocalAddr() net.Addr {
	if nc.ws == nil {
		return nil
	}
	return nc.ws.LocalAddr()
}

func (nc *netConn) RemoteAddr() net.Addr {
	if nc.ws == nil {
		return nil
	}
	return nc.ws.RemoteAddr()
}

func (nc *netConn) SetDeadline(t time.Time) error {
	if err := nc.SetReadDeadline(t); err != nil {
		return err
	}
	return nc.SetWriteDeadline(t)
}

func (nc *netConn) SetReadDeadline(t time.Time) error  { return nc.setDeadline(&nc.rd, t) }
func (nc *netConn) SetWriteDeadline(t time.Time) error { return nc.setDeadline(&nc.wr, t) }

func (nc *netConn) setDeadline(d *deadline, t time.Time) error {
	switch {
	case nc.bad != nil:
		return nc.opError("set", nc.bad)
	case nc.closed.Err() != nil:
		return nc.opError("set", net.ErrClosed)
	}
	d.set(nc.closed, t)
	return nil
}

// opError wraps err as net.Conn implementations do: a *net.OpError, whose
// Timeout and Unwrap see through to err.
func (nc *netConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "websocket", Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: err}
}

// deadline is one direction's deadline as a context that ends when the
// deadline passes (cause os.ErrDeadlineExceeded) or the net.Conn closes.
// A Read or Write takes the context once; moving the deadline re-arms the
// timer of that same context, so that a new deadline reaches the calls
// under way, until the context has ended: the next deadline then gets a new
// one.
type deadline struct {
	mu    sync.Mutex
	ctx   context.Context
	end   context.CancelCauseFunc
	timer *time.Timer // while a future deadline is armed
}

func (d *deadline) init(parent context.Context) {
	d.ctx, d.end = context.WithCancelCause(parent)
}

func (d *deadline) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ctx
}

func (d *deadline) set(parent context.Context, t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	// A timer that could not be stopped has fired, or is firing: its
	// context is as good as ended.
	fired := d.timer != nil && !d.timer.Stop()
	d.timer = nil
	if fired || d.ctx.Err() != nil {
		d.ctx, d.end = context.WithCancelCause(parent)
	}
	switch {
	case t.IsZero():
	case !t.After(time.Now()):
		d.end(os.ErrDeadlineExceeded)
	default:
		end := d.end
		d.timer = time.AfterFunc(time.Until(t), func() { end(os.ErrDeadlineExceeded) })
	}
}
