package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"time"
)

// The socket's write side: one goroutine at a time owns it (c.flushing)
// and writes what is pending; a peer that stops reading ends the connection
// (the stall bound); output buffers go back to the pool when idle.
// writeOwned writes buf as the owner of the write side, then passes the
// ownership on. A non-zero deadline (the caller's) bounds the write; without
// one, the stall bound does (see sendBytes). If the deadline passes part-way,
// the rest of buf (connection-owned bytes) is handed to a flusher, and the
// frames in it are still written whole: writeOwned returns nil, the message
// was queued. A non-nil done (see interruptible) ends the write the same
// way when it is closed.
func (c *Conn) writeOwned(buf *wbuf, deadline time.Time, done context.Context) error {
	var n int
	var err error
	if done == nil {
		n, err = c.sendBytes(buf.b, deadline, nil)
	} else {
		stop := c.interruptWrite(done)
		n, err = c.sendBytes(buf.b, deadline, done.Done())
		stop()
	}
	c.mu.Lock()
	if err == errExpired {
		if c.resumable() {
			buf.b = buf.b[:copy(buf.b, buf.b[n:])]
			c.requeueLocked(buf)
			c.releaseOwnerLocked()
			c.mu.Unlock()
			return nil
		}
		return c.expiredOnTLSLocked(buf, context.DeadlineExceeded)
	}
	return c.endOwnedWriteLocked(buf, err)
}

// errExpired is sendBytes's report that the caller's deadline passed, or its
// context was cancelled, while it wrote.
var errExpired = errors.New("conn: write interrupted by the caller's context")

// errExpiredSending is writeDirect's errExpired once its frame has begun to
// go out.
var errExpiredSending = errors.New("conn: write interrupted by the caller's context mid-frame")

// errStalled is the write error of a connection whose peer took no byte for
// CloseTimeout.
var errStalled = errors.New("conn: the peer took no data for CloseTimeout")

// sendBytes writes b as the owner of the write side and returns how much of
// it went out. A non-zero deadline bounds the whole write, and so does done
// being closed (the caller's context: its AfterFunc sets a past deadline);
// either ends the write with errExpired. Without a deadline the stall bound
// applies: a write call may wait CloseTimeout from the moment the bound was
// set; when it passes, a call that took no byte under a bound set for it
// ends the write with errStalled, and otherwise a fresh bound is set. So a
// peer that reads, however slowly, is never cut, and one that stops reading
// is found out between one and two CloseTimeouts after its last byte.
//
// The bound is set once and renewed only when it passes, not per write: a
// clock reading and two deadline changes per message would cost more than
// the rest of a small Send. Over crypto/tls, where a passed deadline breaks
// the stream for good, it is set afresh for every write.
func (c *Conn) sendBytes(b []byte, deadline time.Time, done <-chan struct{}) (int, error) {
	off := 0
	for {
		fresh := false
		if deadline.IsZero() {
			if c.wdl != stallBound || !c.resumable() {
				c.nc.SetWriteDeadline(time.Now().Add(c.closeWait))
				c.wdl, fresh = stallBound, true
			}
		} else if d := deadline.UnixNano(); c.wdl != d {
			c.nc.SetWriteDeadline(deadline)
			c.wdl = d
		}
		if isClosed(done) {
			// The cancellation may have set its past deadline before ours.
			c.nc.SetWriteDeadline(aLongTimeAgo)
			c.wdl = 0
		}
		n, err := c.nc.Write(b[off:])
		off += n
		switch {
		case err == nil:
			return off, nil
		case !errors.Is(err, os.ErrDeadlineExceeded):
			return off, err
		case !deadline.IsZero() || isClosed(done):
			return off, errExpired
		case fresh && n == 0 || !c.resumable():
			return off, errStalled
		}
		c.wdl = 0 // the bound passed, set long ago or while bytes went out
	}
}

// stallBound is c.wdl for a stall bound on the socket's write deadline; any
// other non-zero value is a caller's deadline in Unix nanoseconds.
const stallBound = -1

func isClosed(done <-chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// resumable reports whether a write interrupted by its deadline leaves the
// stream intact, so that the rest can be written later. Two transports
// cannot: crypto/tls ("After a Write has timed out, the TLS state is corrupt
// and all future writes will return the same error.") and an HTTP/2 stream,
// which its write deadline resets (h2.go).
func (c *Conn) resumable() bool {
	switch c.nc.(type) {
	case *tls.Conn, *streamConn:
		return false
	}
	return true
}

// requeueLocked puts the connection-owned bytes in buf, the rest of an
// interrupted write, at the head of the output buffer, ahead of the frames
// queued meanwhile.
func (c *Conn) requeueLocked(buf *wbuf) {
	if c.out != nil && len(c.out.b) > 0 {
		buf.b = append(buf.b, c.out.b...)
	}
	if c.out != nil {
		c.recycleLocked(c.out)
	}
	c.out = buf
}

// expiredOnTLSLocked fails the connection after a write interrupted by the
// caller's context on a transport that cannot resume it (see resumable):
// the returned error matches both ctxErr and ErrClosed. c.mu is held; it is
// released.
func (c *Conn) expiredOnTLSLocked(buf *wbuf, ctxErr error) error {
	err := c.endOwnedWriteLocked(buf, os.ErrDeadlineExceeded)
	return fmt.Errorf("%w: %w", ctxErr, err)
}

// endOwnedWriteLocked ends a write made by the owner of the write side: it
// recycles buf, passes the ownership on and unlocks c.mu. A failed write
// fails the connection, and its error is returned.
func (c *Conn) endOwnedWriteLocked(buf *wbuf, err error) error {
	c.recycleLocked(buf)
	if err != nil {
		c.broken = true
	}
	c.releaseOwnerLocked()
	c.mu.Unlock()
	if err != nil {
		return c.writeFailed(err)
	}
	return nil
}

// flush is the flusher goroutine: it writes everything pending, one write per
// round, until nothing is left or a large write waits to take over.
func (c *Conn) flush() {
	c.mu.Lock()
	for !c.broken && c.ownerWaiters == 0 && c.out != nil && len(c.out.b) > 0 {
		buf := c.out
		c.out = nil
		c.mu.Unlock()
		// No caller waits: the stall bound applies.
		_, err := c.sendBytes(buf.b, time.Time{}, nil)
		c.mu.Lock()
		c.recycleLocked(buf)
		c.wakeLocked()
		if err != nil {
			c.broken = true
			c.mu.Unlock()
			c.writeFailed(err)
			c.mu.Lock()
		}
	}
	c.flushing = false
	c.idleBuffersLocked()
	c.flushers--
	c.wakeLocked()
	c.mu.Unlock()
}

// releaseOwnerLocked ends the caller's ownership of the write side: frames
// queued meanwhile go to a flusher, unless a large write waits to take over.
func (c *Conn) releaseOwnerLocked() {
	if !c.broken && c.ownerWaiters == 0 && c.out != nil && len(c.out.b) > 0 {
		c.flushers++
		go c.flushFn() // c.flushing stays true: the flusher inherits it
	} else {
		c.flushing = false
		c.idleBuffersLocked()
	}
	c.wakeLocked()
}

// recycleLocked takes back a buffer that was written.
func (c *Conn) recycleLocked(buf *wbuf) {
	if buf == nil {
		return
	}
	buf.b = buf.b[:0]
	if c.spare == nil && cap(buf.b) <= maxKeptBuffer {
		c.spare = buf
	} else {
		putWbuf(buf)
	}
}

// idleBuffersLocked returns the output buffers to the pool when nothing is
// pending, so that an idle connection holds none; a broken write side drops
// what was pending. While bytes keep arriving (keepSpareLocked), the spare
// buffer stays: a buffer given back to the pool after every write may be
// gone after the next garbage collection, and regrowing one to the size
// that pipelined messages need costs several allocations.
func (c *Conn) idleBuffersLocked() {
	if c.out != nil && (len(c.out.b) == 0 || c.broken) {
		putWbuf(c.out)
		c.out = nil
	}
	if c.spare != nil && !c.keepSpareLocked() {
		putWbuf(c.spare)
		c.spare = nil
	}
}

// keepSpareLocked reports whether the spare output buffer may stay with the
// connection: only on TCP (where the reader learns when the socket is empty),
// while the write side works and the reader has not found the socket empty
// since. Once it has, releaseSpare gives the buffer back; the flag is set
// before releaseSpare takes c.mu, so a buffer kept here is never left behind
// by a reader that then waits.
func (c *Conn) keepSpareLocked() bool {
	return c.in.raw != nil && !c.broken && !c.sockEmpty.Load()
}

// releaseSpare runs on the reader when it finds the socket empty: it gives
// the spare output buffer back to the pool, so that an idle connection holds
// none.
func (c *Conn) releaseSpare() {
	c.sockEmpty.Store(true)
	c.mu.Lock()
	if c.spare != nil {
		putWbuf(c.spare)
		c.spare = nil
	}
	c.mu.Unlock()
}

// aLongTimeAgo is a deadline in the past: setting it interrupts a blocked
// write.
var aLongTimeAgo = time.Unix(1, 0)

// interruptWrite makes ctx's cancellation interrupt the socket write under
// way, through a past write deadline; the returned func undoes it.
func (c *Conn) interruptWrite(ctx context.Context) (stop func()) {
	fired := make(chan struct{})
	undo := context.AfterFunc(ctx, func() {
		c.nc.SetWriteDeadline(aLongTimeAgo)
		close(fired)
	})
	return func() {
		if !undo() {
			<-fired // so that the deadline is not set again once forgotten
			c.wdl = 0
		}
	}
}

// interruptibleKey marks a context whose cancellation must interrupt even
// the write of a small message that its Send makes itself (see kickLocked):
// the net.Conn adapter's, whose deadline may move, and whose Close must end
// a Write at once.
type interruptibleKey struct{}

// interruptible reports whether ctx is so marked.
func interruptible(ctx context.Context) bool { return ctx.Value(interruptibleKey{}) != nil }
