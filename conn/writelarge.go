package conn

import (
	"context"

	"github.com/seed865a0254/websocket/frame"
)

// writeLarge writes a frame whose payload is too large to copy into the
// output buffer: it waits to own the write side, then writes the pending
// frames, the header and the payload together. The caller holds c.mu;
// writeLarge releases it.
func (c *Conn) writeLarge(ctx context.Context, h frame.Header, data []byte, stream bool) error {
	// Hold the message slot while waiting, so that no streamed message
	// starts between here and our frame.
	if !stream {
		c.streaming = true
	}
	c.ownerWaiters++
	var err error
	for c.flushing && c.sendErr == nil {
		if !c.waitLocked(ctx.Done()) {
			err = ctx.Err()
			break
		}
	}
	c.ownerWaiters--
	if err == nil && c.sendErr != nil {
		err = c.sendErr
	}
	if err != nil {
		if !stream {
			c.streaming = false
		}
		// A flusher may have stepped aside for us: take its work back.
		if !c.flushing && !c.broken && c.ownerWaiters == 0 && c.out != nil && len(c.out.b) > 0 {
			c.startFlusherLocked()
		}
		c.wakeLocked()
		c.mu.Unlock()
		return err
	}
	c.flushing = true
	buf := c.out
	c.out = nil
	if buf == nil {
		buf, c.spare = c.spare, nil
		if buf == nil {
			buf = getWbuf()
		}
	}
	c.mu.Unlock()

	err = c.writeDirect(ctx, buf, h, data)

	c.mu.Lock()
	if !stream {
		c.streaming = false
	}
	if err == errExpired || err == errExpiredSending {
		began := err == errExpiredSending
		err = ctx.Err()
		if err == nil { // the write deadline fired before ctx's own timer
			err = context.DeadlineExceeded
		}
		if !c.resumable() {
			return c.expiredOnTLSLocked(buf, err)
		}
		// What is left in buf (the rest of other frames, or of ours, which
		// then goes out whole) is connection-owned: a flusher writes it.
		if began {
			err = &stillSent{err}
		}
		c.requeueLocked(buf)
		c.releaseOwnerLocked()
		c.mu.Unlock()
		return err
	}
	return c.endOwnedWriteLocked(buf, err)
}

// stillSent is the error of a Send or Write whose context ended after its
// frame had begun to go out: the rest of the frame was handed to a flusher
// and goes out whole. It matches the context's error.
type stillSent struct{ err error }

func (e *stillSent) Error() string {
	return e.err.Error() + " (the frame had begun to go out: it is still sent whole)"
}
func (e *stillSent) Unwrap() error { return e.err }

// writeDirect writes the frames in buf, then one frame, h with data as its
// payload: the payload is copied (and, by a client, masked) into buf in
// chunks of writeChunk, and each is written in one call. ctx bounds the
// write (its deadline, or its cancellation through a past deadline);
// without a deadline the stall bound applies too (see sendBytes). When ctx
// ends part-way, writeDirect leaves in buf what must still be written, all
// connection-owned, and returns errExpired when none of our frame had gone
// out (buf holds the rest of the other frames), else errExpiredSending (buf
// also holds the rest of our frame, which must go out whole).
func (c *Conn) writeDirect(ctx context.Context, buf *wbuf, h frame.Header, data []byte) (err error) {
	deadline, ok := ctx.Deadline()
	var done <-chan struct{}
	if !ok && ctx.Done() != nil {
		// Cancellation interrupts the write through a past deadline.
		done = ctx.Done()
		defer c.interruptWrite(ctx)()
	}
	h.Length = int64(len(data))
	if c.role == frame.Client {
		h.Masked, h.Key = true, newMaskKey()
	}
	before := len(buf.b) // other frames, written ahead of ours
	buf.b = frame.AppendHeader(buf.b, h)
	for pos := 0; pos < len(data); {
		n := min(len(data)-pos, writeChunk)
		start := len(buf.b)
		buf.b = append(buf.b, data[pos:pos+n]...)
		if h.Masked {
			frame.Mask(h.Key, pos, buf.b[start:])
		}
		pos += n
		var sent int
		sent, err = c.sendBytes(buf.b, deadline, done)
		if err == errExpired {
			if sent <= before {
				// None of our frame went out: drop it, keep the rest of
				// the others'.
				buf.b = buf.b[:copy(buf.b, buf.b[sent:before])]
				return err
			}
			// Our frame has begun: keep the rest of this chunk and copy
			// (masking) the rest of data after it, so that the frame goes
			// out whole once the caller has its data back.
			buf.b = buf.b[:copy(buf.b, buf.b[sent:])]
			start = len(buf.b)
			buf.b = append(buf.b, data[pos:]...)
			if h.Masked {
				frame.Mask(h.Key, pos, buf.b[start:])
			}
			return errExpiredSending
		}
		if err != nil {
			return err
		}
		before = 0
		buf.b = buf.b[:0]
	}
	return nil
}
