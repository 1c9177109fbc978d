package conn

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// Who reads the socket. The reader goroutine reads while nobody waits in
// Receive. On TCP (and Unix sockets), once a Receive call waits for a message
// while the reader goroutine has nothing buffered, the goroutine steps aside
// and the Receive call reads the socket itself: a message then reaches the
// application with no hand-off between goroutines (on a 2-vCPU VM a wake-up
// costs ~100 µs of latency and several µs of CPU), and an idle connection
// whose application waits in Receive has no second goroutine (and stack).
//
// The reading role moves between:
//
//   - rdBackground: the reader goroutine (run) reads;
//   - rdReceiver: a Receive call reads. Every wait for the socket, for a
//     frame's header or in the middle of a data frame's payload, is one its
//     context can interrupt (through the read deadline): a part of a header
//     stays buffered, a part of a payload stays in rd.part, and whoever
//     reads next goes on from there. A data frame is judged as its bytes
//     arrive (the size limit from its header, UTF-8 at the first impossible
//     byte), as the reader goroutine judges it. Pings (whose pong may wait
//     for the writer) and the end of the connection go to a fresh reader
//     goroutine;
//   - rdParked: nobody reads; the Receive call that read has returned a
//     message. The next Receive call reads again, or, if none comes within
//     idleGrace, the idle timer starts the reader goroutine (so pings are
//     answered and the peer's close frame is seen while the application is
//     busy elsewhere);
//   - rdHanding: the reader goroutine has ended and queued a token (a
//     Message of type 0) for a waiting Receive call, which takes the role.
//
// Once the connection is ending (rdPinned: a close, a failure), the reader
// goroutine reads until the end, as before. Everything here is guarded by
// c.rmu; the reader state c.rd passes between goroutines through it, the
// queue, or a go statement.
const (
	rdBackground = iota
	rdReceiver
	rdParked
	rdHanding
)

// idleGrace is how long (at most twice) bytes may wait unread in the kernel
// while the application that read last is not back in Receive. On a busy
// server a goroutine may wait a few milliseconds for a CPU: a shorter grace
// makes the role move back and forth (1 ms cost 1.34x server CPU per
// message at 16 connections x 16 B ping-pong).
const idleGrace = 10 * time.Millisecond

// errHandoff ends readLoop when a Receive call may take the reading.
var errHandoff = errors.New("conn: reading handed to Receive")

// readerHooks lets the reader's socket wait consult the connection.
type readerHooks struct{ c *Conn }

// beforePark runs on the reader goroutine when, at a frame boundary, the
// socket has nothing: it reports whether a Receive call waits, so that the
// goroutine should step aside rather than wait. Otherwise the goroutine waits,
// and marks itself idle so that a Receive call coming later can ask for the
// reading (maybeSteal).
func (h readerHooks) beforePark() bool {
	c := h.c
	if c == nil || c.rdPinned.Load() {
		return false
	}
	c.rdIdle.Store(true)
	return c.recvWaiting.Load() > 0
}

// afterWait runs on the reader goroutine after its wait at a frame boundary
// and reports whether it should step aside.
func (h readerHooks) afterWait() bool {
	c := h.c
	if c == nil {
		return false
	}
	c.rmu.Lock()
	c.rdIdle.Store(false)
	stolen := c.rdSteal
	if stolen {
		c.rdSteal = false
		c.clearDeadlineLocked()
	}
	c.rmu.Unlock()
	return stolen || c.rd.yielded
}

func (c *Conn) clearDeadlineLocked() {
	if c.rdDeadline {
		c.rdDeadline = false
		c.nc.SetReadDeadline(time.Time{})
	}
}

// handOff runs when the reader goroutine has stepped aside: it gives the
// reading to a waiting Receive call and reports true (the goroutine then
// ends), or reports false if no call waits any more (it reads on).
func (c *Conn) handOff() bool {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rd.raw == nil || c.rdPinned.Load() || c.failing.Load() || c.recvWaiting.Load() == 0 ||
		c.q.Len() > 0 || c.rdState != rdBackground {
		return false
	}
	if c.q.Push(doneCtx, Message{}, 0) != nil {
		return false
	}
	c.rdState = rdHanding
	return true
}

// kickReader makes the reader goroutine read until the end: the connection
// is ending. A Receive call that reads is woken to hand over.
func (c *Conn) kickReader() {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rdPinned.Load() {
		return
	}
	c.rdPinned.Store(true)
	switch c.rdState {
	case rdParked, rdHanding:
		c.rdState = rdBackground
		go c.run()
	case rdReceiver:
		c.rdDeadline = true
		c.nc.SetReadDeadline(aLongTimeAgo)
	}
}

// idleFire starts reading in the background (on the timer's goroutine) if
// nobody took the reading within idleGrace.
func (c *Conn) idleFire() {
	c.rmu.Lock()
	if c.rdState != rdParked {
		c.timerArmed = false
		if c.parkGen == c.armGen {
			// No message since the timer was armed: the connection is
			// quiet, so it need not keep a timer, nor its queue's
			// ring and waiters (they are made again when a message
			// comes).
			c.idleTimer = nil
			c.q.Shrink()
		}
		c.rmu.Unlock()
		return
	}
	if c.parkGen != c.armGen {
		// Parked again since the timer was armed: wait for that one.
		c.armGen = c.parkGen
		c.idleTimer.Reset(idleGrace)
		c.rmu.Unlock()
		return
	}
	c.timerArmed = false
	c.rdState = rdBackground
	c.rdMore.Store(false)
	c.rmu.Unlock()
	c.run()
}

// parkInitially starts a new TCP connection with the reading parked, so that
// the first Receive call reads with no reader goroutine started before it.
// The idle timer starts one if no Receive call comes within idleGrace.
func (c *Conn) parkInitially() {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.rdState = rdParked
	c.parkGen = 1
	c.timerArmed, c.armGen = true, 1
	c.idleTimer = time.AfterFunc(idleGrace, c.idleFire)
}

// takeReading makes the calling Receive the reader if nobody reads.
func (c *Conn) takeReading() bool {
	if c.rd.raw == nil {
		return false
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rdState != rdParked || c.rdPinned.Load() {
		return false
	}
	c.rdState = rdReceiver // an armed idle timer finds this and stops
	if c.parkGen == 1 && c.timerArmed && c.idleTimer.Stop() {
		// The first Receive call came in time: the timer set by
		// parkInitially has nothing to do (and need not start a
		// goroutine to find that out).
		c.timerArmed = false
		c.idleTimer = nil
	}
	return true
}

// tokenTaken makes the Receive call that popped the reader's token the
// reader, unless the token is stale.
func (c *Conn) tokenTaken() bool {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rdState != rdHanding {
		return false
	}
	c.rdState = rdReceiver
	// The caller reads from now on and the queue has just been emptied:
	// what it kept for waiting goes (see Queue.Shrink).
	c.q.Shrink()
	return true
}

// maybeSteal asks an idle reader goroutine to step aside for the Receive call
// that is about to wait (it has counted itself in recvWaiting).
func (c *Conn) maybeSteal() {
	if c.rd.raw == nil || !c.rdIdle.Load() {
		return
	}
	c.rmu.Lock()
	if c.rdState == rdBackground && !c.rdPinned.Load() && c.rdIdle.Load() && !c.rdSteal {
		c.rdSteal = true
		c.rdDeadline = true
		c.nc.SetReadDeadline(aLongTimeAgo)
	}
	c.rmu.Unlock()
}

// waiterLeft ends a Receive call's wait on the queue. The last waiter to
// leave while a token waits for a reader restarts the reader goroutine, so
// that the socket is never left unread.
func (c *Conn) waiterLeft() {
	if c.recvWaiting.Add(-1) != 0 {
		return
	}
	c.rmu.Lock()
	if c.rdState != rdHanding {
		c.rmu.Unlock()
		return
	}
	c.rdState = rdBackground
	c.rmu.Unlock()
	go c.run()
}

// leaveReading ends a Receive call's reading: the role is parked until the
// next Receive call or idleGrace.
func (c *Conn) leaveReading() {
	c.rdMore.Store(c.rd.r < c.rd.w)
	c.rmu.Lock()
	c.clearDeadlineLocked()
	if c.rdPinned.Load() || c.failing.Load() {
		c.rdState = rdBackground
		c.rmu.Unlock()
		go c.run()
		return
	}
	c.rdState = rdParked
	c.parkGen++
	// The timer is armed at most once per idleGrace, not per message:
	// arming a timer can wake the thread that waits in the poller, which
	// costs as much as the hand-off this file avoids.
	if !c.timerArmed {
		c.timerArmed, c.armGen = true, c.parkGen
		if c.idleTimer == nil {
			c.idleTimer = time.AfterFunc(idleGrace, c.idleFire)
		} else {
			c.idleTimer.Reset(idleGrace)
		}
	}
	c.rmu.Unlock()
}

// resumeBackground gives the reading back to a fresh reader goroutine.
func (c *Conn) resumeBackground() {
	c.rdMore.Store(false)
	c.rmu.Lock()
	c.clearDeadlineLocked()
	c.rdState = rdBackground
	c.rmu.Unlock()
	go c.run()
}

// readerEnds hands the end of the connection (err from reading a frame) to a
// goroutine that finishes it, as the reader goroutine would.
func (c *Conn) readerEnds(err error) {
	c.rdMore.Store(false)
	c.rmu.Lock()
	c.clearDeadlineLocked()
	c.rdPinned.Store(true)
	c.rdState = rdBackground
	c.rmu.Unlock()
	go c.finish(err)
}

// receive is Receive; a non-zero deadline is ctx's deadline and ctx is the
// caller's own (ReceiveTimeout), so the socket's deadline can stand for it.
func (c *Conn) receive(ctx context.Context, deadline time.Time) (Message, error) {
	for {
		var reading bool
		m, ok, err := c.q.TryPop()
		switch {
		case ok && m.Type != 0:
			return m, nil
		case ok:
			reading = c.tokenTaken()
		case err != nil:
			return c.received(Message{}, err)
		default:
			reading = c.takeReading()
		}
		if !reading && !ok {
			c.recvWaiting.Add(1)
			c.maybeSteal()
			m, err = c.q.Pop(ctx)
			if err == nil && m.Type == 0 {
				reading = c.tokenTaken()
			}
			c.waiterLeft()
			switch {
			case err != nil:
				return c.received(m, err)
			case m.Type != 0:
				return m, nil
			}
		}
		if reading {
			m, got, err := c.readForReceive(ctx, deadline)
			if got || err != nil {
				return m, err
			}
		}
	}
}

// readForReceive reads as a Receive call until a message is queued, which it
// returns (got), or ctx ends (err), or the reading has to go back to a reader
// goroutine (neither: the caller waits on the queue).
func (c *Conn) readForReceive(ctx context.Context, deadline time.Time) (m Message, got bool, err error) {
	rd := &c.rd
	for {
		if c.rdPinned.Load() || c.failing.Load() {
			c.resumeBackground()
			return Message{}, false, nil
		}
		var whole, header bool
		var op frame.Opcode
		if rd.part == nil {
			whole, header, op = rd.bufferedFrame()
		}
		switch {
		case whole && op == frame.OpPing:
			// A pong may have to wait for room in the output buffer, which
			// ctx could not interrupt: pings are the reader goroutine's.
			c.resumeBackground()
			return Message{}, false, nil
		case whole || rd.part != nil || header && !op.IsControl():
			// A data frame is read (and judged: the size limit, UTF-8)
			// as its bytes arrive. If ctx ends in the middle of one, the
			// part read stays in rd.part for whoever reads next.
			var stop func() bool
			if !whole {
				var ok bool
				if stop, ok = c.armReceive(ctx, deadline); !ok {
					continue
				}
			}
			rd.soft = true
			err := c.readFrame()
			rd.soft = false
			if !whole {
				c.disarmReceive(stop)
			}
			if err != nil {
				// A deadline that interrupted the reading (ctx ended,
				// or a kick) is not recorded in rd.err; a failure is.
				if rd.err != nil || !errors.Is(err, os.ErrDeadlineExceeded) {
					c.readerEnds(err)
					return Message{}, false, nil
				}
				if err := c.receiveExpired(ctx, deadline); err != nil {
					c.leaveReading()
					return Message{}, false, err
				}
				continue // a kick: the connection is ending
			}
			if m, ok, _ := c.q.TryPop(); ok {
				c.leaveReading()
				return m, true, nil
			}
		case rd.err != nil:
			c.resumeBackground()
			return Message{}, false, nil
		case header:
			// A control frame's header and part of its payload (at most
			// 125 bytes): take what the socket has, without waiting.
			before := rd.w - rd.r
			if err := rd.readMore(false); err != nil {
				rd.err = err
			}
			if rd.w-rd.r == before && rd.err == nil {
				c.resumeBackground()
				return Message{}, false, nil
			}
		default:
			// Nothing buffered, or part of a header: nothing to judge
			// yet. Wait for more; if ctx ends first, the part stays
			// buffered for whoever reads next.
			if err := c.waitForReceive(ctx, deadline); err != nil {
				c.leaveReading()
				return Message{}, false, err
			}
		}
	}
}

// armReceive makes ctx's end (or the deadline, which stands for it)
// interrupt the socket reads of the Receive call that reads, through the
// socket's read deadline; disarmReceive undoes it.
// It reports false, arming nothing, if the connection is ending: the caller
// then gives the reading back rather than waits. stop, if not nil, is for
// disarmReceive.
func (c *Conn) armReceive(ctx context.Context, deadline time.Time) (stop func() bool, ok bool) {
	c.rmu.Lock()
	if c.rdPinned.Load() || c.failing.Load() {
		c.rmu.Unlock()
		return nil, false
	}
	c.rdGen++
	gen := c.rdGen
	if !deadline.IsZero() {
		c.rdDeadline = true
		c.nc.SetReadDeadline(deadline)
	}
	c.rmu.Unlock()
	if deadline.IsZero() && ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() {
			c.rmu.Lock()
			if c.rdGen == gen {
				c.rdDeadline = true
				c.nc.SetReadDeadline(aLongTimeAgo)
			}
			c.rmu.Unlock()
		})
	}
	return stop, true
}

func (c *Conn) disarmReceive(stop func() bool) {
	if stop != nil {
		stop()
	}
	c.rmu.Lock()
	c.rdGen++
	c.clearDeadlineLocked()
	c.rmu.Unlock()
}

// receiveExpired returns the error for a Receive call whose socket wait a
// deadline interrupted, if ctx (or the deadline standing for it) has ended;
// nil means the interruption was a kick.
func (c *Conn) receiveExpired(ctx context.Context, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// waitForReceive waits, as a reading Receive call, for bytes from the socket,
// until ctx ends (its error is returned) or the connection starts ending.
func (c *Conn) waitForReceive(ctx context.Context, deadline time.Time) error {
	stop, ok := c.armReceive(ctx, deadline)
	if !ok {
		return nil
	}
	var err error
	if c.rd.r < c.rd.w {
		err = c.rd.readMore(true)
	} else {
		err = c.rd.waitRead()
	}
	c.disarmReceive(stop)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return c.receiveExpired(ctx, deadline) // nil: a kick, the caller sees rdPinned
	}
	c.rd.err = err
	return nil
}
