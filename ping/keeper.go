package ping

import "time"

// Keeper holds the ping logic without clocks or goroutines: every method takes the current
// time, and Tick and Next say what is due. Monitor runs one on real time.
//
// A ping is due every Interval, counted from the last ping sent. With a timeout, the oldest
// ping not yet answered by a pong starts the dead-peer clock; the clock stops while paused;
// when it reaches Timeout the peer is dead, for good. A pong answers every ping sent before
// it.
//
// A Keeper is not safe for concurrent use.
type Keeper struct {
	interval time.Duration
	timeout  time.Duration

	nextPing time.Time // zero when interval is zero

	// The dead-peer clock: running while outstanding && !paused.
	outstanding bool          // a ping is unanswered and timeout > 0
	waited      time.Duration // clock time accumulated before since
	since       time.Time     // when the clock last started running
	paused      bool
	dead        bool
}

// NewKeeper returns a Keeper whose first ping is due at now + p.Interval, with p's Timeout
// in effect (Interval for zero, none for negative). p should be valid (see Policy.Validate);
// a negative Interval is taken as zero.
func NewKeeper(p Policy, now time.Time) *Keeper {
	k := &Keeper{interval: max(p.Interval, 0), timeout: p.timeout()}
	k.restart(now)
	return k
}

// restart schedules the next ping one interval from now.
func (k *Keeper) restart(now time.Time) {
	if k.interval > 0 {
		k.nextPing = now.Add(k.interval)
	}
}

// Tick reports what is due at now: sendPing is true when a ping should go out (then call
// Sent); err is ErrTimeout once the peer is dead, and stays so.
func (k *Keeper) Tick(now time.Time) (sendPing bool, err error) {
	if k.dead {
		return false, ErrTimeout
	}
	if d := k.deadline(); !d.IsZero() && !now.Before(d) {
		k.dead = true
		return false, ErrTimeout
	}
	return k.interval > 0 && !now.Before(k.nextPing), nil
}

// Sent records that a ping went out at now. Call it before the ping can be answered (that is,
// before writing it), so a quick pong is not taken for the answer to an earlier ping.
func (k *Keeper) Sent(now time.Time) {
	if k.interval > 0 {
		k.nextPing = now.Add(k.interval)
	}
	if k.timeout > 0 && !k.outstanding {
		k.outstanding, k.waited, k.since = true, 0, now
	}
}

// Pong records that a pong arrived at now. It answers every ping sent before it.
func (k *Keeper) Pong(now time.Time) {
	k.outstanding, k.waited = false, 0
}

// Pause stops the dead-peer clock at now: our own reader is blocked (for example by a full
// message queue), so the peer's pong could not be read. Pausing twice is the same as once.
func (k *Keeper) Pause(now time.Time) {
	if k.paused {
		return
	}
	k.paused = true
	if k.outstanding && now.After(k.since) {
		k.waited += now.Sub(k.since)
	}
}

// Resume restarts the dead-peer clock at now. Resuming when not paused does nothing.
func (k *Keeper) Resume(now time.Time) {
	if !k.paused {
		return
	}
	k.paused = false
	k.since = now
}

// Next returns when Tick must be called next: the earlier of the next ping and the moment
// the peer would be dead. The zero Time means never (no interval, or the peer is already
// dead). After Tick reports a ping due, Next stays in the past until Sent is called.
func (k *Keeper) Next() time.Time {
	if k.dead {
		return time.Time{}
	}
	next := k.nextPing
	if d := k.deadline(); !d.IsZero() && (next.IsZero() || d.Before(next)) {
		next = d
	}
	return next
}

// deadline is when the dead-peer clock runs out, or zero while it is not running.
func (k *Keeper) deadline() time.Time {
	if !k.outstanding || k.paused {
		return time.Time{}
	}
	return k.since.Add(k.timeout - k.waited)
}
