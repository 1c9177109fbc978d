package ping

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkPauseResume measures the pair the connection's reader may call around every
// Push, with Run active, with and without a ping awaiting its pong (only then is the clock
// read). Its yardstick is two bare mutex round trips.
func BenchmarkPauseResume(b *testing.B) {
	for _, tc := range []struct {
		name     string
		answered bool
	}{
		{name: "answered", answered: true},
		{name: "outstanding", answered: false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := NewMonitor(Policy{Interval: 20 * time.Millisecond, Timeout: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			pinged := make(chan struct{}, 1)
			done := make(chan error, 1)
			go func() {
				done <- m.Run(ctx, pingerFunc(func(context.Context, []byte) error {
					if tc.answered {
						m.Pong()
					}
					select {
					case pinged <- struct{}{}:
					default:
					}
					return nil
				}))
			}()
			<-pinged
			b.ReportAllocs()
			for b.Loop() {
				m.Pause()
				m.Resume()
			}
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}

func BenchmarkMutexYardstick(b *testing.B) {
	var mu sync.Mutex
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		mu.Lock()
		n++
		mu.Unlock()
		mu.Lock()
		n--
		mu.Unlock()
	}
	if n != 0 {
		b.Fatal(n)
	}
}

type pingerFunc func(ctx context.Context, data []byte) error

func (f pingerFunc) SendPing(ctx context.Context, data []byte) error { return f(ctx, data) }
