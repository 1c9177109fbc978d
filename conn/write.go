package conn

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
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
	return c.sendMessage(ctx, frame.Opcode(typ), data)
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
	return c.sendMessage(ctx, frame.OpText, unsafeBytes(s))
}

// SendBinary sends b as a Binary message, as Send does.
func (c *Conn) SendBinary(ctx context.Context, b []byte) error {
	return c.Send(ctx, Binary, b)
}

// writeData queues one data frame: h says what it is (Fin, Opcode, RSV1),
// data is its payload. stream says the caller holds the message slot (a
// Writer); otherwise the frame is a whole message and waits for a streamed
// message to end.
func (c *Conn) writeData(ctx context.Context, h frame.Header, data []byte, stream bool) error {
	c.mu.Lock()
	for {
		if c.sendErr != nil {
			err := c.sendErr
			c.mu.Unlock()
			return err
		}
		if stream || !c.streaming {
			if len(data) > maxInline {
				return c.writeLarge(ctx, h, data, stream)
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
	c.appendFrameLocked(h, data)
	return c.kickLocked(ctx)
}

// queueNow queues one whole-message frame, h with payload, if that needs no
// wait: no message streamed by a Writer holds the message slot, and less than
// maxPending bytes wait in the output buffer. Otherwise it returns
// errWouldBlock and queues nothing. It never writes in the caller: a flusher
// does. (Group.Broadcast relies on both, so that a member whose peer does
// not read costs the others nothing.) A payload of any size is copied into
// the output buffer.
func (c *Conn) queueNow(h frame.Header, payload []byte) error {
	c.mu.Lock()
	if c.sendErr != nil {
		err := c.sendErr
		c.mu.Unlock()
		return err
	}
	if c.streaming || c.out != nil && len(c.out.b) >= maxPending {
		c.mu.Unlock()
		return errWouldBlock
	}
	c.appendFrameLocked(h, payload)
	return c.kickLocked(nil)
}

// errWouldBlock is queueNow's report that the frame could not be queued
// without waiting.
var errWouldBlock = errors.New("conn: the output buffer is full")

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

// appendFrameLocked encodes one frame, h with payload, into the output
// buffer; a client masks it there (RFC 6455 §5.3: "The masking key is a
// 32-bit value chosen at random by the client"; the caller's payload is never
// modified).
func (c *Conn) appendFrameLocked(h frame.Header, payload []byte) {
	if c.out == nil {
		if c.spare != nil {
			c.out, c.spare = c.spare, nil
		} else {
			c.out = getWbuf()
		}
	}
	h.Length = int64(len(payload))
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
			var done context.Context
			if !ok && ctx.Done() != nil && interruptible(ctx) {
				done = ctx
			}
			return c.writeOwned(buf, deadline, done)
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
	c.appendFrameLocked(frame.Header{Fin: true, Opcode: op}, payload)
	if register != nil {
		register()
	}
	return c.kickLocked(nil)
}

// unsafeBytes returns the bytes of s without copying, for payloads that are
// only read.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
