package ping_test

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

// The Keeper is told the time; here a peer answers the first ping and not the second.
func ExampleKeeper() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 10 * time.Second}, start)
	at := func(d time.Duration) time.Time { return start.Add(d) }

	send, err := k.Tick(at(30 * time.Second))
	fmt.Println("at 30s: ping", send, err)
	k.Sent(at(30 * time.Second))
	k.Pong(at(31 * time.Second))

	send, _ = k.Tick(at(60 * time.Second))
	fmt.Println("at 60s: ping", send)
	k.Sent(at(60 * time.Second))
	fmt.Println("look again at", k.Next().Sub(start))

	_, err = k.Tick(at(70 * time.Second))
	fmt.Println("at 70s:", err)
	// Output:
	// at 30s: ping true <nil>
	// at 60s: ping true
	// look again at 1m10s
	// at 70s: ping: no pong within the timeout
}

// A Policy with an Interval and no Timeout detects a dead peer: a ping may
// stay unanswered for one interval. A negative Timeout only keeps pinging.
func ExamplePolicy() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []ping.Policy{
		{Interval: 20 * time.Second},
		{Interval: 20 * time.Second, Timeout: -1},
	} {
		k := ping.NewKeeper(p, start)
		k.Sent(start.Add(20 * time.Second)) // no pong comes
		send, err := k.Tick(start.Add(40 * time.Second))
		fmt.Println(p.Timeout, "at 40s: ping", send, err)
	}
	// Output:
	// 0s at 40s: ping false ping: no pong within the timeout
	// -1ns at 40s: ping true <nil>
}

// wire is a Pinger whose pings go to a channel, where a test peer reads them.
type wire chan []byte

func (w wire) SendPing(ctx context.Context, data []byte) error {
	select {
	case w <- slices.Clone(data): // SendPing must not keep data
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// counter is a Pinger that sends nothing; it counts the pings, and calls
// after(n) after the n-th.
type counter struct {
	n     int
	after func(n int)
}

func (c *counter) SendPing(ctx context.Context, data []byte) error {
	c.n++
	c.after(c.n)
	return nil
}

// A connection runs a Monitor on a goroutine of its own and tells it about
// every pong its reader sees.
func ExampleMonitor() {
	m, err := ping.NewMonitor(ping.Policy{Interval: 5 * time.Millisecond, Data: []byte("hi"), Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	pings := make(wire)
	ctx, stop := context.WithCancel(context.Background())
	ended := make(chan error)
	go func() { ended <- m.Run(ctx, pings) }()

	for range 3 { // the connection's reader: the peer answers every ping
		data := <-pings
		m.Pong()
		fmt.Printf("pong %q\n", data)
	}
	stop()
	fmt.Println(<-ended)
	// Output:
	// pong "hi"
	// pong "hi"
	// pong "hi"
	// <nil>
}

// NewMonitor refuses a policy that cannot work.
func ExampleNewMonitor() {
	_, err := ping.NewMonitor(ping.Policy{Timeout: time.Second}) // nothing would be sent to answer
	fmt.Println(errors.Is(err, ping.ErrPolicy))
	m, err := ping.NewMonitor(ping.Policy{Interval: 30 * time.Second})
	fmt.Println(m != nil, err)
	// Output:
	// true
	// true <nil>
}

// A peer that never answers is declared dead after Timeout: Run returns an
// error wrapping ErrTimeout, and the connection fails with 1011.
func ExampleMonitor_Run() {
	m, _ := ping.NewMonitor(ping.Policy{Interval: 5 * time.Millisecond, Timeout: 20 * time.Millisecond})
	silent := &counter{after: func(int) {}}
	err := m.Run(context.Background(), silent)
	fmt.Println(errors.Is(err, ping.ErrTimeout), silent.n > 0)
	// Output: true true
}

// A pong answers every ping sent before it, even if the peer skipped some.
func ExampleMonitor_Pong() {
	m, _ := ping.NewMonitor(ping.Policy{Interval: 5 * time.Millisecond, Timeout: 5 * time.Second})
	ctx, stop := context.WithCancel(context.Background())
	peer := &counter{after: func(n int) {
		if n%3 == 0 {
			m.Pong() // the peer answers only every third ping
		}
		if n == 9 {
			stop()
		}
	}}
	fmt.Println(m.Run(ctx, peer), peer.n)
	// Output: <nil> 9
}

// While the reader is blocked by our own backpressure, pongs cannot be read:
// Pause stops the dead-peer clock, and pings go on.
func ExampleMonitor_Pause() {
	m, _ := ping.NewMonitor(ping.Policy{Interval: 5 * time.Millisecond, Timeout: 5 * time.Millisecond})
	m.Pause() // the application has not taken the queued messages
	ctx, stop := context.WithCancel(context.Background())
	unanswered := &counter{after: func(n int) {
		if n == 5 {
			stop()
		}
	}}
	fmt.Println(m.Run(ctx, unanswered), unanswered.n)
	// Output: <nil> 5
}

// Resume restarts the dead-peer clock: a peer that still does not answer is
// then found dead.
func ExampleMonitor_Resume() {
	m, _ := ping.NewMonitor(ping.Policy{Interval: 5 * time.Millisecond, Timeout: 10 * time.Millisecond})
	m.Pause()
	unanswered := &counter{after: func(n int) {
		if n == 2 {
			m.Resume() // the application took its messages; the reader reads again
		}
	}}
	err := m.Run(context.Background(), unanswered)
	fmt.Println(errors.Is(err, ping.ErrTimeout))
	// Output: true
}

// framePinger is a Pinger over a raw connection: it writes a ping frame, here
// a server's (unmasked), into a buffer that stands for the socket.
type framePinger struct{ w *bytes.Buffer }

func (p framePinger) SendPing(ctx context.Context, data []byte) error {
	b := frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpPing, Length: int64(len(data))})
	_, err := p.w.Write(append(b, data...))
	return err
}

// The ping "Hello" of RFC 6455 §5.7.
func ExamplePinger() {
	var socket bytes.Buffer
	var p ping.Pinger = framePinger{&socket}
	if err := p.SendPing(context.Background(), []byte("Hello")); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("% x\n", socket.Bytes())
	// Output: 89 05 48 65 6c 6c 6f
}

// Run only sends pings, for a connection that has no pong input: it keeps
// idle paths (NATs, proxies) open and detects nothing.
func ExampleRun() {
	ctx, stop := context.WithCancel(context.Background())
	pinger := &counter{after: func(n int) {
		if n == 3 {
			stop()
		}
	}}
	fmt.Println(ping.Run(ctx, ping.Policy{Interval: 5 * time.Millisecond, Data: []byte("keepalive")}, pinger), pinger.n)

	err := ping.Run(ctx, ping.Policy{Interval: time.Second, Timeout: time.Second}, pinger)
	fmt.Println(errors.Is(err, ping.ErrPolicy))
	// Output:
	// <nil> 3
	// true
}

func ExamplePolicy_Validate() {
	for _, p := range []ping.Policy{
		{Interval: 20 * time.Second, Data: []byte("ping")},
		{Interval: 20 * time.Second, Data: make([]byte, ping.MaxData+1)},
		{Interval: -time.Second},
		{Timeout: time.Second},
	} {
		err := p.Validate()
		fmt.Println(errors.Is(err, ping.ErrPolicy), err)
	}
	// Output:
	// false <nil>
	// true ping: invalid policy: data is 126 bytes, a ping carries at most 125
	// true ping: invalid policy: negative interval -1s
	// true ping: invalid policy: timeout 1s without an interval
}

// NewKeeper starts the clock: the first ping is due one Interval later.
func ExampleNewKeeper() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second}, start)
	fmt.Println(k.Next().Sub(start))
	fmt.Println(ping.NewKeeper(ping.Policy{}, start).Next().IsZero()) // no pings: never
	// Output:
	// 30s
	// true
}

// Tick says a ping is due once its time has come, until Sent records it.
func ExampleKeeper_Tick() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second}, start)
	for _, at := range []time.Duration{10 * time.Second, 30 * time.Second, 31 * time.Second} {
		fmt.Println(k.Tick(start.Add(at)))
	}
	k.Sent(start.Add(31 * time.Second))
	fmt.Println(k.Tick(start.Add(32 * time.Second)))
	// Output:
	// false <nil>
	// true <nil>
	// true <nil>
	// false <nil>
}

// Sent sets the next ping an Interval later and starts the dead-peer clock.
func ExampleKeeper_Sent() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 10 * time.Second}, start)
	k.Sent(start.Add(30 * time.Second))
	fmt.Println("look again at", k.Next().Sub(start)) // the pong is due before the next ping
	k.Pong(start.Add(32 * time.Second))
	fmt.Println("look again at", k.Next().Sub(start))
	// Output:
	// look again at 40s
	// look again at 1m0s
}

// A pong answers every ping sent before it.
func ExampleKeeper_Pong() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 40 * time.Second}, start)
	k.Sent(start.Add(30 * time.Second))
	k.Sent(start.Add(60 * time.Second)) // the first is still unanswered
	k.Pong(start.Add(65 * time.Second)) // answers both
	_, err := k.Tick(start.Add(75 * time.Second))
	fmt.Println(err) // without the pong, the peer would be dead since 70s
	// Output: <nil>
}

// Next is when to call Tick again: the next ping or the moment the peer would
// be dead, whichever comes first.
func ExampleKeeper_Next() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 45 * time.Second}, start)
	fmt.Println(k.Next().Sub(start))
	k.Sent(start.Add(30 * time.Second))
	fmt.Println(k.Next().Sub(start))
	k.Sent(start.Add(60 * time.Second))
	fmt.Println(k.Next().Sub(start)) // dead at 75s, before the ping at 90s
	// Output:
	// 30s
	// 1m0s
	// 1m15s
}

// Time spent paused does not count towards the Timeout.
func ExampleKeeper_Pause() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 10 * time.Second}, start)
	k.Sent(start.Add(30 * time.Second))
	k.Pause(start.Add(35 * time.Second)) // our reader waits for room in a full queue
	_, err := k.Tick(start.Add(50 * time.Second))
	fmt.Println(err)
	// Output: <nil>
}

// Resume starts the dead-peer clock again where Pause stopped it.
func ExampleKeeper_Resume() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 10 * time.Second}, start)
	k.Sent(start.Add(30 * time.Second))
	k.Pause(start.Add(35 * time.Second)) // 5s of the 10 have passed
	k.Resume(start.Add(100 * time.Second))
	for _, at := range []time.Duration{104 * time.Second, 105 * time.Second} {
		_, err := k.Tick(start.Add(at))
		fmt.Println(at, err)
	}
	// Output:
	// 1m44s <nil>
	// 1m45s ping: no pong within the timeout
}
