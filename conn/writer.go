package conn

import (
	"context"
	"errors"
	"io"

	"github.com/seed865a0254/websocket/frame"
)

// Writer returns a writer for one message of type typ sent in fragments
// (RFC 6455 §5.4): each Write with a non-empty p sends one frame, and Close
// sends the final frame. Until Close, other messages wait (Send blocks,
// bounded by its ctx); control frames (pongs, pings, the close frame) may go
// out between the fragments. ctx bounds every Write and Close as it bounds
// Send. A Text writer checks UTF-8 across writes: a Write whose p makes the
// text invalid returns an error and sends nothing of p; since the message
// cannot be finished validly, the message is abandoned if none of it was
// sent yet, and otherwise the connection is failed with
// StatusInternalError (1011). The same holds when Close finds the text
// ending inside a character, or when a frame of the message could not be
// written. Always call Close.
func (c *Conn) Writer(ctx context.Context, typ MessageType) (io.WriteCloser, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if typ != Text && typ != Binary {
		return nil, errMessageType
	}
	c.mu.Lock()
	for {
		if c.sendErr != nil {
			err := c.sendErr
			c.mu.Unlock()
			return nil, err
		}
		if !c.streaming {
			break
		}
		if !c.waitLocked(ctx.Done()) {
			c.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	c.streaming = true
	c.mu.Unlock()
	return &messageWriter{c: c, ctx: ctx, op: frame.Opcode(typ), text: typ == Text}, nil
}

// messageWriter is the io.WriteCloser of Writer.
type messageWriter struct {
	c        *Conn
	ctx      context.Context
	op       frame.Opcode // of the next frame: the type, then continuation
	text     bool
	v        frame.UTF8Validator
	sent     bool // a frame of the message went out
	closed   bool
	released bool // the message slot was given back
	err      error
}

// Write sends p as one fragment of the message.
func (w *messageWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errWriterClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if w.text {
		if _, err := w.v.Validate(p); err != nil {
			return 0, w.abandon(errSendUTF8)
		}
	}
	if err := w.c.writeData(w.ctx, frame.Header{Opcode: w.op}, p, true); err != nil {
		var ss *stillSent
		if errors.As(err, &ss) {
			// The fragment goes out: the peer waits for the rest.
			w.sent = true
		}
		return 0, w.abandon(err)
	}
	w.op, w.sent = frame.OpContinuation, true
	return len(p), nil
}

// Close sends the final frame and lets other messages go.
func (w *messageWriter) Close() error {
	if w.closed {
		return errWriterClosed
	}
	if w.err != nil {
		w.closed = true
		return w.err
	}
	if w.text {
		if err := w.v.Finish(); err != nil {
			err = w.abandon(errSendUTF8)
			w.closed = true
			return err
		}
	}
	err := w.c.writeData(w.ctx, frame.Header{Fin: true, Opcode: w.op}, nil, true)
	if err != nil {
		err = w.abandon(err)
	}
	w.closed = true
	w.release()
	return err
}

// abandon ends a message that cannot be finished, releases the message
// slot, and returns err. If frames of it went out, the peer would wait
// forever for the rest: the connection is failed.
func (w *messageWriter) abandon(err error) error {
	if w.err != nil {
		return w.err
	}
	w.err = err
	if w.sent {
		w.c.fail(err, frame.StatusInternalError)
	}
	w.release()
	return err
}

func (w *messageWriter) release() {
	if w.released {
		return
	}
	w.released = true
	c := w.c
	c.mu.Lock()
	if c.streaming {
		c.streaming = false
		c.wakeLocked()
	}
	c.mu.Unlock()
}
