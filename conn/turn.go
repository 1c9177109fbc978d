package conn

import (
	"context"
	"errors"
	"time"
)

// turn is one owner's hold of the reading: what bounds its waits for the
// socket, and when it has to let go.
type turn struct {
	c          *Conn
	background bool
	ctx        context.Context // a Receive call's (nil for the background reader)
	// deadline is ctx's deadline when the socket's read deadline may stand
	// for it (ReceiveTimeout); else ctx's end pokes the socket.
	deadline time.Time
	armed    bool
}

// Why an owner stops reading, besides its context and the end of the
// reading.
var (
	// errYield: a Receive call wants the reading from the background
	// reader.
	errYield = errors.New("conn: reading wanted by Receive")
	// errFailing: the connection is being failed; the reader stops.
	errFailing = errPeerAfterFail
)

// read reads from the socket, waiting for bytes: into b if not nil (payload
// read straight into a message), else into the buffer. It returns the
// reading's end if the read failed, or why the owner has to stop: its
// context ended, the background reader is wanted elsewhere (errYield), the
// connection is being failed (errFailing), or, for a Receive call, is ending
// (errLookAgain).
func (t *turn) read(b []byte) (int, error) {
	c, in := t.c, &t.c.in
	for {
		if err := t.mustStop(); err != nil {
			return 0, err
		}
		t.arm()
		if dl := unixNano(t.deadline); in.dl != dl {
			c.nc.SetReadDeadline(t.deadline)
			in.dl = dl
		}
		var n int
		var err error
		if b != nil {
			n, err = c.readDirect(b)
		} else {
			err = c.fill()
		}
		if err == nil || n > 0 {
			return n, nil
		}
		if !errTimeout(err) {
			return 0, err
		}
		if err := t.expired(); err != nil {
			return 0, err
		}
		// A poke: set our own deadline again, and look at what changed.
		in.dl = -1
	}
}

// mustStop reports why the owner has to stop before it waits, if it has to.
func (t *turn) mustStop() error {
	c := t.c
	if t.background {
		if c.failing.Load() {
			return errFailing
		}
		if c.yieldNow() {
			return errYield
		}
		return nil
	}
	if c.ending.Load() {
		return errLookAgain
	}
	return nil
}

// arm makes the end of a Receive call's context poke the socket, once per
// turn and only when the turn waits. The registration stays for later
// calls with the same context (see input.armed); a stale one costs a
// spurious poke at most.
func (t *turn) arm() {
	if t.armed || t.ctx == nil {
		return
	}
	t.armed = true
	done := t.ctx.Done()
	in := &t.c.in
	if !t.deadline.IsZero() || done == nil || done == in.armed {
		return
	}
	if in.unarm != nil {
		in.unarm()
	}
	in.armed, in.unarm = done, context.AfterFunc(t.ctx, t.c.poke)
}

// expired returns the error for an owner whose wait a deadline interrupted,
// if its context (or the deadline standing for it) has ended; nil means a
// poke.
func (t *turn) expired() error {
	if t.ctx == nil {
		return nil
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if !t.deadline.IsZero() && !time.Now().Before(t.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// done returns the channel that ends the owner's waits for the writer.
func (t *turn) done() <-chan struct{} {
	if t.ctx == nil {
		return nil
	}
	return t.ctx.Done()
}

// unixNano returns t in Unix nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
