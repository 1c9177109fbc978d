package conn

import (
	"context"
	"errors"
	"io"

	"github.com/seed865a0254/websocket/frame"
)

// Reader returns the next message as a stream, to be read while its frames
// arrive, so that it is never held whole: for messages too large to hold.
// Messages that were already whole in the queue come first, in order, and
// are read from memory. ctx bounds the wait for the message to start and,
// until SetContext changes it, every Read.
//
// A streamed message may be as large as the StreamLimit option allows, which
// may be more than ReadLimit. (A message that starts arriving while no call
// waits in Receive or Reader is read by the background reader as a whole
// message, under ReadLimit, until Reader takes it over.) Its bytes are
// checked as they arrive, as Receive checks them: UTF-8 for text, the size
// limit from each frame's declared length. Pings and the peer's close frame are answered as Read
// goes; while the application holds an unfinished MessageReader and does not
// read, nothing is read from the connection.
//
// A compressed message (permessage-deflate) is not streamed: it is inflated
// whole, under ReadLimit, and then read from memory.
//
// If ctx ends first, Reader returns ctx.Err() and nothing is lost, as with
// Receive. A later Receive or Reader call while a streamed message is
// unfinished skips the rest of it; its MessageReader then fails.
func (c *Conn) Reader(ctx context.Context) (*MessageReader, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	for {
		m, ok, err := c.q.TryPop()
		if !ok && err == nil && c.ending.Load() {
			m, err = c.q.Pop(ctx)
			ok = err == nil
		}
		switch {
		case ok:
			return &MessageReader{Type: m.Type, c: c, whole: m.Data}, nil
		case err != nil:
			_, err = c.received(m, err)
			return nil, err
		}
		switch err := c.waitReading(ctx, true); err {
		case nil:
		case errLookAgain:
			continue
		default:
			return nil, err
		}
		r, err := c.startStream(ctx)
		if err != errLookAgain {
			return r, err
		}
	}
}

// startStream reads, as the owner of the reading, until the next message
// starts, and returns its MessageReader. A message that is partly read
// already (a Receive call gave up in its middle) is taken over.
func (c *Conn) startStream(ctx context.Context) (*MessageReader, error) {
	in := &c.in
	if m, ok, _ := c.q.TryPop(); ok {
		c.leaveReading()
		return &MessageReader{Type: m.Type, c: c, whole: m.Data}, nil
	}
	t := turn{c: c, ctx: ctx}
	r := &MessageReader{c: c, ctx: ctx}
	c.abandonStream()
	in.p.SetLimit(c.streamLimit)
	if in.deflated {
		return c.streamWhole(&t, nil)
	}
	if in.msgType != 0 {
		// Its start was read as a whole message's, under ReadLimit; the
		// rest comes under StreamLimit.
		r.Type, r.whole = MessageType(in.msgType), in.msg.data
		in.msg.data = nil
		in.stream = r
		c.leaveReading()
		return r, nil
	}
	var ev frame.Event
	for {
		err := c.nextEvent(&t, &ev)
		if err == nil && ev.Kind == frame.EventData && ev.Compressed {
			return c.streamWhole(&t, &ev)
		}
		if err == nil && ev.Kind == frame.EventData {
			r.Type = MessageType(ev.Type)
			r.take(&ev)
			c.leaveReading()
			return r, nil
		}
		if err == nil {
			err = c.control(&t, &ev)
		}
		if err != nil {
			return nil, c.stopTurn(&t, err)
		}
	}
}

// streamWhole puts together a compressed message, whose first event is ev
// (nil: it is under way), as a whole message, inflated under ReadLimit, and
// returns it as a stream: compressed messages are not streamed.
func (c *Conn) streamWhole(t *turn, ev *frame.Event) (*MessageReader, error) {
	in := &c.in
	var m Message
	var err error
	if ev != nil {
		// Its first header was judged under StreamLimit; held whole, it
		// answers to the whole message's limit.
		if int64(len(ev.Payload))+ev.More > c.wireLimit() {
			in.end = frame.ErrMessageTooBig
			return nil, c.stopTurn(t, in.end)
		}
		in.msgType, in.deflated = ev.Type, true
		in.msg.add(ev)
	}
	if ev != nil && ev.Fin {
		m, err = c.finishMessage(ev.Type)
	} else {
		m, err = c.readMessage(t)
	}
	if err != nil {
		return nil, c.stopTurn(t, err)
	}
	c.leaveReading()
	return &MessageReader{Type: m.Type, c: c, whole: m.Data}, nil
}

// MessageReader is one message read as it arrives; see [Conn.Reader]. Read
// it to io.EOF. It is for one goroutine.
type MessageReader struct {
	Type MessageType

	c   *Conn
	ctx context.Context
	// whole holds bytes already in memory: a message that was whole in the
	// queue, or the start of one read before the stream took it over.
	whole []byte
	// chunk is payload the parser gave out and Read has not yet copied; it
	// lies in the read buffer, which nobody reuses while the stream is
	// c.in.stream.
	chunk     []byte
	fin       bool // the parser has given out the message's last bytes
	abandoned bool // a later Receive or Reader call skipped the rest
	err       error
}

// errAbandoned is what a MessageReader returns once a later Receive or
// Reader call skipped the rest of its message.
var errAbandoned = errors.New("conn: streamed message abandoned: a later Receive or Reader call skipped its rest")

// SetContext makes ctx bound the Reads that follow.
func (r *MessageReader) SetContext(ctx context.Context) { r.ctx = ctx }

// Read reads the next bytes of the message; it returns io.EOF at its end.
// If its context ends first, Read returns ctx.Err() and nothing is lost: a
// later Read (after SetContext) goes on where it stopped.
func (r *MessageReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(r.whole) > 0 {
		n := copy(p, r.whole)
		r.whole = r.whole[n:]
		return n, nil
	}
	if r.ctx == nil {
		// A message that was whole in the queue.
		r.err = io.EOF
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c := r.c
	switch err := c.waitReading(r.ctx, false); err {
	case nil:
	case errLookAgain: // the queue was closed: the connection ended
		r.err = c.endError()
		return 0, r.err
	default:
		return 0, err
	}
	n, err := c.readStream(r, p)
	if err == io.EOF || err == errAbandoned {
		r.err = err
	}
	return n, err
}

// readStream reads, as the owner of the reading, the next bytes of r's
// message into p.
func (c *Conn) readStream(r *MessageReader, p []byte) (int, error) {
	in := &c.in
	if in.stream != r {
		c.leaveReading()
		switch {
		case r.fin && len(r.chunk) == 0:
			return 0, io.EOF
		case c.ending.Load():
			return 0, c.endError()
		}
		return 0, errAbandoned
	}
	t := turn{c: c, ctx: r.ctx}
	for {
		if len(r.chunk) > 0 {
			n := copy(p, r.chunk)
			r.chunk = r.chunk[n:]
			c.endStream(r)
			c.leaveReading()
			return n, nil
		}
		if r.fin {
			c.endStream(r)
			c.leaveReading()
			return 0, io.EOF
		}
		var ev frame.Event
		var err error
		if rem := in.p.Remaining(); rem > 0 && in.r == in.w {
			// Straight from the socket into p.
			b := p[:min(int64(len(p)), rem)]
			var n int
			if n, err = t.read(b); err == nil {
				if err = in.p.Payload(b[:n], &ev); err != nil {
					in.end = err
				} else {
					r.fin = ev.Fin
					c.endStream(r)
					c.leaveReading()
					return n, nil
				}
			}
		} else if err = c.nextEvent(&t, &ev); err == nil {
			if ev.Kind == frame.EventData {
				r.take(&ev)
				continue
			}
			err = c.control(&t, &ev)
		}
		if err != nil {
			if err := c.stopTurn(&t, err); err != errLookAgain {
				return 0, err
			}
			r.err = c.endError()
			return 0, r.err
		}
	}
}

// nextEvent parses the next event from the buffered bytes into *ev, reading
// more as needed, and skips what is left of an abandoned streamed message.
func (c *Conn) nextEvent(t *turn, ev *frame.Event) error {
	in := &c.in
	for {
		n, err := in.p.Parse(in.buffered(), ev)
		in.r += n
		switch {
		case err != nil:
			in.end = err
			return err
		case ev.Kind == frame.EventNone:
			if _, err := t.read(nil); err != nil {
				return err
			}
		case ev.Kind != frame.EventData || !c.skipped(ev.Fin):
			return nil
		}
	}
}

// abandonStream lets go of a streamed message whose reader is still open:
// an owner other than its MessageReader reads on, skipping the rest of it.
func (c *Conn) abandonStream() {
	in := &c.in
	if r := in.stream; r != nil {
		in.stream = nil
		r.chunk, r.abandoned = nil, true
		in.skip = !r.fin
	}
}

// skipped reports whether the data event just parsed belongs to the rest of
// an abandoned streamed message, which is dropped; fin says it is the last.
func (c *Conn) skipped(fin bool) bool {
	in := &c.in
	if !in.skip {
		return false
	}
	in.skip = !fin
	return true
}

// take records ev, the next data event of r's message.
func (r *MessageReader) take(ev *frame.Event) {
	r.chunk, r.fin = ev.Payload, ev.Fin
	if !r.fin || len(r.chunk) > 0 {
		r.c.in.stream = r
	} else {
		r.err = io.EOF
	}
}

// endStream lets go of r's message once all of it was read. The next Read
// returns io.EOF without taking the reading: meanwhile the background
// reader may queue the messages that follow, and a Read that waited for
// the reading would then wait for a Receive call to take them.
func (c *Conn) endStream(r *MessageReader) {
	if r.fin && len(r.chunk) == 0 {
		r.err = io.EOF
		if c.in.stream == r {
			c.in.stream = nil
		}
	}
}

// endError waits until the connection's ending is known and returns it, as
// Receive would once the queued messages are taken.
func (c *Conn) endError() error {
	<-c.q.Closed()
	_, err := c.received(Message{}, c.q.Err())
	return err
}
