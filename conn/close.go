package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// StatusCode is a close status code (RFC 6455 §7.4), the same type as
// frame.StatusCode.
type StatusCode = frame.StatusCode

// The status codes of RFC 6455 §7.4.1 and of the IANA registry.
const (
	StatusNormalClosure           = frame.StatusNormalClosure
	StatusGoingAway               = frame.StatusGoingAway
	StatusProtocolError           = frame.StatusProtocolError
	StatusUnsupportedData         = frame.StatusUnsupportedData
	StatusNoStatusRcvd            = frame.StatusNoStatusRcvd
	StatusAbnormalClosure         = frame.StatusAbnormalClosure
	StatusInvalidFramePayloadData = frame.StatusInvalidFramePayloadData
	StatusPolicyViolation         = frame.StatusPolicyViolation
	StatusMessageTooBig           = frame.StatusMessageTooBig
	StatusMandatoryExtension      = frame.StatusMandatoryExtension
	StatusInternalError           = frame.StatusInternalError
	StatusServiceRestart          = frame.StatusServiceRestart
	StatusTryAgainLater           = frame.StatusTryAgainLater
	StatusBadGateway              = frame.StatusBadGateway
	StatusTLSHandshake            = frame.StatusTLSHandshake
)

// failDrain bounds how long a failed connection keeps reading after its close
// frame, so that the kernel does not answer unread data with a reset that
// could destroy the close frame on its way.
const failDrain = 2 * time.Second

// Close starts the closing handshake (RFC 6455 §7.1.2) and waits for it to
// end. code must be valid on the wire and reason at most 123 bytes of UTF-8;
// otherwise Close returns an error and sends nothing.
//
// Close sends one close frame (behind the frames already queued), drops the
// messages waiting for Receive, waits up to CloseTimeout for the peer's close
// frame, and then closes the socket: a server at once, a client once the
// server has closed its end (within CloseTimeout). It returns nil when the
// peer answered with its close frame; otherwise an error wrapping ErrClosed
// says what happened instead (the timeout expired, or the connection ended
// or failed first). Close is idempotent and safe from any goroutine: later
// calls wait for the same ending and return the same result. It never
// blocks much longer than CloseTimeout, whatever the peer does.
func (c *Conn) Close(code StatusCode, reason string) error {
	if err := frame.CheckClose(code, reason); err != nil {
		return fmt.Errorf("conn: close: %w", err)
	}
	c.mu.Lock()
	if c.localClose || c.cause != nil {
		c.mu.Unlock()
		<-c.Done()
		return c.closeResult()
	}
	c.localClose = true
	c.cause = ErrClosed
	c.sendErr = ErrClosed
	c.queueCloseLocked(code, reason) // unlocks
	c.receiverReached()
	c.q.Close(ErrClosed)
	c.q.Discard()
	c.readToTheEnd()

	timer := time.NewTimer(c.closeWait)
	defer timer.Stop()
	select {
	case <-c.Done():
	case <-timer.C:
		c.cutClose()
		<-c.Done()
	}
	return c.closeResult()
}

// cutClose ends the wait of a Close under way (or about to begin) for the
// peer: the socket is closed, and Close reports that its handshake timed
// out. After the connection has ended, it does nothing.
func (c *Conn) cutClose() {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return
	}
	c.closeTimeout = true
	c.mu.Unlock()
	c.nc.Close()
}

// queueCloseLocked queues our close frame, the last frame we send, unless
// one was queued already, and unlocks c.mu. An empty payload is sent for
// StatusNoStatusRcvd, which never goes on the wire (§7.4.1).
func (c *Conn) queueCloseLocked(code StatusCode, reason string) {
	c.wakeLocked()
	if c.closeSent || c.broken {
		c.mu.Unlock()
		return
	}
	c.closeSent = true
	var b [frame.MaxControlPayload]byte
	var payload []byte
	if code != StatusNoStatusRcvd {
		payload = frame.AppendClose(b[:0], code, reason)
	}
	c.appendFrameLocked(frame.Header{Fin: true, Opcode: frame.OpClose}, payload)
	c.kickLocked(nil)
}

// closeResult is what Close returns once the connection has ended.
func (c *Conn) closeResult() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.peerClosed && c.closeSent:
		return nil
	case c.closeTimeout:
		return closedBy(errCloseTimeout)
	case c.cause == ErrClosed && c.closeSent && !c.peerClosed:
		return closedBy(errNoCloseReply)
	}
	return c.cause
}

// CloseNow closes the connection without waiting for the peer: queued
// messages are dropped, Receive and every sending method return ErrClosed,
// and the socket is closed. Only if a close frame is already queued (a Close
// in progress, or the answer to the peer's close frame) is it written first,
// for at most a second, so that `defer ws.CloseNow()` does not cut short a
// closing handshake under way. CloseNow returns once every goroutine of the
// connection has ended. It is idempotent and safe from any goroutine.
func (c *Conn) CloseNow() error {
	c.mu.Lock()
	c.localClose = true
	closing := c.closeSent
	c.mu.Unlock()
	c.endWith(ErrClosed)
	c.receiverReached()
	c.q.Discard()
	if c.nc != nil {
		if closing {
			c.waitFlushed(time.Now().Add(min(c.closeWait, time.Second)))
		}
		c.nc.Close()
	}
	<-c.Done()
	return nil
}

// endWith records why the connection ended, unless a cause was recorded
// already, and reports whether it did. From then on nothing more is queued
// for sending, and Receive returns the error after the queued messages.
func (c *Conn) endWith(cause error) bool {
	err := closedBy(cause)
	c.mu.Lock()
	ok := c.endLocked(err)
	c.mu.Unlock()
	if ok {
		c.ended(err)
	}
	return ok
}

// endLocked records err as the ending unless one is recorded already, and
// reports whether it did; c.mu is held.
func (c *Conn) endLocked(err error) bool {
	if c.cause != nil {
		return false
	}
	c.cause = err
	if c.sendErr == nil {
		c.sendErr = err
	}
	c.wakeLocked()
	return true
}

// ended does, outside c.mu, what follows the recording of an ending.
func (c *Conn) ended(err error) {
	c.q.Close(err)
	c.readToTheEnd()
}

// fail fails the connection (RFC 6455 §7.1.7): it records cause, queues a
// close frame with code, and makes the reader stop reading frames; the
// reader then finishes the job (drainAndClose). Only the first ending counts.
func (c *Conn) fail(cause error, code StatusCode) {
	err := closedBy(cause)
	c.mu.Lock()
	if !c.endLocked(err) {
		c.mu.Unlock()
		return
	}
	// The close frame is queued under the lock that records the ending, so
	// that a goroutine that finds the connection ended (and goes on to wait
	// for the output to drain before closing the socket) finds the frame
	// queued too.
	c.failing.Store(true)
	c.queueCloseLocked(code, "") // unlocks
	c.ended(err)
}

// writeFailed fails the connection after a write error. A partial frame may
// be on the wire, so no close frame can follow: the socket is closed. It
// returns the error for the caller whose write failed.
func (c *Conn) writeFailed(err error) error {
	c.endWith(fmt.Errorf("%w: %w", errWriteFailed, err))
	c.nc.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sendErr
}

// finish ends the connection after the reading ended with err, on the
// background reader, which keeps the reading for good.
func (c *Conn) finish(err error) {
	c.teardown(err)
	c.finalize()
}

// teardown ends the connection after the reader stopped reading frames
// because of err.
func (c *Conn) teardown(err error) {
	var pc *peerClose
	var pe *frame.ProtocolError
	switch {
	case errors.As(err, &pc):
		c.answerClose(pc)
	case c.failing.Load():
		c.drainAndClose()
	case errors.As(err, &pe):
		c.awaitReceiver(pe)
		// RFC 6455 §7.1.7: "If _The WebSocket Connection is Established_
		// prior to the point where the endpoint is required to _Fail the
		// WebSocket Connection_, the endpoint SHOULD send a Close frame with
		// an appropriate status code (Section 7.4) before proceeding to
		// _Close the WebSocket Connection_."
		c.fail(pe, pe.Code)
		c.drainAndClose()
	default:
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// TCP ended without a close frame (§7.1.5: 1006).
			err = io.ErrUnexpectedEOF
		}
		c.endWith(err)
		c.nc.Close()
	}
}

// awaitReceiver holds back the failure of the connection after the peer
// broke the protocol until the application has taken every message that was
// complete before the violation: Receive returns the error only after them,
// and the replies the application sends to them (an echo, say) still go out
// before our close frame, as they would with a reader that reads only when
// asked. The reader has stopped reading, so nothing after the violation is
// processed (no pong to a later ping). The wait ends when Receive reaches
// the error, when Close or CloseNow is called, or after CloseTimeout for an
// application that does not receive. An application blocked in Receive
// reaches the error at once, so failing fast is unchanged (RFC 6455 §8.1).
func (c *Conn) awaitReceiver(pe *frame.ProtocolError) {
	wait := make(chan struct{})
	c.mu.Lock()
	if c.cause != nil || c.localClose {
		c.mu.Unlock()
		return
	}
	c.receiverWait, c.receiverFail = wait, pe
	c.mu.Unlock()
	// Receive returns this error after the queued messages. The later
	// endWith keeps it, because a closed queue keeps its first error.
	c.q.Close(closedBy(pe))
	// Meanwhile read and drop what the peer sends, so that a peer blocked
	// writing (the rest of a message we refused, say) is not stuck on us.
	// receiverReached cuts the read short.
	deadline := time.Now().Add(c.closeWait)
	c.discard(deadline, wait)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-wait:
	case <-timer.C:
	}
	c.receiverReached()
}

// receiverReached ends awaitReceiver's wait, if one is under way, and fails
// the connection before returning, so that a Close the application calls
// next does not replace the close code of the failure.
func (c *Conn) receiverReached() {
	c.mu.Lock()
	pe := c.receiverFail
	if c.receiverWait != nil {
		close(c.receiverWait)
		c.receiverWait, c.receiverFail = nil, nil
		c.nc.SetReadDeadline(time.Now())
	}
	c.mu.Unlock()
	if pe != nil {
		c.fail(pe, pe.Code)
	}
}

// answerClose completes a closing handshake after the peer's close frame.
func (c *Conn) answerClose(pc *peerClose) {
	c.mu.Lock()
	c.peerClosed = true
	// RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not
	// previously send a Close frame, the endpoint MUST send a Close frame in
	// response. (When sending a Close frame in response, the endpoint
	// typically echos the status code it received.)" The answer is queued
	// before Receive can report the close, so that a CloseNow called then
	// still writes it.
	c.queueCloseLocked(pc.code, "")
	c.endWith(&CloseError{Code: pc.code, Reason: pc.reason})
	deadline := time.Now().Add(c.closeWait)
	c.waitFlushed(deadline)
	if c.role == frame.Client {
		// §7.1.1: "the client SHOULD wait for the server to close the
		// connection but MAY close the connection at any time after sending
		// and receiving a Close message, e.g., if it has not received a TCP
		// Close from the server in a reasonable time period."
		c.discard(deadline, nil)
	}
	// §7.1.1: "the underlying TCP connection, in most normal cases, SHOULD
	// be closed first by the server".
	c.nc.Close()
}

// drainAndClose finishes failing the connection: once the close frame is
// written, it stops writing (a half-close where the transport has one),
// reads and drops what the peer still sends for a bounded time, and closes.
func (c *Conn) drainAndClose() {
	deadline := time.Now().Add(min(failDrain, c.closeWait))
	c.waitFlushed(deadline)
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.discard(deadline, nil)
	c.nc.Close()
}

// waitFlushed waits until everything queued has been written, the write side
// broke, or deadline.
func (c *Conn) waitFlushed(deadline time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	c.mu.Lock()
	for !c.broken && (c.flushing || (c.out != nil && len(c.out.b) > 0)) {
		if !c.waitLocked(ctx.Done()) {
			break
		}
	}
	c.mu.Unlock()
}

// finalize runs last on the reader goroutine, after the socket is closed:
// it waits for the connection's other goroutines and closes Done.
func (c *Conn) finalize() {
	c.mu.Lock()
	c.shut = true
	c.broken = true
	c.mu.Unlock()
	c.stopMonitor()
	c.stopIdle()
	c.mu.Lock()
	for c.flushers > 0 || c.flushing {
		c.waitLocked(nil)
	}
	c.idleBuffersLocked()
	c.endPingsLocked(c.cause)
	c.wakeLocked()
	c.mu.Unlock()
	c.in.release()
	// The groups are left before Done is closed, so that a member seen
	// ended is seen gone. No group adds c now: sendErr is set.
	c.mu.Lock()
	groups := c.groups
	c.groups = nil
	c.mu.Unlock()
	leaveGroups(groups)
	c.mu.Lock()
	if c.done != nil {
		close(c.done)
	} else {
		c.done = closedCh
	}
	c.mu.Unlock()
}
