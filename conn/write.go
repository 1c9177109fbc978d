package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/seed865a0254/websocket/frame"
)

// The write path. Every frame is encoded into one output buffer, in the order
// of the calls that queue them; one goroutine at a time owns the socket's
// write side and writes everything pending in one call. Frames that queue up
// while a write is under way leave together in the next one: under load, many
// messages share one syscall.
const (
	// maxPending bounds the encoded bytes waiting in the output buffer.
	// Beyond it, Send waits until the socket has taken them (backpressure).
	maxPending = 128 << 10
	// maxInline is the largest payload copied into the output buffer.
	// Larger payloads are copied (a client masks them on the way) into the
	// output buffer in chunks of writeChunk and written chunk by chunk, and
	// Send returns once they are written.
	//
	// A server could write the caller's slice as it is, with writev (the
	// header, then the payload, in one call), and did. It is slower: the
	// kernel's copy runs at a fraction of its speed when the payload's
	// offset within a page trails its place in the stream by a few bytes,
	// the header's length (4K aliasing). A 64 KiB echo cost 1.3x the server
	// CPU of copying it first, which keeps the two in step.
	maxInline  = 16 << 10
	writeChunk = 64 << 10
	// maxKeptBuffer is the largest buffer returned to the pool.
	maxKeptBuffer = 256 << 10
)

// wbuf is a pooled output buffer (a pointer, so the pool does not allocate).
type wbuf struct{ b []byte }

var wbufPool = sync.Pool{New: func() any { return &wbuf{b: make([]byte, 0, 4096)} }}

func getWbuf() *wbuf { return wbufPool.Get().(*wbuf) }

func putWbuf(w *wbuf) {
	if cap(w.b) > maxKeptBuffer {
		return
	}
	w.b = w.b[:0]
	wbufPool.Put(w)
}

// Send sends one whole message of type typ (Text or Binary) with data as its
// payload. A Text message must be valid UTF-8: otherwise Send returns an error
// and sends nothing. Send never modifies or keeps data.
//
// What a nil error means: the message is queued for the socket, behind every
// message queued before it and ahead of every message queued after it, and
// will be written unless the connection fails first (a later call then
// reports why). A payload of up to 16 KiB is copied into the connection's
// output buffer and Send returns at once, writing the buffer itself when no
// write is under way, or leaving it to the write already under way; a
// larger payload is written from data, and Send returns once it is written.
// Either way Send keeps no reference to data once it returns: the caller may
// reuse it, or Release the received message it came from.
// Nothing says that the peer has read the message.
//
// When ctx ends. ctx bounds the waits (for a message being streamed by a
// Writer to end, for room in the output buffer: 128 KiB of frames may wait
// for the socket, beyond that Send blocks until the peer reads, which is the
// write backpressure; and for the write side) and, when Send writes to the
// socket itself, the write: a deadline of ctx always, and a cancellation
// without a deadline for payloads over 16 KiB. One rule holds at every
// size: if ctx ends, Send returns an error that matches ctx.Err() with
// errors.Is, and either the message was not sent, or, if its frame had
// begun to go out, it is still sent whole; the connection stays usable.
// A payload of up to 16 KiB is the connection's own once queued, so for it
// the only case is a wait that ends before it is queued (nothing is sent);
// if a deadline passes while Send writes it, the rest is left to the
// connection, and Send returns nil. Nothing ever leaves part of a frame on
// the wire. (Over crypto/tls, whose state a timed-out write corrupts, a
// write cut short by ctx fails the connection instead: the error then
// matches both ctx.Err() and ErrClosed.)
//
// A peer that stops reading: every write with no deadline of a caller's
// context (those of the connection's own goroutine, which writes what
// Sends queued, pongs, pings and the close frame, and those of a Send whose
// ctx has no deadline) must make progress. If the socket takes no byte for
// CloseTimeout (see [Options]; checked write call by write call, so the
// connection ends between one and two CloseTimeouts after the socket took
// its last byte), the connection is failed and closed, and every later call
// returns an error wrapping ErrClosed. A peer that reads, however slowly,
// is never cut. Over crypto/tls each write call must end within
// CloseTimeout.
//
// After the connection has ended, or once Close has been called, Send
// returns an error wrapping ErrClosed.
func (c *Conn) Send(ctx context.Context, typ MessageType, data []byte) error {
	if ctx == nil {
		return errNilContext
	}
	if typ != Text && typ != Binary {
		return errMessageType
	}
	// RFC 6455 §5.6: "The "Payload data" is text data encoded as UTF-8."
	if typ == Text && !utf8.Valid(data) {
		return errSendUTF8
	}
	return c.writeData(ctx, true, frame.Opcode(typ), data, false)
}

// SendText sends s as a Text message, as Send does.
func (c *Conn) SendText(ctx context.Context, s string) error {
	if ctx == nil {
		return errNilContext
	}
	if !utf8.ValidString(s) {
		return errSendUTF8
	}
	// The payload is only read, never kept or modified.
	return c.writeData(ctx, true, frame.OpText, unsafeBytes(s), false)
}

// SendBinary sends b as a Binary message, as Send does.
func (c *Conn) SendBinary(ctx context.Context, b []byte) error {
	return c.Send(ctx, Binary, b)
}

// writeData queues one data frame. stream says the caller holds the message
// slot (a Writer); otherwise the frame is a whole message and waits for a
// streamed message to end.
func (c *Conn) writeData(ctx context.Context, fin bool, op frame.Opcode, data []byte, stream bool) error {
	c.mu.Lock()
	for {
		if c.sendErr != nil {
			err := c.sendErr
			c.mu.Unlock()
			return err
		}
		if stream || !c.streaming {
			if len(data) > maxInline {
				return c.writeLarge(ctx, fin, op, data, stream)
			}
			if c.out == nil || len(c.out.b) < maxPending {
				break
			}
		}
		if !c.waitLocked(ctx.Done()) {
			c.mu.Unlock()
			return ctx.Err()
		}
	}
	c.appendFrameLocked(fin, op, data)
	return c.kickLocked(ctx)
}

// waitLocked waits until the writer's state changes (a broadcast of
// wakeLocked) or done is closed; it reports false for done. The caller holds
// c.mu, which waitLocked releases while it waits.
func (c *Conn) waitLocked(done <-chan struct{}) bool {
	if c.wake == nil {
		c.wake = make(chan struct{})
	}
	ch := c.wake
	c.mu.Unlock()
	ok := true
	select {
	case <-ch:
	case <-done:
		ok = false
	}
	c.mu.Lock()
	return ok
}

// wakeLocked wakes every waitLocked.
func (c *Conn) wakeLocked() {
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

// appendFrameLocked encodes one frame into the output buffer; a client masks
// it there (RFC 6455 §5.3: "The masking key is a 32-bit value chosen at
// random by the client"; the caller's payload is never modified).
func (c *Conn) appendFrameLocked(fin bool, op frame.Opcode, payload []byte) {
	if c.out == nil {
		if c.spare != nil {
			c.out, c.spare = c.spare, nil
		} else {
			c.out = getWbuf()
		}
	}
	h := frame.Header{Fin: fin, Opcode: op, Length: int64(len(payload))}
	if c.role == frame.Client {
		h.Masked, h.Key = true, newMaskKey()
	}
	b := frame.AppendHeader(c.out.b, h)
	start := len(b)
	b = append(b, payload...)
	if h.Masked {
		frame.Mask(h.Key, 0, b[start:])
	}
	c.out.b = b
}

// newMaskKey returns a fresh masking key. math/rand/v2's global source is a
// ChaCha8 generator seeded by the runtime from the operating system: the
// keys are unpredictable, as RFC 6455 §5.3 requires ("The unpredictability
// of the masking key is essential"), and cost no syscall or allocation.
func newMaskKey() [4]byte {
	v := rand.Uint32()
	return [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

// kickLocked makes sure what was just queued gets written, and unlocks c.mu.
// If a write is under way (or a large write waits to own the write side), its
// owner writes the new frames next. Otherwise the caller (ctx != nil) writes
// them itself when no more received messages are waiting (in the queue, or
// as unparsed bytes a reading Receive left in the read buffer) and
// the write can be bounded; else a flusher goroutine is started, so that a
// caller that is about to Receive the next message and Send again can add
// its frames to the same write.
func (c *Conn) kickLocked(ctx context.Context) error {
	if c.flushing || c.ownerWaiters > 0 || c.broken {
		c.mu.Unlock()
		return nil
	}
	if ctx != nil && c.q.Len() == 0 && !c.rdMore.Load() {
		deadline, ok := ctx.Deadline()
		if ok || ctx.Done() == nil || c.kernelBuf {
			c.flushing = true
			buf := c.out
			c.out = nil
			c.mu.Unlock()
			return c.writeOwned(buf, deadline)
		}
	}
	c.startFlusherLocked()
	c.mu.Unlock()
	return nil
}

// startFlusherLocked hands the write side to a new flusher goroutine.
func (c *Conn) startFlusherLocked() {
	c.flushing = true
	c.flushers++
	go c.flushFn()
}

// writeOwned writes buf as the owner of the write side, then passes the
// ownership on. A non-zero deadline (the caller's) bounds the write; without
// one, the stall bound does (see sendBytes). If the deadline passes part-way,
// the rest of buf (connection-owned bytes) is handed to a flusher, and the
// frames in it are still written whole: writeOwned returns nil, the message
// was queued.
func (c *Conn) writeOwned(buf *wbuf, deadline time.Time) error {
	n, err := c.sendBytes(buf.b, deadline, nil)
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
// stream intact, so that the rest can be written later. crypto/tls is the
// exception: "After a Write has timed out, the TLS state is corrupt and all
// future writes will return the same error."
func (c *Conn) resumable() bool {
	_, isTLS := c.nc.(*tls.Conn)
	return !isTLS
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

// writeLarge writes a frame whose payload is too large to copy into the
// output buffer: it waits to own the write side, then writes the pending
// frames, the header and the payload together. The caller holds c.mu;
// writeLarge releases it.
func (c *Conn) writeLarge(ctx context.Context, fin bool, op frame.Opcode, data []byte, stream bool) error {
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

	err = c.writeDirect(ctx, buf, fin, op, data)

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

// writeDirect writes the frames in buf, then one frame with data as its
// payload: the payload is copied (and, by a client, masked) into buf in
// chunks of writeChunk, and each is written in one call. ctx bounds the
// write (its deadline, or its cancellation through a past deadline);
// without a deadline the stall bound applies too (see sendBytes). When ctx
// ends part-way, writeDirect leaves in buf what must still be written, all
// connection-owned, and returns errExpired when none of our frame had gone
// out (buf holds the rest of the other frames), else errExpiredSending (buf
// also holds the rest of our frame, which must go out whole).
func (c *Conn) writeDirect(ctx context.Context, buf *wbuf, fin bool, op frame.Opcode, data []byte) (err error) {
	deadline, ok := ctx.Deadline()
	var done <-chan struct{}
	if !ok && ctx.Done() != nil {
		// Cancellation interrupts the write through a past deadline.
		done = ctx.Done()
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			c.nc.SetWriteDeadline(aLongTimeAgo)
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired // so that the deadline is not set again once forgotten
				c.wdl = 0
			}
		}()
	}
	h := frame.Header{Fin: fin, Opcode: op, Length: int64(len(data))}
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

// writeControl queues a control frame. It waits for room in the output
// buffer (the backpressure that bounds a ping flood) until done is closed.
// register, if not nil, runs under the lock right after the frame is queued.
func (c *Conn) writeControl(done <-chan struct{}, op frame.Opcode, payload []byte, register func()) error {
	c.mu.Lock()
	for {
		if c.sendErr != nil {
			err := c.sendErr
			c.mu.Unlock()
			return err
		}
		if c.out == nil || len(c.out.b) < maxPending {
			break
		}
		if !c.waitLocked(done) {
			c.mu.Unlock()
			return context.Canceled
		}
	}
	c.appendFrameLocked(true, op, payload)
	if register != nil {
		register()
	}
	return c.kickLocked(nil)
}

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
	if err := w.c.writeData(w.ctx, false, w.op, p, true); err != nil {
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
	err := w.c.writeData(w.ctx, true, w.op, nil, true)
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

// unsafeBytes returns the bytes of s without copying, for payloads that are
// only read.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
