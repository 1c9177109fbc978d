package ping

import (
	"errors"
	"testing"
	"time"
)

// t0 is a fixed clock origin; steps give times as offsets from it.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const s = time.Second

type op int

const (
	tick op = iota
	sent
	pong
	pause
	resume
	next
)

type step struct {
	at       time.Duration
	op       op
	wantPing bool          // tick
	wantDead bool          // tick
	wantNext time.Duration // next; -1 = zero Time (never)
}

func TestKeeper(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		steps  []step
	}{
		{
			name:   "zero policy does nothing",
			policy: Policy{},
			steps: []step{
				{at: 0, op: next, wantNext: -1},
				{at: 1000 * s, op: tick},
				{at: 1000 * s, op: next, wantNext: -1},
			},
		},
		{
			name:   "pings at the interval",
			policy: Policy{Interval: 10 * s, Timeout: -1},
			steps: []step{
				{at: 0, op: next, wantNext: 10 * s},
				{at: 0, op: tick},
				{at: 10*s - 1, op: tick},
				{at: 10 * s, op: tick, wantPing: true},
				{at: 10 * s, op: next, wantNext: 10 * s}, // still due until Sent
				{at: 10 * s, op: sent},
				{at: 10 * s, op: next, wantNext: 20 * s},
				{at: 15 * s, op: tick},
				{at: 20 * s, op: tick, wantPing: true},
				{at: 21 * s, op: sent}, // sent late: the next one is an interval after it
				{at: 30 * s, op: tick},
				{at: 31 * s, op: tick, wantPing: true},
			},
		},
		{
			name:   "a negative timeout means never dead",
			policy: Policy{Interval: 10 * s, Timeout: -1},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 1000 * s, op: tick, wantPing: true},
			},
		},
		{
			name:   "a zero timeout means the interval",
			policy: Policy{Interval: 10 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 15 * s, op: pong},
				{at: 20 * s, op: tick, wantPing: true},
				{at: 20 * s, op: sent},
				{at: 20 * s, op: next, wantNext: 30 * s},
				{at: 30*s - 1, op: tick},
				{at: 30 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "dead after interval plus timeout",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: tick, wantPing: true},
				{at: 10 * s, op: sent},
				{at: 10 * s, op: next, wantNext: 15 * s},
				{at: 15*s - 1, op: tick},
				{at: 15 * s, op: tick, wantDead: true},
				{at: 15 * s, op: next, wantNext: -1},
				{at: 16 * s, op: pong}, // too late: dead stays dead
				{at: 100 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "pong in time keeps the peer alive",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 14 * s, op: pong},
				{at: 14 * s, op: next, wantNext: 20 * s},
				{at: 15 * s, op: tick},
				{at: 20 * s, op: tick, wantPing: true},
				{at: 20 * s, op: sent},
				{at: 25*s - 1, op: pong},
				{at: 30 * s, op: tick, wantPing: true},
				{at: 30 * s, op: sent},
				{at: 35 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "the oldest unanswered ping starts the clock",
			policy: Policy{Interval: 10 * s, Timeout: 25 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 20 * s, op: sent},
				{at: 30 * s, op: sent},
				{at: 30 * s, op: next, wantNext: 35 * s},
				{at: 35 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "a pong answers every earlier ping",
			policy: Policy{Interval: 10 * s, Timeout: 25 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 20 * s, op: sent},
				{at: 22 * s, op: pong},
				{at: 30 * s, op: sent},
				{at: 35 * s, op: tick},
				{at: 54 * s, op: sent},
				{at: 55*s - 1, op: tick},
				{at: 55 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "paused time does not count",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 12 * s, op: pause},
				{at: 12 * s, op: next, wantNext: 20 * s}, // only the next ping
				{at: 100 * s, op: tick, wantPing: true},  // pings go on while paused
				{at: 100 * s, op: sent},
				{at: 100 * s, op: resume},
				{at: 100 * s, op: next, wantNext: 103 * s}, // 2 s used before the pause, 3 s left
				{at: 103*s - 1, op: tick},
				{at: 103 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "ping sent while paused",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 5 * s, op: pause},
				{at: 10 * s, op: sent},
				{at: 19 * s, op: tick},
				{at: 19 * s, op: resume},
				{at: 24*s - 1, op: tick, wantPing: true}, // due since 20 s, never sent
				{at: 24 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "pause and resume are idempotent",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 11 * s, op: pause},
				{at: 12 * s, op: pause},
				{at: 13 * s, op: resume},
				{at: 14 * s, op: resume}, // must not restart the clock
				{at: 17*s - 1, op: tick},
				{at: 17 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "several pauses add up",
			policy: Policy{Interval: 100 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 11 * s, op: pause}, // 1 s used
				{at: 20 * s, op: resume},
				{at: 22 * s, op: pause}, // 3 s used
				{at: 40 * s, op: resume},
				{at: 40 * s, op: next, wantNext: 42 * s},
				{at: 42 * s, op: tick, wantDead: true},
			},
		},
		{
			name:   "pong while paused",
			policy: Policy{Interval: 10 * s, Timeout: 5 * s},
			steps: []step{
				{at: 10 * s, op: sent},
				{at: 11 * s, op: pause},
				{at: 12 * s, op: pong},
				{at: 13 * s, op: resume},
				{at: 19 * s, op: tick},
				{at: 19 * s, op: next, wantNext: 20 * s},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewKeeper(tt.policy, t0)
			for i, st := range tt.steps {
				now := t0.Add(st.at)
				switch st.op {
				case tick:
					ping, err := k.Tick(now)
					if dead := errors.Is(err, ErrTimeout); ping != st.wantPing || dead != st.wantDead {
						t.Fatalf("step %d: Tick(+%v) = %v, %v; want ping=%v dead=%v", i, st.at, ping, err, st.wantPing, st.wantDead)
					}
					if err != nil && err != ErrTimeout {
						t.Fatalf("step %d: Tick error %v is not ErrTimeout itself", i, err)
					}
				case sent:
					k.Sent(now)
				case pong:
					k.Pong(now)
				case pause:
					k.Pause(now)
				case resume:
					k.Resume(now)
				case next:
					want := time.Time{}
					if st.wantNext >= 0 {
						want = t0.Add(st.wantNext)
					}
					if got := k.Next(); !got.Equal(want) {
						t.Fatalf("step %d: Next() = %v, want %v", i, got, want)
					}
				}
			}
		})
	}
}
