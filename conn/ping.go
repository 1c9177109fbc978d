package conn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
)

// pingWaiter is one Ping waiting for its pong.
type pingWaiter struct {
	data []byte
	sent time.Time
	ch   chan struct{} // closed when done
	rtt  time.Duration
	err  error
}

// Ping sends a ping with data (at most 125 bytes) and waits for the matching
// pong; it returns the round-trip time. A pong answers the oldest
// outstanding ping with the same payload, and every ping sent before that
// one too (RFC 6455 §5.5.3: an endpoint "MAY elect to send a Pong frame for
// only the most recently processed Ping frame"). If ctx
// ends first, Ping returns ctx.Err() and the connection stays usable.
func (c *Conn) Ping(ctx context.Context, data []byte) (time.Duration, error) {
	if ctx == nil {
		return 0, errNilContext
	}
	if len(data) > frame.MaxControlPayload {
		return 0, errPingData
	}
	w := &pingWaiter{data: slices.Clone(data), ch: make(chan struct{})}
	err := c.writeControl(ctx.Done(), frame.OpPing, data, func() {
		w.sent = time.Now()
		c.pings = append(c.pings, w)
	})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, err
	}
	select {
	case <-w.ch:
		return w.rtt, w.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.pings, w); i >= 0 {
		c.pings = slices.Delete(c.pings, i, i+1)
		return 0, ctx.Err()
	}
	// Answered, or the connection ended, while ctx ended.
	<-w.ch
	return w.rtt, w.err
}

// gotPong completes the pings a pong answers.
func (c *Conn) gotPong(p []byte) {
	if k := c.keep.Load(); k != nil {
		k.mon.Pong()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range c.pings {
		if !bytes.Equal(w.data, p) {
			continue
		}
		now := time.Now()
		for _, d := range c.pings[:i+1] {
			d.rtt = now.Sub(d.sent)
			close(d.ch)
		}
		clear(c.pings[:i+1])
		c.pings = c.pings[i+1:]
		if len(c.pings) == 0 {
			c.pings = nil
		}
		return
	}
}

// endPingsLocked fails every outstanding Ping with err.
func (c *Conn) endPingsLocked(err error) {
	for _, w := range c.pings {
		w.err = err
		close(w.ch)
	}
	c.pings = nil
}

// StartPing starts sending pings by policy p (a ping with p.Data every
// p.Interval) and fails the connection with StatusInternalError (1011) when
// a ping stays unanswered for p.Timeout (p.Interval if zero; a negative
// Timeout never fails it); Receive
// then returns an error wrapping ping.ErrTimeout. Time during which the
// reader waits for room in a full receive queue does not count: the delay is
// ours, not the peer's. Any pong counts as an answer, and so does any byte
// from the peer: a peer that sends is alive, and the pong to our ping may
// wait behind messages that our full queue holds up.
//
// Only one policy runs at a time: StartPing replaces the running one, and a
// p with no Interval just stops it. It returns p's validation error, or an
// error wrapping ErrClosed when the connection has ended.
func (c *Conn) StartPing(p ping.Policy) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("conn: %w", err)
	}
	c.pingMu.Lock()
	defer c.pingMu.Unlock()
	c.stopMonitor()
	if p.Interval == 0 {
		return nil
	}
	mon, err := ping.NewMonitor(p)
	if err != nil {
		return fmt.Errorf("conn: %w", err)
	}
	c.mu.Lock()
	if c.sendErr != nil || c.shut {
		err := c.sendErr
		c.mu.Unlock()
		return closedBy(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &keeper{mon: mon, stop: cancel, done: make(chan struct{})}
	c.keep.Store(k)
	c.mu.Unlock()
	go c.runMonitor(ctx, k)
	return nil
}

// keeper is a running ping policy: its monitor, and how to stop it.
type keeper struct {
	mon  *ping.Monitor
	stop context.CancelFunc
	done chan struct{} // closed when runMonitor has returned
}

func (c *Conn) runMonitor(ctx context.Context, k *keeper) {
	defer close(k.done)
	err := k.mon.Run(ctx, pinger{c})
	if errors.Is(err, ping.ErrTimeout) {
		c.fail(err, frame.StatusInternalError)
	}
}

// stopMonitor stops the running monitor, if any, and waits for it.
func (c *Conn) stopMonitor() {
	if k := c.keep.Swap(nil); k != nil {
		k.stop()
		<-k.done
	}
}

// pinger sends the monitor's pings (an unexported type, so that SendPing is
// not part of Conn's API).
type pinger struct{ c *Conn }

// SendPing queues a ping frame; see ping.Pinger.
func (p pinger) SendPing(ctx context.Context, data []byte) error {
	err := p.c.writeControl(ctx.Done(), frame.OpPing, data, nil)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
