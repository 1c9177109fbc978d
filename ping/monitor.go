package ping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

var errRunning = errors.New("ping: monitor already running")

// Monitor is a Keeper on real time, safe for concurrent use, plus the loop that sends the
// pings. The connection creates one, feeds it pongs and pauses from its reader, and calls Run
// on a goroutine of its own.
type Monitor struct {
	data    []byte
	timeout time.Duration

	mu      sync.Mutex
	k       *Keeper
	running bool
	wakeAt  time.Time // when Run's timer fires; zero: no timer

	wake chan struct{} // capacity 1: tells Run that its next wake-up may be earlier
}

// NewMonitor returns a Monitor for p, or p's Validate error. It keeps a copy of p.Data.
func NewMonitor(p Policy) (*Monitor, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Monitor{
		data:    slices.Clone(p.Data),
		timeout: p.timeout(),
		k:       NewKeeper(p, time.Now()),
		wake:    make(chan struct{}, 1),
	}, nil
}

// Pong records that a pong arrived; it answers every ping sent before it.
func (m *Monitor) Pong() {
	m.mu.Lock()
	m.k.Pong(time.Now())
	m.mu.Unlock()
}

// Pause stops the dead-peer clock, while the reader is blocked by our own backpressure.
func (m *Monitor) Pause() {
	m.mu.Lock()
	m.k.Pause(m.clock())
	m.mu.Unlock()
}

// Resume restarts the dead-peer clock.
func (m *Monitor) Resume() {
	m.mu.Lock()
	m.k.Resume(m.clock())
	// The clock runs again, so the peer may be due to die before Run's timer fires. Only then
	// is Run woken, which keeps Pause and Resume cheap enough to call around every Push.
	next := m.k.Next()
	early := m.running && !next.IsZero() && (m.wakeAt.IsZero() || next.Before(m.wakeAt))
	m.mu.Unlock()
	if early {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// clock is the time for Pause and Resume, which need it only while a ping is unanswered:
// reading the clock costs more than the rest of the pair. The caller holds mu.
func (m *Monitor) clock() time.Time {
	if !m.k.outstanding {
		return time.Time{}
	}
	return time.Now()
}

// Run sends a ping through pinger every Interval until ctx is done, and returns:
//   - nil when ctx is done;
//   - an error wrapping ErrTimeout when the peer is dead: a ping stayed unanswered (no Pong
//     call) for Timeout, not counting paused time, or a ping could not even be written
//     within Timeout;
//   - the pinger's error otherwise.
//
// The first ping goes out one Interval after Run starts. With no Interval, Run only waits
// for ctx. Only one Run may be active at a time; a second concurrent call returns an error.
func (m *Monitor) Run(ctx context.Context, pinger Pinger) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errRunning
	}
	m.running = true
	m.k.restart(time.Now())
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
	}()

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		m.mu.Lock()
		now := time.Now()
		send, err := m.k.Tick(now)
		if send {
			m.k.Sent(now) // before writing: a pong may come back before SendPing returns
		}
		next := m.k.Next()
		m.wakeAt = next
		m.mu.Unlock()

		if err != nil {
			return fmt.Errorf("%w (%v)", err, m.timeout)
		}
		if send {
			if err := m.send(ctx, pinger); err != nil {
				return err
			}
			continue
		}
		var fire <-chan time.Time
		if !next.IsZero() {
			timer.Reset(next.Sub(now))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-fire:
		case <-m.wake:
		}
	}
}

// send writes one ping. With a Timeout, a write that takes longer than Timeout means the peer
// is not reading: that peer is as dead as one that does not answer.
func (m *Monitor) send(ctx context.Context, pinger Pinger) error {
	sendCtx := ctx
	if m.timeout > 0 {
		var cancel context.CancelFunc
		sendCtx, cancel = context.WithTimeout(ctx, m.timeout)
		defer cancel()
	}
	err := pinger.SendPing(sendCtx, m.data)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return nil
	case sendCtx.Err() != nil:
		return fmt.Errorf("%w (%v): the ping could not be sent: %v", ErrTimeout, m.timeout, err)
	}
	return err
}

// Run sends pings by p through pinger until ctx is done, for a caller that has no pongs to
// report: it is NewMonitor(p) followed by Run, with no dead-peer detection. With no pong
// input it cannot tell a dead peer, so a p with a positive Timeout is refused (use NewMonitor
// and call Pong), and a zero Timeout means none here. It returns nil when ctx is done, or the
// pinger's error.
func Run(ctx context.Context, p Policy, pinger Pinger) error {
	if p.Timeout > 0 {
		return fmt.Errorf("%w: Run has no pong input, so it cannot apply timeout %v; use a Monitor", ErrPolicy, p.Timeout)
	}
	p.Timeout = -1
	m, err := NewMonitor(p)
	if err != nil {
		return err
	}
	return m.Run(ctx, pinger)
}
