package conn

import (
	"context"
	"sync/atomic"
	"time"
)

// Who reads the socket. One owner at a time holds the reading (c.reading, a
// readingLock). The owner alone touches c.in, the bytes read and the
// protocol state.
//
//   - A Receive call that finds no message queued takes the reading, reads
//     until its own message is complete and returns it: no goroutine
//     between the socket and the application. Its context bounds its waits
//     through the socket's read deadline; when it gives up, whatever it read
//     stays in c.in for the next owner.
//   - The background reader (background, started only by startBackground)
//     reads while no call does: after the reading has been free for
//     idleGrace, so that pings are answered and the peer's close frame is
//     seen while the application is away; and, from the moment the
//     connection starts ending (c.ending), until the end. It puts messages
//     in the queue, and steps aside for a Receive call that waits for the
//     reading (c.reading.waiting), unless the connection is ending.
//
// An owner that waits for the socket can be interrupted by a poke: a read
// deadline in the past, set by someone who needs the reading back (a waiting
// Receive call, the start of the end, a Receive call's context ending). A
// deadline that the owner did not set and its own context does not explain
// is such a poke: the owner sets its own deadline again and looks at what
// changed. A stale poke costs one spurious wake-up, never a lost message.
//
// The goroutine that finishes the connection keeps the reading for good.

// idleGrace is how long (at most twice) bytes may wait unread in the kernel
// while the application that read last is not back in Receive. On a busy
// server a goroutine may wait a few milliseconds for a CPU: a shorter grace
// makes the reading move back and forth.
//
// The timer is not free on one busy connection. In the bench's client
// ping-pong of 64 KiB (2026-12-08, medians of 5-6 alternated runs), a build
// that never arms it spent 37-39 us of CPU per message, gws 38-41 and this
// one 46-49, with more epoll waits per message (1.6 against 1.3) and the
// runtime's sysmon yielding; a build with no timer of ours but one idle
// 10 ms ticker in the process did as badly, a timer pending for an hour cost
// nothing, and neither a 1 s grace nor a grace that doubles up to 640 ms
// while the application keeps coming back recovered it reliably. Keeping
// "pings answered while the application is away" without a timer that
// fires while it is busy is still to be found.
const idleGrace = 10 * time.Millisecond

// readingLock is the reading's lock. Taking it when it is free and giving
// it up when nobody waits are one atomic operation each, which matters at
// millions of small messages a second; a Receive call can wait for it with a
// context. The zero value is a free lock.
type readingLock struct {
	// wake is a one-slot channel, a waiter's cue to try again. The first
	// waiter makes it: most connections never wait for the reading, and an
	// idle one should not carry it.
	wake    atomic.Pointer[chan struct{}]
	waiting atomic.Int32 // Receive calls waiting for the lock
	held    atomic.Bool
}

// tryLock takes the lock if it is free.
func (l *readingLock) tryLock() bool { return l.held.CompareAndSwap(false, true) }

// unlock gives the lock up and cues a waiter, if there is one. A waiter
// counts itself and makes the cue's channel before it tries the lock, so
// either its try sees the lock free or this sees the waiter and its channel;
// a cue nobody needed costs one more try.
func (l *readingLock) unlock() {
	l.held.Store(false)
	if l.waiting.Load() > 0 {
		if wake := l.wake.Load(); wake != nil {
			select {
			case *wake <- struct{}{}:
			default:
			}
		}
	}
}

// cue returns the channel that cues waiters, making it if need be.
func (l *readingLock) cue() chan struct{} {
	if wake := l.wake.Load(); wake != nil {
		return *wake
	}
	ch := make(chan struct{}, 1)
	if !l.wake.CompareAndSwap(nil, &ch) {
		return *l.wake.Load()
	}
	return ch
}

// tryReading takes the reading if nobody holds it.
func (c *Conn) tryReading() bool { return c.reading.tryLock() }

// waitReading takes the reading for a Receive call, asking the background
// reader to step aside if it holds it. It returns nil once the caller holds
// the reading, ctx.Err(), or errLookAgain when the queue was closed or, for
// a caller that takes queued messages (queued), has one: the background
// reader may be blocked on a full queue, where no poke reaches it, and it
// sees the waiter only after its next message. A MessageReader in the middle
// of its message is not such a caller: what the queue holds came after it.
func (c *Conn) waitReading(ctx context.Context, queued bool) error {
	l := &c.reading
	if l.tryLock() {
		return nil
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	wake := l.cue()
	for {
		if queued && c.q.Len() > 0 {
			return errLookAgain
		}
		if l.tryLock() {
			return nil
		}
		c.poke()
		select {
		case <-wake:
		case <-c.q.Closed():
			return errLookAgain
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// leaveReading gives the reading up. If the connection is ending, the
// background reader takes it; otherwise the idle timer makes sure somebody
// reads within idleGrace, unless a streamed message is under way: that one
// waits for its reader.
func (c *Conn) leaveReading() {
	if more := c.in.r < c.in.w; c.rdMore.Load() != more {
		c.rdMore.Store(more) // an atomic store costs a fence: only on change
	}
	streaming := c.in.stream != nil
	c.reading.unlock()
	if c.ending.Load() {
		c.startBackground()
		return
	}
	if !streaming {
		c.armIdle()
	}
}

// poke interrupts the owner's wait for the socket, if it waits.
func (c *Conn) poke() { c.nc.SetReadDeadline(aLongTimeAgo) }

// startBackground starts the background reader if the reading is free, and
// reports whether it did.
func (c *Conn) startBackground() bool {
	if !c.tryReading() {
		return false
	}
	go c.background()
	return true
}

// readToTheEnd makes the background reader read until the end: the
// connection is ending. An owner that waits is poked to hand the reading
// over.
func (c *Conn) readToTheEnd() {
	c.ending.Store(true)
	if !c.startBackground() {
		c.poke()
	}
}

// armIdle starts the idle timer unless it runs. It is armed at most once per
// idleGrace, not per message: arming a timer can wake the thread that waits
// in the poller, which costs as much as the hand-off it saves.
func (c *Conn) armIdle() {
	if c.idle.Load() != nil {
		return
	}
	t := time.AfterFunc(idleGrace, c.idleFire)
	if !c.idle.CompareAndSwap(nil, t) {
		t.Stop()
	}
}

// idleFire starts the background reader if nobody reads. If a Receive call
// reads (and waits), the connection is quiet: it keeps no timer (one is
// armed again when the call returns), nor its queue's memory.
func (c *Conn) idleFire() {
	c.idle.Store(nil) // before looking: see leaveReading, which arms after letting go
	if !c.startBackground() {
		c.q.Shrink()
	}
}

// stopIdle stops the idle timer; the connection has ended.
func (c *Conn) stopIdle() {
	if t := c.idle.Swap(nil); t != nil {
		t.Stop()
	}
}

// background is the background reader: it holds the reading, puts every
// message in the queue, and ends when a Receive call wants the reading or the
// connection ends, which it then finishes.
func (c *Conn) background() {
	if c.in.stream != nil && !c.ending.Load() {
		// A streamed message waits for its reader, who reads on.
		c.reading.unlock()
		return
	}
	t := turn{c: c, background: true}
	for {
		m, err := c.readMessage(&t)
		if err == errYield {
			c.leaveReading()
			return
		}
		if err != nil {
			c.finish(err)
			return
		}
		if err := c.deliver(m); err != nil {
			c.finish(err)
			return
		}
		if c.yieldNow() {
			c.leaveReading()
			return
		}
	}
}

// yieldNow reports whether the background reader should step aside for a
// Receive call.
func (c *Conn) yieldNow() bool { return c.reading.waiting.Load() > 0 && !c.ending.Load() }

// deliver queues a complete message for Receive. While the queue is full
// the background reader waits here and reads nothing more (backpressure);
// the ping monitor is paused meanwhile, since the delay is ours, not the
// peer's. It returns errFailing if the connection is being failed.
func (c *Conn) deliver(m Message) error {
	cost := int64(len(m.Data))
	err := c.q.Push(doneCtx, m, cost)
	if err == context.Canceled {
		k := c.keep.Load()
		if k != nil {
			k.mon.Pause()
		}
		err = c.q.Push(context.Background(), m, cost)
		if k != nil {
			k.mon.Resume()
		}
	}
	if err != nil && c.failing.Load() {
		return errFailing
	}
	// Otherwise the queue was closed by a local close: the message is
	// dropped, and reading goes on until the peer's close frame.
	return nil
}

// doneCtx is a context that is already done: Push with it never blocks.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()
