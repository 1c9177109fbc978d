package ping

import (
	"context"
	"errors"
	"time"
)

// Policy says how often to ping and how long to wait for a pong.
type Policy struct {
	Interval time.Duration
	Data     []byte
	Timeout  time.Duration
}

// ErrPolicy is wrapped by the errors Validate returns.
var ErrPolicy = errors.New("ping: invalid policy")

// ErrTimeout is wrapped by the error Run returns when the peer is dead.
var ErrTimeout = errors.New("ping: no pong within the timeout")

// Validate reports whether p is usable.
func (p Policy) Validate() error { return nil }

// Pinger sends one ping.
type Pinger interface {
	SendPing(ctx context.Context, data []byte) error
}

// Keeper is the pure ping logic.
type Keeper struct{ p Policy }

// NewKeeper returns a Keeper starting at now.
func NewKeeper(p Policy, now time.Time) *Keeper { return &Keeper{p: p} }

// Tick reports whether a ping is due and whether the peer is dead.
func (k *Keeper) Tick(now time.Time) (sendPing bool, err error) { return false, nil }

// Sent records a ping sent at now.
func (k *Keeper) Sent(now time.Time) {}

// Pong records a pong received at now.
func (k *Keeper) Pong(now time.Time) {}

// Pause stops the dead-peer clock.
func (k *Keeper) Pause(now time.Time) {}

// Resume restarts the dead-peer clock.
func (k *Keeper) Resume(now time.Time) {}

// Next returns when Tick must be called next.
func (k *Keeper) Next() time.Time { return time.Time{} }

// Monitor is a concurrency-safe Keeper plus its loop.
type Monitor struct{ p Policy }

// NewMonitor validates p and returns a Monitor.
func NewMonitor(p Policy) (*Monitor, error) { return &Monitor{p: p}, p.Validate() }

// Pong records a pong.
func (m *Monitor) Pong() {}

// Pause stops the dead-peer clock.
func (m *Monitor) Pause() {}

// Resume restarts the dead-peer clock.
func (m *Monitor) Resume() {}

// Run sends pings until ctx is done or the peer is dead.
func (m *Monitor) Run(ctx context.Context, pinger Pinger) error {
	<-ctx.Done()
	return nil
}

// Run is NewMonitor followed by Run.
func Run(ctx context.Context, p Policy, pinger Pinger) error {
	m, err := NewMonitor(p)
	if err != nil {
		return err
	}
	return m.Run(ctx, pinger)
}
