package conn

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
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

// received passes on what the queue returned; when it is the ending error,
// it tells a failure waiting in awaitReceiver that the application has
// taken every message before it.
func (c *Conn) received(m Message, err error) (Message, error) {
	if err != nil && errors.Is(err, ErrClosed) {
		c.receiverReached()
	}
	return m, err
}

// ReceiveTimeout is Receive with a timeout instead of a context: after d it
// returns context.DeadlineExceeded and the connection stays usable. With
// d <= 0 it returns a message only if one is already queued.
func (c *Conn) ReceiveTimeout(d time.Duration) (Message, error) {
	if d <= 0 {
		for {
			m, ok, err := c.q.TryPop()
			switch {
			case ok && m.Type == 0:
				// The reader's token: let a reader goroutine read.
				if c.tokenTaken() {
					c.resumeBackground()
				}
				continue
			case ok:
				return m, nil
			case err != nil:
				return c.received(Message{}, err)
			}
			return Message{}, context.DeadlineExceeded
		}
	}
	deadline := time.Now().Add(d)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	return c.receive(ctx, deadline)
}

// Read buffers. An idle connection holds no read buffer: on TCP the reader
// waits for the socket to become readable without one, then reads into a
// pooled big buffer and gives it back once the socket has been drained. On
// other transports (net.Pipe, TLS), where that wait is not possible, it waits
// in a read into a small buffer allocated with the reader, and uses the big
// buffer while bytes flow. On TCP the small buffer is allocated only if a
// read ever needs it (a partial frame left over from the handshake).
const (
	smallRead = 256
	bigRead   = 16 << 10
	// directRead is the payload remainder from which payload bytes are read
	// from the socket straight into the message, not through the buffer.
	directRead = 4 << 10
	// maxPrealloc caps the allocation made from a declared length when there
	// is no read limit; the message then grows as its bytes arrive.
	maxPrealloc = 16 << 20
)

type rbuf struct{ b []byte }

var rbufPool = sync.Pool{New: func() any { return &rbuf{b: make([]byte, bigRead)} }}

// reader is the state of the connection's reader goroutine.
type reader struct {
	nc    net.Conn
	buf   []byte // small[:], big.b, the handshake's leftover bytes, or nil
	r, w  int    // unread bytes are buf[r:w]
	big   *rbuf
	lastN int   // bytes the last read into buf returned
	err   error // sticky read error

	// On TCP, raw reads the socket only once it is readable, so that no
	// buffer is held while waiting (see read_unix.go).
	raw    syscall.RawConn
	rawFn  func(uintptr) bool // built once: RawConn.Read's callback
	rawN   int
	rawErr error

	// mon is the connection's ping monitor. Bytes from the peer are as good
	// a sign of life as a pong: the pong to our last ping may wait behind
	// messages that our full queue holds up.
	mon *atomic.Pointer[ping.Monitor]

	asm  *frame.Assembler
	utf8 frame.UTF8Validator
	// Beside utf8, to share its word.
	lastFull bool  // the last read into buf filled it: more is probably waiting
	moreWait bool  // moreFn waits for bytes
	frag     *wbuf // the fragmented message being assembled

	// Stepping aside for a Receive call that reads (handoff.go).
	hooks      readerHooks
	atBoundary bool               // readLoop waits for the first bytes of a frame
	noYield    bool               // the last hand-off failed: read the next frame first
	yielded    bool               // rawFn stopped waiting: a Receive call waits
	soft       bool               // a Receive call reads: a deadline interrupts, it is not an error
	part       *partial           // the data frame whose payload is being read, if any (pooled)
	moreFn     func(uintptr) bool // built once: RawConn.Read's callback for readMore

	small *[smallRead]byte // allocated when first needed (smallBuf)
}

// partial is a data frame whose payload is being read. A Receive call that
// reads (handoff.go) stops in the middle of one when its context ends or the
// connection starts ending; whoever reads next goes on from there.
type partial struct {
	h      frame.Header
	op     frame.Opcode // the message's type
	single bool         // the frame is the whole message, and data its buffer
	data   []byte       // the message so far, if single (else rd.frag holds it)
	pos    int64        // payload bytes of this frame read so far
}

var partialPool = sync.Pool{New: func() any { return new(partial) }}

// interrupted reports whether err, from a read, is a deadline that
// interrupts a Receive call's reading rather than ends the connection.
func (rd *reader) interrupted(err error) bool {
	return rd.soft && errors.Is(err, os.ErrDeadlineExceeded)
}

// readFailed records err from a read as the reader's sticky error, unless it
// merely interrupts a Receive call's reading.
func (rd *reader) readFailed(err error) {
	if !rd.interrupted(err) {
		rd.err = err
	}
}

func (rd *reader) init(nc net.Conn, buffered []byte, mon *atomic.Pointer[ping.Monitor]) {
	rd.nc, rd.mon = nc, mon
	rd.initRaw()
	switch {
	case len(buffered) > 0:
		rd.buf, rd.w = buffered, len(buffered)
	case rd.raw == nil:
		rd.buf = rd.smallBuf()
	}
}

// smallBuf returns the small buffer, allocating it the first time.
func (rd *reader) smallBuf() []byte {
	if rd.small == nil {
		rd.small = new([smallRead]byte)
	}
	return rd.small[:]
}

// alive tells the ping monitor, if any, that n > 0 bytes arrived.
func (rd *reader) alive(n int) {
	if n > 0 {
		if m := rd.mon.Load(); m != nil {
			m.Pong()
		}
	}
}

func (rd *reader) usingBig() bool {
	return rd.big != nil && len(rd.buf) > 0 && &rd.buf[0] == &rd.big.b[0]
}

// fill reads until at least need (<= smallRead) unread bytes are buffered.
func (rd *reader) fill(need int) error {
	for rd.w-rd.r < need {
		if rd.err != nil {
			return rd.err
		}
		if rd.r == rd.w && rd.raw != nil {
			// Nothing buffered: wait for bytes without holding a buffer,
			// then read them into the big one.
			err := rd.waitRead()
			if rd.atBoundary && rd.hooks.afterWait() {
				// A Receive call asked for the reading (handoff.go).
				return errHandoff
			}
			if err != nil {
				rd.readFailed(err)
				return err
			}
			continue
		}
		rd.prepare(need)
		n, err := rd.nc.Read(rd.buf[rd.w:])
		rd.w += n
		rd.lastFull = rd.w == len(rd.buf)
		rd.lastN = n
		rd.alive(n)
		if err != nil {
			rd.readFailed(err)
			if rd.err == nil && n == 0 {
				return err
			}
		}
	}
	return nil
}

// waitRead waits until the socket (TCP) is readable and reads what it has
// into the big buffer; nothing may be buffered. It returns the error of the
// wait itself (a deadline, a closed socket), which it does not record; a
// read error is recorded in rd.err.
func (rd *reader) waitRead() error {
	rd.buf, rd.r, rd.w = nil, 0, 0
	rd.rawN, rd.rawErr, rd.yielded = 0, nil, false
	err := rd.raw.Read(rd.rawFn)
	if rd.rawN > 0 {
		rd.buf, rd.w = rd.big.b, rd.rawN
		rd.lastFull, rd.lastN = rd.rawN == len(rd.buf), rd.rawN
	}
	if rd.rawErr != nil {
		rd.err = rd.rawErr
	}
	rd.alive(rd.rawN)
	return err
}

// readMore moves the unread bytes (part of a frame that fits in it) to the
// front of the big buffer and adds what the socket (TCP) has; if it has
// nothing yet, readMore waits for bytes when wait is set, or returns at once.
// Like waitRead, it returns the error of the wait itself and records a read
// error in rd.err.
func (rd *reader) readMore(wait bool) error {
	rd.moreWait = wait
	if rd.big == nil {
		rd.big = rbufPool.Get().(*rbuf)
	}
	if !rd.usingBig() || rd.r > 0 {
		n := copy(rd.big.b, rd.buf[rd.r:rd.w])
		rd.buf, rd.r, rd.w = rd.big.b, 0, n
	}
	rd.rawN, rd.rawErr = 0, nil
	if err := rd.raw.Read(rd.moreFn); err != nil {
		return err
	}
	rd.w += rd.rawN
	rd.lastFull, rd.lastN = rd.w == len(rd.buf), rd.rawN
	if rd.rawErr != nil {
		rd.err = rd.rawErr
	}
	rd.alive(rd.rawN)
	return nil
}

// bufferedFrame reports whether a whole frame is buffered, and if not,
// whether its header is. A header that does not parse counts as a whole
// frame: reading it reports the error.
func (rd *reader) bufferedFrame() (whole, header bool, op frame.Opcode) {
	avail := rd.w - rd.r
	if avail < 2 || avail < headerSize(rd.buf[rd.r+1]) {
		return false, false, 0
	}
	h, n, err := frame.ParseHeader(rd.buf[rd.r:rd.w])
	if err != nil || h.Length < 0 || h.Length <= int64(avail-n) {
		return true, true, h.Opcode
	}
	return false, true, h.Opcode
}

// prepare picks the buffer for the next read and makes room in it.
func (rd *reader) prepare(need int) {
	avail := rd.w - rd.r
	var target []byte
	if rd.lastFull || rd.lastN > smallRead || (avail > 0 && rd.usingBig()) {
		// Bytes are flowing.
		if rd.big == nil {
			rd.big = rbufPool.Get().(*rbuf)
		}
		target = rd.big.b
	} else {
		target = rd.smallBuf()
	}
	if &target[0] == &rd.buf[0] && len(rd.buf)-rd.r >= need && rd.w < len(rd.buf) {
		return // room after the unread bytes
	}
	copy(target, rd.buf[rd.r:rd.w])
	rd.buf, rd.r, rd.w = target, 0, avail
	if !rd.usingBig() {
		rd.releaseBig()
	}
}

func (rd *reader) releaseBig() {
	if rd.big != nil {
		rbufPool.Put(rd.big)
		rd.big = nil
	}
}

// release returns the pooled buffers; the reader is finished.
func (rd *reader) release() {
	rd.buf, rd.r, rd.w = nil, 0, 0
	rd.releaseBig()
	if rd.frag != nil {
		putWbuf(rd.frag)
		rd.frag = nil
	}
}

// discard reads and drops everything until the read fails (EOF or the read
// deadline the caller set).
func (rd *reader) discard() {
	if rd.err != nil {
		return
	}
	buf := rd.smallBuf()
	for {
		if _, err := rd.nc.Read(buf); err != nil {
			return
		}
	}
}

// headerSize returns the size of the header whose first two bytes are b0, b1
// (RFC 6455 §5.2).
func headerSize(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// peerClose is how readLoop reports the peer's close frame.
type peerClose struct {
	code   frame.StatusCode
	reason string
}

func (*peerClose) Error() string { return "conn: close frame received" }

// errFailing ends readLoop when the connection is being failed.
var errFailing = errPeerAfterFail

// doneCtx is a context that is already done: Push with it never blocks.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// run is the reader goroutine. It ends when the connection ends, or when
// it hands the reading over to a Receive call (see handoff.go).
func (c *Conn) run() {
	for {
		err := c.readLoop()
		if err == errHandoff {
			if c.handOff() {
				return
			}
			c.rd.noYield = true // read on: no second try before the next frame
			continue
		}
		c.finish(err)
		return
	}
}

// finish ends the connection after reading stopped because of err, on the
// goroutine that will close Done.
func (c *Conn) finish(err error) {
	c.teardown(err)
	c.finalize()
}

// readLoop reads frames until the connection ends, and returns why: a
// *peerClose, a *frame.ProtocolError, errFailing, or a read error; or
// errHandoff when a Receive call waits and the reader may step aside.
func (c *Conn) readLoop() error {
	rd := &c.rd
	for {
		if c.failing.Load() {
			return errFailing
		}
		if rd.part != nil {
			// A Receive call stopped in the middle of a frame.
			if err := c.readFrame(); err != nil {
				return err
			}
			continue
		}
		if rd.r == rd.w && rd.raw != nil && !rd.noYield && c.recvWaiting.Load() > 0 &&
			c.q.Len() == 0 && !c.rdPinned.Load() {
			return errHandoff
		}
		rd.atBoundary = !rd.noYield
		err := rd.fill(2)
		rd.atBoundary, rd.noYield = false, false
		if err != nil {
			return err
		}
		if err := c.readFrame(); err != nil {
			return err
		}
	}
}

// readFrame reads and handles one frame, or the rest of the data frame a
// Receive call stopped in (rd.part); otherwise at least the frame's first
// two bytes are buffered.
func (c *Conn) readFrame() error {
	rd := &c.rd
	if rd.part != nil {
		return c.readRest()
	}
	if err := rd.fill(headerSize(rd.buf[rd.r+1])); err != nil {
		return err
	}
	h, n, err := frame.ParseHeader(rd.buf[rd.r:rd.w])
	if err != nil {
		return err
	}
	rd.r += n
	if err := frame.Check(h, c.role, c.ext); err != nil {
		return err
	}
	op, err := rd.asm.Frame(h)
	if err != nil {
		return err
	}
	if h.Opcode.IsControl() {
		return c.control(h)
	}
	if h.Opcode != frame.OpContinuation {
		rd.utf8.Reset()
	}
	single := h.Fin && h.Opcode != frame.OpContinuation
	if single && int64(rd.w-rd.r) >= h.Length {
		// All buffered.
		data := copyMsg(rd.buf[rd.r : rd.r+int(h.Length)])
		rd.r += int(h.Length)
		text := op == frame.OpText
		if err := c.checkPayload(data, h, text); err != nil {
			return err
		}
		return c.deliver(MessageType(op), data, text)
	}
	p := partialPool.Get().(*partial)
	*p = partial{h: h, op: op, single: single}
	if single {
		// A whole message in one frame: its bytes go straight into the
		// one allocation the message needs.
		p.data = msgBuf(int(min(h.Length, maxPrealloc)))[:0]
	} else if rd.frag == nil {
		rd.frag = getWbuf()
	}
	rd.part = p
	return c.readRest()
}

// readRest reads the rest of the payload of the data frame rd.part and
// handles the frame. If reading stops early, what was read stays in rd.part
// for whoever reads next.
func (c *Conn) readRest() error {
	rd := &c.rd
	p := rd.part
	text := p.op == frame.OpText
	dst := &p.data
	if !p.single {
		dst = &rd.frag.b
	}
	start := len(*dst)
	var err error
	*dst, err = c.readPayload(*dst, p.h, p.pos, text)
	p.pos += int64(len(*dst) - start)
	if err != nil {
		return err
	}
	data := *dst
	rd.part = nil
	single, fin, typ := p.single, p.h.Fin, MessageType(p.op)
	*p = partial{}
	partialPool.Put(p)
	if single {
		return c.deliver(typ, data, text) // never nil: msgBuf made it
	}
	if !fin {
		return nil
	}
	data = copyMsg(rd.frag.b)
	putWbuf(rd.frag)
	rd.frag = nil
	return c.deliver(typ, data, text)
}

// readPayload appends the rest of the payload of the frame h, from offset
// pos, to dst, unmasking it and, for text, validating it as it arrives, so
// that invalid UTF-8 fails the connection at the first impossible byte. On
// an error, dst holds what was read and checked.
func (c *Conn) readPayload(dst []byte, h frame.Header, pos int64, text bool) ([]byte, error) {
	rd := &c.rd
	remaining := h.Length - pos
	for remaining > 0 {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, int(min(remaining, maxPrealloc)))
		}
		free := dst[len(dst):cap(dst)]
		if int64(len(free)) > remaining {
			free = free[:remaining]
		}
		var n int
		switch {
		case rd.r < rd.w:
			n = copy(free, rd.buf[rd.r:rd.w])
			rd.r += n
		case len(free) >= directRead || (len(free) > smallRead && !rd.usingBig()):
			if rd.err != nil {
				return dst, rd.err
			}
			var err error
			n, err = rd.nc.Read(free)
			rd.alive(n)
			if err != nil {
				rd.readFailed(err)
				if rd.err == nil && n == 0 {
					return dst, err
				}
			}
			if n == 0 {
				continue
			}
		default:
			if err := rd.fill(1); err != nil {
				return dst, err
			}
			continue
		}
		b := free[:n]
		if h.Masked {
			frame.Mask(h.Key, int(pos), b)
		}
		pos += int64(n)
		if text {
			if _, err := rd.utf8.Validate(b); err != nil {
				return dst, err
			}
		}
		dst = dst[:len(dst)+n]
		remaining -= int64(n)
	}
	return dst, nil
}

// checkPayload unmasks a whole frame payload and validates text.
func (c *Conn) checkPayload(p []byte, h frame.Header, text bool) error {
	if h.Masked {
		frame.Mask(h.Key, 0, p)
	}
	if text {
		if _, err := c.rd.utf8.Validate(p); err != nil {
			return err
		}
	}
	return nil
}

// control handles one control frame (RFC 6455 §5.5).
func (c *Conn) control(h frame.Header) error {
	rd := &c.rd
	n := int(h.Length) // at most 125: Check refused longer ones
	if err := rd.fill(n); err != nil {
		return err
	}
	// The payload is unmasked where it lies in the read buffer: those bytes
	// are consumed, and everything below copies what it keeps of p.
	p := rd.buf[rd.r : rd.r+n : rd.r+n]
	rd.r += n
	if h.Masked {
		frame.Mask(h.Key, 0, p)
	}
	switch h.Opcode {
	case frame.OpPing:
		// RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST
		// send a Pong frame in response ... The Pong frame MUST have the
		// same payload as the Ping frame." Every ping gets its pong: the
		// reader waits for room in the output buffer rather than drop one.
		// After our close frame nothing more is sent (§5.5.1).
		c.writeControl(nil, frame.OpPong, p, nil)
	case frame.OpPong:
		c.gotPong(p)
	case frame.OpClose:
		code, reason, err := frame.ParseClose(p)
		if err != nil {
			return err
		}
		return &peerClose{code, reason}
	}
	return nil
}

// deliver queues a complete message for Receive. While the queue is full the
// reader waits here and reads nothing more (backpressure); the ping monitor
// is paused meanwhile, since the delay is ours, not the peer's.
func (c *Conn) deliver(typ MessageType, data []byte, text bool) error {
	if text {
		if err := c.rd.utf8.Finish(); err != nil {
			return err
		}
	}
	m := Message{Type: typ, Data: data}
	cost := int64(len(data))
	err := c.q.Push(doneCtx, m, cost)
	if err == context.Canceled {
		mon := c.mon.Load()
		if mon != nil {
			mon.Pause()
		}
		err = c.q.Push(context.Background(), m, cost)
		if mon != nil {
			mon.Resume()
		}
	}
	if err != nil && c.failing.Load() {
		return errFailing
	}
	// Otherwise the queue was closed by a local close: the message is
	// dropped, and reading goes on until the peer's close frame.
	return nil
}
