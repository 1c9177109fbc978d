package ping

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		ok     bool
	}{
		{name: "zero", policy: Policy{}, ok: true},
		{name: "interval only", policy: Policy{Interval: time.Second}, ok: true},
		{name: "interval and timeout", policy: Policy{Interval: time.Second, Timeout: time.Minute}, ok: true},
		{name: "125 bytes of data", policy: Policy{Interval: time.Second, Data: make([]byte, 125)}, ok: true},
		{name: "data without interval", policy: Policy{Data: []byte("x")}, ok: true},
		{name: "126 bytes of data", policy: Policy{Interval: time.Second, Data: make([]byte, 126)}},
		{name: "negative interval", policy: Policy{Interval: -time.Second}},
		{name: "negative timeout: detection off", policy: Policy{Interval: time.Second, Timeout: -1}, ok: true},
		{name: "negative timeout without interval", policy: Policy{Timeout: -1}, ok: true},
		{name: "timeout without interval", policy: Policy{Timeout: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrPolicy) {
				t.Fatalf("Validate() = %v, does not wrap ErrPolicy", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "ping: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			m, merr := NewMonitor(tt.policy)
			if (merr == nil) != tt.ok || (m == nil) == tt.ok {
				t.Fatalf("NewMonitor() = %v, %v; want ok=%v", m, merr, tt.ok)
			}
		})
	}
}

// recorder is a Pinger that records when each ping went out (in the bubble's fake time).
type recorder struct {
	mu     sync.Mutex
	start  time.Time
	at     []time.Duration
	data   [][]byte
	err    error       // returned by every SendPing
	block  bool        // SendPing waits for ctx to be done
	onPing func(n int) // called after each recorded ping
}

func (r *recorder) SendPing(ctx context.Context, data []byte) error {
	r.mu.Lock()
	r.at = append(r.at, time.Since(r.start))
	r.data = append(r.data, bytes.Clone(data))
	n := len(r.at)
	r.mu.Unlock()
	if r.onPing != nil {
		r.onPing(n)
	}
	if r.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return r.err
}

func (r *recorder) times() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.at...)
}

// runFor runs m for d of fake time, then cancels; it returns Run's result and when it returned.
func runFor(t *testing.T, m *Monitor, r *recorder, d time.Duration) (error, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r.start = time.Now()
	err := m.Run(ctx, r)
	return err, time.Since(r.start)
}

func mustMonitor(t *testing.T, p Policy) *Monitor {
	t.Helper()
	m, err := NewMonitor(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMonitorPingsAtInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := Policy{Interval: time.Second, Data: []byte("keepalive"), Timeout: -1} // the recorder answers nothing
		m := mustMonitor(t, p)
		p.Data[0] = 'X' // the Monitor keeps its own copy
		r := &recorder{}
		err, took := runFor(t, m, r, 3500*time.Millisecond)
		if err != nil || took != 3500*time.Millisecond {
			t.Fatalf("Run = %v after %v; want nil after 3.5s", err, took)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
		if got := r.times(); !equalDurations(got, want) {
			t.Fatalf("pings at %v, want %v", got, want)
		}
		for _, d := range r.data {
			if string(d) != "keepalive" {
				t.Fatalf("ping data %q, want keepalive", d)
			}
		}
	})
}

func TestMonitorDeadPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: 500 * time.Millisecond})
		r := &recorder{}
		err, took := runFor(t, m, r, time.Hour)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run = %v, want ErrTimeout", err)
		}
		if took != 1500*time.Millisecond {
			t.Fatalf("peer declared dead after %v, want Interval+Timeout = 1.5s", took)
		}
	})
}

func TestMonitorPongKeepsAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: 500 * time.Millisecond})
		var wg sync.WaitGroup
		r := &recorder{onPing: func(int) {
			wg.Go(func() {
				time.Sleep(499 * time.Millisecond) // just in time
				m.Pong()
			})
		}}
		err, took := runFor(t, m, r, 10*time.Second+time.Millisecond)
		wg.Wait()
		if err != nil {
			t.Fatalf("Run = %v after %v, want nil", err, took)
		}
		if n := len(r.times()); n != 10 {
			t.Fatalf("%d pings in 10s, want 10", n)
		}
	})
}

func TestMonitorLatePongTooLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: 500 * time.Millisecond})
		var wg sync.WaitGroup
		r := &recorder{onPing: func(int) {
			wg.Go(func() {
				time.Sleep(501 * time.Millisecond)
				m.Pong()
			})
		}}
		err, took := runFor(t, m, r, time.Hour)
		wg.Wait()
		if !errors.Is(err, ErrTimeout) || took != 1500*time.Millisecond {
			t.Fatalf("Run = %v after %v, want ErrTimeout after 1.5s", err, took)
		}
	})
}

func TestMonitorPausedTimeDoesNotCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: 500 * time.Millisecond})
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(1200 * time.Millisecond) // 200 ms after the first ping
			m.Pause()
			time.Sleep(10 * time.Second)
			m.Resume() // 300 ms left
		})
		r := &recorder{}
		err, took := runFor(t, m, r, time.Hour)
		wg.Wait()
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run = %v, want ErrTimeout", err)
		}
		if want := 11500 * time.Millisecond; took != want {
			t.Fatalf("peer declared dead after %v, want %v (paused 10s)", took, want)
		}
		if n := len(r.times()); n != 11 {
			t.Fatalf("%d pings, want 11: pings go on while paused", n)
		}
	})
}

func TestMonitorStuckPinger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: 500 * time.Millisecond})
		r := &recorder{block: true}
		err, took := runFor(t, m, r, time.Hour)
		if !errors.Is(err, ErrTimeout) || took != 1500*time.Millisecond {
			t.Fatalf("Run = %v after %v, want ErrTimeout after 1.5s", err, took)
		}
	})
}

func TestMonitorPingerError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errWrite := errors.New("test: write failed")
		m := mustMonitor(t, Policy{Interval: time.Second, Timeout: time.Second})
		r := &recorder{err: errWrite}
		err, took := runFor(t, m, r, time.Hour)
		if !errors.Is(err, errWrite) || errors.Is(err, ErrTimeout) || took != time.Second {
			t.Fatalf("Run = %v after %v, want the pinger's error after 1s", err, took)
		}
	})
}

func TestMonitorRunReturnsOnCancel(t *testing.T) {
	tests := []struct {
		name      string
		policy    Policy
		wantPings int // in 95 s
	}{
		{name: "no interval", policy: Policy{}, wantPings: 0},
		{name: "interval", policy: Policy{Interval: 10 * time.Second}, wantPings: 9},
		{name: "interval and timeout", policy: Policy{Interval: 10 * time.Second, Timeout: time.Second}, wantPings: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// synctest.Test fails if a goroutine or timer of the bubble is left behind.
			synctest.Test(t, func(t *testing.T) {
				m := mustMonitor(t, tt.policy)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				r := &recorder{onPing: func(int) { m.Pong() }} // an instant answer
				go func() { done <- m.Run(ctx, r) }()
				time.Sleep(95 * time.Second)
				synctest.Wait()
				if len(done) != 0 {
					t.Fatalf("Run returned %v before cancel", <-done)
				}
				start := time.Now()
				cancel()
				if err := <-done; err != nil {
					t.Fatalf("Run = %v after cancel, want nil", err)
				}
				if d := time.Since(start); d != 0 {
					t.Fatalf("Run took %v to notice the cancel", d)
				}
				if n := len(r.times()); n != tt.wantPings {
					t.Fatalf("%d pings in 95s, want %d", n, tt.wantPings)
				}
			})
		})
	}
}

func TestMonitorRunTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mustMonitor(t, Policy{Interval: time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx, &recorder{}) }()
		synctest.Wait()
		if err := m.Run(ctx, &recorder{}); err == nil {
			t.Fatal("a second concurrent Run returned nil")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("first Run = %v", err)
		}
		// Once the first has returned, the Monitor can run again.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel2()
		r := &recorder{}
		if err := m.Run(ctx2, r); err != nil || len(r.times()) != 1 {
			t.Fatalf("Run again = %v with %d pings, want nil with 1", err, len(r.times()))
		}
	})
}

func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		r := &recorder{start: time.Now()}
		if err := Run(ctx, Policy{Interval: time.Second, Data: []byte{1, 2}}, r); err != nil {
			t.Fatalf("Run = %v", err)
		}
		if want := []time.Duration{time.Second, 2 * time.Second}; !equalDurations(r.times(), want) {
			t.Fatalf("pings at %v, want %v", r.times(), want)
		}
	})
	bad := []struct {
		name   string
		policy Policy
	}{
		{name: "timeout needs pongs", policy: Policy{Interval: time.Second, Timeout: time.Second}},
		{name: "invalid", policy: Policy{Interval: -1}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := Run(context.Background(), tt.policy, &recorder{}); !errors.Is(err, ErrPolicy) {
				t.Fatalf("Run = %v, want an ErrPolicy error", err)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
