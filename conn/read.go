package conn

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// Receive returns the next message, in the order the peer sent them, waiting
// for one while ctx allows. The caller owns msg.Data (see [Message.Release]).
//
// If ctx ends first, Receive returns ctx.Err() and nothing else happens: the
// connection stays usable and a message that arrives later is returned by the
// next call.
//
// When the connection ends, Receive first returns every message that was
// complete before the end, then the error: [*CloseError] if the peer sent a
// close frame, otherwise an error wrapping [ErrClosed] and its cause. After a
// local Close or CloseNow, queued messages are dropped and Receive returns
// ErrClosed.
func (c *Conn) Receive(ctx context.Context) (Message, error) {
	if ctx == nil {
		return Message{}, errNilContext
	}
	return c.receive(ctx, time.Time{})
}

// ReceiveTimeout is Receive with a timeout instead of a context: after d it
// returns context.DeadlineExceeded and the connection stays usable. With
// d <= 0 it returns a message only if one has already arrived.
func (c *Conn) ReceiveTimeout(d time.Duration) (Message, error) {
	deadline := time.Now().Add(d)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	return c.receive(ctx, deadline)
}

// receive is Receive; a non-zero deadline is ctx's deadline and ctx is the
// caller's own (ReceiveTimeout), so the socket's deadline can stand for it.
func (c *Conn) receive(ctx context.Context, deadline time.Time) (Message, error) {
	for {
		if c.q.Len() == 0 && !c.ending.Load() && c.tryReading() {
			// The common case: nothing queued, nobody reads.
			m, err := c.readFor(ctx, deadline)
			if err != errLookAgain {
				return m, err
			}
			continue
		}
		m, ok, err := c.q.TryPop()
		if ok || err != nil {
			return c.received(m, err)
		}
		if c.ending.Load() {
			// The background reader reads until the end and queues
			// what is left.
			return c.received(c.q.Pop(ctx))
		}
		switch err := c.waitReading(ctx, true); err {
		case nil:
		case errLookAgain:
			continue
		default:
			if m, ok, _ := c.q.TryPop(); ok {
				return m, nil
			}
			return Message{}, err
		}
		m, err = c.readFor(ctx, deadline)
		if err != errLookAgain {
			return m, err
		}
	}
}

// errLookAgain tells receive to look at the queue again: the reading went
// to the background reader.
var errLookAgain = errors.New("conn: look at the queue again")

// readFor reads as the owner of the reading until a message is complete,
// which it returns, or ctx ends. A message the background reader queued
// before it stepped aside comes first.
func (c *Conn) readFor(ctx context.Context, deadline time.Time) (Message, error) {
	if c.q.Len() > 0 {
		if m, ok, _ := c.q.TryPop(); ok {
			c.leaveReading()
			return m, nil
		}
	}
	// Field by field: a composite literal is built aside and copied in
	// wide moves, which stall right after the narrow stores that built it
	// (frame.Parser.Parse says more), on every message.
	var t turn
	t.c, t.ctx, t.deadline = c, ctx, deadline
	var m Message
	var err error
	if c.in.r == c.in.w && c.in.pong == nil {
		// Nothing buffered: wait here, close to the caller, where an idle
		// connection's goroutine spends its time, so that its stack
		// stays small (readMessage waits as well, deeper down).
		_, err = t.read(nil)
	}
	if err == nil {
		m, err = c.readMessage(&t)
	}
	if err != nil {
		return m, c.stopTurn(&t, err)
	}
	c.leaveReading()
	return m, nil
}

// stopTurn ends the turn of a Receive call (or a Read) that stopped reading
// because of err, and returns the error for the caller: its context's, or
// errLookAgain when the reading ended or the connection is ending, which the
// background reader then sees through.
func (c *Conn) stopTurn(t *turn, err error) error {
	if err != t.ctx.Err() && err != context.DeadlineExceeded {
		c.ending.Store(true)
		err = errLookAgain
	}
	c.leaveReading()
	return err
}

// received passes on what the queue returned; when it is the ending error,
// it tells a failure waiting in awaitReceiver that the application has
// taken every message before it.
func (c *Conn) received(m Message, err error) (Message, error) {
	if err != nil && errors.Is(err, ErrClosed) {
		c.receiverReached()
	}
	return m, err
}

// readMessage reads, as the owner of the reading, until a whole message is
// complete, answering control frames on the way. It returns the reading's
// end (c.in.end) or why the owner has to stop (see turn.read); what was read
// of a message stays in c.in for the next owner.
func (c *Conn) readMessage(t *turn) (Message, error) {
	in := &c.in
	c.abandonStream()
	var ev frame.Event
	for {
		if in.end != nil {
			return Message{}, in.end
		}
		if in.pong != nil {
			if err := c.pong(t, in.pong); err != nil {
				return Message{}, err
			}
		}
		if room := c.directRoom(); room != nil {
			// A large payload: straight from the socket into the
			// message, with no copy through the buffer.
			n, err := t.read(room)
			if err != nil {
				return Message{}, err
			}
			if err := in.p.Payload(room[:n], &ev); err != nil {
				in.end = err
				continue
			}
			in.msg.added(n)
			if ev.Fin {
				return c.finishMessage(ev.Type)
			}
			continue
		}
		if !in.skip {
			// Whole messages are bounded by ReadLimit (a streamed one,
			// skipped here, by StreamLimit).
			in.p.SetLimit(c.wireLimit())
		}
		n, err := in.p.Parse(in.buffered(), &ev)
		in.r += n
		switch {
		case err != nil:
			in.end = err
		case ev.Kind == frame.EventNone:
			if _, err := t.read(nil); err != nil {
				return Message{}, err
			}
		case ev.Kind != frame.EventData:
			if err := c.control(t, &ev); err != nil {
				return Message{}, err
			}
		case c.skipped(ev.Fin):
		default:
			if ev.Start {
				in.msgType, in.deflated = ev.Type, ev.Compressed
			}
			in.msg.add(&ev)
			if ev.Fin {
				return c.finishMessage(ev.Type)
			}
		}
	}
}

// finishMessage returns the whole message just put together, of type typ,
// inflated if it came compressed; or, if it is over the read limit once
// inflated, the reading's end.
func (c *Conn) finishMessage(typ frame.Opcode) (Message, error) {
	in := &c.in
	m := in.msg.take(typ)
	in.msgType = 0
	var err error
	switch {
	case in.deflated:
		in.deflated = false
		m, err = c.z.inflate(m, c.readLimit)
	case c.z != nil && c.readLimit >= 0 && int64(len(m.Data)) > c.readLimit:
		// Uncompressed, within wireLimit's slack but over ReadLimit.
		m.Release()
		err = frame.ErrMessageTooBig
	}
	if err != nil {
		in.end = err
		return Message{}, err
	}
	return m, nil
}

// wireLimit is the parser's limit for whole messages: ReadLimit, and with
// compression some room for DEFLATE's overhead on a payload that does not
// compress (5 bytes per 64 KiB stored block): finishMessage holds inflated
// and uncompressed messages to ReadLimit itself. A whole message is a slice,
// so the limit is never past intLimit.
func (c *Conn) wireLimit() int64 {
	limit := intLimit(c.readLimit)
	if c.z != nil {
		limit += min(limit/1024+64, math.MaxInt-limit)
	}
	return limit
}

// intLimit returns limit (< 0: none) bounded by the largest length a buffer
// can have: on 32-bit platforms a whole message past 2 GiB is refused, with
// 1009, rather than wrapped, whatever ReadLimit says.
func intLimit(limit int64) int64 {
	if limit < 0 || limit > math.MaxInt {
		return math.MaxInt
	}
	return limit
}

// directRoom returns where the next payload bytes can be read straight into
// the message, or nil: only for a large rest of a frame with nothing
// buffered, into room the message already has.
func (c *Conn) directRoom() []byte {
	in := &c.in
	rem := in.p.Remaining()
	if rem < directRead || in.r != in.w {
		return nil
	}
	room := in.msg.room()
	if len(room) < directRead {
		return nil
	}
	return room[:min(int64(len(room)), rem)]
}

// control handles a control frame (RFC 6455 §5.5).
func (c *Conn) control(t *turn, ev *frame.Event) error {
	switch ev.Kind {
	case frame.EventPing:
		// RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST
		// send a Pong frame in response ... The Pong frame MUST have the
		// same payload as the Ping frame." Every ping gets its pong, in
		// order: the owner waits for room in the output buffer rather than
		// drop one.
		return c.pong(t, ev.Payload)
	case frame.EventPong:
		c.gotPong(ev.Payload)
	case frame.EventClose:
		c.in.end = &peerClose{ev.Code, ev.Reason}
		return c.in.end
	}
	return nil
}

// pong queues a pong with payload p. If a Receive call's context ends while
// it waits for room, the pong is kept (in.pong) for the next owner to queue
// first. After our close frame nothing more is sent (§5.5.1): writeControl
// then fails, and the pong is dropped.
func (c *Conn) pong(t *turn, p []byte) error {
	in := &c.in
	err := c.writeControl(t.done(), frame.OpPong, p, nil)
	if err == context.Canceled && t.ctx != nil {
		if in.pong == nil {
			in.pong = append([]byte{}, p...)
		}
		return t.ctx.Err()
	}
	in.pong = nil
	return nil
}
